"""User.date_format: how dates are shown to each person (their choice on the "Your account" page).

A database built by 0001 from the current models already has the column; only an older one gets
it added. One `ALTER TABLE ... ADD COLUMN ... NOT NULL DEFAULT ...` on SQLite and PostgreSQL alike
(existing users get the default format), so SQLite's table rebuild is never needed.
"""

from peewee import SQL, CharField
from playhouse.migrate import SchemaMigrator, migrate

TABLE = "user"
COLUMN = "date_format"


def up(database):
    from ..models import DEFAULT_DATE_FORMAT

    if COLUMN in {column.name for column in database.get_columns(TABLE)}:
        return
    field = CharField(max_length=20, default=DEFAULT_DATE_FORMAT, constraints=[SQL(f"DEFAULT '{DEFAULT_DATE_FORMAT}'")])
    migrator = SchemaMigrator.from_database(database)
    migrate(migrator.add_column(TABLE, COLUMN, field, allow_not_null=True))
