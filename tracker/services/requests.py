"""Support requests: submit, triage (accept into an engagement, decline, ask for information), answer.

Each function runs in one transaction and raises models.ValidationError({field: message}); nothing
is written when it does. Each action also writes its `RequestEvent` (submitted, question, answer,
accepted, declined, withdrawn) in that transaction: the request's story (tracker/audit.py's
request_history) reads those rows. `at` (default now) dates the event, for the demo and imports.
The people an event concerns are told in the same transaction (tracker/services/notifications.py:
an outbox mail, or an item kept for their digest), so a refused action tells nobody.
"""

from .. import policy
from ..db import database
from ..models import (
    OPEN_REQUEST_STATUSES,
    Engagement,
    RequestEvent,
    Stage,
    SupportRequest,
    ValidationError,
    today,
    utcnow,
)
from ..models import today as todays_date
from . import engagements, notifications

OPEN_STATUSES = OPEN_REQUEST_STATUSES
FIRST_STAGE_KEY = "exploration"


def is_open(req):
    return req.status in OPEN_STATUSES


def _refuse_if_decided(req):
    """Re-read the status from the database: another ISP may have decided meanwhile."""
    current = SupportRequest.select(SupportRequest.status).where(SupportRequest.id == req.id).scalar()
    if current == "accepted" or Engagement.select().where(Engagement.request == req.id).exists():
        raise ValidationError({"__all__": "This request has already been accepted; nothing was changed."})
    if current == "declined":
        raise ValidationError({"__all__": "This request has already been declined; nothing was changed."})
    if current == "withdrawn":
        raise ValidationError({"__all__": "This request has been withdrawn; nothing was changed."})


def submit_request(unit, data, user, at=None):
    """A new request from `unit` (a Unit, its id or None), submitted by `user` (a recipient of the unit or an
    administrator). Refusals are the model's, keyed by the domain's names (unit_id, title, ...); the model
    writes the "submitted" event."""
    req = SupportRequest(unit=unit, requested_by=user, status="submitted", created_at=at or utcnow(), **data)
    errors = req.submission_problems()
    if errors:
        raise ValidationError({("unit_id" if k == "unit" else k): v for k, v in errors.items()})
    with database.atomic():
        req.save()
        notifications.request_submitted(req, actor=user)
    return req


def accept_defaults(req):
    """What the accept page starts from: the problem statement as the request tells it (the initiative,
    for whom, then each question the ISP team asked and the requester's answer, in order) and the
    requester as the first team member (name and email, as a manager: the team page's default position;
    the ISP corrects it or removes the row)."""
    problem = req.description or ""
    if req.for_whom:
        problem = f"{problem}\n\nFor whom: {req.for_whom}".strip()
    exchange = [
        f"{'Question' if event.kind == 'question' else 'Answer'}: {event.text.strip()}"
        for event in RequestEvent.history(req.id)
        if event.kind in ("question", "answer") and (event.text or "").strip()
    ]
    if exchange:
        problem = (problem + "\n\n" + "\n".join(exchange)).strip()
    requester = req.requested_by if req.requested_by_id else None
    team = [{"name": requester.name, "position": "manager", "email": requester.email}] if requester else []
    return {"problem_statement": problem, "team_members": team}


def first_stage():
    return Stage.get_or_none(Stage.key == FIRST_STAGE_KEY) or Stage.ordered().first()


def accept_request(req, data, user, at=None):
    """Accept `req`: create its engagement with two co-leads (and supporting ISPs), enter the first
    stage on the start date, and mark the request accepted. Returns the engagement.

    `data` (the domain's names, as the API's): title, problem_statement, support_model, start_date,
    end_date, co_lead_ids [id, id], supporting_ids [ids], and optionally its first team_members and goals
    (services.engagements.setup_parts). Refusals are keyed by the same names; the ISP rule is the model's
    (Engagement.isp_problems), as on every other path.
    """
    with database.atomic():
        _refuse_if_decided(req)
        co_leads = [int(i) for i in data.get("co_lead_ids") or ()]
        supporting = [int(i) for i in data.get("supporting_ids") or ()]
        org = user.organization if user.organization_id else None
        engagement = Engagement(
            unit=req.unit_id,
            request=req,
            title=(data.get("title") or "").strip(),
            problem_statement=data.get("problem_statement") or "",
            support_model=data.get("support_model", Engagement.support_model.default),
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            status="active",
            intermediary=org if org is not None and org.kind == "intermediary" else None,
        )
        errors = engagement.validate()
        for key, message in Engagement.isp_problems(co_leads, supporting).items():
            errors.setdefault(key, message)
        members, goals, row_errors = engagements.setup_parts(engagement, data)
        errors.update({k: v for k, v in row_errors.items() if k not in errors})
        if errors:
            raise ValidationError(errors)
        engagement.save()
        engagement.set_isps(co_leads, supporting)
        stage = first_stage()
        if stage is not None and engagement.start_date <= today():  # a stage entry is an event: not in the future
            engagement.enter_stage(stage, engagement.start_date, note="Request accepted.", user=user)
        engagements.save_setup_parts(engagement, members, goals, user)
        req.status = "accepted"
        req.decided_by = user
        req.decided_at = at or utcnow()
        req.save()
        RequestEvent.record(req, "accepted", by=user, engagement=engagement, at=req.decided_at)
        notifications.request_accepted(req, engagement, user)
    return engagement


def decline_request(req, reason, user, at=None):
    with database.atomic():
        _refuse_if_decided(req)
        req.status = "declined"
        req.decline_reason = (reason or "").strip()
        req.decided_by = user
        req.decided_at = at or utcnow()
        req.save()
        RequestEvent.record(req, "declined", by=user, text=req.decline_reason, at=req.decided_at)
        notifications.request_declined(req, req.decline_reason, user)
    return req


def withdraw_request(req, reason, user, at=None):
    """The requester takes back their open request (policy.can_withdraw_request); the reason is optional."""
    with database.atomic():
        _refuse_if_decided(req)
        req.status = "withdrawn"
        req.decided_by = user
        req.decided_at = at or utcnow()
        req.save()
        RequestEvent.record(req, "withdrawn", by=user, text=(reason or "").strip(), at=req.decided_at)
    return req


def ask_for_information(req, question, user, at=None):
    """Ask the requester a question; a new question replaces the previous one (the history keeps it)."""
    with database.atomic():
        _refuse_if_decided(req)
        question = (question or "").strip()
        if not question:
            raise ValidationError({"info_question": "Write the question for the requester."})
        req.status = "info_requested"
        req.info_question = question
        req.info_answer = ""
        req.save()
        RequestEvent.record(req, "question", by=user, text=question, at=at)
        notifications.question_asked(req, question, user)
    return req


def answer_question(req, answer, user, at=None):
    with database.atomic():
        current = SupportRequest.select(SupportRequest.status).where(SupportRequest.id == req.id).scalar()
        if current != "info_requested":
            raise ValidationError({"__all__": "No question is waiting for an answer on this request."})
        answer = (answer or "").strip()
        if not answer:
            raise ValidationError({"info_answer": "Write your answer to the question."})
        req.status = "submitted"
        req.info_answer = answer
        req.save()
        RequestEvent.record(req, "answer", by=user, text=answer, at=at)
        notifications.question_answered(req, answer, user)
    return req


# --- reading ----------------------------------------------------------------------------------


def engagements_for(user, request_ids):
    """{request id: engagement} for the accepted requests among `request_ids` whose engagement `user` may see."""
    if not request_ids:
        return {}
    query = Engagement.live().where(Engagement.request.in_(list(request_ids)))
    return {e.request_id: e for e in policy.visible_engagements(user, query)}


def age_in_days(req, today=None):
    today = today or todays_date()
    return max(0, (today - req.created_at.date()).days) if req.created_at else 0
