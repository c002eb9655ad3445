"""Engagements: the list with filters, the page that tells an engagement's story, creating one
directly, editing its summary and ISPs, and changing its status."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit, policy, reports
from ..forms import BaseForm
from ..forms.engagements import EngagementFilterForm, EngagementForm, NewEngagementForm, StatusForm
from ..models import (
    CONTEXT_KINDS,
    MEETING_KINDS,
    Engagement,
    Meeting,
    Stage,
    ValidationError,
    today,
)
from ..paging import paginate
from ..reports import activities as activities_report
from ..reports import adherence as adherence_report
from ..reports import cost as cost_report
from ..reports import feedback as feedback_report
from ..reports import power as power_report
from ..services import engagements as service
from ..services import plans as plan_page
from .helpers import form_page, form_status, save_form

bp = Blueprint("engagements", __name__, url_prefix="/engagements")


def _page_after_save(engagement):
    """The engagement page, or the list when the ISP took themselves off the engagement."""
    if policy.can_view_engagement(current_user, engagement):
        return url_for("engagements.detail", engagement_id=engagement.id)
    return url_for("engagements.index")


@bp.route("", strict_slashes=False)
@login_required
def index():
    units, isps = reports.engagement_filter_options(policy.visible_engagements(current_user))
    form = EngagementFilterForm(
        request.args,
        units=units,
        stages=list(Stage.ordered()),
        isps=isps,
        user_id=current_user.id if policy.can_co_lead(current_user) else None,
    )
    filters = form.cleaned()

    query = Engagement.filtered(policy.visible_engagements(current_user), **filters)
    page = paginate(
        query.order_by(Engagement.start_date.desc(), Engagement.id.desc()),
        request.args.get("page"),
        current_app.config["PER_PAGE"],
    )
    rows = reports.engagement_list(page.get_object_list())
    return render_template(
        "engagements/list.html",
        form=form,
        filters=filters,
        csv_args=_csv_args(filters),
        rows=rows,
        page=page,
        can_create=policy.can_create_engagement(current_user),
        can_restore=policy.can_restore(current_user),
    )


def _csv_args(filters):
    """The list's filters as the engagements CSV reads them (the report filters' names, and status, q)."""
    stage = Stage.get_or_none(Stage.id == filters["stage"]) if filters.get("stage") else None
    args = {
        "unit_id": filters.get("unit"),
        "isp_id": filters.get("isp") or filters.get("mine"),
        "support_model": filters.get("model"),
        "stage": stage.key if stage else None,
        "status": filters.get("status"),
        "q": filters.get("q"),
    }
    return {k: v for k, v in args.items() if v not in (None, "")}


@bp.route("/new", methods=["GET", "POST"])
@policy.required(policy.can_create_engagement)
def new():
    form = NewEngagementForm(data=NewEngagementForm.defaults())
    if request.method == "GET" and policy.can_co_lead(current_user):
        form.co_lead_1.data = str(current_user.id)  # the ISP creating it usually co-leads it

    return form_page(
        form,
        lambda f: service.create_engagement(f.domain_data(), current_user),
        lambda e: f"Engagement “{e.title}” created.",
        _page_after_save,
        "engagements/form.html",
        e=None,
        title="New engagement",
        button="Create engagement",
    )


@bp.route("/<int:engagement_id>")
@login_required
def detail(engagement_id):
    # The ISP links are loaded once, for the access checks and the page (no query per check).
    isps = Engagement.isps_of(engagement_id)
    engagement = policy.get_engagement(engagement_id, isps=isps)
    overview = reports.engagement_overview(
        engagement,
        request.args.get("meetings_page", 1, type=int),
        isps=isps,
        sees_internal=policy.can_see_internal_notes(current_user),
    )
    show_activity = policy.can_see_activity(current_user)
    can_edit = policy.can_edit_engagement(current_user, engagement, isps)
    plan = plan_page.engagement_plan(engagement, current_user, isps)
    return render_template(
        "engagements/detail.html",
        o=overview,
        e=engagement,
        can_edit=can_edit,
        can_delete=policy.can_delete_engagement(current_user, engagement, isps),
        session_kind=Meeting.last_session_kind(current_user) if can_edit else None,
        kind_labels=dict(MEETING_KINDS),
        status_history=service.status_history(engagement),
        status_actions=service.available_actions(engagement),
        actions=service.STATUS_ACTIONS,
        status_pages=STATUS_PAGES,
        activity=audit.activity(engagement.id) if show_activity else None,
        feedback=feedback_report.glance(engagement.id),
        power=power_report.engagement_power(engagement.id),
        # Plan and delivery (issue 19): one keyword per partial of engagements/_plan_section.html
        plan=plan,
        adherence=adherence_report.engagement_adherence(engagement.id) if plan["items"] else None,
        cost=cost_report.engagement_cost(engagement.id) if policy.can_see_cost(current_user) else None,
        context_kinds=CONTEXT_KINDS,
        between=activities_report.glance(engagement.id),  # issue 22: the work between meetings
    )


@bp.route("/<int:engagement_id>/edit", methods=["GET", "POST"])
@login_required
def edit(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    current = engagement.isps()
    co_leads = [str(link.user_id) for link in current if link.role == "co_lead"] + ["", ""]
    form = EngagementForm(
        obj=engagement,
        engagement=engagement,
        data={
            "co_lead_1": co_leads[0],
            "co_lead_2": co_leads[1],
            "supporting": [link.user_id for link in current if link.role == "supporting"],
        },
    )
    form.title.render_kw = {"autofocus": True, "autocomplete": "off", "required": True}
    if engagement.status == "closed":
        form.end_date.label.text = "End date"

    return form_page(
        form,
        lambda f: service.update_engagement(f.start_from(engagement), f.domain_data(), current_user),
        "Engagement details saved.",
        _page_after_save,
        "engagements/form.html",
        e=engagement,
        title="Edit engagement",
        button="Save changes",
    )


STATUS_PAGES = {
    "activate": (
        "Activate the engagement",
        "The engagement becomes active: the work with the unit has started.",
    ),
    "pause": (
        "Pause the engagement",
        "Pausing keeps everything as it is; resume the engagement when the work starts again.",
    ),
    "resume": ("Resume the engagement", "The engagement becomes active again."),
    "close": (
        "Close the engagement",
        "Closing records the end of the support. Write what was achieved and what the unit carries on "
        "with; the closing summary is shown on the engagement page.",
    ),
}


@bp.route("/<int:engagement_id>/status", methods=["GET", "POST"])
@login_required
def status(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    available = service.available_actions(engagement)
    action = request.values.get("action", "")
    page = {"e": engagement, "available": available, "actions": service.STATUS_ACTIONS, "pages": STATUS_PAGES}
    if action not in available:
        # No action chosen (or one that does not apply to the current status): offer those that do.
        error = None
        if request.method == "POST":
            StatusForm().validate_on_submit()  # a bad CSRF token still answers 400 first
            error = f"The engagement is {engagement.status_label.lower()}: " + (
                "choose one of the actions below." if available else "its status cannot change now."
            )
        return render_template(
            "engagements/status.html", form=None, action=None, error=error, **page
        ), 400 if error else 200
    form = StatusForm(data={"action": action, "end_date": today()})

    def write(f):
        return service.change_status(
            engagement,
            action,
            current_user,
            reason=f.reason.data,
            closing_summary=f.closing_summary.data,
            end_date=f.end_date.data,
        )

    done = save_form(
        form,
        write,
        f"Engagement {service.STATUS_ACTIONS[action][3]}.",
        url_for("engagements.detail", engagement_id=engagement.id),
    )
    if done:
        return done
    return render_template("engagements/status.html", form=form, action=action, error=None, **page), form_status(form)


# --- deleting and restoring ------------------------------------------------------------------------


@bp.route("/<int:engagement_id>/delete", methods=["GET", "POST"])
@login_required
def delete(engagement_id):
    """GET: the confirmation page (nothing changes); POST: soft-delete the engagement."""
    engagement = policy.get_engagement(engagement_id, edit=True)
    if not policy.can_delete_engagement(current_user, engagement):
        abort(403)
    if BaseForm().validate_on_submit():  # a bad CSRF token answers 400
        service.delete_engagement(engagement)
        flash(f"Engagement “{engagement.title}” deleted. An administrator can restore it.", "success")
        return redirect(url_for("engagements.index"))
    return render_template(
        "engagements/delete.html",
        e=engagement,
        title="Delete this engagement?",
        message=(
            f"“{engagement.title}” will disappear from the engagement list, the home page, reports and the "
            "API, and its feedback links will stop working. Its team, goals, meetings, stages and feedback "
            "are kept with it: an administrator can restore the engagement with all of them."
        ),
        action=url_for("engagements.delete", engagement_id=engagement.id),
        button="Delete the engagement",
        cancel=url_for("engagements.detail", engagement_id=engagement.id),
    )


@bp.route("/deleted")
@login_required
def deleted():
    if not policy.can_restore(current_user):
        abort(403)
    return render_template("engagements/deleted.html", rows=service.deleted_engagements())


@bp.route("/<int:engagement_id>/restore", methods=["POST"])
@login_required
def restore(engagement_id):
    engagement = policy.get_deleted_engagement(engagement_id)
    BaseForm().validate_on_submit()  # a bad CSRF token answers 400
    try:
        service.restore_engagement(engagement)
    except ValidationError as exc:
        flash(f"“{engagement.title}” could not be restored: " + " ".join(exc.errors.values()), "error")
        return redirect(url_for("engagements.deleted"))
    flash(f"Engagement “{engagement.title}” restored, with its team, goals, meetings and feedback.", "success")
    return redirect(url_for("engagements.detail", engagement_id=engagement.id))
