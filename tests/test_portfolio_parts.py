"""The portfolio sheets of an engagement's parts and progress (issue 20): request events, team members, goals,
stage entries, goal status changes, measured values, benchmarks.

A small world is exported as a CSV folder; each test adds one row breaking one rule to one sheet: the import
reports it as (sheet, row, column, message) and writes nothing; the corrected row then imports, through the
same rules as the pages (the stage and the goal's status are recomputed)."""

import csv
import datetime as dt

import pytest

from tests import factories
from tracker.models import (
    AuditEntry,
    Benchmark,
    Engagement,
    ExternalRef,
    Goal,
    GoalMeasurement,
    GoalStatusChange,
    RequestEvent,
    Stage,
    StageEntry,
    SupportRequest,
    TeamMember,
)
from tracker.portfolio import Problem, export_portfolio, import_portfolio, sheet_named
from tracker.services import goals as goal_service

START = dt.date(2026, 1, 5)  # the small world's engagements start then


def day(n):
    return (START + dt.timedelta(days=n)).isoformat()


@pytest.fixture
def world(app, tmp_path):
    w = factories.small_world()
    a, b = w.engagement_a, w.engagement_b
    w.request = SupportRequest.create(unit=w.unit_a, requested_by=w.recipient_a, title="Please help")
    w.member = factories.team_member(a, joined_on=START)
    w.goal = goal_service.add_goal(a, {"title": "Protocol in use"}, set_on=START)
    w.measured = factories.measured_goal(a)
    w.goal_b = goal_service.add_goal(b, {"title": "Elsewhere"}, set_on=START)
    w.benchmark = Benchmark.select().where(Benchmark.engagement == a.id).order_by(Benchmark.id).first()
    w.folder = tmp_path / "portfolio"
    export_portfolio(w.folder)
    return w


def add_row(folder, sheet, values):
    """Append a row (header -> cell text; the rest empty) to the sheet's CSV: its row number."""
    path = folder / f"{sheet}.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows.append([values.get(header, "") for header in sheet_named(sheet).headers])
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return len(rows)


def replace_row(folder, sheet, number, values):
    path = folder / f"{sheet}.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[number - 1] = [values.get(header, "") for header in sheet_named(sheet).headers]
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def cases(w):
    """sheet -> (bad row, the problem's column, words of its message, the corrected row)."""
    a = str(w.engagement_a.id)
    return {
        "request_events": (
            {"external_id": "ev-1", "request": "REQ-nope", "kind": "question", "at": "2026-01-06 10:00"},
            "request",
            "No row of the requests sheet has the external_id “REQ-nope”.",
            {"request": str(w.request.id), "by": str(w.isp_a1.id), "text": "Who leads it?"},
        ),
        "team_members": (
            {"external_id": "tm-1", "engagement": a, "name": "Sam Lee", "position": "manager", "joined_on": day(40)},
            "left_on",
            "cannot be before it started",
            {"left_on": ""},
        ),
        "goals": (
            {
                "external_id": "g-1",
                "engagement": a,
                "title": "Sites trained",
                "measure_direction": "up",
                "baseline_value": "10",
                "baseline_on": day(-1),
                "target_value": "60",
                "target_on": day(300),
                "created_at": "2026-01-10 09:00:00",
            },
            "baseline_on",
            "(the engagement's start)",
            {"baseline_on": day(0)},
        ),
        "stage_entries": (
            {"external_id": "se-1", "engagement": a, "stage": "scaling", "entered_on": day(60)},
            "stage",
            "Choose one of: exploration, installation",
            {"stage": "installation"},
        ),
        "goal_status_changes": (
            {"external_id": "gs-1", "goal": str(w.goal.id), "status": "not_started", "changed_on": day(30)},
            "status",
            "the goal is already “Not started”",
            {"status": "in_progress"},
        ),
        "goal_measurements": (
            {"external_id": "gm-1", "goal": str(w.measured.id), "date": day(-3), "value": "55"},
            "date",
            "(the engagement's start)",
            {"date": day(20)},
        ),
        "benchmarks": (
            {
                "external_id": "bm-1",
                "engagement": a,
                "stage": "exploration",
                "text": "Community voices heard",
                "position": "9",
                "goal": str(w.goal_b.id),
            },
            "goal",
            "Choose one of this engagement's goals.",
            {"goal": str(w.goal.id)},
        ),
    }


MODELS = {
    "request_events": RequestEvent,
    "team_members": TeamMember,
    "goals": Goal,
    "stage_entries": StageEntry,
    "goal_status_changes": GoalStatusChange,
    "goal_measurements": GoalMeasurement,
    "benchmarks": Benchmark,
}

# the team member's bad row leaves before joining: its left_on is added here (the fix empties it)
BAD_EXTRA = {"team_members": {"left_on": day(20)}}


@pytest.mark.parametrize("sheet", list(MODELS))
def test_a_bad_row_is_reported_with_sheet_row_column_and_nothing_is_written_then_the_corrected_row_imports(
    world, sheet
):
    bad, column, words, fix = cases(world)[sheet]
    bad = {**bad, **BAD_EXTRA.get(sheet, {})}
    model = MODELS[sheet]
    counts = {name: m.select().count() for name, m in MODELS.items()}
    audited = AuditEntry.select().count()
    number = add_row(world.folder, sheet, bad)

    report = import_portfolio(world.folder, dry_run=False, name="bad")

    assert len(report.problems) == 1, report.problems
    problem = report.problems[0]
    assert (problem.sheet, problem.row, problem.column) == (sheet, number, column)
    assert words in problem.message
    assert not report.committed
    assert {name: m.select().count() for name, m in MODELS.items()} == counts
    assert ExternalRef.select().count() == 0 and AuditEntry.select().count() == audited

    replace_row(world.folder, sheet, number, {**bad, **fix})
    fixed = import_portfolio(world.folder, dry_run=False, name="fixed")
    assert fixed.problems == []
    assert (fixed.counts[sheet].created, fixed.totals().created, fixed.totals().updated) == (1, 1, 0)
    assert model.select().count() == counts[sheet] + 1
    assert ExternalRef.get().external_id == bad["external_id"]


def test_the_small_world_imports_into_itself_unchanged(world):
    report = import_portfolio(world.folder, dry_run=False, name="again")
    assert report.problems == []
    assert report.counts["benchmarks"].unchanged == Benchmark.select().count() > 0
    assert report.counts["goal_status_changes"].unchanged == GoalStatusChange.select().count() == 2
    assert report.totals().created == report.totals().updated == 0


def test_an_imported_stage_entry_moves_the_engagement_without_default_benchmarks(world):
    a = world.engagement_a
    benchmarks = Benchmark.select().count()
    add_row(world.folder, "stage_entries", {"external_id": "se", "engagement": str(a.id), "stage": "installation",
                                            "entered_on": day(50)})  # fmt: skip
    assert import_portfolio(world.folder, dry_run=False).problems == []
    assert Engagement.get_by_id(a.id).current_stage_id == Stage.get(Stage.key == "installation").id
    assert Benchmark.select().count() == benchmarks

    back = {"external_id": "se-back", "engagement": str(a.id), "stage": "exploration", "entered_on": day(70)}
    number = add_row(world.folder, "stage_entries", back)
    report = import_portfolio(world.folder, dry_run=False)
    assert report.problems == [
        Problem("stage_entries", number, "note", "Say why the engagement goes back to Exploration: why revisit?")
    ]
    assert Engagement.get_by_id(a.id).current_stage_id == Stage.get(Stage.key == "installation").id


def test_an_imported_history_sets_the_goal_status_from_its_latest_dated_entry_and_asks_its_reason(world):
    goal = str(world.goal.id)
    add_row(world.folder, "goal_status_changes", {"external_id": "later", "goal": goal, "status": "in_progress",
                                                  "changed_on": day(40)})  # fmt: skip
    number = add_row(world.folder, "goal_status_changes", {"external_id": "done", "goal": goal,
                                                           "status": "achieved", "changed_on": day(80)})  # fmt: skip
    report = import_portfolio(world.folder, dry_run=False)
    assert [(p.row, p.column) for p in report.problems] == [(number, "reason")]
    assert Goal.get_by_id(world.goal.id).status == "not_started"

    replace_row(world.folder, "goal_status_changes", number, {"external_id": "done", "goal": goal,
                "status": "achieved", "changed_on": day(80), "reason": "as_planned"})  # fmt: skip
    assert import_portfolio(world.folder, dry_run=False).problems == []
    assert Goal.get_by_id(world.goal.id).status == "achieved"
