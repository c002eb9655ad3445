"""The application factory and its configuration layers.

Layers, later ones winning: defaults, instance/config.py, TRACKER_* environment variables (and
DATABASE_URL), then `test_config`. These tests never touch the real instance/ folder: every app
built from the environment gets TRACKER_INSTANCE_PATH and DATABASE_URL under tmp_path.
"""

import os
import re
import stat

import pytest

from tracker import DEFAULT_SECRET, create_app
from tracker.db import database

from . import factories
from .conftest import PG_URL, SECRET, _reset_postgres, post_form

REAL_KEY = "a-real-secret-key-that-is-not-the-default-0123456789"


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment: no TRACKER_* or DATABASE_URL from outside, instance folder under tmp_path."""
    for name in list(os.environ):
        if name.startswith("TRACKER_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    instance = tmp_path / "instance"
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    return instance


def write_instance_config(instance, text):
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "config.py").write_text(text, encoding="utf-8")


# --- defaults ---------------------------------------------------------------------------------


def test_defaults(env):
    app = create_app({"TESTING": True})
    assert app.config["SECRET_KEY"] == DEFAULT_SECRET  # allowed only because TESTING is on
    assert app.config["PER_PAGE"] == 25
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is False
    assert app.instance_path == str(env)


def test_default_database_is_sqlite_in_the_instance_folder(env, monkeypatch):
    monkeypatch.delenv("DATABASE_URL")
    write_instance_config(env, f"SECRET_KEY = {REAL_KEY!r}\n")
    app = create_app()
    assert app.config["DATABASE_URL"] == "sqlite:///" + os.path.join(str(env), "tracker.sqlite3")


# --- layers -----------------------------------------------------------------------------------


def test_instance_config_overrides_defaults(env):
    write_instance_config(env, f"SECRET_KEY = {REAL_KEY!r}\nPER_PAGE = 10\nDATE_FORMAT = '%Y-%m-%d'\n")
    app = create_app()
    assert app.config["SECRET_KEY"] == REAL_KEY
    assert app.config["PER_PAGE"] == 10
    assert app.config["DATE_FORMAT"] == "%Y-%m-%d"


def test_environment_overrides_instance_config(env, monkeypatch):
    write_instance_config(env, f"SECRET_KEY = {REAL_KEY!r}\nPER_PAGE = 10\n")
    monkeypatch.setenv("TRACKER_PER_PAGE", "7")
    monkeypatch.setenv("TRACKER_SECRET_KEY", "key-from-the-environment")
    app = create_app()
    assert app.config["PER_PAGE"] == 7
    assert isinstance(app.config["PER_PAGE"], int)  # parsed, not the string "7"
    assert app.config["SECRET_KEY"] == "key-from-the-environment"


def test_database_url_environment_selects_the_database(env, monkeypatch, tmp_path):
    write_instance_config(env, f"SECRET_KEY = {REAL_KEY!r}\nDATABASE_URL = 'sqlite:///ignored.sqlite3'\n")
    url = f"sqlite:///{tmp_path / 'chosen.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    app = create_app()
    assert app.config["DATABASE_URL"] == url
    assert app.extensions["peewee"].database == str(tmp_path / "chosen.sqlite3")


def test_test_config_wins_over_instance_and_environment(env, monkeypatch, tmp_path):
    write_instance_config(env, f"SECRET_KEY = {REAL_KEY!r}\nPER_PAGE = 10\n")
    monkeypatch.setenv("TRACKER_PER_PAGE", "7")
    url = f"sqlite:///{tmp_path / 'test-config.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "PER_PAGE": 3, "DATABASE_URL": url})
    assert app.config["PER_PAGE"] == 3
    assert app.config["SECRET_KEY"] == SECRET
    assert app.config["DATABASE_URL"] == url


def test_test_config_does_not_write_an_instance_config(env):
    create_app({"TESTING": True})
    assert not (env / "config.py").exists()


# --- the secret key ---------------------------------------------------------------------------


def test_first_run_writes_a_random_secret_key_and_keeps_it(env):
    assert not (env / "config.py").exists()
    first = create_app()
    path = env / "config.py"
    assert path.exists()
    key = first.config["SECRET_KEY"]
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert key in path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    second = create_app()
    assert second.config["SECRET_KEY"] == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_each_installation_gets_its_own_key(env, monkeypatch, tmp_path):
    key_one = create_app().config["SECRET_KEY"]
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "other-instance"))
    key_two = create_app().config["SECRET_KEY"]
    assert key_one != key_two


def test_refuses_to_start_in_production_with_the_default_key(env):
    write_instance_config(env, "SECRET_KEY = 'dev'\n")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_refuses_to_start_with_the_default_key_from_the_environment(env, monkeypatch):
    write_instance_config(env, f"SECRET_KEY = {REAL_KEY!r}\n")
    monkeypatch.setenv("TRACKER_SECRET_KEY", "dev")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_refuses_to_start_with_an_empty_key(env, monkeypatch):
    write_instance_config(env, "SECRET_KEY = ''\n")
    with pytest.raises(RuntimeError):
        create_app()


def test_starts_with_a_real_key(env):
    write_instance_config(env, f"SECRET_KEY = {REAL_KEY!r}\n")
    app = create_app()
    assert not app.debug and not app.testing
    assert app.config["SECRET_KEY"] == REAL_KEY


def test_default_key_is_allowed_in_debug(env, monkeypatch):
    write_instance_config(env, "SECRET_KEY = 'dev'\n")
    monkeypatch.setenv("TRACKER_DEBUG", "true")
    app = create_app()
    assert app.debug


# --- session cookie ---------------------------------------------------------------------------


def _session_cookie(response):
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return [part.strip() for part in cookies[0].split(";")]


def test_session_cookie_flags_after_sign_in(app, client):
    user = factories.user("isp", email="cookie@example.org")
    response = post_form(client, "/login", {"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    flags = _session_cookie(response)
    assert "HttpOnly" in flags
    assert "SameSite=Lax" in flags
    assert "Secure" not in flags


def test_session_cookie_secure_from_environment(env, monkeypatch, database_url):
    """TRACKER_SESSION_COOKIE_SECURE=true (behind HTTPS) marks the session and remember cookies Secure."""
    write_instance_config(env, f"SECRET_KEY = {REAL_KEY!r}\n")
    monkeypatch.setenv("TRACKER_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    database.connect(reuse_if_open=True)
    try:
        if PG_URL:
            _reset_postgres()
        user = factories.user("isp", email="secure@example.org")
        client = app.test_client()
        response = post_form(client, "/login", {"email": user.email, "password": factories.PASSWORD, "remember": "y"})
        assert response.status_code == 302
        flags = _session_cookie(response)
        assert {"Secure", "HttpOnly", "SameSite=Lax"} <= set(flags)
        remember = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
        assert remember and "Secure" in remember[0] and "HttpOnly" in remember[0]
    finally:
        if not database.is_closed():
            database.close()
