"""Catalog rows (competencies, strategies, principles, stages, benchmark templates, feedback instruments).

They are data, loaded from tracker/catalog/*.json and editable by admins. A meeting keeps the label of
each competency and strategy as it was when logged, so renaming a catalog entry never rewrites
history; used entries are retired, not deleted.

Versions (migration 0017): changing the wording of a competency, strategy or principle makes a new
entry that `replaces` the old one, and the old one is retired (services/admin.py update_entry): records
already logged keep pointing at the wording they were logged with, new forms offer the current entry
only. They are audited, so every addition, new version and retirement is in the audit log.

Feedback instruments are versioned whole: rewording, adding or retiring an item makes version N+1 of the
instrument (same key, every current item copied with the change applied; FeedbackInstrument.reword_item,
add_item, retire_item). Earlier versions and their items stay as they were, so each answer keeps pointing
at the question that was asked; new invitations use the latest version; an item keeps its key (and scale)
across versions, which is what the reports group answers by.
"""

import json
import re

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField, fn

from ..db import database
from .base import Audited, BaseModel, LimitedTextField, ValidationError, label, utcnow


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


class GoalTemplate(Audited):
    """A reusable goal an administrator curates (issue 23): offered when adding a goal, to prefill it.
    Retired templates are no longer offered; goals made from one keep their own copy of the text."""

    title = CharField(max_length=300)
    indicator = LimitedTextField(default="", max_length=5000)
    target = LimitedTextField(default="", max_length=5000)
    retired = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)

    required = {"title": "Give the goal template a title."}

    @classmethod
    def offered(cls):
        """The templates a new goal may start from, by title."""
        return cls.select().where(~cls.retired).order_by(cls.title, cls.id)


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


ITEM_KINDS = (("likert", "Agreement 1-5"), ("text", "Open answer"))
ITEM_TEXT_MAX = 300  # a question fits on a phone's screen


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

    @property
    def scale_names(self):
        """{scale key: its name} in the definition's order."""
        return {s["key"]: s.get("name", s["key"]) for s in self.spec.get("scales", [])}

    @classmethod
    def latest_versions(cls):
        """The latest version of every instrument, by key."""
        latest = cls.select(cls.key, fn.MAX(cls.version).alias("v")).group_by(cls.key)
        return list(
            cls.select().join(latest, on=((cls.key == latest.c.key) & (cls.version == latest.c.v))).order_by(cls.key)
        )

    @property
    def newer(self):
        """The latest version of this instrument when this one is not it, else None."""
        model = type(self)
        latest = model.select().where(model.key == self.key).order_by(model.version.desc()).first()
        return latest if latest and latest.id != self.id else None

    def ordered_items(self):
        return list(FeedbackItem.select().where(FeedbackItem.instrument == self.id).order_by(FeedbackItem.position))

    def reword_item(self, item_key, text):
        """Version N+1 with the item `item_key` asking `text` instead. Returns (new instrument, old item, new item)."""
        old = self._item(item_key)
        new = FeedbackItem(instrument=self, key=old.key, scale=old.scale, kind=old.kind, text=_stripped(text))
        _refuse(new)
        if new.text == old.text:
            raise ValidationError({"text": "This is the wording already: change it, or cancel."})
        instrument, items = self._next_version(lambda rows: [new if r.key == item_key else r for r in rows])
        return instrument, old, items[item_key]

    def add_item(self, text, kind, scale=None):
        """Version N+1 with a new item: a likert item after the last one of its scale (its key the scale's
        next number, never one an earlier version used), an open question at the end. Returns (new
        instrument, new item)."""
        self._check_current()
        new = FeedbackItem(instrument=self, key="", scale=scale or None, kind=kind, text=_stripped(text))
        _refuse(new)
        new.key = self._free_item_key(new)

        def change(rows):
            at = len(rows)
            if new.kind == "likert":
                same = [n for n, r in enumerate(rows) if r.scale == new.scale]
                at = same[-1] + 1 if same else len([r for r in rows if r.kind == "likert"])
            return rows[:at] + [new] + rows[at:]

        instrument, items = self._next_version(change)
        return instrument, items[new.key]

    def retire_item(self, item_key):
        """Version N+1 without the item `item_key`. Returns (new instrument, retired item)."""
        old = self._item(item_key)
        if len(self.ordered_items()) == 1:
            raise ValidationError({"__all__": "An instrument needs at least one question: add another first."})
        instrument, _ = self._next_version(lambda rows: [r for r in rows if r.key != item_key])
        return instrument, old

    # -- inside --

    def _check_current(self):
        newer = self.newer
        if newer is not None:
            message = f"Version {self.version} is no longer the current one: change version {newer.version}."
            raise ValidationError({"__all__": message})

    def _item(self, item_key):
        self._check_current()
        item = FeedbackItem.get_or_none((FeedbackItem.instrument == self.id) & (FeedbackItem.key == item_key))
        if item is None:
            raise ValidationError({"__all__": "This question is not in the current version."})
        return item

    def _free_item_key(self, item):
        """A key no version of this instrument used: "<scale>_<next number>", or a slug of an open question."""
        model = type(self)
        taken = {
            k
            for (k,) in FeedbackItem.select(FeedbackItem.key)
            .join(model)
            .where(model.key == self.key)
            .distinct()
            .tuples()
        }
        if item.kind == "likert":
            numbers = [int(m.group(1)) for k in taken if (m := re.fullmatch(re.escape(item.scale) + r"_(\d+)", k))]
            return f"{item.scale}_{max(numbers, default=0) + 1}"
        base = re.sub(r"[^a-z0-9]+", "_", item.text.lower()).strip("_")[:40].rstrip("_") or "question"
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base}_{n}"
        return key

    def _next_version(self, change):
        """Version N+1 of this instrument, in one transaction: `change(items)` -> the new version's items
        (copies of the current ones, or new FeedbackItem rows), saved in that order. This version is left
        as it was. Returns (new instrument, {item key: new item})."""
        with database.atomic():
            instrument = type(self).create(
                key=self.key, version=self.version + 1, name=self.name, definition=self.definition
            )
            saved = {}
            for position, row in enumerate(change(self.ordered_items())):
                item = FeedbackItem(
                    instrument=instrument, key=row.key, scale=row.scale, kind=row.kind, text=row.text, position=position
                )
                item.save(force_insert=True)
                saved[item.key] = item
        return instrument, saved


def _stripped(text):
    return (text or "").strip()


def _refuse(item):
    errors = item.validate()
    errors.pop("key", None)
    if errors:
        raise ValidationError(errors)


class FeedbackItem(BaseModel):
    instrument = ForeignKeyField(FeedbackInstrument, backref="items", on_delete="CASCADE")
    key = CharField(max_length=80)
    scale = CharField(max_length=40, null=True)  # None for open questions
    kind = CharField(max_length=20, choices=ITEM_KINDS)
    text = LimitedTextField(max_length=ITEM_TEXT_MAX)
    position = IntegerField(default=0)

    required = {"text": "Write the question.", "kind": "Choose the kind of answer."}

    class Meta:
        indexes = ((("instrument", "key"), True),)

    def validate(self):
        """An agreement item belongs to one of its instrument's scales; an open question to none."""
        errors = super().validate()
        if self.kind == "likert":
            scales = self.instrument.scale_names
            if not self.scale:
                errors.setdefault("scale", "Choose the scale this agreement question scores.")
            elif self.scale not in scales:
                errors.setdefault(
                    "scale", "Choose one of this instrument's scales: " + ", ".join(scales.values()) + "."
                )
        elif self.kind == "text" and self.scale:
            errors.setdefault("scale", "An open question belongs to no scale: leave the scale empty.")
        return errors

    @property
    def kind_label(self):
        return label(ITEM_KINDS, self.kind)

    def audit_engagement_id(self):
        return None  # a catalog row: no engagement (AuditEntry.record asks)
