"""Recipient feedback: send a pulse or a survey, answer through a single-use link or from one's home
page, and read the engagement's feedback report (with its CSV export)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from .. import exports, policy
from ..forms import BaseForm
from ..forms.feedback import InviteForm, answer_form
from ..models import (
    FeedbackResponse,
    Meeting,
    OutboxMessage,
    ValidationError,
)
from ..reports import feedback as report
from ..reports import tables
from ..services import feedback as service

bp = Blueprint("feedback", __name__)

SENT_KEY = "feedback_sent"  # the session's record of the last batch of invitations sent (see _invite)

REFUSALS = {
    "invalid": (
        404,
        "This link is not valid",
        "Check that you copied the whole link from the email. If it still does not open, ask the "
        "implementation support team for a new one.",
    ),
    "expired": (
        410,
        "This link has expired",
        "Feedback links work for a limited time. Ask the implementation support team for a new one "
        "if you would still like to answer.",
    ),
    "used": (
        410,
        "You have already answered, thank you",
        "This link has been used: each link can be answered once. Nothing more was stored.",
    ),
    "closed": (
        410,
        "This engagement has closed",
        "The support has ended, so feedback can no longer be given through this link. Nothing was stored.",
    ),
}


def _spec():
    spec = report.instrument_spec()
    spec["scale_names"] = {s["key"]: s["name"] for s in spec.get("scales", [])}
    return spec


def _refused(reason):
    status, title, message = REFUSALS[reason]
    return render_template("feedback/refused.html", title=title, message=message, reason=reason), status


def _meeting_or_404(engagement, meeting_id):
    meeting = (
        Meeting.live().where((Meeting.id == meeting_id) & (Meeting.engagement == engagement.id)).first()
        if meeting_id
        else None
    )
    if meeting is None:
        abort(404)
    return meeting


# --- the report ------------------------------------------------------------------------------------


@bp.route("/engagements/<int:engagement_id>/feedback")
@login_required
def engagement(engagement_id):
    e = policy.get_engagement(engagement_id)
    can_edit = policy.can_edit_engagement(current_user, e)
    spec = _spec()
    period = "month" if request.args.get("period") == "month" else "quarter"
    figures = report.engagement_report(e.id, period)
    invitations = []
    if can_edit:
        invitations = tables.invitations(e.id)
    can_delete = policy.can_delete_feedback_response(current_user, e)
    return render_template(
        "feedback/engagement.html",
        e=e,
        can_edit=can_edit,
        spec=spec,
        period=period,
        over_time=figures["over_time"],
        pathway=figures["pathway"],
        rate=figures["response_rate"],
        comments=figures["comments"],
        pulse=figures["pulse_items"],
        min_scale_items=report.MIN_SCALE_ITEMS,
        scale_names={s["key"]: s.get("name", s["key"]) for s in spec.get("scales", [])},
        received_count=figures["received"],
        invitations=invitations,
        delivery=OutboxMessage.delivery(e.id) if can_edit else None,
        mail_server=bool(current_app.config.get("MAIL_SERVER")),
        min_responses=report.MIN_RESPONSES,
        now=service.utcnow(),
        can_delete=can_delete,
        can_restore=policy.can_restore(current_user),
        received=service.responses_for(e) if can_delete else [],
    )


@bp.route("/engagements/<int:engagement_id>/feedback.csv")
@login_required
def engagement_csv(engagement_id):
    e = policy.get_engagement(engagement_id)
    period = "month" if request.args.get("period") == "month" else "quarter"
    rows = report.csv_rows(e.id, period, _spec()["scale_names"])
    return exports.plain_csv_response(rows, f"engagement-{e.id}-feedback.csv")


@bp.route("/engagements/<int:engagement_id>/feedback/responses")
@login_required
def responses(engagement_id):
    """Admins: who was invited and how many answered (never which invitee answered, nor which
    response is theirs: docs/disclosure.md)."""
    e = policy.get_engagement(engagement_id)
    if not policy.can_see_invitations(current_user):
        abort(403)
    return render_template(
        "feedback/responses.html",
        e=e,
        invitations=tables.invitations(e.id),
        now=service.utcnow(),
        rate=report.response_rate(e.id),
    )


# --- deleting and restoring a response ---------------------------------------------------------------


def _report_url(e):
    return url_for("feedback.engagement", engagement_id=e.id, _anchor="received-h")


@bp.route("/engagements/<int:engagement_id>/feedback/responses/<int:response_id>/delete", methods=["GET", "POST"])
@login_required
def delete_response(engagement_id, response_id):
    """GET: the confirmation page (nothing changes); POST: soft-delete one response."""
    e = policy.get_engagement(engagement_id, edit=True)
    if not policy.can_delete_feedback_response(current_user, e):
        abort(403)
    response = policy.get_part(FeedbackResponse, e, response_id)
    if BaseForm().validate_on_submit():  # a bad CSRF token answers 400
        service.delete_response(response)
        flash("Feedback response deleted: it will not be released. An administrator can restore it.", "success")
        return redirect(_report_url(e))
    kind = "pulse" if response.kind == "pulse" else "full survey"
    day = current_app.jinja_env.filters["date"](response.submitted_on)  # as the reader shows dates
    return render_template(
        "feedback/delete.html",
        e=e,
        title="Delete this feedback response?",
        message=(
            f"The {kind} response of {day} will not be released to the feedback report, the "
            "reports and exports; if it is already in a release, it stays counted there, so that no "
            "comparison of the figures singles it out. Use this for a duplicate or a test answer. "
            "It can be restored."
        ),
        action=url_for("feedback.delete_response", engagement_id=e.id, response_id=response.id),
        button="Delete the response",
        cancel=_report_url(e),
    )


@bp.route("/engagements/<int:engagement_id>/feedback/responses/deleted")
@login_required
def deleted_responses(engagement_id):
    e = policy.get_engagement(engagement_id)
    if not policy.can_restore(current_user):
        abort(403)
    return render_template("feedback/deleted.html", e=e, rows=service.responses_for(e, deleted=True))


@bp.route("/engagements/<int:engagement_id>/feedback/responses/<int:response_id>/restore", methods=["POST"])
@login_required
def restore_response(engagement_id, response_id):
    e = policy.get_engagement(engagement_id)
    if not policy.can_restore(current_user):
        abort(403)
    response = policy.get_part(FeedbackResponse, e, response_id, deleted=True)
    BaseForm().validate_on_submit()  # a bad CSRF token answers 400
    service.restore_response(response)
    flash("Feedback response restored: the reports count it again.", "success")
    return redirect(_report_url(e))


# --- sending ----------------------------------------------------------------------------------------


def _invite(e, kind, members, meeting=None):
    instrument = service.current_instrument()
    items = []
    if instrument is not None:
        items = service.pulse_items(e, instrument) if kind == "pulse" else service.instrument_items(instrument)
    form = InviteForm(members=members, data={"recipients": [m.id for m in members]})
    closed = e.status == "closed"
    if closed and request.method == "POST":
        BaseForm().validate_on_submit()  # a bad CSRF token still answers 400 first
        form.form_errors.append(service.CLOSED_MESSAGE)
    elif form.validate_on_submit():
        batch_key = service.new_batch_key()
        try:
            sent = service.create_invitations(
                e, kind, form.chosen(), user=current_user, meeting=meeting, items=items, batch_key=batch_key
            )
        except ValidationError as exc:
            form.add_errors(exc.errors)
        else:
            # Post/redirect/get: a reload of the sent page sends nothing. Only the links' hashes are stored;
            # the sender's session keeps the batch's key, from which the sent page derives them again.
            session[SENT_KEY] = {
                "engagement": e.id,
                "kind": kind,
                "meeting": meeting.id if meeting else None,
                "key": batch_key,
                "ids": [s["invitation"].id for s in sent],
            }
            return redirect(url_for("feedback.sent", engagement_id=e.id))
    status = 400 if (form.errors or form.form_errors) else 200
    return render_template(
        "feedback/invite.html", e=e, kind=kind, form=form, meeting=meeting, items=items, closed=closed
    ), status


@bp.route("/engagements/<int:engagement_id>/feedback/pulse", methods=["GET", "POST"])
@login_required
def pulse(engagement_id):
    e = policy.get_engagement(engagement_id, edit=True)
    meeting = _meeting_or_404(e, request.args.get("meeting", type=int))
    return _invite(e, "pulse", service.pulse_candidates(meeting), meeting)


@bp.route("/engagements/<int:engagement_id>/feedback/survey", methods=["GET", "POST"])
@login_required
def survey(engagement_id):
    e = policy.get_engagement(engagement_id, edit=True)
    return _invite(e, "survey", service.survey_candidates(e))


@bp.route("/engagements/<int:engagement_id>/feedback/sent")
@login_required
def sent(engagement_id):
    """What was just sent from this browser: who was asked and their links (with copy buttons)."""
    e = policy.get_engagement(engagement_id, edit=True)
    batch = session.get(SENT_KEY) or {}
    links, kind, meeting = [], None, None
    if batch.get("engagement") == e.id:
        links = service.sent_links(e, batch.get("key", ""), batch.get("ids", []))
        kind = batch.get("kind")
        meeting = Meeting.live().where((Meeting.id == batch.get("meeting")) & (Meeting.engagement == e.id)).first()
    page = render_template("feedback/sent.html", e=e, kind=kind, sent=links, meeting=meeting)
    # The links are credentials: keep the page out of caches and its address out of Referer headers.
    return page, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


# --- answering ---------------------------------------------------------------------------------------


def _answer(invitation, action, user=None):
    items = service.asked_items(invitation)
    spec = invitation.instrument.spec
    form = answer_form(items, invitation.kind, spec.get("scale_labels", {}))
    if form.validate_on_submit():
        try:
            service.submit(invitation, form.values(), form.comments(), anonymous=form.anonymous.data, user=user)
        except service.LinkRefused as refused:
            return _refused(refused.reason)
        except ValidationError as exc:
            form.add_errors(
                {
                    (f"item_{k}" if hasattr(form, f"item_{k}") else f"text_{k}" if hasattr(form, f"text_{k}") else k): v
                    for k, v in exc.errors.items()
                }
            )
        else:
            return render_template("feedback/thanks.html", e=invitation.engagement)
    status = 400 if (form.errors or form.form_errors) else 200
    page = render_template(
        "feedback/answer.html",
        invitation=invitation,
        e=invitation.engagement,
        form=form,
        items=items,
        action=action,
        labels=spec.get("scale_labels", {}),
    )
    # The link is a credential: keep the page out of caches and its address out of Referer headers.
    return page, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.route("/feedback/<token>", methods=["GET", "POST"])
def answer(token):
    try:
        invitation = service.invitation_for_token(token)
    except service.LinkRefused as refused:
        return _refused(refused.reason)
    user = current_user if current_user.is_authenticated else None
    return _answer(invitation, url_for("feedback.answer", token=token), user=user)


@bp.route("/feedback/mine/<int:invitation_id>", methods=["GET", "POST"])
@login_required
def answer_mine(invitation_id):
    try:
        invitation = service.invitation_for_user(invitation_id, current_user)
    except service.LinkRefused as refused:
        if refused.reason == "invalid":
            abort(404)
        return _refused(refused.reason)
    return _answer(invitation, url_for("feedback.answer_mine", invitation_id=invitation.id), user=current_user)
