"""Soft delete with restore for engagements and feedback responses (meetings and goals: their own
test files). Who: those who edit an engagement delete it or one of its feedback responses, after a
confirmation page; only administrators see what was deleted and restore it."""

import csv
import datetime as dt
import io

import pytest

from tracker.models import (
    AuditEntry,
    Competency,
    CompetencyFramework,
    Engagement,
    FeedbackInvitation,
    FeedbackResponse,
)
from tracker.reports import competencies, portfolio
from tracker.reports.filters import ReportFilters

from . import factories
from .api_helpers import Api
from .conftest import post_form
from .feedback_helpers import invite, respond


def eng_url(e, tail=""):
    return f"/engagements/{e.id}{tail}"


def audit(entity, entity_id, action):
    return list(
        AuditEntry.select().where(
            (AuditEntry.entity == entity) & (AuditEntry.entity_id == entity_id) & (AuditEntry.action == action)
        )
    )


def is_deleted(e):
    return Engagement.get_by_id(e.id).deleted_at is not None


def report_numbers(user, key):
    """(active engagements, meetings, meetings that used competency `key`) as the reports count them."""
    filters = ReportFilters(user=user)
    used = competencies.competencies_used(filters)
    [row] = [c for c in used["competencies"] if c["key"] == key]
    return portfolio.active_engagements(filters)["total"], used["total_meetings"], row["meetings"]


def test_reports_leave_out_a_deleted_engagement_and_count_it_again_once_restored(demo):
    e = demo.engagement_a
    key = Competency.in_framework(CompetencyFramework.default()).first().key
    factories.meeting(e, competencies=[key])
    factories.meeting(demo.engagement_b, competencies=[key])
    assert report_numbers(demo.admin, key) == (3, 2, 2)
    e.soft_delete()
    assert report_numbers(demo.admin, key) == (2, 1, 1)
    assert report_numbers(demo.leader_all, key) == (2, 1, 1)
    e.restore()
    assert report_numbers(demo.admin, key) == (3, 2, 2)


# --- engagements ------------------------------------------------------------------------------------------


def test_delete_engagement_asks_first_then_hides_it_everywhere(demo, as_user, app):
    e = demo.engagement_a
    token = invite(app, e, "survey", emails=[demo.recipient_a.email])[0]
    isp, leader, recipient, admin = (
        as_user(demo.isp_a1),
        as_user(demo.leader_foundation),
        as_user(demo.recipient_a),
        as_user(demo.admin),
    )
    api = Api(app.test_client(), demo.isp_a1)
    # Before: seen everywhere.
    assert f'href="/engagements/{e.id}/delete"' in isp.get(eng_url(e)).get_data(as_text=True)
    for client in (isp, leader, admin):
        assert "Engagement A" in client.get("/engagements").get_data(as_text=True)
        assert "Engagement A" in client.get("/", follow_redirects=True).get_data(as_text=True)
        assert "Engagement A" in client.get("/reports/").get_data(as_text=True)
    assert e.id in [item["id"] for item in api.get("/engagements").get_json()["items"]]
    assert "Feedback waiting for you" in recipient.get("/").get_data(as_text=True)
    assert app.test_client().get(f"/feedback/{token}").status_code == 200

    # GET: the confirmation page; nothing changes.
    page = isp.get(eng_url(e, "/delete"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Delete this engagement?" in html and "Engagement A" in html
    assert f'action="/engagements/{e.id}/delete"' in html and "Delete the engagement" in html
    assert not is_deleted(e) and audit("Engagement", e.id, "delete") == []

    # POST: deleted, audited, back to the list with a message.
    response = post_form(isp, eng_url(e, "/delete"), {})
    assert response.status_code == 302 and response.headers["Location"].endswith("/engagements")
    assert "Engagement “Engagement A” deleted" in isp.get("/engagements").get_data(as_text=True)
    assert is_deleted(e)
    [entry] = audit("Engagement", e.id, "delete")
    assert entry.user_id == demo.isp_a1.id and entry.engagement_id == e.id

    # After: gone from every page, report, the API and the feedback links, for every role.
    for client in (isp, leader, recipient, admin):
        assert client.get(eng_url(e)).status_code == 404
        assert client.get(eng_url(e, "/feedback")).status_code == 404
        assert client.get(f"/reports/engagements/{e.id}").status_code == 404
        assert "Engagement A" not in client.get("/engagements").get_data(as_text=True)
        assert "Engagement A" not in client.get("/", follow_redirects=True).get_data(as_text=True)
        assert "Engagement A" not in client.get("/reports/").get_data(as_text=True)
    assert isp.get(eng_url(e, "/edit")).status_code == 404
    assert isp.get(eng_url(e, "/delete")).status_code == 404
    assert "Engagement B" in leader.get("/engagements").get_data(as_text=True)  # the others stay
    assert e.id not in [item["id"] for item in api.get("/engagements").get_json()["items"]]
    assert api.get(f"/engagements/{e.id}").status_code == 404
    assert app.test_client().get(f"/feedback/{token}").status_code == 404
    assert "Feedback waiting for you" not in recipient.get("/").get_data(as_text=True)
    invitation = FeedbackInvitation.get()
    assert recipient.get(f"/feedback/mine/{invitation.id}").status_code == 404


def test_restore_engagement_is_for_administrators_and_brings_it_back_whole(demo, as_user, app):
    e = demo.engagement_a
    meeting = factories.meeting(e, date=dt.date(2026, 2, 3), notes="Kick-off with the unit")
    factories.goal(e, title="Core components written down")
    factories.team_member(e, name="Olu Owen")
    for value in (4, 4, 5):
        respond(e, {"trust_1": value})
    token = invite(app, e, "survey", emails=["olu@example.org"])[0]
    isp, leader, admin = as_user(demo.isp_a1), as_user(demo.leader_foundation), as_user(demo.admin)
    assert post_form(isp, eng_url(e, "/delete"), {}).status_code == 302

    # Not administrators: no deleted list, no restore, no link to them.
    for who in ("isp_a1", "isp_a2", "leader_foundation", "leader_all", "recipient_a"):
        client = as_user(getattr(demo, who))
        assert client.get("/engagements/deleted").status_code == 403
        assert post_form(client, eng_url(e, "/restore"), {}, token_from="/").status_code == 404
        assert "/engagements/deleted" not in client.get("/engagements").get_data(as_text=True)
    assert is_deleted(e)

    # Administrators: linked from the list and the admin area; the deleted list offers Restore.
    assert "/engagements/deleted" in admin.get("/engagements").get_data(as_text=True)
    assert "/engagements/deleted" in admin.get("/admin/").get_data(as_text=True)
    html = admin.get("/engagements/deleted").get_data(as_text=True)
    assert "Engagement A" in html and "Unit A" in html and "by Ada ISP" in html
    assert f'action="/engagements/{e.id}/restore"' in html and "Engagement B" not in html
    response = post_form(admin, eng_url(e, "/restore"), {}, token_from="/engagements/deleted")
    assert response.status_code == 302 and response.headers["Location"].endswith(eng_url(e))
    assert not is_deleted(e)
    [entry] = audit("Engagement", e.id, "restore")
    assert entry.user_id == demo.admin.id
    assert "No deleted engagements." in admin.get("/engagements/deleted").get_data(as_text=True)

    # Back with all its parts, for everyone who saw it before.
    html = isp.get(eng_url(e)).get_data(as_text=True)
    assert "Kick-off with the unit" in html and "Core components written down" in html and "Olu Owen" in html
    assert "3 responses" in html
    assert "Ada ISP</strong> removed the engagement" in html and "Ari Admin</strong> restored the engagement" in html
    assert isp.get(f"{eng_url(e)}/meetings/{meeting.id}").status_code == 200
    assert "Engagement A" in leader.get("/engagements").get_data(as_text=True)
    assert "Engagement A" in isp.get("/").get_data(as_text=True)
    assert app.test_client().get(f"/feedback/{token}").status_code == 200


@pytest.mark.parametrize(
    "who, status",
    [
        ("recipient_a", 403),
        ("leader_foundation", 403),
        ("leader_all", 403),  # see it, may not change it
        ("recipient_b", 404),
        ("isp_b", 404),
        ("isp_none", 404),
        ("leader_other", 404),  # do not see it
    ],
)
def test_only_editors_may_delete_an_engagement(demo, as_user, who, status):
    e = demo.engagement_a
    client = as_user(getattr(demo, who))
    assert client.get(eng_url(e, "/delete")).status_code == status
    assert post_form(client, eng_url(e, "/delete"), {}, token_from="/").status_code == status
    assert not is_deleted(e) and audit("Engagement", e.id, "delete") == []
    if status == 403:
        assert f"/engagements/{e.id}/delete" not in client.get(eng_url(e)).get_data(as_text=True)


def test_supporting_isp_and_admin_may_delete(demo, as_user):
    e = factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], supporting=[demo.isp_b])
    assert post_form(as_user(demo.isp_b), eng_url(e, "/delete"), {}).status_code == 302
    assert is_deleted(e)
    other = demo.engagement_c
    assert post_form(as_user(demo.admin), eng_url(other, "/delete"), {}).status_code == 302
    assert is_deleted(other)


def test_engagement_delete_and_restore_need_csrf(demo, as_user):
    e = demo.engagement_a
    isp, admin = as_user(demo.isp_a1), as_user(demo.admin)
    assert isp.post(eng_url(e, "/delete"), data={}).status_code == 400
    assert isp.post(eng_url(e, "/delete"), data={"csrf_token": "forged"}).status_code == 400
    assert not is_deleted(e)
    post_form(isp, eng_url(e, "/delete"), {})
    assert admin.post(eng_url(e, "/restore"), data={}).status_code == 400
    assert is_deleted(e)


def test_restoring_a_live_engagement_is_not_found(demo, as_user):
    admin = as_user(demo.admin)
    assert post_form(admin, eng_url(demo.engagement_a, "/restore"), {}, token_from="/").status_code == 404
    assert admin.get("/engagements/deleted").status_code == 200
    assert "No deleted engagements." in admin.get("/engagements/deleted").get_data(as_text=True)


# --- feedback responses -----------------------------------------------------------------------------------


def csv_cell(client, e, scale):
    """(mean, n) of a scale in the engagement's feedback CSV (one quarter of responses here)."""
    rows = list(csv.reader(io.StringIO(client.get(eng_url(e, "/feedback.csv")).get_data(as_text=True))))
    [row] = [r for r in rows[1:] if r[3] == scale]
    return row[5], int(row[6])


def test_delete_response_asks_first_and_changes_no_figure_shown(demo, as_user):
    """Deleting a response is for administrators; a deleted response is never released, and one
    already released stays counted (docs/disclosure.md), so the figures shown never move."""
    e = demo.engagement_a
    trust = ("trust_1", "trust_2", "trust_3")  # a scale score needs three of its items answered (issue 19)
    for value in (4, 4, 4):
        respond(e, dict.fromkeys(trust, value))
    test_answer = respond(e, dict.fromkeys(trust, 1), comments={"strengths": "Just testing the link"})
    isp, admin, recipient = as_user(demo.isp_a1), as_user(demo.admin), as_user(demo.recipient_a)
    assert csv_cell(recipient, e, "trust") == ("4.00", 3)  # the 4th is not released yet
    assert "4 responses" in recipient.get(eng_url(e)).get_data(as_text=True)

    delete_url = eng_url(e, f"/feedback/responses/{test_answer.id}/delete")
    html = isp.get(eng_url(e, "/feedback")).get_data(as_text=True)
    assert "Responses received" not in html and delete_url not in html
    assert isp.get(delete_url).status_code == 403
    html = admin.get(eng_url(e, "/feedback")).get_data(as_text=True)
    assert "Responses received" in html and delete_url in html
    page = admin.get(delete_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Delete this feedback response?" in html and "Delete the response" in html
    assert FeedbackResponse.get_by_id(test_answer.id).deleted_at is None  # GET changes nothing

    response = post_form(admin, delete_url, {})
    assert response.status_code == 302 and response.headers["Location"].endswith("/feedback#received-h")
    assert FeedbackResponse.get_by_id(test_answer.id).deleted_at is not None
    [entry] = audit("FeedbackResponse", test_answer.id, "delete")
    assert entry.user_id == demo.admin.id and entry.engagement_id == e.id

    # The figures shown are what they were; the count of responses received drops.
    assert csv_cell(recipient, e, "trust") == ("4.00", 3)
    assert "3 responses" in recipient.get(eng_url(e)).get_data(as_text=True)
    html = admin.get(eng_url(e, "/feedback")).get_data(as_text=True)
    assert "Just testing the link" not in html and delete_url not in html
    assert admin.get(delete_url).status_code == 404  # already deleted

    # Restoring: administrators only.
    deleted_list = eng_url(e, "/feedback/responses/deleted")
    restore_url = eng_url(e, f"/feedback/responses/{test_answer.id}/restore")
    assert isp.get(deleted_list).status_code == 403
    assert post_form(isp, restore_url, {}, token_from=eng_url(e, "/feedback")).status_code == 403
    assert deleted_list not in isp.get(eng_url(e, "/feedback")).get_data(as_text=True)
    assert deleted_list in html
    html = admin.get(deleted_list).get_data(as_text=True)
    assert f'action="{restore_url}"' in html and "Full survey" in html
    response = post_form(admin, restore_url, {}, token_from=deleted_list)
    assert response.status_code == 302
    assert FeedbackResponse.get_by_id(test_answer.id).deleted_at is None
    [entry] = audit("FeedbackResponse", test_answer.id, "restore")
    assert entry.user_id == demo.admin.id
    assert csv_cell(recipient, e, "trust") == ("4.00", 3)  # pending again, not released alone
    assert "4 responses" in recipient.get(eng_url(e)).get_data(as_text=True)
    assert "No deleted responses." in admin.get(deleted_list).get_data(as_text=True)
    # Both events are in the audit log; the engagement's Activity never dates a response (an answer time)
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert "removed feedback response" in html and "restored feedback response" in html
    assert "feedback response" not in isp.get(eng_url(e)).get_data(as_text=True).split('id="activity-h"')[-1]


def test_the_responses_list_never_shows_what_an_anonymous_response_said(demo, as_user):
    e = demo.engagement_a
    respond(e, {"trust_1": 2, "aim_1": 5}, comments={"strengths": "A private remark"})
    named = respond(e, {"trust_1": 3}, anonymous=False)
    named.respondent_email = "pat@example.org"
    named.save()
    html = as_user(demo.admin).get(eng_url(e, "/feedback")).get_data(as_text=True)
    received = html[html.index('id="received-h"') :]
    assert "Anonymous" in received and "pat@example.org" in received
    assert "A private remark" not in html and "5.00" not in received


@pytest.mark.parametrize(
    "who, status",
    [
        ("isp_a1", 403),
        ("recipient_a", 403),
        ("leader_foundation", 403),
        ("recipient_b", 404),
        ("isp_b", 404),
        ("leader_other", 404),
    ],
)
def test_only_administrators_may_delete_a_response(demo, as_user, who, status):
    e = demo.engagement_a
    response = respond(e, {"trust_1": 4})
    client = as_user(getattr(demo, who))
    url = eng_url(e, f"/feedback/responses/{response.id}/delete")
    assert client.get(url).status_code == status
    assert post_form(client, url, {}, token_from="/").status_code == status
    assert FeedbackResponse.get_by_id(response.id).deleted_at is None
    if status == 403:
        html = client.get(eng_url(e, "/feedback")).get_data(as_text=True)
        assert "Responses received" not in html and url not in html


def test_a_response_is_reached_only_through_its_own_engagement(demo, as_user):
    other = respond(demo.engagement_b, {"trust_1": 4})
    isp = as_user(demo.admin)  # reads A and B
    assert isp.get(eng_url(demo.engagement_a, f"/feedback/responses/{other.id}/delete")).status_code == 404
    assert (
        post_form(
            isp, eng_url(demo.engagement_a, f"/feedback/responses/{other.id}/delete"), {}, token_from="/"
        ).status_code
        == 404
    )
    assert FeedbackResponse.get_by_id(other.id).deleted_at is None


def test_response_delete_and_restore_need_csrf(demo, as_user):
    e = demo.engagement_a
    response = respond(e, {"trust_1": 4})
    url = eng_url(e, f"/feedback/responses/{response.id}")
    assert as_user(demo.admin).post(url + "/delete", data={}).status_code == 400
    assert FeedbackResponse.get_by_id(response.id).deleted_at is None
    response.soft_delete()
    assert as_user(demo.admin).post(url + "/restore", data={}).status_code == 400
    assert FeedbackResponse.get_by_id(response.id).deleted_at is not None


def test_deleting_a_response_leaves_its_invitation_answered(demo, as_user, app, client):
    e = demo.engagement_a
    token = invite(app, e, "survey", emails=["olu@example.org"])[0]
    post_form(client, f"/feedback/{token}", {"item_trust_1": "4", "anonymous": "y"})
    [response] = FeedbackResponse.select()
    assert (
        post_form(as_user(demo.admin), eng_url(e, f"/feedback/responses/{response.id}/delete"), {}).status_code == 302
    )
    assert FeedbackInvitation.get().used_at is not None
    assert client.get(f"/feedback/{token}").status_code == 410  # the link stays used: no second answer
