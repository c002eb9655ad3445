"""The implementation plan of an engagement (issue 19): its items, the history of its versions and its
agreement by both co-leads and the recipient team lead. Every change is one version (models/plans.py
change_plan), made through services/plans.py; who may edit or agree is policy.py's."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import policy
from ..forms import BaseForm
from ..forms.plans import AgreeForm, PlanItemForm
from ..models import Goal, PlanItem, Stage, ValidationError, plan_strategy_groups, responsible_people
from ..services import plans as service
from .helpers import form_page

bp = Blueprint("plans", __name__, url_prefix="/engagements/<int:engagement_id>/plan")


def _plan_url(engagement, anchor=None):
    return url_for("plans.plan", engagement_id=engagement.id, _anchor=anchor)


def _item(engagement, plan_item_id):
    item = PlanItem.get_or_none(
        (PlanItem.id == plan_item_id) & (PlanItem.engagement == engagement.id) & PlanItem.deleted_at.is_null()
    )
    if item is None:
        abort(404)
    return item


def _render_plan(engagement, agree_error=None, status=200):
    isps = engagement.isps()
    page = service.plan_page(engagement, current_user, isps)
    return render_template("plans/plan.html", e=engagement, p=page, agree_error=agree_error), status


@bp.route("")
@login_required
def plan(engagement_id):
    engagement = policy.get_engagement(engagement_id)
    return _render_plan(engagement)


def _item_form(engagement, form, item=None):
    goals = Goal.live().where(Goal.engagement == engagement.id).order_by(Goal.id)
    isps, members = responsible_people(engagement.id, keep_member=item.responsible_member_id if item else None)
    keep = [item.strategy_id] if item else []
    return form.offer(plan_strategy_groups(keep), goals, Stage.ordered(), isps, members)


@bp.route("/items/new", methods=["GET", "POST"])
@login_required
def new_item(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    form = _item_form(engagement, PlanItemForm())
    return form_page(
        form,
        lambda f: service.add_item(engagement, current_user.id, f.values()),
        "Plan item added: the plan is a new version, to be agreed again.",
        _plan_url(engagement, "items-h"),
        "plans/item_form.html",
        e=engagement,
        item=None,
        title="Add a plan item",
        button="Add to the plan",
    )


@bp.route("/items/<int:plan_item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(engagement_id, plan_item_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    item = _item(engagement, plan_item_id)
    form = _item_form(engagement, PlanItemForm.of_item(item), item)
    return form_page(
        form,
        lambda f: service.change_item(engagement, current_user.id, item, f.values()),
        lambda version: (
            "Plan item saved: the plan is a new version, to be agreed again." if version else "Nothing changed."
        ),
        _plan_url(engagement, "items-h"),
        "plans/item_form.html",
        e=engagement,
        item=item,
        title=f"Edit {item.strategy.name}",
        button="Save changes",
    )


@bp.route("/items/<int:plan_item_id>/remove", methods=["GET", "POST"])
@login_required
def remove_item(engagement_id, plan_item_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    item = _item(engagement, plan_item_id)
    if BaseForm().validate_on_submit():  # a POST with a bad CSRF token answers 400 there
        service.remove_item(engagement, current_user.id, item)
        flash(f"{item.strategy.name} removed from the plan: the plan is a new version, to be agreed again.", "success")
        return redirect(_plan_url(engagement, "items-h"))
    return render_template(
        "confirm.html",
        title=f"Remove {item.strategy.name} from the plan?",
        message=f"{item.strategy.name} ({item.frequency_label}, {item.responsible_name}) will no longer be planned. "
        "The plan becomes a new version that both co-leads and the team lead agree to again; earlier versions "
        "keep the item in the plan's history.",
        action=url_for(".remove_item", engagement_id=engagement.id, plan_item_id=item.id),
        button="Remove the item",
        cancel=_plan_url(engagement, "items-h"),
    )


@bp.route("/agree", methods=["POST"])
@login_required
def agree(engagement_id):
    engagement = policy.get_engagement(engagement_id)
    if not policy.can_agree_to_plan(current_user, engagement):
        abort(403)
    form = AgreeForm()
    if not form.validate_on_submit():
        return _render_plan(engagement, "Nothing was recorded: the form was incomplete. Try again.", 400)
    try:
        given = service.agree(engagement, current_user._get_current_object(), form.party.data, form.version.data)
    except ValidationError as exc:
        return _render_plan(engagement, " ".join(exc.errors.values()), 409)
    who = "Your agreement" if given.user_id == current_user.id else "The team lead's agreement"
    flash(f"{who} to version {form.version.data} recorded.", "success")
    return redirect(_plan_url(engagement, "agreement-h"))
