"""FRAME-IS modifications of an engagement's planned strategies (issue 19): record one (from a lapse prompt,
with ?plan_item=<id>&prompted=1, or without one), read it, change it, delete it (soft, after a confirmation).

The rules are the model's (tracker/models/plans.py: record_modification closes a plan item; "change" is
recorded, then the plan item's edit page opens); who may do what is policy.can_read_modifications and
policy.can_record_modification."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from .. import policy
from ..forms.modifications import ModificationForm
from ..models import Modification, PlanItem, record_modification, update_modification
from .helpers import delete_part_page, form_status, save_form, show_date

bp = Blueprint("modifications", __name__, url_prefix="/engagements/<int:engagement_id>/modifications")


def plan_item_edit_url(engagement_id, item_id):
    """The plan item's edit page (tracker/views/plans.py), where a modification that changes its item leads."""
    return url_for("plans.edit_item", engagement_id=engagement_id, plan_item_id=item_id)


def _back(engagement):
    return url_for("engagements.detail", engagement_id=engagement.id, _anchor="modifications-h")


def _engagement(engagement_id, record=False):
    """The engagement as the reader may reach it: 404 when not visible, 403 when `record` is asked and the
    reader may not record modifications."""
    engagement = policy.get_engagement(engagement_id)
    allowed = policy.can_record_modification if record else policy.can_read_modifications
    if not allowed(current_user, engagement):
        abort(403)
    return engagement


def _plan_item(engagement):
    """The live plan item named by ?plan_item= (404 when it is not one of the engagement's), or None."""
    item_id = request.args.get("plan_item", "")
    if not item_id:
        return None
    if not item_id.isdigit() or len(item_id) > 10:
        abort(404)
    item = policy.get_part(PlanItem, engagement, int(item_id))
    if not item.is_open:
        abort(404)
    return item


def _recorded(modification, item):
    if item is not None and modification.plan_effect == "close":
        return f"Modification recorded; “{item.strategy.name}” is closed from {show_date(modification.decided_on)}."
    if item is not None and modification.plan_effect == "change":
        return f"Modification recorded. Now change the plan item “{item.strategy.name}” as decided."
    return f"Modification of “{modification.strategy.name}” recorded."


def _page(form, engagement, item=None, modification=None):
    return render_template(
        "modifications/form.html", form=form, e=engagement, item=item, modification=modification
    ), form_status(form)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(engagement_id):
    engagement = _engagement(engagement_id, record=True)
    item = _plan_item(engagement)
    form = ModificationForm(prompted="1" if request.args.get("prompted") == "1" else "")
    form.set_strategies(Modification.strategy_choices())
    form.fix_to(item)

    def write(form):
        values = form.values()
        values.update(plan_item=item, prompted=form.prompted.data == "1")
        if item is not None:
            values["strategy"] = None  # the model takes the item's
        return record_modification(engagement, current_user.id, values)

    def next_url(modification):
        if item is not None and modification.plan_effect == "change":
            return plan_item_edit_url(engagement.id, item.id)
        return _back(engagement)

    done = save_form(form, write, lambda m: _recorded(m, item), next_url)
    return done or _page(form, engagement, item)


def _modification(engagement, modification_id):
    return policy.get_part(Modification, engagement, modification_id)


@bp.route("/<int:modification_id>")
@login_required
def detail(engagement_id, modification_id):
    engagement = _engagement(engagement_id)
    modification = _modification(engagement, modification_id)
    return render_template(
        "modifications/detail.html",
        e=engagement,
        m=modification,
        item=modification.plan_item if modification.plan_item_id else None,
        can_record=policy.can_record_modification(current_user, engagement),
    )


@bp.route("/<int:modification_id>/edit", methods=["GET", "POST"])
@login_required
def edit(engagement_id, modification_id):
    engagement = _engagement(engagement_id, record=True)
    modification = _modification(engagement, modification_id)
    item = modification.plan_item if modification.plan_item_id else None
    form = ModificationForm(obj=modification)
    form.set_strategies(Modification.strategy_choices(keep=modification.strategy_id))
    form.fix_to(item)
    if item is not None:
        del form.plan_effect  # set when it was recorded: a change of the plan changes the item now
    detail_url = url_for("modifications.detail", engagement_id=engagement.id, modification_id=modification.id)
    done = save_form(
        form,
        lambda f: update_modification(f.start_from(modification), f.values()),
        lambda m: f"Modification of “{m.strategy.name}” saved.",
        detail_url,
    )
    return done or _page(form, engagement, item, modification)


@bp.route("/<int:modification_id>/delete", methods=["GET", "POST"])
@login_required
def delete(engagement_id, modification_id):
    engagement = _engagement(engagement_id, record=True)
    modification = _modification(engagement, modification_id)
    return delete_part_page(
        modification,
        title="Delete this modification?",
        message=f"The modification of “{modification.strategy.name}” recorded for "
        f"{show_date(modification.decided_on)} will no longer show on {engagement.title}, in the API or in "
        "the research export. A plan item it closed stays closed (change the plan to reopen it).",
        button="Delete the modification",
        action=url_for("modifications.delete", engagement_id=engagement.id, modification_id=modification.id),
        back=_back(engagement),
        done=lambda m: f"Modification of “{m.strategy.name}” deleted.",
    )
