"""Deliverables: add, edit, mark delivered, remove."""

from flask import Blueprint, request, url_for
from flask_login import login_required

from .. import policy
from ..forms.deliverables import DeliverableForm, DeliverForm
from ..models import Deliverable, Goal, today
from .helpers import PartForm, delete_part_page, form_page, save_fields

bp = Blueprint("deliverables", __name__, url_prefix="/engagements/<int:engagement_id>/deliverables")


def back(engagement):
    return url_for("engagements.detail", engagement_id=engagement.id, _anchor="deliverables-h")


DELIVERABLE_FORM = PartForm(
    Deliverable,
    "deliverables/form.html",
    "d",
    "deliverables-h",
    added=lambda d: f"Deliverable added: {d.title}.",
    saved=lambda d: f"Deliverable saved: {d.title}.",
)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    form = DeliverableForm().offer_goals(Goal.live().where(Goal.engagement == engagement.id).order_by(Goal.id))
    return DELIVERABLE_FORM.page(engagement, None, form)


@bp.route("/<int:deliverable_id>/edit", methods=["GET", "POST"])
@login_required
def edit(engagement_id, deliverable_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    deliverable = policy.get_part(Deliverable, engagement, deliverable_id)
    form = DeliverableForm(obj=deliverable)
    form.offer_goals(Goal.live().where(Goal.engagement == engagement.id).order_by(Goal.id))
    return DELIVERABLE_FORM.page(engagement, deliverable, form)


@bp.route("/<int:deliverable_id>/deliver", methods=["GET", "POST"])
@login_required
def deliver(engagement_id, deliverable_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    deliverable = policy.get_part(Deliverable, engagement, deliverable_id)
    form = DeliverForm(obj=deliverable)
    if request.method == "GET" and form.delivered_on.data is None:
        form.delivered_on.data = today()

    return form_page(
        form,
        lambda f: save_fields(deliverable, f),
        lambda d: f"Marked delivered: {d.title}.",
        back(engagement),
        "deliverables/deliver.html",
        e=engagement,
        d=deliverable,
    )


@bp.route("/<int:deliverable_id>/delete", methods=["GET", "POST"])
@login_required
def delete(engagement_id, deliverable_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    deliverable = policy.get_part(Deliverable, engagement, deliverable_id)
    return delete_part_page(
        deliverable,
        title="Delete this deliverable?",
        message=f"“{deliverable.title}” will no longer show on {engagement.title}, in reports or in the API.",
        button="Delete the deliverable",
        action=url_for(".delete", engagement_id=engagement.id, deliverable_id=deliverable.id),
        back=back(engagement),
        done=lambda d: f"Deliverable deleted: {d.title}.",
    )
