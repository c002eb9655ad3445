"""Drafts of the meeting form and "someone else is editing" (issue 23): the routes static/js/autosave.js
calls (JSON answers) and the Discard button (a plain form: works without JavaScript).

The meeting form itself (views/meetings.py) shows the draft banner and the presence notice from
`form_state`.
"""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from .. import policy
from ..forms import BaseForm
from ..models import DraftTooLarge, Meeting
from ..services import drafts as service

bp = Blueprint("drafts", __name__, url_prefix="/engagements/<int:engagement_id>/meetings")


def _form_of(engagement_id, meeting_id):
    """The engagement and meeting (None: a new meeting) whose form the current user keeps a draft of."""
    engagement = policy.get_engagement(engagement_id, edit=True)
    if not policy.can_keep_drafts(current_user, engagement):
        abort(403)
    meeting = policy.get_part(Meeting, engagement, meeting_id) if meeting_id is not None else None
    return engagement, meeting


def _posted():
    BaseForm().validate_on_submit()  # 400 without a valid CSRF token


def _stamp(moment):
    return {"at": moment.isoformat() + "Z", "label": moment.strftime("%H:%M") + " UTC"}


def editing_message(others):
    """The notice on an edit page another person has open too ("" when nobody has)."""
    if not others:
        return ""
    names = [p.user.name for p in others]
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    verb = "is" if len(names) == 1 else "are"
    since = min(p.since for p in others).strftime("%H:%M")
    return (
        f"{who} {verb} editing this meeting too (since {since} UTC). Your changes may conflict; "
        "the later save is refused if it started from an older version."
    )


def form_state(engagement, meeting):
    """What the meeting form shows about drafts and presence, for the current user: their draft (only on a
    fresh GET: a refused POST shows what was just typed) and who else has the meeting open for editing."""
    if not policy.can_keep_drafts(current_user, engagement):
        return {"draft": None, "editing": [], "editing_message": ""}
    state = service.open_form(current_user, engagement, meeting, fresh=request.method == "GET")
    return dict(state, editing_message=editing_message(state["editing"]))


@bp.route("/draft", methods=["POST"], defaults={"meeting_id": None})
@bp.route("/<int:meeting_id>/draft", methods=["POST"])
@login_required
def save(engagement_id, meeting_id):
    """Keep the posted form as the current user's draft: {"saved": {"at", "label"}}; 413 when too large."""
    engagement, meeting = _form_of(engagement_id, meeting_id)
    _posted()
    try:
        draft = service.save_draft(current_user, engagement, meeting, request.form.items(multi=True))
    except DraftTooLarge as exc:
        abort(413, description=exc.errors["data"])
    return {"saved": _stamp(draft.saved_at)}


@bp.route("/draft/discard", methods=["POST"], defaults={"meeting_id": None})
@bp.route("/<int:meeting_id>/draft/discard", methods=["POST"])
@login_required
def discard(engagement_id, meeting_id):
    engagement, meeting = _form_of(engagement_id, meeting_id)
    _posted()
    service.discard_draft(current_user, engagement, meeting)
    flash("Draft discarded.", "success")
    if meeting is None:
        return redirect(url_for("meetings.new", engagement_id=engagement.id))
    return redirect(url_for("meetings.edit", engagement_id=engagement.id, meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/editing", methods=["POST"])
@login_required
def editing(engagement_id, meeting_id):
    """The edit page is open (pinged every 30 s): who else has it open,
    {"editing": [{"name", "since": {"at", "label"}}], "message": the notice to show, "" for none}."""
    _engagement, meeting = _form_of(engagement_id, meeting_id)
    _posted()
    others = service.editing(current_user, meeting)
    return {
        "editing": [{"name": p.user.name, "since": _stamp(p.since)} for p in others],
        "message": editing_message(others),
    }
