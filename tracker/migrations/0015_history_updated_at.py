"""`updated_at` on the two histories (issue 17: every resource of the API carries the time of its last
change). A goal's status history entry (`goal_status_change`) and a stage history entry (`stage_entry`)
are corrected in place (services/goals.py, services/stages.py), so they get a nullable `updated_at`
DATETIME/TIMESTAMP through playhouse.migrate (ALTER TABLE ... ADD COLUMN, no table rebuild: the
AUTOINCREMENT tables of 0008 and their triggers stay), guarded against an existing column (idempotent).

No backfill: when an existing entry was written was never recorded (its date is the event's, not the
record's), so it stays NULL, which the API answers as null; every entry written or corrected from now
on has it.
"""

from peewee import DateTimeField
from playhouse.migrate import SchemaMigrator, migrate


def up(database):
    migrator = SchemaMigrator.from_database(database)
    for table in ("goal_status_change", "stage_entry"):
        if "updated_at" not in {column.name for column in database.get_columns(table)}:
            migrate(migrator.add_column(table, "updated_at", DateTimeField(null=True)))
