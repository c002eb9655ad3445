"""Goals and their status history, a list of dated events (docs/date-policy.md).

The history is ordered by date whatever order it was entered in; the goal's status is the status of
the latest-dated entry (ties: the latest entered), recomputed in the same transaction after every
insert, correction and removal. A backdated change takes its place in the history; no date ever
locks the goal. The goal page, the meeting log (services/meetings.py) and the API all write through
`record_status_change`; every function raises models.ValidationError({field: message}) and writes
nothing when it refuses.

Goal hygiene (issue 23): achieving, dropping or revising a goal takes a reason (models.reason_problems;
"other" needs a note), and achieving one while open benchmarks or deliverables are tied to it needs
`confirmed` (the refusal, under CONFIRM_FIELD, says how many) — the same rule on every path.
"""

from ..dates import format_date
from ..db import database
from ..models import (
    GOAL_STATUSES,
    AuditEntry,
    Goal,
    GoalMeasurement,
    GoalStatusChange,
    ValidationError,
    check_event_date,
    keys,
    reason_problems,
    today,
    utcnow,
)

CONFIRM_FIELD = "confirm_open"  # the field of the refusal to mark achieved a goal with open items
REPEATABLE = ("revised",)  # a goal may be revised again; other statuses are not set twice in a row


def status_on(goal, day, exclude=None):
    """The goal's history entry in effect on `day` (the latest-dated on or before it; ties: the latest
    entered), leaving out the entry `exclude` (being corrected); None before its first entry."""
    query = GoalStatusChange.select().where((GoalStatusChange.goal == goal.id) & (GoalStatusChange.changed_on <= day))
    if exclude is not None:
        query = query.where(GoalStatusChange.id != exclude.id)
    return query.order_by(GoalStatusChange.changed_on.desc(), GoalStatusChange.id.desc()).first()


def open_items_message(count):
    return (
        f"{count} open item{'s are' if count != 1 else ' is'} tied to this goal (benchmarks not completed, "
        "deliverables not delivered): confirm to mark it achieved anyway."
    )


def check_change(goal, status, changed_on, note, exclude=None, status_field="status", reason=None, confirmed=False):
    """{field: message} for what is wrong with a change of `goal` (the date range is the model's): the
    status, the date, the reason (and note) the status asks for, the confirmation an achieved goal with
    open items asks for, and a status that would repeat the one in effect."""
    errors = {}
    if status not in keys(GOAL_STATUSES):
        errors[status_field] = "Choose a goal status."
    if changed_on is None:
        errors["changed_on"] = "Enter the date of the change."
    errors.update({k: v for k, v in reason_problems(status, reason, note).items() if k not in errors})
    if status == "achieved" and not confirmed and not errors:
        count = len(goal.open_items())
        if count:
            errors[CONFIRM_FIELD] = open_items_message(count)
    if not errors and status not in REPEATABLE:
        before = status_on(goal, changed_on, exclude)
        if before is not None and before.status == status:
            errors[status_field] = (
                f"On {format_date(changed_on)} the goal is already “{before.status_label}” "
                f"(since {format_date(before.changed_on)}); choose a different status."
            )
    return errors


def record_status_change(
    goal, status, changed_on, note="", meeting=None, user=None, status_field="status", reason=None, confirmed=False
):
    """Add a dated status change to the goal's history (backdated changes take their place), with its
    reason (check_change)."""
    note = (note or "").strip()
    errors = check_change(goal, status, changed_on, note, status_field=status_field, reason=reason, confirmed=confirmed)
    if errors:
        raise ValidationError(errors)
    with database.atomic():
        return goal.change_status(
            status, changed_on, note, meeting=meeting, user=getattr(user, "id", user), reason=reason
        )


def new_goal(engagement, data, set_on):
    """The goal `add_goal` writes, not yet saved, and {field: message} for what is wrong with it (its
    model's rules and the day it was set, an event date). data: title, indicator, target, status."""
    goal = Goal(
        engagement=engagement.id,
        title=(data.get("title") or "").strip(),
        indicator=(data.get("indicator") or "").strip(),
        target=(data.get("target") or "").strip(),
        status=data.get("status") or "not_started",
    )
    errors = goal.validate()
    date_errors = {}
    check_event_date(date_errors, "set_on", set_on, engagement.start_date)
    errors.update({k: v for k, v in date_errors.items() if k not in errors})
    return goal, errors


def save_new_goal(goal, set_on, user=None):
    """Write a goal checked by `new_goal` and the first entry of its history (one transaction)."""
    with database.atomic():
        goal.save()
        first = GoalStatusChange(
            goal=goal, status=goal.status, changed_on=set_on, note="Goal set.", changed_by=getattr(user, "id", user)
        )
        first.goal_engagement_id = goal.engagement_id
        first.save()
    return goal


def add_goal(engagement, data, user=None, set_on=None):
    """A new goal and the first entry of its history: its starting status on the day it was set
    (`set_on`, today when not given). data: title, indicator, target, status."""
    set_on = set_on or today()
    goal, errors = new_goal(engagement, data, set_on)
    if errors:
        raise ValidationError(errors)
    return save_new_goal(goal, set_on, user)


def correct_status_change(entry, status, changed_on, note, user=None, reason=None):
    """Correct an entry of the history (its date, status, reason or note); audited. The date of a change
    logged with a meeting follows the meeting. A correction asks for the reason as a new change does; the
    open items were confirmed (or not there) when the change was made."""
    goal = Goal.get_by_id(entry.goal_id)
    note = (note or "").strip()
    if entry.meeting_id and changed_on != entry.changed_on:
        raise ValidationError(
            {"changed_on": "This change was logged with a meeting: change the meeting's date to move it."}
        )
    reason = reason or None
    errors = check_change(goal, status, changed_on, note, exclude=entry, reason=reason, confirmed=True)
    if errors:
        raise ValidationError(errors)
    before = {"status": entry.status, "changed_on": entry.changed_on.isoformat(), "note": entry.note}
    before["reason"] = entry.reason
    entry.status, entry.changed_on, entry.note, entry.reason = status, changed_on, note, reason
    after = {"status": entry.status, "changed_on": entry.changed_on.isoformat(), "note": entry.note}
    after["reason"] = entry.reason
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    with database.atomic():
        entry.goal_engagement_id = goal.engagement_id
        if changes:
            entry.updated_at = utcnow()
        entry.save()
        if changes:
            AuditEntry.record("update", entry, changes)
        goal.recompute_status()
    return entry


def remove_status_change(entry, user=None):
    """Remove an entry from the history (a goal keeps at least one); audited."""
    goal = Goal.get_by_id(entry.goal_id)
    if GoalStatusChange.select().where(GoalStatusChange.goal == goal.id).count() <= 1:
        raise ValidationError({"__all__": "A goal keeps at least one entry in its history: correct it instead."})
    with database.atomic():
        entry.goal_engagement_id = goal.engagement_id
        AuditEntry.record(
            "delete",
            entry,
            {"status": entry.status, "changed_on": entry.changed_on.isoformat(), "note": entry.note},
        )
        entry.delete_instance()
        goal.recompute_status()
    return goal


def record_measurement(goal, date, value, user=None, meeting=None):
    """Record a value of the goal's measured indicator on `date` (the goal page, the meeting log and the
    API write through here). The rules (a number, an event date, a goal with a measure) are the model's."""
    measurement = GoalMeasurement(
        goal=goal.id,
        date=date,
        value=value,
        recorded_by=getattr(user, "id", user),
        meeting_id=getattr(meeting, "id", meeting),
    )
    measurement.goal_engagement_id = goal.engagement_id
    with database.atomic():
        measurement.save()
    return measurement


def correct_measurement(measurement, date, value):
    """Correct a recorded value (its date and value); audited and versioned (a `measurement` carrying an
    `expected_version` that is no longer stored raises StaleEdit). A value logged with a meeting is
    dated with the meeting: moving it means changing the meeting's date."""
    if measurement.meeting_id and date != measurement.date:
        raise ValidationError({"date": "This value was logged with a meeting: change the meeting's date to move it."})
    measurement.date, measurement.value = date, value
    with database.atomic():
        measurement.save()
    return measurement


def remove_measurement(measurement):
    """Remove a recorded value (a soft delete, audited: the goal's chart and progress no longer use it)."""
    with database.atomic():
        measurement.soft_delete()
    return measurement
