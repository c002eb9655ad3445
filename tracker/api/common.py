"""What every API route shares: the blueprint, bearer-token sign-in, the one error envelope, body and
query parsing, paging. The route modules import from here; the package imports them (no cycle)."""

import datetime as dt
import hashlib
import secrets

from flask import Blueprint, g, jsonify, request
from flask_login import current_user

from ..auth import token_loader
from ..models import ApiToken, User, ValidationError, utcnow

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 100
MAX_DEPTH = 20  # objects and lists inside each other in a JSON body; no resource needs more than 3
# Routes that need no token.
PUBLIC_ENDPOINTS = {"api.create_token", "api.openapi", "api.feedback_questions", "api.answer_feedback"}
# Routes whose body is a file (multipart/form-data), not JSON: operation(upload=True) names them.
UPLOADS = set()


class ApiError(Exception):
    def __init__(self, status, message, fields=None, code=None, extra=None, headers=None):
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields or {}
        self.extra = extra or {}  # more members of the error object (a stale edit's current record)
        self.headers = headers or {}  # HTTP headers of the answer (Retry-After of a 429)
        self.code = code or {
            400: "bad_request",
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            409: "conflict",
            412: "precondition_failed",
            415: "unsupported_media_type",
            422: "unprocessable_entity",
            429: "too_many_requests",
        }.get(status, "error")


def error(status, message, fields=None):
    raise ApiError(status, message, fields)


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(user, name=""):
    """Create a token for `user`; returns (row, token). Only the hash is stored."""
    token = secrets.token_urlsafe(32)
    row = ApiToken.create(user=user, name=(name or "")[:100], token_hash=hash_token(token))
    return row, token


def _bearer_token():
    """The token row of the request's `Authorization: Bearer` header (with its active user), or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return (
        ApiToken.select(ApiToken, User)
        .join(User)
        .where((ApiToken.token_hash == hash_token(token)) & User.is_active)
        .first()
    )


@token_loader
def load_token_user(request):
    """flask-login's current_user on API requests: the user of the bearer token (pages never accept one).

    A browser session does not count on the API (auth.load_user answers with this there too), so an API
    request is the token's caller or anonymous. Nothing is written to the session: no cookie is set."""
    g.api_token = None
    if request.blueprint != bp.name:
        return None
    row = _bearer_token()
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        ApiToken.update(last_used_at=now).where(ApiToken.id == row.id).execute()
    g.api_token = row
    return row.user


def caller():
    """The user whose token signed this request (the policy and the audit log see the same user)."""
    return current_user._get_current_object()


@bp.before_request
def authenticate():
    """Bodies are bounded by MAX_CONTENT_LENGTH (413), ids by the route converter (404) and NUL in the
    query by create_app (400); what is left here is the token."""
    if not current_user.is_authenticated and request.endpoint not in PUBLIC_ENDPOINTS:
        error(401, "Send a valid token: Authorization: Bearer <token>.")


@bp.after_request
def api_headers(response):
    """A 401 says which scheme to use (RFC 6750). (Cache-Control: no-store is tracker.security's.)"""
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


@bp.errorhandler(ApiError)
def api_error(exc):
    return (
        jsonify(error={"code": exc.code, "message": exc.message, "fields": exc.fields, **exc.extra}),
        exc.status,
        exc.headers,
    )


@bp.errorhandler(ValidationError)
def validation_error(exc):
    return jsonify(
        error={"code": "validation_error", "message": "Some fields are not valid.", "fields": exc.errors}
    ), 400


# HTTP errors (404, 405, 413 ...), storage faults (503) and anything unexpected (500) are answered by the
# app's handlers (views/__init__.py), which give API paths the same JSON envelope.


# --- helpers shared by the resource modules ------------------------------------------------------


def body():
    """The JSON object of the request, or 400: not JSON, nested deeper than MAX_DEPTH, or a string
    (key or value) holding NUL or a lone surrogate such as \\ud800 (neither can be stored)."""
    try:
        data = request.get_json(silent=True, force=True)  # at most MAX_CONTENT_LENGTH bytes, else 413
    except RecursionError:  # the parser gave up on nesting far beyond MAX_DEPTH
        error(400, f"The JSON body is nested too deeply (at most {MAX_DEPTH} levels).")
    if not isinstance(data, dict):
        error(400, "Send a JSON object as the request body (Content-Type: application/json).")
    _check_strings(data)
    return data


def _check_strings(data):
    """400 naming the top-level field of the first string that cannot be stored, or of nesting deeper
    than MAX_DEPTH. Walks the parsed body without recursion."""
    stack = [(None, data, 1)]
    while stack:
        field, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            error(
                400, f"The JSON body is nested too deeply (at most {MAX_DEPTH} levels).", {field: "Nested too deeply."}
            )
        if isinstance(value, dict):
            for key, item in value.items():
                name = field if field is not None else key
                _check_text(name, key)
                stack.append((name, item, depth + 1))
        elif isinstance(value, list):
            stack.extend((field, item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_text(field, value)


def _check_text(field, text):
    if "\x00" in text:
        error(400, f"{field} must not contain NUL characters.", {field: "Must not contain NUL characters."})
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        error(
            400,
            f"{field} holds a lone surrogate (such as \\ud800), which is not text.",
            {field: "Must be valid Unicode text (no lone surrogates)."},
        )


def require(rule, message="Your role may not do this."):
    """403 unless the policy `rule` (a tracker.policy function of the user) allows the token's user."""
    if not rule(current_user):
        error(403, message)
