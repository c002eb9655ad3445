"""JSON API: HTTP done right (issue 17): idempotent POSTs, ETag and If-Match, Location on 201, 405 with
Allow, 409 on entering the current stage again, 413, 415, 204 without a type, unknown fields named."""

import datetime as dt
import json

from tracker.models import Goal, IdempotencyKey, Meeting, StageEntry, SupportRequest

from .api_helpers import token_for

TODAY = dt.date.today().isoformat()


class Client:
    """JSON with a bearer token and any extra headers."""

    def __init__(self, client, user):
        self.client, self.token = client, token_for(user)

    def open(self, method, url, json=None, headers=None, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        if json is not None:
            kwargs["json"] = json
        return self.client.open("/api/v1" + url, method=method, headers=headers, **kwargs)


def goals_url(demo):
    return f"/engagements/{demo.engagement_a.id}/goals"


# --- Idempotency-Key ---------------------------------------------------------------------------------


def test_a_post_repeated_with_its_key_writes_once_and_answers_the_same(client, demo):
    api = Client(client, demo.isp_a2)
    key = {"Idempotency-Key": "goal-create-1"}
    before = Goal.select().count()
    first = api.open("POST", goals_url(demo), {"title": "Reach 10 sites"}, key)
    assert first.status_code == 201, first.get_json()
    again = api.open("POST", goals_url(demo), {"title": "Reach 10 sites"}, key)
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert Goal.select().count() == before + 1
    # the same data in another key order is the same request
    reordered = api.open("POST", goals_url(demo), data='{ "title" : "Reach 10 sites" }', headers=key,
                         content_type="application/json")  # fmt: skip
    assert reordered.status_code == 201 and reordered.get_json() == first.get_json()
    assert Goal.select().count() == before + 1
    # without a key every POST is its own
    assert api.open("POST", goals_url(demo), {"title": "Reach 10 sites"}).status_code == 201
    assert Goal.select().count() == before + 2


def test_a_key_used_with_another_body_is_422_and_writes_nothing(client, demo):
    api = Client(client, demo.isp_a2)
    key = {"Idempotency-Key": "k-422"}
    assert api.open("POST", goals_url(demo), {"title": "One"}, key).status_code == 201
    count = Goal.select().count()
    other = api.open("POST", goals_url(demo), {"title": "Two"}, key)
    assert other.status_code == 422
    assert other.get_json()["error"]["code"] == "unprocessable_entity"
    assert "Idempotency-Key" in other.get_json()["error"]["fields"]
    elsewhere = api.open("POST", f"/engagements/{demo.engagement_a.id}/deliverables", {"title": "One"}, key)
    assert elsewhere.status_code == 422
    assert Goal.select().count() == count


def test_keys_belong_to_their_user(client, demo):
    key = {"Idempotency-Key": "shared-key"}
    one = Client(client, demo.isp_a1).open("POST", goals_url(demo), {"title": "Mine"}, key)
    two = Client(client, demo.isp_a2).open("POST", goals_url(demo), {"title": "Mine"}, key)
    assert one.status_code == two.status_code == 201
    assert one.get_json()["id"] != two.get_json()["id"]
    assert IdempotencyKey.select().where(IdempotencyKey.key == "shared-key").count() == 2


def test_a_refused_first_post_keeps_no_key_and_an_old_key_expires(client, demo):
    api = Client(client, demo.isp_a2)
    key = {"Idempotency-Key": "fix-and-retry"}
    refused = api.open("POST", goals_url(demo), {"title": ""}, key)
    assert refused.status_code == 400
    assert not IdempotencyKey.select().where(IdempotencyKey.key == "fix-and-retry").exists()
    assert api.open("POST", goals_url(demo), {"title": ""}, key).status_code == 400
    first = api.open("POST", goals_url(demo), {"title": "Later"}, key)
    assert first.status_code == 201
    row = IdempotencyKey.get(IdempotencyKey.key == "fix-and-retry")
    IdempotencyKey.update(created_at=row.created_at - dt.timedelta(hours=25)).where(
        IdempotencyKey.id == row.id
    ).execute()
    fresh = api.open("POST", goals_url(demo), {"title": "Later"}, key)
    assert fresh.status_code == 201 and fresh.get_json()["id"] != first.get_json()["id"]
    assert api.open("POST", goals_url(demo), {"title": "x"}, {"Idempotency-Key": "k" * 201}).status_code == 400


def test_a_key_whose_first_request_never_finished(client, demo):
    api = Client(client, demo.isp_a2)
    key = {"Idempotency-Key": "died"}
    assert api.open("POST", goals_url(demo), {"title": "Once"}, key).status_code == 201
    row = IdempotencyKey.get(IdempotencyKey.key == "died")
    IdempotencyKey.update(status=None).where(IdempotencyKey.id == row.id).execute()  # as if it died mid-way
    busy = api.open("POST", goals_url(demo), {"title": "Once"}, key)
    assert busy.status_code == 409 and busy.get_json()["error"]["code"] == "idempotency_key_in_use"
    IdempotencyKey.update(created_at=row.created_at - dt.timedelta(minutes=5)).where(
        IdempotencyKey.id == row.id
    ).execute()
    assert api.open("POST", goals_url(demo), {"title": "Once"}, key).status_code == 201
    assert api.open("POST", goals_url(demo), {"title": "Once"}, key).headers.get("Idempotent-Replayed") == "true"


# --- ETag and If-Match ---------------------------------------------------------------------------------


def test_items_carry_an_etag_that_changes_with_a_patch(client, demo):
    api = Client(client, demo.isp_a2)
    url = f"/engagements/{demo.engagement_a.id}"
    got = api.open("GET", url)
    etag = got.headers["ETag"]
    assert etag == f'"{got.get_json()["version"]}"'
    patched = api.open("PATCH", url, {"title": "Renamed"}, {"If-Match": etag})
    assert patched.status_code == 200, patched.get_json()
    assert patched.headers["ETag"] != etag
    assert patched.headers["ETag"] == api.open("GET", url).headers["ETag"]
    assert "ETag" not in api.open("GET", "/engagements").headers  # a list is not an item


def test_a_stale_or_made_up_if_match_is_412_on_patch(client, demo):
    api = Client(client, demo.isp_a2)
    url = f"/engagements/{demo.engagement_a.id}"
    stale = api.open("GET", url).headers["ETag"]
    assert api.open("PATCH", url, {"title": "First"}, {"If-Match": stale}).status_code == 200
    for tag in (stale, '"bogus"', "bogus", 'W/"1"'):
        refused = api.open("PATCH", url, {"title": "Second"}, {"If-Match": tag})
        assert refused.status_code == 412, tag
        error = refused.get_json()["error"]
        assert error["code"] == "precondition_failed" and "If-Match" in error["fields"]
        assert refused.headers["ETag"] == api.open("GET", url).headers["ETag"]
    assert api.open("GET", url).get_json()["title"] == "First"
    current = api.open("GET", url).headers["ETag"]
    assert api.open("PATCH", url, {"title": "Third"}, {"If-Match": f'"bogus", {current}'}).status_code == 200
    assert api.open("PATCH", url, {"title": "Fourth"}, {"If-Match": "*"}).status_code == 200


def test_the_body_version_keeps_working(client, demo):
    api = Client(client, demo.isp_a2)
    url = f"/engagements/{demo.engagement_a.id}"
    version = api.open("GET", url).get_json()["version"]
    assert api.open("PATCH", url, {"title": "A", "version": version}).status_code == 200
    assert api.open("PATCH", url, {"title": "B", "version": version}).status_code == 409


def test_a_stale_or_made_up_if_match_is_412_on_delete(client, demo):
    api = Client(client, demo.isp_a2)
    made = api.open("POST", f"/engagements/{demo.engagement_a.id}/meetings", {"date": TODAY})
    assert made.status_code == 201, made.get_json()
    url = made.headers["Location"].removeprefix("/api/v1")
    etag = api.open("GET", url).headers["ETag"]
    assert api.open("PATCH", url, {"notes": "Changed"}, {"If-Match": etag}).status_code == 200
    for tag in (etag, '"bogus"'):
        assert api.open("DELETE", url, headers={"If-Match": tag}).status_code == 412, tag
        assert Meeting.get_by_id(made.get_json()["id"]).deleted_at is None
    current = api.open("GET", url).headers["ETag"]
    assert api.open("DELETE", url, headers={"If-Match": current}).status_code == 204
    assert Meeting.get_by_id(made.get_json()["id"]).deleted_at is not None


def test_if_match_never_tells_a_stranger_that_a_record_exists(client, demo):
    url = f"/engagements/{demo.engagement_a.id}"
    assert Client(client, demo.isp_b).open("PATCH", url, {"title": "x"}, {"If-Match": '"bogus"'}).status_code in (
        403,
        404,
    )


# --- Location, 204, 405, 409, 413, 415, unknown fields ------------------------------------------------


def test_every_201_says_where_the_new_resource_is(client, demo):
    api = Client(client, demo.isp_a2)
    e = demo.engagement_a.id
    made = api.open("POST", f"/engagements/{e}/goals", {"title": "Located"})
    assert made.headers["Location"] == f"/api/v1/engagements/{e}/goals/{made.get_json()['id']}"
    meeting = api.open("POST", f"/engagements/{e}/meetings", {"date": TODAY})
    assert api.open("GET", meeting.headers["Location"].removeprefix("/api/v1")).status_code == 200
    engagement = Client(client, demo.admin).open(
        "POST",
        "/engagements",
        {
            "unit_id": demo.engagement_a.unit_id,
            "title": "New",
            "start_date": TODAY,
            "co_lead_ids": [demo.isp_a1.id, demo.isp_a2.id],
        },
    )
    assert engagement.status_code == 201, engagement.get_json()
    assert engagement.headers["Location"] == f"/api/v1/engagements/{engagement.get_json()['id']}"


def test_an_accepted_request_points_at_its_new_engagement(client, demo):
    req = SupportRequest.create(unit=demo.unit_b, requested_by=demo.recipient_b, title="Please help")
    accepted = Client(client, demo.isp_none).open(
        "POST",
        f"/requests/{req.id}/accept",
        {"co_lead_ids": [demo.isp_none.id, demo.isp_b.id], "support_model": "co_creation", "start_date": TODAY},
    )
    assert accepted.status_code == 201, accepted.get_json()
    assert accepted.headers["Location"] == f"/api/v1/engagements/{accepted.get_json()['id']}"


def test_204_has_no_body_and_no_content_type(client, demo):
    api = Client(client, demo.isp_a2)
    made = api.open("POST", f"/engagements/{demo.engagement_a.id}/deliverables", {"title": "Report"})
    gone = api.open("DELETE", made.headers["Location"].removeprefix("/api/v1"))
    assert gone.status_code == 204
    assert "Content-Type" not in gone.headers and gone.get_data() == b""


def test_405_names_the_allowed_methods(client, demo):
    api = Client(client, demo.isp_a2)
    for method, url, allowed in (
        ("PUT", "/engagements", {"GET", "POST"}),
        ("DELETE", f"/engagements/{demo.engagement_a.id}", {"GET", "PATCH"}),
        ("POST", "/catalog", {"GET"}),
    ):
        response = api.open(method, url, {})
        assert response.status_code == 405, url
        assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}, response.headers["Allow"]
        assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_entering_the_current_stage_again_is_409(client, demo):
    api = Client(client, demo.isp_a2)
    url = f"/engagements/{demo.engagement_a.id}/stage"
    count = StageEntry.select().count()
    again = api.open("POST", url, {"stage": "exploration", "date": TODAY})
    assert again.status_code == 409, again.get_json()
    assert again.get_json()["error"]["code"] == "conflict" and "stage" in again.get_json()["error"]["fields"]
    assert StageEntry.select().count() == count


def test_a_body_over_the_limit_is_413(client, demo):
    api = Client(client, demo.isp_a2)
    big = json.dumps({"title": "x" * (1024 * 1024 + 10)})
    response = api.open("POST", goals_url(demo), data=big, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"


def test_a_body_that_is_not_json_is_415(client, demo):
    api = Client(client, demo.isp_a2)
    count = Goal.select().count()
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = api.open("POST", goals_url(demo), data='{"title": "Plain"}', content_type=content_type)
        assert response.status_code == 415, content_type
        assert response.get_json()["error"]["code"] == "unsupported_media_type"
    patch = api.open("PATCH", f"/engagements/{demo.engagement_a.id}", data='{"title": "x"}', content_type="text/plain")
    assert patch.status_code == 415
    assert Goal.select().count() == count
    assert api.open(
        "POST", goals_url(demo), data='{"title": "Typed"}', content_type="application/json"
    ).status_code == (201)


def test_unknown_fields_are_refused_by_name(client, demo):
    api = Client(client, demo.isp_a2)
    count = Goal.select().count()
    response = api.open("POST", goals_url(demo), {"title": "Misspelt", "indicatr": "x", "colour": "red"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert set(error["fields"]) == {"indicatr", "colour"}
    assert "indicatr" in error["message"] and "colour" in error["message"]
    assert Goal.select().count() == count
    patch = api.open("PATCH", f"/engagements/{demo.engagement_a.id}", {"titel": "x"})
    assert patch.status_code == 400 and set(patch.get_json()["error"]["fields"]) == {"titel"}


def test_the_spec_says_all_this(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    engagement = doc["paths"]["/engagements/{engagement_id}"]
    assert "If-Match" in {p["name"] for p in engagement["patch"]["parameters"]}
    assert {"412", "415", "409"} <= set(engagement["patch"]["responses"])
    assert "ETag" in engagement["get"]["responses"]["200"]["headers"]
    create = doc["paths"]["/engagements"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
    assert {"415", "422"} <= set(create["responses"]) and "Location" in create["responses"]["201"]["headers"]
    assert "409" in doc["paths"]["/engagements/{engagement_id}/stage"]["post"]["responses"]
    delete = doc["paths"]["/engagements/{engagement_id}/meetings/{meeting_id}"]["delete"]
    assert "If-Match" in {p["name"] for p in delete["parameters"]} and "412" in delete["responses"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    body = doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]] if "$ref" in body else body
    assert body["additionalProperties"] is False
