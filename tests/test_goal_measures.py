"""Measured indicators on goals (issue 19): the measure, values over time, progress toward target.

On factories.small_world(): engagement A (start 5 Jan 2026) is co-led by isp_a1 and isp_a2;
recipient_a belongs to A's unit.
"""

import datetime as dt

import pytest

from tracker import research
from tracker.models import AuditEntry, Goal, GoalMeasurement, Stage, ValidationError, progress_toward_target
from tracker.reports import journey
from tracker.reports import progress as progress_report
from tracker.reports.filters import ReportFilters
from tracker.services import goals as goal_service

from . import factories
from .api_helpers import token_for
from .conftest import field_error, post_form

# --- progress toward target, worked by hand --------------------------------------------------------
#
# Up is better: baseline 40, target 80 (target − baseline = 40).
#   latest 50  → (50 − 40) / 40 = 0.25
#   latest 70  → (70 − 40) / 40 = 0.75
#   latest 90  → (90 − 40) / 40 = 1.25, past the target → 1.0
#   latest 30  → (30 − 40) / 40 = −0.25, worse than baseline → 0.0
# Down is better: baseline 40 days waiting, target 10 (target − baseline = −30).
#   latest 25  → (25 − 40) / −30 = 0.5
#   latest 16  → (16 − 40) / −30 = 0.8
#   latest 4   → (4 − 40) / −30 = 1.2, past the target → 1.0
#   latest 46  → (46 − 40) / −30 = −0.2, worse than baseline → 0.0


@pytest.mark.parametrize(
    ("baseline", "target", "latest", "expected"),
    [
        (40, 80, 50, 0.25),
        (40, 80, 70, 0.75),
        (40, 80, 90, 1.0),
        (40, 80, 30, 0.0),
        (40, 80, 40, 0.0),
        (40, 80, 80, 1.0),
        (40, 10, 25, 0.5),
        (40, 10, 16, 0.8),
        (40, 10, 4, 1.0),
        (40, 10, 46, 0.0),
    ],
)
def test_progress_toward_target_worked_by_hand(baseline, target, latest, expected):
    assert progress_toward_target(baseline, target, latest) == pytest.approx(expected)


def test_progress_without_a_value_is_none():
    assert progress_toward_target(40, 80, None) is None


def test_goal_progress_uses_the_latest_dated_value_up_and_down(demo):
    e = demo.engagement_a
    up = factories.measured_goal(e, "up", 40, 80)
    down = factories.measured_goal(e, "down", 40, 10, title="Days waiting for a first visit", measure_unit="days")
    assert up.progress() is None  # no value yet
    # entered out of date order: the latest-dated value counts, not the last entered
    goal_service.record_measurement(up, dt.date(2026, 4, 1), 70)
    goal_service.record_measurement(up, dt.date(2026, 3, 1), 50)
    assert up.progress() == pytest.approx(0.75)  # (70 − 40) / 40
    goal_service.record_measurement(down, dt.date(2026, 3, 1), 25)
    assert down.progress() == pytest.approx(0.5)  # (25 − 40) / (10 − 40)
    goal_service.record_measurement(down, dt.date(2026, 5, 1), 4)
    assert down.progress() == pytest.approx(1.0)  # past the target: 1.2 capped
    goal_service.record_measurement(down, dt.date(2026, 6, 1), 46)
    assert down.progress() == 0.0  # worse than the baseline: −0.2 capped
    assert [m.value for m in up.measurements()] == [50, 70]


# --- validation in the model layer -----------------------------------------------------------------


def _refusal(goal):
    with pytest.raises(ValidationError) as caught:
        goal.save()
    return caught.value.errors


def test_a_target_equal_to_the_baseline_is_refused(demo):
    goal = factories.measured_goal(demo.engagement_a)
    goal.target_value = goal.baseline_value
    assert "nothing to reach" in _refusal(goal)["target_value"]


def test_the_target_lies_in_the_better_direction(demo):
    goal = factories.measured_goal(demo.engagement_a, "up", 40, 80)
    goal.measure_direction = "down"
    assert _refusal(goal)["target_value"] == "Down is better: the target is below the baseline."


def test_a_partial_measure_names_each_missing_part(demo):
    goal = factories.goal(demo.engagement_a)
    goal.measure_unit = "sites"
    errors = _refusal(goal)
    assert set(errors) == {"measure_direction", "baseline_value", "baseline_on", "target_value", "target_on"}


def test_the_baseline_date_follows_the_event_date_rule(demo):
    goal = factories.measured_goal(demo.engagement_a)
    goal.baseline_on = dt.date(2025, 12, 1)  # before the engagement's start (5 Jan 2026)
    assert "the engagement's start" in _refusal(goal)["baseline_on"]


def test_a_value_must_be_a_finite_number_on_an_event_date(demo):
    goal = factories.measured_goal(demo.engagement_a)
    for value in (float("nan"), float("inf"), "12"):
        with pytest.raises(ValidationError) as caught:
            goal_service.record_measurement(goal, dt.date(2026, 3, 1), value)
        assert caught.value.errors["value"] == "Enter a number, like 42 or 3.5."
    with pytest.raises(ValidationError) as caught:
        goal_service.record_measurement(goal, dt.date(2025, 12, 1), 50)
    assert "the engagement's start" in caught.value.errors["date"]
    with pytest.raises(ValidationError) as caught:
        goal_service.record_measurement(goal, dt.date.today() + dt.timedelta(days=1), 50)
    assert "today" in caught.value.errors["date"]
    assert GoalMeasurement.select().count() == 0


def test_a_goal_without_a_measure_takes_no_values(demo):
    goal = factories.goal(demo.engagement_a)
    with pytest.raises(ValidationError) as caught:
        goal_service.record_measurement(goal, dt.date(2026, 3, 1), 5)
    assert "Set the goal's measure" in caught.value.errors["__all__"]


# --- the goal page ---------------------------------------------------------------------------------


def _goal_url(goal, tail=""):
    return f"/engagements/{goal.engagement_id}/goals/{goal.id}{tail}"


def test_an_isp_sets_a_measure_records_values_and_sees_progress(demo, as_user):
    goal = factories.goal(demo.engagement_a, indicator="Share of sites using the intake protocol")
    client = as_user(demo.isp_a1)
    html = client.get(_goal_url(goal)).get_data(as_text=True)
    assert "This indicator has no measure yet." in html and "Add a measure" in html
    response = post_form(
        client,
        _goal_url(goal, "/measure"),
        {
            "version": goal.version,
            "measure_unit": "% of sites",
            "measure_direction": "up",
            "baseline_value": "40",
            "baseline_on": "2026-01-05",
            "target_value": "80",
            "target_on": "2026-12-31",
            "outcome": "adoption",
        },
    )
    assert response.status_code == 302
    goal = Goal.get_by_id(goal.id)
    assert (goal.measure_direction, goal.baseline_value, goal.target_value, goal.outcome) == ("up", 40, 80, "adoption")
    for day, value in (("2026-02-01", "50"), ("2026-03-01", "70")):
        response = post_form(client, _goal_url(goal, "/values"), {"date": day, "value": value}, _goal_url(goal))
        assert response.status_code == 302
    html = client.get(_goal_url(goal)).get_data(as_text=True)
    assert "<strong>75%</strong>" in html  # (70 − 40) / (80 − 40)
    assert 'id="chart-values"' in html and 'id="values-table"' in html
    assert [m.recorded_by_id for m in goal.measurements()] == [demo.isp_a1.id] * 2
    assert AuditEntry.select().where(AuditEntry.entity == "GoalMeasurement").count() == 2


def test_a_refused_value_shows_next_to_the_field_and_keeps_the_input(demo, as_user):
    goal = factories.measured_goal(demo.engagement_a)
    client = as_user(demo.isp_a1)
    response = post_form(client, _goal_url(goal, "/values"), {"date": "2026-03-01", "value": "lots"}, _goal_url(goal))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "value") == "Enter a number, like 42 or 3.5."
    assert 'value="lots"' in html and 'value="2026-03-01"' in html
    assert GoalMeasurement.select().count() == 0


def test_a_refused_measure_keeps_the_input(demo, as_user):
    goal = factories.goal(demo.engagement_a)
    client = as_user(demo.isp_a1)
    data = {"version": goal.version, "measure_direction": "up", "baseline_value": "5", "baseline_on": "2026-01-05"}
    data |= {"target_value": "5", "target_on": "2026-12-31"}
    response = post_form(client, _goal_url(goal, "/measure"), data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nothing to reach" in field_error(html, "target_value")
    assert Goal.get_by_id(goal.id).baseline_value is None


def test_a_recipient_sees_the_values_but_no_form(demo, as_user):
    goal = factories.measured_goal(demo.engagement_a)
    goal_service.record_measurement(goal, dt.date(2026, 3, 1), 60)
    client = as_user(demo.recipient_a)
    html = client.get(_goal_url(goal)).get_data(as_text=True)
    assert "<strong>50%</strong>" in html  # (60 − 40) / (80 − 40)
    assert "Record a value" not in html and "Change the measure" not in html
    assert (
        post_form(client, _goal_url(goal, "/values"), {"date": "2026-03-02", "value": "1"}, _goal_url(goal)).status_code
        == 403
    )


# --- the API ---------------------------------------------------------------------------------------


def test_api_records_a_value_with_201_and_location_and_shows_it_on_the_goal(demo, client):
    goal = factories.measured_goal(demo.engagement_a, "down", 40, 10, measure_unit="days")
    headers = {"Authorization": f"Bearer {token_for(demo.isp_a1)}"}
    response = client.post(
        f"/api/v1/goals/{goal.id}/measurements", json={"date": "2026-03-01", "value": 25}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["date"], body["value"], body["recorded_by_id"]) == ("2026-03-01", 25.0, demo.isp_a1.id)
    assert response.headers["Location"] == f"/api/v1/goals/{goal.id}/measurements/{body['id']}"
    assert client.get(response.headers["Location"], headers=headers).get_json()["value"] == 25.0
    measure = client.get(f"/api/v1/goals/{goal.id}", headers=headers).get_json()["measure"]
    assert measure["direction"] == "down" and measure["latest"]["value"] == 25.0
    assert measure["progress"] == pytest.approx(0.5)  # (25 − 40) / (10 − 40)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-03-01"}, "value"),
        ({"value": 3}, "date"),
        ({"date": "2026-03-01", "value": "3"}, "value"),
        ({"date": "2026-03-01", "value": True}, "value"),
        ({"date": "2025-12-01", "value": 3}, "date"),
        ({"date": "2026-03-01", "value": 3, "note": "x"}, "note"),
    ],
)
def test_api_refuses_bad_input_with_400_and_writes_nothing(demo, client, body, field):
    goal = factories.measured_goal(demo.engagement_a)
    headers = {"Authorization": f"Bearer {token_for(demo.isp_a1)}"}
    response = client.post(f"/api/v1/goals/{goal.id}/measurements", json=body, headers=headers)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    assert GoalMeasurement.select().count() == 0


def test_api_a_recipient_may_read_but_not_record(demo, client):
    goal = factories.measured_goal(demo.engagement_a)
    headers = {"Authorization": f"Bearer {token_for(demo.recipient_a)}"}
    assert client.get(f"/api/v1/goals/{goal.id}/measurements", headers=headers).status_code == 200
    response = client.post(
        f"/api/v1/goals/{goal.id}/measurements", json={"date": "2026-03-01", "value": 5}, headers=headers
    )
    assert response.status_code == 403
    assert GoalMeasurement.select().count() == 0


# --- the timeline and the portfolio's outcomes -----------------------------------------------------


def test_the_engagement_timeline_has_a_measured_values_row(demo, as_user):
    demo.engagement_a.enter_stage(Stage.select().order_by(Stage.position).first(), demo.engagement_a.start_date)
    goal = factories.measured_goal(demo.engagement_a, "up", 40, 80)
    goal_service.record_measurement(goal, dt.date(2026, 3, 1), 60)
    timeline = journey.engagement_timeline(ReportFilters(user=demo.leader_foundation, engagement=demo.engagement_a.id))
    [point] = timeline["measured"]
    assert (point["on"], point["value"], point["progress"]) == (dt.date(2026, 3, 1), 60, 0.5)  # (60 − 40) / 40
    assert any(e["kind"] == "measured" for e in timeline["events"])
    html = (
        as_user(demo.leader_foundation)
        .get(f"/reports/progress?engagement_id={demo.engagement_a.id}")
        .get_data(as_text=True)
    )
    assert "Measured values" in html and "Value measured" in html


def test_outcomes_by_type_worked_by_hand(demo, as_user):
    """Adoption: goal 1 up 40→80, latest 70 (0.75); goal 2 down 40→10, latest 25 (0.5), achieved;
    goal 3 tagged, no measure. Fidelity: goal 4 up 0→10, latest 12 (past the target: 1.0), achieved.
    Adoption: 3 goals, 1 achieved, 2 measured, mean (0.75 + 0.5) / 2 = 0.625. Fidelity: 1, 1, 1, 1.0.
    A goal without an outcome and a deleted tagged goal do not count."""
    e = demo.engagement_a
    g1 = factories.measured_goal(e, "up", 40, 80, outcome="adoption")
    g2 = factories.measured_goal(e, "down", 40, 10, outcome="adoption", status="achieved")
    factories.goal(e, outcome="adoption")
    g4 = factories.measured_goal(e, "up", 0, 10, outcome="fidelity", status="achieved")
    untagged = factories.measured_goal(e, "up", 0, 10)
    gone = factories.measured_goal(e, "up", 0, 10, outcome="fidelity")
    for goal, day, value in ((g1, 2, 50), (g1, 3, 70), (g2, 3, 25), (g4, 3, 12), (untagged, 3, 5), (gone, 3, 5)):
        goal_service.record_measurement(goal, dt.date(2026, day, 1), value)
    gone.soft_delete()
    rows = progress_report.outcomes_by_type(ReportFilters(user=demo.admin))
    assert [(r["key"], r["goals"], r["achieved"], r["measured"]) for r in rows] == [
        ("adoption", 3, 1, 2),
        ("fidelity", 1, 1, 1),
    ]
    assert [r["mean_progress"] for r in rows] == [pytest.approx(0.625), pytest.approx(1.0)]
    html = as_user(demo.admin).get("/reports/progress").get_data(as_text=True)
    assert 'id="outcomes-table"' in html and "<td>Adoption</td>" in html


def test_the_research_export_has_each_value_with_its_measure_and_progress(app, demo):
    goal = factories.measured_goal(demo.engagement_a, "down", 40, 10, outcome="feasibility", measure_unit="days")
    goal_service.record_measurement(goal, dt.date(2026, 3, 1), 25)
    with app.app_context():
        [row] = research.collect()["goal_measurements"]
    columns = [c for c, *_ in research.CODEBOOK["goal_measurements"]]
    named = dict(zip(columns, row, strict=True))
    assert (named["measure_direction"], named["outcome"], named["measured_on"]) == ("down", "feasibility", "2026-03-01")
    assert named["progress"] == 0.5  # (25 − 40) / (10 − 40)
