"""Implementation plans and FRAME-IS modifications (issue 19).

- `team_member.is_lead` (BOOLEAN NOT NULL DEFAULT FALSE): the recipient team lead, who agrees to the plan.
- `plan_item`: one planned strategy {engagement, strategy, goal, stage, sessions_per_month,
  minutes_per_session, start_date, end_date, responsible_user | responsible_member}, versioned and
  soft-deleted like the other audited parts.
- `plan_version`: the plan after each change {engagement, number (unique per engagement), changed_by,
  changed_at, summary, items (JSON snapshot)}.
- `plan_agreement`: a party's agreement to one version {version, party, user, team_member, recorded_by,
  agreed_at, note}.
- `modification`: a change to a planned strategy coded as FRAME-IS codes it.

The column is `ALTER TABLE ... ADD COLUMN` through playhouse.migrate (no table rebuild, so the table's
data-version triggers stay), guarded against an existing column (idempotent). The tables are written
down here as they are now (a migration never imports the live models' shape) and created with
create_tables(safe=True); reports read them, so install() gives them their data-version triggers.
"""

from peewee import (
    SQL,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)
from playhouse.migrate import SchemaMigrator, migrate

from ..data_version import install


def _named(table):
    class Meta:
        table_name = table

    return type(f"_{table}", (Model,), {"Meta": Meta})


_Engagement, _Strategy, _Goal, _Stage, _User, _TeamMember = (
    _named(t) for t in ("engagement", "strategy", "goal", "stage", "user", "team_member")
)


class PlanItem(Model):
    engagement = ForeignKeyField(_Engagement, backref="+", on_delete="CASCADE")
    strategy = ForeignKeyField(_Strategy, backref="+", on_delete="RESTRICT")
    goal = ForeignKeyField(_Goal, null=True, backref="+", on_delete="SET NULL")
    stage = ForeignKeyField(_Stage, null=True, backref="+", on_delete="RESTRICT")
    sessions_per_month = FloatField()
    minutes_per_session = IntegerField()
    start_date = DateField()
    end_date = DateField(null=True)
    responsible_user = ForeignKeyField(_User, null=True, backref="+", on_delete="SET NULL")
    responsible_member = ForeignKeyField(_TeamMember, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField()
    deleted_at = DateTimeField(null=True)
    version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    updated_at = DateTimeField(null=True)

    class Meta:
        table_name = "plan_item"
        legacy_table_names = False


class PlanVersion(Model):
    engagement = ForeignKeyField(_Engagement, backref="+", on_delete="CASCADE")
    number = IntegerField()
    changed_by = ForeignKeyField(_User, null=True, backref="+", on_delete="SET NULL")
    changed_at = DateTimeField()
    summary = TextField(default="")
    items = TextField(default="[]")

    class Meta:
        table_name = "plan_version"
        legacy_table_names = False
        indexes = ((("engagement", "number"), True),)


class PlanAgreement(Model):
    version = ForeignKeyField(PlanVersion, backref="+", on_delete="CASCADE")
    party = CharField(max_length=20)
    user = ForeignKeyField(_User, null=True, backref="+", on_delete="SET NULL")
    team_member = ForeignKeyField(_TeamMember, null=True, backref="+", on_delete="SET NULL")
    recorded_by = ForeignKeyField(_User, null=True, backref="+", on_delete="SET NULL")
    agreed_at = DateTimeField()
    note = TextField(default="")

    class Meta:
        table_name = "plan_agreement"
        legacy_table_names = False
        indexes = ((("version", "party", "user", "team_member"), True),)


class Modification(Model):
    engagement = ForeignKeyField(_Engagement, backref="+", on_delete="CASCADE")
    plan_item = ForeignKeyField(PlanItem, null=True, backref="+", on_delete="SET NULL")
    strategy = ForeignKeyField(_Strategy, backref="+", on_delete="RESTRICT")
    decided_on = DateField()
    description = TextField()
    modified = CharField(max_length=30)
    nature = CharField(max_length=20)
    fidelity = CharField(max_length=20, default="unknown")
    goal = CharField(max_length=20)
    reason_level = CharField(max_length=20)
    timing = CharField(max_length=30, null=True)
    planning = CharField(max_length=30, null=True)
    participants = CharField(max_length=200, default="")
    decided_by = CharField(max_length=20, null=True)
    reach = CharField(max_length=20, null=True)
    plan_effect = CharField(max_length=10, default="none")
    prompted = BooleanField(default=False)
    recorded_by = ForeignKeyField(_User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField()
    deleted_at = DateTimeField(null=True)
    version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    updated_at = DateTimeField(null=True)

    class Meta:
        table_name = "modification"
        legacy_table_names = False


TABLES = [PlanItem, PlanVersion, PlanAgreement, Modification]


def up(database):
    present = {column.name for column in database.get_columns("team_member")}
    if "is_lead" not in present:
        migrate(
            SchemaMigrator.from_database(database).add_column(
                "team_member", "is_lead", BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")])
            )
        )
    with database.bind_ctx([_Engagement, _Strategy, _Goal, _Stage, _User, _TeamMember, *TABLES]):
        database.create_tables(TABLES, safe=True)
    install(database)
