"""Stages and benchmarks: enter a stage, check benchmarks off, add engagement-specific ones, delete one."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import policy
from ..dates import format_date
from ..db import database
from ..forms import BaseForm
from ..forms.stages import BenchmarkForm, CheckOffForm, MoveStageForm, stage_choices
from ..models import Benchmark, Stage, StageEntry, ValidationError, today
from ..services import stages as service
from .helpers import delete_part_page, form_page, save_form

bp = Blueprint("stages", __name__, url_prefix="/engagements/<int:engagement_id>")


def back(engagement):
    return url_for("engagements.detail", engagement_id=engagement.id, _anchor="stages-h")


@bp.route("/stage", methods=["GET", "POST"])
@login_required
def move(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    stages = list(Stage.ordered())
    current = next((s for s in stages if s.id == engagement.current_stage_id), None)
    latest = service.latest_entry(engagement)
    form = MoveStageForm()
    form.stage.choices = stage_choices(stages, current)
    if request.method == "GET":  # default: the next stage (the first one before any)
        following = [s for s in stages if current is None or s.position > current.position]
        form.stage.data = (following or stages)[0].key if stages else ""

    def write(f):
        return service.move_to_stage(engagement, f.stage.data, f.entered_on.data, f.note.data, current_user)

    return form_page(
        form,
        write,
        lambda entry: f"{engagement.title}: entered {entry.stage.name} on {format_date(entry.entered_on)}.",
        back(engagement),
        "stages/move.html",
        e=engagement,
        stages=stages,
        current=current,
        latest=latest,
        history=engagement.stage_history(),
    )


def _stage_entry(engagement, stage_entry_id):
    entry = StageEntry.get_or_none((StageEntry.id == stage_entry_id) & (StageEntry.engagement == engagement.id))
    if entry is None:
        abort(404)
    return entry


@bp.route("/stage/<int:stage_entry_id>", methods=["GET", "POST"])
@login_required
def correct_entry(engagement_id, stage_entry_id):
    """Correct an entry of the stage history: its stage, date or note."""
    engagement = policy.get_engagement(engagement_id, edit=True)
    entry = _stage_entry(engagement, stage_entry_id)
    stages = list(Stage.ordered())
    form = MoveStageForm(obj=entry)
    form.stage.choices = stage_choices(stages)
    if request.method == "GET":
        form.stage.data = next((s.key for s in stages if s.id == entry.stage_id), "")
    return form_page(
        form,
        lambda f: service.correct_entry(engagement, entry, f.stage.data, f.entered_on.data, f.note.data, current_user),
        "Stage entry corrected.",
        url_for(".move", engagement_id=engagement.id),
        "stages/correct.html",
        e=engagement,
        entry=entry,
        history=engagement.stage_history(),
    )


@bp.route("/stage/<int:stage_entry_id>/remove", methods=["GET", "POST"])
@login_required
def remove_entry(engagement_id, stage_entry_id):
    """Remove an entry of the stage history, after a confirmation."""
    engagement = policy.get_engagement(engagement_id, edit=True)
    entry = _stage_entry(engagement, stage_entry_id)
    form = BaseForm()
    there = url_for(".move", engagement_id=engagement.id)
    done = save_form(
        form, lambda f: service.remove_entry(engagement, entry, current_user), "Stage entry removed.", there
    )
    if done:
        return done
    name = Stage.get_by_id(entry.stage_id).name
    return render_template(
        "stages/remove.html",
        title="Remove this stage entry?",
        message=f"“{name}” from {format_date(entry.entered_on)} will be removed from the stage path of "
        f"{engagement.title}; the current stage becomes that of the latest-dated entry left. "
        "Benchmarks stay as they are. The audit log keeps the entry.",
        action=url_for(".remove_entry", engagement_id=engagement.id, stage_entry_id=entry.id),
        button="Remove the entry",
        cancel=there,
        e=engagement,
    )


@bp.route("/benchmarks/<int:benchmark_id>", methods=["GET", "POST"])
@login_required
def benchmark(engagement_id, benchmark_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    item = policy.get_part(Benchmark, engagement, benchmark_id)
    form = CheckOffForm(obj=item)
    if request.method == "GET" and item.completed_on is None:
        form.completed_on.data = today()
    return form_page(
        form,
        lambda f: service.check_off(item, engagement, f.completed_on.data, f.evidence.data),
        f"Benchmark checked off: {item.text}",
        back(engagement),
        "stages/check_off.html",
        e=engagement,
        b=item,
        stage=Stage.get_by_id(item.stage_id),
        reopen_form=BaseForm(),
    )


@bp.route("/benchmarks/<int:benchmark_id>/reopen", methods=["POST"])
@login_required
def reopen(engagement_id, benchmark_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    item = policy.get_part(Benchmark, engagement, benchmark_id)
    form = BaseForm()
    form.validate_on_submit()  # a bad CSRF token stops here with 400
    try:
        with database.atomic():
            service.reopen(item)
    except ValidationError as exc:  # pragma: no cover - a benchmark row is always valid here
        flash(str(exc), "error")
        return redirect(url_for(".benchmark", engagement_id=engagement.id, benchmark_id=item.id))
    flash(f"Benchmark marked not completed: {item.text}", "success")
    return redirect(back(engagement))


@bp.route("/benchmarks/new", methods=["GET", "POST"])
@login_required
def new_benchmark(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    stages = list(Stage.ordered())
    current = next((s for s in stages if s.id == engagement.current_stage_id), None)
    form = BenchmarkForm()
    form.stage.choices = stage_choices(stages, current)
    if request.method == "GET":
        wanted = request.args.get("stage")
        if wanted in {s.key for s in stages}:
            form.stage.data = wanted
        else:
            form.stage.data = current.key if current is not None else (stages[0].key if stages else "")
    return form_page(
        form,
        lambda f: service.add_benchmark(engagement, f.stage.data, f.text.data),
        lambda b: f"Benchmark added to {Stage.get_by_id(b.stage_id).name}.",
        back(engagement),
        "stages/benchmark_new.html",
        e=engagement,
    )


@bp.route("/benchmarks/<int:benchmark_id>/delete", methods=["GET", "POST"])
@login_required
def delete_benchmark(engagement_id, benchmark_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    item = policy.get_part(Benchmark, engagement, benchmark_id)
    return delete_part_page(
        item,
        title="Delete this benchmark?",
        message=f"“{item.text}” will no longer show on {engagement.title} and no longer count in the progress reports.",
        button="Delete the benchmark",
        action=url_for(".delete_benchmark", engagement_id=engagement.id, benchmark_id=item.id),
        back=back(engagement),
        done=lambda b: f"Benchmark deleted: {b.text}.",
    )
