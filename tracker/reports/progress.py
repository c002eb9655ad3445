"""Progress movement, for one engagement and across the portfolio: the stage timeline (entries,
revisits, days in stage), the stage scores after the Stages of Implementation Completion (SIC: per
stage the duration and the proportion of its benchmarks completed; the furthest stage reached), goals
by status and their status changes over time, and feedback scales over time.

Days in stage: an entry lasts from its date to the next entry's date; the last entry runs to `as_of`
(today), or to the end date of a closed engagement. A stage's days are the sum over its visits.

SIC duration (first to last activity), beside days in stage as the SIC measure defines it: the days
from the first to the last activity dated in the stage. The activities that count are the stage's
benchmarks completed (their completion dates, whenever completed: a benchmark belongs to its stage, as
an SIC activity does) and the meetings held while the engagement was in the stage (a meeting on the day
of a stage move belongs to the stage entered that day; the last visit includes its end day). Over all
the visits of a stage, so it can exceed days in stage (a revisit, a stage's benchmark completed after
moving on). One activity gives 0 days; a stage with none has no SIC duration (None). Across the
portfolio, a stage's mean SIC duration is over the engagements with an activity in it.

Pure query functions: a fixed number of queries whatever the data size; meetings are read only as
each stage's first and last meeting day (one grouped query), never loaded.
"""

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from peewee import Case, fn

from ..models import (
    GOAL_STATUSES,
    IMPLEMENTATION_OUTCOMES,
    Benchmark,
    Engagement,
    Goal,
    GoalMeasurement,
    GoalStatusChange,
    Meeting,
    Stage,
    StageEntry,
    Unit,
    progress_toward_target,
    today,
)
from . import feedback as feedback_reports
from .cache import cached
from .filters import as_date, logged, month_label, month_of, month_range, share


def stage_visits(entries, engagement, as_of):
    """[(entry, left_on, days)] for one engagement's stage entries (sorted by date, id): an entry lasts
    until the next one, the last until `as_of` or the end date of a closed engagement."""
    end = as_of
    if engagement.status == "closed" and engagement.end_date and engagement.end_date < as_of:
        end = engagement.end_date
    out = []
    for i, entry in enumerate(entries):
        left = entries[i + 1].entered_on if i + 1 < len(entries) else None
        days = max(0, ((left or end) - entry.entered_on).days)
        out.append((entry, left, days))
    return out


def engagements_in_scope(filters):
    """The engagements the filters let through (visibility and engagement-level filters), with what their stage
    visits need (id, title, status, start and end dates) and `unit_name`, by unit and title (one query)."""
    return list(
        Engagement.select(
            Engagement.id,
            Engagement.title,
            Engagement.status,
            Engagement.start_date,
            Engagement.end_date,
            Unit.name.alias("unit_name"),
        )
        .join(Unit)
        .where(Engagement.id.in_(filters.engagement_ids()))
        .order_by(Unit.name, Engagement.title, Engagement.id)
        .objects()
    )


class Entry(NamedTuple):
    """A stage entry as the reports read it: no model object (a portfolio has thousands)."""

    engagement_id: int
    stage_id: int
    entered_on: dt.date


def stage_entries(engagement_ids):
    """{engagement_id: [Entry sorted by date, id]} (one query)."""
    by_engagement = defaultdict(list)
    for eid, sid, day in (
        StageEntry.select(StageEntry.engagement, StageEntry.stage, StageEntry.entered_on)
        .where(StageEntry.engagement.in_(engagement_ids))
        .order_by(StageEntry.engagement, StageEntry.entered_on, StageEntry.id)
        .tuples()
    ):
        by_engagement[eid].append(Entry(eid, sid, as_date(day)))
    return by_engagement


def benchmark_counts(engagement_ids):
    """{(engagement_id, stage_id): (total, completed, first done, last done)} (one query)."""
    out = {}
    for eid, sid, total, done, first, last in (
        Benchmark.select(
            Benchmark.engagement,
            Benchmark.stage,
            fn.COUNT(Benchmark.id),
            fn.COUNT(Benchmark.completed_on),
            fn.MIN(Benchmark.completed_on),
            fn.MAX(Benchmark.completed_on),
        )
        .where(Benchmark.engagement.in_(engagement_ids) & Benchmark.deleted_at.is_null())
        .group_by(Benchmark.engagement, Benchmark.stage)
        .tuples()
    ):
        out[(eid, sid)] = (total, done, as_date(first), as_date(last))
    return out


@cached
def scope_stage_entries(filters):
    """stage_entries of the engagements the filters let through, kept per filters and data version: the
    progress page's figures and its journeys, and the cost report, read the same ones."""
    return dict(stage_entries(filters.engagement_ids()))


@cached
def scope_benchmark_counts(filters):
    """benchmark_counts of the engagements the filters let through, kept as scope_stage_entries is."""
    return benchmark_counts(filters.engagement_ids())


def visit_rows(engagement_ids, name="visits"):
    """A subquery of the stage visits of the engagements `engagement_ids` selects, as stage_visits makes them:
    engagement_id, stage_id, entered_on and left_on (the next entry's date; NULL for the last visit)."""
    left_on = fn.LEAD(StageEntry.entered_on).over(
        partition_by=[StageEntry.engagement], order_by=[StageEntry.entered_on, StageEntry.id]
    )
    return (
        StageEntry.select(StageEntry.engagement, StageEntry.stage, StageEntry.entered_on, left_on.alias("left_on"))
        .where(StageEntry.engagement.in_(engagement_ids))
        .alias(name)
    )


def meeting_spans(engagement_ids, as_of):
    """{(engagement_id, stage_id): (first day, last day)} of the live logged meetings held while each
    engagement was in each stage, over all its visits (one grouped query, the meetings never read one by one):
    a visit runs from its entry's date to the next entry's date (exclusive); the last one to the end of
    stage_visits (as_of, or a closed engagement's end date), inclusive, and at least its own first day."""
    visits = visit_rows(engagement_ids)
    closed_early = (Engagement.status == "closed") & (Engagement.end_date < as_of)
    end = Case(None, [(closed_early, Engagement.end_date)], as_of)
    in_visit = (Meeting.date >= visits.c.entered_on) & (
        (visits.c.left_on.is_null(False) & (Meeting.date < visits.c.left_on))
        | (visits.c.left_on.is_null() & ((Meeting.date <= end) | (Meeting.date == visits.c.entered_on)))
    )
    query = (
        Meeting.select(visits.c.engagement_id, visits.c.stage_id, fn.MIN(Meeting.date), fn.MAX(Meeting.date))
        .join(Engagement, on=Engagement.id == Meeting.engagement)
        .join(visits, on=(visits.c.engagement_id == Meeting.engagement) & in_visit)  # after: it reads Engagement
        .where(Meeting.deleted_at.is_null() & logged(Meeting))
        .group_by(visits.c.engagement_id, visits.c.stage_id)
        .tuples()
    )
    return {(eid, sid): (as_date(first), as_date(last)) for eid, sid, first, last in query}


def per_engagement(keyed):
    """{engagement_id: {stage_id: value}} of a {(engagement_id, stage_id): value} mapping (meeting_spans,
    benchmark_counts); an engagement with none gives {}."""
    split = defaultdict(dict)
    for (eid, sid), value in keyed.items():
        split[eid][sid] = value
    return split


def sic_durations(spans, benchmarks):
    """{stage_id: {"first_activity_on", "last_activity_on", "sic_duration"}} for the stages of one engagement
    with an activity (module docstring): its `spans` ({stage_id: (first, last)} of meeting_spans) and its
    `benchmarks` ({stage_id: (total, done, first, last)} of benchmark_counts), each split by per_engagement."""
    dates = defaultdict(list)
    for source in (spans, benchmarks):
        for sid, found in source.items():
            dates[sid] += [d for d in found[-2:] if d]
    return {
        sid: {"first_activity_on": min(ds), "last_activity_on": max(ds), "sic_duration": (max(ds) - min(ds)).days}
        for sid, ds in dates.items()
        if ds
    }


def _goals(engagement_ids, filters):
    """{"by_status": {status: n}, "months": [...], "changes": {status: [n per month]}} (two queries)."""
    by_status = {key: 0 for key, _ in GOAL_STATUSES}
    for status, n in (
        Goal.select(Goal.status, fn.COUNT(Goal.id))
        .where(Goal.engagement.in_(engagement_ids) & Goal.deleted_at.is_null())
        .group_by(Goal.status)
        .tuples()
    ):
        by_status[status] = n
    month = month_of(GoalStatusChange.changed_on)
    changes = {
        (m, status): n
        for m, status, n in GoalStatusChange.select(month, GoalStatusChange.status, fn.COUNT(GoalStatusChange.id))
        .join(Goal)
        .where(
            Goal.engagement.in_(engagement_ids)
            & Goal.deleted_at.is_null()
            & filters.date_condition(GoalStatusChange.changed_on)
        )
        .group_by(month, GoalStatusChange.status)
        .tuples()
    }
    months = month_range({m for m, _ in changes})
    return {
        "by_status": by_status,
        "labels": dict(GOAL_STATUSES),
        "transitions": {
            "months": [{"key": m, "label": month_label(m)} for m in months],
            "by_status": {key: [changes.get((m, key), 0) for m in months] for key, _ in GOAL_STATUSES},
        },
    }


@cached
def engagement_progress(filters, as_of=None):
    """One engagement (filters.engagement), or None when it is not in the user's scope.

    {"engagement": {"id", "ref", "title", "status"},
     "stages": [{"key", "name", "entered_on", "days", "visits", "benchmarks_total", "benchmarks_completed",
                 "proportion", "first_benchmark_on", "last_benchmark_on", "first_activity_on",
                 "last_activity_on", "sic_duration"}]   (every stage, in order; entered_on/days None for a
                 stage not reached, the activity keys None for a stage without activity),
     "timeline": [{"key", "name", "entered_on", "left_on", "days", "revisit"}],
     "furthest_stage": key or None, "furthest_stage_name", "current_stage",
     "goals": {"by_status": {status: n}, "transitions": {...}},
     "feedback": [{"label", "responses", "scales": {scale: {"mean", "n", "suppressed"}}}] by quarter}"""
    as_of = as_of or today()
    engagement = (
        (filters.replace(isp=None, stage=None)._engagements().where(Engagement.id == filters.engagement).first())
        if filters.engagement
        else None
    )
    if engagement is None:
        return None
    stages = list(Stage.ordered())
    entries = stage_entries([engagement.id])[engagement.id]
    benchmarks = benchmark_counts([engagement.id])
    timeline, seen = [], set()
    days, visits, first_entry = defaultdict(int), defaultdict(int), {}
    visited = stage_visits(entries, engagement, as_of)
    sic = sic_durations(
        per_engagement(meeting_spans([engagement.id], as_of))[engagement.id], per_engagement(benchmarks)[engagement.id]
    )
    no_activity = {"first_activity_on": None, "last_activity_on": None, "sic_duration": None}
    for entry, left, n in visited:
        stage = next(s for s in stages if s.id == entry.stage_id)
        timeline.append(
            {
                "key": stage.key,
                "name": stage.name,
                "entered_on": entry.entered_on,
                "left_on": left,
                "days": n,
                "revisit": entry.stage_id in seen,
            }
        )
        seen.add(entry.stage_id)
        days[entry.stage_id] += n
        visits[entry.stage_id] += 1
        first_entry.setdefault(entry.stage_id, entry.entered_on)
    rows = []
    for s in stages:
        total, done, first, last = benchmarks.get((engagement.id, s.id), (0, 0, None, None))
        rows.append(
            {
                "key": s.key,
                "name": s.name,
                "entered_on": first_entry.get(s.id),
                "days": days[s.id] if s.id in seen else None,
                "visits": visits.get(s.id, 0),
                "benchmarks_total": total,
                "benchmarks_completed": done,
                "proportion": share(done, total),
                "first_benchmark_on": first,
                "last_benchmark_on": last,
                **sic.get(s.id, no_activity),
            }
        )
    reached = [s for s in stages if s.id in seen]
    furthest = reached[-1] if reached else None
    current = next((s for s in stages if entries and s.id == entries[-1].stage_id), None)
    return {
        "engagement": {
            "id": engagement.id,
            "ref": engagement.ref,
            "title": engagement.title,
            "status": engagement.status,
        },
        "stages": rows,
        "timeline": timeline,
        "furthest_stage": furthest.key if furthest else None,
        "furthest_stage_name": furthest.name if furthest else None,
        "current_stage": current.key if current else None,
        "goals": _goals([engagement.id], filters),
        "feedback": [
            {"label": p["label"], "responses": p["responses"], "scales": p["scales"]}
            for p in feedback_reports.scores_over_time(engagement.id)
        ],
    }


def portfolio_progress(filters, as_of=None):
    """Across the engagements in scope:
    {"engagements": n,
     "stages": [{"key", "name", "engagements" (that entered it), "entries", "revisits", "current",
                 "days", "mean_days" (per engagement that entered it), "mean_sic_duration" (per engagement
                 with an activity in it), "benchmarks_total",
                 "benchmarks_completed", "proportion"}],
     "furthest_stage": key of the furthest stage any engagement reached, "furthest_stage_name",
     "furthest": [{"key", "name", "engagements"}]  (engagements whose furthest stage it is),
     "rows": [{"id", "title", "current_stage", "furthest_stage", "days_in_current", "benchmarks_total",
               "benchmarks_completed", "proportion"}],
     "goals": {...}, "feedback": {scale: {"mean", "n", "suppressed"}}}"""
    as_of = as_of or today()
    engagements = list(
        Engagement.select(Engagement.id, Engagement.title, Engagement.status, Engagement.end_date)
        .where(Engagement.id.in_(filters.engagement_ids()))
        .order_by(Engagement.title, Engagement.id)
    )
    ids = [e.id for e in engagements]
    scope = filters.engagement_ids()  # a subquery: never every visible id as a bound parameter
    stages = list(Stage.ordered())
    by_id = {s.id: s for s in stages}
    entries = scope_stage_entries(filters) if ids else {}
    benchmarks = scope_benchmark_counts(filters) if ids else {}
    spans = meeting_spans(scope, as_of) if ids else {}
    per_stage = {
        s.id: {"engagements": set(), "entries": 0, "revisits": 0, "current": 0, "days": 0, "sic": []} for s in stages
    }
    furthest_count = defaultdict(int)
    by_engagement, by_stage = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    benchmarks_of, spans_of = per_engagement(benchmarks), per_engagement(spans)  # for sic_durations
    for (eid, sid), (total, done, _first, _last) in benchmarks.items():
        by_engagement[eid][0] += total
        by_engagement[eid][1] += done
        by_stage[sid][0] += total
        by_stage[sid][1] += done
    rows = []
    for e in engagements:
        timeline = stage_visits(entries.get(e.id, []), e, as_of)
        seen = set()
        for entry, _left, n in timeline:
            stat = per_stage[entry.stage_id]
            stat["revisits"] += entry.stage_id in seen
            seen.add(entry.stage_id)
            stat["engagements"].add(e.id)
            stat["entries"] += 1
            stat["days"] += n
        for sid, activity in sic_durations(spans_of[e.id], benchmarks_of[e.id]).items():
            per_stage[sid]["sic"].append(activity["sic_duration"])
        current = by_id[timeline[-1][0].stage_id] if timeline else None
        if current:
            per_stage[current.id]["current"] += 1
        furthest = max((by_id[sid] for sid in seen), key=lambda s: (s.position, s.id), default=None)
        if furthest:
            furthest_count[furthest.id] += 1
        total, done = by_engagement[e.id]
        rows.append(
            {
                "id": e.id,
                "title": e.title,
                "current_stage": current.name if current else None,
                "furthest_stage": furthest.name if furthest else None,
                "days_in_current": timeline[-1][2] if timeline else None,
                "benchmarks_total": total,
                "benchmarks_completed": done,
                "proportion": share(done, total),
            }
        )
    stage_rows = []
    for s in stages:
        stat = per_stage[s.id]
        total, done = by_stage[s.id]
        n = len(stat["engagements"])
        stage_rows.append(
            {
                "key": s.key,
                "name": s.name,
                "engagements": n,
                "entries": stat["entries"],
                "revisits": stat["revisits"],
                "current": stat["current"],
                "days": stat["days"],
                "mean_days": round(stat["days"] / n, 1) if n else None,
                "mean_sic_duration": round(sum(stat["sic"]) / len(stat["sic"]), 1) if stat["sic"] else None,
                "benchmarks_total": total,
                "benchmarks_completed": done,
                "proportion": share(done, total),
            }
        )
    reached = [s for s in stages if per_stage[s.id]["engagements"]]
    return {
        "engagements": len(engagements),
        "stages": stage_rows,
        "furthest_stage": reached[-1].key if reached else None,
        "furthest_stage_name": reached[-1].name if reached else None,
        "furthest": [{"key": s.key, "name": s.name, "engagements": furthest_count.get(s.id, 0)} for s in stages],
        "rows": rows,
        "goals": _goals(scope, filters),
        "feedback": feedback_reports.scale_scores(filters.engagement_ids(), filters.start, filters.end) if ids else {},
    }


@cached
def progress(filters, as_of=None):
    """One engagement's progress when filters.engagement is set, else the portfolio's."""
    if filters.engagement:
        return engagement_progress(filters, as_of)
    return portfolio_progress(filters, as_of)


@cached
def outcomes_by_type(filters):
    """Goals whose indicator is tagged with an implementation outcome (Proctor et al. 2011), by type,
    across the engagements in scope, as they stand now (live goals; the period filter does not apply):
    [{"key", "name", "goals", "achieved" (status achieved), "measured" (with a measure and a value),
      "mean_progress" (the mean progress toward target of those, models.progress_toward_target; None
      when none is measured)}], in the order of IMPLEMENTATION_OUTCOMES, types without goals left out.
    Two queries."""
    goals = list(
        Goal.select(Goal.id, Goal.outcome, Goal.status, Goal.baseline_value, Goal.target_value, Goal.measure_direction)
        .where(Goal.engagement.in_(filters.engagement_ids()) & Goal.deleted_at.is_null() & Goal.outcome.is_null(False))
        .order_by(Goal.id)
    )
    latest = {}  # goal id -> its latest-dated value (ties: the latest entered)
    if goals:
        for goal_id, value in (
            GoalMeasurement.select(GoalMeasurement.goal, GoalMeasurement.value)
            .where(GoalMeasurement.goal.in_([g.id for g in goals]) & GoalMeasurement.deleted_at.is_null())
            .order_by(GoalMeasurement.date, GoalMeasurement.id)
            .tuples()
        ):
            latest[goal_id] = value
    rows = []
    for key, name in IMPLEMENTATION_OUTCOMES:
        of_type = [g for g in goals if g.outcome == key]
        if not of_type:
            continue
        progress = [
            progress_toward_target(g.baseline_value, g.target_value, latest[g.id])
            for g in of_type
            if g.has_measure and g.id in latest
        ]
        rows.append(
            {
                "key": key,
                "name": name,
                "goals": len(of_type),
                "achieved": sum(g.status == "achieved" for g in of_type),
                "measured": len(progress),
                "mean_progress": sum(progress) / len(progress) if progress else None,
            }
        )
    return rows
