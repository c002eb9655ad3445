"""The review of logs in the API (issue 23): the review fields of meetings and activities, a new log as a
draft, the review moves and their codes (403 refused by the policy, 409 not from this state, 422 a missing
note), and PATCH/DELETE of an approved log refused with 409."""

from tracker.models import LOCKED, Meeting

from . import factories
from .api_helpers import Api

MEETING = {"date": "2026-02-03", "kind": "monthly", "mode": "virtual", "duration_minutes": 60, "notes": "Notes"}
REVIEW_FIELDS = {"review_state", "submitted_at", "reviewed_by", "reviewed_at", "review_note"}


def test_a_meeting_is_logged_as_a_draft_moved_through_review_and_locked(app):
    w = factories.small_world()
    e = w.engagement_a
    ada, ben = Api(app.test_client(), w.isp_a1), Api(app.test_client(), w.isp_a2)
    leader = Api(app.test_client(), w.leader_foundation)

    refused = ada.post(f"/engagements/{e.id}/meetings", {**MEETING, "review_state": "approved"})
    assert refused.status_code == 422 and "review_state" in refused.get_json()["error"]["fields"]
    assert Meeting.select().count() == 0  # nothing written
    submitted = ada.post(f"/engagements/{e.id}/meetings", MEETING).get_json()
    assert submitted["review_state"] == "submitted" and submitted["submitted_at"] is not None
    created = ada.post(f"/engagements/{e.id}/meetings", {**MEETING, "review_state": "draft"})
    draft = created.get_json()
    assert created.status_code == 201 and REVIEW_FIELDS <= set(draft)
    assert (draft["review_state"], draft["submitted_at"], draft["reviewed_by"]) == ("draft", None, None)
    url = f"/meetings/{draft['id']}/review"

    assert ben.post(url, {"move": "approve"}).status_code == 409  # a draft is not submitted yet
    assert Api(app.test_client(), w.isp_none).post(url, {"move": "submit"}).status_code == 404  # not on it
    assert Api(app.test_client(), w.recipient_a).post(url, {"move": "submit"}).status_code == 403  # sees, may not
    moved = ada.post(url, {"move": "submit"})
    assert moved.status_code == 200 and moved.get_json()["review_state"] == "submitted"
    assert ada.post(url, {"move": "approve"}).status_code == 403  # never the author
    assert leader.post(url, {"move": "approve"}).status_code == 403  # review_by is co_lead: Ben reviews
    missing = ben.post(url, {"move": "return", "note": " "})
    assert missing.status_code == 422 and missing.get_json()["error"]["fields"] == {
        "note": "Say what the author should change."
    }
    returned = ben.post(url, {"move": "return", "note": "Add the next steps."}).get_json()
    assert (returned["review_state"], returned["review_note"], returned["reviewed_by"]) == (
        "returned",
        "Add the next steps.",
        w.isp_a2.id,
    )
    assert ada.post(url, {"move": "submit"}).status_code == 200
    approved = ben.post(url, {"move": "approve"})
    assert approved.status_code == 200 and approved.get_json()["review_state"] == "approved"
    assert ben.post(url, {"move": "approve"}).status_code == 409

    patch = ada.patch(f"/meetings/{draft['id']}", {"notes": "Changed"})
    assert patch.status_code == 409 and patch.get_json()["error"]["message"] == LOCKED
    delete = ada.delete(f"/meetings/{draft['id']}")
    assert delete.status_code == 409 and delete.get_json()["error"]["message"] == LOCKED
    assert Meeting.get_by_id(draft["id"]).notes == "Notes" and Meeting.get_by_id(draft["id"]).deleted_at is None
    admin = Api(app.test_client(), w.admin)
    assert admin.post(url, {"move": "reopen"}).status_code == 422  # a reason is required
    reopened = admin.post(url, {"move": "reopen", "note": "The date is wrong."}).get_json()
    assert (reopened["review_state"], reopened["review_note"]) == ("returned", "The date is wrong.")


def test_an_activity_is_logged_as_a_draft_and_moved_through_review(app):
    w = factories.small_world()
    e = w.engagement_a
    ada, ben = Api(app.test_client(), w.isp_a1), Api(app.test_client(), w.isp_a2)
    body = {"date": "2026-02-03", "kind": "outreach", "minutes": 30, "isp_ids": [w.isp_a1.id]}
    assert ada.post(f"/engagements/{e.id}/activities", {**body, "review_state": "submitted"}).status_code == 422
    draft = ada.post(f"/engagements/{e.id}/activities", {**body, "review_state": "draft"}).get_json()
    assert draft["review_state"] == "draft" and REVIEW_FIELDS <= set(draft)
    url = f"/activities/{draft['id']}/review"
    assert ada.post(url, {"move": "submit"}).get_json()["review_state"] == "submitted"
    assert ada.post(url, {"move": "approve"}).status_code == 403
    approved = ben.post(url, {"move": "approve"}).get_json()
    assert (approved["review_state"], approved["reviewed_by"]) == ("approved", w.isp_a2.id)
    assert ada.patch(f"/activities/{draft['id']}", {"minutes": 45}).status_code == 409
    assert ada.delete(f"/activities/{draft['id']}").status_code == 409
    listed = ada.get(f"/engagements/{e.id}/activities").get_json()["items"]
    assert [a["review_state"] for a in listed] == ["approved"]
