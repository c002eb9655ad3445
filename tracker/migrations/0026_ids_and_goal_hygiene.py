"""Readable ids and goal hygiene (issue 23).

- `engagement.ref`, `support_request.ref` (VARCHAR(20), unique): a short human id, `ENG-<year>-<nnn>` /
  `REQ-<year>-<nnn>`, the year of creation and a number counting per year. Existing rows are numbered
  here in creation order (created_at, then id); new rows get theirs from the model layer on create.
- `goal_status_change.reason` (VARCHAR(30) NULL): why a goal was achieved, dropped or
  revised (models.GOAL_REASONS); older entries and other statuses have none (NULL).
- `benchmark.goal_id`, `deliverable.goal_id` (NULL, ON DELETE SET NULL): the goal an open item is tied to.
- `goal_template`: the goals an administrator curates {title, indicator, target, retired}.

Columns are `ALTER TABLE ... ADD COLUMN` through playhouse.migrate, each guarded against an existing
column (idempotent); the table is written down here and created with create_tables(safe=True). SQLite may
rebuild a table to add a column with a default, which drops its triggers: install() puts them back.
"""

from peewee import SQL, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField
from playhouse.migrate import SchemaMigrator, migrate

from ..data_version import install


def _named(table):
    class Meta:
        table_name = table

    return type(f"_{table}", (Model,), {"Meta": Meta})


_Goal = _named("goal")


class GoalTemplate(Model):
    title = CharField(max_length=300)
    indicator = TextField(default="")
    target = TextField(default="")
    retired = BooleanField(default=False)
    created_at = DateTimeField()
    version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    updated_at = DateTimeField(null=True)

    class Meta:
        table_name = "goal_template"
        legacy_table_names = False


def _columns(database, table):
    return {column.name for column in database.get_columns(table)}


def backfill_refs(database, table, prefix):
    """Number the rows of `table` without a ref in creation order, per year of creation, after the
    highest number a year already has."""
    rows = database.execute_sql(f'SELECT id, created_at, ref FROM "{table}" ORDER BY created_at, id').fetchall()  # nosec B608 # a constant table name, no input
    last = {}
    for _, _created_at, ref in rows:
        if ref:
            year, number = ref.split("-")[1:]
            last[year] = max(last.get(year, 0), int(number))
    for row_id, created_at, ref in rows:
        if ref:
            continue
        year = str(created_at)[:4]
        last[year] = last.get(year, 0) + 1
        database.execute_sql(
            f'UPDATE "{table}" SET ref = %s WHERE id = %s'.replace("%s", database.param),  # nosec B608 # a constant table name
            (f"{prefix}-{year}-{last[year]:03d}", row_id),
        )


def up(database):
    migrator = SchemaMigrator.from_database(database)
    operations = []
    for table in ("engagement", "support_request"):
        if "ref" not in _columns(database, table):
            operations += [
                migrator.add_column(table, "ref", CharField(max_length=20, null=True)),
                migrator.add_index(table, ("ref",), unique=True),
            ]
    if "reason" not in _columns(database, "goal_status_change"):
        operations.append(migrator.add_column("goal_status_change", "reason", CharField(max_length=30, null=True)))
    for table in ("benchmark", "deliverable"):
        if "goal_id" not in _columns(database, table):
            field = ForeignKeyField(_Goal, null=True, on_delete="SET NULL", field=_Goal.id)
            operations.append(migrator.add_column(table, "goal_id", field))
    if operations:
        migrate(*operations)
    backfill_refs(database, "engagement", "ENG")
    backfill_refs(database, "support_request", "REQ")
    with database.bind_ctx([GoalTemplate]):
        database.create_tables([GoalTemplate], safe=True)
    install(database)
