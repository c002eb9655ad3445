"""What the review panel of a meeting log or an activity shows (issue 23): the moves the viewer may make
(policy.can_move_log, never a button the policy refuses), the return note in words, and the history of
moves read from the log's audit entries (who, when, the state it reached, the note)."""

from .. import policy
from ..models import MOVE_LABELS, REVIEW_MOVES, REVIEW_STATES, AuditEntry, User, label


def review_history(log):
    """Every change of the log's review state, oldest first: {"at", "by", "state", "state_label", "note"}."""
    entries = (
        AuditEntry.select()
        .where((AuditEntry.entity == type(log).__name__) & (AuditEntry.entity_id == log.id))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    rows = []
    for entry in entries:
        change = entry.change_map.get("review_state")
        if change is None:
            continue
        state = change[1] if isinstance(change, list) else change  # an update's [old, new]; a create's value
        note = entry.change_map.get("review_note")
        rows.append(
            {
                "at": entry.at,
                "by_id": entry.user_id,
                "state": state,
                "state_label": label(REVIEW_STATES, state),
                "note": (note[1] if isinstance(note, list) else note) or "",
            }
        )
    names = {
        u.id: u.name for u in User.select(User.id, User.name).where(User.id.in_([r["by_id"] for r in rows] or [0]))
    }
    for r in rows:
        r["by"] = names.get(r["by_id"], "—")
    return rows


def review_panel(user, log, engagement):
    """The panel's content for `user`: the state, the note in words, the moves they may make, the history."""
    moves = [m for m in REVIEW_MOVES if policy.can_move_log(user, log, m, engagement)]
    return {
        "log": log,
        "moves": moves,
        "labels": MOVE_LABELS,
        "returned_by": log.reviewed_by.name if log.reviewed_by_id else "a reviewer",
        "history": review_history(log),
    }
