"""The review panel's form (issue 23): one move of a meeting log or an activity, its note, and the version
of the log the page showed (a move on a log that changed since is a stale edit, like any versioned form).
The move's rules (where it starts, whether it needs a note) are the model's (models/review.py)."""

from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, InputRequired

from ..models import MAX_REVIEW_NOTE, REVIEW_MOVES
from . import VersionedForm
from .fields import as_text


class ReviewForm(VersionedForm):
    move = HiddenField(
        "Move", validators=[InputRequired("Choose a move."), AnyOf(list(REVIEW_MOVES), "Choose a move.")]
    )
    note = TextAreaField("Note", filters=[as_text], render_kw={"maxlength": MAX_REVIEW_NOTE, "rows": 3})
    confirmed = HiddenField()  # a reopening is confirmed on a second page before it is made
