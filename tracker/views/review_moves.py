"""The review moves of the pages (issue 23), shared by a meeting log and an activity: the panel's POST and
the refusal of an edit or deletion of a locked log. Who may make a move is policy.can_move_log; the move
is services.review.move_log; this module only reads the form and answers."""

from flask import abort, flash, redirect, render_template
from flask_login import current_user

from .. import policy
from ..db import database
from ..forms.review import ReviewForm
from ..models import LOCKED, MOVE_LABELS, REVIEW_STATES, StaleEdit, ValidationError, label
from ..services.review import move_log
from .helpers import show_conflict

DONE = {
    "submit": "submitted for review",
    "return": "returned to its author",
    "approve": "approved",
    "reopen": "reopened",
}


def refuse_locked(log, engagement, back):
    """None while the viewer may change `log`; else a flash and a redirect to `back` (an approved log is
    locked: policy.can_change_log). The page's own access check (404/403) comes before this."""
    if policy.can_change_log(current_user, log, engagement):
        return None
    flash(LOCKED if log.is_locked else "You may not change this log.", "error")
    return redirect(back)


def review_post(log, engagement, what, show_page, back, action):
    """Make the posted move on `log`. `show_page(form, status)` renders the log's page with the panel's form
    (its message next to the note, the typed note kept); `what` names the log in messages ("Meeting of 3 Feb
    2026"); `back` is where a made move returns; `action` the panel's URL (for the reopening's confirmation)."""
    form = ReviewForm()
    if not form.validate_on_submit():  # a bad CSRF token stops here with 400
        return show_page(form, 400)
    move = form.move.data
    if move not in log.moves_from_here():  # someone moved it since the page was shown
        form.form_errors.append(
            f"This log is now {label(REVIEW_STATES, log.review_state).lower()}: "
            f"“{MOVE_LABELS[move]}” no longer applies. Nothing was changed."
        )
        return show_page(form, 409)
    if not policy.can_move_log(current_user, log, move, engagement):
        abort(403)
    note = form.note.data or ""
    if move == "reopen" and note.strip() and form.confirmed.data != "yes":
        return render_template(
            "meetings/review_confirm.html", form=form, what=what, action=action, cancel=back, note=note
        )
    try:
        with database.atomic():
            move_log(log, move, current_user, note, form.version.data)
    except StaleEdit as exc:
        show_conflict(form, exc)
        return show_page(form, 409)
    except ValidationError as exc:
        form.add_errors(exc.errors)
        return show_page(form, 400)
    flash(f"{what} {DONE[move]}.", "success")
    return redirect(back)
