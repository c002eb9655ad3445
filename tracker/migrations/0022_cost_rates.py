"""Cost of support (issue 19): hourly rates set by administrators.

- `user.hourly_rate` (REAL, NULL): an ISP's hourly cost; NULL when they have none of their own.
- `organization.hourly_rate` (REAL, NULL): the intermediary organization's rate, used for its ISPs
  without a rate of their own.

Columns are `ALTER TABLE ... ADD COLUMN` through playhouse.migrate (no table rebuild, so both tables'
data-version triggers stay: reports/cost.py reads the rates), each guarded against an existing column
(idempotent).
"""

from peewee import FloatField
from playhouse.migrate import SchemaMigrator, migrate


def _columns(database, table):
    return {column.name for column in database.get_columns(table)}


def up(database):
    migrator = SchemaMigrator.from_database(database)
    operations = [
        migrator.add_column(table, "hourly_rate", FloatField(null=True))
        for table in ("user", "organization")
        if "hourly_rate" not in _columns(database, table)
    ]
    if operations:
        migrate(*operations)
