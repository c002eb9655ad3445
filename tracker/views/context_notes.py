"""Context notes: barriers and facilitators by CFIR domain."""

from flask import Blueprint, url_for
from flask_login import current_user, login_required

from .. import policy
from ..catalog import cfir_domains
from ..forms.context_notes import ContextNoteForm
from ..models import CFIR_DOMAINS, ContextNote
from .helpers import PartForm, delete_part_page, save_fields

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
    excerpt = note.text if len(note.text) <= 120 else note.text[:117] + "…"
    return delete_part_page(
        note,
        title=f"Delete this {note.kind_label.lower()}?",
        message=f"“{excerpt}” ({note.domain_label}, {note.noted_on.isoformat()}) will no longer show on "
        f"{engagement.title}, in reports or in the API.",
        button="Delete the note",
        action=url_for(".delete", engagement_id=engagement.id, note_id=note.id),
        back=back(engagement),
        done=lambda n: f"{n.kind_label} deleted.",
    )
