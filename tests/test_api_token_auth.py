"""Who the API sees: the bearer token's user (flask-login's request_loader), never a browser session;
and a bearer token opens no browser page."""

from tracker.models import ApiToken

from .api_helpers import Api, token_for
from .conftest import post_form
from .factories import PASSWORD

NO_TOKEN = {"code": "unauthorized", "message": "Send a valid token: Authorization: Bearer <token>.", "fields": {}}


def test_a_script_using_a_token_gets_no_cookie(client, demo):
    response = Api(client, demo.isp_a1).get("/tokens")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert client.get_cookie("session") is None


def test_the_token_is_marked_as_used(client, demo):
    api = Api(client, demo.isp_a1)
    assert api.get("/tokens").status_code == 200
    assert ApiToken.get().last_used_at is not None


def test_a_browser_session_does_not_open_the_api(as_user, demo):
    client = as_user(demo.isp_a1)
    assert client.get("/engagements").status_code == 200  # signed in for pages
    response = client.get("/api/v1/engagements")
    assert response.status_code == 401
    assert response.get_json() == {"error": NO_TOKEN}


def test_with_a_session_and_a_token_the_api_answers_to_the_token(as_user, demo):
    client = as_user(demo.isp_a1)
    response = Api(client, demo.isp_b).get("/tokens")
    assert response.status_code == 200
    assert {t["user_id"] for t in response.get_json()["items"]} == {demo.isp_b.id}


def test_a_bearer_token_does_not_sign_in_to_pages(client, demo):
    token = token_for(demo.isp_a1)
    response = client.get("/engagements", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_remembered_browser_with_a_token_is_the_token_on_the_api(client, demo):
    form = {"email": demo.isp_a1.email, "password": PASSWORD, "remember": "y"}
    assert post_form(client, "/login", form).status_code == 302
    assert client.get_cookie("remember_token") is not None
    client.delete_cookie("session")  # the browser session ended; "keep me signed in" remains
    response = Api(client, demo.isp_b).get("/tokens")
    assert response.status_code == 200
    assert {t["user_id"] for t in response.get_json()["items"]} == {demo.isp_b.id}
    assert Api(client).get("/tokens").status_code == 401  # the remembered browser alone opens no API
