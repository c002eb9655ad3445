"""The work between meetings (issue 22): log several activities at once, list, edit and delete them."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from .. import policy
from ..forms.activities import ActivitiesForm, ActivityForm, ActivityRowForm
from ..models import MAX_ACTIVITIES_AT_ONCE, Activity, Engagement, today
from ..paging import paginate
from ..reports import activities as report
from ..reports import meeting_form
from ..reports.filters import ReportFilters
from ..reports.log_review import review_panel
from ..services import activities as service
from ..services.review import move_log
from .helpers import delete_part_page, form_page, show_date
from .review_moves import refuse_locked, review_post

PER_PAGE = 25
bp = Blueprint("activities", __name__, url_prefix="/engagements/<int:engagement_id>/activities")


def _engagement(engagement_id, log=False):
    """The engagement as the policy lets the user reach it; `log`: 403 unless they may log its work."""
    isps = Engagement.isps_of(engagement_id)
    engagement = policy.get_engagement(engagement_id, isps=isps)
    if log and not policy.can_log_activities(current_user, engagement, isps):
        abort(403)
    return engagement


def _choices(engagement, activity=None):
    """The ISPs of the engagement (and those the activity lists who have moved on) and the catalogs' tags,
    as the meeting form offers them."""
    linked = {"team_members": [], "isps": [], "competencies": [], "strategies": [], "principles": []}
    if activity is not None:
        linked["isps"] = [u.id for u in activity.isps]
        linked["strategies"] = [s["id"] for s in activity.strategies]
        linked["competencies"] = [c["id"] for c in activity.competencies]
    return {
        "today": today(),
        **meeting_form._people(engagement, linked),
        **meeting_form._competencies(None, linked),
        **meeting_form._strategies(engagement, linked),
    }


def _list_url(engagement):
    return url_for(".index", engagement_id=engagement.id)


def _detail_url(engagement, activity):
    return url_for("activities.detail", engagement_id=engagement.id, activity_id=activity.id)


def _saving_draft():
    """The "Save as draft(s)" button was pressed; the primary button submits for review."""
    return request.form.get("save") == "draft"


@bp.route("")
@login_required
def index(engagement_id):
    engagement = _engagement(engagement_id)
    page = paginate(report.engagement_activities(engagement.id), request.args.get("page"), PER_PAGE)
    return render_template(
        "activities/list.html",
        e=engagement,
        page=page,
        activities=report.with_links(page.get_object_list()),
        totals=report.minutes_by_kind(engagement.id),
        filters=ReportFilters(user=current_user, engagement=engagement.id),
        can_log=policy.can_log_activities(current_user, engagement),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(engagement_id):
    engagement = _engagement(engagement_id, log=True)
    ctx = _choices(engagement)
    form = ActivitiesForm()
    form.set_choices(ctx)
    on_engagement = any(u.id == current_user.id for u in ctx["isps"])  # the signed-in ISP, ticked by default
    blank_row = ActivityRowForm(prefix="rows-__i__-")  # what "Add a line" copies
    blank_row.set_choices(ctx)
    if on_engagement:
        blank_row.isps.data = [current_user.id]
        if request.method == "GET":
            for entry in form.rows:
                entry.form.isps.data = [current_user.id]

    def write(f):
        return service.log_activities(engagement, f.to_rows(), current_user, draft=_saving_draft())

    return form_page(
        form,
        write,
        lambda logged: f"{len(logged)} {'activity' if len(logged) == 1 else 'activities'} logged.",
        _list_url(engagement),
        "activities/new.html",
        e=engagement,
        ctx=ctx,
        max_rows=MAX_ACTIVITIES_AT_ONCE,
        blank_row=blank_row,
    )


def _activity(engagement, activity_id):
    activity = policy.get_part(Activity, engagement, activity_id)
    return report.with_links([activity])[0]


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def edit(engagement_id, activity_id):
    engagement = _engagement(engagement_id, log=True)
    activity = _activity(engagement, activity_id)
    locked = refuse_locked(activity, engagement, _detail_url(engagement, activity))
    if locked:
        return locked
    ctx = _choices(engagement, activity)
    form = ActivityForm(  # not obj=: the activity's isps and tags are records, the form's are ids
        data={**report.as_row(activity), "version": activity.version},
    )
    form.set_choices(ctx)

    def write(f):
        saved = service.update_activity(f.start_from(activity), f.to_row(), current_user)
        if not _saving_draft() and "submit" in saved.moves_from_here():  # a submitted one stays submitted
            move_log(saved, "submit", current_user)
        return saved

    reviewable = activity.review_state in ("draft", "returned")
    return form_page(
        form,
        write,
        lambda a: f"Activity of {show_date(a.date)} saved.",
        lambda a: _detail_url(engagement, a),
        "activities/edit.html",
        e=engagement,
        a=activity,
        ctx=ctx,
        button="Submit for review" if reviewable else "Save changes",
        draft_button=reviewable,
    )


def _detail_page(engagement, activity, review_form=None, status=200):
    return render_template(
        "activities/detail.html",
        e=engagement,
        a=report.with_links([activity])[0],
        can_change=policy.can_change_log(current_user, activity, engagement),
        review=review_panel(current_user, activity, engagement),
        review_form=review_form,
        review_action=url_for("activities.review", engagement_id=engagement.id, activity_id=activity.id),
    ), status


@bp.route("/<int:activity_id>")
@login_required
def detail(engagement_id, activity_id):
    engagement = _engagement(engagement_id)
    return _detail_page(engagement, policy.get_part(Activity, engagement, activity_id))


@bp.route("/<int:activity_id>/review", methods=["POST"])
@login_required
def review(engagement_id, activity_id):
    """One review move (submit, return, approve, reopen) from the activity's review panel."""
    engagement = _engagement(engagement_id)
    activity = policy.get_part(Activity, engagement, activity_id)
    return review_post(
        activity,
        engagement,
        f"{activity.kind_label} of {show_date(activity.date)}",
        lambda form, status: _detail_page(engagement, Activity.get_by_id(activity.id), form, status),
        _detail_url(engagement, activity),
        url_for("activities.review", engagement_id=engagement.id, activity_id=activity.id),
    )


@bp.route("/<int:activity_id>/delete", methods=["GET", "POST"])
@login_required
def delete(engagement_id, activity_id):
    engagement = _engagement(engagement_id, log=True)
    activity = policy.get_part(Activity, engagement, activity_id)
    locked = refuse_locked(activity, engagement, _detail_url(engagement, activity))
    if locked:
        return locked
    return delete_part_page(
        activity,
        title="Delete this activity?",
        message=f"{activity.kind_label} of {show_date(activity.date)} ({activity.minutes} minutes) will no longer "
        f"show on {engagement.title}, in reports, workloads or in the API.",
        button="Delete the activity",
        action=url_for(".delete", engagement_id=engagement.id, activity_id=activity.id),
        back=_list_url(engagement),
        done=lambda a: f"Activity deleted: {a.kind_label} of {show_date(a.date)}.",
    )
