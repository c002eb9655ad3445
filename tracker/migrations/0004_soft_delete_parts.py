"""Soft delete for every part of an engagement: `deleted_at` (nullable) on team memberships,
benchmarks, deliverables, context notes and next steps, as goals, meetings, engagements and feedback
responses already have it.

A nullable `ALTER TABLE ... ADD COLUMN` on SQLite and PostgreSQL alike: no table rebuild, so the
data-version triggers of migration 0003 stay in place. With parts no longer removed, no audited row
is hard-deleted and SQLite never hands a deleted row's id to the next one (tables without
AUTOINCREMENT reuse the id of a deleted newest row); PostgreSQL sequences never go back.
"""

from peewee import DateTimeField
from playhouse.migrate import SchemaMigrator, migrate

TABLES = ("team_member", "benchmark", "deliverable", "context_note", "next_step")
COLUMN = "deleted_at"


def up(database):
    migrator = SchemaMigrator.from_database(database)
    operations = [
        migrator.add_column(table, COLUMN, DateTimeField(null=True))
        for table in TABLES
        if COLUMN not in {column.name for column in database.get_columns(table)}
    ]
    if operations:
        migrate(*operations)
