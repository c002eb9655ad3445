"""Strategies and dose: every number on a small hand-worked data set.

small_world; A entered Exploration on 5 Jan 2026 and Installation on 1 Mar 2026; B and C have no stage.

    s1  A  3 Feb  monthly   in person 60  facilitation, audit and feedback (no dose: 30 + 30)
    s2  A 10 Feb  coaching  virtual   45  coaching (45)
    s3  A 12 Feb  debrief   virtual   30  (none)
    s4  A  3 Mar  monthly   in person 90  facilitation dose 60, coaching (no dose: the 30 left)
    s5  B  5 Mar  planning  virtual   30  assess readiness (30)
    s6  A 24 Feb  monthly   in person 60  facilitation -- soft-deleted, never counted
    s7  C 20 Feb  monthly   in person 60  facilitation (60)

Everything: 6 sessions, 315 minutes. Facilitation s1 s4 s7: 3 (0.5), 30+60+60 = 150 min; audit 1, 30;
coaching s2 s4: 2, 45+30 = 75; assess 1, 30. Clusters: evaluative (audit, assess) 2 sessions, 60 min;
interactive assistance 3, 150; ISP activities 2, 75.
"""

import datetime as dt

import pytest
from playhouse.test_utils import count_queries

from tests import factories
from tracker.models import MeetingStrategy, Stage, Strategy
from tracker.reports import strategies as report
from tracker.reports.filters import ReportFilters

D = dt.date


@pytest.fixture
def world(demo):
    w = demo
    a, b, c = w.engagement_a, w.engagement_b, w.engagement_c
    a.enter_stage(Stage.get(Stage.key == "installation"), D(2026, 3, 1))
    w.s1 = factories.meeting(
        a, D(2026, 2, 3), strategies=["facilitation", "audit_and_provide_feedback"], kind="monthly", duration_minutes=60
    )
    w.s2 = factories.meeting(
        a, D(2026, 2, 10), strategies=["coaching"], kind="coaching", mode="virtual", duration_minutes=45
    )
    w.s3 = factories.meeting(a, D(2026, 2, 12), kind="debrief", mode="virtual", duration_minutes=30)
    w.s4 = factories.meeting(
        a, D(2026, 3, 3), strategies=["facilitation", "coaching"], kind="monthly", duration_minutes=90
    )
    (
        MeetingStrategy.update(minutes=60)
        .where(
            (MeetingStrategy.meeting == w.s4.id)
            & (MeetingStrategy.strategy == Strategy.get(Strategy.key == "facilitation").id)
        )
        .execute()
    )
    w.s5 = factories.meeting(
        b,
        D(2026, 3, 5),
        strategies=["assess_readiness_barriers_facilitators"],
        kind="planning",
        mode="virtual",
        duration_minutes=30,
    )
    w.s6 = factories.meeting(a, D(2026, 2, 24), strategies=["facilitation"], kind="monthly", duration_minutes=60)
    w.s6.soft_delete()
    w.s7 = factories.meeting(c, D(2026, 2, 20), strategies=["facilitation"], kind="monthly", duration_minutes=60)
    return w


def f(user, **kw):
    return ReportFilters(user=user, **kw)


def test_strategies_by_name_and_cluster(world):
    data = report.strategies_used(f(world.admin))
    assert data["total_meetings"] == 6 and data["total_minutes"] == 315
    assert [(s["key"], s["meetings"], s["share"], s["minutes"]) for s in data["strategies"]] == [
        ("assess_readiness_barriers_facilitators", 1, 0.1667, 30),
        ("audit_and_provide_feedback", 1, 0.1667, 30),
        ("facilitation", 3, 0.5, 150),
        ("coaching", 2, 0.3333, 75),
    ]
    assert [(c["key"], c["number"], c["meetings"], c["share"], c["minutes"]) for c in data["clusters"]] == [
        ("use_evaluative_and_iterative_strategies", 1, 2, 0.3333, 60),
        ("provide_interactive_assistance", 2, 3, 0.5, 150),
        ("isp_activities", 10, 2, 0.3333, 75),
    ]
    assert data["strategies"][2]["cluster"] == "provide_interactive_assistance"


def test_dose(world):
    data = report.dose(f(world.admin))
    assert data["total_meetings"] == 6 and data["total_minutes"] == 315
    assert [(m["key"], m["label"], m["meetings"], m["minutes"]) for m in data["by_month"]] == [
        ("2026-02", "Feb 2026", 4, 195),
        ("2026-03", "Mar 2026", 2, 120),
    ]
    assert [(s["key"], s["meetings"], s["minutes"]) for s in data["by_stage"]] == [
        (None, 2, 90),
        ("exploration", 3, 135),
        ("installation", 1, 90),
    ]
    assert [(m["key"], m["name"], m["meetings"], m["minutes"]) for m in data["by_mode"]] == [
        ("in_person", "In person", 3, 210),
        ("virtual", "Virtual", 3, 105),
    ]
    assert [(k["key"], k["meetings"], k["minutes"]) for k in data["by_kind"]] == [
        ("monthly", 3, 210),
        ("planning", 1, 30),
        ("debrief", 1, 30),
        ("coaching", 1, 45),
    ]


def test_sessions_between_monthly_meetings(world):
    data = report.between_monthly(f(world.admin))
    # monthly: s1, s4 (A), s7 (C); s2 and s3 follow s1; s5 (B) has no monthly meeting before it
    assert (data["intervals"], data["sessions"], data["average"]) == (3, 2, 0.67)
    assert data["distribution"] == [
        {"sessions": "0", "intervals": 2},
        {"sessions": "1", "intervals": 0},
        {"sessions": "2", "intervals": 1},
        {"sessions": "3+", "intervals": 0},
    ]
    assert [(r["title"], r["intervals"], r["sessions"], r["average"]) for r in data["by_engagement"]] == [
        ("Engagement A", 2, 2, 1.0),
        ("Engagement C", 1, 0, 0.0),
    ]


def test_filters(world):
    w = world
    data = report.dose(f(w.admin, stage="installation"))
    assert (data["total_meetings"], data["total_minutes"]) == (1, 90)
    data = report.dose(f(w.admin, kind="monthly", start=D(2026, 2, 1), end=D(2026, 2, 28)))
    assert (data["total_meetings"], data["total_minutes"]) == (2, 120)  # s1, s7
    data = report.strategies_used(f(w.admin, engagement=w.engagement_a.id))
    assert [(s["key"], s["meetings"], s["share"], s["minutes"]) for s in data["strategies"]] == [
        ("audit_and_provide_feedback", 1, 0.25, 30),
        ("facilitation", 2, 0.5, 90),
        ("coaching", 2, 0.5, 75),
    ]
    data = report.dose(f(w.admin, model="co_creation"))
    assert data["total_meetings"] == 0 and data["by_month"] == [] and data["by_stage"] == []


def test_a_date_range_with_no_meetings(world):
    empty = f(world.admin, start=D(2024, 1, 1), end=D(2024, 6, 30))
    assert report.strategies_used(empty) == {
        "total_meetings": 0,
        "total_minutes": 0,
        "total_activities": 0,
        "total_activity_minutes": 0,
        "clusters": [],
        "strategies": [],
    }
    assert report.dose(empty) == {
        "total_meetings": 0,
        "total_minutes": 0,
        "total_activities": 0,
        "total_activity_minutes": 0,
        "by_month": [],
        "by_stage": [],
        "by_mode": [],
        "by_kind": [],
    }
    assert report.between_monthly(empty) == {
        "intervals": 0,
        "sessions": 0,
        "average": 0.0,
        "distribution": [],
        "by_engagement": [],
    }


def test_scope(world):
    w = world
    data = report.dose(f(w.leader_other))  # C only
    assert (data["total_meetings"], data["total_minutes"]) == (1, 60)
    assert [s["key"] for s in report.strategies_used(f(w.leader_other))["strategies"]] == ["facilitation"]
    data = report.dose(f(w.recipient_b))  # B only
    assert (data["total_meetings"], data["total_minutes"]) == (1, 30)
    assert report.dose(f(w.leader_other, unit=w.unit_a.id))["total_meetings"] == 0


def test_strategies_page_shows_the_numbers(world, as_user):
    html = as_user(world.admin).get("/reports/strategies").get_data(as_text=True)
    assert "Strategies and dose" in html
    assert "5 h 15 min in 6 sessions" in html
    assert '<td class="num">2 h 30 min</td>' in html  # facilitation: 150 minutes
    assert 'id="chart-clusters"' in html and 'id="chart-dose-month"' in html
    assert "/reports/strategies.csv" in html


def test_strategies_page_empty_state(world, as_user):
    html = as_user(world.admin).get("/reports/strategies?start=2024-01-01&end=2024-02-01").get_data(as_text=True)
    assert "No sessions match these filters." in html
    assert 'type="application/json"' not in html


def test_query_count_does_not_grow(demo, as_user):
    def run():
        flt = f(demo.leader_foundation)
        report.strategies_used(flt)
        report.dose(flt)
        report.between_monthly(flt)

    client = as_user(demo.leader_foundation)
    for i in range(10):
        factories.meeting(
            demo.engagement_a,
            D(2026, 1, 6) + dt.timedelta(days=i),
            strategies=["facilitation"],
            kind="monthly" if i % 3 == 0 else "coaching",
        )
    with count_queries() as few:
        run()
    with count_queries() as few_page:
        assert client.get("/reports/strategies").status_code == 200
    for i in range(190):
        factories.meeting(
            demo.engagement_b,
            D(2026, 1, 6) + dt.timedelta(days=i),
            strategies=["coaching", "facilitation"],
            kind="monthly" if i % 4 == 0 else "planning",
        )
    with count_queries() as many:
        run()
    with count_queries() as many_page:
        assert client.get("/reports/strategies").status_code == 200
    assert few.count == many.count
    assert few_page.count == many_page.count


def test_sessions_between_monthly_meetings_are_listed_a_page_of_engagements_at_a_time(demo, as_user):
    for n in range(26):
        e = factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], title=f"Monthly {n:02d}")
        factories.meeting(e, dt.date(2026, 2, 3), kind="monthly")
    admin = as_user(demo.admin)
    first = admin.get("/reports/strategies").get_data(as_text=True)
    second = admin.get("/reports/strategies?page=2").get_data(as_text=True)
    assert "Page 1 of 2 (1–25 of 26)" in first and "Page 2 of 2 (26–26 of 26)" in second
    assert "<td>Monthly 24</td>" in first and "<td>Monthly 25</td>" in second
    assert "26 monthly meetings" in second  # the totals are of all engagements on every page


def test_a_session_on_the_day_of_a_monthly_meeting_follows_it_whichever_was_logged_first(demo):
    e = demo.engagement_c
    factories.meeting(e, D(2026, 4, 1), kind="coaching")  # before any monthly meeting: in no interval
    factories.meeting(e, D(2026, 4, 7), kind="planning")  # logged before the day's monthly meeting
    factories.meeting(e, D(2026, 4, 7), kind="monthly")
    factories.meeting(e, D(2026, 4, 7), kind="debrief")
    factories.meeting(e, D(2026, 5, 5), kind="monthly")
    factories.meeting(e, D(2026, 5, 5), kind="monthly")  # two on one day: the later one opens the interval
    factories.meeting(e, D(2026, 5, 6), kind="coaching")
    data = report.between_monthly(f(demo.admin))
    assert (data["intervals"], data["sessions"]) == (3, 3)
    assert data["distribution"] == [
        {"sessions": "0", "intervals": 1},
        {"sessions": "1", "intervals": 1},
        {"sessions": "2", "intervals": 1},
        {"sessions": "3+", "intervals": 0},
    ]
