"""Issue 16, authentication: each attack seen replayed, and now refused.

- POST /api/v1/tokens recorded no failure: 40 wrong passwords, then the right one got a token; a
  locked account or address still got tokens. Now both doors share auth.authenticate: one throttle,
  one lock, 429 with Retry-After on both.
- 16 parallel wrong sign-ins were counted as 6 failures: now the failure is recorded (counted under a
  lock) before the password is checked, so no more than the limit get to check a password.
- Timing told who has an account (unknown email ~9 ms, wrong password ~400 ms; a deactivated account
  ~34 ms): now each does the same hashing work, shown by counting the hash checks.
- The password policy was length only (`password1234` and the user's own email passed): now a
  strength estimate on every path that sets a password.
"""

import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.security import check_password_hash

from tracker.models import ApiToken, SignInAttempt, User
from tracker.models import people as people_model
from tracker.models.people import OWN_DETAILS_PASSWORD, WEAK_PASSWORD, dummy_password_hash
from tracker.services import admin as admin_service

from . import factories
from .api_helpers import Api
from .conftest import csrf_token, field_error, post_form

WRONG = "not the password at all"
LOCKED = "Too many failed sign-ins."


def api_sign_in(client, email, password, address="10.0.0.1"):
    client.environ_base["REMOTE_ADDR"] = address
    return Api(client).post("/tokens", {"email": email, "password": password})


def page_sign_in(client, email, password, address="10.0.0.1"):
    client.environ_base["REMOTE_ADDR"] = address
    return post_form(client, "/login", {"email": email, "password": password})


DOORS = {"api": api_sign_in, "page": page_sign_in}


@pytest.fixture
def isp(app):
    return factories.user("isp", email="door@example.org", name="Dora Door")


def assert_throttled(response):
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 15 * 60
    if response.is_json:
        assert response.get_json()["error"]["code"] == "too_many_requests"
        assert response.get_json()["error"]["message"].startswith(LOCKED)
    else:
        assert LOCKED in response.get_data(as_text=True)


# --- one throttle for both doors ---------------------------------------------------------------------


@pytest.mark.parametrize("first, then", [("api", "api"), ("api", "page"), ("page", "api")])
def test_failures_at_either_door_lock_both(client, isp, first, then):
    """The attack: wrong passwords at the token endpoint were never counted, and a lock from /login did
    not stop the token endpoint. Five failures at either door now lock the account at both."""
    for _ in range(5):
        assert DOORS[first](client, isp.email, WRONG).status_code == 401
    assert SignInAttempt.select().where(SignInAttempt.email == isp.email).count() == 5
    assert_throttled(DOORS[then](client, isp.email, factories.PASSWORD))  # even the right password waits
    assert ApiToken.select().count() == 0


def test_forty_wrong_tokens_then_the_right_one_gets_no_token(client, isp):
    """The replay of "40 wrong passwords in 10 s all answered 401, then the right one got a token"."""
    answers = [api_sign_in(client, isp.email, f"{WRONG} {i}").status_code for i in range(40)]
    assert answers == [401] * 5 + [429] * 35
    assert_throttled(api_sign_in(client, isp.email, factories.PASSWORD))
    assert ApiToken.select().count() == 0
    assert SignInAttempt.select().count() == 5  # refused attempts check no password and record nothing


@pytest.mark.parametrize("door", DOORS)
def test_a_locked_address_gets_no_token_nor_session(app, client, door):
    app.config["SIGNIN_MAX_FAILURES_ADDRESS"] = 4  # the address limit, small to keep the test fast
    people = [factories.user("isp") for _ in range(4)]
    for person in people:
        assert DOORS[door](client, person.email, WRONG, address="192.0.2.9").status_code == 401
    other = factories.user("isp", email="other@example.org")
    for check in DOORS.values():
        assert_throttled(check(client, other.email, factories.PASSWORD, address="192.0.2.9"))
    assert api_sign_in(client, other.email, factories.PASSWORD, address="198.51.100.4").status_code == 201


def test_the_token_endpoint_answers_the_sign_in_pages_message(client, isp):
    response = api_sign_in(client, isp.email, WRONG)
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "That email and password do not match an active account."


# --- parallel failures are counted, and refused after five -------------------------------------------


def _in_parallel(app, door, email, count):
    """`count` wrong attempts released at once from separate clients; their status codes."""
    clients = [app.test_client() for _ in range(count)]
    if door == "page":
        tokens = [csrf_token(c) for c in clients]
    start = threading.Barrier(count)
    codes = [None] * count

    def attempt(i):
        client = clients[i]
        client.environ_base["REMOTE_ADDR"] = f"10.1.0.{i}"
        start.wait()
        if door == "api":
            codes[i] = Api(client).post("/tokens", {"email": email, "password": WRONG}).status_code
        else:
            data = {"email": email, "password": WRONG, "csrf_token": tokens[i]}
            codes[i] = client.post("/login", data=data).status_code

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


@pytest.mark.parametrize("door", DOORS)
def test_sixteen_parallel_wrong_sign_ins_are_refused_after_five(app, isp, door, monkeypatch):
    checks = []
    real_check = people_model.check_password_hash
    monkeypatch.setattr(people_model, "check_password_hash", lambda h, p: checks.append(1) or real_check(h, p))
    codes = _in_parallel(app, door, isp.email, 16)
    assert sorted(codes) == [401] * 5 + [429] * 11
    assert len(checks) == 5  # only five passwords were ever checked
    assert SignInAttempt.select().where(SignInAttempt.email == isp.email).count() == 5
    assert_throttled(api_sign_in(app.test_client(), isp.email, factories.PASSWORD, address="10.2.0.1"))


# --- the same work whether or not the account exists --------------------------------------------------


@pytest.fixture
def hash_checks(monkeypatch):
    """The password-hash verifications of the model layer, recorded as the hashes they checked."""
    checked = []
    real_check = people_model.check_password_hash
    monkeypatch.setattr(people_model, "check_password_hash", lambda h, p: checked.append(h) or real_check(h, p))
    return checked


@pytest.mark.parametrize("door", DOORS)
def test_unknown_deactivated_and_wrong_password_do_the_same_work(app, client, isp, hash_checks, door):
    gone = factories.user("isp", email="gone@example.org", is_active=False)
    no_password = factories.user("isp", email="nopass@example.org")
    User.update(password_hash="").where(User.id == no_password.id).execute()
    dummy_password_hash()  # computed once per process, before any attempt
    attempts = {
        "unknown email": ("ghost@example.org", factories.PASSWORD),
        "deactivated, right password": (gone.email, factories.PASSWORD),
        "deactivated, wrong password": (gone.email, WRONG),
        "no password set": (no_password.email, factories.PASSWORD),
        "wrong password": (isp.email, WRONG),
    }
    answers = {}
    for i, (what, (email, password)) in enumerate(attempts.items()):
        hash_checks.clear()
        response = DOORS[door](client, email, password, address=f"10.3.0.{i}")
        assert len(hash_checks) == 1, what  # one verification each, never a short cut
        algorithm = hash_checks[0].split("$")[0]
        assert algorithm == isp.password_hash.split("$")[0], what  # with the real hashes' cost
        answers[what] = (response.status_code, response.get_data(as_text=True) if door == "api" else None)
        if door == "page":
            assert field_error(response.get_data(as_text=True), "email") is None
            assert "That email and password do not match an active account." in response.get_data(as_text=True)
    assert len(set(answers.values())) == 1 and answers["wrong password"][0] == 401  # one answer for all
    hash_checks.clear()
    assert DOORS[door](client, isp.email, factories.PASSWORD, address="10.3.1.1").status_code in (201, 302)
    assert len(hash_checks) == 1


def test_the_dummy_hash_is_computed_once(app, client, monkeypatch):
    dummy_password_hash()
    made = []
    monkeypatch.setattr(people_model, "generate_password_hash", lambda *a, **k: made.append(1))
    for i in range(3):
        api_sign_in(client, f"ghost{i}@example.org", WRONG)
    assert made == []
    assert check_password_hash(dummy_password_hash(), WRONG) is False


# --- the password policy: strength, on every path -------------------------------------------------------

# (password, message) for a person named "Nia Newcomb" with the email nia.newcomb@example.org
WEAK = {
    "common": ("password1234", WEAK_PASSWORD),
    "keyboard walk": ("qwertyuiop123", WEAK_PASSWORD),
    "own email": ("nia.newcomb@example.org", OWN_DETAILS_PASSWORD),
    "own name": ("NiaNewcomb2026", OWN_DETAILS_PASSWORD),
    "repeated": ("aaaaaaaaaaaaaaaa", WEAK_PASSWORD),
}
STRONG = "Lantern-orbit kestrel 47"
NIA = {"email": "nia.newcomb@example.org", "name": "Nia Newcomb"}


@pytest.fixture
def nia(app):
    return factories.user("isp", email=NIA["email"], name=NIA["name"])


def _admin(app):
    return app.test_client(user=factories.user("admin", email="root@example.org", name="Root Admin"))


def _starts(message):
    return lambda text: text is not None and text.startswith(message)


@pytest.mark.parametrize("case", WEAK)
def test_the_model_refuses_weak_common_and_own_details(app, case):
    password, message = WEAK[case]
    problem = User(**NIA).password_problems(password)
    assert _starts(message)(problem.get("password")), problem
    assert User(**NIA).password_problems(STRONG) == {}


def test_a_common_password_is_told_why(app):
    assert "common password" in User(**NIA).password_problems("password1234")["password"]


@pytest.mark.parametrize("case", ["common", "own email", "own name"])
def test_every_path_refuses_a_weak_password_and_writes_nothing(app, runner, nia, case):
    password, message = WEAK[case]
    admin = _admin(app)
    before = (nia.password_hash, nia.session_token, User.select().count())

    # a set-password link (an invitation, or a reset link as here: the same page)
    with app.test_request_context():
        link = urlsplit(admin_service.send_invitation(nia, None).url).path
    response = post_form(app.test_client(), link, {"new_password": password, "confirm_password": password})
    assert response.status_code == 400
    assert _starts(message)(field_error(response.get_data(as_text=True), "new_password"))
    # (named and addressed like Nia, so her details are the new user's)
    new = {"email": "nia.n@example.org", "name": "Nia Newcomb", "role": "isp", "password": password}
    # the admin area: a password reset
    response = post_form(admin, f"/admin/users/{nia.id}/password", {"password": password})
    assert response.status_code == 400 and _starts(message)(field_error(response.get_data(as_text=True), "password"))
    # her own account page
    mine = app.test_client(user=nia)
    response = post_form(
        mine,
        "/account/password",
        {"current_password": factories.PASSWORD, "new_password": password, "confirm_password": password},
        token_from="/account/",
    )
    assert response.status_code == 400
    assert _starts(message)(field_error(response.get_data(as_text=True), "new_password"))
    # the API
    api = Api(app.test_client(), User.get(User.email == "root@example.org"))
    response = api.post("/users", new)
    assert response.status_code == 400 and _starts(message)(response.get_json()["error"]["fields"]["password"])
    # the command line
    result = runner.invoke(
        args=["create-user", new["email"], "--name", new["name"], "--role", "isp", "--password", password]
    )
    assert result.exit_code != 0 and message.split(":")[0].split(".")[0] in result.output

    after = User.get_by_id(nia.id)
    assert (after.password_hash, after.session_token, User.select().count()) == before
    assert not User.select().where(User.email == new["email"]).exists()


def test_a_strong_password_passes_every_path(app, runner, nia):
    admin = _admin(app)
    assert post_form(admin, f"/admin/users/{nia.id}/password", {"password": STRONG}).status_code == 302
    result = runner.invoke(
        args=["create-user", "kit@example.org", "--name", "Kit", "--role", "isp", "--password", STRONG]
    )
    assert result.exit_code == 0, result.output
    assert User.get(User.email == "kit@example.org").check_password(STRONG)
