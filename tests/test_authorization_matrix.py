"""Every route of the app against every role: the outcome each must get.

The table below gives each endpoint an access class; a new route that is not in it fails
`test_every_route_is_in_the_matrix`, so nobody adds a page without deciding who may open it.
Outcomes: "ok" (the page, or its form's own answer: 200, 302 elsewhere than sign-in, 400 for an
empty form), "login" (sent to sign in), 403, 404, and for the API 401.
"""

import datetime as dt
import io
from urllib.parse import urlsplit

import pytest
from werkzeug.datastructures import FileStorage

from tracker.api import new_token
from tracker.api.common import UPLOADS
from tracker.models import (
    Activity,
    ActivityISP,
    Benchmark,
    BenchmarkTemplate,
    Competency,
    ContextNote,
    Deliverable,
    FeedbackInstrument,
    FeedbackItem,
    Goal,
    GoalMeasurement,
    GoalTemplate,
    Meeting,
    Modification,
    NextStep,
    Setting,
    Stage,
    Strategy,
    SupportRequest,
)
from tracker.services.attachments import add_attachment

from . import factories
from .api_helpers import token_for
from .conftest import csrf_token, sign_in
from .feedback_helpers import respond

ROLES = ["anonymous", "recipient_a", "recipient_b", "isp_on", "isp_off", "leader_in", "leader_out", "admin"]
SIGNED_IN = {role: "ok" for role in ROLES if role != "anonymous"}


def row(anonymous="login", **outcomes):
    return {"anonymous": anonymous, **outcomes}


CLASSES = {
    # anyone signed in; the page itself narrows what they see through the policy
    "signed_in": row(**SIGNED_IN),
    # an engagement's pages and the pages of its parts (engagement A, unit A)
    "engagement_read": row(
        recipient_a="ok", recipient_b=404, isp_on="ok", isp_off=404, leader_in="ok", leader_out=404, admin="ok"
    ),
    "engagement_write": row(
        recipient_a=403, recipient_b=404, isp_on="ok", isp_off=404, leader_in=403, leader_out=404, admin="ok"
    ),
    # as engagement_write, from the home page and back to it (a next step ticked off there)
    "engagement_write_home": row(
        recipient_a=403, recipient_b=404, isp_on="home", isp_off=404, leader_in=403, leader_out=404, admin="home"
    ),
    # the implementation plan's agreement: the co-leads (isp_on co-leads A) and the recipient team lead
    "plan_agree": row(
        recipient_a=403, recipient_b=404, isp_on="ok", isp_off=404, leader_in=403, leader_out=404, admin=403
    ),
    "engagement_admin": row(
        recipient_a=403, recipient_b=404, isp_on=403, isp_off=404, leader_in=403, leader_out=404, admin="ok"
    ),
    # a deleted engagement (of unit A, ISP isp_on): gone for everyone but the administrators who restore it
    "deleted_engagement": row(**{role: 404 for role in SIGNED_IN if role != "admin"}, admin="ok"),
    "create_engagement": row(
        recipient_a=403, recipient_b=403, isp_on="ok", isp_off="ok", leader_in=403, leader_out=403, admin="ok"
    ),
    # support requests (a request of unit A); ISPs triage every request
    "request_read": row(
        recipient_a="ok", recipient_b=404, isp_on="ok", isp_off="ok", leader_in="ok", leader_out=404, admin="ok"
    ),
    "request_new": row(
        recipient_a="ok", recipient_b="ok", isp_on=403, isp_off=403, leader_in=403, leader_out=403, admin="ok"
    ),
    "request_triage": row(
        recipient_a=403, recipient_b=404, isp_on="ok", isp_off="ok", leader_in=403, leader_out=404, admin="ok"
    ),
    "request_answer": row(
        recipient_a="ok", recipient_b=404, isp_on=403, isp_off=403, leader_in=403, leader_out=404, admin=403
    ),
    "admin": row(recipient_a=403, recipient_b=403, isp_on=403, isp_off=403, leader_in=403, leader_out=403, admin="ok"),
    # the intermediary's own figures (the cost of support): everyone signed in but recipients
    "not_recipient": row(**{**SIGNED_IN, "recipient_a": 403, "recipient_b": 403}),
    # the ISPs' workload (issue 22, policy.can_read_workload): leaders (of their organization's ISPs) and admins
    "workload": row(**{**SIGNED_IN, **{r: 403 for r in ("recipient_a", "recipient_b", "isp_on", "isp_off")}}),
    # an ISP's own page (their competency profile): ISPs only, each about themselves
    "isp_only": row(
        recipient_a=403, recipient_b=403, isp_on="ok", isp_off="ok", leader_in=403, leader_out=403, admin=403
    ),
    # no account needed; an unknown feedback token is "not valid" (404) for everyone
    "public": row(anonymous="ok", **SIGNED_IN),
    "feedback_link": row(anonymous=404, **{role: 404 for role in SIGNED_IN}),
    "password_link": row(anonymous=404, **{role: 404 for role in SIGNED_IN}),  # an unknown set-password link
    "own_invitation": row(**{role: 404 for role in SIGNED_IN}),  # someone else's (or no) invitation
    "sign_in_page": row(anonymous="ok", **{role: "home" for role in SIGNED_IN}),
    "sign_out": row(**{role: "login" for role in SIGNED_IN}),
}

MATRIX = {
    "static": "public",
    "auth.login": "sign_in_page",
    "auth.logout": "sign_out",
    "auth.set_password": "password_link",
    "home.index": "signed_in",
    "home.my_work_page": "signed_in",
    "home.complete_next_step": "engagement_write_home",
    "account.index": "signed_in",
    "account.password": "signed_in",
    "account.notifications": "signed_in",
    "search.index": "signed_in",
    "engagements.index": "signed_in",
    "engagements.new": "create_engagement",
    "engagements.detail": "engagement_read",
    "engagements.edit": "engagement_write",
    "engagements.status": "engagement_write",
    "engagements.delete": "engagement_write",
    "engagements.deleted": "admin",
    "engagements.restore": "deleted_engagement",
    "stages.move": "engagement_write",
    "stages.correct_entry": "engagement_write",
    "stages.remove_entry": "engagement_write",
    "stages.benchmark": "engagement_write",
    "stages.reopen": "engagement_write",
    "stages.new_benchmark": "engagement_write",
    "stages.delete_benchmark": "engagement_write",
    "team.new": "engagement_write",
    "team.edit": "engagement_write",
    "team.end": "engagement_write",
    "team.delete": "engagement_write",
    "plans.plan": "engagement_read",
    "plans.new_item": "engagement_write",
    "plans.edit_item": "engagement_write",
    "plans.remove_item": "engagement_write",
    "plans.agree": "plan_agree",
    "goals.new": "engagement_write",
    "goals.edit": "engagement_write",
    "goals.status": "engagement_write",
    "goals.detail": "engagement_read",
    "goals.record": "engagement_write",
    "goals.measure": "engagement_write",
    "goals.delete": "engagement_write",
    "goals.correct": "engagement_write",
    "goals.remove": "engagement_write",
    "goals.edit_value": "engagement_write",
    "goals.remove_value": "engagement_write",
    "goals.deleted": "engagement_admin",
    "goals.restore": "engagement_admin",
    "meetings.new": "engagement_write",
    "meetings.detail": "engagement_read",
    "meetings.edit": "engagement_write",
    "meetings.delete": "engagement_write",
    "meetings.deleted": "engagement_admin",
    "meetings.restore": "engagement_admin",
    # the meeting form's draft (each person reads and writes only their own) and edit-page presence (issue 23)
    "drafts.save": "engagement_write",
    "drafts.discard": "engagement_write",
    "drafts.editing": "engagement_write",
    "meetings.review": "engagement_read",  # an empty move is refused (400); each move's own rows: test_review_moves
    "deliverables.new": "engagement_write",
    "deliverables.edit": "engagement_write",
    "deliverables.deliver": "engagement_write",
    "deliverables.delete": "engagement_write",
    "attachments.meeting_upload": "engagement_write",
    "attachments.deliverable_upload": "engagement_write",
    "attachments.deliverable": "engagement_read",
    "attachments.download": "engagement_read",
    "attachments.delete": "engagement_write",
    "activities.index": "engagement_read",
    "activities.new": "engagement_write",
    "activities.edit": "engagement_write",
    "activities.delete": "engagement_write",
    "activities.detail": "engagement_read",
    "activities.review": "engagement_read",
    "modifications.new": "engagement_write",
    "modifications.detail": "engagement_read",
    "modifications.edit": "engagement_write",
    "modifications.delete": "engagement_write",
    "context_notes.new": "engagement_write",
    "context_notes.edit": "engagement_write",
    "context_notes.delete": "engagement_write",
    "feedback.engagement": "engagement_read",
    "feedback.engagement_csv": "engagement_read",
    "feedback.pulse": "engagement_write",
    "feedback.survey": "engagement_write",
    "feedback.sent": "engagement_write",
    "feedback.responses": "engagement_admin",
    "feedback.delete_response": "engagement_admin",  # docs/disclosure.md
    "feedback.deleted_responses": "engagement_admin",
    "feedback.restore_response": "engagement_admin",
    "feedback.answer": "feedback_link",
    "feedback.answer_mine": "own_invitation",
    "requests.index": "signed_in",
    "requests.new": "request_new",
    "requests.detail": "request_read",
    "requests.accept": "request_triage",
    "requests.decline": "request_triage",
    "requests.ask": "request_triage",
    "requests.answer": "request_answer",
    "requests.withdraw": "request_answer",  # the recipient who submitted it
    "reports.index": "signed_in",
    "reports.competencies_page": "signed_in",
    "reports.strategies_page": "signed_in",
    "reports.progress_page": "signed_in",
    "reports.pathway_page": "signed_in",
    "reports.context_page": "signed_in",
    "reports.adherence_page": "signed_in",
    "reports.cost_page": "not_recipient",
    "reports.team_page": "workload",
    "reports.on_time_page": "not_recipient",  # issue 23: policy.can_read_reports; an ISP reads their own row
    "reports.export_csv": "signed_in",
    "reports.my_competencies": "isp_only",
    "reports.engagement_report": "engagement_read",
    "reports.engagement_tables": "engagement_read",
    "admin.index": "admin",
    "admin.users": "admin",
    "admin.new_user": "admin",
    "admin.edit_user": "admin",
    "admin.user_password": "admin",
    "admin.send_link": "admin",
    "admin.sign_out_everywhere": "admin",
    "admin.audit": "admin",
    "admin.deleted_parts": "admin",
    "admin.restore_part": "admin",
    "admin.catalog": "admin",
    "admin.cost_rates": "admin",
    "admin.capacity": "admin",
    "admin.settings": "admin",  # issue 23: the organization's settings
    "admin.edit_entry": "admin",
    "admin.new_entry": "admin",
    "admin.edit_benchmark_template": "admin",
    "admin.new_benchmark_template": "admin",
    "admin.goal_templates": "admin",
    "portfolio.index": "admin",  # issue 20: policy.can_move_portfolio
    "portfolio.preview": "admin",
    "portfolio.commit": "admin",
    "portfolio.export": "admin",
    "portfolio.template": "admin",
    "admin.new_goal_template": "admin",
    "admin.edit_goal_template": "admin",
    "admin.retire_goal_template": "admin",
    "admin.edit_feedback_item": "admin",
    "admin.new_feedback_item": "admin",
    "admin.retire_feedback_item": "admin",
}


@pytest.fixture
def world(app, demo):
    """Engagement A with one of every part, a deleted goal and meeting (for restore), a request of unit A."""
    e = demo.engagement_a
    goal = factories.goal(e)
    change = goal.change_status("in_progress", e.start_date)
    measured = dict(measure_direction="up", baseline_value=1, baseline_on=e.start_date, target_value=2)
    Goal.update(target_on=e.start_date + dt.timedelta(days=90), **measured).where(Goal.id == goal.id).execute()
    measurement = GoalMeasurement.create(goal=goal, date=e.start_date, value=1.5)
    stage_entry = e.enter_stage(Stage.select().order_by(Stage.position).first(), e.start_date)
    deleted_goal = factories.goal(e, title="Deleted goal")
    deleted_goal.soft_delete()
    meeting = factories.meeting(e, date=dt.date(2026, 2, 3))
    second_meeting = factories.meeting(e, date=dt.date(2026, 2, 17))  # deleted by its own path, the first by the nested
    step = NextStep.create(meeting=second_meeting, text="Send the plan", due_on=dt.date(2026, 3, 1))
    deleted_meeting = factories.meeting(e, date=dt.date(2026, 2, 10))
    deleted_meeting.soft_delete()
    response = respond(e, {"aim_1": 4})
    deleted_response = respond(e, {"aim_1": 2})
    deleted_response.soft_delete()
    deleted_deliverable = Deliverable.create(engagement=e, title="Deleted guide", kind="other")
    deleted_deliverable.soft_delete()
    deleted_engagement = factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], title="Deleted engagement")
    deleted_engagement.soft_delete()
    member = factories.team_member(e)
    plan_item = factories.plan_item(e, demo.isp_a1)
    note = ContextNote.create(
        engagement=e, kind="barrier", domain="process", text="A note", noted_on=dt.date(2026, 2, 1)
    )
    deliverable = Deliverable.create(engagement=e, title="Guide", kind="other")
    activity = Activity.create(engagement=e, date=dt.date(2026, 2, 3), kind="outreach", minutes=30)
    with app.app_context():  # stored in the test's folder (conftest's ATTACHMENT_DIR)
        attachment = add_attachment(meeting, FileStorage(io.BytesIO(b"%PDF-1.4 agenda"), "agenda.pdf"), demo.isp_a1)
    ActivityISP.create(activity=activity, user=demo.isp_a1)
    benchmark = Benchmark.select().where(Benchmark.engagement == e).first()
    modification = Modification.create(
        engagement=e,
        strategy=Strategy.select().first(),
        decided_on=dt.date(2026, 2, 5),
        description="Sessions shortened",
        modified="content",
        nature="shortening",
        goal="aaf",
        reason_level="recipient",
    )
    request = SupportRequest.create(
        unit=demo.unit_a,
        title="Help",
        description="Please",
        requested_by=demo.recipient_a,
        status="info_requested",
        info_question="For whom?",
    )
    return {
        "demo": demo,
        "values": {
            "engagement_id": e.id,
            "goal_id": goal.id,
            "change_id": change.id,
            "measurement_id": measurement.id,
            "value_id": measurement.id,
            "stage_entry_id": stage_entry.id,
            "meeting_id": meeting.id,
            "second_meeting_id": second_meeting.id,
            "member_id": member.id,
            "plan_item_id": plan_item.id,
            "note_id": note.id,
            "deliverable_id": deliverable.id,
            "activity_id": activity.id,
            "attachment_id": attachment.id,
            "benchmark_id": benchmark.id,
            "modification_id": modification.id,
            "request_id": request.id,
            "token": "not-a-real-token",
            "invitation_id": 999999,
            "filename": "css/app.css",
            "name": "competencies",
            "kind": "competencies",
            "entry_id": Competency.select().first().id,
            "template_id": BenchmarkTemplate.select().first().id,
            "goal_template_id": GoalTemplate.create(title="Data system in place").id,
            "stage_id": Stage.select().first().id,
            "item_id": FeedbackItem.select().first().id,
            "instrument_id": FeedbackInstrument.select().first().id,
            "user_id": demo.recipient_b.id,
            "response_id": response.id,
            "step_id": step.id,
        },
        "restore": {
            "goals.restore": {"goal_id": deleted_goal.id},
            "meetings.restore": {"meeting_id": deleted_meeting.id},
            "feedback.restore_response": {"response_id": deleted_response.id},
            "engagements.restore": {"engagement_id": deleted_engagement.id},
            "admin.restore_part": {"kind": "deliverable", "part_id": deleted_deliverable.id},
        },
    }


def users(demo):
    return {
        "recipient_a": demo.recipient_a,
        "recipient_b": demo.recipient_b,
        "isp_on": demo.isp_a1,
        "isp_off": demo.isp_none,
        "leader_in": demo.leader_foundation,
        "leader_out": demo.leader_other,
        "admin": demo.admin,
    }


def html_rules(app):
    return [r for r in app.url_map.iter_rules() if not r.endpoint.startswith("api.")]


def test_every_route_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in html_rules(app)}
    assert sorted(endpoints - set(MATRIX)) == [], "new routes need an entry in MATRIX"
    assert sorted(set(MATRIX) - endpoints) == [], "MATRIX names routes that no longer exist"


def outcome(response):
    if response.status_code in (301, 302, 303):
        path = urlsplit(response.location).path
        if path == "/login":
            return "login"
        return "home" if path == "/" else "ok"
    if response.status_code in (200, 400):
        return "ok"
    return response.status_code


def call(client, rule, url):
    if "GET" in rule.methods:
        return client.get(url)
    token = csrf_token(client, "/account/")  # the sign-out form in the page header carries one
    return client.post(url, data={"csrf_token": token})


@pytest.mark.parametrize("role", ROLES)
def test_matrix(app, world, role):
    demo = world["demo"]
    results = {}
    for rule in sorted(html_rules(app), key=lambda r: r.rule):
        values = dict(world["values"])
        values.update(world["restore"].get(rule.endpoint, {}))
        url = rule.build(values, append_unknown=False)[1]
        if rule.endpoint == "feedback.pulse":
            url += f"?meeting={values['meeting_id']}"  # a pulse follows a meeting
        client = app.test_client()
        if role != "anonymous":
            sign_in(client, users(demo)[role])
        if "GET" not in rule.methods and role == "anonymous":
            # an anonymous POST has no session to carry a CSRF token: the sign-in wall comes first
            response = client.post(url)
        else:
            response = call(client, rule, url)
        results[rule.endpoint] = outcome(response)
    expected = {endpoint: CLASSES[MATRIX[endpoint]][role] for endpoint in results}
    wrong = {e: (results[e], expected[e]) for e in results if results[e] != expected[e]}
    assert wrong == {}, f"{role}: endpoint -> (got, expected)"


# --- the JSON API: the same policy, with bearer tokens --------------------------------------------
# Allowed writes are sent an empty JSON object, so "ok" there is the validation answer (400/409)
# as well as 200/201; refusals are 401 (no token), 403 (visible, not allowed) and 404 (not visible).

API_CLASSES = {
    "open": {role: "ok" for role in ROLES},
    "signed_in": row(anonymous=401, **SIGNED_IN),
    "engagement_read": row(
        anonymous=401,
        recipient_a="ok",
        recipient_b=404,
        isp_on="ok",
        isp_off=404,
        leader_in="ok",
        leader_out=404,
        admin="ok",
    ),
    "engagement_write": row(
        anonymous=401,
        recipient_a=403,
        recipient_b=404,
        isp_on="ok",
        isp_off=404,
        leader_in=403,
        leader_out=404,
        admin="ok",
    ),
    "create_engagement": row(
        anonymous=401,
        recipient_a=403,
        recipient_b=403,
        isp_on="ok",
        isp_off="ok",
        leader_in=403,
        leader_out=403,
        admin="ok",
    ),
    "request_read": row(
        anonymous=401,
        recipient_a="ok",
        recipient_b=404,
        isp_on="ok",
        isp_off="ok",
        leader_in="ok",
        leader_out=404,
        admin="ok",
    ),
    "request_new": row(
        anonymous=401,
        recipient_a="ok",
        recipient_b="ok",
        isp_on=403,
        isp_off=403,
        leader_in=403,
        leader_out=403,
        admin="ok",
    ),
    "request_triage": row(
        anonymous=401,
        recipient_a=403,
        recipient_b=404,
        isp_on="ok",
        isp_off="ok",
        leader_in=403,
        leader_out=404,
        admin="ok",
    ),
    "admin": row(
        anonymous=401,
        recipient_a=403,
        recipient_b=403,
        isp_on=403,
        isp_off=403,
        leader_in=403,
        leader_out=403,
        admin="ok",
    ),
    "own_token": row(anonymous=401, **{role: 404 for role in SIGNED_IN}),  # the admin's token: others 404
}
API_CLASSES["own_token"]["admin"] = "ok"
API_CLASSES["feedback_link"] = {role: 404 for role in ROLES}  # a made-up link: "not valid" for everyone
API_CLASSES["not_recipient"] = row(anonymous=401, **{**SIGNED_IN, "recipient_a": 403, "recipient_b": 403})
API_CLASSES["workload"] = {**CLASSES["workload"], "anonymous": 401}

API_MATRIX = {
    "api.openapi": "open",
    "api.create_token": "open",
    "api.catalog": "signed_in",
    "api.list_tokens": "signed_in",
    "api.revoke_token": "own_token",
    "api.list_organizations": "signed_in",
    "api.create_organization": "admin",
    "api.list_units": "signed_in",
    "api.create_unit": "admin",
    "api.list_users": "admin",
    "api.create_user": "admin",
    "api.list_requests": "signed_in",
    "api.create_request": "request_new",
    "api.get_request": "request_read",
    "api.accept_request": "request_triage",
    "api.decline_request": "request_triage",
    "api.list_engagements": "signed_in",
    "api.create_engagement": "create_engagement",
    "api.get_engagement": "engagement_read",
    "api.update_engagement": "engagement_write",
    "api.list_team": "engagement_read",
    "api.add_team_member": "engagement_write",
    "api.get_team_member": "engagement_read",
    "api.delete_team_member": "engagement_write",
    "api.get_plan": "engagement_read",
    "api.add_plan_item": "engagement_write",
    "api.get_plan_item": "engagement_read",
    "api.update_plan_item": "engagement_write",
    "api.delete_plan_item": "engagement_write",
    "api.list_goals": "engagement_read",
    "api.add_goal": "engagement_write",
    "api.get_goal": "engagement_read",
    "api.update_goal": "engagement_write",
    "api.update_engagement_goal": "engagement_write",
    "api.goal_history": "engagement_read",
    "api.list_goal_measurements": "engagement_read",
    "api.record_goal_measurement": "engagement_write",
    "api.get_goal_measurement": "engagement_read",
    "api.correct_goal_measurement": "engagement_write",
    "api.delete_goal_measurement": "engagement_write",
    "api.engagement_goal_history": "engagement_read",
    "api.correct_goal_change": "engagement_write",
    "api.remove_goal_change": "engagement_write",
    "api.list_meetings": "engagement_read",
    "api.log_meeting": "engagement_write",
    "api.get_meeting": "engagement_read",
    "api.update_meeting": "engagement_write",
    "api.delete_meeting": "engagement_write",
    "api.review_meeting": "engagement_read",  # an empty body is refused (400); the moves: test_review_moves
    "api.get_engagement_meeting": "engagement_read",
    "api.update_engagement_meeting": "engagement_write",
    "api.delete_engagement_meeting": "engagement_write",
    "api.list_benchmarks": "engagement_read",
    "api.update_benchmark": "engagement_write",
    "api.get_benchmark": "engagement_read",
    "api.delete_benchmark": "engagement_write",
    "api.get_engagement_benchmark": "engagement_read",
    "api.update_engagement_benchmark": "engagement_write",
    "api.list_deliverables": "engagement_read",
    "api.add_deliverable": "engagement_write",
    "api.get_deliverable": "engagement_read",
    "api.delete_deliverable": "engagement_write",
    "api.list_meeting_attachments": "engagement_read",
    "api.upload_meeting_attachment": "engagement_write",
    "api.list_deliverable_attachments": "engagement_read",
    "api.upload_deliverable_attachment": "engagement_write",
    "api.get_attachment": "engagement_read",
    "api.download_attachment": "engagement_read",
    "api.delete_attachment": "engagement_write",
    "api.search_records": "signed_in",
    "api.list_activities": "engagement_read",
    "api.add_activity": "engagement_write",
    "api.get_activity": "engagement_read",
    "api.change_activity": "engagement_write",
    "api.delete_activity": "engagement_write",
    "api.review_activity": "engagement_read",
    "api.list_modifications": "engagement_read",
    "api.create_modification": "engagement_write",
    "api.get_modification": "engagement_read",
    "api.list_context_notes": "engagement_read",
    "api.add_context_note": "engagement_write",
    "api.get_context_note": "engagement_read",
    "api.delete_context_note": "engagement_write",
    "api.stage_history": "engagement_read",
    "api.move_stage": "engagement_write",
    "api.correct_stage_entry": "engagement_write",
    "api.remove_stage_entry": "engagement_write",
    "api.report_competencies": "signed_in",
    "api.report_strategies": "signed_in",
    "api.report_progress": "signed_in",
    "api.report_portfolio": "signed_in",
    "api.report_adherence": "signed_in",
    "api.report_feedback": "engagement_read",
    "api.report_pathway": "signed_in",
    "api.report_cost": "not_recipient",
    "api.report_workload": "workload",
    "api.report_on_time": "not_recipient",  # issue 23: policy.can_read_reports
    "api.create_feedback_invitations": "engagement_write",
    "api.feedback_questions": "feedback_link",
    "api.answer_feedback": "feedback_link",
}


def api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]


def test_every_api_route_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in api_rules(app)}
    assert sorted(endpoints - set(API_MATRIX)) == [], "new API routes need an entry in API_MATRIX"
    assert sorted(set(API_MATRIX) - endpoints) == []


def api_outcome(response):
    if response.status_code == 204:  # a delete that worked: no body
        return "ok"
    if response.status_code == 200 and response.headers.get("Content-Disposition", "").startswith("attachment;"):
        return "ok"  # a file, as a download
    assert response.is_json, response.status_code  # never HTML from the API
    if response.status_code in (200, 201, 400, 409, 422):
        return "ok"
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(app, world, role):
    demo = world["demo"]
    admin_token_id = new_token(demo.admin, "matrix")[0].id
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {token_for(users(demo)[role])}"}
    values = dict(world["values"], token_id=admin_token_id)
    results = {}
    client = app.test_client()
    # deletes last, so the rows they remove are still there for the other routes
    for rule in sorted(api_rules(app), key=lambda r: ("DELETE" in r.methods, r.rule)):
        if rule.endpoint == "api.revoke_token" and role == "admin":
            values["token_id"] = new_token(demo.admin, "to revoke")[0].id
        url = rule.build(values, append_unknown=False)[1]
        if rule.endpoint == "api.delete_meeting":  # the nested path deleted the first meeting
            url = rule.build(dict(values, meeting_id=values["second_meeting_id"]), append_unknown=False)[1]
        if rule.endpoint == "api.report_feedback":
            url += f"?engagement_id={values['engagement_id']}"
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        if rule.endpoint in UPLOADS:  # a file's body is multipart (an empty one: the service's 422 when allowed)
            body = {"data": {}, "content_type": "multipart/form-data"}
        else:
            body = {"json": {} if method in ("POST", "PATCH") else None}
        response = client.open(url, method=method, headers=headers, **body)
        results[rule.endpoint] = api_outcome(response)
    expected = {endpoint: API_CLASSES[API_MATRIX[endpoint]][role] for endpoint in results}
    wrong = {e: (results[e], expected[e]) for e in results if results[e] != expected[e]}
    assert wrong == {}, f"{role}: endpoint -> (got, expected)"


# --- review of logs (issue 23): who may make each move, by the organization's review_by setting -----------
# A meeting of engagement A logged by Ada (isp_a1), co-led with Ben (isp_a2), Cai (isp_b) supporting. Each
# move is posted from the meeting's review panel on a fresh log in the state the move starts from: 302 the move
# was made, 403 the page is visible but the policy refuses the move, 404 the engagement is not visible.
REVIEW_ROLES = ["admin", "author", "other_co_lead", "supporting", "isp_off", "leader", "leader_out", "recipient"]
MOVE_START = {"submit": "draft", "return": "submitted", "approve": "submitted", "reopen": "approved"}
NOBODY_ELSE = {"isp_off": 404, "leader_out": 404, "recipient": 403}
SUBMIT = dict(admin=302, author=302, other_co_lead=302, supporting=302, leader=403, **NOBODY_ELSE)
REOPEN = dict(admin=302, author=403, other_co_lead=403, supporting=403, leader=403, **NOBODY_ELSE)
BY_CO_LEAD = dict(admin=403, author=403, other_co_lead=302, supporting=403, leader=403, **NOBODY_ELSE)
BY_LEADER = dict(admin=403, author=403, other_co_lead=403, supporting=403, leader=302, **NOBODY_ELSE)
REVIEW_MATRIX = {
    "co_lead": {"submit": SUBMIT, "return": BY_CO_LEAD, "approve": BY_CO_LEAD, "reopen": REOPEN},
    "leader": {"submit": SUBMIT, "return": BY_LEADER, "approve": BY_LEADER, "reopen": REOPEN},
}


@pytest.mark.parametrize("review_by", sorted(REVIEW_MATRIX))
def test_review_moves(app, review_by):
    w = factories.small_world()
    e = w.engagement_a
    e.set_isps([w.isp_a1.id, w.isp_a2.id], [w.isp_b.id])
    Setting.choose("review_by", review_by)
    people = {
        "admin": w.admin,
        "author": w.isp_a1,
        "other_co_lead": w.isp_a2,
        "supporting": w.isp_b,
        "isp_off": w.isp_none,
        "leader": w.leader_foundation,
        "leader_out": w.leader_other,
        "recipient": w.recipient_a,
    }
    results = {}
    for role in REVIEW_ROLES:
        client = app.test_client()
        sign_in(client, people[role])
        token = csrf_token(client, "/account/")
        for move, start in MOVE_START.items():
            log = factories.meeting(e, date=dt.date(2026, 2, 3), logged_by=w.isp_a1.id, review_state=start)
            data = {"csrf_token": token, "move": move, "note": "Because.", "version": log.version, "confirmed": "yes"}
            response = client.post(f"/engagements/{e.id}/meetings/{log.id}/review", data=data)
            results[role, move] = response.status_code
            moved = Meeting.get_by_id(log.id).review_state != start
            assert moved == (response.status_code == 302), (role, move)
    expected = {(role, move): REVIEW_MATRIX[review_by][move][role] for role in REVIEW_ROLES for move in MOVE_START}
    wrong = {k: (results[k], expected[k]) for k in results if results[k] != expected[k]}
    assert wrong == {}, "(role, move) -> (got, expected)"
