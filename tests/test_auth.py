"""Signing in and out: password hashing, the sign-in form with its CSRF token, safe redirects,
identical answers for every failed sign-in, and sessions that end when they should."""

import re
from urllib.parse import urlencode, urlsplit

import pytest

from tracker.models import User
from tracker.views.auth import BAD_CREDENTIALS

from . import factories
from .conftest import csrf_token, post_form


@pytest.fixture
def isp(app):
    return factories.user("isp", email="ada@example.org", name="Ada Lovelace")


def sign_in(client, email, password=factories.PASSWORD, url="/login"):
    return post_form(client, url, {"email": email, "password": password})


def signed_in_user_id(client):
    with client.session_transaction() as sess:
        return sess.get("_user_id")


def location_path(response):
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost"), response.headers["Location"]
    return location.path + (f"?{location.query}" if location.query else "")


# --- password hashing -------------------------------------------------------------------------


def test_password_is_stored_hashed(isp):
    assert isp.password_hash
    assert factories.PASSWORD not in isp.password_hash
    assert isp.password_hash.split(":", 1)[0] in ("scrypt", "pbkdf2")


def test_check_password(isp):
    user = User.get_by_id(isp.id)
    assert user.check_password(factories.PASSWORD) is True
    assert user.check_password("wrong password") is False
    assert user.check_password("") is False
    assert user.check_password(factories.PASSWORD.upper()) is False


def test_same_password_hashes_differently(app):
    one, two = User(), User()
    one.set_password(factories.PASSWORD)
    two.set_password(factories.PASSWORD)
    assert one.password_hash != two.password_hash  # salted
    assert one.check_password(factories.PASSWORD) and two.check_password(factories.PASSWORD)


def test_user_without_password_cannot_match_anything(app):
    user = User(email="nopass@example.org", name="No Pass", role="isp")
    user.save()
    assert user.password_hash == ""
    assert user.check_password("") is False
    assert user.check_password("anything") is False


# --- signing in -------------------------------------------------------------------------------


def test_login_page_has_a_csrf_token(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert csrf_token(client)


def test_sign_in_goes_home(client, isp):
    response = sign_in(client, isp.email)
    assert response.status_code == 302
    assert location_path(response) == "/"
    assert signed_in_user_id(client) == isp.session_token
    assert client.get("/").status_code == 200


def test_sign_in_email_is_case_insensitive(client, isp):
    response = sign_in(client, "  ADA@Example.ORG ")
    assert response.status_code == 302
    assert signed_in_user_id(client) == isp.session_token


def test_sign_in_follows_a_safe_next(client, isp):
    response = sign_in(client, isp.email, url="/login?next=/engagements/7%3Ftab%3Dmeetings")
    assert response.status_code == 302
    assert location_path(response) == "/engagements/7?tab=meetings"


@pytest.mark.parametrize(
    "unsafe",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example/path",
    ],
)
def test_sign_in_ignores_an_unsafe_next(client, isp, unsafe):
    response = sign_in(client, isp.email, url=f"/login?{urlencode({'next': unsafe})}")
    assert response.status_code == 302
    assert location_path(response) == "/"
    assert "evil" not in response.headers["Location"]
    assert signed_in_user_id(client) == isp.session_token


@pytest.mark.parametrize(
    "email,password", [("ada@example.org", "not the password"), ("nobody@example.org", factories.PASSWORD)]
)
def test_failed_sign_in_says_the_same_for_wrong_password_and_unknown_email(client, isp, email, password):
    response = sign_in(client, email, password)
    assert response.status_code == 401
    assert BAD_CREDENTIALS in response.get_data(as_text=True)
    assert signed_in_user_id(client) is None
    assert client.get("/").status_code == 302


def test_failed_sign_in_answers_do_not_differ(app, isp):
    wrong_password = sign_in(app.test_client(), isp.email, "not the password")
    unknown_email = sign_in(app.test_client(), "nobody@example.org", factories.PASSWORD)
    assert wrong_password.status_code == unknown_email.status_code == 401
    # apart from the email echoed back in the form, the pages are the same
    a = wrong_password.get_data(as_text=True).replace(isp.email, "EMAIL")
    b = unknown_email.get_data(as_text=True).replace("nobody@example.org", "EMAIL")
    strip_tokens = re.compile(r'name="csrf_token"[^>]*value="[^"]+"')
    assert strip_tokens.sub("", a) == strip_tokens.sub("", b)


def test_inactive_user_cannot_sign_in(client, isp):
    isp.is_active = False
    isp.save()
    response = sign_in(client, isp.email)
    assert response.status_code == 401
    assert BAD_CREDENTIALS in response.get_data(as_text=True)
    assert signed_in_user_id(client) is None


def test_deactivating_a_user_ends_their_session(client, isp):
    sign_in(client, isp.email)
    assert client.get("/").status_code == 200
    isp.is_active = False
    isp.save()
    response = client.get("/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_empty_form_is_refused_without_signing_in(client, isp):
    response = post_form(client, "/login", {"email": "", "password": ""})
    html = response.get_data(as_text=True)
    assert "Enter your email address." in html
    assert "Enter your password." in html
    assert signed_in_user_id(client) is None


# --- CSRF -------------------------------------------------------------------------------------


def test_sign_in_without_csrf_token_is_400(client, isp):
    client.get("/login")
    response = client.post("/login", data={"email": isp.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert signed_in_user_id(client) is None
    assert client.get("/").status_code == 302


def test_sign_in_with_a_wrong_csrf_token_is_400(client, isp):
    client.get("/login")
    response = client.post(
        "/login", data={"email": isp.email, "password": factories.PASSWORD, "csrf_token": "not-a-real-token"}
    )
    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_csrf_token_from_another_session_is_400(app, isp):
    attacker = app.test_client()
    victim = app.test_client()
    token = csrf_token(attacker)
    victim.get("/login")
    response = victim.post("/login", data={"email": isp.email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 400
    assert signed_in_user_id(victim) is None


# --- signing out ------------------------------------------------------------------------------


def test_sign_out_with_csrf_ends_the_session(client, isp):
    sign_in(client, isp.email)
    assert client.get("/").status_code == 200
    response = post_form(client, "/logout", {}, token_from="/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert signed_in_user_id(client) is None
    after = client.get("/")
    assert after.status_code == 302
    assert urlsplit(after.headers["Location"]).path == "/login"


def test_sign_out_is_post_only(client, isp):
    sign_in(client, isp.email)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_sign_out_without_csrf_is_400_and_keeps_the_session(client, isp):
    sign_in(client, isp.email)
    response = client.post("/logout", data={})
    assert response.status_code == 400
    assert signed_in_user_id(client) == isp.session_token
    assert client.get("/").status_code == 200


def test_rotating_the_session_token_signs_out_existing_sessions(app, isp):
    laptop = app.test_client()
    phone = app.test_client()
    sign_in(laptop, isp.email)
    sign_in(phone, isp.email)
    assert laptop.get("/").status_code == 200 and phone.get("/").status_code == 200

    user = User.get_by_id(isp.id)
    user.rotate_session_token()
    user.save()

    for client in (laptop, phone):
        response = client.get("/")
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/login"
    # signing in again works, with the new token
    sign_in(laptop, isp.email)
    assert signed_in_user_id(laptop) == user.session_token
    assert laptop.get("/").status_code == 200


def test_session_is_cleared_on_sign_in(client, isp):
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "from before sign-in"
    sign_in(client, isp.email)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == isp.session_token


def test_signed_in_user_visiting_login_is_sent_on(client, isp):
    sign_in(client, isp.email)
    response = client.get("/login?next=/engagements/3")
    assert response.status_code == 302
    assert location_path(response) == "/engagements/3"
    response = client.get("/login?next=//evil.example")
    assert location_path(response) == "/"
