"""Sign-in: flask-login wiring, role decorators and safe redirects. Who may see what is in policy.py."""

import datetime as dt
from urllib.parse import urlsplit

from flask import current_app, has_request_context, jsonify, redirect, request, url_for
from flask_login import LoginManager, current_user

from .audit import set_actor_provider
from .models import SignInAttempt, User

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


# --- sign-in: one path for the sign-in page, the API's token endpoint and the password check -------

BAD_CREDENTIALS = "That email and password do not match an active account."


class SignInRefused(Exception):
    """A sign-in that failed: str() is the message for the person, `status` the HTTP answer and
    `headers` the HTTP headers that go with it."""

    status = 401
    headers = {}


class SignInThrottled(SignInRefused):
    """Too many recent failures for the account or the address: wait `retry_after` seconds."""

    status = 429

    def __init__(self, retry_after):
        minutes = -(-retry_after // 60)
        self.wait_words = f"{minutes} minute{'s' if minutes != 1 else ''}"
        super().__init__(
            f"Too many failed sign-ins. Try again in {self.wait_words}, or ask an administrator to reset your password."
        )
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


def authenticate(email, password, address):
    """The user on success; SignInRefused (SignInThrottled when throttled) otherwise.

    The one sign-in path (the sign-in page, POST /api/v1/tokens, the current password on the account
    page): the attempt is recorded as a failure before the password is checked, counted in the same
    locking transaction (SignInAttempt.reserve), and forgotten on success. An unknown email, a
    deactivated account and a wrong password do the same hashing work and get the same answer."""
    email = (email or "").strip().lower()[:254]
    address = (address or "unknown")[:64]
    config = current_app.config
    wait = SignInAttempt.reserve(
        email,
        address,
        config["SIGNIN_MAX_FAILURES_ACCOUNT"],
        config["SIGNIN_MAX_FAILURES_ADDRESS"],
        dt.timedelta(minutes=config["SIGNIN_LOCK_MINUTES"]),
    )
    if wait:
        raise SignInThrottled(retry_after=wait)
    user = User.select().where(User.email == email).first()
    matches = (user or User()).check_password(password)  # an unknown email checks the dummy hash
    if user is not None and user.is_active and matches:
        SignInAttempt.clear(email)
        return user
    raise SignInRefused(BAD_CREDENTIALS)
