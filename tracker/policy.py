"""The access policy: who may see or change what. Every view and API route asks here.

- admin: sees and changes everything.
- leader: reads everything in their organization's scope (engagements of its units, or those it
  supports as the intermediary, whose leaders also read every support request); a leader with no
  organization reads everything. Leaders change nothing.
- isp: sees and changes the engagements they co-lead or support; triages support requests.
- recipient: sees their own unit's requests and engagements; submits requests and gives feedback.

Records a user may not see answer 404 (their existence is not disclosed); records a user may see
but not change answer 403.

Deleting is soft: those who change an engagement may delete it or its meetings, goals and feedback
responses; only admins see what was deleted and restore it. A deleted engagement answers 404 to all.
"""

from flask import abort
from flask_login import current_user

from .models import Engagement, EngagementISP, SupportRequest, Unit


def _scope_units(organization_id):
    return Unit.select(Unit.id).where(Unit.organization == organization_id)


def visible_engagements(user, query=None):
    """Filter an engagement query (default: all live engagements) to what `user` may see."""
    query = Engagement.live() if query is None else query
    if user.role == "admin" or (user.role == "leader" and user.organization_id is None):
        return query
    if user.role == "leader":
        org = user.organization_id
        return query.where(Engagement.unit.in_(_scope_units(org)) | (Engagement.intermediary == org))
    if user.role == "recipient":
        return query.where(Engagement.unit == user.unit_id)
    if user.role == "isp":
        mine = EngagementISP.select(EngagementISP.engagement).where(EngagementISP.user == user.id)
        return query.where(Engagement.id.in_(mine))
    return query.where(Engagement.id.is_null())  # unknown role: nothing


def visibility_key(user):
    """A hashable key shared by exactly the users who see the same engagements and support requests
    (visible_engagements and visible_requests give them the same rows): report results computed for
    one of them may be reused for the others (tracker/reports/cache.py)."""
    if user.role == "admin" or (user.role == "leader" and user.organization_id is None):
        return ("all",)
    if user.role == "leader":
        return ("organization", user.organization_id)
    if user.role == "recipient":
        return ("unit", user.unit_id)
    if user.role == "isp":
        return ("isp", user.id)
    return ("nobody",)


def can_view_engagement(user, engagement, isps=None):
    """`isps`: the engagement's EngagementISP links when the caller has loaded them already (see
    is_on_engagement)."""
    if user.role == "admin" or (user.role == "leader" and user.organization_id is None):
        return True
    if user.role == "recipient":
        return engagement.unit_id == user.unit_id
    if user.role == "leader":
        return (
            engagement.intermediary_id == user.organization_id
            or Unit.get_by_id(engagement.unit_id).organization_id == user.organization_id
        )
    if user.role == "isp":
        return is_on_engagement(user, engagement, isps)
    return False


def is_on_engagement(user, engagement, isps=None):
    """Whether `user` is one of the engagement's ISPs (co-lead or supporting). With `isps`, the
    engagement's EngagementISP links as just loaded by the caller, no query is made; nothing is
    remembered between calls, so a check after the team is saved sees the new team."""
    if isps is not None:
        return any(link.user_id == user.id for link in isps)
    return (
        EngagementISP.select()
        .where((EngagementISP.engagement == engagement.id) & (EngagementISP.user == user.id))
        .exists()
    )


def can_edit_engagement(user, engagement, isps=None):
    if user.role == "admin":
        return True
    return user.role == "isp" and is_on_engagement(user, engagement, isps)


def get_engagement(engagement_id, edit=False, user=None, isps=None):
    """The live engagement for the current user, or 404 (not visible) / 403 (visible, not editable).
    `isps`: the engagement's EngagementISP links, when the caller needs them anyway (no query then)."""
    user = user or current_user
    engagement = Engagement.live().where(Engagement.id == engagement_id).first()
    if engagement is None or not can_view_engagement(user, engagement, isps):
        abort(404)
    if edit and not can_edit_engagement(user, engagement, isps):
        abort(403)
    return engagement


# --- deleting and restoring -------------------------------------------------------------------------
# Those who edit an engagement may delete it or one of its parts (a meeting, a goal, a feedback
# response); what is deleted is kept (soft delete) and only administrators see it and restore it.
# Leaders change nothing, so they neither delete nor restore. A deleted engagement answers 404 to
# everyone on every page but the administrators' list of deleted engagements.


def can_delete_engagement(user, engagement, isps=None):
    return can_edit_engagement(user, engagement, isps)


def can_delete_feedback_response(user, engagement):
    return can_edit_engagement(user, engagement)


def can_restore(user):
    """Who sees deleted records (engagements, meetings, goals, feedback responses) and restores them."""
    return user.role == "admin"


def get_deleted_engagement(engagement_id, user=None):
    """A deleted engagement, for restoring: 404 unless it is deleted and the user may restore it."""
    user = user or current_user
    found = None
    if can_restore(user):
        found = (
            Engagement.select().where((Engagement.id == engagement_id) & Engagement.deleted_at.is_null(False)).first()
        )
    if found is None:
        abort(404)
    return found


def get_part(model, engagement, record_id, deleted=False):
    """A row of `model` (a goal, meeting, team member, ...) that belongs to `engagement`, or 404.

    `engagement` comes from get_engagement, so access is already checked; an id of another
    engagement answers 404 like an unknown one. Soft-deleted models give live rows, or with
    deleted=True the deleted ones (for restoring)."""
    query = model.select().where((model.id == record_id) & (model.engagement == engagement.id))
    if "deleted_at" in model._meta.fields:
        query = query.where(model.deleted_at.is_null(not deleted))
    found = query.first()
    if found is None:
        abort(404)
    found.engagement = engagement  # no second query for it
    return found


# --- support requests ---------------------------------------------------------------------------


def can_triage_requests(user):
    return user.role in ("admin", "isp")


def visible_requests(user, query=None):
    query = SupportRequest.select() if query is None else query
    if user.role in ("admin", "isp") or (user.role == "leader" and user.organization_id is None):
        return query
    if user.role == "leader":
        if user.organization.kind == "intermediary":
            return query  # requests are addressed to the intermediary: its director reads them all
        return query.where(SupportRequest.unit.in_(_scope_units(user.organization_id)))
    if user.role == "recipient":
        return query.where(SupportRequest.unit == user.unit_id)
    return query.where(SupportRequest.id.is_null())


def get_request(request_id, user=None):
    user = user or current_user
    found = visible_requests(user).where(SupportRequest.id == request_id).first()
    if found is None:
        abort(404)
    return found
