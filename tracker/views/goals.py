"""Goals: add (with the day set), edit, change status, and correct or remove entries of the dated history."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import policy
from ..dates import format_date
from ..db import database
from ..forms import BaseForm
from ..forms.goals import (
    GoalForm,
    GoalMeasureForm,
    GoalStatusForm,
    MeasurementEditForm,
    MeasurementForm,
    NewGoalForm,
)
from ..models import Goal, GoalMeasurement, GoalStatusChange, GoalTemplate, today
from ..reports import charts, tables
from ..services import goals as goal_service
from .helpers import PartForm, form_page, form_status, save_fields, save_form

bp = Blueprint("goals", __name__, url_prefix="/engagements/<int:engagement_id>/goals")

NEXT_STATUS = {"not_started": "in_progress", "in_progress": "achieved"}
GOAL_FORM = PartForm(
    Goal,
    "goals/form.html",
    "goal",
    "goals-h",
    add_title="Add a goal",
    add_button="Add the goal",
    added=lambda g: f"Goal “{g.title}” added.",
    edit_title=lambda g: "Edit the goal",
    saved=lambda g: f"Goal “{g.title}” saved.",
)


def _back(engagement):
    return url_for("engagements.detail", engagement_id=engagement.id, _anchor="goals-h")


def _admin_engagement(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    if not policy.can_restore(current_user):
        abort(403)
    return engagement


def _entry(goal, change_id):
    entry = GoalStatusChange.get_or_none((GoalStatusChange.id == change_id) & (GoalStatusChange.goal == goal.id))
    if entry is None:
        abort(404)
    return entry


def _add(engagement, form):
    """A new goal and the first entry of its history: its starting status on the day it was set."""
    data = {"title": form.title.data, "indicator": form.indicator.data, "target": form.target.data}
    data["status"] = form.status.data
    return goal_service.add_goal(engagement, data, current_user.id, set_on=form.set_on.data)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(engagement_id):
    """Add a goal; `?template=<id>` fills the form from a goal template the administrators curate."""
    engagement = policy.get_engagement(engagement_id, edit=True)
    chosen = GoalTemplate.offered().where(GoalTemplate.id == request.args.get("template", type=int)).first()
    form = NewGoalForm(obj=chosen) if request.method == "GET" and chosen else NewGoalForm()
    return GOAL_FORM.page(
        engagement, None, form, lambda f: _add(engagement, f), templates=list(GoalTemplate.offered()), chosen=chosen
    )


@bp.route("/<int:goal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(engagement_id, goal_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, engagement, goal_id)
    return GOAL_FORM.page(engagement, goal, GoalForm(obj=goal))


def _goal_page(engagement, goal, form=None):
    """The goal page: its measure, progress toward target, values (chart and table), status history."""
    values = goal.measurements()
    latest = values[-1] if values else None
    if latest is not None:  # the latest-dated; ties: the latest entered (as Goal.latest_measurement)
        latest = max(values, key=lambda v: (v.date, v.id))
    if form is None and goal.has_measure and policy.can_edit_engagement(current_user, engagement):
        form = MeasurementForm()
    return render_template(
        "goals/detail.html",
        e=engagement,
        goal=goal,
        values=values,
        latest=latest,
        progress=goal.progress(latest) if latest else None,
        values_chart=charts.goal_values(goal, values),
        history=goal.dated_history(),
        form=form,
    ), form_status(form) if form is not None else 200


@bp.route("/<int:goal_id>")
@login_required
def detail(engagement_id, goal_id):
    engagement = policy.get_engagement(engagement_id)
    goal = policy.get_part(Goal, engagement, goal_id)
    return _goal_page(engagement, goal)


@bp.route("/<int:goal_id>/values", methods=["POST"])
@login_required
def record(engagement_id, goal_id):
    """Record a value of the goal's measured indicator (the goal page's small form)."""
    engagement = policy.get_engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, engagement, goal_id)
    form = MeasurementForm()
    done = save_form(
        form,
        lambda f: goal_service.record_measurement(goal, f.date.data, f.value.data, user=current_user.id),
        lambda m: f"“{goal.title}”: {m.value:g} on {format_date(m.date)} recorded.",
        url_for("goals.detail", engagement_id=engagement.id, goal_id=goal.id, _anchor="values-h"),
    )
    return done or _goal_page(engagement, goal, form)


def _value(goal, value_id):
    """A live recorded value of the goal (404 otherwise), knowing its engagement."""
    value = GoalMeasurement.live().where((GoalMeasurement.id == value_id) & (GoalMeasurement.goal == goal.id)).first()
    if value is None:
        abort(404)
    value.goal_engagement_id = goal.engagement_id
    return value


def _values_back(engagement, goal):
    return url_for("goals.detail", engagement_id=engagement.id, goal_id=goal.id, _anchor="values-h")


@bp.route("/<int:goal_id>/values/<int:value_id>/edit", methods=["GET", "POST"])
@login_required
def edit_value(engagement_id, goal_id, value_id):
    """Correct a recorded value: its date and value (a stale edit shows the other change)."""
    engagement = policy.get_engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, engagement, goal_id)
    value = _value(goal, value_id)
    return form_page(
        MeasurementEditForm(obj=value),
        lambda f: goal_service.correct_measurement(f.start_from(value), f.date.data, f.value.data),
        lambda m: f"“{goal.title}”: the value is now {m.value:g} on {format_date(m.date)}.",
        _values_back(engagement, goal),
        "goals/value.html",
        e=engagement,
        goal=goal,
        value=value,
    )


@bp.route("/<int:goal_id>/values/<int:value_id>/remove", methods=["GET", "POST"])
@login_required
def remove_value(engagement_id, goal_id, value_id):
    """Remove a recorded value, after a confirmation."""
    engagement = policy.get_engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, engagement, goal_id)
    value = _value(goal, value_id)
    form = BaseForm()
    back = _values_back(engagement, goal)
    done = save_form(
        form,
        lambda f: goal_service.remove_measurement(value),
        f"“{goal.title}”: the value of {format_date(value.date)} removed.",
        back,
    )
    if done:
        return done
    unit = f" {goal.measure_unit}" if goal.measure_unit else ""
    return render_template(
        "goals/remove.html",
        title="Remove this value?",
        here="Remove a value",
        message=f"{value.value:g}{unit} on {format_date(value.date)} will no longer count for “{goal.title}”: "
        "its chart and progress toward target use the values left. The audit log keeps it.",
        action=url_for("goals.remove_value", engagement_id=engagement.id, goal_id=goal.id, value_id=value.id),
        button="Remove the value",
        cancel=back,
        e=engagement,
        errors=form.form_errors,
    ), form_status(form)


@bp.route("/<int:goal_id>/measure", methods=["GET", "POST"])
@login_required
def measure(engagement_id, goal_id):
    """Set or change the measure of the goal's indicator: unit, direction, baseline, target, outcome."""
    engagement = policy.get_engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, engagement, goal_id)
    return form_page(
        GoalMeasureForm(obj=goal),
        lambda f: save_fields(goal, f),
        f"The measure of “{goal.title}” saved.",
        url_for("goals.detail", engagement_id=engagement.id, goal_id=goal.id),
        "goals/measure.html",
        e=engagement,
        goal=goal,
    )


@bp.route("/<int:goal_id>/status", methods=["GET", "POST"])
@login_required
def status(engagement_id, goal_id):
    """A new dated change; a backdated one takes its place in the history."""
    engagement = policy.get_engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, engagement, goal_id)
    form = GoalStatusForm(data={"status": NEXT_STATUS.get(goal.status, ""), "changed_on": today()})

    def write(form):
        return goal_service.record_status_change(
            goal,
            form.status.data,
            form.changed_on.data,
            form.note.data,
            user=current_user.id,
            reason=form.reason.data or None,
            confirmed=form.confirm_open.data,
        )

    done = save_form(
        form,
        write,
        lambda c: f"“{goal.title}”: {c.status_label.lower()} from {format_date(c.changed_on)} recorded.",
        _back(engagement),
    )
    if done:
        return done
    return render_template(
        "goals/status.html",
        form=form,
        e=engagement,
        goal=Goal.get_by_id(goal.id),
        history=goal.dated_history(),
        open_items=goal.open_items(),
    ), form_status(form)


@bp.route("/<int:goal_id>/history/<int:change_id>", methods=["GET", "POST"])
@login_required
def correct(engagement_id, goal_id, change_id):
    """Correct an entry of the status history: its date, status or note."""
    engagement = policy.get_engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, engagement, goal_id)
    entry = _entry(goal, change_id)
    form = GoalStatusForm(obj=entry)
    form.status.label.text = "Status"
    return form_page(
        form,
        lambda f: goal_service.correct_status_change(
            entry, f.status.data, f.changed_on.data, f.note.data, user=current_user.id, reason=f.reason.data or None
        ),
        "History entry corrected.",
        url_for("goals.status", engagement_id=engagement.id, goal_id=goal.id),
        "goals/correct.html",
        e=engagement,
        goal=goal,
        entry=entry,
        history=goal.dated_history(),
    )


@bp.route("/<int:goal_id>/history/<int:change_id>/remove", methods=["GET", "POST"])
@login_required
def remove(engagement_id, goal_id, change_id):
    """Remove an entry from the status history, after a confirmation."""
    engagement = policy.get_engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, engagement, goal_id)
    entry = _entry(goal, change_id)
    form = BaseForm()
    back = url_for("goals.status", engagement_id=engagement.id, goal_id=goal.id)
    done = save_form(
        form, lambda f: goal_service.remove_status_change(entry, current_user.id), "History entry removed.", back
    )
    if done:
        return done
    return render_template(
        "goals/remove.html",
        title="Remove this history entry?",
        message=f"“{entry.status_label}” on {format_date(entry.changed_on)} will be removed from the history of "
        f"“{goal.title}”; the goal's status becomes that of the latest-dated entry left. The audit log keeps it.",
        action=url_for("goals.remove", engagement_id=engagement.id, goal_id=goal.id, change_id=entry.id),
        button="Remove the entry",
        cancel=back,
        e=engagement,
        errors=form.form_errors,
    ), form_status(form)


@bp.route("/<int:goal_id>/delete", methods=["GET", "POST"])
@login_required
def delete(engagement_id, goal_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, engagement, goal_id)
    form = BaseForm()
    if form.validate_on_submit():
        with database.atomic():
            goal.soft_delete()
        flash(f"Goal “{goal.title}” deleted.", "success")
        return redirect(_back(engagement))
    return render_template(
        "goals/delete.html",
        title="Delete this goal?",
        message=f"“{goal.title}” and its status history will no longer show on {engagement.title}. "
        "An administrator can restore it.",
        action=url_for("goals.delete", engagement_id=engagement.id, goal_id=goal.id),
        button="Delete the goal",
        cancel=_back(engagement),
        e=engagement,
    )


@bp.route("/deleted")
@login_required
def deleted(engagement_id):
    engagement = _admin_engagement(engagement_id)
    return render_template("goals/deleted.html", e=engagement, goals=tables.deleted_goals(engagement.id))


@bp.route("/<int:goal_id>/restore", methods=["POST"])
@login_required
def restore(engagement_id, goal_id):
    engagement = _admin_engagement(engagement_id)
    goal = policy.get_part(Goal, engagement, goal_id, deleted=True)
    form = BaseForm()
    if not form.validate_on_submit():
        abort(400)
    with database.atomic():
        goal.restore()
    flash(f"Goal “{goal.title}” restored.", "success")
    return redirect(_back(engagement))
