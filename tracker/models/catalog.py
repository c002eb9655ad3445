"""Catalog rows (competencies, strategies, principles, stages, benchmark templates, feedback instruments).

They are data, loaded from tracker/catalog/*.json and editable by admins. A meeting keeps the label of
each competency and strategy as it was when logged, so renaming a catalog entry never rewrites
history; used entries are retired, not deleted.

Versions (migration 0017): changing the wording of a competency, strategy or principle makes a new
entry that `replaces` the old one, and the old one is retired (services/admin.py update_entry): records
already logged keep pointing at the wording they were logged with, new forms offer the current entry
only. They are audited, so every addition, new version and retirement is in the audit log.
"""

import json

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from .base import Audited, BaseModel


def _replaces():
    """The earlier version a catalog entry replaces (declared on each model: "self" is that model)."""
    return ForeignKeyField("self", null=True, backref="+", on_delete="SET NULL")


class CompetencyFramework(BaseModel):
    key = CharField(max_length=80, unique=True)
    name = CharField(max_length=200)
    short_name = CharField(max_length=80)
    source = TextField(default="")
    is_default = BooleanField(default=False)

    @classmethod
    def default(cls):
        return cls.select().order_by(cls.is_default.desc(), cls.id).first()


class CompetencyDomain(BaseModel):
    framework = ForeignKeyField(CompetencyFramework, backref="domains", on_delete="CASCADE")
    key = CharField(max_length=80)
    name = CharField(max_length=200)
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("framework", "key"), True),)


class Competency(Audited):
    replaces = _replaces()
    domain = ForeignKeyField(CompetencyDomain, backref="competencies", on_delete="RESTRICT")
    key = CharField(max_length=80, unique=True)
    name = CharField(max_length=200)
    help = TextField(default="")
    position = IntegerField(default=0)
    retired = BooleanField(default=False)

    @classmethod
    def in_framework(cls, framework):
        """Active competencies of a framework with their domains, in display order (one query)."""
        return (
            cls.select(cls, CompetencyDomain)
            .join(CompetencyDomain)
            .where((CompetencyDomain.framework == framework) & ~cls.retired)
            .order_by(CompetencyDomain.position, cls.position)
        )


class Principle(Audited):
    replaces = _replaces()
    key = CharField(max_length=80, unique=True)
    name = CharField(max_length=200)
    help = TextField(default="")
    source = CharField(max_length=20, default="")
    position = IntegerField(default=0)
    retired = BooleanField(default=False)


class Stage(BaseModel):
    key = CharField(max_length=80, unique=True)
    name = CharField(max_length=200)
    help = TextField(default="")
    position = IntegerField(default=0)

    @classmethod
    def ordered(cls):
        return cls.select().order_by(cls.position)

    def __str__(self):
        return self.name


class BenchmarkTemplate(BaseModel):
    stage = ForeignKeyField(Stage, backref="benchmark_templates", on_delete="CASCADE")
    text = CharField(max_length=300)
    position = IntegerField(default=0)
    retired = BooleanField(default=False)


class StrategyCluster(BaseModel):
    key = CharField(max_length=80, unique=True)
    number = IntegerField()
    name = CharField(max_length=200)
    help = TextField(default="")

    # The key of the reference setting's ISP activities (outreach, coaching...): catalogued beside the ERIC
    # clusters so a session can record them, but not an ERIC cluster, and never reported as one.
    ISP_ACTIVITIES = "isp_activities"


class Strategy(Audited):
    replaces = _replaces()
    cluster = ForeignKeyField(StrategyCluster, backref="strategies", on_delete="RESTRICT")
    key = CharField(max_length=80, unique=True)
    number = IntegerField()
    name = CharField(max_length=200)
    help = TextField(default="")
    retired = BooleanField(default=False)


class FeedbackInstrument(BaseModel):
    key = CharField(max_length=80)
    version = IntegerField(default=1)
    name = CharField(max_length=200)
    definition = TextField(default="{}")  # scales, scale labels and pathway, as JSON

    class Meta:
        indexes = ((("key", "version"), True),)

    @property
    def spec(self):
        return json.loads(self.definition or "{}")


class FeedbackItem(BaseModel):
    instrument = ForeignKeyField(FeedbackInstrument, backref="items", on_delete="CASCADE")
    key = CharField(max_length=80)
    scale = CharField(max_length=40, null=True)  # None for open questions
    kind = CharField(max_length=20, choices=(("likert", "Agreement 1-5"), ("text", "Open answer")))
    text = TextField()
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("instrument", "key"), True),)
