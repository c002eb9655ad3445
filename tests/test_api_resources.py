"""JSON API: catalog, organizations, units, users, support requests, engagements."""

from tracker.models import ROLES, Engagement, EngagementISP, Organization, SupportRequest, Unit, User

from .api_helpers import Api


def test_catalog_has_keys_everywhere(client, demo):
    data = Api(client, demo.recipient_a).get("/catalog").get_json()
    assert data["competency_frameworks"] and data["stages"] and data["strategy_clusters"]
    competencies = [c for f in data["competency_frameworks"] for d in f["domains"] for c in d["competencies"]]
    assert competencies and all(c["key"] for c in competencies)
    assert all(s["key"] for c in data["strategy_clusters"] for s in c["strategies"])
    assert "exploration" in [s["key"] for s in data["stages"]]
    assert any(s["default_benchmarks"] for s in data["stages"])


def test_catalog_needs_a_token(client, demo):
    assert Api(client).get("/catalog").status_code == 401


def test_organizations_list_paginated_and_create(client, demo):
    api = Api(client, demo.admin)
    page = api.get("/organizations", per_page=2, page=2).get_json()
    assert page["page"] == 2 and page["per_page"] == 2 and page["total"] == 3 and len(page["items"]) == 1
    response = api.post("/organizations", {"name": "New Funder", "kind": "recipient"})
    assert response.status_code == 201
    assert Organization.get(Organization.name == "New Funder").id == response.get_json()["id"]
    assert api.post("/organizations", {"name": "New Funder"}).status_code == 409
    bad = api.post("/organizations", {"name": "X", "kind": "weird"})
    assert bad.status_code == 400 and "kind" in bad.get_json()["error"]["fields"]


def test_pagination_bounds(client, demo):
    api = Api(client, demo.admin)
    assert api.get("/organizations", per_page=101).status_code == 400
    assert api.get("/organizations", page=0).status_code == 400
    response = api.get("/organizations", page="x")
    assert response.status_code == 400 and "page" in response.get_json()["error"]["fields"]


def test_only_admin_creates_organizations_units_users(client, demo):
    for person in (demo.isp_a1, demo.leader_all, demo.recipient_a):
        api = Api(client, person)
        assert api.post("/organizations", {"name": "Z"}).status_code == 403
        assert api.post("/units", {"organization_id": demo.foundation.id, "name": "Z"}).status_code == 403
        assert api.post("/users", {"email": "z@example.org"}).status_code == 403
        assert api.get("/users").status_code == 403
    assert Organization.select().where(Organization.name == "Z").count() == 0


def test_units_create_and_filter(client, demo):
    api = Api(client, demo.admin)
    response = api.post("/units", {"organization_id": demo.other.id, "name": "Unit D"})
    assert response.status_code == 201
    assert Unit.get_by_id(response.get_json()["id"]).organization_id == demo.other.id
    listed = api.get("/units", organization_id=demo.other.id).get_json()
    assert sorted(u["name"] for u in listed["items"]) == ["Unit C", "Unit D"]
    bad = api.post("/units", {"organization_id": 999999, "name": "Q"})
    assert bad.status_code == 400 and "organization_id" in bad.get_json()["error"]["fields"]


def test_users_create_and_list(client, demo):
    api = Api(client, demo.admin)
    response = api.post(
        "/users",
        {
            "email": "new@example.org",
            "name": "New Person",
            "role": "recipient",
            "password": "a long enough password",
            "unit_id": demo.unit_a.id,
        },
    )
    assert response.status_code == 201, response.get_json()
    created = User.get(User.email == "new@example.org")
    assert created.check_password("a long enough password") and created.organization_id == demo.foundation.id
    assert "password" not in response.get_json() and "password_hash" not in response.get_json()
    count = User.select().count()
    bad = api.post("/users", {"email": "new@example.org", "name": "", "role": "boss", "password": "short"})
    assert bad.status_code == 400  # what the document says (a name, a role of the enum), all at once
    assert bad.get_json()["error"]["fields"] == {
        "name": "Enter the person's name.",
        "role": "Choose one of: " + ", ".join(k for k, _ in ROLES) + ".",
    }
    bad = api.post("/users", {"email": "new@example.org", "name": "N", "role": "recipient", "password": "short"})
    assert bad.status_code == 400  # then the model's rules: the password policy
    assert bad.get_json()["error"]["fields"]["password"].startswith("The password must have at least")
    duplicate = api.post(
        "/users", {"email": "NEW@example.org", "name": "Again", "role": "admin", "password": "a long enough password"}
    )
    assert duplicate.status_code == 400 and "email" in duplicate.get_json()["error"]["fields"]
    no_unit = api.post(
        "/users", {"email": "r2@example.org", "name": "R", "role": "recipient", "password": "a long enough password"}
    )
    assert no_unit.status_code == 400 and "unit_id" in no_unit.get_json()["error"]["fields"]
    assert User.select().count() == count
    listed = api.get("/users", role="admin").get_json()
    assert [u["email"] for u in listed["items"]] == ["admin@example.org"]


def test_requests_submit_list_and_access(client, demo):
    rec = Api(client, demo.recipient_a)
    response = rec.post(
        "/requests",
        {
            "title": "Help with rollout",
            "description": "A new programme",
            "for_whom": "Grantees",
            "on_behalf_of": "Partner X",
        },
    )
    assert response.status_code == 201
    req = SupportRequest.get_by_id(response.get_json()["id"])
    assert req.unit_id == demo.unit_a.id and req.requested_by_id == demo.recipient_a.id
    assert rec.post("/requests", {"title": "Other unit", "unit_id": demo.unit_b.id}).status_code == 400
    bad = rec.post("/requests", {"title": ""})
    assert bad.status_code == 400 and "title" in bad.get_json()["error"]["fields"]
    assert Api(client, demo.isp_a1).post("/requests", {"title": "x"}).status_code == 403
    assert [r["id"] for r in rec.get("/requests").get_json()["items"]] == [req.id]
    assert Api(client, demo.recipient_b).get(f"/requests/{req.id}").status_code == 404
    assert Api(client, demo.recipient_b).get("/requests").get_json()["total"] == 0
    assert Api(client, demo.isp_none).get("/requests", status="submitted").get_json()["total"] == 1


def _request(demo):
    return SupportRequest.create(unit=demo.unit_b, requested_by=demo.recipient_b, title="Please help")


def test_accept_request_creates_the_engagement(client, demo):
    req = _request(demo)
    api = Api(client, demo.isp_none)
    response = api.post(
        f"/requests/{req.id}/accept",
        {"co_lead_ids": [demo.isp_none.id, demo.isp_b.id], "support_model": "co_creation", "start_date": "2026-03-02"},
    )
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["co_lead_ids"] == sorted([demo.isp_none.id, demo.isp_b.id])
    assert data["support_model"] == "co_creation" and data["start_date"] == "2026-03-02"
    assert data["stage"] == "exploration" and data["request_id"] == req.id
    assert SupportRequest.get_by_id(req.id).status == "accepted"
    again = api.post(f"/requests/{req.id}/decline", {"reason": "late"})
    assert again.status_code == 409


def test_accept_request_validation_writes_nothing(client, demo):
    req = _request(demo)
    api = Api(client, demo.isp_none)
    count = Engagement.select().count()
    for payload, field in (
        ({"co_lead_ids": [demo.isp_none.id], "support_model": "push", "start_date": "2026-03-02"}, "co_lead_ids"),
        (
            {
                "co_lead_ids": [demo.isp_none.id, demo.recipient_a.id],
                "support_model": "push",
                "start_date": "2026-03-02",
            },
            "co_lead_ids",
        ),
        (
            {"co_lead_ids": [demo.isp_none.id, demo.isp_b.id], "support_model": "pull", "start_date": "2026-03-02"},
            "support_model",
        ),
        (
            {"co_lead_ids": [demo.isp_none.id, demo.isp_b.id], "support_model": "push", "start_date": "2 March"},
            "start_date",
        ),
    ):
        response = api.post(f"/requests/{req.id}/accept", payload)
        assert response.status_code == 400, payload
        assert field in response.get_json()["error"]["fields"]
    assert Engagement.select().count() == count
    assert SupportRequest.get_by_id(req.id).status == "submitted"


def test_decline_request_and_roles(client, demo):
    req = _request(demo)
    assert Api(client, demo.recipient_b).post(f"/requests/{req.id}/decline", {"reason": "x"}).status_code == 403
    assert Api(client, demo.recipient_a).post(f"/requests/{req.id}/decline", {"reason": "x"}).status_code == 404
    api = Api(client, demo.isp_a1)
    missing = api.post(f"/requests/{req.id}/decline", {})
    assert missing.status_code == 400 and "reason" in missing.get_json()["error"]["fields"]
    response = api.post(f"/requests/{req.id}/decline", {"reason": "Out of scope"})
    assert response.status_code == 200 and response.get_json()["status"] == "declined"
    assert SupportRequest.get_by_id(req.id).decline_reason == "Out of scope"


def test_engagement_list_follows_the_policy(client, demo):
    def ids(user, **params):
        return sorted(e["id"] for e in Api(client, user).get("/engagements", **params).get_json()["items"])

    a, b, c = demo.engagement_a.id, demo.engagement_b.id, demo.engagement_c.id
    assert ids(demo.admin) == sorted([a, b, c])
    assert ids(demo.isp_a1) == sorted([a, c])
    assert ids(demo.isp_none) == []
    assert ids(demo.recipient_a) == [a]
    assert ids(demo.leader_foundation) == sorted([a, b])
    assert ids(demo.admin, unit_id=demo.unit_b.id) == [b]
    assert ids(demo.admin, stage="exploration") == [a]
    assert ids(demo.admin, status="closed") == []
    assert ids(demo.admin, support_model="push_pull") == sorted([a, b, c])
    page = Api(client, demo.admin).get("/engagements", per_page=2).get_json()
    assert page["total"] == 3 and len(page["items"]) == 2
    bad = Api(client, demo.admin).get("/engagements", status="nope")
    assert bad.status_code == 400 and "status" in bad.get_json()["error"]["fields"]


def test_engagement_detail_404_and_403(client, demo):
    a = demo.engagement_a.id
    assert Api(client, demo.recipient_a).get(f"/engagements/{a}").get_json()["title"] == "Engagement A"
    assert Api(client, demo.recipient_b).get(f"/engagements/{a}").status_code == 404
    assert Api(client, demo.isp_none).get(f"/engagements/{a}").status_code == 404
    assert Api(client, demo.recipient_a).patch(f"/engagements/{a}", {"title": "X"}).status_code == 403
    assert Api(client, demo.leader_foundation).patch(f"/engagements/{a}", {"title": "X"}).status_code == 403
    assert Api(client, demo.isp_b).patch(f"/engagements/{a}", {"title": "X"}).status_code == 404
    assert Engagement.get_by_id(a).title == "Engagement A"


def test_engagement_patch(client, demo):
    a = demo.engagement_a.id
    api = Api(client, demo.isp_a1)
    response = api.patch(f"/engagements/{a}", {"title": "Renamed", "support_model": "push"})
    assert response.status_code == 200, response.get_json()
    stored = Engagement.get_by_id(a)
    assert (stored.title, stored.support_model) == ("Renamed", "push")
    bad = api.patch(f"/engagements/{a}", {"title": "", "end_date": "2025-01-01"})
    assert bad.status_code == 400 and {"title", "end_date"} <= set(bad.get_json()["error"]["fields"])
    assert Engagement.get_by_id(a).title == "Renamed"


def test_engagement_create(client, demo):
    api = Api(client, demo.isp_none)
    response = api.post(
        "/engagements",
        {
            "unit_id": demo.unit_c.id,
            "title": "New",
            "support_model": "push",
            "co_lead_ids": [demo.isp_none.id, demo.isp_b.id],
            "start_date": "2026-01-10",
            "stage": "exploration",
        },
    )
    assert response.status_code == 201, response.get_json()
    created = Engagement.get_by_id(response.get_json()["id"])
    assert created.unit_id == demo.unit_c.id and created.current_stage.key == "exploration"
    assert EngagementISP.select().where(EngagementISP.engagement == created.id).count() == 2
    count = Engagement.select().count()
    bad = api.post(
        "/engagements",
        {
            "unit_id": 999999,
            "title": "X",
            "co_lead_ids": [demo.isp_none.id, demo.isp_none.id],
            "start_date": "2026-01-10",
        },
    )
    assert bad.status_code == 400
    assert Engagement.select().count() == count
    assert Api(client, demo.recipient_a).post("/engagements", {}).status_code == 403


def test_an_unknown_field_in_a_new_engagement_is_refused_by_name(client, demo):
    count = Engagement.select().count()
    body = {
        "unit_id": demo.unit_c.id,
        "title": "New",
        "co_lead_ids": [demo.isp_none.id, demo.isp_b.id],
        "start_date": "2026-01-10",
        "colour": "blue",
    }
    response = Api(client, demo.isp_none).post("/engagements", body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["fields"] == {"colour": "Unknown field."} and "colour" in error["message"]
    assert Engagement.select().count() == count


def test_every_answer_has_updated_at_in_utc_with_its_offset(client, demo):
    api = Api(client, demo.admin)
    answers = [
        api.get(f"/engagements/{demo.engagement_a.id}").get_json(),
        api.get("/engagements").get_json()["items"][0],
        api.get("/organizations").get_json()["items"][0],
        api.get("/units").get_json()["items"][0],
        api.get("/users").get_json()["items"][0],
        api.post(
            "/requests", {"unit_id": demo.unit_a.id, "title": "T", "description": "D", "for_whom": "F"}
        ).get_json(),
    ]
    for answer in answers:
        assert answer["updated_at"].endswith("+00:00") and answer["created"].endswith("+00:00"), answer
        assert isinstance(answer["version"], int)


def test_the_leader_flag_is_set_when_creating_a_user(client, demo):
    api = Api(client, demo.admin)
    leader = {"name": "Wide Reader", "role": "leader", "password": "a long enough password"}
    response = api.post("/users", {**leader, "email": "wide@example.org", "reads_all_organizations": True})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["reads_all_organizations"] is True
    assert User.get(User.email == "wide@example.org").reads_all_organizations
    narrow = api.post("/users", {**leader, "email": "narrow@example.org", "organization_id": demo.foundation.id})
    assert narrow.status_code == 201 and narrow.get_json()["reads_all_organizations"] is False
    isp = {"name": "Not A Leader", "role": "isp", "password": "a long enough password", "email": "i@example.org"}
    refused = api.post("/users", {**isp, "reads_all_organizations": True})  # the model's rule: leaders only
    assert refused.status_code == 400 and "reads_all_organizations" in refused.get_json()["error"]["fields"]
    assert not User.select().where(User.email == "i@example.org").exists()
