"""JSON API: bearer tokens (CLI, sign-in, list, revoke) and the JSON error format."""

import hashlib

from tracker.models import ApiToken, AuditEntry, Organization

from .api_helpers import Api, token_for
from .factories import PASSWORD


def test_create_token_command_prints_a_token_and_stores_only_its_hash(runner, demo):
    result = runner.invoke(args=["create-token", "isp.a1@example.org", "--name", "laptop"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    row = ApiToken.get()
    assert row.user_id == demo.isp_a1.id and row.name == "laptop"
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash


def test_create_token_command_refuses_unknown_email(runner, demo):
    result = runner.invoke(args=["create-token", "nobody@example.org"])
    assert result.exit_code != 0
    assert "No active user" in result.output
    assert ApiToken.select().count() == 0


def test_sign_in_for_a_token_and_use_it(client, demo):
    api = Api(client)
    response = api.post("/tokens", {"email": "ISP.A1@example.org", "password": PASSWORD, "name": "script"})
    assert response.status_code == 201
    data = response.get_json()
    assert data["name"] == "script" and data["user_id"] == demo.isp_a1.id
    api.token = data["token"]
    listed = api.get("/tokens").get_json()["items"]
    assert [t["id"] for t in listed] == [data["id"]]
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    assert listed[0]["last_used"] is not None


def test_wrong_password_and_unknown_email_answer_the_same_401(client, demo):
    api = Api(client)
    wrong = api.post("/tokens", {"email": "isp.a1@example.org", "password": "nope nope nope"})
    unknown = api.post("/tokens", {"email": "ghost@example.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert ApiToken.select().count() == 0


def test_token_request_validation_names_fields(client, demo):
    response = Api(client).post("/tokens", {"email": 5})
    assert response.status_code == 400
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"email", "password"}


def test_no_token_or_bad_token_is_401_json(client, demo):
    for api in (Api(client), Api(client, token="not-a-token")):
        response = api.get("/engagements")
        assert response.status_code == 401
        assert response.is_json
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_inactive_user_token_is_refused(client, demo):
    api = Api(client, demo.isp_a1)
    demo.isp_a1.is_active = False
    demo.isp_a1.save()
    assert api.get("/engagements").status_code == 401


def test_list_shows_only_own_tokens_and_revoke(client, demo):
    mine = Api(client, demo.isp_a1)
    token_for(demo.isp_b)
    other_id = ApiToken.get(ApiToken.user == demo.isp_b.id).id
    assert len(mine.get("/tokens").get_json()["items"]) == 1
    assert mine.delete(f"/tokens/{other_id}").status_code == 404
    assert ApiToken.select().count() == 2
    own_id = mine.get("/tokens").get_json()["items"][0]["id"]
    assert mine.delete(f"/tokens/{own_id}").status_code == 204
    assert mine.get("/tokens").status_code == 401  # revoked: the token no longer works


def test_admin_revokes_any_token(client, demo):
    token_for(demo.isp_b)
    other_id = ApiToken.get(ApiToken.user == demo.isp_b.id).id
    assert Api(client, demo.admin).delete(f"/tokens/{other_id}").status_code == 204
    assert not ApiToken.select().where(ApiToken.id == other_id).exists()


def test_errors_are_json_never_html(client, demo):
    api = Api(client, demo.admin)
    for response, status in (
        (api.get("/nowhere"), 404),
        (api.send("PUT", "/engagements"), 405),
        (api.get("/engagements/999999"), 404),
        (api.post("/organizations", data="{not json"), 400),
        (api.post("/organizations", json=[1, 2]), 400),
    ):
        assert response.status_code == status
        assert response.is_json
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}


def test_bad_input_writes_nothing(client, demo):
    api = Api(client, demo.admin)
    before = (Organization.select().count(), AuditEntry.select().count())
    for payload in ({"name": "x" * 5000}, {"name": 12}, {"name": ["a"]}, {"name": None}, {"name": "  "}):
        response = api.post("/organizations", payload)
        assert response.status_code == 400
        assert "name" in response.get_json()["error"]["fields"]
    assert (Organization.select().count(), AuditEntry.select().count()) == before
