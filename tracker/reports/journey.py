"""How progress moved, on one time axis: the stage journey of each engagement in scope (coloured bands
per stage visit, revisits and long stays marked, today as a line) and the timeline of one engagement
(its stage bands, benchmark completions, goal status changes, measured values, feedback scores and the
pulse items month by month).

The pages draw these as positioned HTML (templates/reports/_journey.html): every band and point has its
left edge and width as a percentage of the window, computed here by `Axis`, the one place where a date
becomes a position. A window is whole months (from the first of the month of the first date to the end
of the month of the last, today included) unless the report's date filters set it.

Feedback points carry only the cells the feedback report shows (tracker/reports/feedback.py: released
responses, the minimum count); a hidden cell is never drawn. Pulse items are items, not scales: each has
its own row, a point per month with a shown mean (feedback.pulse_items_over_time by month: answers
released as RELEASE_ITEM, placed in the month of their release), at the month's end like the quarters'.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ..dates import format_month
from ..models import (
    ACTIVITY_KINDS,
    GOAL_STATUSES,
    Activity,
    Benchmark,
    Engagement,
    Goal,
    GoalMeasurement,
    GoalStatusChange,
    Stage,
    keys,
    progress_toward_target,
    today,
)
from . import feedback as feedback_reports
from .cache import cached
from .filters import logged, share
from .progress import (
    engagement_progress,
    engagements_in_scope,
    scope_benchmark_counts,
    scope_stage_entries,
    stage_entries,
    stage_visits,
)

LONG_STAY_DAYS = 180  # a stay in one stage longer than this stands out ("355 days in Installation")
JOURNEY_SORTS = (("unit", "Unit"), ("stage", "Current stage"))
MAX_TICKS = 12  # month ticks on an axis; a longer window labels every 2nd, 3rd... month
DAY = dt.timedelta(days=1)
MARGIN_DAYS = 7


@dataclass(frozen=True)
class Axis:
    """A window of dates [start, end] drawn as 0-100 % of a width."""

    start: dt.date
    end: dt.date

    @property
    def days(self):
        return max(1, (self.end - self.start).days)  # a window of one day still has a width

    def at(self, day):
        """The position of a date, in % of the width (a date outside the window sits on its edge)."""
        offset = min(max((day - self.start).days, 0), self.days)
        return round(100 * offset / self.days, 2)

    def contains(self, day):
        return self.start <= day <= self.end

    def band(self, start, end):
        """{"left", "width", "cut_start", "cut_end"} of the period [start, end] (cut: it goes on beyond
        that edge of the window), or None when it lies wholly outside the window."""
        if end < self.start or start > self.end:
            return None
        left = self.at(start)
        return {
            "left": left,
            "width": round(self.at(end) - left, 2),
            "cut_start": start < self.start,
            "cut_end": end > self.end,
        }

    def ticks(self):
        """[{"label", "left"}]: the first of each month in the window (every nth when there are many)."""
        month = self.start.replace(day=1)
        if month < self.start:
            month = _next_month(month)
        months = []
        while month <= self.end:
            months.append(month)
            month = _next_month(month)
        step = -(-len(months) // MAX_TICKS) if months else 1
        return [{"label": format_month(m), "left": self.at(m), "on": m} for m in months[::step]]

    def marks(self, as_of):
        """What every axis shows: its ticks and where today is (None when outside the window)."""
        return {
            "start": self.start,
            "end": self.end,
            "ticks": self.ticks(),
            "today": self.at(as_of) if self.contains(as_of) else None,
        }


def _next_month(day):
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def window(first, last, filters=None):
    """The Axis from the month of `first` to the end of the month of `last` (of the next month when
    `last` is in the month's last MARGIN_DAYS, so that today's line never sits on the edge); the date
    filters, when set, are the window's edges instead."""
    start = (filters and filters.start) or first.replace(day=1)
    end = (filters and filters.end) or (_next_month(last + dt.timedelta(days=MARGIN_DAYS)) - DAY)
    return Axis(start, max(start, end))


def _bands(visits, axis):
    """The stage visits of one engagement as bands on the axis (those outside it left out)."""
    out = []
    for visit in visits:
        placed = axis.band(visit["entered_on"], visit["until"])
        if placed is not None:
            out.append({**visit, **placed})
    return out


def _visits(entries, engagement, as_of, by_id):
    """[{"key", "name", "entered_on", "until", "current", "days", "revisit", "long"}] of one engagement."""
    out, seen = [], set()
    for entry, left, days in stage_visits(entries, engagement, as_of):
        stage = by_id[entry.stage_id]
        out.append(
            {
                "key": stage.key,
                "name": stage.name,
                "entered_on": entry.entered_on,
                "until": entry.entered_on + dt.timedelta(days=days),
                "current": left is None,
                "days": days,
                "revisit": stage.id in seen,
                "long": days > LONG_STAY_DAYS,
            }
        )
        seen.add(stage.id)
    return out


def _legend(stages):
    return [{"key": s.key, "name": s.name} for s in stages]


@cached
def portfolio_journey(filters, sort="unit", as_of=None):
    """The stage journey of every engagement in scope, on one axis:
    {"axis": {"start", "end", "ticks", "today"}, "legend": [{"key", "name"}], "sort": sort,
     "long_stay_days": LONG_STAY_DAYS,
     "rows": [{"id", "title", "unit", "status", "current_stage", "days_in_current", "furthest_stage",
               "benchmarks_total", "benchmarks_completed", "proportion",
               "bands": [visit + {"left", "width", "cut_start", "cut_end"}],
               "visits": [every visit, in the window or not], "long_stays": [visits longer than LONG_STAY_DAYS]}]}
    Rows sorted by unit (then title) or by current stage (in stage order, the longest stay first; not yet
    staged last). Three queries."""
    as_of = as_of or today()
    stages = list(Stage.ordered())
    by_id = {s.id: s for s in stages}
    position = {s.key: i for i, s in enumerate(stages)}
    engagements = engagements_in_scope(filters)
    ids = [e.id for e in engagements]
    entries = scope_stage_entries(filters) if ids else {}
    done = defaultdict(lambda: (0, 0))
    for (eid, _sid), (total, completed, _first, _last) in (scope_benchmark_counts(filters) if ids else {}).items():
        done[eid] = (done[eid][0] + total, done[eid][1] + completed)
    rows = []
    for e in engagements:
        visits = _visits(entries.get(e.id, []), e, as_of, by_id)
        current = visits[-1] if visits else None
        furthest = max(visits, key=lambda v: position[v["key"]], default=None)
        total, completed = done[e.id]
        rows.append(
            {
                "id": e.id,
                "title": e.title,
                "unit": e.unit_name,
                "status": e.status,
                "current_stage": current["name"] if current else None,
                "current_key": current["key"] if current else None,
                "days_in_current": current["days"] if current else None,
                "furthest_stage": furthest["name"] if furthest else None,
                "benchmarks_total": total,
                "benchmarks_completed": completed,
                "proportion": share(completed, total),
                "visits": visits,
                "long_stays": [v for v in visits if v["long"]],
            }
        )
    if sort == "stage":
        rows.sort(
            key=lambda r: (
                r["current_key"] is None,
                position.get(r["current_key"], 0),
                -(r["days_in_current"] or 0),
                r["title"].casefold(),
                r["id"],
            )
        )
    else:
        rows.sort(key=lambda r: (r["unit"].casefold(), r["title"].casefold(), r["id"]))
    starts = [r["visits"][0]["entered_on"] for r in rows if r["visits"]]
    ends = [r["visits"][-1]["until"] for r in rows if r["visits"]]
    axis = window(min(starts, default=as_of), max(ends + [as_of]), filters)
    for r in rows:
        r["bands"] = _bands(r["visits"], axis)
    return {
        "axis": axis.marks(as_of),
        "legend": _legend(stages),
        "sort": sort,
        "long_stay_days": LONG_STAY_DAYS,
        "rows": rows,
    }


# A point's text beside it needs about this share of the axis; closer points show their text on hover and in
# the table only, so labels never print over each other.
LABEL_GAP = 9.0


def _placed(points, axis):
    """The points inside the window, each with its "left" position and "labelled": whether its text fits
    after the previous labelled point (LABEL_GAP)."""
    placed, last = [], None
    for p in points:
        if axis.contains(p["on"]):
            left = axis.at(p["on"])
            labelled = last is None or left - last >= LABEL_GAP
            last = left if labelled else last
            placed.append({**p, "left": left, "labelled": labelled})
    return placed


def _benchmark_points(engagement_id):
    """Benchmarks completed, one point per day: [{"on", "items": [{"text", "stage"}]}] (one query)."""
    points = {}
    for on, text, stage in (
        Benchmark.select(Benchmark.completed_on, Benchmark.text, Stage.name)
        .join(Stage)
        .where(
            (Benchmark.engagement == engagement_id)
            & Benchmark.completed_on.is_null(False)
            & Benchmark.deleted_at.is_null()
        )
        .order_by(Benchmark.completed_on, Benchmark.position, Benchmark.id)
        .tuples()
    ):
        points.setdefault(on, []).append({"text": text, "stage": stage})
    return [{"on": on, "items": items} for on, items in points.items()]


def _goal_points(engagement_id):
    """Goal status changes: [{"on", "goal", "status", "status_label"}] (live goals only; one query)."""
    labels = dict(GOAL_STATUSES)
    return [
        {"on": on, "goal": title, "status": status, "status_label": labels.get(status, status)}
        for on, status, title in GoalStatusChange.select(
            GoalStatusChange.changed_on, GoalStatusChange.status, Goal.title
        )
        .join(Goal)
        .where((Goal.engagement == engagement_id) & Goal.deleted_at.is_null())
        .order_by(GoalStatusChange.changed_on, GoalStatusChange.id)
        .tuples()
    ]


def _measured_points(engagement_id):
    """Values recorded for the goals' measured indicators: [{"on", "goal", "value", "unit", "progress"}]
    (live goals and values only; one query). `progress`: toward the goal's target with this value
    (models.progress_toward_target)."""
    rows = (
        GoalMeasurement.select(
            GoalMeasurement.date,
            GoalMeasurement.value,
            Goal.title,
            Goal.measure_unit,
            Goal.baseline_value,
            Goal.target_value,
        )
        .join(Goal)
        .where((Goal.engagement == engagement_id) & Goal.deleted_at.is_null() & GoalMeasurement.deleted_at.is_null())
        .order_by(GoalMeasurement.date, GoalMeasurement.id)
        .tuples()
    )
    return [
        {
            "on": on,
            "goal": title,
            "value": value,
            "unit": unit,
            "progress": progress_toward_target(baseline, target, value),
        }
        for on, value, title, unit, baseline, target in rows
    ]


def _activity_points(engagement_id):
    """The work between meetings (issue 22), one point a month on the date of its first activity:
    [{"on", "month", "activities", "minutes", "kinds": [{"name", "minutes"}]}] (live activities; one query)."""
    months = {}
    for on, kind, minutes in (
        Activity.select(Activity.date, Activity.kind, Activity.minutes)
        .where((Activity.engagement == engagement_id) & Activity.deleted_at.is_null() & logged(Activity))
        .order_by(Activity.date, Activity.id)
        .tuples()
    ):
        month = months.setdefault(
            (on.year, on.month), {"on": on, "month": on.replace(day=1), "activities": 0, "minutes": 0, "by_kind": {}}
        )
        month["activities"] += 1
        month["minutes"] += minutes
        month["by_kind"][kind] = month["by_kind"].get(kind, 0) + minutes
    return [
        {
            **{k: v for k, v in m.items() if k != "by_kind"},
            "kinds": [
                {"name": name, "minutes": m["by_kind"][key]} for key, name in ACTIVITY_KINDS if key in m["by_kind"]
            ],
        }
        for m in months.values()
    ]


def _feedback_points(quarters, scale_names, axis, as_of):
    """One point per quarter with a shown score, at the quarter's end (or today, in the current quarter):
    [{"on", "left", "label", "responses", "scores": [{"name", "mean", "n"}], "low", "high"}]. Cells the
    feedback report hides (suppressed) are left out."""
    out = []
    for quarter in quarters:
        scores = [
            {"name": name, "mean": round(cell["mean"], 2), "n": cell["n"]}
            for key, name in scale_names
            if (cell := quarter["scales"].get(key)) and not cell["suppressed"]
        ]
        on = min(quarter["end"], as_of)
        if scores and axis.contains(on):
            means = [s["mean"] for s in scores]
            out.append(
                {
                    "on": on,
                    "left": axis.at(on),
                    "label": quarter["label"],
                    "responses": quarter["responses"],
                    "scores": scores,
                    "low": min(means),
                    "high": max(means),
                }
            )
    return out


def _pulse_rows(pulse, axis, as_of):
    """A row per pulse item, a point per month with a shown cell, at the month's end (or today, in the
    current month): [{"key", "text", "scale", "points": [{"on", "left", "labelled", "label", "mean", "n"}]}].
    Months whose cell is hidden (fewer released answers than the minimum count, or none) have no point."""
    rows = []
    for item in pulse["items"]:
        points = [
            {"on": min(p["end"], as_of), "label": p["label"], "mean": round(cell["mean"], 2), "n": cell["n"]}
            for p in pulse["periods"]
            if (cell := p["items"].get(item["key"])) and not cell["suppressed"]
        ]
        rows.append({**item, "points": _placed(points, axis)})
    return rows


def _pulse_events(rows):
    """One event per month with a shown pulse item: [{"on", "label", "items": [{"text", "mean", "n"}]}]."""
    months = {}
    for row in rows:
        for p in row["points"]:
            month = months.setdefault(p["on"], {"on": p["on"], "label": p["label"], "items": []})
            month["items"].append({"text": row["text"], "mean": p["mean"], "n": p["n"]})
    return [months[on] for on in sorted(months)]


def _events(bands, benchmarks, goals, feedback, measured=(), pulse=(), activities=()):
    """Every event of the timeline in date order, for its table: [{"on", "kind", "what", ...}]."""
    events = [{"on": b["entered_on"], "kind": "stage", "band": b} for b in bands]
    events += [{"on": p["on"], "kind": "benchmark", "item": item} for p in benchmarks for item in p["items"]]
    events += [{"on": g["on"], "kind": "goal", "goal": g} for g in goals]
    events += [{"on": f["on"], "kind": "feedback", "feedback": f} for f in feedback]
    events += [{"on": m["on"], "kind": "measured", "measured": m} for m in measured]
    events += [{"on": p["on"], "kind": "pulse", "pulse": p} for p in _pulse_events(pulse)]
    events += [{"on": a["on"], "kind": "activities", "activities": a} for a in activities]
    order = {"stage": 0, "benchmark": 1, "goal": 2, "measured": 3, "feedback": 4, "pulse": 5, "activities": 6}
    return sorted(events, key=lambda e: (e["on"], order[e["kind"]]))


@cached
def engagement_timeline(filters, as_of=None):
    """One engagement's timeline (filters.engagement), or None when it is not in the user's scope:
    {"axis": {...}, "legend": [...], "long_stay_days", "bands": [...], "long_stays": [...],
     "benchmarks": [...], "goals": [...], "measured": [...], "feedback": [...], "pulse": [a row per pulse
     item, see _pulse_rows], "activities": [a point per month of work between meetings, see _activity_points],
     "events": [...] (date order)}.
    The window runs from the engagement's start (or its first event) to today (or its last event)."""
    as_of = as_of or today()
    data = engagement_progress(filters, as_of)
    if data is None:
        return None
    engagement = Engagement.get_by_id(data["engagement"]["id"])
    stages = list(Stage.ordered())
    visits = _visits(stage_entries([engagement.id])[engagement.id], engagement, as_of, {s.id: s for s in stages})
    quarters = feedback_reports.scores_over_time(engagement.id)
    pulse = feedback_reports.pulse_items_over_time(engagement.id, period="month")
    spec = feedback_reports.instrument_spec()
    scale_names = [(s["key"], s["name"]) for s in spec.get("scales", [])]
    benchmarks, goals = _benchmark_points(engagement.id), _goal_points(engagement.id)
    measured = _measured_points(engagement.id)
    activities = _activity_points(engagement.id)
    dates = [engagement.start_date, as_of] + [p["on"] for p in benchmarks + goals + measured + activities]
    dates += [v["entered_on"] for v in visits] + [v["until"] for v in visits]
    dates += [min(q["end"], as_of) for q in quarters]
    dates += [min(p["end"], as_of) for p in pulse["periods"]]
    axis = window(min(dates), max(dates), filters)
    bands = _bands(visits, axis)
    benchmarks, goals, measured = _placed(benchmarks, axis), _placed(goals, axis), _placed(measured, axis)
    activities = _placed(activities, axis)
    feedback = _feedback_points(quarters, scale_names, axis, as_of)
    pulse_rows = _pulse_rows(pulse, axis, as_of)
    return {
        "engagement": data["engagement"],
        "axis": axis.marks(as_of),
        "legend": _legend(stages),
        "long_stay_days": LONG_STAY_DAYS,
        "bands": bands,
        "long_stays": [v for v in visits if v["long"]],
        "benchmarks": benchmarks,
        "goals": goals,
        "measured": measured,
        "feedback": feedback,
        "pulse": pulse_rows,
        "activities": activities,
        "events": _events(bands, benchmarks, goals, feedback, measured, pulse_rows, activities),
    }


def journey_sort(value):
    """The sort of the journey chart named in the URL (?journey_sort=), "unit" when absent or unknown."""
    return value if value in keys(JOURNEY_SORTS) else JOURNEY_SORTS[0][0]
