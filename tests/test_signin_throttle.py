"""Failed sign-ins are throttled per account and per address, in the database (so every worker and
app server sharing it agrees), with one message that does not tell unknown emails from wrong passwords."""

import datetime as dt

from tracker.models import SignInAttempt, User

from . import factories
from .conftest import post_form


def sign_in(client, email, password, address="10.0.0.1"):
    client.environ_base["REMOTE_ADDR"] = address
    return post_form(client, "/login", {"email": email, "password": password})


def test_five_failures_lock_the_account_even_for_the_right_password(app, client):
    user = factories.user("isp", email="locked@example.org")
    for _ in range(5):
        assert sign_in(client, user.email, "wrong password!").status_code == 401
    response = sign_in(client, user.email, factories.PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 minutes" in response.get_data(as_text=True)
    assert SignInAttempt.select().where(SignInAttempt.email == user.email).count() == 5
    assert client.get("/").status_code == 302  # still signed out


def test_the_lock_lifts_when_the_failures_age_out(app, client):
    user = factories.user("isp", email="later@example.org")
    for _ in range(5):
        sign_in(client, user.email, "wrong password!")
    for attempt in SignInAttempt.select():
        attempt.at -= dt.timedelta(minutes=16)
        attempt.save()
    assert sign_in(client, user.email, factories.PASSWORD).status_code == 302
    # a success clears the account's failures
    assert SignInAttempt.select().where(SignInAttempt.email == user.email).count() == 0


def test_unknown_email_and_wrong_password_look_the_same(app, client):
    factories.user("isp", email="known@example.org")
    unknown = sign_in(client, "nobody@example.org", "whatever password")
    wrong = sign_in(client, "known@example.org", "whatever password")
    assert unknown.status_code == wrong.status_code == 401
    message = "That email and password do not match an active account."
    assert message in unknown.get_data(as_text=True) and message in wrong.get_data(as_text=True)
    # unknown emails are throttled too, so probing cannot tell them apart by the lock either
    for _ in range(4):
        sign_in(client, "nobody@example.org", "whatever password")
    assert sign_in(client, "nobody@example.org", "whatever password").status_code == 429


def test_one_address_trying_many_accounts_is_throttled(app, client):
    users = [factories.user("isp") for _ in range(4)]
    for i in range(20):
        sign_in(client, users[i % 4].email, "wrong password!", address="192.0.2.7")
    blocked = sign_in(client, users[0].email, factories.PASSWORD, address="192.0.2.7")
    assert blocked.status_code == 429
    # the same account from another address is still locked only by its own count (5 each here)
    other = factories.user("isp", email="fresh@example.org")
    assert sign_in(client, other.email, factories.PASSWORD, address="198.51.100.1").status_code == 302


def test_the_session_changes_on_sign_in(app, client):
    user = factories.user("isp", email="rotate@example.org")
    client.get("/login")
    with client.session_transaction() as sess:
        sess["left_over"] = "from before"
    assert sign_in(client, user.email, factories.PASSWORD).status_code == 302
    with client.session_transaction() as sess:
        assert "left_over" not in sess
        assert sess["_user_id"] == User.get_by_id(user.id).session_token
