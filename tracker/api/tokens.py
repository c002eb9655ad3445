"""Tokens: sign in with email and password for a token; list and revoke your tokens."""

from flask import jsonify, request

from .. import policy
from ..auth import SignInRefused, authenticate
from ..db import database
from ..models import ApiToken
from .common import ApiError, Fields, body, bp, caller, error, iso, new_token


def token_json(row):
    return {
        "id": row.id,
        "name": row.name,
        "user_id": row.user_id,
        "created": iso(row.created_at),
        "last_used": iso(row.last_used_at),
    }


@bp.post("/tokens")
def create_token():
    f = Fields(body())
    email = f.text("email", required=True, max_length=254).lower()
    password = f.text("password", required=True, max_length=1000)
    name = f.text("name", max_length=100)
    f.done()
    try:  # the sign-in page's path: the same throttle, locks and recorded failures
        user = authenticate(email, password, request.remote_addr)
    except SignInRefused as refused:
        raise ApiError(refused.status, str(refused), headers=refused.headers) from None
    with database.atomic():
        row, token = new_token(user, name or "API")
    return jsonify(token=token, **token_json(row)), 201


@bp.get("/tokens")
def list_tokens():
    rows = ApiToken.select().where(ApiToken.user == caller().id).order_by(ApiToken.id)
    return jsonify(items=[token_json(r) for r in rows])


@bp.delete("/tokens/<int:token_id>")
def revoke_token(token_id):
    row = ApiToken.get_or_none(ApiToken.id == token_id)
    user = caller()
    if row is None or not policy.can_revoke_token(user, row):
        error(404, "No such token.")
    with database.atomic():
        row.delete_instance()
    return "", 204
