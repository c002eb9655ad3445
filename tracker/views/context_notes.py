"""Context notes: barriers and facilitators by CFIR domain."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import policy
from ..catalog import cfir_domains
from ..db import database
from ..forms import BaseForm
from ..forms.context_notes import ContextNoteForm
from ..models import CFIR_DOMAINS, ContextNote
from .helpers import PartForm, save_fields

bp = Blueprint("context_notes", __name__, url_prefix="/engagements/<int:engagement_id>/context-notes")


def back(engagement):
    return url_for("engagements.detail", engagement_id=engagement.id, _anchor="context-h")


def domain_help():
    """[(key, name, help)] in the order of models.CFIR_DOMAINS, with the catalog's names and help."""
    catalog = {key: (name, text) for key, name, text in cfir_domains()}
    return [(key, catalog.get(key, (name, ""))[0], catalog.get(key, (name, ""))[1]) for key, name in CFIR_DOMAINS]


NOTE_FORM = PartForm(
    ContextNote,
    "context_notes/form.html",
    "note",
    "context-h",
    added=lambda n: f"{n.kind_label} noted ({n.domain_label}).",
    saved=lambda n: f"{n.kind_label} saved ({n.domain_label}).",
)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    note = ContextNote(engagement=engagement, created_by=current_user.id)
    return NOTE_FORM.page(engagement, None, ContextNoteForm(), lambda f: save_fields(note, f), domains=domain_help())


@bp.route("/<int:note_id>/edit", methods=["GET", "POST"])
@login_required
def edit(engagement_id, note_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    note = policy.get_part(ContextNote, engagement, note_id)
    return NOTE_FORM.page(engagement, note, ContextNoteForm(obj=note), domains=domain_help())


@bp.route("/<int:note_id>/delete", methods=["GET", "POST"])
@login_required
def delete(engagement_id, note_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    note = policy.get_part(ContextNote, engagement, note_id)
    form = BaseForm()
    if form.validate_on_submit():
        with database.atomic():
            note.delete_instance()
        flash(f"{note.kind_label} deleted.", "success")
        return redirect(back(engagement))
    excerpt = note.text if len(note.text) <= 120 else note.text[:117] + "…"
    return render_template(
        "confirm.html",
        title=f"Delete this {note.kind_label.lower()}?",
        message=f"“{excerpt}” ({note.domain_label}, {note.noted_on.isoformat()}) will be removed from "
        f"{engagement.title}. The audit log keeps a record of it.",
        action=url_for(".delete", engagement_id=engagement.id, note_id=note.id),
        button="Delete the note",
        cancel=back(engagement),
    )
