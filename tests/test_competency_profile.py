"""An ISP's own competency profile over time (issue 22): /reports/my-competencies and the `my-competencies`
CSV, for ISPs only, always about the reader.

Worked by hand (tests.factories.small_world; Ada = isp_a1, Ben = isp_a2; framework 2020):
- M1, a meeting of A on 3 Feb 2026 (2026-Q1) that Ada attended, with p20_co_learning.
- M2, a meeting of A on 20 Feb 2026 that only Ben attended, with p20_facilitation: not Ada's.
- X, an activity of A on 10 May 2026 (2026-Q2) listing Ada, tagged p20_co_learning and p20_brokering.
- Y, an activity of A on 12 May 2026 listing Ben only, tagged p20_co_design: not Ada's.
- M3, a meeting of C on 7 Apr 2026 (2026-Q2) that Ada logged, with p20_communication.

Ada's profile: quarters Q1 (1 session, 0 activities), Q2 (1 session, 1 activity);
co-learning sessions [1, 0] activities [0, 1]; brokering [0, 0] / [0, 1]; communication [0, 1] / [0, 0].
"""

import csv
import datetime as dt
import io

import pytest

from tests import factories
from tracker.models import Competency, MeetingAttendee
from tracker.reports import competencies
from tracker.services.activities import log_activities

D = dt.date
P20 = "isp_practice_profile_2020"


def _activity(engagement, day, isp, keys):
    ids = [Competency.get(Competency.key == k).id for k in keys]
    row = {"date": day, "kind": "coaching_preparation", "minutes": 30, "isps": [isp.id], "competencies": ids}
    log_activities(engagement, [row], isp)


@pytest.fixture
def world(demo):
    w = demo
    m1 = factories.meeting(w.engagement_a, D(2026, 2, 3), competencies=["p20_co_learning"])
    MeetingAttendee.create(meeting=m1, user=w.isp_a1)
    m2 = factories.meeting(w.engagement_a, D(2026, 2, 20), competencies=["p20_facilitation"])
    MeetingAttendee.create(meeting=m2, user=w.isp_a2)
    _activity(w.engagement_a, D(2026, 5, 10), w.isp_a1, ["p20_co_learning", "p20_brokering"])
    _activity(w.engagement_a, D(2026, 5, 12), w.isp_a2, ["p20_co_design"])
    factories.meeting(w.engagement_c, D(2026, 4, 7), competencies=["p20_communication"], logged_by=w.isp_a1)
    return w


def test_the_profile_counts_the_isps_own_sessions_and_activities_apart_by_quarter(world):
    profile = competencies.isp_profile(competencies.own_profile_filters(world.isp_a1, P20))
    assert [(q["key"], q["label"], q["meetings"], q["activities"]) for q in profile["quarters"]] == [
        ("2026-Q1", "Q1 2026", 1, 0),
        ("2026-Q2", "Q2 2026", 1, 1),
    ]
    assert [(c["key"], c["meetings"], c["activities"]) for c in profile["competencies"]] == [
        ("p20_co_learning", [1, 0], [0, 1]),
        ("p20_brokering", [0, 0], [0, 1]),
        ("p20_communication", [0, 1], [0, 0]),
    ]
    assert (profile["total_meetings"], profile["total_activities"]) == (2, 1)
    assert [d["key"] for d in profile["domains"]] == ["co_creation_engagement", "ongoing_improvement"]
    ben = competencies.isp_profile(competencies.own_profile_filters(world.isp_a2, P20))
    assert [(c["key"], sum(c["meetings"]), sum(c["activities"])) for c in ben["competencies"]] == [
        ("p20_co_design", 0, 1),
        ("p20_facilitation", 1, 0),
    ]


def test_the_page_shows_the_readers_own_profile_with_its_chart_table_and_csv(world, as_user):
    client = as_user(world.isp_a1)
    response = client.get("/reports/my-competencies?framework=" + P20)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "My competency profile" in page and "Q2 2026" in page
    assert 'data-export="my-competencies"' in page and 'data-chart="chart-my-competencies"' in page
    assert "Co-learning" in page and "Brokering" in page
    assert "Co-design" not in page  # Ben's activity
    assert "/reports/my-competencies.csv?" in page
    home = client.get("/").get_data(as_text=True)
    assert home.count('href="/reports/my-competencies"') == 1  # linked from the ISP's home page


def test_the_csv_is_always_about_the_downloader(world, as_user):
    client = as_user(world.isp_a1)
    response = client.get(f"/reports/my-competencies.csv?framework={P20}&isp_id={world.isp_a2.id}")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    named = [(r["quarter"], r["competency_key"], r["meetings"], r["activities"]) for r in rows if r["competency_key"]]
    assert named == [
        ("2026-Q1", "p20_co_learning", "1", "0"),
        ("2026-Q2", "p20_co_learning", "0", "1"),
        ("2026-Q1", "p20_brokering", "0", "0"),
        ("2026-Q2", "p20_brokering", "0", "1"),
        ("2026-Q1", "p20_communication", "0", "0"),
        ("2026-Q2", "p20_communication", "1", "0"),
    ]
    assert [(r["quarter"], r["meetings"], r["activities"]) for r in rows if not r["competency_key"]] == [
        ("2026-Q1", "1", "0"),
        ("2026-Q2", "1", "1"),
    ]


def test_only_isps_have_a_profile(world, as_user):
    for user in (world.admin, world.leader_foundation, world.recipient_a):
        client = as_user(user)
        assert client.get("/reports/my-competencies").status_code == 403
        assert client.get("/reports/my-competencies.csv").status_code == 403
        account = client.get("/account/")
        assert account.status_code == 200 and 'href="/reports/my-competencies"' not in account.get_data(as_text=True)


def test_an_isp_with_nothing_logged_sees_the_empty_state(world, as_user):
    page = as_user(world.isp_none).get("/reports/my-competencies").get_data(as_text=True)
    assert "You have not taken part in a session or logged an activity yet." in page
