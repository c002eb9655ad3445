"""The audit log (`AuditEntry`) and who is acting.

The actor is set by the caller, never looked up here (this package imports no web framework):
`acting_as(user)` for a block of code (tests, commands), or a provider function that the web layer
registers with `set_actor_provider` (tracker/auth.py: the signed-in user of the request).
tracker/audit.py describes entries in words.
"""

import contextlib
import contextvars
import datetime as dt
import json
import re

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from .base import Audited, BaseModel, LimitedTextField, utcnow
from .people import User

_UNSET = object()
_actor = contextvars.ContextVar("audit_actor", default=_UNSET)
_provider = None
# What made the changes when it was not a page or the API: a portfolio import names its file (issue 20).
_source = contextvars.ContextVar("audit_source", default=None)


@contextlib.contextmanager
def changes_from(source):
    """Record the changes made inside the block with `"source": source` in each audit entry's changes
    (a portfolio import: "import of portfolio.xlsx"), so the audit log says where a change came from."""
    token = _source.set(source)
    try:
        yield source
    finally:
        _source.reset(token)


def set_actor_provider(provider):
    """Register `provider()` -> a user id or None, asked when no `acting_as` block is open."""
    global _provider
    _provider = provider


@contextlib.contextmanager
def acting_as(user):
    """Record the changes made inside the block as made by `user` (a User, a user id, or None for
    the system), whatever the provider would say."""
    token = _actor.set(user)
    try:
        yield user
    finally:
        _actor.reset(token)


def actor_id():
    """The id of the user the current changes are recorded for, or None (the system)."""
    actor = _actor.get()
    if actor is _UNSET:
        return _provider() if _provider is not None else None
    return getattr(actor, "id", actor)


# Record types as people name them (AuditEntry.entity is the model's class name). A type not listed reads as
# its class name in words ("SomeThing" -> "Some thing").
ENTITY_LABELS = {
    "Organization": "Organization",
    "Unit": "Unit",
    "User": "User",
    "CompetencyFramework": "Competency framework",
    "CompetencyDomain": "Competency domain",
    "Competency": "Competency",
    "Principle": "Principle",
    "Stage": "Stage",
    "BenchmarkTemplate": "Benchmark template",
    "GoalTemplate": "Goal template",
    "StrategyCluster": "Strategy cluster",
    "Strategy": "Strategy",
    "FeedbackInstrument": "Feedback instrument",
    "FeedbackItem": "Feedback item",
    "SupportRequest": "Support request",
    "Engagement": "Engagement",
    "EngagementISP": "ISP on an engagement",
    "EngagementStatusChange": "Engagement status change",
    "TeamMember": "Team member",
    "Goal": "Goal",
    "GoalStatusChange": "Goal status change",
    "StageEntry": "Stage entry",
    "Benchmark": "Benchmark",
    "Meeting": "Session",
    "MeetingAttendee": "Session attendee",
    "MeetingCompetency": "Competency used in a session",
    "MeetingStrategy": "Strategy used in a session",
    "MeetingPrinciple": "Principle shown in a session",
    "MeetingDecision": "Decision taken in a session",
    "NextStep": "Next step",
    "Deliverable": "Deliverable",
    "ContextNote": "Context note",
    "FeedbackInvitation": "Feedback invitation",
    "FeedbackResponse": "Feedback response",
    "FeedbackAnswer": "Feedback answer",
    "ApiToken": "API token",
    "PlanItem": "Plan item",
    "Modification": "Modification (FRAME-IS)",
}
# The field that names a record, first found wins (a session is named by its date).
NAME_FIELDS = ("title", "name", "label", "text", "email", "date")


def entity_label(entity):
    """A record type in words: "GoalStatusChange" -> "Goal status change"."""
    return ENTITY_LABELS.get(entity) or re.sub(r"(?<!^)(?=[A-Z])", " ", entity).capitalize()


def _models_by_name():
    found, todo = {}, [BaseModel]
    while todo:
        model = todo.pop()
        found[model.__name__] = model
        todo.extend(model.__subclasses__())
    return found


def _short(text, limit=80):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _with_source(changes):
    source = _source.get()
    return {**changes, "source": source} if source else changes


class AuditEntry(BaseModel):
    at = DateTimeField(default=utcnow, index=True)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="audit_entries")
    action = CharField(max_length=10)  # create / update / delete / restore
    entity = CharField(max_length=60)
    entity_id = IntegerField(null=True)
    engagement_id = IntegerField(null=True, index=True)
    changes = LimitedTextField(default="{}", max_length=None)  # written by the app: each value bounded by its field

    @classmethod
    def record(cls, action, instance, changes):
        if action == "update" and sorted(changes) in (["deleted_at"], ["deleted_at", "version"]):
            action = "delete" if changes["deleted_at"][1] else "restore"
        return cls.insert(
            at=utcnow(),
            user=actor_id(),
            action=action,
            entity=type(instance).__name__,
            entity_id=instance._pk,
            engagement_id=instance.audit_engagement_id(),
            changes=json.dumps(_with_source(changes), default=str, sort_keys=True),
        ).execute()

    @property
    def change_map(self):
        return json.loads(self.changes or "{}")

    @property
    def entity_label(self):
        return entity_label(self.entity)

    @staticmethod
    def record_names(entries):
        """What each entry's record is called today, and the title of each engagement the entries belong to:
        {(entity, id): {"name": text or a date (a session's) or None, "exists": bool, "deleted": bool}}, with the
        engagements under ("Engagement", id). A record no longer in the database has exists=False; a record
        deleted softly (restorable) keeps its name with deleted=True.

        One query per record type on the page (at most len(ENTITY_LABELS)), whatever the number of entries."""
        wanted = {}
        for entry in entries:
            if entry.entity_id is not None:
                wanted.setdefault(entry.entity, set()).add(entry.entity_id)
            if entry.engagement_id is not None:
                wanted.setdefault("Engagement", set()).add(entry.engagement_id)
        models = _models_by_name()
        names = {}
        for entity, ids in sorted(wanted.items()):
            model = models.get(entity)
            if model is None:
                continue
            fields = model._meta.fields
            name_field = next((fields[n] for n in NAME_FIELDS if n in fields), None)
            columns = [model._meta.primary_key] + [f for f in (name_field, fields.get("deleted_at")) if f is not None]
            for row in model.select(*columns).where(model._meta.primary_key.in_(list(ids))):
                name = getattr(row, name_field.name) if name_field is not None else None
                if name is not None and not isinstance(name, dt.date):
                    name = _short(name)
                names[(entity, row._pk)] = {
                    "name": name,
                    "exists": True,
                    "deleted": getattr(row, "deleted_at", None) is not None,
                }
        return names


Audited.audit_log = AuditEntry
