"""Measured values from the meeting form (issue 19): each measured goal of the engagement gets an optional
value field, dated with the meeting; a value is recorded with the meeting in one transaction, a refused
one refuses the whole save (the message next to its field, the input kept); the meeting page shows the
values recorded in it, and moving the meeting moves them.

On factories.small_world(): engagement A (start 5 Jan 2026) is co-led by isp_a1.
"""

import datetime as dt

import pytest

from tracker.models import GoalMeasurement, Meeting, ValidationError
from tracker.services import meetings as service

from . import factories
from .conftest import field_error, post_form

DAY = dt.date.today() - dt.timedelta(days=3)


@pytest.fixture
def w(demo):
    e = demo.engagement_a
    demo.measured = factories.measured_goal(e)  # % of sites, up is better, 40 -> 80
    demo.plain = factories.goal(e, "No measure on this one")
    return demo


def data(w, value="", day=DAY, **extra):
    return {
        "date": day.isoformat(),
        "kind": "monthly",
        "mode": "in_person",
        "duration_minutes": "90",
        "measurements-0-goal_id": str(w.measured.id),
        "measurements-0-value": value,
        **extra,
    }


def new_url(e):
    return f"/engagements/{e.id}/meetings/new"


def test_the_form_offers_a_value_field_per_measured_goal_open_when_one_is_due(w, as_user):
    html = as_user(w.isp_a1).get(new_url(w.engagement_a)).get_data(as_text=True)
    assert '<details class="measured-values" id="measurements" open>' in html  # no value yet: due
    assert 'name="measurements-0-value"' in html and 'name="measurements-1-value"' not in html  # one measured goal
    assert "Value on the meeting's date for Sites using the protocol (% of sites)" in html
    GoalMeasurement.create(goal=w.measured, date=dt.date.today() - dt.timedelta(days=5), value=50)
    html = as_user(w.isp_a1).get(new_url(w.engagement_a)).get_data(as_text=True)
    assert '<details class="measured-values" id="measurements">' in html  # a value 5 days old: not due, collapsed
    assert "50 % of sites on" in html  # the latest value, beside the field


def test_a_value_is_recorded_with_the_meeting_and_shown_on_its_page(w, as_user):
    client = as_user(w.isp_a1)
    response = post_form(client, new_url(w.engagement_a), data(w, "55.5"))
    assert response.status_code == 302
    meeting = Meeting.get(Meeting.engagement == w.engagement_a)
    (value,) = GoalMeasurement.select()
    assert (value.goal_id, value.date, value.value) == (w.measured.id, DAY, 55.5)
    assert (value.meeting_id, value.recorded_by_id) == (meeting.id, w.isp_a1.id)
    html = client.get(f"/engagements/{w.engagement_a.id}/meetings/{meeting.id}").get_data(as_text=True)
    assert '<h3 id="values-h">Measured values</h3>' in html and "<strong>55.5</strong> % of sites" in html
    # the edit form lists it as recorded in this meeting and offers no second field for that goal
    html = client.get(f"/engagements/{w.engagement_a.id}/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert "(recorded in this meeting; " in html and 'name="measurements-0-value"' not in html
    # moving the meeting moves its value (the value is dated with the meeting)
    later = DAY + dt.timedelta(days=1)
    edit = {k: v for k, v in data(w, day=later).items() if not k.startswith("measurements")}
    edit["version"] = str(meeting.version)
    assert post_form(client, f"/engagements/{w.engagement_a.id}/meetings/{meeting.id}/edit", edit).status_code == 302
    assert GoalMeasurement.get_by_id(value.id).date == later


def test_a_refused_value_refuses_the_whole_save_with_the_message_next_to_it(w, as_user):
    client = as_user(w.isp_a1)
    response = post_form(client, new_url(w.engagement_a), data(w, "lots", notes="Kept notes"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, "measurements-0-value") == "Enter a number, like 42 or 3.5."
    assert 'value="lots"' in html and "Kept notes" in html  # what was typed is kept
    assert '<details class="measured-values" id="measurements" open>' in html
    # a number the form reads but the model refuses (not finite): nothing written, the meeting neither
    response = post_form(client, new_url(w.engagement_a), data(w, "1e400"))
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "measurements-0-value") == "Enter a number, like 42 or 3.5."
    assert Meeting.select().count() == 0 and GoalMeasurement.select().count() == 0


def test_a_value_on_a_goal_without_a_measure_or_of_another_engagement_is_refused(w):
    base = {"date": DAY, "kind": "monthly", "mode": "in_person", "duration_minutes": 90}
    with pytest.raises(ValidationError) as refused:
        service.log_meeting(w.engagement_a, {**base, "measurements": [{"goal_id": w.plain.id, "value": 3}]}, w.isp_a1)
    assert refused.value.errors == {
        "measurements-0-value": "Set the goal's measure (direction, baseline and target) first."
    }
    other = factories.measured_goal(w.engagement_b)
    with pytest.raises(ValidationError) as refused:
        service.log_meeting(w.engagement_a, {**base, "measurements": [{"goal_id": other.id, "value": 3}]}, w.isp_a1)
    assert refused.value.errors == {"measurements": "One of the goals is not a goal of this engagement."}
    assert Meeting.select().count() == 0 and GoalMeasurement.select().count() == 0
