"""Stages and benchmarks: moving an engagement between implementation stages, checking benchmarks off.

Every function runs in one transaction and raises models.ValidationError({field: message}), so the
rules hold whether the write comes from a page, the API or the CLI.
"""

import datetime as dt

from peewee import fn

from ..dates import format_date
from ..db import database
from ..models import Benchmark, Stage, StageEntry, ValidationError


def _day(date):
    return format_date(date)


def latest_entry(engagement):
    """The most recent stage entry of the engagement (None before it enters a stage)."""
    return StageEntry.current_for(engagement)


def is_revisit(engagement, stage, current=None):
    """True when `stage` comes before the engagement's current stage (going back)."""
    current = current if current is not None else engagement.current_stage
    return current is not None and stage.position < current.position


def move_to_stage(engagement, stage_key, entered_on, note="", user=None):
    """Enter the stage with key `stage_key` on `entered_on`.

    The date may not be before the engagement's start nor before the latest stage entry; going back
    to an earlier stage needs a note saying why; the current stage cannot be entered again.
    """
    note = (note or "").strip()
    stage = Stage.select().where(Stage.key == (stage_key or "")).first()
    if stage is None:
        raise ValidationError({"stage": "Choose one of the four stages."})
    if entered_on is None:
        raise ValidationError({"entered_on": "Enter the date the stage was entered."})
    if engagement.start_date and entered_on < engagement.start_date:
        raise ValidationError(
            {"entered_on": f"The date cannot be before the engagement started ({_day(engagement.start_date)})."}
        )
    latest = latest_entry(engagement)
    if latest is not None and entered_on < latest.entered_on:
        raise ValidationError(
            {"entered_on": f"The date cannot be before the latest stage entry ({_day(latest.entered_on)})."}
        )
    current = Stage.get_by_id(latest.stage_id) if latest is not None else None
    if current is not None and current.id == stage.id:
        raise ValidationError({"stage": f"The engagement is already in {stage.name}."})
    if is_revisit(engagement, stage, current) and not note:
        raise ValidationError({"note": f"Say why the engagement goes back to {stage.name}: why revisit?"})
    with database.atomic():
        return engagement.enter_stage(stage, entered_on, note, user)


def check_off(benchmark, engagement, completed_on, evidence=""):
    """Mark a benchmark completed on a date (not in the future, not before the engagement started)."""
    if completed_on is None:
        raise ValidationError({"completed_on": "Enter the date the benchmark was completed."})
    if completed_on > dt.date.today():
        raise ValidationError({"completed_on": "The date cannot be in the future."})
    if engagement.start_date and completed_on < engagement.start_date:
        raise ValidationError(
            {"completed_on": f"The date cannot be before the engagement started ({_day(engagement.start_date)})."}
        )
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
