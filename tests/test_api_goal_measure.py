"""Setting a goal's measure and correcting its values through the API (issue 19): PATCH /goals/<id> takes
measure_unit, measure_direction, baseline_value, baseline_on, target_value, target_on and outcome with the
model's rules; PATCH and DELETE /goals/<id>/measurements/<mid> correct or remove a value. Bad input: 400
with the one error envelope, nothing written.

On factories.small_world(): engagement A (start 5 Jan 2026) is co-led by isp_a1; recipient_a reads it.
Progress worked by hand: down is better, baseline 40 (days waiting), target 10 (target − baseline = −30);
a value of 25 -> (25 − 40) / −30 = 0.5; corrected to 16 -> (16 − 40) / −30 = 0.8.
"""

import datetime as dt

import pytest

from tracker.models import AuditEntry, Goal, GoalMeasurement
from tracker.services import goals as goal_service

from . import factories
from .api_helpers import token_for

MEASURE = {
    "measure_unit": "days waiting",
    "measure_direction": "down",
    "baseline_value": 40,
    "baseline_on": "2026-01-05",
    "target_value": 10,
    "target_on": "2026-12-31",
    "outcome": "feasibility",
}


@pytest.fixture
def api(demo, client):
    headers = {"Authorization": f"Bearer {token_for(demo.isp_a1)}"}

    def call(method, url, json=None, user_headers=None):
        return client.open(f"/api/v1{url}", method=method, json=json, headers=user_headers or headers)

    return call


def test_patch_sets_the_measure_and_progress_follows(demo, api):
    goal = factories.goal(demo.engagement_a, "Shorter waits")
    response = api("PATCH", f"/goals/{goal.id}", MEASURE)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["outcome"] == "feasibility"
    assert body["measure"]["unit"] == "days waiting" and body["measure"]["direction"] == "down"
    assert (body["measure"]["baseline_value"], body["measure"]["target_value"]) == (40, 10)
    assert body["measure"]["progress"] is None  # no value yet
    assert api("POST", f"/goals/{goal.id}/measurements", {"date": "2026-03-01", "value": 25}).status_code == 201
    assert api("GET", f"/goals/{goal.id}").get_json()["measure"]["progress"] == pytest.approx(0.5)
    # the engagement's path does the same; a blank outcome clears it
    response = api("PATCH", f"/engagements/{demo.engagement_a.id}/goals/{goal.id}", {"outcome": ""})
    assert response.status_code == 200 and response.get_json()["outcome"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"baseline_value": 40}, "measure_direction"),  # a partial measure: the model asks for the rest
        ({**MEASURE, "target_value": 50}, "target_value"),  # down is better: the target is below the baseline
        ({**MEASURE, "target_value": 40}, "target_value"),  # equal to the baseline
        ({**MEASURE, "baseline_value": "40"}, "baseline_value"),  # a string is not a number
        ({**MEASURE, "measure_direction": "sideways"}, "measure_direction"),
        ({**MEASURE, "target_on": "2026-01-01"}, "target_on"),  # before the baseline's date
        ({**MEASURE, "colour": "red"}, "colour"),  # unknown field
    ],
)
def test_patch_refuses_a_bad_measure_with_400_and_writes_nothing(demo, api, body, field):
    goal = factories.goal(demo.engagement_a, "Shorter waits")
    response = api("PATCH", f"/goals/{goal.id}", body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]
    stored = Goal.get_by_id(goal.id)
    assert (stored.measure_direction, stored.baseline_value, stored.version) == (None, None, 1)


def test_a_value_is_corrected_and_removed_through_the_api(demo, api):
    goal = factories.measured_goal(demo.engagement_a, direction="down", baseline=40, target=10)
    value = goal_service.record_measurement(goal, dt.date(2026, 3, 1), 25)
    url = f"/goals/{goal.id}/measurements/{value.id}"
    response = api("PATCH", url, {"value": 16, "version": 1})
    assert response.status_code == 200
    assert (response.get_json()["value"], response.get_json()["date"], response.get_json()["version"]) == (
        16,
        "2026-03-01",
        2,
    )
    assert api("GET", f"/goals/{goal.id}").get_json()["measure"]["progress"] == pytest.approx(0.8)
    stale = api("PATCH", url, {"value": 17, "version": 1})  # from an old representation
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_version"
    assert GoalMeasurement.get_by_id(value.id).value == 16
    assert api("DELETE", url).status_code == 204
    assert GoalMeasurement.get_by_id(value.id).deleted_at is not None
    assert api("GET", url).status_code == 404 and api("DELETE", url).status_code == 404
    assert api("GET", f"/goals/{goal.id}").get_json()["measure"]["progress"] is None
    assert AuditEntry.select().where(AuditEntry.entity == "GoalMeasurement").count() == 3  # create, update, delete


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": "16"}, "value"),
        ({"value": None}, "value"),
        ({"date": "2025-12-01"}, "date"),  # before the engagement's start
        ({"date": "03/01/2026"}, "date"),
        ({"note": "x"}, "note"),
    ],
)
def test_a_bad_correction_is_400_and_writes_nothing(demo, api, body, field):
    goal = factories.measured_goal(demo.engagement_a)
    value = goal_service.record_measurement(goal, dt.date(2026, 3, 1), 50)
    response = api("PATCH", f"/goals/{goal.id}/measurements/{value.id}", body)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    stored = GoalMeasurement.get_by_id(value.id)
    assert (stored.value, stored.date, stored.version) == (50, dt.date(2026, 3, 1), 1)


def test_a_value_logged_with_a_meeting_keeps_its_date_and_a_recipient_may_not_change_values(demo, api):
    goal = factories.measured_goal(demo.engagement_a)
    meeting = factories.meeting(demo.engagement_a, date=dt.date(2026, 4, 2))
    value = goal_service.record_measurement(goal, meeting.date, 50, meeting=meeting)
    url = f"/goals/{goal.id}/measurements/{value.id}"
    response = api("PATCH", url, {"date": "2026-04-03"})
    assert response.status_code == 400 and "date" in response.get_json()["error"]["fields"]
    recipient = {"Authorization": f"Bearer {token_for(demo.recipient_a)}"}
    assert api("PATCH", url, {"value": 1}, user_headers=recipient).status_code == 403
    assert api("DELETE", url, user_headers=recipient).status_code == 403
    other = factories.measured_goal(demo.engagement_a, title="Another goal")
    assert api("PATCH", f"/goals/{other.id}/measurements/{value.id}", {"value": 1}).status_code == 404
    assert GoalMeasurement.get_by_id(value.id).value == 50
