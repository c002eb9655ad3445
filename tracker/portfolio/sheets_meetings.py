"""The meetings of the workbook (issue 20): meetings with their attendees and catalog tags, the decisions and
next steps taken in them, and the activities between them.

A meeting is one row: its attendees (team members and ISPs) and its competencies, strategies and principles
are list columns of that row, and the minutes given to each strategy (MeetingStrategy.minutes, the dose) are
the `strategy_minutes` column beside `strategies` ("key=30; key2=15"), not a sheet of their own: a meeting's
links are checked together (services.meetings.check_links, as the meeting form checks them), replaced
together when they change, and audited on the meeting, and 10,000 meetings do not need 30,000 more external
ids. Decisions and next steps have sheets of their own: they are rows with their own data, several per
meeting.
"""

from ..models import (
    ACTIVITY_KINDS,
    MEETING_KINDS,
    MEETING_MODES,
    POWER_PARTIES,
    REVIEW_STATES,
    Activity,
    ActivityCompetency,
    ActivityISP,
    ActivityStrategy,
    AuditEntry,
    Competency,
    Engagement,
    Meeting,
    MeetingDecision,
    MeetingStrategy,
    NextStep,
    Principle,
    Strategy,
    ValidationError,
    dose_problem,
    linked_ids,
)
from ..services import activities as activity_service
from ..services import meetings as meeting_service
from .format import CellProblem, Column, Sheet, per_run, register, set_fields, sheet_named


def _catalog(model):
    """(choices, {key: id}, {id: key}) of a catalog, retired entries included (history names them)."""

    @per_run
    def read():
        rows = list(model.select(model.id, model.key, model.name).order_by(model.id).tuples())
        return tuple((k, n) for _, k, n in rows), {k: i for i, k, _ in rows}, {i: k for i, k, _ in rows}

    return read


COMPETENCIES, STRATEGIES, PRINCIPLES = _catalog(Competency), _catalog(Strategy), _catalog(Principle)


def _keys(catalog, ids_):
    return [catalog()[2][i] for i in ids_]


def _record_ids(catalog, keys_):
    return [catalog()[1][k] for k in keys_]


REVIEW_COLUMNS = (
    Column("review_state", "choice", required=True, field="review_state", choices=REVIEW_STATES),
    Column("submitted_at", "datetime", field="submitted_at", help="The first submission for review (UTC)."),
    Column("reviewed_by", "ref", field="reviewed_by", ref="users"),
    Column("reviewed_at", "datetime", field="reviewed_at"),
    Column("review_note", field="review_note", max_length=1000, help="The return note or the reopening reason."),
    Column("created_at", "datetime", required=True, field="created_at"),
)


def _unchanged_parent(record, values, ids):
    """Refuse an approved (locked) log, or a row that moves a record to another engagement."""
    if record.id is None:
        return
    record.check_unlocked()
    if values["engagement"] != ids.external("engagements", record.engagement_id):
        raise ValidationError({"engagement": "A record cannot move to another engagement: add a new row instead."})


# --- meetings ---------------------------------------------------------------------------------------


def _doses_text(doses):
    return "; ".join(f"{key}={minutes}" for key, minutes in doses)


def _parse_doses(text):
    """[(strategy key, minutes)] of a strategy_minutes cell ("key=30; key2=15")."""
    out = []
    for part in (p.strip() for p in (text or "").split(";")):
        if not part:
            continue
        key, sign, minutes = part.partition("=")
        if not sign or not minutes.strip().isdigit():
            raise CellProblem("Write each strategy's minutes as key=30, separated by “; ”.")
        out.append((key.strip(), int(minutes)))
    return out


def _meeting_read(meeting, ids):
    linked = linked_ids(meeting)
    doses = (
        MeetingStrategy.select(MeetingStrategy.strategy, MeetingStrategy.minutes)
        .where((MeetingStrategy.meeting == meeting.id) & MeetingStrategy.minutes.is_null(False))
        .order_by(MeetingStrategy.id)
        .tuples()
    )
    out = {
        "isps": [ids.external("users", i) for i in linked["isps"]],
        "competencies": _keys(COMPETENCIES, linked["competencies"]),
        "strategies": _keys(STRATEGIES, linked["strategies"]),
        "strategy_minutes": _doses_text((STRATEGIES()[2][s], m) for s, m in doses),
        "principles": _keys(PRINCIPLES, linked["principles"]),
    }
    out["team_members"] = [ids.external("team_members", i) for i in linked["team_members"]]
    return out


def _meeting_apply(meeting, values, ids):
    _unchanged_parent(meeting, values, ids)
    new = meeting.id is None
    set_fields(sheet_named("meetings"), meeting, values, ids)
    engagement = Engagement.get_by_id(meeting.engagement_id)
    data = {
        "team_members": [ids.record_id("team_members", e, "team_members") for e in values.get("team_members", [])],
        "isps": [ids.record_id("users", e, "isps") for e in values["isps"]],
        "competencies": _record_ids(COMPETENCIES, values["competencies"]),
        "strategies": _record_ids(STRATEGIES, values["strategies"]),
        "principles": _record_ids(PRINCIPLES, values["principles"]),
    }
    rows, errors = meeting_service.check_links(data, engagement, None if new else meeting)
    try:
        doses = _parse_doses(values["strategy_minutes"])
    except CellProblem as exc:
        errors["strategy_minutes"] = str(exc)
        doses = []
    problem = dose_problem(dict(doses), values["strategies"], meeting.duration_minutes)
    if problem:
        errors.setdefault("strategy_minutes", problem)
    errors.update({k: v for k, v in meeting.validate().items() if k not in errors})
    if errors:
        raise ValidationError(errors)
    meeting.save()
    current = None if new else _meeting_read(meeting, ids)
    if current is None or current != {k: values[k] for k in current}:
        by_key = STRATEGIES()[1]
        meeting_service.replace_links(meeting, rows, {by_key[k]: m for k, m in doses}, new=new)
    return meeting


register(
    Sheet(
        "meetings",
        Meeting,
        (
            Column("engagement", "ref", required=True, field="engagement", ref="engagements"),
            Column("date", "date", required=True, field="date", help="Between the engagement's start and today."),
            Column("kind", "choice", required=True, field="kind", choices=MEETING_KINDS),
            Column("mode", "choice", required=True, field="mode", choices=MEETING_MODES),
            Column("duration_minutes", "int", required=True, field="duration_minutes", help="More than 0."),
            Column("notes", field="notes"),
            Column("notes_internal", "bool", field="notes_internal", help="TRUE: only the ISPs' side reads them."),
            Column("agenda_set_by", "choice", field="agenda_set_by", choices=POWER_PARTIES, help="Empty: unknown."),
            Column("logged_by", "ref", field="logged_by", ref="users"),
            *REVIEW_COLUMNS,
            Column("team_members", "refs", ref="team_members", help="Team members who attended, “a; b”."),
            Column("isps", "refs", ref="users", help="ISPs of the engagement who attended, “a; b”."),
            Column("competencies", "keys", choices=lambda: COMPETENCIES()[0], help="Competency keys, “a; b”."),
            Column("strategies", "keys", choices=lambda: STRATEGIES()[0], help="Strategy keys, “a; b”."),
            Column(
                "strategy_minutes",
                help="Minutes given to some of the strategies, “key=30; key2=15”: together at most the meeting's.",
            ),
            Column("principles", "keys", choices=lambda: PRINCIPLES()[0], help="Principle keys, “a; b”."),
        ),
        "Meetings (sessions) with their attendees and tags. Deleted meetings are not exported.",
        query=lambda: Meeting.live().order_by(Meeting.id),
        read=_meeting_read,
        apply=_meeting_apply,
    )
)


# --- decisions and next steps -----------------------------------------------------------------------


def _link_apply(sheet, fields):
    """Write a decision or next step: its meeting must not be locked when the row changes an existing
    one, and the change is audited on the meeting (these rows are the meeting's, as on its form)."""

    def apply(record, values, ids):
        before = {f: getattr(record, f) for f in fields} if record.id is not None else None
        old_meeting = record.meeting_id
        set_fields(sheet(), record, values, ids)
        meeting = Meeting.get_by_id(record.meeting_id)
        if before is not None:
            if record.meeting_id != old_meeting:
                raise ValidationError({"meeting": "A row cannot move to another meeting: add a new row instead."})
            meeting.check_unlocked()
        record.save()
        if before is not None:
            after = {f: getattr(record, f) for f in fields}
            name = type(record).__name__
            AuditEntry.record("update", meeting, {name: [_plain(before), _plain(after)]})
        return record

    return apply


def _plain(values):
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}


register(
    Sheet(
        "meeting_decisions",
        MeetingDecision,
        (
            Column("meeting", "ref", required=True, field="meeting", ref="meetings"),
            Column("text", required=True, field="text", max_length=500),
            Column("decided_by", "choice", required=True, field="decided_by", choices=POWER_PARTIES),
        ),
        "Decisions taken in meetings, and who took them. Those of deleted meetings are not exported.",
        query=lambda: (
            MeetingDecision.select().join(Meeting).where(Meeting.deleted_at.is_null()).order_by(MeetingDecision.id)
        ),
        apply=_link_apply(lambda: sheet_named("meeting_decisions"), ("text", "decided_by")),
    )
)

register(
    Sheet(
        "next_steps",
        NextStep,
        (
            Column("meeting", "ref", required=True, field="meeting", ref="meetings"),
            Column("text", required=True, field="text", max_length=1000),
            Column("owner", field="owner", max_length=200),
            Column("due_on", "date", field="due_on"),
            Column("done_on", "date", field="done_on"),
        ),
        "Next steps agreed in meetings. Deleted next steps, and those of deleted meetings, are not exported.",
        query=lambda: NextStep.live().join(Meeting).where(Meeting.deleted_at.is_null()).order_by(NextStep.id),
        apply=_link_apply(lambda: sheet_named("next_steps"), ("text", "owner", "due_on", "done_on")),
    )
)


# --- activities -------------------------------------------------------------------------------------


def _activity_read(activity, ids):
    def linked(model, field):
        query = model.select(field).where(model.activity == activity.id).order_by(model.id).tuples()
        return [i for (i,) in query]

    return {
        "isps": [ids.external("users", i) for i in linked(ActivityISP, ActivityISP.user)],
        "strategies": _keys(STRATEGIES, linked(ActivityStrategy, ActivityStrategy.strategy)),
        "competencies": _keys(COMPETENCIES, linked(ActivityCompetency, ActivityCompetency.competency)),
    }


def _activity_apply(activity, values, ids):
    _unchanged_parent(activity, values, ids)
    new = activity.id is None
    set_fields(sheet_activities, activity, values, ids)
    engagement = Engagement.get_by_id(activity.engagement_id)
    row = {
        "date": activity.date,
        "kind": activity.kind,
        "minutes": activity.minutes,
        "notes": activity.notes,
        "isps": [ids.record_id("users", e, "isps") for e in values["isps"]],
        "strategies": _record_ids(STRATEGIES, values["strategies"]),
        "competencies": _record_ids(COMPETENCIES, values["competencies"]),
    }
    errors, checked = activity_service.check_activity(engagement, row, activity)
    if errors:
        raise ValidationError(errors)
    activity.save()
    if new or _activity_read(activity, ids) != {k: values[k] for k in ("isps", "strategies", "competencies")}:
        activity_service.write_links(activity, checked, new=new)
    return activity


sheet_activities = register(
    Sheet(
        "activities",
        Activity,
        (
            Column("engagement", "ref", required=True, field="engagement", ref="engagements"),
            Column("date", "date", required=True, field="date"),
            Column("kind", "choice", required=True, field="kind", choices=ACTIVITY_KINDS),
            Column("minutes", "int", required=True, field="minutes", help="More than 0."),
            Column("notes", field="notes", max_length=500),
            Column("logged_by", "ref", field="logged_by", ref="users"),
            *REVIEW_COLUMNS,
            Column("isps", "refs", required=True, ref="users", help="The ISPs who did the work, “a; b”."),
            Column("strategies", "keys", choices=lambda: STRATEGIES()[0], help="Strategy keys, “a; b”."),
            Column("competencies", "keys", choices=lambda: COMPETENCIES()[0], help="Competency keys, “a; b”."),
        ),
        "Work between meetings (outreach, data collection...), with the ISPs who did it. Deleted activities are "
        "not exported.",
        query=lambda: Activity.live().order_by(Activity.id),
        read=_activity_read,
        apply=_activity_apply,
    )
)
