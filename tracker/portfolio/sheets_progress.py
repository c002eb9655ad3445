"""The workbook's sheets of progress: goal status changes, measured values and benchmarks (issue 20).

A goal's history is written through services/goals.py, as the goal page and the meeting log write it: a
status takes the reason it asks for, a status is not set twice in a row (a change is checked against the
entry in effect on its date), and the goal's status is recomputed from its latest-dated entry. Measured
values need the goal's measure, and every date is an event date of its engagement (the models' rules).
"""

from ..models import (
    GOAL_REASONS,
    GOAL_STATUSES,
    Benchmark,
    BenchmarkTemplate,
    Goal,
    GoalMeasurement,
    GoalStatusChange,
    Meeting,
    Stage,
    ValidationError,
)
from ..services import goals as goal_service
from .format import Column, Sheet, per_run, register, set_fields
from .sheets_parts import keep_parent, stage_choices, stage_keys

MEETING_HELP = "The meeting it was logged with, if any (its date follows the meeting's)."


# Read once per import or export (per_run), not once per row: the sheets here come after meetings and goals,
# so the sets are read when those are written.
@per_run
def _live_meetings():
    return {i for (i,) in Meeting.live().select(Meeting.id).tuples()}


@per_run
def _live_goals():
    return {i for (i,) in _live_goal_ids().tuples()}


@per_run
def _template_texts():
    return dict(BenchmarkTemplate.select(BenchmarkTemplate.id, BenchmarkTemplate.text).tuples())


def _meeting_external(meeting_id, ids):
    """The external id of the live meeting `meeting_id` (None for none, or a deleted meeting)."""
    if meeting_id is None or meeting_id not in _live_meetings():
        return None
    return ids.external("meetings", meeting_id)


def _meeting_id(values, ids, header="meeting"):
    return ids.record_id("meetings", values[header], header) if values[header] else None


def _live_goal_ids():
    return Goal.select(Goal.id).where(Goal.deleted_at.is_null())


def _status_change_apply(change, values, ids):
    """A new entry of the history (services/goals.record_status_change) or a corrected one."""
    keep_parent(sheet_goal_status_changes, change, values, ids, "goal", "status change")
    goal = Goal.get_by_id(ids.record_id("goals", values["goal"], "goal"))
    user = ids.record_id("users", values["changed_by"], "changed_by") if values["changed_by"] else None
    reason = values["reason"]
    meeting = _meeting_id(values, ids)
    if change.id is None:
        # confirmed: an imported history is a record of what was decided, not a new decision to confirm
        return goal_service.record_status_change(
            goal,
            values["status"],
            values["changed_on"],
            values["note"],
            meeting=meeting,
            user=user,
            reason=reason,
            confirmed=True,
        )
    change.changed_by, change.meeting_id = user, meeting
    return goal_service.correct_status_change(
        change, values["status"], values["changed_on"], values["note"], reason=reason
    )


sheet_goal_status_changes = register(
    Sheet(
        "goal_status_changes",
        GoalStatusChange,
        (
            Column("goal", "ref", required=True, field="goal", ref="goals"),
            Column("status", "choice", required=True, field="status", choices=GOAL_STATUSES),
            Column("changed_on", "date", required=True, field="changed_on"),
            Column(
                "reason",
                "choice",
                field="reason",
                choices=GOAL_REASONS,
                help="Why a goal is achieved, dropped or revised (required for those; “other” needs a note).",
            ),
            Column("note", field="note", max_length=500),
            Column("changed_by", "ref", field="changed_by", ref="users"),
            Column("meeting", "ref", ref="meetings", help=MEETING_HELP),
        ),
        "The dated status history of each goal, from the day it was set; the goal's status is its "
        "latest-dated entry. A status is not repeated on the date it is already in effect (except "
        "“revised”). Changes of removed goals are not exported.",
        query=lambda: (
            GoalStatusChange.select().where(GoalStatusChange.goal.in_(_live_goal_ids())).order_by(GoalStatusChange.id)
        ),
        read=lambda change, ids: {"meeting": _meeting_external(change.meeting_id, ids)},
        apply=_status_change_apply,
    )
)


def _measurement_apply(measurement, values, ids):
    keep_parent(sheet_goal_measurements, measurement, values, ids, "goal", "measured value")
    goal = Goal.get_by_id(ids.record_id("goals", values["goal"], "goal"))
    user = ids.record_id("users", values["recorded_by"], "recorded_by") if values["recorded_by"] else None
    meeting = _meeting_id(values, ids)
    if measurement.id is None:
        return goal_service.record_measurement(goal, values["date"], values["value"], user=user, meeting=meeting)
    measurement.meeting_id = meeting
    return goal_service.correct_measurement(measurement, values["date"], values["value"])


sheet_goal_measurements = register(
    Sheet(
        "goal_measurements",
        GoalMeasurement,
        (
            Column("goal", "ref", required=True, field="goal", ref="goals", help="A goal with a measure."),
            Column("date", "date", required=True, field="date"),
            Column("value", "float", required=True, field="value"),
            Column("recorded_by", "ref", field="recorded_by", ref="users"),
            Column("meeting", "ref", ref="meetings", help=MEETING_HELP),
        ),
        "The dated values of the goals' measured indicators. Removed values, and values of removed goals, "
        "are not exported.",
        query=lambda: (
            GoalMeasurement.live().where(GoalMeasurement.goal.in_(_live_goal_ids())).order_by(GoalMeasurement.id)
        ),
        read=lambda measurement, ids: {"meeting": _meeting_external(measurement.meeting_id, ids)},
        apply=_measurement_apply,
    )
)


def _benchmark_read(benchmark, ids):
    return {
        "stage": stage_keys()[benchmark.stage_id],
        "template": _template_texts().get(benchmark.template_id, ""),
        "goal": ids.external("goals", benchmark.goal_id) if benchmark.goal_id in _live_goals() else None,
        "completed_in_meeting": _meeting_external(benchmark.completed_in_meeting_id, ids),
    }


def _benchmark_apply(benchmark, values, ids):
    keep_parent(sheet_benchmarks, benchmark, values, ids, "engagement", "benchmark")
    set_fields(sheet_benchmarks, benchmark, values, ids)
    stage = Stage.get(Stage.key == values["stage"])  # a key of the catalog: its column checked it
    benchmark.stage = stage.id
    benchmark.template = None
    if values["template"]:
        template = (
            BenchmarkTemplate.select()
            .where((BenchmarkTemplate.stage == stage.id) & (BenchmarkTemplate.text == values["template"]))
            .order_by(BenchmarkTemplate.id)
            .first()
        )
        if template is None:
            raise ValidationError({"template": f"No benchmark template of the {stage.name} stage has this text."})
        benchmark.template = template.id
    benchmark.goal = ids.record_id("goals", values["goal"], "goal") if values["goal"] else None
    benchmark.completed_in_meeting_id = _meeting_id(values, ids, "completed_in_meeting")
    try:
        benchmark.save()
    except ValidationError as exc:  # the model names the goal's field goal_id: place it on the goal column
        raise ValidationError({"goal" if k == "goal_id" else k: v for k, v in exc.errors.items()}) from exc
    return benchmark


sheet_benchmarks = register(
    Sheet(
        "benchmarks",
        Benchmark,
        (
            Column("engagement", "ref", required=True, field="engagement", ref="engagements"),
            Column("stage", "choice", required=True, choices=stage_choices, help="The stage's key (see the lists)."),
            Column(
                "template",
                max_length=300,
                help="The text of the stage's benchmark template it comes from; empty: the engagement's own.",
            ),
            Column("text", required=True, field="text", max_length=300),
            Column("position", "int", required=True, field="position", help="Its place in the stage's checklist."),
            Column("completed_on", "date", field="completed_on", help="Empty while not completed."),
            Column("evidence", field="evidence", max_length=5000),
            Column("goal", "ref", ref="goals", help="The goal it serves, one of its engagement's."),
            Column("completed_in_meeting", "ref", ref="meetings", help="The meeting it was checked off in, if any."),
        ),
        "The benchmarks of each engagement's stages, completed or not. Removed benchmarks are not exported "
        "(nor a tie to a removed goal).",
        query=lambda: Benchmark.live().order_by(Benchmark.id),
        read=_benchmark_read,
        apply=_benchmark_apply,
    )
)
