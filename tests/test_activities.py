"""The work between meetings on the pages (issue 22): the quick entry of several lines at once (all or
none, the message beside the line's field, the input kept), the list with its totals by kind, the edit
(versioned), the soft delete and its restore, the engagement page's "Between meetings" section and the
CSV of the list."""

import datetime as dt
import re

import pytest

from tracker.models import Activity, ActivityISP, Strategy
from tracker.reports.filters import ReportFilters
from tracker.reports.journey import engagement_timeline
from tracker.services import activities as service

from . import factories
from .conftest import field_error, post_form

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=120)


@pytest.fixture
def eng(demo):
    return factories.engagement(
        demo.unit_a, [demo.isp_a1, demo.isp_a2], title="Scaling study", start=START, intermediary=demo.center
    )


@pytest.fixture
def isp(demo, as_user):
    return as_user(demo.isp_a1)


def line(i, demo, **values):
    row = {
        f"rows-{i}-date": TODAY.isoformat(),
        f"rows-{i}-kind": "outreach",
        f"rows-{i}-minutes": "30",
        f"rows-{i}-isps": [str(demo.isp_a1.id)],
        f"rows-{i}-notes": f"Line {i}",
    }
    row.update({f"rows-{i}-{k}": v for k, v in values.items()})
    return row


def test_the_quick_entry_opens_with_three_lines_the_isp_ticked(eng, isp, demo):
    page = isp.get(f"/engagements/{eng.id}/activities/new").get_data(as_text=True)
    assert "Log work between meetings" in page
    for i in range(3):
        assert f'id="rows-{i}-isps-{demo.isp_a1.id}" checked' in page
        assert f'name="rows-{i}-kind"' in page
    assert 'name="rows-3-kind"' not in page  # a fourth line is added by "Add a line" (its template below)
    assert 'name="rows-__i__-kind"' in page
    assert "<summary>Tags" in page


def test_three_lines_at_once(eng, isp, demo):
    strategy = Strategy.select().first()
    data = {
        **line(0, demo, kind="outreach", minutes="30"),
        **line(1, demo, kind="data_collection", minutes="45", isps=[str(demo.isp_a1.id), str(demo.isp_a2.id)]),
        **line(2, demo, kind="tool_development", minutes="90", strategies=[str(strategy.id)]),
    }
    response = post_form(isp, f"/engagements/{eng.id}/activities/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    logged = list(Activity.select().order_by(Activity.id))
    assert [(a.kind, a.minutes, a.logged_by_id) for a in logged] == [
        ("outreach", 30, demo.isp_a1.id),
        ("data_collection", 45, demo.isp_a1.id),
        ("tool_development", 90, demo.isp_a1.id),
    ]
    assert ActivityISP.select().where(ActivityISP.activity == logged[1].id).count() == 2
    page = isp.get(f"/engagements/{eng.id}/activities").get_data(as_text=True)
    # totals by kind: 30 outreach, 45 data collection, 90 tool development = 165 minutes = 2 h 45 min in all
    assert "2 h 45 min" in page and "1 h 30 min" in page
    assert strategy.name in page
    assert 'data-export="activities"' in page
    assert f"/reports/activities.csv?engagement_id={eng.id}" in page


def test_one_bad_line_writes_nothing_and_says_so_beside_its_field(eng, isp, demo):
    data = {**line(0, demo), **line(1, demo, minutes="0"), **line(2, demo, notes="Kept as typed")}
    response = post_form(isp, f"/engagements/{eng.id}/activities/new", data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert Activity.select().count() == 0
    assert "between 1 and" in field_error(page, "rows-1-minutes").lower()
    assert field_error(page, "rows-0-minutes") is None
    assert 'value="Kept as typed"' in page  # the typed input is kept
    # a rule of the service (an ISP not on the engagement) lands beside that line's ISPs
    data = {**line(0, demo), **line(1, demo, isps=[str(demo.isp_b.id)])}
    response = post_form(isp, f"/engagements/{eng.id}/activities/new", data)
    assert response.status_code == 400
    assert Activity.select().count() == 0


def test_blank_lines_are_skipped_and_an_empty_form_is_refused(eng, isp, demo):
    empty = {"rows-0-date": TODAY.isoformat(), "rows-0-isps": [str(demo.isp_a1.id)]}
    response = post_form(isp, f"/engagements/{eng.id}/activities/new", empty)
    assert response.status_code == 400
    assert "Fill in at least one line" in response.get_data(as_text=True)
    response = post_form(isp, f"/engagements/{eng.id}/activities/new", {**line(0, demo), **empty})
    assert response.status_code == 302 and Activity.select().count() == 1


def log(eng, demo, **row):
    values = {"date": TODAY, "kind": "outreach", "minutes": 30, "notes": "Calls", "isps": [demo.isp_a1.id]}
    values.update(row)
    return service.log_activities(eng, [values], demo.isp_a1)[0]


def test_edit_is_versioned(eng, isp, demo):
    activity = log(eng, demo)
    url = f"/engagements/{eng.id}/activities/{activity.id}/edit"
    page = isp.get(url).get_data(as_text=True)
    assert 'name="version"' in page and 'value="Calls"' in page
    assert f'id="isps-{demo.isp_a1.id}" checked' in page and 'value="30"' in page
    assert '<option selected value="outreach">' in page
    assert re.search(
        rf'name="version"[^>]*value="{activity.version}"|value="{activity.version}"[^>]*name="version"', page
    )
    data = {"date": TODAY.isoformat(), "kind": "coaching_preparation", "minutes": "50", "isps": [str(demo.isp_a2.id)]}
    response = post_form(isp, url, {**data, "version": str(activity.version)})
    assert response.status_code == 302
    changed = Activity.get_by_id(activity.id)
    assert (changed.kind, changed.minutes) == ("coaching_preparation", 50)
    # the form opened before that change is refused (409), nothing written
    response = post_form(isp, url, {**data, "minutes": "70", "version": str(activity.version)})
    assert response.status_code == 409
    assert Activity.get_by_id(activity.id).minutes == 50


def test_soft_delete_and_restore(eng, isp, demo, as_user):
    activity = log(eng, demo)
    url = f"/engagements/{eng.id}/activities/{activity.id}/delete"
    assert "Delete this activity?" in isp.get(url).get_data(as_text=True)
    assert post_form(isp, url, {}).status_code == 302
    assert Activity.get_by_id(activity.id).deleted_at is not None
    assert "No work between meetings logged yet." in isp.get(f"/engagements/{eng.id}/activities").get_data(as_text=True)
    admin = as_user(demo.admin)
    deleted = admin.get(f"/admin/engagements/{eng.id}/deleted").get_data(as_text=True)
    assert "Outreach of" in deleted
    restore = f"/admin/engagements/{eng.id}/deleted/activity/{activity.id}/restore"
    assert post_form(admin, restore, {}, token_from=f"/admin/engagements/{eng.id}/deleted").status_code == 302
    assert Activity.get_by_id(activity.id).deleted_at is None


def test_engagement_page_section(eng, isp, demo, as_user):
    page = isp.get(f"/engagements/{eng.id}").get_data(as_text=True)
    assert 'id="between-meetings-h"' in page and "No work between meetings logged yet." in page
    log(eng, demo, minutes=40)
    log(eng, demo, minutes=20, kind="data_collection")
    page = isp.get(f"/engagements/{eng.id}").get_data(as_text=True)
    assert "<dd>1 h</dd>" in page  # 40 + 20 minutes this month
    assert f'href="/engagements/{eng.id}/activities/new"' in page
    assert "All activities (2)" in page
    # a recipient reads the section, cannot log
    page = as_user(demo.recipient_a).get(f"/engagements/{eng.id}").get_data(as_text=True)
    assert "All activities (2)" in page and f"/engagements/{eng.id}/activities/new" not in page


def test_who_may_log(eng, demo, as_user):
    url = f"/engagements/{eng.id}/activities/new"
    assert as_user(demo.isp_b).get(url).status_code == 404  # not on the engagement: not visible
    assert as_user(demo.recipient_a).get(url).status_code == 403
    assert as_user(demo.leader_foundation).get(url).status_code == 403
    assert as_user(demo.admin).get(url).status_code == 200


def test_the_csv_of_the_list(eng, isp, demo):
    log(eng, demo, minutes=40, notes="=cmd")
    response = isp.get(f"/reports/activities.csv?engagement_id={eng.id}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.splitlines()[0].lstrip("\ufeff").startswith("engagement_id,engagement,date,kind")
    assert "Scaling study" in text and ",40," in text and "'=cmd" in text


def test_the_timeline_shows_the_work_between_meetings_a_point_a_month(eng, demo):
    e = eng
    first = START + dt.timedelta(days=40)
    month = first.replace(day=1)
    days = [first, first + dt.timedelta(days=1)]  # two activities the same month, unless the month ends
    if days[1].month != first.month:
        days = [first - dt.timedelta(days=1), first]
    log(e, demo, date=days[0], minutes=30)
    log(e, demo, date=days[1], minutes=45, kind="tool_development")
    log(e, demo, date=days[1], minutes=20).soft_delete()  # deleted: not counted
    timeline = engagement_timeline(ReportFilters(user=demo.admin, engagement=e.id))
    # one point for the month: 30 + 45 = 75 minutes in 2 activities, on the date of its first activity
    (point,) = timeline["activities"]
    assert (point["on"], point["month"], point["minutes"], point["activities"]) == (days[0], month, 75, 2)
    assert point["kinds"] == [
        {"name": "Outreach", "minutes": 30},
        {"name": "Tool and resource development", "minutes": 45},
    ]
    assert [ev["kind"] for ev in timeline["events"]].count("activities") == 1
