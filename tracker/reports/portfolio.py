"""The leaders' portfolio dashboard: active engagements by unit, stage and model; requested versus
delivered; hours of support; engagements needing attention (with the reason); a competencies summary.

Needs attention (active or paused engagements in scope, as of `as_of`, default today):
- no meeting in 6 weeks: no live meeting in the last 42 days (or none since a start over 42 days ago);
- no benchmark in 90 days: no benchmark completed in the last 90 days (same rule for the start);
- a goal stuck for 90 days: a live goal not achieved or dropped whose status has not changed (nor the
  goal been created) in the last 90 days;
- falling feedback: the feedback released in the last 90 days scores at least 0.5 below the feedback
  released in the 90 days before (the mean of the shown scale means in each window; released
  responses only, so the flag follows the disclosure rule of docs/disclosure.md);
- overdue deliverable: a live deliverable not delivered whose due date is before `as_of`
  (overdue_deliverables; the dashboard counts them over the same engagements);
- ISP-led co-creation: a co-creation engagement whose sessions of the last three months were all ISP-led
  (agenda set by the ISPs in every session with a recorded agenda, at least one; reports/power.py).
Pure query functions: a fixed number of queries whatever the data size.
"""

import datetime as dt
import statistics
from collections import defaultdict

from peewee import JOIN, SQL, Case, fn

from .. import policy
from ..dates import format_date
from ..models import (
    SUPPORT_MODELS,
    Benchmark,
    Deliverable,
    Engagement,
    Goal,
    GoalStatusChange,
    Meeting,
    Stage,
    SupportRequest,
    Unit,
    today,
)
from . import competencies as competency_reports
from . import feedback as feedback_reports
from . import power as power_reports
from . import strategies
from .cache import cached
from .filters import as_date

QUIET_MEETING_DAYS = 42
QUIET_BENCHMARK_DAYS = 90
STUCK_GOAL_DAYS = 90
FEEDBACK_WINDOW_DAYS = 90
FEEDBACK_DROP = 0.5
OPEN_GOAL_STATUSES = ("not_started", "in_progress", "revised")
ATTENTION_STATUSES = ("active", "paused")  # proposed: not started yet; closed: over


def active_engagements(filters):
    """{"total", "by_unit": [{"id", "name", "engagements"}], "by_stage": [{"key", "name", "engagements"}],
    "by_model": [{"key", "name", "engagements"}]} over active engagements in scope. Three queries."""
    cond = Engagement.id.in_(filters.engagement_ids()) & (Engagement.status == "active")
    units = list(
        Engagement.select(Unit.id, Unit.name, fn.COUNT(Engagement.id))
        .join(Unit)
        .where(cond)
        .group_by(Unit.id, Unit.name)
        .order_by(Unit.name)
        .tuples()
    )
    stages = dict(
        Engagement.select(Engagement.current_stage, fn.COUNT(Engagement.id))
        .where(cond)
        .group_by(Engagement.current_stage)
        .tuples()
    )
    models = dict(
        Engagement.select(Engagement.support_model, fn.COUNT(Engagement.id))
        .where(cond)
        .group_by(Engagement.support_model)
        .tuples()
    )
    by_stage = []
    if stages:
        if None in stages:
            by_stage.append({"key": None, "name": "Not yet staged", "engagements": stages[None]})
        by_stage = [
            {"key": s.key, "name": s.name, "engagements": stages[s.id]} for s in Stage.ordered() if s.id in stages
        ] + by_stage
    return {
        "total": sum(n for _, _, n in units),
        "by_unit": [{"id": uid, "name": name, "engagements": n} for uid, name, n in units],
        "by_stage": by_stage,
        "by_model": [{"key": k, "name": name, "engagements": models[k]} for k, name in SUPPORT_MODELS if k in models],
    }


def requests_delivered(filters):
    """Requested versus delivered, over the support requests the user may see (unit, engagement and
    date range filters apply; the date is when the request was received):
    {"received", "accepted", "declined", "open", "first_meetings", "days_to_first_meeting":
     {"mean", "median"}, "definition_meetings_before_acceptance"}. Two queries.

    Lead time counts from acceptance (the request's decision; for an engagement whose request has no
    recorded decision, its start) to the first meeting on or after it. A meeting before acceptance is a
    definition meeting: it is counted in its own figure, never as 0 days."""
    query = policy.visible_requests(filters.user)
    cond = request_condition(filters)
    counts = dict(
        query.select(SupportRequest.status, fn.COUNT(SupportRequest.id))
        .where(cond)
        .group_by(SupportRequest.status)
        .tuples()
    )
    meetings = (
        query.select(SupportRequest.id, SupportRequest.decided_at, Engagement.start_date, Meeting.date)
        .join(Engagement, on=(Engagement.request == SupportRequest.id))
        .join(Meeting, on=(Meeting.engagement == Engagement.id))
        .where(
            cond & Engagement.deleted_at.is_null() & Meeting.deleted_at.is_null() & filters.log_state_condition(Meeting)
        )
        .distinct()
        .tuples()
    )
    days, before = lead_times(meetings)
    return {
        "received": sum(counts.values()),
        "accepted": counts.get("accepted", 0),
        "declined": counts.get("declined", 0),
        "open": counts.get("submitted", 0) + counts.get("info_requested", 0),
        "first_meetings": len(days),
        "days_to_first_meeting": {
            "mean": round(sum(days) / len(days), 1) if days else None,
            "median": statistics.median(days) if days else None,
        },
        "definition_meetings_before_acceptance": before,
    }


def request_condition(filters):
    """The support requests the request figures count (on top of the access policy): the unit and
    engagement filters, and the dates on when the request was received."""
    cond = SupportRequest.id.is_null(False)
    if filters.unit is not None:
        cond &= SupportRequest.unit == filters.unit
    if filters.engagement is not None:
        cond &= SupportRequest.id.in_(Engagement.select(Engagement.request).where(Engagement.id == filters.engagement))
    if filters.start:
        cond &= SupportRequest.created_at >= dt.datetime.combine(filters.start, dt.time.min)
    if filters.end:
        cond &= SupportRequest.created_at < dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time.min)
    return cond


FUNNEL_STEPS = (
    ("received", "Requests received"),
    ("accepted", "Accepted"),
    ("first_meeting", "First meeting held"),
    ("goal_achieved", "A goal achieved"),
    ("closed", "Engagement closed"),
)


def funnel(filters):
    """Requested against delivered, as a funnel over the support requests in scope (request_condition,
    within visible_requests): each step counts the requests that reached it and every step before, so
    no step is larger than the one above it.

    received → accepted (the request's status) → first meeting held (its engagement, one the user may
    see, has a live meeting) → a goal achieved (that engagement has a live goal whose status is
    achieved) → engagement closed (that engagement is closed). Engagements started without a request
    are not in it. Also the requests not accepted (what the first drop is made of).

    {"steps": [{"key", "label", "count", "drop", "share"}], "not_accepted": {"open", "declined", "withdrawn"}}:
    `drop` is how many fewer than the step before, `share` the count as a share of the step before (None for the
    first step, or when the step before is 0). One query."""
    visible = policy.visible_engagements(filters.user).select(Engagement.id)
    accepted = SupportRequest.status == "accepted"
    met = fn.EXISTS(
        Meeting.select(SQL("1")).where(
            (Meeting.engagement == Engagement.id) & Meeting.deleted_at.is_null() & filters.log_state_condition(Meeting)
        )
    )
    achieved = fn.EXISTS(
        Goal.select(SQL("1")).where(
            (Goal.engagement == Engagement.id) & Goal.deleted_at.is_null() & (Goal.status == "achieved")
        )
    )
    reached = [None, accepted]
    reached.append(accepted & Engagement.id.is_null(False) & met)
    reached.append(reached[-1] & achieved)
    reached.append(reached[-1] & (Engagement.status == "closed"))
    not_reached = {
        "open": SupportRequest.status.in_(("submitted", "info_requested")),
        "declined": SupportRequest.status == "declined",
        "withdrawn": SupportRequest.status == "withdrawn",
    }
    counted = [fn.COUNT(SupportRequest.id.distinct())] + [
        fn.COUNT(Case(None, [(cond, SupportRequest.id)]).distinct())
        for cond in reached[1:] + list(not_reached.values())
    ]
    row = (
        policy.visible_requests(filters.user)
        .select(*counted)
        .join(
            Engagement,
            JOIN.LEFT_OUTER,
            on=(Engagement.request == SupportRequest.id) & Engagement.id.in_(visible),
        )
        .where(request_condition(filters))
        .tuples()
        .get()
    )
    counts, others = [n or 0 for n in row[: len(FUNNEL_STEPS)]], [n or 0 for n in row[len(FUNNEL_STEPS) :]]
    steps = []
    for (key, label), count in zip(FUNNEL_STEPS, counts, strict=True):
        before = steps[-1]["count"] if steps else None
        steps.append(
            {
                "key": key,
                "label": label,
                "count": count,
                "drop": None if before is None else before - count,
                "share": round(count / before, 4) if before else None,
            }
        )
    return {"steps": steps, "not_accepted": dict(zip(not_reached, others, strict=True))}


def active_list_args(filters):
    """The engagement list's filters (tracker/forms/engagements.py EngagementFilterForm) that list the
    active engagements the dashboard counts (active_engagements): status, unit, ISP, model, current
    stage, by the names both take. None when one engagement is chosen: its page is the list."""
    if filters.engagement is not None:
        return None
    args = {
        "status": "active",
        "unit_id": filters.unit,
        "isp_id": filters.isp,
        "support_model": filters.model,
        "stage": filters.stage,
    }
    return {name: value for name, value in args.items() if value is not None}


def lead_times(rows):
    """From (request id, decided_at, engagement start, meeting date) rows: ([days from acceptance to the
    first meeting on or after it, one per request that has such a meeting], the number of meetings dated
    before acceptance). No figure is clamped."""
    accepted_on, dates = {}, {}
    for request_id, decided_at, start, date in rows:
        if decided_at is not None and not isinstance(decided_at, dt.datetime):
            decided_at = dt.datetime.fromisoformat(str(decided_at))
        accepted_on[request_id] = decided_at.date() if decided_at is not None else as_date(start)
        dates.setdefault(request_id, set()).add(as_date(date))
    days, before = [], 0
    for request_id, when in dates.items():
        accepted = accepted_on[request_id]
        after = [d for d in when if d >= accepted]
        before += len(when) - len(after)
        if after:
            days.append((min(after) - accepted).days)
    return days, before


def hours(filters):
    """{"meetings", "minutes", "activities", "activity_minutes",
    "by_month": [{"key", "label", "meetings", "minutes", "activities", "activity_minutes"}]}: the sessions'
    hours and, as their own figure, the work between meetings' (strategies.activities_by_month). Three queries (two
    from the rollups when they can answer the filters)."""
    (meetings, minutes), months = strategies.sessions_by_month(filters)
    between = strategies.activities_by_month(filters)
    return {
        "meetings": meetings or 0,
        "minutes": int(minutes or 0),
        "activities": sum(n for n, _m in between.values()),
        "activity_minutes": sum(m for _n, m in between.values()),
        "by_month": strategies.monthly_series(months, between),
    }


def overdue_deliverables(engagement_ids, as_of):
    """{engagement_id: [(title, due_on)]} of the live deliverables of these engagements not delivered and
    due before `as_of`, the longest overdue first (one query)."""
    found = defaultdict(list)
    for eid, title, due in (
        Deliverable.overdue(engagement_ids, as_of)
        .select(Deliverable.engagement, Deliverable.title, Deliverable.due_on)
        .tuples()
    ):
        found[eid].append((title, as_date(due)))
    return found


def _attention_condition(filters):
    """The active or paused engagements in scope: those "needing attention" is about."""
    return Engagement.id.in_(filters.engagement_ids()) & Engagement.status.in_(ATTENTION_STATUSES)


def _attention_engagements(filters):
    """Ids of the engagements _attention_condition selects (a subquery)."""
    return Engagement.select(Engagement.id).where(_attention_condition(filters))


@cached
def overdue_deliverable_count(filters, as_of=None):
    """Deliverables overdue on `as_of` (default today) in the active or paused engagements in scope."""
    found = overdue_deliverables(_attention_engagements(filters), as_of or today())
    return sum(len(rows) for rows in found.values())


@cached
def needs_attention(filters, as_of=None):
    """Active or paused engagements in scope that need attention, with the reasons:
    [{"id", "title", "unit", "reasons": [{"key", "text"}]}], most reasons first. Seven queries."""
    as_of = as_of or today()
    engagements = list(
        Engagement.select(Engagement.id, Engagement.title, Engagement.start_date, Unit.name)
        .join(Unit)
        .where(_attention_condition(filters))
        .order_by(Engagement.title, Engagement.id)
        .tuples()
    )
    if not engagements:
        return []
    ids = _attention_engagements(filters)  # a subquery: never every engagement's id as a bound parameter
    last_meeting = {
        eid: as_date(d)
        for eid, d in Meeting.select(Meeting.engagement, fn.MAX(Meeting.date))
        .where(
            Meeting.engagement.in_(ids)
            & Meeting.deleted_at.is_null()
            & filters.log_state_condition(Meeting)
            & (Meeting.date <= as_of)
        )
        .group_by(Meeting.engagement)
        .tuples()
    }
    last_benchmark = {
        eid: as_date(d)
        for eid, d in Benchmark.select(Benchmark.engagement, fn.MAX(Benchmark.completed_on))
        .where(
            Benchmark.engagement.in_(ids)
            & Benchmark.deleted_at.is_null()
            & Benchmark.completed_on.is_null(False)
            & (Benchmark.completed_on <= as_of)
        )
        .group_by(Benchmark.engagement)
        .tuples()
    }
    stuck = defaultdict(list)
    goal_cutoff = as_of - dt.timedelta(days=STUCK_GOAL_DAYS)
    for eid, title, created, changed in (
        Goal.select(Goal.engagement, Goal.title, Goal.created_at, fn.MAX(GoalStatusChange.changed_on))
        .left_outer_join(GoalStatusChange, on=(GoalStatusChange.goal == Goal.id))
        .where(Goal.engagement.in_(ids) & Goal.deleted_at.is_null() & Goal.status.in_(OPEN_GOAL_STATUSES))
        .group_by(Goal.id, Goal.engagement, Goal.title, Goal.created_at)
        .order_by(Goal.id)
        .tuples()
    ):
        since = as_date(changed) if changed is not None else as_date(created)
        if since < goal_cutoff:
            stuck[eid].append((title, since))
    falling = _falling_feedback(ids, as_of)
    overdue = overdue_deliverables(ids, as_of)
    isp_led = power_reports.isp_led_co_creation(ids, as_of)

    meeting_cutoff = as_of - dt.timedelta(days=QUIET_MEETING_DAYS)
    benchmark_cutoff = as_of - dt.timedelta(days=QUIET_BENCHMARK_DAYS)
    out = []
    for eid, title, start, unit_name in engagements:
        start = as_date(start)
        reasons = []
        last = last_meeting.get(eid)
        if last is not None and last < meeting_cutoff:
            reasons.append({"key": "no_meeting", "text": f"No meeting in 6 weeks (last on {format_date(last)})."})
        elif last is None and start < meeting_cutoff:
            reasons.append({"key": "no_meeting", "text": f"No meeting logged since the start ({format_date(start)})."})
        last = last_benchmark.get(eid)
        if last is not None and last < benchmark_cutoff:
            reasons.append(
                {"key": "no_benchmark", "text": f"No benchmark completed in 90 days (last on {format_date(last)})."}
            )
        elif last is None and start < benchmark_cutoff:
            reasons.append({"key": "no_benchmark", "text": "No benchmark completed in the last 90 days."})
        if stuck.get(eid):
            goal_title, since = stuck[eid][0]
            more = f" (and {len(stuck[eid]) - 1} more)" if len(stuck[eid]) > 1 else ""
            reasons.append(
                {"key": "stuck_goal", "text": f"Goal “{goal_title}” unchanged since {format_date(since)}{more}."}
            )
        if eid in falling:
            before, recent = falling[eid]
            reasons.append(
                {
                    "key": "falling_feedback",
                    "text": f"Feedback falling: mean {recent:.2f} in the last 90 days, "
                    f"{before:.2f} in the 90 days before.",
                }
            )
        if overdue.get(eid):
            deliverable, due = overdue[eid][0]
            more = f" (and {len(overdue[eid]) - 1} more)" if len(overdue[eid]) > 1 else ""
            reasons.append(
                {
                    "key": "overdue_deliverable",
                    "text": f"Deliverable “{deliverable}” overdue since {format_date(due)}{more}.",
                }
            )
        if eid in isp_led:
            sessions, since = isp_led[eid]
            reasons.append(
                {
                    "key": "isp_led",
                    "text": f"Co-creation, but the ISPs set the agenda of every session since {format_date(since)} "
                    f"({sessions} session{'s' if sessions != 1 else ''}).",
                }
            )
        if reasons:
            out.append({"id": eid, "title": title, "unit": unit_name, "reasons": reasons})
    out.sort(key=lambda r: -len(r["reasons"]))
    return out


def _falling_feedback(engagement_ids, as_of):
    """{engagement_id: (mean before, mean recent)} for engagements whose feedback fell, from released
    feedback only (reports/feedback.engagement_means: the disclosure rule, docs/disclosure.md)."""
    recent_from = as_of - dt.timedelta(days=FEEDBACK_WINDOW_DAYS)
    before_from = recent_from - dt.timedelta(days=FEEDBACK_WINDOW_DAYS)
    day = dt.timedelta(days=1)
    before = feedback_reports.engagement_means(engagement_ids, before_from + day, recent_from)
    recent = feedback_reports.engagement_means(engagement_ids, recent_from + day, as_of)
    return {
        eid: (before[eid][0], recent[eid][0])
        for eid in before.keys() & recent.keys()
        if before[eid][0] - recent[eid][0] >= FEEDBACK_DROP - 1e-9
    }


@cached
def dashboard(filters, as_of=None):
    """Everything the portfolio dashboard shows."""
    used = competency_reports.competencies_used(filters)
    top = sorted((c for c in used["competencies"] if c["meetings"]), key=lambda c: (-c["meetings"], c["name"]))[:5]
    return {
        "active": active_engagements(filters),
        "requests": requests_delivered(filters),
        "funnel": funnel(filters),
        "hours": hours(filters),
        "attention": needs_attention(filters, as_of),
        "overdue_deliverables": overdue_deliverable_count(filters, as_of),
        "competencies": {
            "framework": used["framework"],
            "total_meetings": used["total_meetings"],
            "domains": used["domains"],
            "top": top,
        },
    }
