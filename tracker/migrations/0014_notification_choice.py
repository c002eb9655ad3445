"""Notifications (issue 18): how each person is told by email, and the notifications kept for a digest.

- `user.notification_choice` (VARCHAR(20) NOT NULL DEFAULT 'immediate'): "immediate" (one email per
  event), "digest" (one daily digest from `send-digests`) or "none". Every existing person gets
  "immediate": the feedback invitations they were already mailed keep coming as before.
- `pending_notification`: one row per notification kept for a person's daily digest (who, what, the
  link, when; `sent_at` once a digest carried it), and the record of each weekly ISP summary sent.

The column is `ALTER TABLE ... ADD COLUMN` through playhouse.migrate (no table rebuild, so the user
table's data-version triggers stay), guarded against an existing column (idempotent). The table is
written down here as it is now (a migration never imports the live models' shape) and created with
create_tables(safe=True). It is bookkeeping no report reads: no data-version triggers
(tracker/data_version.py `unwatched`).
"""

from peewee import SQL, CharField, DateTimeField, ForeignKeyField, Model, TextField
from playhouse.migrate import SchemaMigrator, migrate


class _User(Model):
    """The `user` table as the foreign key names it."""

    class Meta:
        table_name = "user"


class PendingNotification(Model):
    user = ForeignKeyField(_User, backref="pending_notifications", on_delete="CASCADE")
    kind = CharField(max_length=30)
    subject = CharField(max_length=300)
    body = TextField(default="")
    link = CharField(max_length=500, default="")
    created_at = DateTimeField()
    sent_at = DateTimeField(null=True, index=True)

    class Meta:
        table_name = "pending_notification"
        legacy_table_names = False


def _columns(database, table):
    return {column.name for column in database.get_columns(table)}


def up(database):
    if "notification_choice" not in _columns(database, "user"):
        field = CharField(max_length=20, default="immediate", constraints=[SQL("DEFAULT 'immediate'")])
        migrate(
            SchemaMigrator.from_database(database).add_column("user", "notification_choice", field, allow_not_null=True)
        )
    with database.bind_ctx([_User, PendingNotification]):
        database.create_tables([PendingNotification], safe=True)
