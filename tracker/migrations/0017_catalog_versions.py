"""Catalog versions (issue 18): competencies, strategies and principles get versions and the audit log.

- `replaces_id` (nullable, a foreign key to the same table, ON DELETE SET NULL): changing an entry's
  wording makes a new entry that replaces the old one, which is retired; meetings logged with the old
  wording keep pointing at it.
- `version` (INTEGER NOT NULL DEFAULT 1) and `updated_at` (nullable): the columns of every audited
  record (0005, 0013), now that these entries are audited (their additions, new versions and
  retirements are in the audit log). Existing entries start at version 1 with `updated_at` NULL (when
  they were last changed was never recorded).

Each is `ALTER TABLE ... ADD COLUMN` through playhouse.migrate (no table rebuild, so the data-version
triggers stay), guarded against an existing column (idempotent; 0005 adds `version` itself on a
database built from scratch, since it reads the audited models).
"""

from peewee import SQL, DateTimeField, ForeignKeyField, IntegerField, Model
from playhouse.migrate import SchemaMigrator, migrate

TABLES = ("competency", "strategy", "principle")


def _table(name):
    """The table as its own foreign key names it (this migration writes down what it adds)."""

    class Table(Model):
        class Meta:
            table_name = name

    return Table


def up(database):
    migrator = SchemaMigrator.from_database(database)
    for table in TABLES:
        columns = {column.name for column in database.get_columns(table)}
        operations = []
        if "version" not in columns:
            field = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
            operations.append(migrator.add_column(table, "version", field, allow_not_null=True))
        if "updated_at" not in columns:
            operations.append(migrator.add_column(table, "updated_at", DateTimeField(null=True)))
        if "replaces_id" not in columns:
            target = _table(table)
            field = ForeignKeyField(target, null=True, on_delete="SET NULL", field=target.id)
            operations.append(migrator.add_column(table, "replaces_id", field))
        if operations:
            migrate(*operations)
