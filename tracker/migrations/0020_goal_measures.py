"""Measured indicators (issue 19): a goal's indicator can carry a measure, and values are recorded over time.

- `goal` gains the measure, every column nullable or defaulted, so existing goals have none:
  `measure_unit` (VARCHAR(60) NOT NULL DEFAULT ''), `measure_direction` ('up' or 'down' is better),
  `baseline_value` / `baseline_on`, `target_value` / `target_on`, and `outcome` (an implementation
  outcome of Proctor et al. 2011 the indicator is tagged with).
- `goal_measurement`: one row per recorded value {goal, date, value, recorded_by, meeting_id,
  created_at}, versioned and soft-deleted like the other audited parts (`version`, `updated_at`,
  `deleted_at`).

Columns are `ALTER TABLE ... ADD COLUMN` through playhouse.migrate (no table rebuild, so the goal
table's data-version triggers stay), each guarded against an existing column (idempotent). The table
is written down here as it is now (a migration never imports the live models' shape) and created with
create_tables(safe=True); reports read it, so install() gives it its data-version triggers.
"""

from peewee import SQL, CharField, DateField, DateTimeField, FloatField, ForeignKeyField, IntegerField, Model
from playhouse.migrate import SchemaMigrator, migrate

from ..data_version import install


class _User(Model):
    """The `user` table as the foreign key names it."""

    class Meta:
        table_name = "user"


class _Goal(Model):
    """The `goal` table as the foreign key names it."""

    class Meta:
        table_name = "goal"


class GoalMeasurement(Model):
    goal = ForeignKeyField(_Goal, backref="measurement_rows", on_delete="CASCADE")
    date = DateField()
    value = FloatField()
    recorded_by = ForeignKeyField(_User, null=True, backref="+", on_delete="SET NULL")
    meeting_id = IntegerField(null=True, index=True)
    created_at = DateTimeField()
    deleted_at = DateTimeField(null=True)
    version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    updated_at = DateTimeField(null=True)

    class Meta:
        table_name = "goal_measurement"
        legacy_table_names = False


def _columns(database, table):
    return {column.name for column in database.get_columns(table)}


def up(database):
    present = _columns(database, "goal")
    migrator = SchemaMigrator.from_database(database)
    columns = {
        "measure_unit": CharField(max_length=60, default="", constraints=[SQL("DEFAULT ''")]),
        "measure_direction": CharField(max_length=10, null=True),
        "baseline_value": FloatField(null=True),
        "baseline_on": DateField(null=True),
        "target_value": FloatField(null=True),
        "target_on": DateField(null=True),
        "outcome": CharField(max_length=30, null=True),
    }
    operations = [
        migrator.add_column("goal", name, field, allow_not_null=not field.null)
        for name, field in columns.items()
        if name not in present
    ]
    if operations:
        migrate(*operations)
    with database.bind_ctx([_User, _Goal, GoalMeasurement]):
        database.create_tables([GoalMeasurement], safe=True)
    install(database)
