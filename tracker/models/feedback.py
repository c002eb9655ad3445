"""Recipient feedback: invitations (a link with a token), responses and their answers."""

import datetime as dt
import json
from collections import defaultdict

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField, fn

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
        released on that subject (three queries). Every response has the subject RELEASE_RESPONSES, one
        per scale it scores (scores_scale: full surveys only), RELEASE_ITEM + key per item a pulse
        answered, and RELEASE_COMMENTS when it wrote an open answer. Deleted responses are never
        released (and stay in the releases they are in)."""
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
        subjects = {rid: {RELEASE_RESPONSES} for rid in responses}
        for rid, comments in responses.items():
            if any(text for text in json.loads(comments or "{}").values()):
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
            .where(FeedbackAnswer.response.in_(list(responses)) & FeedbackItem.scale.is_null(False))
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
            .where(FeedbackReleased.response.in_(list(responses)))
            .tuples()
        ):
            subjects[rid].discard(subject)
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
        """Release the stored responses as if each had been released when it came in: day by day in
        submission order (the migration that introduced releases, and data loaded in bulk)."""
        query = FeedbackResponse.select(FeedbackResponse.engagement, FeedbackResponse.submitted_on).where(
            FeedbackResponse.deleted_at.is_null()
        )
        if engagement_ids is not None:
            query = query.where(FeedbackResponse.engagement.in_(engagement_ids))
        days = sorted(set(query.distinct().tuples()), key=lambda pair: (pair[0], str(pair[1])))
        for engagement_id, day in days:
            if isinstance(day, str):
                day = dt.date.fromisoformat(day[:10])
            cls.release_due(engagement_id, day)


class FeedbackReleased(BaseModel):
    """A response's part in a release: on each subject a response is released once, and for good
    (deleting the response later does not take it out of what was shown)."""

    release = ForeignKeyField(FeedbackRelease, backref="members", on_delete="CASCADE")
    response = ForeignKeyField(FeedbackResponse, on_delete="CASCADE")
    subject = CharField(max_length=40)

    class Meta:
        indexes = ((("response", "subject"), True),)
