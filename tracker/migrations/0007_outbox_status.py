"""The outbox's delivery state: mail is queued inside the writing transaction and sent after commit
(tracker/mail.py), with a status per message, attempts, the next attempt's time and what it is about.

Columns are added with `ALTER TABLE ... ADD COLUMN` (defaults written here as they are now). Messages
recorded before this migration were never retried: the sent ones become "sent", the others "failed"
with no next attempt (their links were stored hidden and no invitation is known to renew them).
"""

from peewee import SQL, CharField, DateTimeField, IntegerField
from playhouse.migrate import SchemaMigrator, migrate

TABLE = "outbox_message"
NOT_SENT = "Recorded before mail was sent from the outbox; not sent."


def up(database):
    """Idempotent (as 0002): a database migrated again from an earlier version keeps its columns."""
    if "status" in {column.name for column in database.get_columns(TABLE)}:
        return
    migrator = SchemaMigrator.from_database(database)
    migrate(
        migrator.add_column(
            TABLE,
            "status",
            CharField(max_length=20, default="queued", constraints=[SQL("DEFAULT 'queued'")]),
            allow_not_null=True,
        ),
        migrator.add_column(TABLE, "attempts", IntegerField(default=0, constraints=[SQL("DEFAULT 0")])),
        migrator.add_column(TABLE, "next_attempt_at", DateTimeField(null=True)),
        migrator.add_column(TABLE, "last_attempt_at", DateTimeField(null=True)),
        migrator.add_column(TABLE, "engagement_id", IntegerField(null=True)),
        migrator.add_column(TABLE, "invitation_id", IntegerField(null=True)),
        migrator.add_index(TABLE, ("status",), False),
        migrator.add_index(TABLE, ("engagement_id",), False),
    )
    database.execute_sql(f'UPDATE "{TABLE}" SET "status" = \'sent\' WHERE "sent_at" IS NOT NULL')  # nosec B608 # a constant table name
    p = database.param
    database.execute_sql(
        f'UPDATE "{TABLE}" SET "status" = \'failed\', "error" = {p} WHERE "sent_at" IS NULL AND "error" = \'\'',  # nosec B608 # constant table name and driver placeholder
        (NOT_SENT,),
    )
    database.execute_sql(f'UPDATE "{TABLE}" SET "status" = \'failed\' WHERE "sent_at" IS NULL')  # nosec B608 # a constant table name
