"""HTTP semantics every API route shares, in one place each (the routes know nothing of them):

- `Idempotency-Key` on POST: the first answer (2xx) is kept for IDEMPOTENCY_HOURS per token user; a
  repeat with the same key and the same request gets it again (status, body, Location) and writes
  nothing; the same key with another request is refused with 422; while the first is being answered,
  409 (a key left unanswered for ABANDONED is taken over by the retry). A refused first request (4xx,
  5xx) wrote nothing and keeps no key: a retry runs again.
- `ETag` on item answers (GET or PATCH of one record that has a `version`): `"<version>"`, strong.
  `If-Match` on PATCH and DELETE is compared inside the write's transaction (`check_if_match`, called
  by `resources.run`, the one write path) with the record the URL names, locked on PostgreSQL: no
  match (a stale or a made-up tag) is a 412 that writes nothing. The body's `version` keeps working.
- `Location` on every 201: the new resource's URL.
- 415 for a POST/PATCH/PUT body that is not JSON (an upload's: not multipart/form-data); 204 answers carry
  no Content-Type. An upload's body may be as large as an attachment (services/attachments.py), else 413.
(405 with `Allow` and 413 are the app's HTTP error handler's, views/__init__.py.)
"""

import datetime as dt
import hashlib
import json

from flask import current_app, g, request
from flask_login import current_user
from peewee import DatabaseError, IntegrityError

from ..db import database, is_sqlite
from ..models import (
    Attachment,
    Benchmark,
    ContextNote,
    Deliverable,
    Engagement,
    Goal,
    GoalStatusChange,
    IdempotencyKey,
    Meeting,
    StageEntry,
    SupportRequest,
    TeamMember,
    utcnow,
)
from ..services import attachments
from .common import UPLOADS, ApiError, bp

IDEMPOTENCY_HOURS = 24
MAX_KEY_LENGTH = 200
ABANDONED = dt.timedelta(minutes=2)  # a key still unanswered after this: its request died; a retry takes it over
WITH_BODY = ("POST", "PATCH", "PUT")
# The record an item URL names: its most specific id (a goal's history entry before the goal before the
# engagement). Records without a `version` have no ETag: only `If-Match: *` matches them.
ITEM_MODELS = (
    ("attachment_id", Attachment),
    ("change_id", GoalStatusChange),
    ("stage_entry_id", StageEntry),
    ("member_id", TeamMember),
    ("goal_id", Goal),
    ("meeting_id", Meeting),
    ("benchmark_id", Benchmark),
    ("deliverable_id", Deliverable),
    ("note_id", ContextNote),
    ("request_id", SupportRequest),
    ("engagement_id", Engagement),
)
# 201s whose new resource does not live under the request's path (else: the path + "/<id>").
LOCATIONS = {
    "api.accept_request": "/engagements/{id}",
    "api.create_modification": "/modifications/{id}",
    "api.add_plan_item": "/plan-items/{id}",
    "api.upload_meeting_attachment": "/attachments/{id}",
    "api.upload_deliverable_attachment": "/attachments/{id}",
}


def etag(version):
    return f'"{version}"'


@bp.before_request
def content_type():
    """A body that is not JSON is refused before anything reads it (it used to be parsed as JSON anyway).
    An empty body without a type goes on to the route, whose body() answers 400."""
    if request.endpoint in UPLOADS:
        return _upload_body()
    if request.method in WITH_BODY and not request.is_json and (request.content_length or request.mimetype):
        raise ApiError(
            415,
            "Send the body as JSON (Content-Type: application/json).",
            {"Content-Type": "Must be application/json."},
        )


def _upload_body():
    """An upload's body is multipart/form-data (else 415) and at most an attachment and its form (else
    413 with the attachment's own message, before the body is read). A smaller body whose file is still
    over the limit is refused by the service's check, as on the pages."""
    request.max_content_length = attachments.request_limit()
    if request.mimetype != "multipart/form-data":
        raise ApiError(
            415,
            "Send the file as multipart/form-data, in a part named file.",
            {"Content-Type": "Must be multipart/form-data."},
        )
    if (request.content_length or 0) > request.max_content_length:
        message = attachments.too_large_message()
        raise ApiError(413, message, {"file": message}, code="file_too_large")
    return None


@bp.before_request
def if_match():
    """Parse `If-Match` of a PATCH or DELETE (compared by check_if_match, inside the write)."""
    g.if_match = None
    header = request.headers.get("If-Match")
    if header is not None and request.method in ("PATCH", "DELETE"):
        g.if_match = {tag.strip() for tag in header.split(",") if tag.strip()}


def check_if_match():
    """412 unless the If-Match of this PATCH/DELETE names the current ETag of the record its URL names
    (or is `*`). Called inside the write's transaction after the route's access checks, so a caller
    who may not see the record gets its 404/403, never a 412; the row is locked on PostgreSQL until
    commit, so no other write slips in between the comparison and this one."""
    tags = g.get("if_match")
    if tags is None or request.method not in ("PATCH", "DELETE") or not request.view_args:
        return
    name, model = next(((n, m) for n, m in ITEM_MODELS if n in request.view_args), (None, None))
    if model is None:
        return
    query = model.select().where(model.id == request.view_args[name])
    if not is_sqlite():
        query = query.for_update()
    record = query.first()
    if record is None or "*" in tags:
        return
    version = getattr(record, "version", None)
    if version is None or etag(version) not in tags:
        raise ApiError(
            412,
            "The record changed since the version you sent in If-Match (or it has no such version): "
            "nothing was saved. Read it again and send its ETag.",
            {"If-Match": f"The current ETag is {etag(version)}." if version is not None else "No ETag matches."},
            code="precondition_failed",
            extra={"current_version": version},
            headers={"ETag": etag(version)} if version is not None else {},
        )


def _request_hash():
    """The request a key stands for: method, path and body (JSON compared as data, not as text)."""
    raw = request.get_data(cache=True)
    try:
        raw = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode("utf-8")
    except (ValueError, UnicodeDecodeError, RecursionError):
        pass
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), raw):
        digest.update(part + b"\x00")
    return digest.hexdigest()


@bp.before_request
def idempotency():
    """A POST with `Idempotency-Key`: claim the key (unique per user) or answer as the first time."""
    g.idempotency_key_id = None
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or key is None or not current_user.is_authenticated:
        return None  # tokens are created without a user to hold the key: no replay there
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ApiError(
            400,
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters.",
            {"Idempotency-Key": "Not a valid key."},
        )
    user_id, digest, now = current_user.id, _request_hash(), utcnow()
    IdempotencyKey.delete().where(
        (IdempotencyKey.user_id == user_id) & (IdempotencyKey.created_at < now - dt.timedelta(hours=IDEMPOTENCY_HOURS))
    ).execute()
    try:
        with database.atomic():
            g.idempotency_key_id = IdempotencyKey.insert(
                user_id=user_id, key=key, request_hash=digest, created_at=now
            ).execute()
        return None
    except IntegrityError:
        pass
    first = IdempotencyKey.get_or_none((IdempotencyKey.user_id == user_id) & (IdempotencyKey.key == key))
    if first is not None and first.request_hash != digest:
        raise ApiError(
            422,
            "This Idempotency-Key was used with a different request: use a new key for a new request.",
            {"Idempotency-Key": "Used with a different request."},
        )
    if first is not None and first.status is None and first.created_at < now - ABANDONED:
        claimed = (
            IdempotencyKey.update(created_at=now)
            .where(
                (IdempotencyKey.id == first.id)
                & IdempotencyKey.status.is_null()
                & (IdempotencyKey.created_at == first.created_at)
            )
            .execute()
        )
        if claimed:  # its first request never finished (the database failed under it): this one is the first
            g.idempotency_key_id = first.id
            return None
    if first is None or first.status is None:
        raise ApiError(
            409,
            "A request with this Idempotency-Key is being answered: try again in a moment.",
            {"Idempotency-Key": "In progress."},
            code="idempotency_key_in_use",
        )
    response = current_app.response_class(first.response, status=first.status, mimetype="application/json")
    if first.location:
        response.headers["Location"] = first.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.after_request
def http_semantics(response):
    """204 without a type; Location on 201; ETag on item answers; then the idempotency key keeps the
    answer (a 2xx) or is let go (anything else wrote nothing)."""
    if response.status_code == 204:
        response.set_data(b"")
        del response.headers["Content-Type"]
    # Only a 201 (Location) or an item's answer (ETag) is read back: a list or a report, which can be
    # large, is never parsed again. Item routes end with their id (".../goals/<int:goal_id>").
    item = request.url_rule is not None and request.url_rule.rule.endswith(">")
    wanted = response.status_code == 201 or (item and response.status_code == 200)
    data = response.get_json(silent=True) if wanted and response.is_json else None
    if response.status_code == 201 and "Location" not in response.headers and isinstance(data, dict):
        if "id" in data:
            template = LOCATIONS.get(request.endpoint)
            path = bp.url_prefix + template.format(id=data["id"]) if template else f"{request.path}/{data['id']}"
        else:
            path = request.path  # a stage move without an entry of its own: the stage history
        response.headers["Location"] = path
    if (
        request.method in ("GET", "HEAD", "PATCH")
        and response.status_code == 200
        and isinstance(data, dict)
        and isinstance(data.get("id"), int)
        and isinstance(data.get("version"), int)
    ):
        response.headers["ETag"] = etag(data["version"])
    key_id = g.pop("idempotency_key_id", None)
    if key_id is not None:
        if 200 <= response.status_code < 300:
            IdempotencyKey.update(
                status=response.status_code,
                response=response.get_data(as_text=True),
                location=response.headers.get("Location", "")[:500],
            ).where(IdempotencyKey.id == key_id).execute()
        else:
            _release(key_id)
    return response


def _release(key_id):
    """Let a key go after an answer that wrote nothing; when the database is what failed (a 503), the
    answer stands and the key stays pending: a retry after ABANDONED takes it over (409 before)."""
    try:
        IdempotencyKey.delete().where(IdempotencyKey.id == key_id).execute()
    except DatabaseError:
        current_app.logger.warning("Idempotency key %s not released: the database failed", key_id)


@bp.teardown_request
def release_key(exc):
    """A request that ended without an answer (an escaped error) lets its key go: it wrote nothing."""
    key_id = g.pop("idempotency_key_id", None)
    if key_id is not None and not database.is_closed():
        _release(key_id)
