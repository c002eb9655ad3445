"""The audit log: who is acting, and the entries in readable words.

Recording is the models' job (`Audited.save` writes an `AuditEntry`, tracker/models/audit.py); the
actor is whoever this module is told is acting:

- in a request, the signed-in user (tracker/auth.py registers `set_actor_provider`);
- inside `with acting_as(user):` that user (tests, commands, jobs), whatever the request says;
- otherwise nobody: the change shows as made by the system.

`describe_entries` turns entries into sentences for the engagement page's Activity section and the
admin audit log; `request_history` tells a support request's story from its events (tracker/models: RequestEvent).
"""

import datetime as dt
import json
import re

from peewee import JOIN, DateField

from .models import (
    MODELS,
    AuditEntry,
    RequestEvent,
    Stage,
    User,
    acting_as,
    actor_id,
    label,
    set_actor_provider,
)

__all__ = [
    "acting_as",
    "activity",
    "actor_id",
    "describe_entries",
    "field_words",
    "request_history",
    "set_actor_provider",
    "values_in_words",
]

_MODELS_BY_NAME = {model.__name__: model for model in MODELS}
_ACTION_WORDS = {"create": "added", "update": "updated", "delete": "removed", "restore": "restored"}
_HIDDEN_FIELDS = {"engagement", "created_at", "updated_at", "deleted_at", "password_hash", "session_token", "version"}
_FIELD_WORDS = {
    "co_leads": "co-leads",
    "supporting": "supporting ISPs",
    "current_stage": "current stage",
    "support_model": "model of support",
    "end_date": "end date",
    "start_date": "start date",
}


def _entity_words(entity):
    return re.sub(r"(?<!^)(?=[A-Z])", " ", entity).lower()


def _short(text, limit=80):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _value_words(entity, field, value, names):
    if value is None or value == "":
        return "—"
    if field in ("co_leads", "supporting") and isinstance(value, list):
        return ", ".join(names["users"].get(v, f"#{v}") for v in value) or "none"
    if field in ("current_stage", "stage"):
        return names["stages"].get(value, f"#{value}")
    model = _MODELS_BY_NAME.get(entity)
    model_field = model._meta.fields.get(field) if model else None
    choices = getattr(model_field, "choices", None)
    if choices:
        return label(choices, value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _short(value)


def _describe(entry, changes, names):
    entity = entry.entity
    thing = "the engagement" if entity == "Engagement" else _entity_words(entity)
    verb = _ACTION_WORDS.get(entry.action, entry.action)
    if entry.action == "create":
        if entity == "Engagement":
            return "created the engagement", []
        for key in ("title", "name", "text", "date"):
            if changes.get(key):
                return f"{verb} {thing} “{_short(changes[key], 60)}”", []
        return f"{verb} {thing}", []
    if entry.action != "update":
        return f"{verb} {thing}", []
    details = []
    for field, value in sorted(changes.items()):
        if field in _HIDDEN_FIELDS:
            continue
        words = _FIELD_WORDS.get(field, field.replace("_", " "))
        if field in ("co_leads", "supporting"):
            details.append(f"{words}: {_value_words(entity, field, value, names)}")
        elif isinstance(value, list) and len(value) == 2:
            details.append(
                f"{words} {_value_words(entity, field, value[0], names)} → "
                f"{_value_words(entity, field, value[1], names)}"
            )
        else:
            details.append(f"{words}: {_value_words(entity, field, value, names)}")
    return f"{verb} {thing}", details


def _field_value(entity, field, value, names):
    """One value of a change for the audit log's "field: old → new": a date (shown in the reader's format
    by the page) for a date field, else the words of the Activity section."""
    model = _MODELS_BY_NAME.get(entity)
    model_field = model._meta.fields.get(field) if model else None
    if isinstance(model_field, DateField) and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    return _value_words(entity, field, value, names)


def _field_changes(entry, changes, names):
    """An update's changes as [{"field": "End date", "old", "new"}] (old None when only the new value is
    known, as for the co-leads); nothing for other actions."""
    if entry.action != "update":
        return []
    out = []
    for field, value in sorted(changes.items()):
        if field in _HIDDEN_FIELDS:
            continue
        label = field_words(field)
        label = label[:1].upper() + label[1:]
        if field not in ("co_leads", "supporting") and isinstance(value, list) and len(value) == 2:
            old, new = (_field_value(entry.entity, field, v, names) for v in value)
        else:
            old, new = None, _field_value(entry.entity, field, value, names)
        out.append({"field": label, "old": old, "new": new})
    return out


def activity(engagement_id, limit=20):
    """The latest audit log entries of an engagement in readable words, newest first. Feedback
    responses are left out: when each one arrived is an answer time, which the disclosure rule never
    shows (docs/disclosure.md); administrators find them in the audit log.

    Three queries whatever the entries: the entries with their users, the names of the ISPs they
    mention (co-leads, supporting) and the stage names.
    """
    entries = list(
        AuditEntry.select(AuditEntry, User.id, User.name)
        .join(User, JOIN.LEFT_OUTER, on=(AuditEntry.user == User.id))
        .where((AuditEntry.engagement_id == engagement_id) & (AuditEntry.entity != "FeedbackResponse"))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return describe_entries(entries)


def describe_entries(entries):
    """Audit entries (selected with their users) as readable rows; two more queries for the names.
    Shared by the engagement page's Activity section and the admin audit log."""
    parsed = []
    user_ids, stage_ids = set(), set()
    for entry in entries:
        try:
            changes = json.loads(entry.changes or "{}")
        except ValueError:
            changes = {}
        if not isinstance(changes, dict):
            changes = {}
        for key in ("co_leads", "supporting"):
            if isinstance(changes.get(key), list):
                user_ids.update(v for v in changes[key] if isinstance(v, int))
        for key in ("current_stage", "stage"):
            value = changes.get(key)
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, int):
                    stage_ids.add(v)
        parsed.append((entry, changes))
    # Always these two small queries (even when nothing needs a name), so the count never varies.
    names = {
        "users": {u.id: u.name for u in User.select(User.id, User.name).where(User.id.in_(list(user_ids)))},
        "stages": {s.id: s.name for s in Stage.select(Stage.id, Stage.name)},
    }
    rows = []
    for entry, changes in parsed:
        source = changes.pop("source", None)  # models/audit.changes_from: "import of portfolio.xlsx"
        summary, details = _describe(entry, changes, names)
        if isinstance(source, str) and source:
            summary += f", from {source}"
        who = entry.user.name if entry.user_id and entry.user is not None else "Someone (system)"
        rows.append(
            {
                "at": entry.at,
                "who": who,
                "action": entry.action,
                "summary": summary,
                "details": details,
                "changes": _field_changes(entry, changes, names),
                "entity": entry.entity,
                "entity_id": entry.entity_id,
                "engagement_id": entry.engagement_id,
                "text": f"{who} {summary}" + (": " + "; ".join(details) if details else ""),
            }
        )
    return rows


def field_words(field):
    """A field of the audit log in words ("end date", "supporting ISPs")."""
    return _FIELD_WORDS.get(field, field.replace("_", " "))


def values_in_words(entity, values):
    """{field: value} of one model (as the audit log names them) -> {field: words}, as the Activity
    section would show them (choices by label, ISPs and stages by name, "—" for nothing). Two queries."""
    user_ids = {v for key in ("co_leads", "supporting") for v in values.get(key) or () if isinstance(v, int)}
    names = {
        "users": {u.id: u.name for u in User.select(User.id, User.name).where(User.id.in_(list(user_ids)))},
        "stages": {s.id: s.name for s in Stage.select(Stage.id, Stage.name)},
    }
    model = _MODELS_BY_NAME.get(entity)
    words = {}
    for field, value in values.items():
        if hasattr(value, "_pk"):
            value = value._pk
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        related = getattr(model._meta.fields.get(field), "rel_model", None) if model else None
        if related is not None and isinstance(value, int) and field not in ("current_stage", "stage"):
            row = related.get_or_none(related._meta.primary_key == value)
            words[field] = str(row) if row is not None else f"#{value}"
        else:
            words[field] = _value_words(entity, field, value, names)
    return words


def request_history(req):
    """The request's story, oldest first: [{at, user, kind, label, text, engagement_id}] read from
    its events (`RequestEvent` rows written by each action), never from the audit log's JSON.

    kinds: submitted, question, answer, accepted, declined, withdrawn. One query.
    """
    return [
        {
            "at": event.at,
            "user": event.by if event.by_id else None,
            "kind": event.kind,
            "label": event.kind_label,
            "text": event.text,
            "engagement_id": event.engagement_id,
        }
        for event in RequestEvent.history(req.id)
    ]
