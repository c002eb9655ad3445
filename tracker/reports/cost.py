"""Cost of support (issue 19): what the intermediary's time with an engagement costs, by stage, per stage
advanced and per goal achieved, for one engagement and across the portfolio.

The definition (the one place it is written):

- A session (a live meeting) costs its minutes x the sum of the hourly rates of the ISPs who attended it,
  / 60. An attending ISP is an attendee whose user has the ISP role. An ISP's rate is their own
  (`user.hourly_rate`), else their organization's (`organization.hourly_rate`, the intermediary's rate).
- A session whose cost is not fully known is "without a rate": no ISP attended, or an attending ISP has
  no rate and their organization none either. Such a session adds the part that is known (nothing when
  no rate is known) and is counted in `sessions_without_rate`, so every cost shown is a lower bound
  whenever that count is not 0.
- A stage's minutes and cost are those of the sessions dated while the engagement was in the stage: its
  stage visits as progress.stage_visits gives them (an entry lasts until the next entry's date; a session
  on the day of a move belongs to the stage entered that day; the last visit runs on with no end). Over
  every visit of the stage. Sessions before the first stage entry are "before any stage" (`unstaged`):
  in the totals, in no stage.
- Stages advanced: the stage entries after the first whose stage comes later in the stage order than the
  entry before it (a move back, or a re-entry of the same stage, is not an advance). Cost per stage
  advanced = total cost / stages advanced; None when none was advanced.
- Goals achieved: live goals whose status is "achieved". Cost per goal achieved = total cost / goals
  achieved; None when none.

Costs are in the one currency COST_CURRENCY (app config), rounded to cents only when shown.
Queries: a fixed number whatever the number of sessions (meetings and attendees read as rows of ids,
dates, minutes and rates in one query; nothing loaded per session).
"""

import itertools
from collections import defaultdict

from peewee import JOIN, fn

from ..models import Engagement, Goal, Meeting, MeetingAttendee, Organization, Stage, User, today
from .cache import cached, cached_by_arguments
from .filters import as_date, logged
from .progress import engagements_in_scope, scope_stage_entries, stage_entries, stage_visits

UNSTAGED = "unstaged"


def _sessions(engagement_ids, logs="all"):
    """({engagement_id: [(meeting id, date, minutes)]}, {meeting id: [the hourly rate of each attending ISP,
    None when unknown]}) of the live meetings (`logs`: which logs count, filters.logged): one query, a row per
    meeting and attendee."""
    sessions, rates = defaultdict(dict), defaultdict(list)
    for mid, eid, day, minutes, user_id, own, organization in (
        Meeting.select(
            Meeting.id,
            Meeting.engagement,
            Meeting.date,
            Meeting.duration_minutes,
            User.id,
            User.hourly_rate,
            Organization.hourly_rate,
        )
        .join(MeetingAttendee, JOIN.LEFT_OUTER, on=(MeetingAttendee.meeting == Meeting.id))
        .join(User, JOIN.LEFT_OUTER, on=((MeetingAttendee.user == User.id) & (User.role == "isp")))
        .join(Organization, JOIN.LEFT_OUTER, on=(User.organization == Organization.id))
        .where(Meeting.engagement.in_(engagement_ids) & Meeting.deleted_at.is_null() & logged(Meeting, logs))
        .order_by(Meeting.date, Meeting.id)
        .tuples()
    ):
        sessions[eid][mid] = (mid, as_date(day), minutes or 0)
        if user_id is not None:
            rates[mid].append(own if own is not None else organization)
    return {eid: list(by_id.values()) for eid, by_id in sessions.items()}, rates


def session_cost(minutes, rates):
    """(cost, fully known) of a session of `minutes` attended by ISPs of `rates` (module docstring)."""
    known = [r for r in rates if r is not None]
    return minutes * sum(known) / 60, bool(rates) and len(known) == len(rates)


def _goals_achieved(engagement_ids):
    """{engagement_id: live goals achieved} (one query)."""
    return dict(
        Goal.select(Goal.engagement, fn.COUNT(Goal.id))
        .where(Goal.engagement.in_(engagement_ids) & Goal.deleted_at.is_null() & (Goal.status == "achieved"))
        .group_by(Goal.engagement)
        .tuples()
    )


def stages_advanced(entries, position):
    """How many of one engagement's stage entries (in date order) moved forward (module docstring)."""
    return sum(
        1 for before, entry in itertools.pairwise(entries) if position[entry.stage_id] > position[before.stage_id]
    )


def _stage_of(day, visits):
    """The stage id the engagement was in on `day` (None: before its first stage entry)."""
    found = None
    for entry, left, _days in visits:
        if entry.entered_on <= day and (left is None or day < left):
            found = entry.stage_id
    return found


def _per(total, count):
    return total / count if count else None


def _figures(engagement, stages, sessions, rates, entries, achieved, as_of):
    """One engagement's cost (the shape of engagement_cost) from rows already read."""
    position = {s.id: i for i, s in enumerate(stages)}
    visits = stage_visits(entries, engagement, as_of)
    minutes, cost = defaultdict(int), defaultdict(float)
    without = defaultdict(int)
    for mid, day, length in sessions:
        stage_id = _stage_of(day, visits)
        amount, known = session_cost(length, rates.get(mid, []))
        minutes[stage_id] += length
        cost[stage_id] += amount
        without[stage_id] += 0 if known else 1
    total_cost = sum(cost.values())
    advanced = stages_advanced(entries, position)
    return {
        "stages": [
            {
                "key": s.key,
                "name": s.name,
                "minutes": minutes[s.id],
                "cost": cost[s.id],
                "sessions_without_rate": without[s.id],
            }
            for s in stages
        ],
        "unstaged": {"minutes": minutes[None], "cost": cost[None], "sessions_without_rate": without[None]},
        "sessions": len(sessions),
        "total_cost": total_cost,
        "total_minutes": sum(minutes.values()),
        "stages_advanced": advanced,
        "goals_achieved": achieved,
        "cost_per_stage_advanced": _per(total_cost, advanced),
        "cost_per_goal_achieved": _per(total_cost, achieved),
        "sessions_without_rate": sum(without.values()),
    }


@cached_by_arguments
def engagement_cost(engagement_id, as_of=None):
    """One engagement's cost of support (called after the access check; recipients never get here:
    policy.can_see_cost): {"stages": [{"key", "name", "minutes", "cost", "sessions_without_rate"}] (every
    stage, in order), "unstaged": {"minutes", "cost", "sessions_without_rate"}, "sessions", "total_cost",
    "total_minutes", "stages_advanced", "goals_achieved", "cost_per_stage_advanced",
    "cost_per_goal_achieved", "sessions_without_rate"}. Five queries."""
    engagement = Engagement.get_by_id(engagement_id)
    ids = [engagement_id]
    sessions, rates = _sessions(ids)
    return _figures(
        engagement,
        list(Stage.ordered()),
        sessions.get(engagement_id, []),
        rates,
        stage_entries(ids)[engagement_id],
        _goals_achieved(ids).get(engagement_id, 0),
        as_of or today(),
    )


@cached
def portfolio_cost(filters, as_of=None):
    """The cost of support of every engagement in scope (filters.engagement_ids: visibility, engagement,
    unit, model, ISP, current stage; the report covers whole engagements, so dates and meeting kinds do
    not apply): {"engagements": [{"id", "title", "unit", **the engagement's figures}] (by unit, title),
    "stages": [{"key", "name", "minutes", "cost", "sessions_without_rate"}] (summed over the engagements),
    "unstaged", "sessions", "total_cost", "total_minutes", "stages_advanced", "goals_achieved",
    "cost_per_stage_advanced", "cost_per_goal_achieved", "sessions_without_rate"} (the portfolio's
    totals; per stage advanced and per goal achieved over all the engagements' advances and goals).
    Six queries."""
    as_of = as_of or today()
    stages = list(Stage.ordered())
    engagements = engagements_in_scope(filters)
    ids = [e.id for e in engagements]
    scope = filters.engagement_ids()  # a subquery: never every visible id as a bound parameter
    sessions, rates = _sessions(scope, filters.logs) if ids else ({}, {})
    entries, achieved = (scope_stage_entries(filters), _goals_achieved(scope)) if ids else ({}, {})
    rows = [
        {
            "id": e.id,
            "title": e.title,
            "unit": e.unit_name,
            **_figures(e, stages, sessions.get(e.id, []), rates, entries.get(e.id, []), achieved.get(e.id, 0), as_of),
        }
        for e in engagements
    ]
    counted = ("minutes", "cost", "sessions_without_rate")
    total_cost = sum(r["total_cost"] for r in rows)
    advanced = sum(r["stages_advanced"] for r in rows)
    goals = sum(r["goals_achieved"] for r in rows)
    return {
        "engagements": rows,
        "stages": [
            {"key": s.key, "name": s.name, **{k: sum(r["stages"][i][k] for r in rows) for k in counted}}
            for i, s in enumerate(stages)
        ],
        "unstaged": {k: sum(r["unstaged"][k] for r in rows) for k in counted},
        "sessions": sum(r["sessions"] for r in rows),
        "total_cost": total_cost,
        "total_minutes": sum(r["total_minutes"] for r in rows),
        "stages_advanced": advanced,
        "goals_achieved": goals,
        "cost_per_stage_advanced": _per(total_cost, advanced),
        "cost_per_goal_achieved": _per(total_cost, goals),
        "sessions_without_rate": sum(r["sessions_without_rate"] for r in rows),
    }
