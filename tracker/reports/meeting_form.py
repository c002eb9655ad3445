"""What the meeting log form offers for one engagement (the read beside services/meetings.py's writes).

`form_context(engagement, meeting=None)` returns the team, ISPs, catalog choices, open goals and
benchmarks the form shows, in a fixed number of queries; forms.meetings.MeetingForm.set_choices takes it.
"""

from ..models import (
    Benchmark,
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    Goal,
    GoalMeasurement,
    GoalStatusChange,
    Meeting,
    MeetingStrategy,
    Principle,
    Stage,
    Strategy,
    StrategyCluster,
    TeamMember,
    User,
    linked_ids,
    measure_due,
    today,
)

RECENT_MEETINGS = 5  # "Recently used here" = strategies of the engagement's last five meetings


def form_context(engagement, meeting=None, framework_key=None, linked=None, ticked=()):
    """Everything the meeting form shows for this engagement, in a fixed number of queries.

    On edit (`meeting` given) it also offers what the meeting already links to even when no longer
    current (a team member who left, an ISP who moved on, a retired or other-framework competency),
    and lists the goal changes, benchmarks and measured values done in that meeting (shown, not offered
    again).
    `ticked`: the competency ids of the form as posted; those of another framework stay offered (and
    ticked), so switching framework, or saving after a switch, keeps them.
    """
    linked = linked if linked is not None else linked_ids(meeting)
    return {
        "today": today(),
        **_people(engagement, linked),
        **_competencies(framework_key, linked, ticked, meeting is None),
        **_strategies(engagement, linked),
        "principles": list(
            Principle.select()
            .where(~Principle.retired | Principle.id.in_(linked["principles"] or [0]))
            .order_by(Principle.position, Principle.id)
        ),
        **_progress(engagement, meeting),
    }


def _people(engagement, linked):
    """The current team and the engagement's ISPs, plus those the meeting lists who have moved on."""
    team = list(
        TeamMember.live().where(TeamMember.engagement == engagement.id).order_by(TeamMember.name, TeamMember.id)
    )
    isps = [link.user for link in engagement.isps()]
    isp_ids = {u.id for u in isps}
    extra_isps = [i for i in linked["isps"] if i not in isp_ids]
    if extra_isps:
        isps += list(User.select().where(User.id.in_(extra_isps)).order_by(User.name))
    return {"team_members": [t for t in team if t.is_current or t.id in linked["team_members"]], "isps": isps}


def _competencies(framework_key, linked, ticked=(), new=False):
    """The frameworks, the one shown (asked for, else the one of the meeting's competencies, else the
    default) by domain, and the meeting's competencies (and those ticked) from elsewhere in a last group."""
    frameworks = list(
        CompetencyFramework.select().order_by(CompetencyFramework.is_default.desc(), CompetencyFramework.id)
    )
    framework = None
    if framework_key:
        framework = next((f for f in frameworks if f.key == framework_key), None)
    if framework is None and linked["competencies"]:
        first = (
            CompetencyDomain.select(CompetencyDomain.framework)
            .join(Competency)
            .where(Competency.id == linked["competencies"][0])
            .first()
        )
        framework = next((f for f in frameworks if first and f.id == first.framework_id), None)
    if framework is None:
        framework = frameworks[0] if frameworks else None
    groups = {}
    if framework is not None:
        for c in Competency.in_framework(framework):
            groups.setdefault(c.domain.id, (c.domain, []))[1].append(c)
    competency_groups = list(groups.values())
    shown = {c.id for _, items in competency_groups for c in items}
    missing = [i for i in linked["competencies"] if i not in shown]
    carried = [i for i in ticked if i not in shown and i not in missing]
    if missing or carried:
        others = list(
            Competency.select()
            .where(Competency.id.in_(missing or [0]) | (Competency.id.in_(carried or [0]) & ~Competency.retired))
            .order_by(Competency.name)
        )
        if others:
            name = "Ticked in another framework" if new else "Also recorded for this meeting"
            competency_groups.append(({"name": name}, others))
    return {"frameworks": frameworks, "framework": framework, "competency_groups": competency_groups}


def _strategies(engagement, linked):
    """Active strategies (and retired ones the meeting lists) by cluster, those of the engagement's
    last meetings first in a group of their own."""
    recent_meetings = (
        Meeting.select(Meeting.id)
        .where((Meeting.engagement == engagement.id) & Meeting.deleted_at.is_null())
        .order_by(Meeting.date.desc(), Meeting.id.desc())
        .limit(RECENT_MEETINGS)
    )
    recent_ids = {
        r.strategy_id
        for r in MeetingStrategy.select(MeetingStrategy.strategy)
        .distinct()
        .where(MeetingStrategy.meeting.in_(recent_meetings))
    }
    strategies = list(
        Strategy.select(Strategy, StrategyCluster)
        .join(StrategyCluster)
        .where(~Strategy.retired | Strategy.id.in_(linked["strategies"] or [0]))
        .order_by(StrategyCluster.number, Strategy.number)
    )
    recent = [s for s in strategies if s.id in recent_ids]
    strategy_groups = [({"name": "Recently used here", "recent": True}, recent)] if recent else []
    by_cluster = {}
    for s in strategies:
        if s.id not in recent_ids:
            by_cluster.setdefault(s.cluster.id, (s.cluster, []))[1].append(s)
    strategy_groups += list(by_cluster.values())
    return {"strategy_groups": strategy_groups, "recent_strategy_ids": recent_ids}


def _progress(engagement, meeting):
    """Goals (those changed in this meeting are not offered again) and open benchmarks by stage, the
    current stage first; on edit, the goal changes and benchmarks done in the meeting."""
    goals = list(Goal.live().where(Goal.engagement == engagement.id).order_by(Goal.created_at, Goal.id))
    done_changes = []
    benchmarks = list(
        Benchmark.select(Benchmark, Stage)
        .join(Stage)
        .where(
            (Benchmark.engagement == engagement.id) & Benchmark.completed_on.is_null() & Benchmark.deleted_at.is_null()
        )
        .order_by(Stage.position, Benchmark.position, Benchmark.id)
    )
    done_benchmarks = []
    if meeting is not None:
        done_changes = list(GoalStatusChange.made_in(meeting.id))
        done_benchmarks = list(Benchmark.completed_in(meeting.id))
    changed_goal_ids = {c.goal_id for c in done_changes}
    measured = [g for g in goals if g.has_measure]
    latest_values = {}  # goal id -> its latest-dated live value (ties: the latest entered)
    for value in (
        GoalMeasurement.live()
        .where(GoalMeasurement.goal.in_([g.id for g in measured] or [0]))
        .order_by(GoalMeasurement.date, GoalMeasurement.id)
    ):
        latest_values[value.goal_id] = value
    done_values = []
    if meeting is not None:
        done_values = list(
            GoalMeasurement.live()
            .where(GoalMeasurement.meeting_id == meeting.id)
            .order_by(GoalMeasurement.date, GoalMeasurement.id)
        )
    valued_goal_ids = {v.goal_id for v in done_values}
    measured_goals = [g for g in measured if g.id not in valued_goal_ids]
    on = meeting.date if meeting is not None else today()
    by_stage = {}
    for b in benchmarks:
        by_stage.setdefault(b.stage.id, (b.stage, []))[1].append(b)
    return {
        "goals": goals,
        "open_goals": [g for g in goals if g.id not in changed_goal_ids],
        "goals_by_id": {g.id: g for g in goals},
        "done_changes": done_changes,
        "benchmark_groups": sorted(
            by_stage.values(), key=lambda pair: (pair[0].id != engagement.current_stage_id, pair[0].position)
        ),
        "done_benchmarks": done_benchmarks,
        # measured indicators: a value field per measured goal without a value from this meeting
        "measured_goals": measured_goals,
        "latest_values": latest_values,
        "done_values": done_values,
        "measure_due": any(
            measure_due(latest_values[g.id].date if g.id in latest_values else None, on) for g in measured_goals
        ),
    }
