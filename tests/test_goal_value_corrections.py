"""Correcting a measured value on the goal page (issue 19): each value row has Edit (date and value, a
versioned save: a stale edit is refused and shows the other change) and Remove (a confirmation, then a
soft delete); the goal's chart and progress follow.

On factories.small_world(): engagement A (start 5 Jan 2026) is co-led by isp_a1 and isp_a2; recipient_a
belongs to A's unit. The goal: up is better, baseline 40, target 80 (target − baseline = 40):
- values 50 (1 Feb) and 60 (1 Mar): the latest is 60 -> (60 − 40) / 40 = 50 %;
- 1 Mar corrected to 70 -> (70 − 40) / 40 = 75 %;
- 1 Mar removed: the latest is 50 (1 Feb) -> (50 − 40) / 40 = 25 %.
"""

import datetime as dt

import pytest

from tracker.models import AuditEntry, GoalMeasurement
from tracker.reports import charts
from tracker.services import goals as goal_service

from . import factories
from .conftest import field_error, post_form

D = dt.date


@pytest.fixture
def w(demo):
    demo.goal = factories.measured_goal(demo.engagement_a)
    demo.feb = goal_service.record_measurement(demo.goal, D(2026, 2, 1), 50)
    demo.mar = goal_service.record_measurement(demo.goal, D(2026, 3, 1), 60)
    e = demo.engagement_a
    demo.page = f"/engagements/{e.id}/goals/{demo.goal.id}"
    return demo


def value_url(w, value, action):
    return f"{w.page}/values/{value.id}/{action}"


def progress_shown(client, w):
    html = client.get(w.page).get_data(as_text=True)
    return html.split("Progress toward target</dt><dd>")[1].split("</strong>")[0].replace("<strong>", "")


def test_the_goal_page_offers_edit_and_remove_to_editors_only(w, as_user):
    html = as_user(w.isp_a1).get(w.page).get_data(as_text=True)
    assert value_url(w, w.mar, "edit") in html and value_url(w, w.mar, "remove") in html
    html = as_user(w.recipient_a).get(w.page).get_data(as_text=True)
    assert value_url(w, w.mar, "edit") not in html
    assert as_user(w.recipient_a).get(value_url(w, w.mar, "edit")).status_code == 403


def test_correcting_a_value_moves_progress_and_is_audited(w, as_user):
    client = as_user(w.isp_a1)
    assert progress_shown(client, w) == "50%"
    form = client.get(value_url(w, w.mar, "edit")).get_data(as_text=True)
    assert 'value="2026-03-01"' in form and 'value="60.0"' in form
    response = post_form(client, value_url(w, w.mar, "edit"), {"date": "2026-03-01", "value": "70", "version": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{w.page}#values-h")
    stored = GoalMeasurement.get_by_id(w.mar.id)
    assert (stored.value, stored.version) == (70.0, 2)
    assert progress_shown(client, w) == "75%"
    entry = AuditEntry.select().where(AuditEntry.entity == "GoalMeasurement").order_by(AuditEntry.id.desc()).first()
    assert entry.action == "update" and '"value": [60.0, 70.0]' in entry.changes


def test_a_stale_edit_writes_nothing_and_shows_the_other_change(w, as_user):
    client = as_user(w.isp_a1)
    assert post_form(client, value_url(w, w.mar, "edit"), {"date": "2026-03-01", "value": "65", "version": "1"})
    response = post_form(client, value_url(w, w.mar, "edit"), {"date": "2026-03-01", "value": "70", "version": "1"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "changed this value" in html and "Nothing was saved." in html
    assert 'value="70"' in html  # the input is kept
    assert GoalMeasurement.get_by_id(w.mar.id).value == 65.0


def test_a_refused_correction_keeps_the_input(w, as_user):
    client = as_user(w.isp_a1)
    response = post_form(client, value_url(w, w.mar, "edit"), {"date": "2020-01-01", "value": "70", "version": "1"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, "date") and 'value="2020-01-01"' in html
    assert GoalMeasurement.get_by_id(w.mar.id).value == 60.0


def test_a_value_logged_with_a_meeting_keeps_the_meetings_date(w, as_user):
    meeting = factories.meeting(w.engagement_a, date=D(2026, 4, 2))
    logged = goal_service.record_measurement(w.goal, D(2026, 4, 2), 66, meeting=meeting)
    client = as_user(w.isp_a1)
    response = post_form(client, value_url(w, logged, "edit"), {"date": "2026-04-03", "value": "66", "version": "1"})
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "date") == (
        "This value was logged with a meeting: change the meeting's date to move it."
    )
    assert post_form(client, value_url(w, logged, "edit"), {"date": "2026-04-02", "value": "67", "version": "1"})
    assert GoalMeasurement.get_by_id(logged.id).value == 67.0


def test_removing_a_value_asks_first_then_the_chart_and_progress_follow(w, as_user):
    client = as_user(w.isp_a1)
    confirm = client.get(value_url(w, w.mar, "remove")).get_data(as_text=True)
    assert "Remove this value?" in confirm and "60 % of sites on" in confirm
    assert GoalMeasurement.get_by_id(w.mar.id).deleted_at is None  # nothing happens on GET
    response = post_form(client, value_url(w, w.mar, "remove"), {})
    assert response.status_code == 302
    assert GoalMeasurement.get_by_id(w.mar.id).deleted_at is not None  # soft: the row stays
    assert progress_shown(client, w) == "25%"
    html = client.get(w.page).get_data(as_text=True)
    assert value_url(w, w.mar, "edit") not in html and value_url(w, w.feb, "edit") in html
    chart = charts.goal_values(w.goal, w.goal.measurements())  # what the page's chart draws
    assert (chart["labels"], chart["datasets"][0]["data"]) == (["2026-02-01"], [50.0])
    assert client.get(value_url(w, w.mar, "edit")).status_code == 404  # removed: no longer editable
