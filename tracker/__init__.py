"""The Engagement Tracker: the system of record for implementation support."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, request
from werkzeug.exceptions import SecurityError
from werkzeug.routing import IntegerConverter

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "dev"
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database: a larger one names nothing
MAX_CONTENT_LENGTH = 1024 * 1024  # a request body (form or JSON), counted on chunked bodies too


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: 1 to 18 ASCII digits, so a 20-digit id matches no route and is a 404
    for every method (never an OverflowError in the database driver); a long id within 64 bits simply
    names no row. Registered as "int" before any route is added."""

    regex = r"[0-9]{1,18}"


def _bound_chunked_body():
    """A body without Content-Length (chunked) is cut by werkzeug at MAX_CONTENT_LENGTH, and what was
    read would be handed on as if it were whole. Read it here (at most the limit: memory stays bounded)
    and answer 413 when it reached the limit, so no view ever sees a cut body."""
    if request.content_length is None and request.environ.get("wsgi.input_terminated"):
        request.get_data(cache=True)  # form and JSON parsing read this cached copy
        if getattr(request.stream, "is_exhausted", False):
            abort(413)


def _refuse_nul():
    """NUL cannot be stored (PostgreSQL refuses it in text): a 400 naming the field, before any view runs."""
    for source, values in (("address", request.args), ("form", request.form)):
        for name, value in values.items(multi=True):
            name, value = name or "", value or ""  # a multipart part may come without a name
            if "\x00" in value or "\x00" in name:
                abort(400, description=f"The {source} field “{name.replace(chr(0), '')}” contains a NUL character.")


def _untrusted_host(exc):
    """A Host outside TRUSTED_HOSTS: a plain 400 (no page: its links would need the refused host)."""
    return exc.description, 400, {"Content-Type": "text/plain; charset=utf-8"}


def _check_base_url(app):
    """Links in mail and on pages are built from BASE_URL (TRACKER_BASE_URL), never from the request's
    Host header. Sending mail outside debug and testing needs it."""
    base = app.config.get("BASE_URL") or ""
    if base:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise RuntimeError(
                f"TRACKER_BASE_URL must be an http(s) address such as https://tracker.example.org, not {base!r}."
            )
    elif app.config.get("MAIL_SERVER") and not (app.debug or app.testing):
        raise RuntimeError(
            "TRACKER_BASE_URL is not set: mail links need the tracker's public address "
            "(for example TRACKER_BASE_URL=https://tracker.example.org)."
        )


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
        COST_CURRENCY="USD",  # the one currency label of hourly rates and costs (reports/cost.py)
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,  # larger bodies answer 413, chunked ones included
        BASE_URL="",  # the public address links are built from (TRACKER_BASE_URL); required to send mail
        ATTACHMENT_MAX_BYTES=10 * 1024 * 1024,  # the largest attachment; its upload route alone accepts it
        ATTACHMENT_TYPES=None,  # {extension: MIME type} accepted (None: services/attachments.py DEFAULT_TYPES)
        ATTACHMENT_STORAGE="local",  # or "package.module:Class", a backend built with the config
        ATTACHMENT_DIR=None,  # where the local backend keeps the files (None: instance/attachments)
        COVERAGE_DAYS=90,  # the portfolio's coverage: a unit with no meeting or activity for longer is listed
        TRUSTED_HOSTS=None,  # optionally the Host names served (TRACKER_TRUSTED_HOSTS='["tracker.example.org"]')
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
    _check_base_url(app)
    app.url_map.converters["int"] = IdConverter  # before the blueprints add their routes
    app.before_request(_bound_chunked_body)
    app.before_request(_refuse_nul)
    app.register_error_handler(SecurityError, _untrusted_host)

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
