"""Deliverables: add, edit, mark delivered, remove."""

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from .. import policy
from ..db import database
from ..forms import BaseForm
from ..forms.deliverables import DeliverableForm, DeliverForm
from ..models import Deliverable
from .helpers import form_page

bp = Blueprint("deliverables", __name__, url_prefix="/engagements/<int:engagement_id>/deliverables")


def back(engagement):
    return url_for("engagements.detail", engagement_id=engagement.id, _anchor="deliverables-h")


def _fill(deliverable, form):
    deliverable.title = (form.title.data or "").strip()
    deliverable.kind = form.kind.data
    deliverable.due_on = form.due_on.data
    deliverable.delivered_on = form.delivered_on.data
    deliverable.link = form.link.data or ""
    deliverable.note = (form.note.data or "").strip()
    deliverable.save()
    return deliverable


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    form = DeliverableForm()
    return form_page(
        form,
        lambda f: _fill(Deliverable(engagement=engagement), f),
        lambda d: f"Deliverable added: {d.title}.",
        back(engagement),
        "deliverables/form.html",
        e=engagement,
        d=None,
    )


@bp.route("/<int:deliverable_id>/edit", methods=["GET", "POST"])
@login_required
def edit(engagement_id, deliverable_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    deliverable = policy.get_part(Deliverable, engagement, deliverable_id)
    form = DeliverableForm(obj=deliverable)
    return form_page(
        form,
        lambda f: _fill(deliverable, f),
        lambda d: f"Deliverable saved: {d.title}.",
        back(engagement),
        "deliverables/form.html",
        e=engagement,
        d=deliverable,
    )


@bp.route("/<int:deliverable_id>/deliver", methods=["GET", "POST"])
@login_required
def deliver(engagement_id, deliverable_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    deliverable = policy.get_part(Deliverable, engagement, deliverable_id)
    form = DeliverForm(obj=deliverable)
    if request.method == "GET" and form.delivered_on.data is None:
        form.delivered_on.data = dt.date.today()

    def write(f):
        deliverable.delivered_on = f.delivered_on.data
        deliverable.link = f.link.data or ""
        deliverable.save()
        return deliverable

    return form_page(
        form,
        write,
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
    form = BaseForm()
    if form.validate_on_submit():
        with database.atomic():
            deliverable.delete_instance()
        flash(f"Deliverable deleted: {deliverable.title}.", "success")
        return redirect(back(engagement))
    return render_template(
        "confirm.html",
        title="Delete this deliverable?",
        message=f"“{deliverable.title}” will be removed from {engagement.title}. The audit log keeps a record of it.",
        action=url_for(".delete", engagement_id=engagement.id, deliverable_id=deliverable.id),
        button="Delete the deliverable",
        cancel=back(engagement),
    )
