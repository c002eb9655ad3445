"""The review of logs in the API (issue 23): the review fields every meeting and activity answer carries
(`ReviewedOut`), the optional `"review_state": "draft"` of a new log (`draft_requested`), and one review move
(`make_move`, behind POST /meetings/<id>/review and /activities/<id>/review, declared beside their
resources). Who may move is policy.can_move_log; the move is services.review.move_log."""

from marshmallow import fields

from .. import policy
from ..db import database
from ..models import MAX_REVIEW_NOTE, REVIEW_MOVES, REVIEW_STATES, Engagement, ValidationError, label
from ..services.review import move_log
from .common import ApiError, caller
from .schemas import Answer, Body, Choice, Id, Timestamp

DRAFT_HELP = 'Send "draft" to keep the new log as a draft; left out, it is submitted for review.'
MOVES_HELP = (
    "submit (a draft or returned log), return (a submitted one, with a note), approve (a submitted one; an "
    "approved log is locked), reopen (an approved one, administrators, with a reason)."
)


class ReviewedOut(Answer):
    review_state = Choice(REVIEW_STATES, required=True)
    submitted_at = Timestamp(required=True, allow_none=True, metadata={"description": "The first submission."})
    reviewed_by = Id(attribute="reviewed_by_id", required=True, allow_none=True)
    reviewed_at = Timestamp(required=True, allow_none=True)
    review_note = fields.String(required=True, metadata={"description": "The return note or reopening reason."})


def draft_field():
    """The `review_state` of a create: "draft" or left out (any other value is refused with 422)."""
    return fields.String(metadata={"enum": ["draft"], "description": DRAFT_HELP})


def draft_requested(data):
    """Whether a create asks for a draft; pops `review_state` from `data`. 422 for any value but "draft"."""
    state = data.pop("review_state", None)
    if state not in (None, "draft"):
        raise ApiError(
            422,
            'A new log is a draft ("review_state": "draft") or, left out, submitted for review.',
            {"review_state": 'Send "draft" or leave it out.'},
        )
    return state == "draft"


class ReviewMove(Body):
    move = Choice([(m, m) for m in REVIEW_MOVES], required=True, metadata={"description": MOVES_HELP})
    note = fields.String(
        load_default="", metadata={"maxLength": MAX_REVIEW_NOTE, "description": "Required to return or reopen."}
    )


def make_move(log, data):
    """The move `data` asks for on `log`: 409 when it does not start from the log's state, 403 when the
    policy refuses it, 422 for a missing (or too long) note; the log as stored after the move."""
    move = data["move"]
    if move not in log.moves_from_here():
        state = label(REVIEW_STATES, log.review_state).lower()
        raise ApiError(409, f"A log that is {state} cannot be moved with “{move}”.", {"move": "Not from this state."})
    if not policy.can_move_log(caller(), log, move, Engagement.get_by_id(log.engagement_id)):
        raise ApiError(403, "You may not make this move on this log.")
    try:
        with database.atomic():
            move_log(log, move, caller(), data.get("note", ""))
    except ValidationError as exc:
        raise ApiError(422, next(iter(exc.errors.values())), exc.errors) from exc
    return type(log).get_by_id(log.id)
