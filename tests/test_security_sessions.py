"""Issue 16, sessions and tokens: each attack seen replayed, and now refused.

- Sign-out did not end a "keep me signed in" browser (session.clear() after logout_user() dropped
  flask-login's flag, so the remember cookie survived), and cookies copied before sign-out still
  worked after it. Now sign-out deletes the remember cookie and rotates the user's session token, which
  both cookies carry, so neither signs anyone in again.
- An API token kept working after its owner changed the password, after an admin reset it and after
  "sign out everywhere"; the reset signed nobody out and left the sign-in lock on. Now each ends every
  session and revokes the API tokens, the owner is told, and the reset lifts the lock.
"""

import pytest

from tracker.models import ApiToken, OutboxMessage, SignInAttempt, User

from . import factories
from .api_helpers import Api, token_for
from .conftest import post_form

NEW_PASSWORD = "Lantern-orbit kestrel 47"
REMEMBER = "remember_token"


@pytest.fixture
def owner(app):
    return factories.user("isp", email="owner@example.org", name="Olu Owner")


@pytest.fixture
def admin(app):
    return app.test_client(user=factories.user("admin", email="root@example.org", name="Root Admin"))


def remembered_browser(app, user):
    """A browser signed in through the form with "keep me signed in"."""
    client = app.test_client()
    response = post_form(client, "/login", {"email": user.email, "password": factories.PASSWORD, "remember": "y"})
    assert response.status_code == 302
    assert client.get_cookie(REMEMBER) is not None
    return client


def copy_of(app, client, names):
    """Another browser holding copies of `client`'s cookies (as an attacker who copied them would)."""
    thief = app.test_client()
    for name in names:
        thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def signed_in(client):
    return client.get("/account/").status_code == 200


def sign_out(client):
    return post_form(client, "/logout", {}, token_from="/account/")


# --- sign-out --------------------------------------------------------------------------------------------


def test_sign_out_deletes_the_remember_cookie(app, owner):
    browser = remembered_browser(app, owner)
    response = sign_out(browser)
    assert response.status_code == 302
    deleted = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{REMEMBER}=")]
    assert deleted and "Expires=Thu, 01 Jan 1970" in deleted[0]
    assert browser.get_cookie(REMEMBER) is None
    assert not signed_in(browser)  # the next visit is not signed in


def test_cookies_copied_before_sign_out_are_dead_after_it(app, owner):
    browser = remembered_browser(app, owner)
    session_name = app.config["SESSION_COOKIE_NAME"]
    with_session = copy_of(app, browser, [session_name])
    with_remember = copy_of(app, browser, [REMEMBER])
    assert signed_in(with_session) and signed_in(with_remember)  # the copies work while the owner is in
    with_session, with_remember = copy_of(app, browser, [session_name]), copy_of(app, browser, [REMEMBER])
    sign_out(browser)
    assert not signed_in(with_session)
    assert not signed_in(with_remember)
    # and the owner signs in again as usual
    assert post_form(browser, "/login", {"email": owner.email, "password": factories.PASSWORD}).status_code == 302


def test_sign_out_leaves_the_api_tokens_of_scripts(app, client, owner):
    token = token_for(owner)
    sign_out(remembered_browser(app, owner))
    assert Api(client, token=token).get("/tokens").status_code == 200


# --- what ends every session and API token -----------------------------------------------------------


def change_own_password(client):
    return post_form(
        client,
        "/account/password",
        {"current_password": factories.PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        token_from="/account/",
    )


def admin_reset(admin, user):
    return post_form(admin, f"/admin/users/{user.id}/password", {"password": NEW_PASSWORD})


def admin_sign_out(admin, user):
    return post_form(admin, f"/admin/users/{user.id}/sign-out-everywhere", {})


ENDINGS = {
    "own password change": (lambda app, admin, user, here: change_own_password(here), "Your password was changed"),
    "admin password reset": (
        lambda app, admin, user, here: admin_reset(admin, user),
        "An administrator set a new password for you",
    ),
    "admin sign out everywhere": (
        lambda app, admin, user, here: admin_sign_out(admin, user),
        "You were signed out everywhere",
    ),
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_tokens_and_other_sessions_end_and_the_owner_is_told(app, client, admin, owner, ending):
    act, subject = ENDINGS[ending]
    tokens = [token_for(owner, "laptop"), token_for(owner, "server")]
    others_token = token_for(factories.user("isp", email="bystander@example.org"))
    here, elsewhere = app.test_client(user=owner), remembered_browser(app, owner)
    assert all(Api(client, token=t).get("/tokens").status_code == 200 for t in tokens)

    response = act(app, admin, owner, here)
    assert response.status_code == 302

    for token in tokens:
        answer = Api(client, token=token).get("/tokens")
        assert answer.status_code == 401 and answer.is_json
    assert not ApiToken.select().where(ApiToken.user == owner.id).exists()
    assert Api(client, token=others_token).get("/tokens").status_code == 200  # nobody else's
    assert not signed_in(elsewhere)
    assert not signed_in(copy_of(app, elsewhere, [REMEMBER]))
    # the owner is told: by mail always, and on the page when it was their own doing
    mails = list(OutboxMessage.select().where(OutboxMessage.to_email == owner.email))
    assert [m.subject for m in mails] == [f"{subject} (Engagement Tracker)"]
    assert "2 API tokens revoked" in mails[0].body
    if ending == "own password change":
        page = here.get("/account/")
        assert page.status_code == 200  # this browser stays signed in
        assert "every other browser and device has been signed out, and 2 API tokens revoked" in page.get_data(
            as_text=True
        )
    else:
        assert not signed_in(here)
        page = admin.get("/admin/users").get_data(as_text=True)
        assert "Every session of theirs has ended (2 API tokens revoked), and they were told by email." in page


def test_an_admin_reset_clears_the_sign_in_lock(app, admin, owner):
    browser = app.test_client()
    for _ in range(5):
        post_form(browser, "/login", {"email": owner.email, "password": "a wrong guess entirely"})
    locked = post_form(browser, "/login", {"email": owner.email, "password": factories.PASSWORD})
    assert locked.status_code == 429 and "ask an administrator to reset your password" in locked.get_data(as_text=True)
    assert admin_reset(admin, owner).status_code == 302
    assert not SignInAttempt.select().where(SignInAttempt.email == owner.email).exists()
    assert post_form(browser, "/login", {"email": owner.email, "password": NEW_PASSWORD}).status_code == 302
    assert signed_in(browser)


def test_a_refused_reset_ends_nothing(app, client, admin, owner):
    token = token_for(owner)
    before = User.get_by_id(owner.id)
    response = post_form(admin, f"/admin/users/{owner.id}/password", {"password": "password1234"})
    assert response.status_code == 400
    after = User.get_by_id(owner.id)
    assert (after.password_hash, after.session_token) == (before.password_hash, before.session_token)
    assert Api(client, token=token).get("/tokens").status_code == 200
    assert OutboxMessage.select().count() == 0
