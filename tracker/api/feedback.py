"""Recipient feedback: invitations with their single-use links (ISPs on the engagement), and, without an
account, the questions of a link and its answers. The pages' rules throughout (views/feedback.py): the
same access decision to send, the same service (services/feedback.py) to create invitations and store
answers, the same refusals of a link (404 when not valid; 410 when used, expired or its engagement
closed) and the same disclosure (docs/disclosure.md): an answer is acknowledged, never shown back, and
nothing in it names the response, its release or anyone else's answer."""

import marshmallow as ma
from flask import jsonify
from flask_login import current_user
from marshmallow import fields, validate

from .. import policy
from ..models import FEEDBACK_KINDS, FeedbackItem, Meeting, ValidationError
from ..services import feedback as service
from .common import ApiError, caller
from .operations import operation
from .schemas import Answer, Body, Choice, Email, Id, Integer, StrictBoolean, Text, Timestamp

LIKERT_MESSAGE = "Choose a value from 1 (completely disagree) to 5 (completely agree)."
PULSE_COMMENT_TEXT = "Anything you want to add? (optional)"  # as the answer page asks it (forms/feedback.py)
MAX_RECIPIENTS = 100  # one email each: a bound on what one request sends
MAX_LINK_DAYS = 90

TOKEN = {"type": "string", "pattern": service.TOKEN_RE.pattern, "description": "The token of a feedback link."}


class KeyedAnswers(fields.Dict):
    """{question key: value}; a refused value is named by its key (`answers-aim_1`), as the service names it."""

    def __init__(self, values, **kwargs):
        keys = fields.String(validate=validate.Length(min=1, max=FeedbackItem.key.max_length))
        super().__init__(keys=keys, values=values, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ma.ValidationError as exc:
            if not isinstance(exc.messages, dict):
                raise
            raise ma.ValidationError(
                {key: problem.get("value") or problem.get("key") for key, problem in exc.messages.items()}
            ) from None


# --- invitations --------------------------------------------------------------------------------------


class InvitationNew(Body):
    kind = Choice(FEEDBACK_KINDS, required=True, metadata={"description": "pulse: three questions; survey: all."})
    recipients = fields.List(
        Email(required=True),
        required=True,
        validate=validate.Length(min=1, max=MAX_RECIPIENTS),
        metadata={"description": "Email addresses to ask (each asked once); one email with its link each."},
    )
    meeting_id = Id(metadata={"description": "The meeting of the engagement a pulse follows."})
    days = Integer(
        validate=validate.Range(1, MAX_LINK_DAYS, error=f"Between 1 and {MAX_LINK_DAYS} days."),
        metadata={"description": "How many days the links work (default: the tracker's setting, 14)."},
    )


class InvitationOut(Answer):
    id = Id(required=True, attribute="invitation.id")
    kind = Choice(FEEDBACK_KINDS, required=True, attribute="invitation.kind")
    email = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "The team member's name, or empty."})
    meeting_id = Id(required=True, allow_none=True, attribute="invitation.meeting_id")
    url = fields.String(required=True, metadata={"description": "The single-use link the email carries."})
    token = fields.String(
        required=True,
        metadata={"description": "The link's token (GET and POST /feedback/{token}): shown this once, never stored."},
    )
    expires_at = Timestamp(required=True, attribute="invitation.expires_at")
    created = Timestamp(required=True, attribute="invitation.created_at")
    updated_at = Timestamp(
        required=True,
        attribute="invitation.created_at",
        metadata={"description": "An invitation does not change (whether it was answered is never shown)."},
    )


class InvitationsCreated(Answer):
    invitations = fields.List(fields.Nested(InvitationOut), required=True)


def _sender_engagement(engagement_id):
    """The engagement, if the caller may send its feedback requests (the sending pages' decision)."""
    return policy.get_engagement(engagement_id, edit=True, user=caller())


@operation(
    "post",
    "/engagements/<int:engagement_id>/feedback-invitations",
    "createFeedbackInvitations",
    tag="Feedback",
    summary="Ask for feedback (ISPs on the engagement, administrators): one single-use link per recipient, "
    "emailed through the outbox and returned here once",
    body=InvitationNew,
    answer=InvitationsCreated,
    links={
        "getFeedback": {"token": "$response.body#/invitations/0/token"},
        "answerFeedback": {"token": "$response.body#/invitations/0/token"},
    },
    example={"kind": "survey", "recipients": ["sam@example.org"], "days": 14},
    access=_sender_engagement,
)
def create_feedback_invitations(engagement_id, data, target):
    engagement = target
    meeting = None
    if data.get("meeting_id") is not None:
        meeting = (
            Meeting.live().where((Meeting.id == data["meeting_id"]) & (Meeting.engagement == engagement.id)).first()
        )
        if meeting is None:
            raise ApiError(400, "No such meeting in this engagement.", {"meeting_id": "No such meeting."})
    try:
        sent = service.create_invitations(
            engagement,
            data["kind"],
            [(email, None) for email in data["recipients"]],
            user=caller(),
            meeting=meeting,
            days=data.get("days"),
        )
    except ValidationError as exc:
        raise _refusal(exc, {"emails": "recipients"}) from exc
    return {"invitations": sent}


def _refusal(exc, names=None, conflict=True):
    """The service's ValidationError in the API's names: 409 when the engagement's state refuses it (a
    message for the whole request, `conflict`), else a 400 naming the fields."""
    names = names or {}
    fields_ = {names.get(key, key): message for key, message in exc.errors.items()}
    if conflict and set(fields_) == {"__all__"}:
        return ApiError(409, fields_["__all__"], fields_, code="conflict")
    return ApiError(400, "Some fields are not valid.", fields_, code="validation_error")


# --- answering through a link (no account) ---------------------------------------------------------------


class QuestionOut(Answer):
    key = fields.String(required=True, metadata={"description": "The key its answer is sent under."})
    kind = fields.String(
        required=True,
        validate=validate.OneOf(["likert", "text"]),
        metadata={"description": "likert: a value 1-5 in `answers`; text: an open answer in `comments`."},
    )
    scale = fields.String(required=True, allow_none=True, metadata={"description": "The scale a likert item measures."})
    text = fields.String(required=True)


class ChoiceOut(Answer):
    value = fields.Integer(required=True, validate=validate.Range(1, 5))
    label = fields.String(required=True)


class QuestionsOut(Answer):
    kind = Choice(FEEDBACK_KINDS, required=True)
    engagement_title = fields.String(required=True, attribute="engagement.title")
    expires_at = Timestamp(required=True)
    items = fields.List(fields.Nested(QuestionOut), required=True)
    choices = fields.List(
        fields.Nested(ChoiceOut), required=True, metadata={"description": "The 1-5 agreement scale's labels."}
    )


class FeedbackAnswers(Body):
    answers = KeyedAnswers(
        Integer(
            allow_none=True,
            validate=validate.Range(1, 5, error=LIKERT_MESSAGE),
            error_messages={"invalid": LIKERT_MESSAGE},
        ),
        load_default=dict,
        metadata={"description": "{likert item key: 1..5}; null or left out: not answered."},
    )
    comments = KeyedAnswers(
        Text(max_length=service.MAX_COMMENT, one_line=False, allow_none=True),
        load_default=dict,
        metadata={"description": "{text item key: open answer}; a pulse's optional comment is `comment`."},
    )
    anonymous = StrictBoolean(
        load_default=True,
        metadata={"description": "Anonymous unless false: nothing then ties the response to the link or you."},
    )


class AnswerReceived(Answer):
    received = fields.Boolean(required=True)
    anonymous = fields.Boolean(required=True)
    message = fields.String(required=True)


def _invitation(token):
    """The invitation the token opens, or the page's refusal: 404 not valid, 410 used/expired/closed."""
    try:
        return service.invitation_for_token(token)
    except service.LinkRefused as refused:
        raise _link_refused(refused) from None


def _link_refused(refused):
    if refused.reason == "invalid":
        return ApiError(404, "This link is not valid.")
    messages = {
        "used": "This link has been used: each link can be answered once. Nothing more was stored.",
        "expired": "This link has expired.",
        "closed": "This engagement has closed: feedback can no longer be given through this link.",
    }
    return ApiError(410, messages[refused.reason], code=f"link_{refused.reason}")


@operation(
    "get",
    "/feedback/<token>",
    "getFeedback",
    tag="Feedback",
    summary="The questions of a feedback link (no token needed: the link is the credential)",
    answer=QuestionsOut,
    public=True,
    params={"token": TOKEN},
    errors=("410",),
)
def feedback_questions(token):
    invitation = _invitation(token)
    items = [{"key": i.key, "kind": i.kind, "scale": i.scale, "text": i.text} for i in service.asked_items(invitation)]
    if invitation.kind == "pulse":
        items.append({"key": service.PULSE_COMMENT_KEY, "kind": "text", "scale": None, "text": PULSE_COMMENT_TEXT})
    labels = invitation.instrument.spec.get("scale_labels", {})
    choices = [{"value": v, "label": labels.get(str(v), str(v))} for v in range(1, 6)]
    answer = {
        "kind": invitation.kind,
        "engagement": invitation.engagement,
        "expires_at": invitation.expires_at,
        "items": items,
        "choices": choices,
    }
    response = jsonify(QuestionsOut().dump(answer))
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is a credential, as on its page
    return response


@operation(
    "post",
    "/feedback/<token>",
    "answerFeedback",
    tag="Feedback",
    summary="Answer a feedback link once (no token needed). The answer is stored and only ever seen in "
    "releases of at least three responses (docs/disclosure.md)",
    body=FeedbackAnswers,
    answer=AnswerReceived,
    public=True,
    params={"token": TOKEN},
    errors=("410",),
    example={"answers": {"aim_1": 4, "fim_1": 5}, "comments": {"comment": "Useful."}, "anonymous": True},
)
def answer_feedback(token, data):
    invitation = _invitation(token)
    user = caller() if current_user.is_authenticated else None  # as the page: a signed-in answer may be named
    answers, comments = data["answers"], {k: v or "" for k, v in data["comments"].items()}
    try:
        service.submit(invitation, answers, comments, anonymous=data["anonymous"], user=user)
    except service.LinkRefused as refused:
        raise _link_refused(refused) from None
    except ValidationError as exc:
        named = {k: f"answers-{k}" if k in answers else f"comments-{k}" for k in exc.errors if k != "__all__"}
        raise _refusal(exc, named, conflict=False) from exc  # nothing answered: the body's fault
    return {
        "received": True,
        "anonymous": data["anonymous"],
        "message": "Your answers have been recorded. The implementation support team sees them only together "
        "with others' answers, in groups of at least 3 responses, and never which answers or comments are yours.",
    }
