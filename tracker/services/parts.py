"""Deleting and restoring the parts of an engagement: team memberships, goals, meetings, benchmarks,
deliverables, context notes, next steps, FRAME-IS modifications and feedback responses.

Every delete is soft (`deleted_at`): the row stays, every read leaves it out (`live()` or a join
condition), its id is never given to another row, and an administrator restores it from the
engagement's "Deleted parts" page. Each delete and restore is audited ("delete", "restore") and shows
on the engagement's Activity. `PARTS` names each kind once, for the admin page and its restore route.
"""

from typing import NamedTuple

from peewee import JOIN

from ..db import database
from ..models import (
    Activity,
    Attachment,
    AuditEntry,
    Benchmark,
    ContextNote,
    Deliverable,
    FeedbackResponse,
    Goal,
    Meeting,
    Modification,
    NextStep,
    TeamMember,
    User,
    label,
)
from ..models.feedback import FEEDBACK_KINDS


def _short(text, limit=100):
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Part(NamedTuple):
    """One kind of part: its model, its name in words, and how one row is named on the admin page."""

    model: type
    name: str
    title: object  # row -> words


PARTS = {
    "team_member": Part(TeamMember, "Team member", lambda t: f"{t.name} ({t.position_label})"),
    "goal": Part(Goal, "Goal", lambda g: g.title),
    "meeting": Part(Meeting, "Meeting", lambda m: f"{m.kind_label} of {m.date.isoformat()}"),
    "benchmark": Part(Benchmark, "Benchmark", lambda b: b.text),
    "deliverable": Part(Deliverable, "Deliverable", lambda d: d.title),
    "context_note": Part(ContextNote, "Context note", lambda n: f"{n.kind_label}: {_short(n.text)}"),
    "next_step": Part(NextStep, "Next step", lambda s: _short(s.text)),
    "modification": Part(Modification, "Modification", lambda m: f"{m.strategy.name} ({m.decided_on.isoformat()})"),
    "activity": Part(Activity, "Activity", lambda a: f"{a.kind_label} of {a.date.isoformat()} ({a.minutes} min)"),
    "attachment": Part(Attachment, "File", lambda a: a.name),
    "feedback_response": Part(
        FeedbackResponse,
        "Feedback response",
        lambda r: f"{label(FEEDBACK_KINDS, r.kind)} response of {r.submitted_on.isoformat()}",
    ),
}
KINDS = {part.model: kind for kind, part in PARTS.items()}


def delete_part(part):
    """Soft-delete one part of an engagement (audited as "delete"); restorable by an administrator."""
    with database.atomic():
        part.soft_delete()
    return part


def restore_part(part):
    """Bring a deleted part back where it was (audited as "restore")."""
    with database.atomic():
        part.restore()
    return part


def _deleted_query(kind, engagement):
    model = PARTS[kind].model
    if model is NextStep:
        return (
            NextStep.select(NextStep, Meeting)
            .join(Meeting)
            .where((Meeting.engagement == engagement.id) & NextStep.deleted_at.is_null(False))
        )
    return model.select().where((model.engagement == engagement.id) & model.deleted_at.is_null(False))


def get_deleted_part(kind, engagement, part_id):
    """The deleted part `kind` #`part_id` of `engagement`, or None (unknown kind, another engagement's,
    or not deleted)."""
    if kind not in PARTS:
        return None
    return _deleted_query(kind, engagement).where(PARTS[kind].model.id == part_id).first()


def deleted_parts(engagement):
    """Every deleted part of `engagement`, most recently deleted first, with who deleted it from the
    audit log: [{"kind", "kind_name", "id", "title", "deleted_at", "deleted_by"}] (one query a kind
    and one for the audit log)."""
    rows = []
    for kind, part in PARTS.items():
        for row in _deleted_query(kind, engagement):
            rows.append(
                {
                    "kind": kind,
                    "kind_name": part.name,
                    "id": row.id,
                    "title": part.title(row),
                    "deleted_at": row.deleted_at,
                    "deleted_by": None,
                    "entity": part.model.__name__,
                }
            )
    if rows:
        by = {}
        entries = (
            AuditEntry.select(AuditEntry.entity, AuditEntry.entity_id, User.name)
            .join(User, JOIN.LEFT_OUTER, on=(AuditEntry.user == User.id))
            .where(
                (AuditEntry.engagement_id == engagement.id)
                & (AuditEntry.action == "delete")
                & AuditEntry.entity.in_(sorted({r["entity"] for r in rows}))
            )
            .order_by(AuditEntry.at, AuditEntry.id)
            .tuples()
        )
        for entity, entity_id, name in entries:
            by[(entity, entity_id)] = name or "the system"  # the latest deletion wins
        for row in rows:
            row["deleted_by"] = by.get((row["entity"], row["id"]))
    rows.sort(key=lambda r: (r["deleted_at"], r["id"]), reverse=True)
    return rows
