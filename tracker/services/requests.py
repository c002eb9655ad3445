"""Support requests: submit, triage (accept into an engagement, decline, ask for information), answer.

Each function runs in one transaction and raises models.ValidationError({field: message}); nothing
is written when it does. A request's story (who asked what, when) is told from the audit log by
tracker/audit.py's request_history.
"""

import datetime as dt

from .. import policy
from ..db import database
from ..models import Engagement, Stage, SupportRequest, ValidationError, utcnow

OPEN_STATUSES = ("submitted", "info_requested")
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


def submit_request(unit, data, user):
    """A new request from `unit` (a Unit, its id or None), submitted by `user` (a recipient of the unit or an
    administrator). Refusals are the model's, keyed by the domain's names (unit_id, title, ...)."""
    req = SupportRequest(unit=unit, requested_by=user, status="submitted", **data)
    errors = req.submission_problems()
    if errors:
        raise ValidationError({("unit_id" if k == "unit" else k): v for k, v in errors.items()})
    with database.atomic():
        req.save()
    return req


def first_stage():
    return Stage.get_or_none(Stage.key == FIRST_STAGE_KEY) or Stage.ordered().first()


def accept_request(req, data, user):
    """Accept `req`: create its engagement with two co-leads (and supporting ISPs), enter the first
    stage on the start date, and mark the request accepted. Returns the engagement.

    `data` (the domain's names, as the API's): title, problem_statement, support_model, start_date,
    end_date, co_lead_ids [id, id], supporting_ids [ids]. Refusals are keyed by the same names; the
    ISP rule is the model's (Engagement.isp_problems), as on every other path.
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
            support_model=data.get("support_model") or "push_pull",
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            status="active",
            intermediary=org if org is not None and org.kind == "intermediary" else None,
        )
        errors = engagement.validate()
        for key, message in Engagement.isp_problems(co_leads, supporting).items():
            errors.setdefault(key, message)
        if errors:
            raise ValidationError(errors)
        engagement.save()
        engagement.set_isps(co_leads, supporting)
        stage = first_stage()
        if stage is not None:
            engagement.enter_stage(stage, engagement.start_date, note="Request accepted.", user=user)
        req.status = "accepted"
        req.decided_by = user
        req.decided_at = utcnow()
        req.save()
    return engagement


def decline_request(req, reason, user):
    with database.atomic():
        _refuse_if_decided(req)
        req.status = "declined"
        req.decline_reason = (reason or "").strip()
        req.decided_by = user
        req.decided_at = utcnow()
        req.save()
    return req


def ask_for_information(req, question, user):
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
    return req


def answer_question(req, answer, user):
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
    return req


# --- reading ----------------------------------------------------------------------------------


def engagements_for(user, request_ids):
    """{request id: engagement} for the accepted requests among `request_ids` whose engagement `user` may see."""
    if not request_ids:
        return {}
    query = Engagement.live().where(Engagement.request.in_(list(request_ids)))
    return {e.request_id: e for e in policy.visible_engagements(user, query)}


def age_in_days(req, today=None):
    today = today or dt.date.today()
    return max(0, (today - req.created_at.date()).days) if req.created_at else 0
