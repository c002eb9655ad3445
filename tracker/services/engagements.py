"""Engagements: create one directly (without a request), edit it, change its status, delete and
restore it; and the status history the engagement page shows (its activity log: tracker/audit.py).

Writes run in one transaction and raise models.ValidationError({field: message}). They take and
report the domain's names (unit_id, title, start_date, end_date, co_lead_ids, supporting_ids,
first_stage_id, ...), the names the API uses; each form maps them onto its own fields in one place
(its `error_fields`). The rules themselves are the models' (Engagement.validate, isp_problems).
"""

from peewee import JOIN

from ..dates import format_date
from ..db import database
from ..models import (
    AuditEntry,
    Engagement,
    EngagementStatusChange,
    Organization,
    Stage,
    StaleEdit,
    TeamMember,
    Unit,
    User,
    ValidationError,
    today,
)
from .goals import new_goal, save_new_goal

# action key -> (statuses it applies to, the status it leads to, button text, past tense)
STATUS_ACTIONS = {
    "activate": (("proposed",), "active", "Activate", "activated"),
    "pause": (("active",), "paused", "Pause", "paused"),
    "resume": (("paused",), "active", "Resume", "resumed"),
    "close": (("proposed", "active", "paused"), "closed", "Close engagement", "closed"),
}


def available_actions(engagement):
    """The status actions open to an engagement in its current status, in display order."""
    return [key for key, (sources, *_rest) in STATUS_ACTIONS.items() if engagement.status in sources]


def _isp_ids(data):
    return [int(i) for i in data.get("co_lead_ids") or []], [int(i) for i in data.get("supporting_ids") or []]


def _refuse_if_invalid(engagement, co_lead_ids, supporting_ids, errors=None, keep=()):
    """Every refusal at once: the engagement's own fields (its validate()) and its ISPs (isp_problems)."""
    errors = dict(errors or {})
    for key, message in engagement.validate().items():
        errors.setdefault("unit_id" if key == "unit" else key, message)
    for key, message in Engagement.isp_problems(co_lead_ids, supporting_ids, keep=keep).items():
        errors.setdefault(key, message)
    if errors:
        raise ValidationError(errors)


# --- the team and goals set up with a new engagement ---------------------------------------------------

TEAM_ROW_FIELDS = ("name", "position", "email")
GOAL_ROW_FIELDS = ("title", "indicator", "target")


def setup_parts(engagement, data):
    """The team members and goals a new engagement is set up with (the set-up pages' rows), built but not
    written, and every refusal at once: ([TeamMember], [Goal], {"team_members-<row>-<field>": message,
    "goals-<row>-<field>": message}). The rules are the team page's (TeamMember.validate) and the goal
    page's (services.goals.new_goal); a member joins, and a goal is set, on the engagement's start date.

    `data`: team_members [{name, position, email, row}], goals [{title, indicator, target, row}]; `row`
    (default: the position in the list) is the form's row a message belongs to."""
    errors, members, goals = {}, [], []
    start = engagement.start_date
    for index, row in enumerate(data.get("team_members") or ()):
        number = row.get("row", index)
        member = TeamMember(
            engagement=engagement,
            name=(row.get("name") or "").strip(),
            position=row.get("position") or None,
            email=(row.get("email") or "").strip(),
            joined_on=start,
        )
        for key, message in member.validate().items():
            if key != "engagement":  # set when the engagement is written
                errors.setdefault(f"team_members-{number}-{key if key in TEAM_ROW_FIELDS else 'name'}", message)
        members.append(member)
    for index, row in enumerate(data.get("goals") or ()):
        number = row.get("row", index)
        goal, problems = new_goal(engagement, row, start)
        for key, message in problems.items():
            if key == "engagement":
                continue
            if key == "set_on":  # a goal is set on the start date: an event, so not while it is ahead
                if start is None:
                    continue  # the start date's own message says it
                message = (
                    f"Goals are set from the engagement's start ({format_date(start)}); leave this row blank "
                    "and add the goal once the engagement has started, or choose an earlier start date."
                    if start > today()
                    else message
                )
            errors.setdefault(f"goals-{number}-{key if key in GOAL_ROW_FIELDS else 'title'}", message)
        goals.append(goal)
    return members, goals, errors


def save_setup_parts(engagement, members, goals, user=None):
    """Write the team members and goals `setup_parts` checked, once the engagement is written."""
    for member in members:
        member.engagement = engagement
        member.save()
    for goal in goals:
        goal.engagement = engagement
        save_new_goal(goal, engagement.start_date, user)


def create_engagement(data, user):
    """Create an engagement directly, with its two co-leads, supporting ISPs and first stage.

    `data`: unit_id, title, problem_statement, support_model, start_date, end_date, co_lead_ids
    [id, id], supporting_ids [ids], first_stage_id (or None), and optionally its first team_members and
    goals (`setup_parts`), all written in the one transaction or none. The intermediary is the creator's
    organization when it is an intermediary. The engagement starts active, or proposed when its
    start date is still ahead.
    """
    errors = {}
    unit = Unit.get_or_none(Unit.id == data.get("unit_id")) if data.get("unit_id") else None
    if unit is None:
        errors["unit_id"] = "Choose the unit this engagement supports."
    stage = None
    if data.get("first_stage_id"):
        stage = Stage.get_or_none(Stage.id == data["first_stage_id"])
        if stage is None:
            errors["first_stage_id"] = "That stage does not exist; choose one from the list."
    co_leads, supporting = _isp_ids(data)
    start = data.get("start_date")
    intermediary = None
    if user is not None and user.organization_id:
        org = user.organization
        intermediary = org if org.kind == "intermediary" else None
    engagement = Engagement(
        unit=unit,
        intermediary=intermediary,
        title=(data.get("title") or "").strip(),
        problem_statement=(data.get("problem_statement") or "").strip(),
        support_model=data.get("support_model", Engagement.support_model.default),
        start_date=start,
        end_date=data.get("end_date"),
        status="proposed" if start and start > today() else "active",
    )
    members, goals, row_errors = setup_parts(engagement, data)
    _refuse_if_invalid(engagement, co_leads, supporting, {**errors, **row_errors})
    with database.atomic():
        engagement.save()
        engagement.set_isps(co_leads, supporting)
        if stage is not None and start is not None and start <= today():  # a stage entry is never in the future
            engagement.enter_stage(stage, start, user=user)
        save_setup_parts(engagement, members, goals, user)
    return engagement


def update_engagement(engagement, data, user=None):
    """Save the summary (title, problem, model, dates) and, when they changed, the ISPs."""
    co_leads, supporting = _isp_ids(data)
    current = engagement.isps()
    before = (
        sorted(link.user_id for link in current if link.role == "co_lead"),
        sorted(link.user_id for link in current if link.role == "supporting"),
    )
    with database.atomic():
        engagement.title = (data.get("title") or "").strip()
        engagement.problem_statement = (data.get("problem_statement") or "").strip()
        if "support_model" in data:
            engagement.support_model = data["support_model"]
        engagement.start_date = data.get("start_date")
        engagement.end_date = data.get("end_date")
        _refuse_if_invalid(engagement, co_leads, supporting, keep=[link.user_id for link in current])
        try:
            engagement.save()
        except StaleEdit as exc:  # the ISPs are rows of their own: theirs beside yours here
            links = exc.record.isps() if exc.record is not None else []
            exc.add("co_leads", sorted(i.user_id for i in links if i.role == "co_lead"), sorted(co_leads))
            exc.add("supporting", sorted(i.user_id for i in links if i.role == "supporting"), sorted(supporting))
            raise
        current = engagement.isps()
        before = (
            sorted(link.user_id for link in current if link.role == "co_lead"),
            sorted(link.user_id for link in current if link.role == "supporting"),
        )
        if (sorted(co_leads), sorted(supporting)) != before:
            engagement.set_isps(co_leads, supporting)
    return engagement


def change_status(engagement, action, user=None, reason="", closing_summary="", end_date=None, on=None):
    """Apply a status action and record it (EngagementStatusChange, plus the audit log entry).

    Closing needs a closing summary (the model insists) and sets the end date (default today).
    """
    on = on or today()
    if action not in STATUS_ACTIONS:
        raise ValidationError({"action": "Choose what to do with the engagement."})
    sources, target, _button, past = STATUS_ACTIONS[action]
    if engagement.status not in sources:
        raise ValidationError(
            {"action": f"The engagement is {engagement.status_label.lower()}; it cannot be {past} now."}
        )
    before = engagement.status
    changed_on = on
    with database.atomic():
        engagement.status = target
        if action == "close":
            engagement.closing_summary = (closing_summary or "").strip()
            engagement.end_date = end_date or on
            changed_on = engagement.end_date
        engagement.save()
        EngagementStatusChange.create(
            engagement=engagement,
            from_status=before,
            to_status=target,
            changed_on=changed_on,
            reason=(reason or "").strip(),
            changed_by=user,
        )
    return engagement


# --- deleting and restoring -----------------------------------------------------------------------------


def delete_engagement(engagement):
    """Soft-delete an engagement: it leaves every list, report, the API and its feedback links stop
    working; its parts stay as they are, so restoring brings it back whole. Audited as "delete"."""
    with database.atomic():
        engagement.soft_delete()
    return engagement


def restore_engagement(engagement):
    """Bring a deleted engagement back, with all its parts. Audited as "restore"."""
    with database.atomic():
        engagement.restore()
    return engagement


def deleted_engagements():
    """Deleted engagements, most recently deleted first, each with who deleted it (two queries):
    [{"engagement" (with .unit and .unit.organization), "deleted_by": name or None}]."""
    rows = list(
        Engagement.select(Engagement, Unit, Organization)
        .join(Unit)
        .join(Organization)
        .where(Engagement.deleted_at.is_null(False))
        .order_by(Engagement.deleted_at.desc(), Engagement.id.desc())
    )
    by = {}
    if rows:
        entries = (
            AuditEntry.select(AuditEntry.entity_id, User.name)
            .join(User, JOIN.LEFT_OUTER, on=(AuditEntry.user == User.id))
            .where(
                (AuditEntry.entity == "Engagement")
                & (AuditEntry.action == "delete")
                & AuditEntry.entity_id.in_([e.id for e in rows])
            )
            .order_by(AuditEntry.at, AuditEntry.id)
            .tuples()
        )
        for engagement_id, name in entries:
            by[engagement_id] = name  # the latest deletion wins
    return [{"engagement": e, "deleted_by": by.get(e.id)} for e in rows]


# --- reads for the engagement page ------------------------------------------------------------------


def status_history(engagement):
    """The engagement's status changes with who made them, newest first (one query)."""
    return list(
        EngagementStatusChange.select(EngagementStatusChange, User.id, User.name)
        .join(User, JOIN.LEFT_OUTER, on=(EngagementStatusChange.changed_by == User.id))
        .where(EngagementStatusChange.engagement == engagement.id)
        .order_by(EngagementStatusChange.created_at.desc(), EngagementStatusChange.id.desc())
    )
