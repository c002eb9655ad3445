"""Recipient feedback: invitations (a link with a token), responses and their answers."""

import datetime as dt
import json
from collections import defaultdict

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    chunked,
    fn,
)

from .base import Audited, BaseModel, LimitedTextField, utcnow
from .catalog import FeedbackInstrument, FeedbackItem
from .engagements import Engagement, TeamMember, check_part_event_date
from .meetings import Meeting
from .people import User

FEEDBACK_KINDS = (("pulse", "Pulse"), ("survey", "Full survey"))


class FeedbackInvitation(BaseModel):
    engagement = ForeignKeyField(Engagement, backref="feedback_invitations", on_delete="CASCADE")
    meeting = ForeignKeyField(Meeting, null=True, on_delete="SET NULL")
    instrument = ForeignKeyField(FeedbackInstrument, on_delete="RESTRICT")
    kind = CharField(max_length=10, choices=FEEDBACK_KINDS)
    email = CharField(max_length=254, default="", index=True)
    team_member = ForeignKeyField(TeamMember, null=True, on_delete="SET NULL")  # who was invited, if on the team
    sent_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    token_hash = CharField(max_length=128, unique=True)
    item_keys = TextField(default="")  # the items asked (a pulse asks a few), comma-separated
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)  # the day it was answered (midnight: coarse, so it cannot be matched)

    @classmethod
    def open_for(cls, email):
        """Unanswered, unexpired invitations addressed to `email`, on live, not closed engagements, soonest
        expiring first (with their engagement): what waits for a person (home page, My work)."""
        return (
            cls.select(cls, Engagement)
            .join(Engagement)
            .where(
                (cls.email == (email or "").lower())
                & (cls.email != "")
                & cls.used_at.is_null()
                & (cls.expires_at > utcnow())
                & Engagement.deleted_at.is_null()
                & (Engagement.status != "closed")
            )
            .order_by(cls.expires_at, cls.id)
        )


class FeedbackResponse(Audited):
    engagement = ForeignKeyField(Engagement, backref="feedback_responses", on_delete="CASCADE")
    instrument = ForeignKeyField(FeedbackInstrument, on_delete="RESTRICT")
    kind = CharField(max_length=10, choices=FEEDBACK_KINDS)
    meeting = ForeignKeyField(Meeting, null=True, on_delete="SET NULL")
    respondent = ForeignKeyField(User, null=True, on_delete="SET NULL")  # None when anonymous
    respondent_email = CharField(max_length=254, default="")  # named answer without an account; "" when anonymous
    anonymous = BooleanField(default=True)
    submitted_on = DateField(index=True)
    comments = LimitedTextField(default="{}", max_length=None)  # JSON {item_key: text}: each one bounded by the service
    created_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)

    def validate(self):
        errors = super().validate()
        check_part_event_date(self, errors, "submitted_on")  # feedback is an event: the date policy's
        if self.anonymous and (self.__data__.get("respondent") is not None or self.respondent_email):
            errors.setdefault("respondent", "An anonymous response names nobody: leave its respondent empty.")
        return errors

    @property
    def comment_map(self):
        return json.loads(self.comments or "{}")


class FeedbackAnswer(BaseModel):
    response = ForeignKeyField(FeedbackResponse, backref="answers", on_delete="CASCADE")
    item = ForeignKeyField(FeedbackItem, on_delete="RESTRICT")
    value = IntegerField()

    class Meta:
        indexes = ((("response", "item"), True),)

    def validate(self):
        errors = super().validate()
        if not isinstance(self.value, int) or not 1 <= self.value <= 5:
            errors["value"] = "Answers are on the 1-5 agreement scale."
        return errors


# --- disclosure (docs/disclosure.md) ------------------------------------------------------------------

RELEASE_SIZE = 3  # the fewest responses a release (and so any shown group) holds
RELEASE_RESPONSES = "responses"  # the subject counting responses
RELEASE_COMMENTS = "comments"  # the subject of open comments (other subjects are scale keys and pulse items)
RELEASE_ITEM = "item:"  # + an item key: the subject of a pulse's answers to that item (reported as items)
REPLAY_CHUNK = 500  # engagements replayed at a time (their ids are bound parameters: far below SQLite's limit)
REPLAY_INSERT = 500  # rows per multi-row INSERT of releases and their members (at most 5 columns each)
MIN_SCALE_ITEMS = 3  # a full survey scores a scale when it answered this many of its items (all of a shorter scale)


def scale_sizes():
    """{(instrument_id, scale): number of agreement items} (one query)."""
    return {
        (instrument, scale): n
        for instrument, scale, n in FeedbackItem.select(
            FeedbackItem.instrument, FeedbackItem.scale, fn.COUNT(FeedbackItem.id)
        )
        .where(FeedbackItem.scale.is_null(False))
        .group_by(FeedbackItem.instrument, FeedbackItem.scale)
        .tuples()
    }


def scores_scale(kind, answered, size):
    """Whether a response scores a scale (Weiner et al. 2017, as reports/feedback.py documents): a full
    survey (never a pulse) that answered at least MIN_SCALE_ITEMS of the scale's `size` items."""
    return kind == "survey" and answered >= min(MIN_SCALE_ITEMS, size)


class FeedbackRelease(BaseModel):
    """One disclosure: at least RELEASE_SIZE responses of an engagement made visible together on one
    subject (a scale's scores, the count of responses, or open comments). Every shown feedback figure
    is computed from whole releases only, grouped by the day of their release."""

    engagement = ForeignKeyField(Engagement, backref="feedback_releases", on_delete="CASCADE")
    subject = CharField(max_length=40)
    released_on = DateField(index=True)
    size = IntegerField()
    created_at = DateTimeField(default=utcnow)

    @classmethod
    def pending(cls, engagement_id, on):
        """{subject: [response id, ...]} of the engagement's live responses submitted up to `on` not yet
        released on that subject (four queries; _subjects says which subjects a response has). Deleted
        responses are never released (and stay in the releases they are in)."""
        responses = dict(
            FeedbackResponse.select(FeedbackResponse.id, FeedbackResponse.comments)
            .where(
                (FeedbackResponse.engagement == engagement_id)
                & FeedbackResponse.deleted_at.is_null()
                & (FeedbackResponse.submitted_on <= on)
            )
            .tuples()
        )
        if not responses:
            return {}
        subjects = _subjects(responses, FeedbackResponse.id.in_(list(responses)))
        out = {}
        for rid in sorted(subjects):
            for subject in subjects[rid]:
                out.setdefault(subject, []).append(rid)
        return out

    @classmethod
    def release_due(cls, engagement_id, on):
        """Release every subject that has at least RELEASE_SIZE pending responses (submitted up to
        `on`), dated `on`: the one place anything becomes visible. Call it inside the writing
        transaction. Returns the releases made."""
        made = []
        for subject, ids in sorted(cls.pending(engagement_id, on).items()):
            if len(ids) < RELEASE_SIZE:
                continue
            release = cls.create(engagement=engagement_id, subject=subject, released_on=on, size=len(ids))
            FeedbackReleased.insert_many(
                [{"release": release.id, "response": rid, "subject": subject} for rid in ids]
            ).execute()
            made.append(release)
        return made

    @classmethod
    def replay(cls, engagement_ids=None):
        """Release the stored responses as if each had been released when it came in: what release_due
        called day by day in submission order, for each engagement in id order, releases (the migration
        that introduced releases, imports, and data loaded in bulk). Set-based: a few queries and bulk
        inserts per REPLAY_CHUNK engagements, the days played in memory, not four queries per day."""
        if engagement_ids is None:
            engagement_ids = (
                FeedbackResponse.select(FeedbackResponse.engagement)
                .where(FeedbackResponse.deleted_at.is_null())
                .distinct()
                .tuples()
            )
            engagement_ids = [eid for (eid,) in engagement_ids]
        engagement_ids = sorted(set(engagement_ids))
        for first in range(0, len(engagement_ids), REPLAY_CHUNK):
            cls._replay_chunk(engagement_ids[first : first + REPLAY_CHUNK])

    @classmethod
    def _replay_chunk(cls, engagement_ids):
        live = FeedbackResponse.deleted_at.is_null() & FeedbackResponse.engagement.in_(engagement_ids)
        rows = (
            FeedbackResponse.select(
                FeedbackResponse.id,
                FeedbackResponse.engagement,
                FeedbackResponse.submitted_on,
                FeedbackResponse.comments,
            )
            .where(live)
            .tuples()
        )
        days = defaultdict(lambda: defaultdict(list))  # {engagement: {day: [response id]}}
        comments = {}
        for rid, engagement_id, day, text in rows:
            days[engagement_id][_day(day)].append(rid)
            comments[rid] = text
        if not comments:
            return
        subjects = _subjects(comments, live)
        made = []  # (engagement, subject, day, [response id]): in the order release_due would create them
        for engagement_id in sorted(days):
            pending = defaultdict(list)
            for day in sorted(days[engagement_id]):
                for rid in days[engagement_id][day]:
                    for subject in subjects[rid]:
                        pending[subject].append(rid)
                for subject in sorted(pending):
                    if len(pending[subject]) >= RELEASE_SIZE:
                        made.append((engagement_id, subject, day, sorted(pending.pop(subject))))
        if not made:
            return
        before = cls.select(fn.MAX(cls.id)).scalar() or 0
        now = utcnow()
        for part in chunked(made, REPLAY_INSERT):
            cls.insert_many(
                [(e, subject, day, len(ids), now) for e, subject, day, ids in part],
                fields=[cls.engagement, cls.subject, cls.released_on, cls.size, cls.created_at],
            ).execute()
        # the new releases' ids: a replay makes at most one release per engagement, subject and day
        ids = {
            (e, subject, _day(day)): rid
            for rid, e, subject, day in cls.select(cls.id, cls.engagement, cls.subject, cls.released_on)
            .where((cls.id > before) & cls.engagement.in_(engagement_ids))
            .tuples()
        }
        members = ((ids[(e, subject, day)], rid, subject) for e, subject, day, rids in made for rid in rids)
        fields = [FeedbackReleased.release, FeedbackReleased.response, FeedbackReleased.subject]
        for part in chunked(members, REPLAY_INSERT):
            FeedbackReleased.insert_many(part, fields=fields).execute()


def _day(value):
    """A DateField's value as a date (SQLite may hand back its ISO text)."""
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _subjects(comments, responses):
    """{response id: {subject, ...}} not yet released, for the responses `comments` ({id: comments JSON})
    also matched by the condition `responses` on FeedbackResponse (three queries). Every response has the
    subject RELEASE_RESPONSES, one per scale it scores (scores_scale: full surveys only), RELEASE_ITEM + key
    per item a pulse answered, and RELEASE_COMMENTS when it wrote an open answer."""
    subjects = {rid: {RELEASE_RESPONSES} for rid in comments}
    for rid, text in comments.items():
        if any(value for value in json.loads(text or "{}").values()):
            subjects[rid].add(RELEASE_COMMENTS)
    sizes, answered = scale_sizes(), defaultdict(int)
    for rid, kind, instrument, scale, key in (
        FeedbackAnswer.select(
            FeedbackAnswer.response,
            FeedbackResponse.kind,
            FeedbackItem.instrument,
            FeedbackItem.scale,
            FeedbackItem.key,
        )
        .join(FeedbackItem)
        .switch(FeedbackAnswer)
        .join(FeedbackResponse)
        .where(responses & FeedbackItem.scale.is_null(False))
        .tuples()
    ):
        if kind == "pulse":
            subjects[rid].add(RELEASE_ITEM + key)
        else:
            answered[(rid, instrument, scale)] += 1
    for (rid, instrument, scale), n in answered.items():
        if scores_scale("survey", n, sizes.get((instrument, scale), 0)):
            subjects[rid].add(scale)
    for rid, subject in (
        FeedbackReleased.select(FeedbackReleased.response, FeedbackReleased.subject)
        .join(FeedbackResponse)
        .where(responses)
        .tuples()
    ):
        subjects[rid].discard(subject)
    return subjects


class FeedbackReleased(BaseModel):
    """A response's part in a release: on each subject a response is released once, and for good
    (deleting the response later does not take it out of what was shown)."""

    release = ForeignKeyField(FeedbackRelease, backref="members", on_delete="CASCADE")
    response = ForeignKeyField(FeedbackResponse, on_delete="CASCADE")
    subject = CharField(max_length=40)

    class Meta:
        indexes = ((("response", "subject"), True),)
