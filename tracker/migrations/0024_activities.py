"""The work between meetings and the ISPs' capacity (issue 22).

- `activity`: work for an engagement outside its sessions {engagement, date, kind, minutes, notes,
  logged_by}, versioned and soft-deleted like the other audited parts.
- `activity_isp`, `activity_strategy`, `activity_competency`: who did it, and its optional catalog tags.
- `user.capacity_minutes` (INTEGER, NULL): an ISP's monthly capacity, set by an administrator.

The column is `ALTER TABLE ... ADD COLUMN` through playhouse.migrate (no table rebuild), guarded
against an existing column (idempotent). The tables are written down here as they are now (a migration
never imports the live models' shape) and created with create_tables(safe=True); reports read them, so
install() gives them their data-version triggers.
"""

from peewee import SQL, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model
from playhouse.migrate import SchemaMigrator, migrate

from ..data_version import install


def _named(table):
    class Meta:
        table_name = table

    return type(f"_{table}", (Model,), {"Meta": Meta})


_Engagement, _User, _Strategy, _Competency = (_named(t) for t in ("engagement", "user", "strategy", "competency"))


class Activity(Model):
    engagement = ForeignKeyField(_Engagement, backref="+", on_delete="CASCADE")
    date = DateField(index=True)
    kind = CharField(max_length=30)
    minutes = IntegerField()
    notes = CharField(max_length=500, default="")
    logged_by = ForeignKeyField(_User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField()
    deleted_at = DateTimeField(null=True)
    version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    updated_at = DateTimeField(null=True)

    class Meta:
        table_name = "activity"
        legacy_table_names = False
        indexes = ((("engagement", "date"), False),)


class ActivityISP(Model):
    activity = ForeignKeyField(Activity, backref="+", on_delete="CASCADE")
    user = ForeignKeyField(_User, backref="+", on_delete="RESTRICT")

    class Meta:
        table_name = "activity_isp"
        legacy_table_names = False
        indexes = ((("activity", "user"), True),)


class ActivityStrategy(Model):
    activity = ForeignKeyField(Activity, backref="+", on_delete="CASCADE")
    strategy = ForeignKeyField(_Strategy, backref="+", on_delete="RESTRICT")
    label = CharField(max_length=200)

    class Meta:
        table_name = "activity_strategy"
        legacy_table_names = False
        indexes = ((("activity", "strategy"), True),)


class ActivityCompetency(Model):
    activity = ForeignKeyField(Activity, backref="+", on_delete="CASCADE")
    competency = ForeignKeyField(_Competency, backref="+", on_delete="RESTRICT")
    label = CharField(max_length=200)

    class Meta:
        table_name = "activity_competency"
        legacy_table_names = False
        indexes = ((("activity", "competency"), True), (("competency", "activity"), False))


def up(database):
    if "capacity_minutes" not in {column.name for column in database.get_columns("user")}:
        migrate(SchemaMigrator.from_database(database).add_column("user", "capacity_minutes", IntegerField(null=True)))
    tables = [Activity, ActivityISP, ActivityStrategy, ActivityCompetency]
    with database.bind_ctx([_Engagement, _User, _Strategy, _Competency, *tables]):
        database.create_tables(tables, safe=True)
    install(database)
