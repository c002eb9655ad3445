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
    Stage,
    TeamMember,
    Unit,
    User,
)
from ..paging import Page


def engagement_list(query):
    """Rows for a list of engagements: each engagement with unit, stage, co-leads and meeting totals.

    `query` is an Engagement select (already filtered by the access policy and paginated).
    Four queries in all.
    """
    engagements = list(query.select_extend(Unit, Stage)
                       .join_from(Engagement, Unit)
                       .join_from(Engagement, Stage, JOIN.LEFT_OUTER))
    ids = [e.id for e in engagements]
    co_leads = defaultdict(list)
    totals = {}
    if ids:
        for link in (EngagementISP.select(EngagementISP, User).join(User)
                     .where(EngagementISP.engagement.in_(ids) & (EngagementISP.role == "co_lead"))
                     .order_by(User.name)):
            co_leads[link.engagement_id].append(link.user)
        for row in (Meeting.select(Meeting.engagement, fn.COUNT(Meeting.id).alias("n"),
                                   fn.MAX(Meeting.date).alias("last"),
                                   fn.SUM(Meeting.duration_minutes).alias("minutes"))
                    .where(Meeting.engagement.in_(ids) & Meeting.deleted_at.is_null())
                    .group_by(Meeting.engagement).dicts()):
            totals[row["engagement"]] = row
    rows = []
    for e in engagements:
        t = totals.get(e.id, {})
        last = t.get("last")
        if isinstance(last, str):  # SQLite returns MAX(date) as text
            last = dt.date.fromisoformat(last)
        rows.append({"engagement": e, "co_leads": co_leads.get(e.id, []), "meetings": t.get("n", 0),
                     "last_meeting": last, "minutes": int(t.get("minutes") or 0)})
    return rows


def next_steps_due(engagement_query, until=None, limit=20):
    """Open next steps of the given engagements, soonest due first."""
    until = until or dt.date.today() + dt.timedelta(days=14)
    return list(NextStep.select(NextStep, Meeting, Engagement)
                .join(Meeting).join(Engagement)
                .where(Meeting.engagement.in_(engagement_query.select(Engagement.id))
                       & Meeting.deleted_at.is_null() & NextStep.done_on.is_null()
                       & NextStep.due_on.is_null(False) & (NextStep.due_on <= until))
                .order_by(NextStep.due_on, NextStep.id).limit(limit))


MEETINGS_PER_PAGE = 10


def engagement_overview(engagement, meeting_page=1, per_page=MEETINGS_PER_PAGE):
    """Everything the engagement page shows, in a fixed number of queries; the meetings a page at a
    time, newest first (`meeting_page`; out of range falls back to the nearest page)."""
    isps = engagement.isps()
    team = list(TeamMember.select().where(TeamMember.engagement == engagement)
                .order_by(TeamMember.left_on.is_null(False), TeamMember.name))
    goals = list(Goal.live().where(Goal.engagement == engagement).order_by(Goal.created_at, Goal.id))
    history = defaultdict(list)
    if goals:
        for change in (GoalStatusChange.select()
                       .where(GoalStatusChange.goal.in_([g.id for g in goals]))
                       .order_by(GoalStatusChange.changed_on, GoalStatusChange.id)):
            history[change.goal_id].append(change)
    stages = list(Stage.ordered())
    stage_path = engagement.stage_history()
    benchmarks = defaultdict(list)
    for b in (Benchmark.select().where(Benchmark.engagement == engagement)
              .order_by(Benchmark.position, Benchmark.id)):
        benchmarks[b.stage_id].append(b)

    totals = (Meeting.live().select(fn.COUNT(Meeting.id).alias("n"), fn.SUM(Meeting.duration_minutes).alias("m"))
              .where(Meeting.engagement == engagement).dicts().get())
    meetings_page = Page(query=None, number=1, per_page=per_page, total=totals["n"] or 0)
    meetings_page.number = min(max(1, meeting_page or 1), meetings_page.pages)
    meetings = list(Meeting.live().where(Meeting.engagement == engagement)
                    .order_by(Meeting.date.desc(), Meeting.id.desc()).paginate(meetings_page.number, per_page))
    meeting_ids = [m.id for m in meetings]
    tags = {"competencies": defaultdict(list), "strategies": defaultdict(list), "next_steps": defaultdict(list),
            "attendees": defaultdict(int)}
    if meeting_ids:
        for link in (MeetingCompetency.select(MeetingCompetency.meeting, MeetingCompetency.label)
                     .where(MeetingCompetency.meeting.in_(meeting_ids)).order_by(MeetingCompetency.id)):
            tags["competencies"][link.meeting_id].append(link.label)
        for link in (MeetingStrategy.select(MeetingStrategy.meeting, MeetingStrategy.label)
                     .where(MeetingStrategy.meeting.in_(meeting_ids)).order_by(MeetingStrategy.id)):
            tags["strategies"][link.meeting_id].append(link.label)
        for step in (NextStep.select().where(NextStep.meeting.in_(meeting_ids))
                     .order_by(NextStep.due_on, NextStep.id)):
            tags["next_steps"][step.meeting_id].append(step)
        for row in (MeetingAttendee.select(MeetingAttendee.meeting, fn.COUNT(MeetingAttendee.id).alias("n"))
                    .where(MeetingAttendee.meeting.in_(meeting_ids)).group_by(MeetingAttendee.meeting).dicts()):
            tags["attendees"][row["meeting"]] = row["n"]

    deliverables = list(Deliverable.select().where(Deliverable.engagement == engagement)
                        .order_by(Deliverable.due_on.is_null(), Deliverable.due_on, Deliverable.id))
    context_notes = list(ContextNote.select().where(ContextNote.engagement == engagement)
                         .order_by(ContextNote.noted_on.desc(), ContextNote.id.desc()))
    return {
        "engagement": engagement,
        "co_leads": [link.user for link in isps if link.role == "co_lead"],
        "supporting": [link.user for link in isps if link.role == "supporting"],
        "team": team,
        "goals": [{"goal": g, "history": history.get(g.id, [])} for g in goals],
        "stages": stages,
        "stage_path": stage_path,
        "benchmarks": benchmarks,
        "meetings": [{"meeting": m, "competencies": tags["competencies"].get(m.id, []),
                      "strategies": tags["strategies"].get(m.id, []),
                      "next_steps": tags["next_steps"].get(m.id, []),
                      "attendees": tags["attendees"].get(m.id, 0)} for m in meetings],
        "meetings_page": meetings_page,
        "meeting_count": totals["n"] or 0,
        "minutes": int(totals["m"] or 0),
        "deliverables": deliverables,
        "context_notes": context_notes,
    }
