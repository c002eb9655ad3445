"""Sign-in: flask-login wiring, role decorators and safe redirects. Who may see what is in policy.py."""

import datetime as dt
from urllib.parse import urlsplit

from flask import current_app, has_request_context, jsonify, redirect, request, url_for
from flask_login import LoginManager, current_user
from werkzeug.security import check_password_hash, generate_password_hash

from .audit import set_actor_provider
from .db import database
from .models import SignInAttempt, User, utcnow

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


def init_app(app):
    login_manager.init_app(app)
    set_actor_provider(signed_in_user_id)


def signed_in_user_id():
    """Who the audit log records as acting: the signed-in user of the request (session or API token),
    or None outside a request and for anonymous visitors."""
    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return None


_token_user = None  # the API's bearer-token loader (request -> user or None), registered by tracker.api


def token_loader(loader):
    """Register the API's bearer-token loader as flask-login's request_loader. The API answers to tokens
    only: on its requests a browser session or remember-me cookie resolves to the token's user too."""
    global _token_user
    _token_user = loader
    return login_manager.request_loader(loader)


@login_manager.user_loader
def load_user(session_token):
    if request.blueprint == "api":
        return _token_user(request) if _token_user else None
    # The session holds the user's session token, not the id: rotating it signs them out everywhere.
    return User.select().where((User.session_token == session_token) & User.is_active).first()


def wants_json():
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


@login_manager.unauthorized_handler
def unauthorized():
    if wants_json():
        return jsonify(error={"code": "unauthorized", "message": "Sign in first.", "fields": {}}), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def safe_next(target, default="home.index"):
    """Only same-site relative paths are followed after sign-in; anything else goes home."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for(default)


# --- sign-in: one answer for unknown email and wrong password, throttled in the database ---------

BAD_CREDENTIALS = "That email and password do not match an active account."


class SignInRefused(Exception):
    """A sign-in that failed: str() is the message for the person, `status` the HTTP answer."""

    status = 401


class SignInThrottled(SignInRefused):
    """Too many recent failures for the account or the address: wait before trying again."""

    status = 429


# A hash to check against when the email is unknown, so both failures take about the same time.
_DUMMY_HASH = None


def _dummy_hash():
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = generate_password_hash("not a real password")
    return _DUMMY_HASH


def throttled_for(email, address, now=None):
    """Minutes until sign-in may be tried again for this account or address (0: go ahead)."""
    now = now or utcnow()
    window = dt.timedelta(minutes=current_app.config["SIGNIN_LOCK_MINUTES"])
    since = now - window
    recent = SignInAttempt.select().where(SignInAttempt.at >= since)
    checks = (
        (recent.where(SignInAttempt.email == email), current_app.config["SIGNIN_MAX_FAILURES_ACCOUNT"]),
        (recent.where(SignInAttempt.address == address), current_app.config["SIGNIN_MAX_FAILURES_ADDRESS"]),
    )
    wait = 0
    for query, limit in checks:
        failures = list(query.order_by(SignInAttempt.at.desc()).limit(limit))
        if len(failures) >= limit:
            unlock = failures[-1].at + window  # the oldest of the last `limit` failures ages out
            wait = max(wait, -(-int((unlock - now).total_seconds()) // 60))
    return wait


def authenticate(email, password, address):
    """The user on success; SignInRefused (SignInThrottled when throttled) otherwise. Failures are
    recorded for throttling."""
    email = (email or "").strip().lower()[:254]
    address = (address or "unknown")[:64]
    wait = throttled_for(email, address)
    if wait:
        raise SignInThrottled(
            f"Too many failed sign-ins. Try again in {wait} minute{'s' if wait != 1 else ''}, "
            "or ask an administrator to reset your password."
        )
    user = User.select().where(User.email == email).first()
    if user is None:
        check_password_hash(_dummy_hash(), password)  # same work as for a real account
    elif user.is_active and user.check_password(password):
        with database.atomic():
            SignInAttempt.delete().where(SignInAttempt.email == email).execute()
        return user
    with database.atomic():
        SignInAttempt.create(email=email, address=address)
    raise SignInRefused(BAD_CREDENTIALS)
