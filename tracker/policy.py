"""The access policy: who may see or change what. Every view and API route asks here.

- admin: sees and changes everything.
- leader: reads everything in their organization's scope (engagements of its units, or those it
  supports as the intermediary, whose leaders also read the support requests addressed to it). A
  leader reads every organization only when an administrator said so (`User.reads_all_organizations`,
  on the user form); one with no organization and no such choice reads nothing. Leaders change nothing.
- isp: sees and changes the engagements they co-lead or support; triages the support requests
  addressed to their intermediary organization (each request names one).
- recipient: sees their own unit's requests and engagements; submits requests and gives feedback.

Review of logs (issue 23; the states in tracker/models/review.py): those who log an engagement's sessions
submit its draft or returned logs; a submitted log is returned or approved by its reviewer (the co-lead who
did not write it, or a leader: the organization's setting `review_by`); an approved log is locked, and only
an administrator reopens it. `can_move_log` is the one decision.

Records a user may not see answer 404 (their existence is not disclosed); records a user may see
but not change answer 403.

Deleting is soft: those who change an engagement may delete it or any of its parts (team members,
goals, meetings, benchmarks, deliverables, context notes, next steps, feedback responses); only admins
see what was deleted and restore it. A deleted engagement answers 404 to all.
"""

from functools import wraps
from typing import NamedTuple

from flask import abort
from flask_login import current_user
from peewee import fn

from .auth import login_manager
from .models import (
    Engagement,
    EngagementISP,
    Meeting,
    NextStep,
    Organization,
    Setting,
    SupportRequest,
    TeamMember,
    Unit,
    User,
)

# --- who a user is, for the rules below ------------------------------------------------------------
# Every rule that depends on a user's role is a function in this module: views, the API and templates
# (through `can`, see Can below) ask here, and never compare roles themselves.


def is_admin(user):
    return user.role == "admin"


def _sees_everything(user):
    return user.role == "admin" or (user.role == "leader" and bool(user.reads_all_organizations))


def _leader_organization(user):
    """The organization whose scope a leader reads: None for a leader who has none (reads nothing)."""
    return user.organization_id if user.role == "leader" else None


def required(rule):
    """A view decorator: signed-in users for whom `rule(user)` holds (others: 403; anonymous users
    are sent to sign in), e.g. `@policy.required(policy.can_create_engagement)`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not rule(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


class Scope(NamedTuple):
    """What a user's lists and reports cover, for the sentence that says so on the page.

    kind: "all" (admins, leaders an admin let read every organization), "organization" (a leader: `name` is their
    organization's), "unit" (a recipient: `name` is their unit's), "own" (an ISP: the engagements
    they co-lead or support), "none" (anything else)."""

    kind: str
    name: str | None = None


def home_label(user):
    """The name of the home page in the menu: a recipient's lists their unit; the others' is "Home" (the one
    engagement list is "Engagements", with its "Mine" filter)."""
    return {"recipient": "My unit"}.get(user.role, "Home")


def requests_label(user):
    """The one name of the support request list, in the menu, titles and breadcrumbs: a recipient sees their
    unit's own requests ("Your requests"); everyone else the request queue."""
    return "Your requests" if asks_for_own_unit(user) else "Request queue"


def lands_on_dashboard(user):
    """Leaders read across engagements: their home is the portfolio dashboard (reports.index)."""
    return user.role == "leader"


def scope(user):
    if _sees_everything(user):
        return Scope("all")
    if _leader_organization(user) is not None:
        return Scope("organization", user.organization.name)
    if user.role == "recipient":
        return Scope("unit", user.unit.name)
    if user.role == "isp":
        return Scope("own")
    return Scope("none")


def _scope_units(organization_id):
    return Unit.select(Unit.id).where(Unit.organization == organization_id)


def visible_engagements(user, query=None):
    """Filter an engagement query (default: all live engagements) to what `user` may see."""
    query = Engagement.live() if query is None else query
    if _sees_everything(user):
        return query
    org = _leader_organization(user)
    if org is not None:
        return query.where(Engagement.unit.in_(_scope_units(org)) | (Engagement.intermediary == org))
    if user.role == "recipient":
        return query.where(Engagement.unit == user.unit_id)
    if user.role == "isp":
        mine = EngagementISP.select(EngagementISP.engagement).where(EngagementISP.user == user.id)
        return query.where(Engagement.id.in_(mine))
    return query.where(Engagement.id.is_null())  # unknown role: nothing


def reads_whole_portfolio(user):
    """Whether `user` sees every live engagement (visible_engagements adds no condition): then a report without
    an engagement, unit or ISP filter may read the rollups, which count the whole portfolio (tracker/rollups.py)."""
    return _sees_everything(user)


def visibility_key(user):
    """A hashable key shared by exactly the users who see the same engagements and support requests
    (visible_engagements and visible_requests give them the same rows): report results computed for
    one of them may be reused for the others (tracker/reports/cache.py)."""
    if _sees_everything(user):
        return ("all",)
    if _leader_organization(user) is not None:
        return ("organization", user.organization_id)
    if user.role == "recipient":
        return ("unit", user.unit_id)
    if user.role == "isp":
        return ("isp", user.id)
    return ("nobody",)


def can_view_engagement(user, engagement, isps=None):
    """`isps`: the engagement's EngagementISP links when the caller has loaded them already (see
    is_on_engagement)."""
    if _sees_everything(user):
        return True
    if user.role == "recipient":
        return engagement.unit_id == user.unit_id
    org = _leader_organization(user)
    if org is not None:
        return engagement.intermediary_id == org or Unit.get_by_id(engagement.unit_id).organization_id == org
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
    if is_admin(user):
        return True
    return user.role == "isp" and is_on_engagement(user, engagement, isps)


def can_agree_to_plan(user, engagement, isps=None):
    """Agree to the engagement's implementation plan (issue 19): each of its co-leads, and the recipient team
    lead signed in as themselves (the team member marked lead whose account is `user`). A co-lead may also
    record the team lead's agreement given in a meeting. Administrators and leaders agree to nothing."""
    if not can_view_engagement(user, engagement, isps):
        return False
    if user.role == "isp":
        links = isps if isps is not None else EngagementISP.select().where(EngagementISP.engagement == engagement.id)
        return any(link.user_id == user.id and link.role == "co_lead" for link in links)
    if user.role == "recipient":
        lead = TeamMember.lead_of(engagement.id)
        return lead is not None and lead.user_id == user.id
    return False


def can_create_engagement(user):
    """Start an engagement directly (without a support request), or by accepting one."""
    return user.role in ("admin", "isp")


def can_co_lead(user):
    """Only ISPs co-lead engagements: one who creates an engagement or accepts a request is offered
    as its first co-lead."""
    return user.role == "isp"


def can_log_sessions(user):
    """Those who may change engagements (ISPs on them, admins) log their meetings and sessions."""
    return user.role in ("admin", "isp")


def can_log_activities(user, engagement, isps=None):
    """Log, change and delete the work between meetings of an engagement (issue 22): those who log its
    sessions (ISPs on it, admins)."""
    return can_log_sessions(user) and can_edit_engagement(user, engagement, isps)


def can_change_log(user, log, engagement, isps=None):
    """Edit or delete a meeting log or an activity: those who log the engagement's sessions, while the log is
    not approved (an approved log is locked until an administrator reopens it)."""
    return not log.is_locked and can_log_activities(user, engagement, isps)


def log_reviewers(engagement, log, isps=None):
    """Who reviews `log`: ("co_lead", ids of the engagement's co-leads other than its author), or ("leader",
    None) when the setting says leaders review or the engagement has no other co-lead."""
    if Setting.value_of("review_by") == "co_lead":
        links = isps if isps is not None else EngagementISP.select().where(EngagementISP.engagement == engagement.id)
        others = {link.user_id for link in links if link.role == "co_lead" and link.user_id != log.logged_by_id}
        if others:
            return "co_lead", others
    return "leader", None


def can_review_log(user, log, engagement, isps=None):
    """Return or approve a submitted log: its reviewer (log_reviewers), never its author."""
    if log.review_state != "submitted" or user.id == log.logged_by_id:
        return False
    if not can_view_engagement(user, engagement, isps):
        return False
    kind, ids = log_reviewers(engagement, log, isps)
    return user.id in ids if kind == "co_lead" else user.role == "leader"


def reviewable_logs(user, model, review_by=None):
    """The live submitted logs of `model` (Meeting or Activity) that `user` may return or approve: the query
    shape of can_review_log (never the author's own; on an engagement the user sees; a co-lead other than the
    author, or a leader when leaders review or no other co-lead is on the engagement). `review_by`: the
    setting, when the caller has read it already."""
    review_by = review_by or Setting.value_of("review_by")
    not_author = model.logged_by.is_null() | (model.logged_by != user.id)
    co_leads = EngagementISP.select(EngagementISP.id).where(
        (EngagementISP.engagement == model.engagement) & (EngagementISP.role == "co_lead")
    )
    other_co_lead = co_leads.where(model.logged_by.is_null() | (EngagementISP.user != model.logged_by))
    if user.role == "leader":  # every log when leaders review, else those with no other co-lead
        reviewer = model.id.is_null(False) if review_by == "leader" else ~fn.EXISTS(other_co_lead)
    elif review_by == "co_lead":
        reviewer = fn.EXISTS(other_co_lead.where(EngagementISP.user == user.id))
    else:
        reviewer = model.id.is_null()  # nothing
    visible = visible_engagements(user).select(Engagement.id)
    return model.select().where(
        (model.review_state == "submitted")
        & model.deleted_at.is_null()
        & not_author
        & model.engagement.in_(visible)
        & reviewer
    )


def can_move_log(user, log, move, engagement, isps=None):
    """Make one review move on a meeting log or an activity (tracker/models/review.py REVIEW_MOVES):
    submit (a draft or returned log: those who may change it), return or approve (its reviewer), reopen (an
    approved log: administrators). A move that does not start from the log's state is refused."""
    if move not in log.moves_from_here():
        return False
    if move == "submit":
        return can_change_log(user, log, engagement, isps)
    if move in ("return", "approve"):
        return can_review_log(user, log, engagement, isps)
    if move == "reopen":
        return is_admin(user) and can_view_engagement(user, engagement, isps)
    return False


def can_keep_drafts(user, engagement, isps=None):
    """Keep a draft of the meeting form, read it back, and say "I am editing this meeting" (issue 23):
    who may log the engagement's meetings; each person only ever reads their own drafts."""
    return can_log_activities(user, engagement, isps)


def has_work_section(user, key):
    """The sections of a user's My work (tracker/reports/my_work.py): their drafts and returned logs (those
    who log sessions), logs waiting for their review (ISPs and leaders: reviewable_logs says which), overdue
    next steps and deliverables (ISPs, on their engagements), requests waiting for triage (those who triage)
    or for their answer (recipients), feedback asked of them (everyone), and reviews running late
    (administrators, who reopen logs but review none)."""
    return {
        "drafts": can_log_sessions,
        "returned": can_log_sessions,
        "to_review": lambda u: u.role in ("isp", "leader"),
        "late_reviews": is_admin,
        "next_steps": sees_next_steps,
        "deliverables": sees_next_steps,
        "triage": can_triage_requests,
        "questions": answers_questions,
        "feedback": lambda u: True,
    }[key](user)


def sees_next_steps(user):
    """The home page lists the next steps due on the engagements of an ISP."""
    return user.role == "isp"


def can_see_activity(user):
    """The engagement page's activity log (who changed what): everyone who sees it but recipients."""
    return user.role != "recipient"


def can_see_internal_notes(user):
    """Internal notes (a session's notes or a context note an ISP marked internal): ISPs, leaders and
    admins; a recipient never sees one (pages, API, exports). The notes are filtered in the models
    (Meeting.notes_for, ContextNote.shown) with this answer. A recipient's visibility_key differs from
    everyone else's, so reports cached by it never mix the two. Not internal, by decision: a goal's status
    note and a stage's entry note (the shared record of progress the recipient takes part in), and the
    engagement's problem statement and closing summary. The research export is run by an administrator on
    the server (`export-research`), never reaches a recipient, and carries free text only with
    --include-notes; recipients see no activity log (can_see_activity) and get no email with notes."""
    return user.role != "recipient"


def can_see_unused_competencies(user):
    """Which competencies each ISP never used (the zero cells of the ISP x competency matrix, the API's
    `never`): a judgment of the intermediary's staff, not shown to recipients."""
    return user.role != "recipient"


def can_see_cost(user):
    """The cost of support (ISPs' rates x minutes): the intermediary's own figures, never a recipient's."""
    return user.role != "recipient"


def can_read_modifications(user, engagement, isps=None):
    """The FRAME-IS modifications of an engagement's plan: everyone who sees the engagement, recipients
    included (the plan and how it changed are co-created with them; issue 19)."""
    return can_view_engagement(user, engagement, isps)


def can_record_modification(user, engagement, isps=None):
    """Record, change or delete a modification, and be asked by a lapse prompt: those who log the
    engagement's sessions (its ISPs, admins)."""
    return can_edit_engagement(user, engagement, isps)


def can_browse_engagements(user):
    """The engagement list is in the menu for all but recipients, whose home page lists their
    unit's engagements (the list itself answers them too, scoped like everything else)."""
    return user.role != "recipient"


def can_see_invitations(user):
    """Who was invited to give feedback on an engagement and whether they answered: admins."""
    return is_admin(user)


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
# Those who edit an engagement may delete it or one of its parts (a team member, goal, meeting,
# benchmark, deliverable, context note, next step, feedback response); what is deleted is kept (soft
# delete) and only administrators see it and restore it.
# Leaders change nothing, so they neither delete nor restore. A deleted engagement answers 404 to
# everyone on every page but the administrators' list of deleted engagements.


def can_delete_engagement(user, engagement, isps=None):
    return can_edit_engagement(user, engagement, isps)


def can_delete_part(user, engagement):
    """Delete one part of an engagement (soft: an administrator can restore it)."""
    return can_edit_engagement(user, engagement)


def can_delete_feedback_response(user, engagement):
    """Delete one feedback response: administrators only (a response removed by someone who knows
    the figures could be isolated by subtraction; docs/disclosure.md)."""
    return is_admin(user) and can_delete_part(user, engagement)


def can_restore(user):
    """Who sees deleted records (engagements and every part of one) and restores them."""
    return is_admin(user)


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


def get_next_step(engagement, step_id):
    """An open or done next step of a live meeting of `engagement` (from get_engagement), or 404."""
    found = (
        NextStep.live()
        .join(Meeting, on=(NextStep.meeting == Meeting.id))
        .where((NextStep.id == step_id) & (Meeting.engagement == engagement.id) & Meeting.deleted_at.is_null())
        .first()
    )
    if found is None:
        abort(404)
    return found


# --- support requests ---------------------------------------------------------------------------


def can_triage_requests(user):
    """Accept, decline or ask about a support request: the implementation support team and admins."""
    return user.role in ("admin", "isp")


def can_submit_request(user):
    """Recipients ask for support for their own unit; admins submit on behalf of any unit."""
    return user.role in ("recipient", "admin")


def asks_for_own_unit(user):
    """A recipient: they submit requests for their own unit only, and their request list is their
    unit's requests (no triage tabs); pages with nothing yet point them to "Request support"."""
    return user.role == "recipient"


def answers_questions(user):
    """Recipients answer the team's questions on their unit's requests (their home page shows the ones
    waiting)."""
    return user.role == "recipient"


def can_answer(user, support_request):
    """Answer the team's question on a request: a recipient of the request's unit."""
    return answers_questions(user) and support_request.unit_id == user.unit_id


def triage_isps(support_request):
    """The people told when a request arrives: the active ISPs who triage it, those of the intermediary
    it is addressed to (as visible_requests lets them see it; with no intermediary, ISPs with no
    organization). Administrators triage too, but are not told of every request."""
    query = User.select().where((User.role == "isp") & User.is_active)
    if support_request.intermediary_id is None:
        return query.where(User.organization.is_null())
    return query.where(User.organization == support_request.intermediary_id)


def weekly_summary_readers():
    """Who gets the weekly summary of overdue next steps, engagements needing attention and unanswered
    questions (`send-digests`): the active ISPs."""
    return User.select().where((User.role == "isp") & User.is_active).order_by(User.name, User.id)


def can_withdraw_request(user, support_request):
    """Withdraw a request while it is open: the recipient who submitted it."""
    return (
        user.role == "recipient"
        and support_request.requested_by_id == user.id
        and support_request.unit_id == user.unit_id
        and support_request.status in ("submitted", "info_requested")
    )


def home_requests(user, limit=10):
    """The support requests listed on the user's home page (newest first): a recipient's unit's
    latest; None for everyone else, whose home page has no such list."""
    if not asks_for_own_unit(user):
        return None
    return list(visible_requests(user).order_by(SupportRequest.created_at.desc()).limit(limit))


def visible_requests(user, query=None):
    """Support requests `user` may see. Each request is addressed to one intermediary organization:
    its ISPs and leaders see it, no other intermediary's. A recipient organization's leader sees its
    units' requests. Requests addressed to no intermediary (an install that has none) are seen by ISPs
    with no organization."""
    query = SupportRequest.select() if query is None else query
    if _sees_everything(user):
        return query
    org = _leader_organization(user)
    if org is not None:
        return query.where((SupportRequest.intermediary == org) | SupportRequest.unit.in_(_scope_units(org)))
    if user.role == "isp":
        if user.organization_id is None:
            return query.where(SupportRequest.intermediary.is_null())
        return query.where(SupportRequest.intermediary == user.organization_id)
    if user.role == "recipient":
        return query.where(SupportRequest.unit == user.unit_id)
    return query.where(SupportRequest.id.is_null())


def get_request(request_id, user=None):
    user = user or current_user
    found = visible_requests(user).where(SupportRequest.id == request_id).first()
    if found is None:
        abort(404)
    return found


# --- reports, the directory, administration, API tokens ----------------------------------------------


def can_read_reports(user):
    """Reports are in the menu of leaders, ISPs and admins. Every report is restricted to what the
    user may see, so a recipient reaching one reads their own unit's engagements only."""
    return user.role in ("leader", "admin", "isp")


def can_read_workload(user):
    """The Team report (each ISP's engagements, minutes and capacity) and its API: leaders and admins."""
    return user.role in ("leader", "admin")


def can_see_own_competency_profile(user):
    """An ISP's own competency profile over time (/reports/my-competencies and its CSV): ISPs only, each about
    themselves; leaders, admins and recipients read the competency reports instead."""
    return user.role == "isp"


def workload_isps(user):
    """The active ISPs whose workload `user` reads (a query of User): everyone's for admins and leaders
    reading every organization; a leader's organization's ISPs; an ISP's colleagues of their own
    organization (those a request they triage may be given to, triage_isps); none for recipients."""
    query = User.select().where((User.role == "isp") & User.is_active)
    if _sees_everything(user):
        return query
    org = _leader_organization(user)
    if org is not None:
        return query.where(User.organization == org)
    if user.role == "isp":
        if user.organization_id is None:
            return query.where(User.organization.is_null())
        return query.where(User.organization == user.organization_id)
    return query.where(User.id.is_null())


def can_list_directory(user):
    """Who may list the directory of organizations and units (the API): every signed-in user and API
    token, each only as far as they may see it (visible_units, visible_organizations)."""
    return user.is_authenticated


def sees_whole_directory(user):
    """All organizations and units: admins, leaders who read every organization, and those who start
    engagements or submit requests for any unit (ISPs, admins)."""
    return _sees_everything(user) or can_create_engagement(user)


def visible_units(user, query=None):
    """The units `user` may see in the directory: all (sees_whole_directory); a leader's organization's
    units and those of the engagements and requests they see; a recipient's own unit; else none."""
    query = Unit.select() if query is None else query
    if sees_whole_directory(user):
        return query
    if user.role == "recipient":
        return query.where(Unit.id == user.unit_id)
    if _leader_organization(user) is not None:
        return query.where(
            (Unit.organization == user.organization_id)
            | Unit.id.in_(visible_engagements(user).select(Engagement.unit))
            | Unit.id.in_(visible_requests(user).select(SupportRequest.unit))
        )
    return query.where(Unit.id.is_null())


def visible_organizations(user, query=None):
    """The organizations `user` may see in the directory: their own and those of the units they see."""
    query = Organization.select() if query is None else query
    if sees_whole_directory(user):
        return query
    return query.where(
        (Organization.id == user.organization_id) | Organization.id.in_(visible_units(user).select(Unit.organization))
    )


def can_administer(user):
    """The admin pages: users, the catalog, the audit log; creating organizations and units."""
    return is_admin(user)


def can_move_portfolio(user):
    """Admin > Portfolio (issue 20): import a workbook, download the whole portfolio with real names."""
    return is_admin(user)


def can_manage_users(user):
    """List and create user accounts (pages and API)."""
    return is_admin(user)


def can_revoke_token(user, token):
    """An API token may be revoked by its owner or by an admin."""
    return token.user_id == user.id or is_admin(user)


# --- for templates ------------------------------------------------------------------------------------


class Can:
    """The policy for templates, bound to one user: `can.restore`, `can.triage_requests`,
    `can.edit(engagement)`... Every attribute asks the function of the same rule above; an anonymous
    user may do nothing."""

    def __init__(self, user):
        self.user = user

    def _ask(self, rule, *args):
        return bool(self.user is not None and self.user.is_authenticated and rule(self.user, *args))

    administer = property(lambda self: self._ask(can_administer))
    ask_for_own_unit = property(lambda self: self._ask(asks_for_own_unit))
    browse_engagements = property(lambda self: self._ask(can_browse_engagements))
    create_engagement = property(lambda self: self._ask(can_create_engagement))
    land_on_dashboard = property(lambda self: self._ask(lands_on_dashboard))
    log_sessions = property(lambda self: self._ask(can_log_sessions))
    manage_users = property(lambda self: self._ask(can_manage_users))
    read_reports = property(lambda self: self._ask(can_read_reports))
    restore = property(lambda self: self._ask(can_restore))
    see_activity = property(lambda self: self._ask(can_see_activity))
    see_internal_notes = property(lambda self: self._ask(can_see_internal_notes))
    see_invitations = property(lambda self: self._ask(can_see_invitations))
    see_own_competency_profile = property(lambda self: self._ask(can_see_own_competency_profile))
    see_unused_competencies = property(lambda self: self._ask(can_see_unused_competencies))
    submit_request = property(lambda self: self._ask(can_submit_request))
    triage_requests = property(lambda self: self._ask(can_triage_requests))

    def answer(self, support_request):
        return self._ask(can_answer, support_request)

    def edit(self, engagement):
        return self._ask(can_edit_engagement, engagement)

    def log_activities(self, engagement):
        return self._ask(can_log_activities, engagement)

    def record_modification(self, engagement):
        return self._ask(can_record_modification, engagement)

    def agree_to_plan(self, engagement):
        return self._ask(can_agree_to_plan, engagement)

    @property
    def role_label(self):
        """The reader's role as shown beside their name ("ISP", "Leader"...): templates show it from here,
        so no template reads the role itself. Short, so the header keeps to one line; `role_title` is in full."""
        if self.user is None or not self.user.is_authenticated:
            return ""
        return self.user.role_short_label

    @property
    def role_title(self):
        """The reader's role in full ("Implementation support practitioner"), for a title attribute."""
        if self.user is None or not self.user.is_authenticated:
            return ""
        return self.user.role_label

    @property
    def requests_label(self):
        """The name of the support request list: "Request queue" or "Your requests" (see requests_label)."""
        if self.user is None or not self.user.is_authenticated:
            return "Request queue"
        return requests_label(self.user)

    @property
    def scope(self):
        """What the user's lists cover (see Scope), for the sentence that says so."""
        if self.user is None or not self.user.is_authenticated:
            return Scope("none")
        return scope(self.user)

    @property
    def home_label(self):
        """The menu's name for the home page: "My unit" or "Home"."""
        if self.user is None or not self.user.is_authenticated:
            return "Home"
        return home_label(self.user)
