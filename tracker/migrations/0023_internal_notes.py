"""Internal notes (issue 19): an ISP may mark a note internal, and recipients never see it.

- `meeting.notes_internal` (BOOLEAN NOT NULL DEFAULT FALSE): the whole session note is internal.
- `context_note.internal` (BOOLEAN NOT NULL DEFAULT FALSE): the context note is internal.

Existing notes stay shared (the default). Columns are `ALTER TABLE ... ADD COLUMN` through
playhouse.migrate, each guarded against an existing column (idempotent). On SQLite a boolean column with a
default can make playhouse rebuild the table, which drops its triggers: install() puts the data-version
triggers back (idempotent), as the reports need them on meeting and context_note.
"""

from peewee import SQL, BooleanField
from playhouse.migrate import SchemaMigrator, migrate

from ..data_version import install


def _columns(database, table):
    return {column.name for column in database.get_columns(table)}


def up(database):
    migrator = SchemaMigrator.from_database(database)
    wanted = (("meeting", "notes_internal"), ("context_note", "internal"))
    operations = [
        migrator.add_column(table, name, BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")]))
        for table, name in wanted
        if name not in _columns(database, table)
    ]
    if operations:
        migrate(*operations)
    install(database)
