"""Tokens: sign in with email and password for a token; list and revoke your tokens."""

from flask import request
from marshmallow import fields

from .. import policy
from ..auth import SignInRefused, authenticate
from ..db import database
from ..models import ApiToken, User
from .common import ApiError, caller, error, new_token
from .operations import operation
from .schemas import Answer, Body, Id, Text, Timestamp


class TokenNew(Body):
    email = Text(User.email, required=True, max_length=254)
    password = Text(one_line=False, required=True, max_length=1000)
    name = Text(ApiToken.name)


class TokenOut(Answer):
    id = Id(required=True)
    name = fields.String(required=True)
    user_id = Id(required=True)
    created = Timestamp(attribute="created_at", required=True)
    updated_at = Timestamp(
        attribute="created_at", required=True, metadata={"description": "A token never changes once made."}
    )
    last_used = Timestamp(attribute="last_used_at", required=True, allow_none=True)


class TokenCreated(TokenOut):
    token = fields.String(required=True, metadata={"description": "The bearer token: shown this once, never stored."})


@operation(
    "post",
    "/tokens",
    "createToken",
    tag="Tokens",
    summary="Exchange email and password for a bearer token (no token needed; throttled as the sign-in page: "
    "429 with Retry-After)",
    body=TokenNew,
    answer=TokenCreated,
    public=True,
    example={"email": "isp@example.org", "password": "a long passphrase", "name": "grants sync"},
)
def create_token(data):
    try:  # the sign-in page's path: the same throttle, locks and recorded failures
        user = authenticate(data["email"].lower(), data["password"], request.remote_addr)
    except SignInRefused as refused:
        raise ApiError(refused.status, str(refused), headers=refused.headers) from None
    with database.atomic():
        row, token = new_token(user, data.get("name") or "API")
    row.token = token
    return row


@operation(
    "get",
    "/tokens",
    "listTokens",
    tag="Tokens",
    summary="Your tokens (never the token itself)",
    answer=TokenOut,
    paged=True,
)
def list_tokens():
    return ApiToken.select().where(ApiToken.user == caller().id).order_by(ApiToken.id)


@operation(
    "delete",
    "/tokens/<int:token_id>",
    "deleteToken",
    tag="Tokens",
    summary="Revoke a token (its owner or an administrator)",
)
def revoke_token(token_id):
    row = ApiToken.get_or_none(ApiToken.id == token_id)
    if row is None or not policy.can_revoke_token(caller(), row):
        error(404, "No such token.")
    with database.atomic():
        row.delete_instance()
