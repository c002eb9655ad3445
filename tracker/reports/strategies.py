"""Strategies and dose: which implementation support strategies (ERIC clusters and names) were used,
and how much support was given (minutes by month, stage, mode, kind of session and strategy), plus the
sessions between monthly team meetings. Pure query functions, aggregated in SQL.

Minutes of a strategy: the dose recorded for it in the meeting when there is one; otherwise the
meeting's minutes not covered by recorded doses, shared equally among its strategies without one (so
a meeting's minutes are not counted twice across its strategies).

The work between meetings (activities, tracker/models/activities.py) is its own series, never mixed into the
meeting counts: per strategy "activities" (activities tagged with it) and "activity_minutes" (an activity's
minutes shared equally among its strategies), and in the dose "Between meetings" by month. The filter
`activities=exclude` (or a kind of session) leaves them at 0 (ReportFilters.activity_condition).
"""

from peewee import SQL, Case, fn

from ..models import (
    MEETING_KINDS,
    MEETING_MODES,
    Activity,
    ActivityStrategy,
    Engagement,
    Meeting,
    MeetingStrategy,
    Rollup,
    Stage,
    Strategy,
    StrategyCluster,
)
from .cache import cached
from .filters import month_label, month_of, month_range, rolled, share, stage_at

ISP_ACTIVITIES = StrategyCluster.ISP_ACTIVITIES


def _strategy_minutes():
    """(derived table per meeting, expression of a strategy link's minutes): the recorded dose, else the
    meeting's minutes not covered by recorded doses, shared equally among the strategies without one."""
    per_meeting = (
        MeetingStrategy.select(
            MeetingStrategy.meeting.alias("meeting_id"),
            fn.COUNT(MeetingStrategy.id).alias("n"),
            fn.COUNT(MeetingStrategy.minutes).alias("recorded_n"),
            fn.COALESCE(fn.SUM(MeetingStrategy.minutes), 0).alias("recorded"),
        )
        .group_by(MeetingStrategy.meeting)
        .alias("per_meeting")
    )
    left = Meeting.duration_minutes - per_meeting.c.recorded
    unrecorded = fn.NULLIF(per_meeting.c.n - per_meeting.c.recorded_n, 0)
    share_of_rest = Case(None, [(left > 0, left * 1.0 / unrecorded)], 0)
    return per_meeting, fn.COALESCE(MeetingStrategy.minutes, share_of_rest)


def _activity_strategy_minutes():
    """(derived table per activity, expression of an activity-strategy link's minutes): the activity's minutes
    shared equally among its strategies."""
    per_activity = (
        ActivityStrategy.select(
            ActivityStrategy.activity.alias("activity_id"), fn.COUNT(ActivityStrategy.id).alias("n")
        )
        .group_by(ActivityStrategy.activity)
        .alias("per_activity")
    )
    return per_activity, Activity.minutes * 1.0 / per_activity.c.n


def _activities_by_strategy(filters):
    """({strategy id: (activities, minutes)}, {cluster id: (activities, minutes)}, (activities, minutes) in
    scope): the work between meetings tagged with each strategy and cluster (a cluster counts an activity
    once; its minutes are the sum of its strategies'). Three queries."""
    cond = filters.activity_condition()
    total = Activity.select(fn.COUNT(Activity.id), fn.SUM(Activity.minutes)).where(cond).tuples().get()
    per_activity, link_minutes = _activity_strategy_minutes()
    rows = list(
        ActivityStrategy.select(
            ActivityStrategy.strategy,
            Strategy.cluster,
            fn.COUNT(ActivityStrategy.activity.distinct()),
            fn.SUM(link_minutes),
        )
        .join_from(ActivityStrategy, Activity)
        .join_from(ActivityStrategy, Strategy)
        .join_from(ActivityStrategy, per_activity, on=(per_activity.c.activity_id == ActivityStrategy.activity))
        .where(cond)
        .group_by(ActivityStrategy.strategy, Strategy.cluster)
        .tuples()
    )
    cluster_counts = dict(
        ActivityStrategy.select(Strategy.cluster, fn.COUNT(ActivityStrategy.activity.distinct()))
        .join_from(ActivityStrategy, Activity)
        .join_from(ActivityStrategy, Strategy)
        .where(cond)
        .group_by(Strategy.cluster)
        .tuples()
    )
    by_strategy, by_cluster = _folded(rows, cluster_counts)
    return by_strategy, by_cluster, (total[0] or 0, int(total[1] or 0))


def _folded(rows, cluster_counts):
    """({strategy id: (count, minutes)}, {cluster id: (count, minutes)}) of (strategy, cluster, count,
    minutes) rows: a cluster's count is its own (distinct sessions or activities: `cluster_counts`), its
    minutes the sum of its strategies'."""
    by_strategy, cluster_minutes = {}, {}
    for sid, cid, n, m in rows:
        by_strategy[sid] = (n, round(float(m or 0)))
        cluster_minutes[cid] = cluster_minutes.get(cid, 0.0) + float(m or 0)
    return by_strategy, {cid: (n, round(cluster_minutes.get(cid, 0.0))) for cid, n in cluster_counts.items()}


def _sessions_by_strategy(filters):
    """({strategy id: (sessions, minutes)}, {cluster id: (sessions, minutes)}, (sessions, minutes) in scope) of
    the sessions in scope, from the raw rows. Three queries."""
    totals = (
        Meeting.select(fn.COUNT(Meeting.id), fn.SUM(Meeting.duration_minutes))
        .where(filters.meeting_condition())
        .tuples()
        .get()
    )
    per_meeting, link_minutes = _strategy_minutes()
    minutes = fn.SUM(link_minutes)
    rows = list(
        MeetingStrategy.select(
            MeetingStrategy.strategy, Strategy.cluster, fn.COUNT(MeetingStrategy.meeting.distinct()), minutes
        )
        .join_from(MeetingStrategy, Meeting)
        .join_from(MeetingStrategy, Strategy)
        .join_from(MeetingStrategy, per_meeting, on=(per_meeting.c.meeting_id == MeetingStrategy.meeting))
        .where(filters.meeting_condition())
        .group_by(MeetingStrategy.strategy, Strategy.cluster)
        .tuples()
    )
    # a cluster's meetings are distinct meetings (one query); its minutes are the sum of its strategies'
    cluster_meetings = dict(
        MeetingStrategy.select(Strategy.cluster, fn.COUNT(MeetingStrategy.meeting.distinct()))
        .join_from(MeetingStrategy, Meeting)
        .join_from(MeetingStrategy, Strategy)
        .where(filters.meeting_condition())
        .group_by(Strategy.cluster)
        .tuples()
    )
    by_strategy, by_cluster = _folded(rows, cluster_meetings)
    return by_strategy, by_cluster, (totals[0] or 0, int(totals[1] or 0))


def _sessions_by_strategy_rolled(condition):
    """_sessions_by_strategy() read from the rollups (`condition`: ReportFilters.rollup_condition()). Three
    queries over a few thousand rows."""
    totals = rolled(condition, "session")
    cluster_of = dict(Strategy.select(Strategy.id, Strategy.cluster).tuples())
    rows = [(tag, cluster_of.get(tag), n, m) for tag, n, m, _exact in rolled(condition, "strategy", Rollup.tag)]
    cluster_meetings = {tag: n for tag, n, _m, _exact in rolled(condition, "cluster", Rollup.tag)}
    by_strategy, by_cluster = _folded(rows, cluster_meetings)
    total = totals[0] if totals else (0, 0)
    return by_strategy, by_cluster, (total[0] or 0, int(total[1] or 0))


@cached
def strategies_used(filters):
    """{"total_meetings", "total_minutes", "total_activities", "total_activity_minutes",
    "clusters": [{"key", "number", "name", "meetings", "share", "minutes", "activities", "activity_minutes"}],
    "strategies": [{"key", "number", "name", "cluster", "meetings", "share", "minutes", "activities",
                    "activity_minutes"}]}
    meetings, share and minutes are the sessions' only; activities and activity_minutes the work between
    meetings (see the module's rule). Strategies and clusters never used in scope are left out. Seven queries.
    The sessions' figures come from the rollups when they can answer the filters (tracker/rollups.py)."""
    rollup = filters.rollup_condition()
    if rollup is not None:
        by_strategy, by_cluster, (total, total_minutes) = _sessions_by_strategy_rolled(rollup)
    else:
        by_strategy, by_cluster, (total, total_minutes) = _sessions_by_strategy(filters)
    activity_strategy, activity_cluster, (activities, activity_minutes) = _activities_by_strategy(filters)
    catalog = (
        list(
            Strategy.select(Strategy, StrategyCluster)
            .join(StrategyCluster)
            .order_by(StrategyCluster.number, Strategy.number, Strategy.id)
        )
        if by_strategy or activity_strategy
        else []
    )
    clusters = {}
    for s in catalog:
        clusters.setdefault(s.cluster.id, s.cluster)
    none = (0, 0)
    return {
        "total_meetings": total,
        "total_minutes": total_minutes,
        "total_activities": activities,
        "total_activity_minutes": activity_minutes,
        "clusters": [
            {
                "key": c.key,
                "number": c.number,
                "name": c.name,
                "meetings": by_cluster.get(c.id, none)[0],
                "share": share(by_cluster.get(c.id, none)[0], total),
                "minutes": by_cluster.get(c.id, none)[1],
                "activities": activity_cluster.get(c.id, none)[0],
                "activity_minutes": activity_cluster.get(c.id, none)[1],
            }
            for c in clusters.values()
            if c.id in by_cluster or c.id in activity_cluster
        ],
        "strategies": [
            {
                "key": s.key,
                "number": s.number,
                "name": s.name,
                "cluster": s.cluster.key,
                "meetings": by_strategy.get(s.id, none)[0],
                "share": share(by_strategy.get(s.id, none)[0], total),
                "minutes": by_strategy.get(s.id, none)[1],
                "activities": activity_strategy.get(s.id, none)[0],
                "activity_minutes": activity_strategy.get(s.id, none)[1],
            }
            for s in catalog
            if s.id in by_strategy or s.id in activity_strategy
        ],
    }


def ranked(used):
    """The strategies of strategies_used(), ranked by use instead of catalog order: the ERIC clusters by
    sessions (most first; ties by name), each with its strategies by sessions (ties by name); the ISP
    activities apart, never as a tenth ERIC cluster. No query.

    {"total_meetings", "clusters": [{...a cluster of strategies_used(), "strategies": [...]}],
     "isp_activities": the same for the ISP activities, or None when none was recorded}."""

    def by_use(row):
        return (-row["meetings"], -row["activities"], row["name"].lower())

    groups = [
        {**c, "strategies": sorted((s for s in used["strategies"] if s["cluster"] == c["key"]), key=by_use)}
        for c in sorted(used["clusters"], key=by_use)
    ]
    return {
        "total_meetings": used["total_meetings"],
        "clusters": [g for g in groups if g["key"] != ISP_ACTIVITIES],
        "isp_activities": next((g for g in groups if g["key"] == ISP_ACTIVITIES), None),
    }


def _stage_rows(stage_ids):
    """[{"id", "key", "name"}] of the stages among `stage_ids`, in stage order; None (before the first
    stage was entered) first. One query."""
    rows = [{"id": s.id, "key": s.key, "name": s.name} for s in Stage.ordered() if s.id in stage_ids]
    if None in stage_ids:
        rows.insert(0, {"id": None, "key": None, "name": "Before the first stage"})
    return rows


@cached
def dose_by_stage_and_cluster(filters):
    """Minutes and sessions of each cluster's strategies by the stage on the session's date (stage_at,
    as in dose()). A strategy's minutes as in strategies_used(); a cluster's sessions are distinct
    sessions (a session may count in several clusters, its minutes never twice).

    {"stages": [{"key", "name"}] (stages with strategies recorded, in stage order; key None = before
     the first stage),
     "clusters": [{"key", "number", "name", "meetings": [per stage], "minutes": [per stage], "total_minutes"}]
        (ERIC clusters used, most minutes first, ties by number),
     "isp_activities": the same row for the ISP activities, or None}. Three queries (the cells from the rollups
    when they can answer the filters)."""
    rollup = filters.rollup_condition(keyed=("stage",))
    if rollup is not None:
        cells = {
            (stage or None, cluster_id): (n, float(m or 0))
            for stage, cluster_id, n, m, _exact in rolled(rollup, "cluster", Rollup.stage, Rollup.tag)
        }
    else:
        cells = _stage_cluster_cells(filters)
    if not cells:
        return {"stages": [], "clusters": [], "isp_activities": None}
    stages = _stage_rows({stage_id for stage_id, _ in cells})
    cluster_ids = {cluster_id for _, cluster_id in cells}
    rows = []
    for c in StrategyCluster.select().where(StrategyCluster.id.in_(list(cluster_ids))).order_by(StrategyCluster.number):
        minutes = [cells.get((s["id"], c.id), (0, 0.0))[1] for s in stages]
        rows.append(
            {
                "key": c.key,
                "number": c.number,
                "name": c.name,
                "meetings": [cells.get((s["id"], c.id), (0, 0.0))[0] for s in stages],
                "minutes": [round(m) for m in minutes],
                "total_minutes": round(sum(minutes)),
            }
        )
    rows.sort(key=lambda r: (-r["total_minutes"], r["number"]))
    return {
        "stages": [{"key": s["key"], "name": s["name"]} for s in stages],
        "clusters": [r for r in rows if r["key"] != ISP_ACTIVITIES],
        "isp_activities": next((r for r in rows if r["key"] == ISP_ACTIVITIES), None),
    }


def _stage_cluster_cells(filters):
    """{(stage id or None, cluster id): (sessions, minutes)} of the sessions in scope, from the raw rows. One
    query."""
    per_meeting, link_minutes = _strategy_minutes()
    links = (
        MeetingStrategy.select(
            MeetingStrategy.meeting.alias("meeting_id"),
            stage_at(Meeting).alias("stage_id"),
            Strategy.cluster.alias("cluster_id"),
            link_minutes.alias("minutes"),
        )
        .join_from(MeetingStrategy, Meeting)
        .join_from(MeetingStrategy, Strategy)
        .join_from(MeetingStrategy, per_meeting, on=(per_meeting.c.meeting_id == MeetingStrategy.meeting))
        .where(filters.meeting_condition())
        .alias("links")
    )
    return {
        (stage_id, cluster_id): (n, float(m or 0))
        for stage_id, cluster_id, n, m in Meeting.select(
            links.c.stage_id, links.c.cluster_id, fn.COUNT(fn.DISTINCT(links.c.meeting_id)), fn.SUM(links.c.minutes)
        )
        .from_(links)
        .group_by(links.c.stage_id, links.c.cluster_id)
        .tuples()
    }


def activities_by_month(filters):
    """{"YYYY-MM": (activities, minutes)} of the work between meetings in scope. One query."""
    month = month_of(Activity.date)
    return {
        key: (n, int(m or 0))
        for key, n, m in Activity.select(month, fn.COUNT(Activity.id), fn.SUM(Activity.minutes))
        .where(filters.activity_condition())
        .group_by(month)
        .tuples()
    }


@cached
def dose(filters):
    """Minutes of support: {"total_meetings", "total_minutes", "total_activities", "total_activity_minutes",
    "by_month": [{"key", "label", "meetings", "minutes", "activities", "activity_minutes"}] (the sessions' and,
        apart, the work between meetings': the "Between meetings" series),
    "by_stage": [{"key", "name", "meetings", "minutes"}]  (the stage on the meeting's date; key None =
        before the first stage was entered),
    "by_mode": [{"key", "name", "meetings", "minutes"}], "by_kind": [...same]} (stage, mode and kind: sessions
    only). Seven queries; the sessions' from the rollups when they can answer the filters (tracker/rollups.py)."""
    totals, months = sessions_by_month(filters)
    rollup = filters.rollup_condition(keyed=("kind", "stage"))
    stages, modes, kinds = _dose_rolled(rollup) if rollup is not None else _dose_raw(filters)
    between = activities_by_month(filters)
    stage_rows = [
        {"key": s["key"], "name": s["name"], "meetings": stages[s["id"]][0], "minutes": stages[s["id"]][1]}
        for s in (_stage_rows(set(stages)) if stages else [])
    ]
    return {
        "total_meetings": totals[0] or 0,
        "total_minutes": int(totals[1] or 0),
        "total_activities": sum(n for n, _m in between.values()),
        "total_activity_minutes": sum(m for _n, m in between.values()),
        "by_month": monthly_series(months, between),
        "by_stage": stage_rows,
        "by_mode": [
            {"key": k, "name": name, "meetings": modes[k][0], "minutes": modes[k][1]}
            for k, name in MEETING_MODES
            if k in modes
        ],
        "by_kind": [
            {"key": k, "name": name, "meetings": kinds[k][0], "minutes": kinds[k][1]}
            for k, name in MEETING_KINDS
            if k in kinds
        ],
    }


def monthly_series(months, between):
    """[{"key", "label", "meetings", "minutes", "activities", "activity_minutes"}] for every month from the first
    to the last of `months` ({month: (sessions, minutes)}) and `between` (the same of the work between meetings)."""
    return [
        {
            "key": m,
            "label": month_label(m),
            "meetings": months.get(m, (0, 0))[0],
            "minutes": months.get(m, (0, 0))[1],
            "activities": between.get(m, (0, 0))[0],
            "activity_minutes": between.get(m, (0, 0))[1],
        }
        for m in month_range(set(months) | set(between))
    ]


def sessions_by_month(filters):
    """((sessions, minutes) in scope, {month: (sessions, minutes)}): from the rollups when they can answer the
    filters, else from the raw rows. Two queries."""
    rollup = filters.rollup_condition(keyed=("kind", "stage"))
    if rollup is not None:
        totals = rolled(rollup, "session")
        months = {key: (n, int(round(m or 0))) for key, n, m, _exact in rolled(rollup, "session", Rollup.month)}
        return (totals[0][:2] if totals else (0, 0)), months
    cond = filters.meeting_condition()
    totals = Meeting.select(fn.COUNT(Meeting.id), fn.SUM(Meeting.duration_minutes)).where(cond).tuples().get()
    month = month_of(Meeting.date)
    months = {
        key: (n, int(m or 0))
        for key, n, m in Meeting.select(month, fn.COUNT(Meeting.id), fn.SUM(Meeting.duration_minutes))
        .where(cond)
        .group_by(month)
        .tuples()
    }
    return totals, months


def _dose_rolled(condition):
    """_dose_raw() read from the rollups' sessions (`condition`: ReportFilters.rollup_condition()). Three queries."""

    def by(column):
        return {key: (n, int(round(m or 0))) for key, n, m, _exact in rolled(condition, "session", column)}

    stages = {(stage or None): figures for stage, figures in by(Rollup.stage).items()}  # 0: before the first stage
    return stages, by(Rollup.mode), by(Rollup.kind)


def _dose_raw(filters):
    """({stage id: (sessions, minutes)}, {mode: ...}, {kind: ...}) of the sessions in scope, from the raw rows.
    Three queries."""
    cond = filters.meeting_condition()
    # the stage on each meeting's date, computed in a derived table and grouped outside it
    staged = (
        Meeting.select(stage_at(Meeting).alias("stage_id"), Meeting.duration_minutes.alias("minutes"))
        .where(cond)
        .alias("staged")
    )
    stages = {
        sid: (n, int(m or 0))
        for sid, n, m in Meeting.select(staged.c.stage_id, fn.COUNT(staged.c.minutes), fn.SUM(staged.c.minutes))
        .from_(staged)
        .group_by(staged.c.stage_id)
        .tuples()
    }
    modes = {
        key: (n, int(m or 0))
        for key, n, m in Meeting.select(Meeting.mode, fn.COUNT(Meeting.id), fn.SUM(Meeting.duration_minutes))
        .where(cond)
        .group_by(Meeting.mode)
        .tuples()
    }
    kinds = {
        key: (n, int(m or 0))
        for key, n, m in Meeting.select(Meeting.kind, fn.COUNT(Meeting.id), fn.SUM(Meeting.duration_minutes))
        .where(cond)
        .group_by(Meeting.kind)
        .tuples()
    }
    return stages, modes, kinds


@cached
def between_monthly(filters):
    """Sessions between monthly team meetings: each session that is not a monthly meeting is counted
    in the interval opened by the latest monthly meeting of its engagement on or before its date (in
    scope); sessions before the first monthly meeting are not in any interval.

    {"intervals": monthly meetings, "sessions": sessions in intervals, "average": per interval,
     "distribution": [{"sessions": "0"/"1"/"2"/"3+", "intervals": n}],
     "by_engagement": [{"id", "title", "intervals", "sessions", "average"}]}. Four queries; two from the rollups
    when they can answer the filters (kept per engagement, for the whole period: tracker/rollups.py)."""
    rollup = filters.rollup_condition(by_month=False)
    if rollup is not None:
        filled, intervals, in_intervals, titles = _between_rolled(rollup, filters.effective_logs == "approved")
    else:
        filled, intervals, in_intervals, titles = _between_raw(filters)
    total_intervals = sum(intervals.values())
    total_sessions = sum(in_intervals.values())
    distribution = [{"sessions": "0", "intervals": total_intervals - sum(filled.values())}]
    distribution += [{"sessions": "3+" if b == 3 else str(b), "intervals": filled.get(b, 0)} for b in (1, 2, 3)]
    return {
        "intervals": total_intervals,
        "sessions": total_sessions,
        "average": round(total_sessions / total_intervals, 2) if total_intervals else 0.0,
        "distribution": distribution if total_intervals else [],
        "by_engagement": sorted(
            (
                {
                    "id": eid,
                    "title": titles.get(eid, ""),
                    "intervals": n,
                    "sessions": in_intervals.get(eid, 0),
                    "average": round(in_intervals.get(eid, 0) / n, 2),
                }
                for eid, n in intervals.items()
            ),
            key=lambda r: r["title"].lower(),
        ),
    }


def _between_rolled(condition, approved):
    """_between_raw() read from the rollups' `between` rows (`condition`: ReportFilters.rollup_condition();
    `approved`: the approved logs only). Two queries."""
    condition &= (Rollup.dim == "between") & (Rollup.approved == int(approved))
    filled, intervals, in_intervals = {}, {}, {}
    for eid, bucket, n, sessions in (
        Rollup.select(Rollup.tag, Rollup.item, fn.SUM(Rollup.sessions), fn.SUM(Rollup.exact))
        .where(condition)
        .group_by(Rollup.tag, Rollup.item)
        .tuples()
    ):
        if not n:
            continue
        intervals[eid] = intervals.get(eid, 0) + n
        if sessions:
            in_intervals[eid] = in_intervals.get(eid, 0) + sessions
        if bucket:
            filled[bucket] = filled.get(bucket, 0) + n
    titles = dict(
        Engagement.select(Engagement.id, Engagement.title)
        .where(Engagement.id.in_(Rollup.select(Rollup.tag).where(condition & (Rollup.sessions > 0))))
        .tuples()
    )
    return filled, intervals, in_intervals, titles


def _between_raw(filters):
    """({sessions bucket 1-3: intervals}, {engagement id: intervals}, {engagement id: sessions in them},
    {engagement id: title}) of the meetings in scope, from the raw rows. Four queries."""
    cond = filters.meeting_condition()
    is_monthly = Meeting.kind == "monthly"
    # Each meeting in scope numbered by the monthly meetings of its engagement up to it (in date order,
    # a day's monthly meetings before its other sessions): the number of the interval it falls in, 0
    # before the first monthly meeting. One pass (a window), not a lookup per session.
    interval = fn.COUNT(Case(None, [(is_monthly, 1)])).over(
        partition_by=[Meeting.engagement], order_by=[Meeting.date, Case(None, [(is_monthly, 0)], 1), Meeting.id]
    )
    numbered = (
        Meeting.select(
            Meeting.engagement.alias("engagement_id"), Meeting.kind.alias("kind"), interval.alias("interval")
        )
        .where(cond)
        .alias("numbered")
    )
    in_interval = (numbered.c.kind != "monthly") & (numbered.c.interval > 0)
    per_interval = (
        Meeting.select(numbered.c.engagement_id, numbered.c.interval, fn.COUNT(SQL("*")).alias("n"))
        .from_(numbered)
        .where(in_interval)
        .group_by(numbered.c.engagement_id, numbered.c.interval)
        .alias("per_interval")
    )
    bucket = Case(None, [(per_interval.c.n >= 3, 3)], per_interval.c.n)
    filled = dict(Meeting.select(bucket, fn.COUNT(SQL("*"))).from_(per_interval).group_by(bucket).tuples())
    intervals = dict(
        Meeting.select(Meeting.engagement, fn.COUNT(Meeting.id))
        .where(cond & is_monthly)
        .group_by(Meeting.engagement)
        .tuples()
    )
    in_intervals = dict(
        Meeting.select(numbered.c.engagement_id, fn.COUNT(SQL("*")))
        .from_(numbered)
        .where(in_interval)
        .group_by(numbered.c.engagement_id)
        .tuples()
    )
    titles = (
        dict(Engagement.select(Engagement.id, Engagement.title).where(Engagement.id.in_(list(intervals))).tuples())
        if intervals
        else {}
    )
    return filled, intervals, in_intervals, titles
