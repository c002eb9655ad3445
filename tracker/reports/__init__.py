"""Queries across entities, shared by pages, exports and the API (one module per report family;
this one holds the engagement list and page queries).

Each function takes plain filters or rows and returns plain data, with a fixed number of queries
whatever the amount of data (no query per row).
"""

import datetime as dt
from collections import defaultdict

from peewee import JOIN, fn

from ..models import (
    Benchmark,
    ContextNote,
    Deliverable,
    Engagement,
    EngagementISP,
    Goal,
    GoalStatusChange,
    Meeting,
    MeetingAttendee,
    MeetingCompetency,
    MeetingStrategy,
    NextStep,
    Organization,
    Stage,
    StageEntry,
    TeamMember,
    Unit,
    User,
    today,
)
from ..paging import Page
from ..prepared import prepared
from .filters import isp_choices, logged


def engagement_filter_options(visible):
    """The engagement list's unit and ISP choices for the engagements `visible` (an Engagement select, the
    reader's scope): [(id, "Unit (Organization)")] and [(id, name)], as tuples (no model objects: at scale a
    list offers hundreds). The scope is a subquery, never a list of ids. Two queries."""
    units = (
        Unit.select(Unit.id, Unit.name, Organization.name)
        .join(Organization)
        .where(Unit.id.in_(visible.select(Engagement.unit)))
        .order_by(Unit.name, Organization.name)
        .tuples()
    )
    return [(uid, f"{unit} ({org})") for uid, unit, org in units], list(isp_choices(visible))


def engagement_list(query):
    """Rows for a list of engagements: each engagement with unit, stage, co-leads and meeting totals.

    `query` is an Engagement select (already filtered by the access policy and paginated).
    Four queries in all.
    """
    engagements = list(
        query.select_extend(Unit, Stage).join_from(Engagement, Unit).join_from(Engagement, Stage, JOIN.LEFT_OUTER)
    )
    ids = [e.id for e in engagements]
    co_leads = defaultdict(list)
    totals = {}
    if ids:
        for link in (
            EngagementISP.select(EngagementISP, User)
            .join(User)
            .where(EngagementISP.engagement.in_(ids) & (EngagementISP.role == "co_lead"))
            .order_by(User.name)
        ):
            co_leads[link.engagement_id].append(link.user)
        for row in (
            Meeting.select(
                Meeting.engagement,
                fn.COUNT(Meeting.id).alias("n"),
                fn.MAX(Meeting.date).alias("last"),
                fn.SUM(Meeting.duration_minutes).alias("minutes"),
            )
            .where(Meeting.engagement.in_(ids) & Meeting.deleted_at.is_null() & logged(Meeting))
            .group_by(Meeting.engagement)
            .dicts()
        ):
            totals[row["engagement"]] = row
    rows = []
    for e in engagements:
        t = totals.get(e.id, {})
        last = t.get("last")
        if isinstance(last, str):  # SQLite returns MAX(date) as text
            last = dt.date.fromisoformat(last)
        rows.append(
            {
                "engagement": e,
                "co_leads": co_leads.get(e.id, []),
                "meetings": t.get("n", 0),
                "last_meeting": last,
                "minutes": int(t.get("minutes") or 0),
            }
        )
    return rows


def open_next_steps(engagement_query, until):
    """The query of open next steps of the given engagements due on or before `until`, soonest due first,
    with their meeting and engagement (the home page, the weekly summary, My work's overdue ones)."""
    return (
        NextStep.select(NextStep, Meeting, Engagement)
        .join(Meeting)
        .join(Engagement)
        .where(
            Meeting.engagement.in_(engagement_query.select(Engagement.id))
            & Meeting.deleted_at.is_null()
            & NextStep.deleted_at.is_null()
            & NextStep.done_on.is_null()
            & NextStep.due_on.is_null(False)
            & (NextStep.due_on <= until)
        )
        .order_by(NextStep.due_on, NextStep.id)
    )


def next_steps_due(engagement_query, until=None, limit=20):
    """Open next steps of the given engagements, soonest due first."""
    return list(open_next_steps(engagement_query, until or today() + dt.timedelta(days=14)).limit(limit))


MEETINGS_PER_PAGE = 10


# --- the engagement page ----------------------------------------------------------------------------
# The engagement page is the most viewed page. Profiled, most of its cost was peewee building SQL
# (about 0.1 ms a query here, against 0.01 ms for SQLite to run it), so its queries select only the
# columns the page shows (the records are partial: for display, never saved) and each is a `prepared`
# query whose SQL is built once (tracker/prepared.py: the one place that uses a private peewee hook).


@prepared
def _unit(unit_id):
    return (
        Unit.select(Unit.id, Unit.name, Unit.organization, Organization.id, Organization.name)
        .join(Organization)
        .where(Unit.id == unit_id)
    )


@prepared
def _team(engagement_id):
    return (
        TeamMember.select(
            TeamMember.id,
            TeamMember.name,
            TeamMember.email,
            TeamMember.position,
            TeamMember.joined_on,
            TeamMember.left_on,
            TeamMember.is_lead,
        )
        .where((TeamMember.engagement == engagement_id) & TeamMember.deleted_at.is_null())
        .order_by(TeamMember.left_on.is_null(False), TeamMember.name)
    )


@prepared
def _goals(engagement_id):
    return (
        Goal.select(Goal.id, Goal.title, Goal.indicator, Goal.target, Goal.status)
        .where((Goal.engagement == engagement_id) & Goal.deleted_at.is_null())
        .order_by(Goal.created_at, Goal.id)
    )


@prepared
def _goal_history(engagement_id):
    return (
        GoalStatusChange.select(
            GoalStatusChange.goal,
            GoalStatusChange.status,
            GoalStatusChange.changed_on,
            GoalStatusChange.note,
            GoalStatusChange.reason,
        )
        .join(Goal)
        .where((Goal.engagement == engagement_id) & Goal.deleted_at.is_null())
        .order_by(GoalStatusChange.changed_on, GoalStatusChange.id)
    )


@prepared
def _stages():
    return Stage.ordered()


@prepared
def _stage_path(engagement_id):
    return (
        StageEntry.select(StageEntry.stage, StageEntry.entered_on, StageEntry.note)
        .where(StageEntry.engagement == engagement_id)
        .order_by(StageEntry.entered_on, StageEntry.id)
    )


@prepared
def _benchmarks(engagement_id):
    return (
        Benchmark.select(Benchmark.id, Benchmark.stage, Benchmark.text, Benchmark.completed_on, Benchmark.evidence)
        .where((Benchmark.engagement == engagement_id) & Benchmark.deleted_at.is_null())
        .order_by(Benchmark.position, Benchmark.id)
    )


@prepared
def _meeting_totals(engagement_id):
    return (
        Meeting.select(fn.COUNT(Meeting.id).alias("n"), fn.SUM(Meeting.duration_minutes).alias("m"))
        .where((Meeting.engagement == engagement_id) & Meeting.deleted_at.is_null())
        .dicts()
    )


@prepared
def _meetings(engagement_id, limit, offset):
    attending = (
        MeetingAttendee.select(fn.COUNT(MeetingAttendee.id))
        .join(TeamMember, JOIN.LEFT_OUTER, on=(MeetingAttendee.team_member == TeamMember.id))
        .where((MeetingAttendee.meeting == Meeting.id) & TeamMember.deleted_at.is_null())  # ISPs: no member
    )
    return (
        Meeting.select(
            Meeting.id,
            Meeting.date,
            Meeting.kind,
            Meeting.mode,
            Meeting.duration_minutes,
            Meeting.notes,
            Meeting.notes_internal,
            attending.alias("attending"),
        )
        .where((Meeting.engagement == engagement_id) & Meeting.deleted_at.is_null())
        .order_by(Meeting.date.desc(), Meeting.id.desc())
        .limit(limit)
        .offset(offset)
    )


@prepared
def _competency_labels(meeting_ids):
    return (
        MeetingCompetency.select(MeetingCompetency.meeting, MeetingCompetency.label)
        .where(MeetingCompetency.meeting.in_(meeting_ids))
        .order_by(MeetingCompetency.id)
    )


@prepared
def _strategy_labels(meeting_ids):
    return (
        MeetingStrategy.select(MeetingStrategy.meeting, MeetingStrategy.label)
        .where(MeetingStrategy.meeting.in_(meeting_ids))
        .order_by(MeetingStrategy.id)
    )


@prepared
def _next_steps(meeting_ids):
    return (
        NextStep.select(NextStep.meeting, NextStep.text, NextStep.owner, NextStep.due_on, NextStep.done_on)
        .where(NextStep.meeting.in_(meeting_ids) & NextStep.deleted_at.is_null())
        .order_by(NextStep.due_on, NextStep.id)
    )


@prepared
def _deliverables(engagement_id):
    return (
        Deliverable.select(
            Deliverable.id,
            Deliverable.kind,
            Deliverable.title,
            Deliverable.due_on,
            Deliverable.delivered_on,
            Deliverable.link,
            Deliverable.note,
        )
        .where((Deliverable.engagement == engagement_id) & Deliverable.deleted_at.is_null())
        .order_by(Deliverable.due_on.is_null(), Deliverable.due_on, Deliverable.id)
    )


@prepared
def _context_notes(engagement_id):
    return (
        ContextNote.select(
            ContextNote.id,
            ContextNote.kind,
            ContextNote.domain,
            ContextNote.text,
            ContextNote.noted_on,
            ContextNote.internal,
        )
        .where((ContextNote.engagement == engagement_id) & ContextNote.deleted_at.is_null())
        .order_by(ContextNote.noted_on.desc(), ContextNote.id.desc())
    )


def engagement_overview(engagement, meeting_page=1, per_page=MEETINGS_PER_PAGE, isps=None, sees_internal=False):
    """Everything the engagement page shows, in a fixed number of queries; the meetings a page at a
    time, newest first (`meeting_page`; out of range falls back to the nearest page). `isps`: the
    engagement's ISP links (Engagement.isps_of) when the caller has them already. `sees_internal`:
    the reader sees internal notes (policy.can_see_internal_notes); else none is given (each meeting's
    "notes" is what Meeting.notes_for gives, the context notes those ContextNote.shown_to keeps)."""
    eid = engagement.id
    isps = engagement.isps() if isps is None else isps
    unit = next(iter(_unit(engagement.unit_id)))
    team = list(_team(eid))
    goals = list(_goals(eid))
    history = defaultdict(list)
    for change in _goal_history(eid):
        history[change.goal_id].append(change)
    stages = list(_stages())
    stages_by_id = {s.id: s for s in stages}
    current_stage = stages_by_id.get(engagement.current_stage_id)
    stage_path = list(_stage_path(eid))
    for entry in stage_path:
        entry.stage = stages_by_id[entry.stage_id]  # the stages are loaded already: no join
    benchmarks = defaultdict(list)
    for b in _benchmarks(eid):
        benchmarks[b.stage_id].append(b)

    totals = next(iter(_meeting_totals(eid)))
    meetings_page = Page(number=1, per_page=per_page, total=totals["n"] or 0)
    meetings_page.number = min(max(1, meeting_page or 1), meetings_page.pages)
    meetings = list(_meetings(eid, per_page, (meetings_page.number - 1) * per_page))
    meeting_ids = [m.id for m in meetings]
    tags = {"competencies": defaultdict(list), "strategies": defaultdict(list), "next_steps": defaultdict(list)}
    if meeting_ids:
        for link in _competency_labels(meeting_ids):
            tags["competencies"][link.meeting_id].append(link.label)
        for link in _strategy_labels(meeting_ids):
            tags["strategies"][link.meeting_id].append(link.label)
        for step in _next_steps(meeting_ids):
            tags["next_steps"][step.meeting_id].append(step)

    deliverables = list(_deliverables(eid))
    context_notes = [n for n in _context_notes(eid) if n.shown_to(sees_internal)]
    return {
        "engagement": engagement,
        "unit": unit,
        "current_stage": current_stage,
        "co_leads": [link.user for link in isps if link.role == "co_lead"],
        "supporting": [link.user for link in isps if link.role == "supporting"],
        "team": team,
        "goals": [{"goal": g, "history": history.get(g.id, [])} for g in goals],
        "stages": stages,
        "stage_path": stage_path,
        "benchmarks": benchmarks,
        "meetings": [
            {
                "meeting": m,
                "competencies": tags["competencies"].get(m.id, []),
                "strategies": tags["strategies"].get(m.id, []),
                "next_steps": tags["next_steps"].get(m.id, []),
                "attendees": m.attending or 0,
                "notes": m.notes_for(sees_internal),
            }
            for m in meetings
        ],
        "meetings_page": meetings_page,
        "meeting_count": totals["n"] or 0,
        "minutes": int(totals["m"] or 0),
        "deliverables": deliverables,
        "context_notes": context_notes,
    }
