"""Review of logs and the organization's settings (issue 23).

- `meeting` and `activity` gain the review fields {review_state, submitted_at, reviewed_by_id, reviewed_at,
  review_note} (tracker/models/review.py). Logs that exist already were counted by every report before
  review existed: they become approved, submitted when they were created.
- `setting`: {key (unique), value, version, updated_at}, one row per setting an administrator changed.

Columns are added by plain DDL (see REVIEW_COLUMNS), each guarded against an existing column (idempotent); the
table is written down here as it is now and created with create_tables(safe=True).
"""

from peewee import SQL, CharField, DateTimeField, IntegerField, Model

from ..data_version import install
from ..db import is_sqlite


class Setting(Model):
    key = CharField(max_length=60, unique=True)
    value = CharField(max_length=200)
    version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    updated_at = DateTimeField(null=True)

    class Meta:
        table_name = "setting"
        legacy_table_names = False


# The review columns as DDL both databases accept in ALTER TABLE ... ADD COLUMN. SQLite adds a column with a
# non-null default or a REFERENCES clause in place, where playhouse.migrate's add_column would rebuild the table
# (and drop the search triggers of migration 0025 that read it).
REVIEW_COLUMNS = (
    ("review_state", "VARCHAR(12) NOT NULL DEFAULT 'approved'"),
    ("submitted_at", "{datetime}"),
    ("reviewed_by_id", 'INTEGER REFERENCES "user" (id) ON DELETE SET NULL'),
    ("reviewed_at", "{datetime}"),
    ("review_note", "VARCHAR(1000) NOT NULL DEFAULT ''"),
)


def up(database):
    datetime = "DATETIME" if is_sqlite() else "TIMESTAMP"  # (the database is a proxy: never a PostgresqlDatabase)
    for table in ("meeting", "activity"):
        have = {column.name for column in database.get_columns(table)}
        for name, ddl in REVIEW_COLUMNS:
            if name not in have:
                ddl = ddl.format(datetime=datetime)
                database.execute_sql(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}")  # nosec B608 # constants above
        if "submitted_at" not in have:
            database.execute_sql(f"UPDATE {table} SET submitted_at = created_at")  # nosec B608 # table: a constant
    with database.bind_ctx([Setting]):
        database.create_tables([Setting], safe=True)
    install(database)
