"""Audited.version: the version of every row users edit (no lost update; see tracker/models/base.py).

One `ALTER TABLE ... ADD COLUMN version INTEGER NOT NULL DEFAULT 1` per table, on SQLite and PostgreSQL
alike (existing rows start at version 1), so SQLite's table rebuild is never needed.

The tables are those of the audited models when this migration runs (the field is declared once, on
`Audited`), each guarded against an existing column: a table created later from its model (it then
has the column already) or an audited model added by a parallel migration is covered either way.
"""

from peewee import SQL, IntegerField
from playhouse.migrate import SchemaMigrator, migrate

from ..models import MODELS, Audited

COLUMN = "version"


def audited_tables():
    return [m._meta.table_name for m in MODELS if issubclass(m, Audited)]


def up(database):
    migrator = SchemaMigrator.from_database(database)
    existing = set(database.get_tables())
    operations = []
    for table in audited_tables():
        if table not in existing or COLUMN in {c.name for c in database.get_columns(table)}:
            continue
        field = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
        operations.append(migrator.add_column(table, COLUMN, field, allow_not_null=True))
    if operations:
        migrate(*operations)
