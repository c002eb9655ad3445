"""Files attached to a meeting or a deliverable (issue 23): agendas, tools, slides.

- `Attachment`: one uploaded file {engagement, meeting | deliverable (exactly one), name (as uploaded,
  for display and the download's name only), kind (a key of the app's ATTACHMENT_TYPES), size (bytes),
  storage_key (random: the file's name in storage, never the user's), sha256, uploaded_by}.
- Soft-deleted on its own (`deleted_at`); it also follows its record: an attachment is `served()` only
  while it and its meeting or deliverable are live, so deleting the meeting hides its files and
  restoring the meeting brings them back, with nothing to copy.
The bytes live in a storage backend (tracker/services/attachments.py); this module knows only the row.
"""

from peewee import JOIN, CharField, DateTimeField, ForeignKeyField, IntegerField

from .base import Audited, utcnow
from .engagements import Deliverable, Engagement
from .meetings import Meeting
from .people import User

MAX_ATTACHMENT_NAME = 200


class Attachment(Audited):
    engagement = ForeignKeyField(Engagement, backref="attachments", on_delete="CASCADE")
    meeting = ForeignKeyField(Meeting, null=True, backref="attachments", on_delete="CASCADE")
    deliverable = ForeignKeyField(Deliverable, null=True, backref="attachments", on_delete="CASCADE")
    name = CharField(max_length=MAX_ATTACHMENT_NAME)
    kind = CharField(max_length=10)
    size = IntegerField()
    storage_key = CharField(max_length=64, unique=True)
    sha256 = CharField(max_length=64)
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)

    required = {"engagement": "An attachment belongs to an engagement.", "name": "The file has no name."}

    def validate(self):
        errors = super().validate()
        if (self.__data__.get("meeting") is None) == (self.__data__.get("deliverable") is None):
            errors.setdefault("file", "A file is attached to one meeting or one deliverable.")
        if not isinstance(self.size, int) or self.size <= 0:
            errors.setdefault("file", "The file is empty.")
        return errors

    @classmethod
    def served(cls):
        """The attachments that may be listed and downloaded: live, on a live meeting or deliverable."""
        return (
            cls.select(cls, User)
            .join_from(cls, Meeting, JOIN.LEFT_OUTER, on=(cls.meeting == Meeting.id))
            .join_from(cls, Deliverable, JOIN.LEFT_OUTER, on=(cls.deliverable == Deliverable.id))
            .join_from(cls, User, JOIN.LEFT_OUTER, on=(cls.uploaded_by == User.id))
            .where(
                cls.deleted_at.is_null()
                & (
                    (cls.meeting.is_null(False) & Meeting.deleted_at.is_null())
                    | (cls.deliverable.is_null(False) & Deliverable.deleted_at.is_null())
                )
            )
            .order_by(cls.created_at, cls.id)
        )

    @classmethod
    def of(cls, record):
        """The served attachments of one meeting or deliverable."""
        field = cls.meeting if isinstance(record, Meeting) else cls.deliverable
        return cls.served().where(field == record.id)

    @classmethod
    def of_engagement(cls, engagement):
        """Every served attachment of an engagement (its meetings' and deliverables'): for the portfolio
        export (issue 20) and the engagement's own lists."""
        return cls.served().where(cls.engagement == engagement.id)
