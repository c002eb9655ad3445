"""Chart specs are built in Python from a report's data (tracker/reports/charts.py); the templates
only place them. Hand-worked data, one story per kind of chart."""

from tracker.models import GOAL_STATUSES
from tracker.reports import charts


def test_hours_are_shown_with_one_decimal_and_a_missing_count_as_zero():
    assert charts.hours(90) == 1.5
    assert charts.hours(100) == 1.7
    assert charts.hours(None) == 0


def test_active_engagements_by_unit_is_a_horizontal_bar_of_the_units():
    active = {"by_unit": [{"id": 1, "name": "Unit A", "engagements": 3}, {"id": 2, "name": "Unit B", "engagements": 1}]}
    assert charts.active_by_unit(active) == {
        "type": "bar",
        "horizontal": True,
        "labels": ["Unit A", "Unit B"],
        "datasets": [{"label": "Active engagements", "data": [3, 1]}],
    }


def test_each_eric_cluster_keeps_its_colour_and_the_ninth_is_not_a_repeat():
    assert [charts.cluster_colour(n) for n in (1, 8, 9)] == ["--series-1", "--series-8", "--ink"]


def test_goals_by_status_counts_a_status_with_no_goal_as_zero_in_the_statuses_order():
    spec = charts.goals_by_status({"by_status": {"achieved": 2}}, GOAL_STATUSES)
    assert spec["labels"] == [text for _, text in GOAL_STATUSES]
    assert spec["datasets"][0]["data"] == [2 if key == "achieved" else 0 for key, _ in GOAL_STATUSES]


def test_goal_changes_stack_one_dataset_per_status():
    statuses = (("in_progress", "In progress"), ("achieved", "Achieved"))
    goals = {
        "transitions": {
            "months": [{"key": "2026-01", "label": "Jan 2026"}, {"key": "2026-02", "label": "Feb 2026"}],
            "by_status": {"in_progress": [1, 0], "achieved": [0, 2]},
        }
    }
    assert charts.goal_changes_by_month(goals, statuses) == {
        "type": "bar",
        "stacked": True,
        "labels": ["Jan 2026", "Feb 2026"],
        "datasets": [{"label": "In progress", "data": [1, 0]}, {"label": "Achieved", "data": [0, 2]}],
    }


def test_feedback_hides_suppressed_cells_and_rounds_means():
    quarters = [
        {"label": "Q1 2026", "scales": {"aim": {"mean": 4.123, "n": 3, "suppressed": False}}},
        {"label": "Q2 2026", "scales": {"aim": {"mean": 5.0, "n": 1, "suppressed": True}}},
        {"label": "Q3 2026", "scales": {}},
    ]
    spec = charts.feedback_over_time(quarters, {"aim": "Acceptability"})
    assert spec["scale5"] is True
    assert spec["labels"] == ["Q1 2026", "Q2 2026", "Q3 2026"]
    assert spec["datasets"] == [{"label": "Acceptability", "data": [4.12, None, None]}]
