"""`updated_at` on every audited record (issue 17: the API gives every resource the time of its last
change, in UTC with its offset). `meeting` has had one since 0001; the other audited tables gain a
nullable `updated_at` DATETIME/TIMESTAMP through playhouse.migrate (ALTER TABLE ... ADD COLUMN, no table
rebuild, so the data-version triggers stay), each guarded against an existing column (idempotent).

Backfill: the record's `created_at` where it has one, else the time of the migration (the best that is
known: it has not changed since it was first written or nobody recorded when). From then on
Audited.save sets it on every save that changes something.
"""

import datetime as dt

from peewee import DateTimeField
from playhouse.migrate import SchemaMigrator, migrate

TABLES = (
    "benchmark",
    "context_note",
    "deliverable",
    "engagement",
    "goal",
    "support_request",
    "team_member",
    "feedback_response",
    "organization",
    "unit",
    "user",
)


def up(database):
    migrator = SchemaMigrator.from_database(database)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # stored naive, in UTC, as every timestamp
    p = database.param
    for table in TABLES:
        columns = {column.name for column in database.get_columns(table)}
        if "updated_at" not in columns:
            migrate(migrator.add_column(table, "updated_at", DateTimeField(null=True)))
        source = '"created_at"' if "created_at" in columns else "NULL"
        sql = f'UPDATE "{table}" SET "updated_at" = COALESCE({source}, {p}) WHERE "updated_at" IS NULL'  # nosec B608: names are the constants above
        database.execute_sql(sql, (now,))
