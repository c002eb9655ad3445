"""Stages and benchmarks: moving an engagement between implementation stages, checking benchmarks off.

Every function runs in one transaction and raises models.ValidationError({field: message}), so the
rules hold whether the write comes from a page, the API or the CLI.
"""

from peewee import fn

from ..dates import format_date
from ..db import database
from ..models import AuditEntry, Benchmark, Conflict, Stage, StageEntry, ValidationError, utcnow


def _day(date):
    return format_date(date)


def latest_entry(engagement):
    """The latest-dated stage entry of the engagement (None before it enters a stage)."""
    return StageEntry.current_for(engagement)


def entry_on(engagement, day, exclude=None):
    """The stage entry in effect on `day` (the latest-dated on or before it; ties: the latest entered),
    leaving out `exclude` (an entry being corrected)."""
    query = StageEntry.select().where((StageEntry.engagement == engagement.id) & (StageEntry.entered_on <= day))
    if exclude is not None:
        query = query.where(StageEntry.id != exclude.id)
    return query.order_by(StageEntry.entered_on.desc(), StageEntry.id.desc()).first()


def is_revisit(engagement, stage, current=None):
    """True when `stage` comes before the engagement's current stage (going back)."""
    current = current if current is not None else engagement.current_stage
    return current is not None and stage.position < current.position


def _stage(stage_key):
    stage = Stage.select().where(Stage.key == (stage_key or "")).first()
    if stage is None:
        raise ValidationError({"stage": "Choose one of the four stages."})
    return stage


def _check_entry(engagement, stage, entered_on, note, exclude=None):
    """The stage in effect just before `entered_on` decides: entering it again is refused, and going
    back to an earlier stage needs a note. The date itself is the model's (docs/date-policy.md)."""
    if entered_on is None:
        raise ValidationError({"entered_on": "Enter the date the stage was entered."})
    before = entry_on(engagement, entered_on, exclude)
    current = Stage.get_by_id(before.stage_id) if before is not None else None
    if current is not None and current.id == stage.id:  # the state refuses it, not the input: 409 on the API
        raise Conflict(
            {
                "stage": f"On {_day(entered_on)} the engagement is already in {stage.name} "
                f"(since {_day(before.entered_on)})."
            }
        )
    if is_revisit(engagement, stage, current) and not note:
        raise ValidationError({"note": f"Say why the engagement goes back to {stage.name}: why revisit?"})


def move_to_stage(engagement, stage_key, entered_on, note="", user=None, default_benchmarks=True):
    """Enter the stage with key `stage_key` on `entered_on`; a backdated entry takes its place in the
    history and becomes the current stage only when it is the latest-dated (`default_benchmarks`: see
    Engagement.enter_stage)."""
    note = (note or "").strip()
    stage = _stage(stage_key)
    _check_entry(engagement, stage, entered_on, note)
    with database.atomic():
        return engagement.enter_stage(stage, entered_on, note, user, default_benchmarks=default_benchmarks)


def correct_entry(engagement, entry, stage_key, entered_on, note="", user=None):
    """Correct a stage entry (stage, date, note); audited; the current stage is recomputed."""
    note = (note or "").strip()
    stage = _stage(stage_key)
    _check_entry(engagement, stage, entered_on, note, exclude=entry)
    before = {"stage": entry.stage_id, "entered_on": entry.entered_on.isoformat(), "note": entry.note}
    entry.stage, entry.entered_on, entry.note = stage.id, entered_on, note
    after = {"stage": stage.id, "entered_on": entered_on.isoformat(), "note": note}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    with database.atomic():
        if changes:
            entry.updated_at = utcnow()
        entry.save()
        if changes:
            AuditEntry.record("update", entry, changes)
        engagement.recompute_stage()
    return entry


def remove_entry(engagement, entry, user=None):
    """Remove a stage entry from the history; audited; the current stage is recomputed."""
    with database.atomic():
        AuditEntry.record(
            "delete", entry, {"stage": entry.stage_id, "entered_on": entry.entered_on.isoformat(), "note": entry.note}
        )
        entry.delete_instance()
        engagement.recompute_stage()
    return engagement


def check_off(benchmark, engagement, completed_on, evidence=""):
    """Mark a benchmark completed on a date (the date policy is the model's)."""
    if completed_on is None:
        raise ValidationError({"completed_on": "Enter the date the benchmark was completed."})
    benchmark.completed_on = completed_on
    benchmark.evidence = (evidence or "").strip()
    with database.atomic():
        benchmark.save()
    return benchmark


def reopen(benchmark):
    """Mark a benchmark not completed again (the audit log keeps the date it had)."""
    benchmark.completed_on = None
    with database.atomic():
        benchmark.save()
    return benchmark


def add_benchmark(engagement, stage_key, text):
    """An engagement-specific benchmark, added at the end of its stage's checklist."""
    stage = Stage.select().where(Stage.key == (stage_key or "")).first()
    if stage is None:
        raise ValidationError({"stage": "Choose one of the four stages."})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Describe the benchmark."})
    with database.atomic():
        last = (
            Benchmark.select(fn.MAX(Benchmark.position))
            .where((Benchmark.engagement == engagement) & (Benchmark.stage == stage))
            .scalar()
        )
        return Benchmark.create(
            engagement=engagement, stage=stage, text=text, position=(last + 1) if last is not None else 0
        )
