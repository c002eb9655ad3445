"""Half-written meeting logs kept on the server, and who has a meeting open for editing (issue 23).

- `FormDraft`: what one person has typed into the meeting form of one engagement and not saved yet
  {user, engagement, meeting (None: a new meeting), data (the form's fields as JSON: a list of
  [name, value] pairs, so ticked boxes and repeated rows keep every value), saved_at}; one per (user,
  engagement, meeting). At most MAX_DRAFT_BYTES; a draft older than DRAFT_DAYS is not offered.
- `EditingPresence`: a person who has a meeting's edit page open {user, meeting, since, seen_at}; the
  page pings while open, and someone seen within PRESENCE_SECONDS is "editing this meeting too".
Both are bookkeeping no report reads (tracker/data_version.py `unwatched`).
"""

import datetime as dt
import json

from peewee import DateTimeField, ForeignKeyField

from .base import BaseModel, LimitedTextField, ValidationError, utcnow
from .engagements import Engagement
from .meetings import Meeting
from .people import User

MAX_DRAFT_BYTES = 200 * 1024
DRAFT_DAYS = 30
PRESENCE_SECONDS = 90
DRAFT_TOO_LARGE = f"This draft is too large to keep (more than {MAX_DRAFT_BYTES // 1024} KB); save the meeting instead."


class DraftTooLarge(ValidationError):
    """A draft over MAX_DRAFT_BYTES: nothing was written (the pages answer 413)."""

    def __init__(self):
        super().__init__({"data": DRAFT_TOO_LARGE})


def draft_text(pairs):
    """The stored form of a draft: the [name, value] pairs as JSON text; DraftTooLarge when over the limit."""
    text = json.dumps([[str(name), str(value)] for name, value in pairs], ensure_ascii=False)
    if len(text.encode("utf-8")) > MAX_DRAFT_BYTES:
        raise DraftTooLarge()
    return text


class FormDraft(BaseModel):
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    engagement = ForeignKeyField(Engagement, backref="+", on_delete="CASCADE")
    meeting = ForeignKeyField(Meeting, null=True, backref="+", on_delete="CASCADE")
    data = LimitedTextField(max_length=MAX_DRAFT_BYTES, default="[]")  # and at most MAX_DRAFT_BYTES bytes
    saved_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "form_draft"
        indexes = ((("user", "engagement", "meeting"), True),)

    def validate(self):
        errors = super().validate()
        if len((self.data or "").encode("utf-8")) > MAX_DRAFT_BYTES:
            errors.setdefault("data", DRAFT_TOO_LARGE)
        return errors

    @property
    def pairs(self):
        return json.loads(self.data or "[]")

    @classmethod
    def _of(cls, user, engagement, meeting):
        where = (cls.user == user.id) & (cls.engagement == engagement.id)
        where &= cls.meeting.is_null() if meeting is None else (cls.meeting == meeting.id)
        return cls.select().where(where)

    @classmethod
    def find(cls, user, engagement, meeting=None, now=None):
        """The draft `user` may restore on this form (None: none, or older than DRAFT_DAYS)."""
        oldest = (now or utcnow()) - dt.timedelta(days=DRAFT_DAYS)
        return cls._of(user, engagement, meeting).where(cls.saved_at >= oldest).order_by(cls.saved_at.desc()).first()

    @classmethod
    def keep(cls, user, engagement, meeting, text, now=None):
        """Write `text` (from draft_text) as the user's draft of this form, replacing the one before; the
        user's drafts too old to be offered go."""
        now = now or utcnow()
        cls.delete().where((cls.user == user.id) & (cls.saved_at < now - dt.timedelta(days=DRAFT_DAYS))).execute()
        row = cls._of(user, engagement, meeting).first() or cls(user=user.id, engagement=engagement.id, meeting=meeting)
        row.data, row.saved_at = text, now
        row.save()
        return row

    @classmethod
    def clear(cls, user, engagement, meeting=None):
        """Forget the user's draft of this form (saved or discarded); returns how many rows went."""
        ids = [d.id for d in cls._of(user, engagement, meeting)]
        return cls.delete().where(cls.id.in_(ids)).execute() if ids else 0


class EditingPresence(BaseModel):
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    meeting = ForeignKeyField(Meeting, backref="+", on_delete="CASCADE")
    since = DateTimeField(default=utcnow)  # when this stretch of editing began
    seen_at = DateTimeField(default=utcnow)  # the last ping

    class Meta:
        table_name = "editing_presence"
        indexes = ((("user", "meeting"), True),)

    @classmethod
    def ping(cls, user, meeting, now=None):
        """`user` has the meeting's edit page open now; a ping after PRESENCE_SECONDS of silence starts a
        new stretch (`since`)."""
        now = now or utcnow()
        row = cls.get_or_none((cls.user == user.id) & (cls.meeting == meeting.id))
        if row is None:
            row = cls(user=user.id, meeting=meeting.id, since=now)
        elif row.seen_at < now - dt.timedelta(seconds=PRESENCE_SECONDS):
            row.since = now
        row.seen_at = now
        row.save()
        return row

    @classmethod
    def others(cls, user, meeting, now=None):
        """Who else has the meeting open for editing (seen within PRESENCE_SECONDS), with their User,
        the longest there first."""
        recent = (now or utcnow()) - dt.timedelta(seconds=PRESENCE_SECONDS)
        return list(
            cls.select(cls, User)
            .join(User, on=(cls.user == User.id))
            .where((cls.meeting == meeting.id) & (cls.user != user.id) & (cls.seen_at >= recent))
            .order_by(cls.since, User.name)
        )
