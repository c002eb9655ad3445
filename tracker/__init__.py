"""The Engagement Tracker: the system of record for implementation support."""

import os
import secrets
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "dev"


def _write_instance_config(instance_path):
    """On first run, create instance/config.py with a random SECRET_KEY (kept out of git)."""
    path = Path(instance_path) / "config.py"
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"# Created on first run. Keep this file out of version control.\nSECRET_KEY = {secrets.token_hex(32)!r}\n",
        encoding="utf-8",
    )
    os.chmod(path, 0o600)


def create_app(test_config=None):
    """Build the app. Config layers, later ones winning: defaults, instance/config.py,
    TRACKER_* environment variables (and DATABASE_URL), then `test_config`."""
    instance_path = os.environ.get("TRACKER_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(
        SECRET_KEY=DEFAULT_SECRET,
        DATABASE_URL="sqlite:///" + os.path.join(instance_path, "tracker.sqlite3"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,  # set TRACKER_SESSION_COOKIE_SECURE=true behind HTTPS
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PER_PAGE=25,
        SIGNIN_MAX_FAILURES_ACCOUNT=5,  # failed sign-ins per account within SIGNIN_LOCK_MINUTES
        SIGNIN_MAX_FAILURES_ADDRESS=20,  # per client address (a shared office has several people)
        SIGNIN_LOCK_MINUTES=15,
        DATE_FORMAT="d_mon_y",  # a style of tracker.dates (a key of models.DATE_FORMATS)
    )
    if test_config is None:
        _write_instance_config(instance_path)
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("TRACKER")
        if os.environ.get("DATABASE_URL"):
            app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    else:
        app.config.from_mapping(test_config)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]

    if not (app.debug or app.testing) and app.config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET):
        raise RuntimeError(
            "SECRET_KEY is missing or left at its default: set it in instance/config.py or TRACKER_SECRET_KEY."
        )

    from . import auth, cli, db, mail, schema, security, views  # noqa: PLC0415 - loaded with the app, not with `import tracker`

    db.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    views.init_app(app)
    cli.init_app(app)
    mail.init_app(app)
    if test_config is None and app.config["DATABASE_URL"].startswith("sqlite"):
        schema.create_on_first_run()
    return app
