"""JSON API of the work between meetings (issue 22): GET, POST /engagements/<id>/activities and
GET, PATCH, DELETE /activities/<id>: the contract's shape, 400s with the error envelope and nothing
written, and the same access as the other nested lists."""

import datetime as dt

from tracker.models import Activity, Competency, Strategy

from .api_helpers import Api

TODAY = dt.date.today().isoformat()
BODY_KEYS = {"date", "kind", "minutes", "isp_ids", "strategies", "competencies", "notes"}


def body(demo, **values):
    strategy, competency = Strategy.select().first(), Competency.select().first()
    data = {
        "date": TODAY,
        "kind": "outreach",
        "minutes": 45,
        "isp_ids": [demo.isp_a1.id, demo.isp_a2.id],
        "strategies": [strategy.key],
        "competencies": [competency.key],
        "notes": "Calls to the three sites",
    }
    data.update(values)
    return data


def test_log_and_list(client, demo):
    api = Api(client, demo.isp_a1)
    url = f"/engagements/{demo.engagement_a.id}/activities"
    sent = body(demo)
    response = api.post(url, sent)
    assert response.status_code == 201, response.get_json()
    got = response.get_json()
    review = {"review_state", "submitted_at", "reviewed_by", "reviewed_at", "review_note"}  # issue 23
    assert set(got) == BODY_KEYS | {"id", "engagement_id", "logged_by", "created_at"} | review
    assert {k: got[k] for k in BODY_KEYS} == sent
    assert (got["engagement_id"], got["logged_by"]) == (demo.engagement_a.id, demo.isp_a1.id)
    listed = api.get(url).get_json()
    assert listed["total"] == 1 and listed["items"] == [got]
    assert api.get(f"/activities/{got['id']}").get_json() == got


def test_bad_input_is_a_400_and_nothing_is_written(client, demo):
    api = Api(client, demo.isp_a1)
    url = f"/engagements/{demo.engagement_a.id}/activities"
    for bad, field in (
        ({"minutes": 0}, "minutes"),
        ({"kind": "meeting"}, "kind"),
        ({"strategies": ["no-such-strategy"]}, "strategies"),
        ({"isp_ids": [demo.isp_b.id]}, "isp_ids"),  # not an ISP of this engagement: the service's rule
        ({"isp_ids": []}, "isp_ids"),
        ({"date": "2026-13-01"}, "date"),
    ):
        response = api.post(url, body(demo, **bad))
        assert response.status_code == 400, bad
        error = response.get_json()["error"]
        assert error["code"] == "validation_error" and field in error["fields"], (bad, error)
    response = api.post(url, {**body(demo), "engagement_id": 2})
    assert response.status_code == 400  # an unknown field
    assert Activity.select().count() == 0


def test_access_as_the_other_nested_lists(client, demo):
    url = f"/engagements/{demo.engagement_a.id}/activities"
    assert Api(client, demo.recipient_a).get(url).status_code == 200
    assert Api(client, demo.recipient_b).get(url).status_code == 404
    assert Api(client, demo.isp_none).get(url).status_code == 404
    assert Api(client).get(url).status_code == 401
    assert Api(client, demo.recipient_a).post(url, body(demo)).status_code == 403
    assert Api(client, demo.leader_foundation).post(url, body(demo)).status_code == 403
    assert Api(client, demo.isp_b).post(url, body(demo)).status_code == 404
    assert Activity.select().count() == 0


def test_patch_and_delete_by_its_own_id(client, demo):
    api = Api(client, demo.isp_a1)
    created = api.post(f"/engagements/{demo.engagement_a.id}/activities", body(demo)).get_json()
    url = f"/activities/{created['id']}"
    assert Api(client, demo.recipient_a).patch(url, {"minutes": 5}).status_code == 403
    assert Api(client, demo.isp_b).get(url).status_code == 404
    patched = api.patch(url, {"minutes": 60, "isp_ids": [demo.isp_a2.id]})
    assert patched.status_code == 200
    got = patched.get_json()
    assert (got["minutes"], got["isp_ids"], got["kind"], got["notes"]) == (
        60,
        [demo.isp_a2.id],
        "outreach",
        "Calls to the three sites",
    )
    assert api.patch(url, {"minutes": -1}).status_code == 400
    assert Activity.get_by_id(created["id"]).minutes == 60
    assert Api(client, demo.recipient_a).delete(url).status_code == 403
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert Activity.get_by_id(created["id"]).deleted_at is not None
