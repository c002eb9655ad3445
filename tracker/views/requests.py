"""Support requests: submit, triage (accept, decline, ask for information), answer."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from peewee import fn

from .. import audit, policy
from ..forms.requests import AcceptForm, AnswerForm, AskForm, DeclineForm, RequestForm, WithdrawForm
from ..models import Engagement, Organization, SupportRequest, Unit, User
from ..models import today as todays_date
from ..paging import paginate
from ..reports import tables, workload
from ..services import requests as service
from .helpers import form_page, form_status, save_form

bp = Blueprint("requests", __name__, url_prefix="/requests")

# Tabs of the triage queue: key -> (label, statuses)
TABS = tables.REQUEST_TABS


def _require_triage():
    if not policy.can_triage_requests(current_user):
        abort(403)


def _detail_url(req):
    return url_for("requests.detail", request_id=req.id)


# --- lists ------------------------------------------------------------------------------------


@bp.route("")
@login_required
def index():
    visible = policy.visible_requests(current_user)
    tab, query = tables.requests(current_user, request.args.get("status"))
    counts = {}
    if tab is not None:
        counts = dict(
            visible.select(SupportRequest.status, fn.COUNT(SupportRequest.id)).group_by(SupportRequest.status).tuples()
        )
    page = paginate(query, request.args.get("page"), current_app.config["PER_PAGE"])
    rows = list(page.get_object_list())
    engagements = service.engagements_for(current_user, [r.id for r in rows if r.status == "accepted"])
    tabs = [(key, text, sum(counts.get(s, 0) for s in (statuses or counts))) for key, (text, statuses) in TABS.items()]
    return render_template(
        "requests/list.html",
        rows=rows,
        page=page,
        tab=tab,
        tabs=tabs,
        engagements=engagements,
        today=todays_date(),
        age=service.age_in_days,
        can_submit=policy.can_submit_request(current_user),
        triage=policy.can_triage_requests(current_user),
    )


# --- submit -----------------------------------------------------------------------------------


def _unit_choices():
    units = Unit.select(Unit, Organization).join(Organization).order_by(Organization.name, Unit.name)
    return [(u.id, f"{u.organization.name} — {u.name}") for u in units]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not policy.can_submit_request(current_user):
        abort(403)
    form = RequestForm()
    if not policy.asks_for_own_unit(current_user):
        form.unit.choices = _unit_choices()
        wanted = request.args.get("unit", type=int)
        if request.method == "GET" and wanted in {v for v, _ in form.unit.choices}:
            form.unit.data = wanted
        form.unit.render_kw = {"autofocus": True}
        form.title.render_kw = {**(form.title.render_kw or {}), "autofocus": False}
    else:
        del form.unit  # a recipient asks for their own unit
    intermediaries = list(SupportRequest.intermediaries())
    if len(intermediaries) > 1:
        form.intermediary.choices = [(o.id, o.name) for o in intermediaries]
    else:
        del form.intermediary  # the only one (or none): the model addresses the request

    def write(form):
        unit = form.unit.data if "unit" in form else current_user.unit_id  # none chosen: the model says so
        return service.submit_request(unit, form.request_data(), current_user)

    done = save_form(
        form,
        write,
        "Your request was submitted. The implementation support team will review it.",
        _detail_url,
    )
    if done:
        return done
    return render_template("requests/new.html", form=form), form_status(form)


# --- one request ------------------------------------------------------------------------------


def _detail_context(req):
    engagement = service.engagements_for(current_user, [req.id]).get(req.id)
    return {
        "r": req,
        "events": audit.request_history(req),
        "engagement": engagement,
        "triage": policy.can_triage_requests(current_user),
        "is_open": service.is_open(req),
        "may_answer": req.status == "info_requested" and policy.can_answer(current_user, req),
        "may_withdraw": policy.can_withdraw_request(current_user, req),
        "age": service.age_in_days(req),
    }


@bp.route("/<int:request_id>")
@login_required
def detail(request_id):
    req = policy.get_request(request_id)
    context = _detail_context(req)
    answer_form = AnswerForm() if context["may_answer"] else None
    return render_template("requests/detail.html", answer_form=answer_form, **context)


@bp.route("/<int:request_id>/answer", methods=["POST"])
@login_required
def answer(request_id):
    req = policy.get_request(request_id)
    if not policy.can_answer(current_user, req):
        abort(403)
    if req.status != "info_requested":
        flash("No question is waiting for an answer on this request.", "info")
        return redirect(_detail_url(req))
    form = AnswerForm()
    done = save_form(
        form,
        lambda f: service.answer_question(req, f.info_answer.data, current_user),
        "Thank you: your answer was sent to the implementation support team.",
        _detail_url(req),
    )
    if done:
        return done
    req = SupportRequest.get_by_id(req.id)  # the unsaved answer must not show as given
    return render_template("requests/detail.html", answer_form=form, **_detail_context(req)), form_status(form)


def _decided_redirect(req):
    """A request that is no longer open cannot be triaged again: say so, change nothing."""
    if req.status == "accepted":
        flash("This request has already been accepted; nothing was changed.", "error")
    elif req.status == "withdrawn":
        flash("This request has been withdrawn; nothing was changed.", "error")
    else:
        flash("This request has already been declined; nothing was changed.", "error")
    return redirect(_detail_url(req))


@bp.route("/<int:request_id>/accept", methods=["GET", "POST"])
@login_required
def accept(request_id):
    req = policy.get_request(request_id)
    _require_triage()
    if not service.is_open(req):
        return _decided_redirect(req)
    today = todays_date()
    form = AcceptForm(
        data={
            **service.accept_defaults(req),
            "title": req.title,
            "support_model": Engagement.support_model.default,
            "start_date": req.hoped_start if req.hoped_start and req.hoped_start >= today else today,
            "co_lead_1": current_user.id if policy.can_co_lead(current_user) else None,
        }
    )
    isps = list(User.isps())
    load = workload.workload(current_user, isp_ids=[u.id for u in isps])  # one query set for every ISP
    form.set_isp_choices(isps, {row["id"]: workload.picker_label(row) for row in load["isps"]})

    def write(form):
        return service.accept_request(req, form.domain_data(), current_user)

    return form_page(
        form,
        write,
        lambda e: f"Request accepted: the engagement “{e.title}” has started.",
        lambda e: url_for("engagements.detail", engagement_id=e.id),
        "requests/accept.html",
        r=req,
        workload_since=load["start"],
    )


# How the two triage notes are worded (templates/requests/triage_note.html shows either).
DECLINE_NOTE = {
    "title": "Decline",
    "step": "Decline",
    "explanation": "The requester sees your reason on their list of requests and on the request page. "
    "Suggest where else they might find help if you can.",
    "field": "decline_reason",
    "help": "Required.",
    "button": "Decline the request",
    "button_class": "danger",
}
ASK_NOTE = {
    "title": "Ask for more information about",
    "step": "Ask for more information",
    "explanation": "The request waits for the requester's answer; they see your question on the request page "
    "and answer there.",
    "field": "info_question",
    "help": "Ask what you need to decide: the people involved, the timeline, the evidence behind the initiative…",
    "button": "Send the question",
    "button_class": "primary",
}


def _triage_note(request_id, form_class, note, write, success):
    req = policy.get_request(request_id)
    _require_triage()
    if not service.is_open(req):
        return _decided_redirect(req)
    form = form_class()
    done = save_form(form, lambda f: write(req, f), success, _detail_url(req))
    if done:
        return done
    return render_template("requests/triage_note.html", form=form, r=req, note=note), form_status(form)


@bp.route("/<int:request_id>/decline", methods=["GET", "POST"])
@login_required
def decline(request_id):
    return _triage_note(
        request_id,
        DeclineForm,
        DECLINE_NOTE,
        lambda req, f: service.decline_request(req, f.decline_reason.data, current_user),
        "The request was declined; the requester sees your reason.",
    )


@bp.route("/<int:request_id>/ask", methods=["GET", "POST"])
@login_required
def ask(request_id):
    return _triage_note(
        request_id,
        AskForm,
        ASK_NOTE,
        lambda req, f: service.ask_for_information(req, f.info_question.data, current_user),
        "Your question was sent; the request waits for the requester's answer.",
    )


@bp.route("/<int:request_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(request_id):
    """The requester takes their open request back (a confirmation page, then the POST)."""
    req = policy.get_request(request_id)
    if not service.is_open(req):
        return _decided_redirect(req)
    if not policy.can_withdraw_request(current_user, req):
        abort(403)
    return form_page(
        WithdrawForm(),
        lambda f: service.withdraw_request(req, f.reason.data, current_user),
        "Your request was withdrawn. You can submit a new one at any time.",
        _detail_url(req),
        "requests/withdraw.html",
        r=req,
    )
