"""Bookkeeping tables: the schema and data versions, the outbox of sent email, the notifications kept for
a daily digest, and the API's idempotency keys."""

from peewee import BigIntegerField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, LimitedTextField, utcnow
from .people import User


class SchemaVersion(BaseModel):
    version = IntegerField(primary_key=True)
    name = CharField()
    applied_at = DateTimeField(default=utcnow)


class DataVersion(BaseModel):
    """One row whose token changes, inside the same transaction, whenever a row of a table that
    reports read is inserted, updated or deleted (database triggers written by tracker/data_version.py
    and installed by migration 0003). Equal tokens mean equal data, so a report computed at one token
    can be served again while the token stands."""

    token = BigIntegerField(default=0)

    class Meta:
        table_name = "data_version"


OUTBOX_STATUSES = (("queued", "Queued"), ("sent", "Sent"), ("failed", "Failed"))


class OutboxMessage(BaseModel):
    """An outgoing email as queued by tracker/mail.py (links with tokens are stored redacted) and its
    delivery: status queued / sent / failed, attempts, when the next attempt is due (None: no more
    attempts) and the error text of the last failed attempt."""

    to_email = CharField(max_length=254)
    subject = CharField(max_length=300)
    body = LimitedTextField(default="", max_length=None)  # written by the app (tracker/mail.py)
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    error = LimitedTextField(default="", max_length=None)  # what the mail server answered
    status = CharField(max_length=20, choices=OUTBOX_STATUSES, default="queued", index=True)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(null=True)
    last_attempt_at = DateTimeField(null=True)
    engagement_id = IntegerField(null=True, index=True)  # the engagement it is about (its feedback page)
    invitation_id = IntegerField(null=True)  # the feedback invitation it carries (a retry renews its link)

    @property
    def will_retry(self):
        return self.status == "failed" and self.next_attempt_at is not None

    @classmethod
    def delivery(cls, engagement_id):
        """The mail of an engagement's invitations, for its feedback page (one query):
        {"queued": n, "sent": n, "failed": n, "retrying": n, "last_error": text, "by_invitation": {id: message}}."""
        summary = {"queued": 0, "sent": 0, "failed": 0, "retrying": 0, "last_error": "", "by_invitation": {}}
        for message in cls.select().where(cls.engagement_id == engagement_id).order_by(cls.id):
            summary[message.status] = summary.get(message.status, 0) + 1
            if message.status == "failed":
                summary["retrying"] += message.will_retry
                summary["last_error"] = message.error
            if message.invitation_id:
                summary["by_invitation"][message.invitation_id] = message
        return summary


class PendingNotification(BaseModel):
    """A notification kept for the daily digest of a person who chose one (tracker/services/notifications.py):
    what happened in their words and the link to it. `sent_at` is set in the transaction that queues the
    digest carrying it, so each item is sent once however often `send-digests` runs. A row of kind
    "weekly_summary" records that the week's ISP summary went out (created and sent at once)."""

    user = ForeignKeyField(User, backref="pending_notifications", on_delete="CASCADE")
    kind = CharField(max_length=30)
    subject = CharField(max_length=300)
    body = LimitedTextField(default="", max_length=None)  # written by the app
    link = CharField(max_length=500, default="")
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True, index=True)

    class Meta:
        table_name = "pending_notification"


class IdempotencyKey(BaseModel):
    """An `Idempotency-Key` a token's user sent with an API POST (tracker/api/common.py), with a hash of
    the request it came with and, once answered, the first answer (status, JSON body, Location). A
    repeat within IDEMPOTENCY_HOURS gets that answer again and writes nothing; `status` None: the first
    request is still being answered. Bookkeeping: no report reads it (data_version.unwatched)."""

    user_id = IntegerField()
    key = CharField(max_length=200)
    request_hash = CharField(max_length=64)
    status = IntegerField(null=True)
    response = TextField(default="")
    location = CharField(max_length=500, default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "idempotency_key"
        indexes = ((("user_id", "key"), True),)
