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
Queries: a fixed number whatever the number of sessions (one grouped query sums the sessions of each
engagement and stage in the database; nothing is read per session).
"""

import itertools
from collections import defaultdict

from peewee import JOIN, SQL, Case, fn

from ..models import Goal, Meeting, MeetingAttendee, Organization, Stage, User, today
from .cache import cached, cached_by_arguments
from .filters import logged
from .progress import engagements_in_scope, scope_stage_entries, stage_entries, visit_rows

UNSTAGED = "unstaged"


def stage_sums(engagement_ids, logs="all"):
    """{engagement_id: {stage_id, or None before the first entry: (sessions, minutes, cost, sessions without
    a rate)}} of the live meetings (`logs`: which logs count, filters.logged), each session in the stage of
    the visit it falls in and costing its minutes x its attending ISPs' rates / 60 (module docstring: the
    last visit runs on with no end; a cost is fully known when an ISP attended and every one has a rate):
    one grouped query, no row per session."""
    rate = fn.COALESCE(User.hourly_rate, Organization.hourly_rate)
    per_session = (
        Meeting.select(
            Meeting.engagement.alias("eid"),
            Meeting.date.alias("day"),
            fn.COALESCE(Meeting.duration_minutes, 0).alias("minutes"),
            fn.COUNT(User.id).alias("isps"),
            fn.COUNT(rate).alias("known"),
            fn.COALESCE(fn.SUM(rate), 0).alias("rate"),
        )
        .join(MeetingAttendee, JOIN.LEFT_OUTER, on=(MeetingAttendee.meeting == Meeting.id))
        .join(User, JOIN.LEFT_OUTER, on=((MeetingAttendee.user == User.id) & (User.role == "isp")))
        .join(Organization, JOIN.LEFT_OUTER, on=(User.organization == Organization.id))
        .where(Meeting.engagement.in_(engagement_ids) & Meeting.deleted_at.is_null() & logged(Meeting, logs))
        .group_by(Meeting.id)
        .alias("sessions")
    )
    visits = visit_rows(engagement_ids)
    c = per_session.c
    in_visit = (
        (visits.c.engagement_id == c.eid)
        & (c.day >= visits.c.entered_on)
        & (visits.c.left_on.is_null() | (c.day < visits.c.left_on))
    )
    fully_known = (c.isps > 0) & (c.known == c.isps)
    query = (
        per_session.select_from(
            c.eid,
            visits.c.stage_id,
            fn.COUNT(SQL("*")),
            fn.SUM(c.minutes),
            fn.SUM(c.minutes * c.rate / 60.0),
            fn.SUM(Case(None, [(fully_known, 0)], 1)),
        )
        .join(visits, JOIN.LEFT_OUTER, on=in_visit)
        .group_by(c.eid, visits.c.stage_id)
        .tuples()
    )
    out = defaultdict(dict)
    for eid, stage_id, sessions, minutes, cost, without in query:
        out[eid][stage_id] = (sessions, int(minutes or 0), float(cost or 0), int(without or 0))
    return out


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


def _per(total, count):
    return total / count if count else None


def _figures(stages, sums, entries, achieved):
    """One engagement's cost (the shape of engagement_cost) from its stage_sums and stage entries."""
    position = {s.id: i for i, s in enumerate(stages)}
    minutes, cost, without = defaultdict(int), defaultdict(float), defaultdict(int)
    for stage_id, (_sessions, length, amount, unknown) in sums.items():
        minutes[stage_id], cost[stage_id], without[stage_id] = length, amount, unknown
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
        "sessions": sum(n for n, *_rest in sums.values()),
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
    ids = [engagement_id]
    return _figures(
        list(Stage.ordered()),
        stage_sums(ids).get(engagement_id, {}),
        stage_entries(ids)[engagement_id],
        _goals_achieved(ids).get(engagement_id, 0),
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
    sums = stage_sums(scope, filters.logs) if ids else {}
    entries, achieved = (scope_stage_entries(filters), _goals_achieved(scope)) if ids else ({}, {})
    rows = [
        {
            "id": e.id,
            "title": e.title,
            "unit": e.unit_name,
            **_figures(stages, sums.get(e.id, {}), entries.get(e.id, []), achieved.get(e.id, 0)),
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
