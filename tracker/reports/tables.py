"""The rows of the tables that are lists of records (engagements, requests, goals, deliverables, context
notes): one query each, read by the page that shows the table and by its CSV (tracker/exports.py), so a
download holds exactly what the page lists, scoped the same way."""

from peewee import JOIN

from .. import policy
from ..models import OPEN_REQUEST_STATUSES as OPEN_STATUSES
from ..models import (
    ContextNote,
    Deliverable,
    Engagement,
    FeedbackInvitation,
    Goal,
    GoalStatusChange,
    SupportRequest,
    TeamMember,
    Unit,
    User,
)

# The request list's tabs: {key: (label, the statuses listed; None: all)}.
REQUEST_TABS = {
    "open": ("Open", OPEN_STATUSES),
    "submitted": ("Submitted", ("submitted",)),
    "info_requested": ("Waiting for information", ("info_requested",)),
    "accepted": ("Accepted", ("accepted",)),
    "declined": ("Declined", ("declined",)),
    "withdrawn": ("Withdrawn", ("withdrawn",)),
    "all": ("All", None),
}


def engagement_goals(engagement_id):
    """[{"goal": Goal, "history": [GoalStatusChange, oldest first]}]: one engagement's live goals, oldest first."""
    goals = list(Goal.live().where(Goal.engagement == engagement_id).order_by(Goal.created_at, Goal.id))
    history = {}
    if goals:
        for change in (
            GoalStatusChange.select()
            .where(GoalStatusChange.goal.in_([g.id for g in goals]))
            .order_by(GoalStatusChange.changed_on, GoalStatusChange.id)
        ):
            history.setdefault(change.goal_id, []).append(change)
    return [{"goal": g, "history": history.get(g.id, [])} for g in goals]


def deliverables(engagement_ids):
    """Live deliverables of these engagements (a list or a subquery of ids), by due date (undated last)."""
    return list(
        Deliverable.live()
        .select_extend(Engagement.title)
        .join(Engagement)
        .where(Deliverable.engagement.in_(engagement_ids))
        .order_by(Deliverable.due_on.is_null(), Deliverable.due_on, Engagement.title, Deliverable.id)
    )


def context_notes(engagement_ids, user):
    """Live context notes of these engagements, oldest first; internal notes only for those who may see them
    (policy.can_see_internal_notes)."""
    query = (
        ContextNote.live()
        .select_extend(Engagement.title)
        .join(Engagement)
        .where(ContextNote.engagement.in_(engagement_ids))
        .order_by(Engagement.title, ContextNote.noted_on, ContextNote.id)
    )
    return list(ContextNote.shown(query, policy.can_see_internal_notes(user)))


def request_tab(user, tab):
    """(tab key or None, the statuses it lists or None) of the request list's `?status=`: none for those
    who ask for their own unit (one list), else the tab named, "open" by default."""
    if policy.asks_for_own_unit(user):
        return None, None
    tab = tab if tab in REQUEST_TABS else "open"
    return tab, REQUEST_TABS[tab][1]


def requests(user, tab=None):
    """(tab, query): the requests the user may see (policy.visible_requests) in the request list's tab
    (request_tab), with unit and requester, in the list's order (the queue's order on the open tabs)."""
    tab, statuses = request_tab(user, tab)
    requester = User.alias()
    query = (
        policy.visible_requests(user)
        .select_extend(Unit, requester)
        .join(Unit, on=(SupportRequest.unit == Unit.id))
        .switch(SupportRequest)
        .join(requester, JOIN.LEFT_OUTER, on=(SupportRequest.requested_by == requester.id), attr="requested_by")
    )
    if statuses:
        query = query.where(SupportRequest.status.in_(statuses))
    if tab in ("open", "submitted", "info_requested"):
        return tab, query.order_by(*SupportRequest.queue_order())
    return tab, query.order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc())


def deleted_goals(engagement_id):
    """One engagement's deleted goals, most recently deleted first (the deleted goals page)."""
    return list(
        Goal.select()
        .where((Goal.engagement == engagement_id) & Goal.deleted_at.is_null(False))
        .order_by(Goal.deleted_at.desc(), Goal.id)
    )


def invitations(engagement_id):
    """One engagement's feedback invitations with their team member, newest first (the feedback page and the
    responses page)."""
    return list(
        FeedbackInvitation.select(FeedbackInvitation, TeamMember)
        .join(TeamMember, on=(FeedbackInvitation.team_member == TeamMember.id), join_type=JOIN.LEFT_OUTER)
        .where(FeedbackInvitation.engagement == engagement_id)
        .order_by(FeedbackInvitation.created_at.desc(), FeedbackInvitation.id.desc())
    )
