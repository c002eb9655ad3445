"""Review of logs (issue 23): a meeting log or a logged activity is a *draft*, *submitted* for review,
*returned* with a note, or *approved*; an approved log is locked.

The states and the moves between them are the business rule, written once here (`REVIEW_MOVES`); who may
make a move is an access decision (tracker/policy.py, `can_move_log`); making it is one service
(tracker/services/review.py, `move_log`). `Meeting` and `Activity` are `Reviewed` models: they share the
review fields through this base class.

- submit:  draft or returned -> submitted (the first submission's time is kept: `submitted_at`, which the
           "logged on time" figure reads)
- return:  submitted -> returned, with a note for the author
- approve: submitted -> approved (locked: edits and deletion are refused)
- reopen:  approved -> returned, with the reason (an administrator's action), so the author can correct it

Which logs the reports count (all or approved only) and who reviews (the co-lead who did not write the
log, or a leader) are the organization's settings (tracker/models/settings.py).
"""

from peewee import CharField, DateTimeField, ForeignKeyField

from .base import Audited, Conflict, ValidationError, label, utcnow
from .people import User

REVIEW_STATES = (
    ("draft", "Draft"),
    ("submitted", "Submitted for review"),
    ("returned", "Returned"),
    ("approved", "Approved"),
)
# move: (the states it starts from, the state it leads to, whether it needs a note)
REVIEW_MOVES = {
    "submit": (("draft", "returned"), "submitted", False),
    "return": (("submitted",), "returned", True),
    "approve": (("submitted",), "approved", False),
    "reopen": (("approved",), "returned", True),
}
MOVE_LABELS = {
    "submit": "Submit for review",
    "return": "Return with a note",
    "approve": "Approve",
    "reopen": "Reopen",
}
NOTE_NEEDED = {
    "return": "Say what the author should change.",
    "reopen": "Give the reason for reopening an approved log.",
}
MAX_REVIEW_NOTE = 1000
LOCKED = "This log is approved and locked. An administrator can reopen it, with a reason."
# The review fields: changed by moves only, never by an edit of the log (see Reviewed.check_unlocked).
REVIEW_FIELDS = ("review_state", "submitted_at", "reviewed_by", "reviewed_at", "review_note")


class Reviewed(Audited):
    """A log that goes through review. A new log is submitted unless it is saved as a draft."""

    review_state = CharField(max_length=12, choices=REVIEW_STATES, default="submitted")
    submitted_at = DateTimeField(null=True)  # the first submission (UTC); None while it was never submitted
    reviewed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+", index=False)
    reviewed_at = DateTimeField(null=True)
    review_note = CharField(max_length=MAX_REVIEW_NOTE, default="")  # the return note or the reopening reason

    not_edited = Audited.not_edited + REVIEW_FIELDS

    @property
    def review_state_label(self):
        return label(REVIEW_STATES, self.review_state)

    @property
    def is_locked(self):
        return self.review_state == "approved"

    @property
    def is_draft(self):
        return self.review_state == "draft"

    def check_unlocked(self):
        """Refuse an edit or a deletion of an approved log (Conflict, 409 in the API)."""
        if self.is_locked:
            raise Conflict({"__all__": LOCKED})

    def soft_delete(self):
        self.check_unlocked()  # an approved log is deleted only after an administrator reopens it
        return super().soft_delete()

    def moves_from_here(self):
        """The moves that start from the log's state, in REVIEW_MOVES order."""
        return [move for move, (start, _to, _note) in REVIEW_MOVES.items() if self.review_state in start]

    def apply_move(self, move, user_id, note=""):
        """Make `move` on this instance (not saved): the state, who reviewed and when, the note. Raises
        ValidationError for an unknown move, a move that does not start from this state, or a missing note."""
        if move not in REVIEW_MOVES:
            raise ValidationError({"move": "Choose one of: " + ", ".join(REVIEW_MOVES) + "."})
        start, to, needs_note = REVIEW_MOVES[move]
        if self.review_state not in start:
            raise ValidationError(
                {"move": f"A log that is {self.review_state_label.lower()} cannot be moved with “{move}”."}
            )
        note = (note or "").strip()
        if needs_note and not note:
            raise ValidationError({"note": NOTE_NEEDED[move]})
        if len(note) > MAX_REVIEW_NOTE:
            raise ValidationError({"note": f"Keep the note under {MAX_REVIEW_NOTE} characters."})
        self.review_state = to
        if move == "submit":
            self.review_note = note  # the answer to a return, if any; empty clears the old note
        else:
            self.reviewed_by, self.reviewed_at, self.review_note = user_id, utcnow(), note
        return self

    def save(self, *args, **kwargs):
        if self.review_state == "submitted" and self.submitted_at is None:
            self.submitted_at = utcnow()  # the first submission, whichever path submitted it
        return super().save(*args, **kwargs)
