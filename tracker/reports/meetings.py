"""What a meeting's page shows: who attended, what was worked on, progress and next steps."""

from collections import defaultdict

from peewee import JOIN

from ..models import (
    Benchmark,
    Competency,
    CompetencyDomain,
    Goal,
    GoalMeasurement,
    GoalStatusChange,
    MeetingAttendee,
    MeetingCompetency,
    MeetingDecision,
    MeetingPrinciple,
    MeetingStrategy,
    NextStep,
    Principle,
    Strategy,
    StrategyCluster,
    TeamMember,
    User,
)


def meeting_detail(meeting):
    """What the meeting page shows, in a fixed number of queries."""
    attendees = list(
        MeetingAttendee.select(MeetingAttendee, TeamMember, User)
        .join_from(MeetingAttendee, TeamMember, JOIN.LEFT_OUTER)
        .join_from(MeetingAttendee, User, JOIN.LEFT_OUTER)
        .where((MeetingAttendee.meeting == meeting.id) & TeamMember.deleted_at.is_null())  # ISPs: no member
        .order_by(MeetingAttendee.id)
    )
    team = sorted((a.team_member for a in attendees if a.team_member_id), key=lambda t: t.name)
    isps = sorted((a.user for a in attendees if a.user_id), key=lambda u: u.name)
    competencies = defaultdict(list)
    for link in (
        MeetingCompetency.select(MeetingCompetency, Competency, CompetencyDomain)
        .join(Competency)
        .join(CompetencyDomain)
        .where(MeetingCompetency.meeting == meeting.id)
        .order_by(CompetencyDomain.position, Competency.position)
    ):
        competencies[link.competency.domain.name].append(link.label)
    strategies = defaultdict(list)
    for link in (
        MeetingStrategy.select(MeetingStrategy, Strategy, StrategyCluster)
        .join(Strategy)
        .join(StrategyCluster)
        .where(MeetingStrategy.meeting == meeting.id)
        .order_by(StrategyCluster.number, Strategy.number)
    ):
        strategies[link.strategy.cluster.name].append(link.label)
    principles = list(
        Principle.select()
        .join(MeetingPrinciple)
        .where(MeetingPrinciple.meeting == meeting.id)
        .order_by(Principle.position)
    )
    goal_changes = list(GoalStatusChange.made_in(meeting.id))
    benchmarks = list(Benchmark.completed_in(meeting.id))
    measured_values = list(  # the values of measured goals recorded in it (live goals and values)
        GoalMeasurement.select(GoalMeasurement, Goal)
        .join(Goal)
        .where(
            (GoalMeasurement.meeting_id == meeting.id)
            & GoalMeasurement.deleted_at.is_null()
            & Goal.deleted_at.is_null()
        )
        .order_by(Goal.created_at, Goal.id, GoalMeasurement.id)
    )
    next_steps = list(NextStep.live().where(NextStep.meeting == meeting.id).order_by(NextStep.id))
    logged_by = User.get_or_none(User.id == meeting.logged_by_id) if meeting.logged_by_id else None
    return {
        "meeting": meeting,
        "team": team,
        "isps": isps,
        "competencies": dict(competencies),
        "strategies": dict(strategies),
        "principles": principles,
        "goal_changes": goal_changes,
        "benchmarks": benchmarks,
        "measured_values": measured_values,
        "next_steps": next_steps,
        "decisions": MeetingDecision.of(meeting),
        "logged_by": logged_by,
    }
