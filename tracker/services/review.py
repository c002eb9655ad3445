"""Moving a meeting log or an activity through review (issue 23): the one way a log changes state.

The states and moves are tracker/models/review.py's; who may make a move is policy.can_move_log, asked by
the caller (a page or the API) before calling here. The save is audited like any change of the log (its
review fields, the note), so "who approved this, and who reopened it and why" is in the audit log.
"""

from ..db import database


def move_log(log, move, user, note="", version=None):
    """Make `move` ("submit", "return", "approve", "reopen") on `log` with its note; ValidationError for a
    move that does not start from the log's state or a missing note (nothing saved), StaleEdit when `version`
    is given and the log changed since it was read."""
    if version is not None:
        log.expected_version = version
    log.apply_move(move, getattr(user, "id", None), note)
    with database.atomic():
        log.save()
    return log
