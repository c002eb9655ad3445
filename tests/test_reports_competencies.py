"""Competencies used: every number of the report on a small hand-worked data set.

The data (small_world: engagement A in unit A, B in unit B (both of the Foundation), C in unit C of
Other Funder; A entered Exploration on 5 Jan 2026):

    m1  A  3 Feb 2026  monthly   co-learning, brokering        logged by Ada (isp_a1)
    m2  A 17 Feb 2026  coaching  co-learning, facilitation     attended by Ben (isp_a2)
    m3  A 10 Mar 2026  monthly   facilitation                  attended by Ben
    m4  B 12 Mar 2026  monthly   building capacity
    m5  B 20 Mar 2026  planning  (none)
    m6  C 10 Feb 2026  monthly   co-learning
    m7  A 24 Feb 2026  monthly   co-learning  -- soft-deleted: never counted
    m8  A 15 Mar 2026  debrief   co-learning of the 12-competency (2021) framework

Both frameworks count through the crosswalk (issue 19; 2021 co-learning is 2020 co-learning, exact):
Default framework (15 competencies), everything (admin): 7 meetings;
  co-learning m1 m2 m6 m8 = 4 (4/7 = 0.5714), brokering 1 (0.1429), facilitation m2 m3 = 2 (0.2857),
  building capacity 1 (0.1429), all others 0;
  domains: co-creation m1 m2 m6 m8 = 4 (m1 used two of its competencies, counted once),
  ongoing improvement m2 m3 = 2, sustaining change m4 = 1.
The 2021 framework: co-learning 4, brokering m1 = 1, facilitation m2 m3 = 2 (sustaining change in 2021),
  build capacity m4 = 1; domains co-creation 4, ongoing improvement 0, sustaining change m2 m3 m4 = 3.
(The crosswalk's approximate links are worked in tests/test_competency_crosswalk.py.)
"""

import datetime as dt

import pytest
from playhouse.test_utils import count_queries

from tests import factories
from tracker.models import MeetingAttendee
from tracker.reports import competencies as report
from tracker.reports.filters import ReportFilters

D = dt.date


@pytest.fixture
def world(demo):
    w = demo
    a, b, c = w.engagement_a, w.engagement_b, w.engagement_c
    w.m1 = factories.meeting(a, D(2026, 2, 3), ["p20_co_learning", "p20_brokering"], kind="monthly", logged_by=w.isp_a1)
    w.m2 = factories.meeting(
        a, D(2026, 2, 17), ["p20_co_learning", "p20_facilitation"], kind="coaching", mode="virtual", duration_minutes=30
    )
    w.m3 = factories.meeting(a, D(2026, 3, 10), ["p20_facilitation"], kind="monthly", duration_minutes=90)
    w.m4 = factories.meeting(
        b, D(2026, 3, 12), ["p20_building_capacity"], kind="monthly", mode="virtual", duration_minutes=45
    )
    w.m5 = factories.meeting(b, D(2026, 3, 20), [], kind="planning", mode="virtual", duration_minutes=30)
    w.m6 = factories.meeting(c, D(2026, 2, 10), ["p20_co_learning"], kind="monthly")
    w.m7 = factories.meeting(a, D(2026, 2, 24), ["p20_co_learning"], kind="monthly")
    w.m7.soft_delete()
    w.m8 = factories.meeting(
        a, D(2026, 3, 15), ["s21_co_learning"], kind="debrief", mode="virtual", duration_minutes=30
    )
    for m in (w.m2, w.m3):
        MeetingAttendee.create(meeting=m, user=w.isp_a2)
    return w


def used(user, **kw):
    return report.competencies_used(ReportFilters(user=user, **kw))


def counts(data):
    return {c["key"]: (c["meetings"], c["share"]) for c in data["competencies"] if c["meetings"]}


def domains(data):
    return {d["key"]: (d["meetings"], d["share"]) for d in data["domains"]}


def test_everything_for_an_admin(world):
    data = used(world.admin)
    assert data["total_meetings"] == 7
    assert data["framework"]["key"] == "isp_practice_profile_2020"
    assert len(data["competencies"]) == 15
    assert counts(data) == {
        "p20_co_learning": (4, 0.5714),
        "p20_brokering": (1, 0.1429),
        "p20_facilitation": (2, 0.2857),
        "p20_building_capacity": (1, 0.1429),
    }
    assert domains(data) == {
        "co_creation_engagement": (4, 0.5714),
        "ongoing_improvement": (2, 0.2857),
        "sustaining_change": (1, 0.1429),
    }
    first = data["competencies"][0]
    assert first == {
        "key": "p20_co_learning",
        "name": "Co-learning",
        "domain": "co_creation_engagement",
        "meetings": 4,
        "share": 0.5714,
        "retired": False,
        "approximate": 0,
        "activities": 0,  # no work between meetings in this world (tests/test_reports_activities_dose.py)
    }
    assert [d["name"] for d in data["domains"]] == [
        "Co-creation and engagement",
        "Ongoing improvement",
        "Sustaining change",
    ]


def test_the_12_competency_framework(world):
    data = used(world.admin, framework="isp_competencies_2021")
    assert data["framework"]["key"] == "isp_competencies_2021"
    assert data["total_meetings"] == 7
    assert len(data["competencies"]) == 12
    assert counts(data) == {
        "s21_co_learning": (4, 0.5714),
        "s21_brokering": (1, 0.1429),
        "s21_facilitation": (2, 0.2857),
        "s21_build_capacity": (1, 0.1429),
    }
    assert domains(data) == {
        "co_creation_engagement": (4, 0.5714),
        "ongoing_improvement": (0, 0.0),
        "sustaining_change": (3, 0.4286),
    }
    # an unknown framework key falls back to the default
    assert used(world.admin, framework="nope")["framework"]["key"] == "isp_practice_profile_2020"


def test_filters(world):
    w = world
    data = used(w.admin, unit=w.unit_b.id)
    assert data["total_meetings"] == 2
    assert counts(data) == {"p20_building_capacity": (1, 0.5)}

    data = used(w.admin, engagement=w.engagement_a.id)
    assert data["total_meetings"] == 4  # m1 m2 m3 m8 (not the deleted m7)
    assert counts(data) == {"p20_co_learning": (3, 0.75), "p20_brokering": (1, 0.25), "p20_facilitation": (2, 0.5)}

    data = used(w.admin, kind="monthly")
    assert data["total_meetings"] == 4  # m1 m3 m4 m6
    assert counts(data) == {
        "p20_co_learning": (2, 0.5),
        "p20_brokering": (1, 0.25),
        "p20_facilitation": (1, 0.25),
        "p20_building_capacity": (1, 0.25),
    }

    data = used(w.admin, start=D(2026, 3, 1), end=D(2026, 3, 31))
    assert data["total_meetings"] == 4  # m3 m4 m5 m8
    assert counts(data) == {
        "p20_co_learning": (1, 0.25),  # m8, logged with the 2021 framework
        "p20_facilitation": (1, 0.25),
        "p20_building_capacity": (1, 0.25),
    }
    assert domains(data) == {
        "co_creation_engagement": (1, 0.25),
        "ongoing_improvement": (1, 0.25),
        "sustaining_change": (1, 0.25),
    }

    data = used(w.admin, model="co_creation")
    assert data["total_meetings"] == 0

    data = used(w.admin, stage=w.engagement_a.current_stage.key)  # A was in Exploration for all its meetings
    assert data["total_meetings"] == 4

    data = used(w.admin, isp=w.isp_a2.id)  # Ben attended m2 and m3
    assert data["total_meetings"] == 2
    assert counts(data) == {"p20_co_learning": (1, 0.5), "p20_facilitation": (2, 1.0)}

    data = used(w.admin, isp=w.isp_a1.id)  # Ada logged m1
    assert counts(data) == {"p20_co_learning": (1, 1.0), "p20_brokering": (1, 1.0)}


def test_a_date_range_with_no_meetings(world):
    data = used(world.admin, start=D(2025, 1, 1), end=D(2025, 12, 31))
    assert data["total_meetings"] == 0
    assert all(c["meetings"] == 0 and c["share"] == 0.0 for c in data["competencies"])
    assert all(d["meetings"] == 0 and d["share"] == 0.0 for d in data["domains"])
    assert report.over_time(ReportFilters(user=world.admin, start=D(2025, 1, 1), end=D(2025, 12, 31)))["months"] == []


def test_empty_database_gives_zeros(demo):
    data = used(demo.admin)
    assert data["total_meetings"] == 0
    assert len(data["competencies"]) == 15 and not counts(data)


def test_scope_of_leaders_and_recipients(world):
    w = world
    data = used(w.leader_foundation)  # units A and B
    assert data["total_meetings"] == 6
    assert counts(data) == {
        "p20_co_learning": (3, 0.5),
        "p20_brokering": (1, 0.1667),
        "p20_facilitation": (2, 0.3333),
        "p20_building_capacity": (1, 0.1667),
    }
    data = used(w.leader_other)  # unit C only
    assert data["total_meetings"] == 1
    assert counts(data) == {"p20_co_learning": (1, 1.0)}
    # a leader asking for an engagement outside their scope gets nothing of it
    assert used(w.leader_other, engagement=w.engagement_a.id)["total_meetings"] == 0
    assert used(w.recipient_a)["total_meetings"] == 4
    assert used(w.recipient_b)["total_meetings"] == 2
    assert used(w.recipient_b, unit=w.unit_a.id)["total_meetings"] == 0
    assert used(w.isp_none)["total_meetings"] == 0


def test_over_time_by_month(world):
    data = report.over_time(ReportFilters(user=world.admin))
    assert [(m["key"], m["label"], m["meetings"]) for m in data["months"]] == [
        ("2026-02", "Feb 2026", 3),
        ("2026-03", "Mar 2026", 4),
    ]
    by_domain = {d["key"]: (d["meetings"], d["share"]) for d in data["domains"]}
    assert by_domain == {
        "co_creation_engagement": ([3, 1], [1.0, 0.25]),
        "ongoing_improvement": ([1, 1], [0.3333, 0.25]),
        "sustaining_change": ([0, 1], [0.0, 0.25]),
    }
    by_competency = {c["key"]: c["meetings"] for c in data["competencies"] if any(c["meetings"])}
    assert by_competency == {
        "p20_co_learning": [3, 1],
        "p20_brokering": [1, 0],
        "p20_facilitation": [1, 1],
        "p20_building_capacity": [0, 1],
    }


def test_months_without_meetings_are_filled(world):
    factories.meeting(world.engagement_a, D(2026, 5, 4), ["p20_brokering"])
    data = report.over_time(ReportFilters(user=world.admin))
    assert [(m["key"], m["meetings"]) for m in data["months"]] == [
        ("2026-02", 3),
        ("2026-03", 4),
        ("2026-04", 0),
        ("2026-05", 1),
    ]


def test_per_isp(world):
    data = report.by_isp(ReportFilters(user=world.admin))
    rows = {r["name"]: r for r in data["isps"]}
    assert list(rows) == ["Ada ISP", "Ben ISP"]
    ada, ben = rows["Ada ISP"], rows["Ben ISP"]
    assert ada["meetings"] == 1 and ben["meetings"] == 2
    assert {k: n for k, n in ada["counts"].items() if n} == {"p20_co_learning": 1, "p20_brokering": 1}
    assert {k: n for k, n in ben["counts"].items() if n} == {"p20_co_learning": 1, "p20_facilitation": 2}
    assert len(ada["never"]) == 13 and "Co-learning" not in ada["never"] and "Facilitation" in ada["never"]
    assert len(ben["never"]) == 13 and "Brokering" in ben["never"]
    # Ben attended the soft-deleted meeting too: still not counted
    MeetingAttendee.create(meeting=world.m7, user=world.isp_a2)
    assert {r["name"]: r["meetings"] for r in report.by_isp(ReportFilters(user=world.admin))["isps"]}["Ben ISP"] == 2
    # scoped: Other Funder's leader sees no ISP activity on A
    assert report.by_isp(ReportFilters(user=world.leader_other))["isps"] == []


def test_per_isp_one_page_at_a_time(world, as_user):
    """The page shows the ISPs a page at a time (by name); each page's counts are the same as in the
    full table the CSV export uses."""
    full = report.by_isp(ReportFilters(user=world.admin))
    first = report.by_isp(ReportFilters(user=world.admin), page=1, per_page=1)
    second = report.by_isp(ReportFilters(user=world.admin), page=2, per_page=1)
    beyond = report.by_isp(ReportFilters(user=world.admin), page=9, per_page=1)
    assert [r["name"] for r in first["isps"]] == ["Ada ISP"] and [r["name"] for r in second["isps"]] == ["Ben ISP"]
    assert first["isps"] + second["isps"] == full["isps"]
    assert (first["page"].total, first["page"].pages, beyond["page"].number) == (2, 2, 2)
    assert beyond["isps"] == second["isps"]
    html = as_user(world.admin).get("/reports/competencies").get_data(as_text=True)
    assert "Ada ISP" in html and "Ben ISP" in html and 'class="pagination"' not in html  # 2 ISPs: one page


FIRST_MEETING = D(2026, 1, 5)


def make_meetings(engagement, n, start=FIRST_MEETING):
    keys = ["p20_co_learning", "p20_brokering", "p20_facilitation", "p20_building_capacity"]
    for i in range(n):  # every 3 days, wrapping within 300 days: meetings are never in the future
        factories.meeting(
            engagement, start + dt.timedelta(days=(3 * i) % 300), keys[i % 4 : i % 4 + 2], strategies=["facilitation"]
        )


def test_query_count_does_not_grow_with_the_data(demo):
    def run():
        f = ReportFilters(user=demo.leader_foundation)
        report.competencies_used(f)
        report.over_time(f)
        report.by_isp(f)

    make_meetings(demo.engagement_a, 10)
    with count_queries() as few:
        run()
    make_meetings(demo.engagement_b, 190)
    with count_queries() as many:
        run()
    assert few.count == many.count
