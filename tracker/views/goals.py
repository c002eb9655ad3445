"""Goals: add, edit, and change status with a dated history."""

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import policy
from ..db import database
from ..forms import BaseForm
from ..forms.goals import GoalForm, GoalStatusForm, NewGoalForm
from ..models import Goal, GoalStatusChange
from .helpers import PartForm, form_status, save_fields, save_form

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


def _history(goal):
    return list(
        GoalStatusChange.select()
        .where(GoalStatusChange.goal == goal)
        .order_by(GoalStatusChange.changed_on, GoalStatusChange.id)
    )


def _admin_engagement(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    if not policy.can_restore(current_user):
        abort(403)
    return engagement


def _add(engagement, form):
    """A new goal and the first entry of its history (its starting status, dated today)."""
    goal = save_fields(Goal(engagement=engagement), form)
    GoalStatusChange.create(
        goal=goal, status=goal.status, changed_on=dt.date.today(), note="Goal set.", changed_by=current_user.id
    )
    return goal


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    return GOAL_FORM.page(engagement, None, NewGoalForm(), lambda f: _add(engagement, f))


@bp.route("/<int:goal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(engagement_id, goal_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, engagement, goal_id)
    return GOAL_FORM.page(engagement, goal, GoalForm(obj=goal))


@bp.route("/<int:goal_id>/status", methods=["GET", "POST"])
@login_required
def status(engagement_id, goal_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, engagement, goal_id)
    history = _history(goal)
    last_change = max((h.changed_on for h in history), default=None)
    form = GoalStatusForm(
        data={"status": NEXT_STATUS.get(goal.status, ""), "changed_on": dt.date.today()},
        goal=goal,
        last_change=last_change,
    )

    def write(form):
        return goal.change_status(
            form.status.data, form.changed_on.data, note=form.note.data or "", user=current_user.id
        )

    done = save_form(
        form,
        write,
        lambda c: f"“{goal.title}” is now {c.status_label.lower()} (from {c.changed_on.isoformat()}).",
        _back(engagement),
    )
    if done:
        return done
    return render_template("goals/status.html", form=form, e=engagement, goal=goal, history=history), form_status(form)


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
    goals = list(
        Goal.select()
        .where((Goal.engagement == engagement.id) & Goal.deleted_at.is_null(False))
        .order_by(Goal.deleted_at.desc(), Goal.id)
    )
    return render_template("goals/deleted.html", e=engagement, goals=goals)


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
