"""Report rollups (issue 21): `rollup`, `rollup_part` and `rollup_competency_link` (tracker/models/rollups.py
says what each holds), written down here as they are now and created with create_tables(safe=True). Their
triggers, and their rows, come from tracker/rollups.py (install and rebuild), run by tracker/schema.py after
the migrations.
"""

from peewee import CharField, DoubleField, IntegerField, Model

KEY = ("dim", "tag", "item", "month", "kind", "mode", "stage", "approved")


class Rollup(Model):
    dim = CharField(max_length=20)
    tag = IntegerField(default=0)
    item = IntegerField(default=0)
    month = CharField(max_length=7)
    kind = CharField(max_length=20, default="")
    mode = CharField(max_length=20, default="")
    stage = IntegerField(default=0)
    approved = IntegerField(default=0)
    sessions = IntegerField(default=0)
    minutes = DoubleField(default=0)
    exact = IntegerField(default=0)

    class Meta:
        table_name = "rollup"
        legacy_table_names = False
        indexes = ((KEY, True),)


class RollupPart(Model):
    meeting_id = IntegerField()
    engagement_id = IntegerField()
    dim = CharField(max_length=20)
    tag = IntegerField(default=0)
    item = IntegerField(default=0)
    month = CharField(max_length=7)
    kind = CharField(max_length=20, default="")
    mode = CharField(max_length=20, default="")
    stage = IntegerField(default=0)
    approved = IntegerField(default=0)
    sessions = IntegerField(default=0)
    minutes = DoubleField(default=0)
    exact = IntegerField(default=0)

    class Meta:
        table_name = "rollup_part"
        legacy_table_names = False
        indexes = ((("meeting_id", "dim"), False), (("engagement_id", "dim"), False))


class RollupCompetencyLink(Model):
    source = IntegerField()
    target = IntegerField()
    domain_id = IntegerField()
    exact = IntegerField()

    class Meta:
        table_name = "rollup_competency_link"
        legacy_table_names = False
        indexes = ((("source", "target"), True),)


def up(database):
    models = [Rollup, RollupPart, RollupCompetencyLink]
    with database.bind_ctx(models):
        database.create_tables(models, safe=True)
