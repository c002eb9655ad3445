"""User.date_format: how dates are shown to each person (their choice on the "Your account" page).

One `ALTER TABLE ... ADD COLUMN ... NOT NULL DEFAULT ...` on SQLite and PostgreSQL alike (existing
users get the default format), so SQLite's table rebuild is never needed. The default is written
here as it was then ('d_mon_y'), not taken from the models, so the migration stays what it was.

Why the guard against an existing column stays: 0001 used to build the tables from the live models,
and the same commit added this column to the model and this migration. A database built by that old
0001 got the column from it, and the runner commits 0001 and 0002 in separate transactions, so one
whose migrate run stopped between the two sits at version 1 with the column already there. The
frozen 0001 never creates it; for every other database the guard is a no-op.
"""

from peewee import SQL, CharField
from playhouse.migrate import SchemaMigrator, migrate

TABLE = "user"
COLUMN = "date_format"
DEFAULT = "d_mon_y"


def up(database):
    if COLUMN in {column.name for column in database.get_columns(TABLE)}:
        return
    field = CharField(max_length=20, default=DEFAULT, constraints=[SQL(f"DEFAULT '{DEFAULT}'")])
    migrator = SchemaMigrator.from_database(database)
    migrate(migrator.add_column(TABLE, COLUMN, field, allow_not_null=True))
