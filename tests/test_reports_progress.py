"""Progress movement: stage timeline (with a revisit), stage scores, goals, for one engagement and the
portfolio, plus the progress page and the printable engagement report (and who may see them).

Engagement A: Exploration 5 Jan 2026 → Installation 15 Feb → Exploration again 1 Mar → Installation
again 11 Mar; as of 10 Apr 2026. Days per entry: 41, 14, 10, 30. Exploration 41 + 10 = 51 days
(2 visits), Installation 14 + 30 = 44 days (2 visits). Benchmarks: Exploration 3 of 7 done
(0.4286), Installation 1 of 7 (0.1429). Engagement C: Exploration since 1 Mar (40 days), 0 of 7.
Goals of A: not started, in progress, achieved, and a deleted one (never counted).
"""

import datetime as dt

import pytest
from playhouse.test_utils import count_queries

from tests import factories
from tracker.models import Benchmark, Deliverable, Stage
from tracker.reports import progress as report
from tracker.reports.filters import ReportFilters

D = dt.date
AS_OF = D(2026, 4, 10)


def stage(key):
    return Stage.get(Stage.key == key)


@pytest.fixture
def world(demo):
    w = demo
    a, c = w.engagement_a, w.engagement_c
    a.enter_stage(stage("installation"), D(2026, 2, 15))
    a.enter_stage(stage("exploration"), D(2026, 3, 1))
    a.enter_stage(stage("installation"), D(2026, 3, 11))
    c.enter_stage(stage("exploration"), D(2026, 3, 1))
    for i, b in enumerate(
        Benchmark.select()
        .where((Benchmark.engagement == a.id) & (Benchmark.stage == stage("exploration").id))
        .order_by(Benchmark.id)
        .limit(3)
    ):
        b.completed_on = D(2026, 1, 20 + i)
        b.save()
    b = (
        Benchmark.select()
        .where((Benchmark.engagement == a.id) & (Benchmark.stage == stage("installation").id))
        .order_by(Benchmark.id)
        .first()
    )
    b.completed_on = D(2026, 3, 20)
    b.save()
    g1 = factories.goal(a, "Goal one")
    g1.change_status("in_progress", D(2026, 2, 10))
    g2 = factories.goal(a, "Goal two")
    g2.change_status("in_progress", D(2026, 2, 20))
    g2.change_status("achieved", D(2026, 3, 15))
    factories.goal(a, "Goal three")
    g4 = factories.goal(a, "Deleted goal")
    g4.change_status("in_progress", D(2026, 3, 1))
    g4.soft_delete()
    return w


def one(user, engagement, **kw):
    return report.engagement_progress(ReportFilters(user=user, engagement=engagement.id, **kw), as_of=AS_OF)


def test_timeline_with_a_revisit(world):
    data = one(world.admin, world.engagement_a)
    assert [(t["key"], t["entered_on"], t["left_on"], t["days"], t["revisit"]) for t in data["timeline"]] == [
        ("exploration", D(2026, 1, 5), D(2026, 2, 15), 41, False),
        ("installation", D(2026, 2, 15), D(2026, 3, 1), 14, False),
        ("exploration", D(2026, 3, 1), D(2026, 3, 11), 10, True),
        ("installation", D(2026, 3, 11), None, 30, True),
    ]
    assert data["furthest_stage"] == "installation" and data["furthest_stage_name"] == "Installation"
    assert data["current_stage"] == "installation"


def test_stage_scores(world):
    data = one(world.admin, world.engagement_a)
    rows = {s["key"]: s for s in data["stages"]}
    assert list(rows) == ["exploration", "installation", "initial_implementation", "full_implementation"]
    exp, ins = rows["exploration"], rows["installation"]
    assert (
        exp["entered_on"],
        exp["days"],
        exp["visits"],
        exp["benchmarks_total"],
        exp["benchmarks_completed"],
        exp["proportion"],
    ) == (D(2026, 1, 5), 51, 2, 7, 3, 0.4286)
    assert (exp["first_benchmark_on"], exp["last_benchmark_on"]) == (D(2026, 1, 20), D(2026, 1, 22))
    assert (
        ins["entered_on"],
        ins["days"],
        ins["visits"],
        ins["benchmarks_total"],
        ins["benchmarks_completed"],
        ins["proportion"],
    ) == (D(2026, 2, 15), 44, 2, 7, 1, 0.1429)
    later = rows["initial_implementation"]
    assert (later["entered_on"], later["days"], later["visits"], later["benchmarks_total"], later["proportion"]) == (
        None,
        None,
        0,
        0,
        0.0,
    )
    # the shape the API will serve
    assert set(data["stages"][0]) >= {
        "key",
        "name",
        "entered_on",
        "days",
        "benchmarks_total",
        "benchmarks_completed",
        "proportion",
    }


def test_goals_by_status_and_changes_by_month(world):
    goals = one(world.admin, world.engagement_a)["goals"]
    assert goals["by_status"] == {"not_started": 1, "in_progress": 1, "achieved": 1, "revised": 0, "dropped": 0}
    t = goals["transitions"]
    assert [m["key"] for m in t["months"]] == ["2026-02", "2026-03"]
    assert t["by_status"] == {
        "not_started": [0, 0],
        "in_progress": [2, 0],
        "achieved": [0, 1],
        "revised": [0, 0],
        "dropped": [0, 0],
    }
    march = one(world.admin, world.engagement_a, start=D(2026, 3, 1), end=D(2026, 3, 31))["goals"]["transitions"]
    assert [m["key"] for m in march["months"]] == ["2026-03"] and march["by_status"]["achieved"] == [1]
    empty = one(world.admin, world.engagement_a, start=D(2025, 1, 1), end=D(2025, 2, 1))["goals"]["transitions"]
    assert empty["months"] == [] and empty["by_status"]["achieved"] == []


def test_a_closed_engagement_stops_counting_at_its_end(world):
    a = world.engagement_a
    a.status, a.end_date, a.closing_summary = "closed", D(2026, 3, 21), "Done."
    a.save()
    data = one(world.admin, a)
    assert data["timeline"][-1]["days"] == 10  # 11 Mar to 21 Mar, not to 10 Apr
    assert {s["key"]: s["days"] for s in data["stages"]}["installation"] == 24


def test_portfolio(world):
    data = report.portfolio_progress(ReportFilters(user=world.admin), as_of=AS_OF)
    assert data["engagements"] == 3
    rows = {s["key"]: s for s in data["stages"]}
    exp, ins = rows["exploration"], rows["installation"]
    assert (
        exp["engagements"],
        exp["entries"],
        exp["revisits"],
        exp["current"],
        exp["days"],
        exp["mean_days"],
        exp["benchmarks_total"],
        exp["benchmarks_completed"],
        exp["proportion"],
    ) == (2, 3, 1, 1, 91, 45.5, 14, 3, 0.2143)
    assert (
        ins["engagements"],
        ins["entries"],
        ins["revisits"],
        ins["current"],
        ins["days"],
        ins["mean_days"],
        ins["benchmarks_total"],
        ins["benchmarks_completed"],
        ins["proportion"],
    ) == (1, 2, 1, 1, 44, 44.0, 7, 1, 0.1429)
    assert rows["full_implementation"]["engagements"] == 0 and rows["full_implementation"]["mean_days"] is None
    assert data["furthest_stage"] == "installation"
    assert [(x["key"], x["engagements"]) for x in data["furthest"]] == [
        ("exploration", 1),
        ("installation", 1),
        ("initial_implementation", 0),
        ("full_implementation", 0),
    ]
    by_title = {r["title"]: r for r in data["rows"]}
    assert by_title["Engagement A"] == {
        "id": world.engagement_a.id,
        "title": "Engagement A",
        "current_stage": "Installation",
        "furthest_stage": "Installation",
        "days_in_current": 30,
        "benchmarks_total": 14,
        "benchmarks_completed": 4,
        "proportion": 0.2857,
    }
    assert by_title["Engagement B"]["current_stage"] is None and by_title["Engagement B"]["benchmarks_total"] == 0
    assert (by_title["Engagement C"]["days_in_current"], by_title["Engagement C"]["proportion"]) == (40, 0.0)
    assert data["goals"]["by_status"]["achieved"] == 1


def test_portfolio_filters_and_scope(world):
    w = world
    data = report.portfolio_progress(ReportFilters(user=w.admin, stage="installation"), as_of=AS_OF)
    assert [r["title"] for r in data["rows"]] == ["Engagement A"]
    data = report.portfolio_progress(ReportFilters(user=w.leader_other), as_of=AS_OF)  # C only
    assert data["engagements"] == 1 and data["furthest_stage"] == "exploration"
    assert sum(data["goals"]["by_status"].values()) == 0
    assert report.engagement_progress(ReportFilters(user=w.leader_other, engagement=w.engagement_a.id)) is None
    assert report.engagement_progress(ReportFilters(user=w.recipient_b, engagement=w.engagement_a.id)) is None
    assert one(w.recipient_a, w.engagement_a)["furthest_stage"] == "installation"
    data = report.portfolio_progress(ReportFilters(user=w.admin, model="co_creation"), as_of=AS_OF)
    assert data["engagements"] == 0 and data["rows"] == [] and data["furthest_stage"] is None


def test_progress_page(world, as_user):
    html = (
        as_user(world.leader_foundation)
        .get(f"/reports/progress?engagement_id={world.engagement_a.id}")
        .get_data(as_text=True)
    )
    assert "Progress: Engagement A" in html
    assert html.count("revisit</span>") == 2
    assert 'id="timeline-table"' in html and 'id="scores-table"' in html
    html = as_user(world.leader_foundation).get("/reports/progress").get_data(as_text=True)
    assert "Stages across 2 engagements" in html  # A and B: C is not in the Foundation's scope
    assert "Engagement C" not in html
    assert (
        as_user(world.leader_other).get(f"/reports/progress?engagement_id={world.engagement_a.id}").status_code == 404
    )
    assert as_user(world.recipient_b).get(f"/reports/progress?engagement_id={world.engagement_a.id}").status_code == 404


def test_engagement_report_access(world, as_user, client):
    url = f"/reports/engagements/{world.engagement_a.id}"
    for user in (world.admin, world.leader_foundation, world.leader_all, world.recipient_a, world.isp_a1):
        assert as_user(user).get(url).status_code == 200, user.email
    for user in (world.leader_other, world.recipient_b, world.isp_none):
        assert as_user(user).get(url).status_code == 404, user.email
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_engagement_report_content(world, as_user):
    a = world.engagement_a
    factories.meeting(a, D(2026, 2, 3), ["p20_co_learning"], strategies=["facilitation"], duration_minutes=90)
    Deliverable.create(engagement=a, title="Practice profile", kind="core_components", due_on=D(2026, 5, 1))
    html = as_user(world.recipient_a).get(f"/reports/engagements/{a.id}").get_data(as_text=True)
    for text in (
        "Engagement report",
        "Goal one",
        "Goal two",
        "Goal three",
        "Stage path and stage scores",
        "3 of 7",
        "Co-learning",
        "Facilitation",
        "1 h 30 min",
        "Practice profile",
        "Recipient feedback",
    ):
        assert text in html, text
    assert "Deleted goal" not in html
    assert "css/print.css" in html and "css/reports.css" in html
    # linked from the engagement page
    page = as_user(world.recipient_a).get(f"/engagements/{a.id}").get_data(as_text=True)
    assert f"/reports/engagements/{a.id}" in page and "Printable report" in page


def test_query_count_constant(demo, as_user):
    client = as_user(demo.admin)
    url = f"/reports/progress?engagement_id={demo.engagement_a.id}"
    for i in range(10):
        factories.meeting(demo.engagement_a, D(2026, 1, 6) + dt.timedelta(days=i))
    with count_queries() as few:
        assert client.get(url).status_code == 200
        assert client.get("/reports/progress").status_code == 200
        assert client.get(f"/reports/engagements/{demo.engagement_a.id}").status_code == 200
    for i in range(190):
        factories.meeting(demo.engagement_a, D(2026, 1, 6) + dt.timedelta(days=i), ["p20_brokering"])
    with count_queries() as many:
        assert client.get(url).status_code == 200
        assert client.get("/reports/progress").status_code == 200
        assert client.get(f"/reports/engagements/{demo.engagement_a.id}").status_code == 200
    assert few.count == many.count


def test_the_engagement_rows_are_paged(demo, as_user):
    for n in range(23):  # with small_world's three: 26 engagements
        factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], title=f"Row {n:02d}")
    leader = as_user(demo.leader_all)
    first = leader.get("/reports/progress").get_data(as_text=True)
    second = leader.get("/reports/progress?page=2").get_data(as_text=True)
    link = '<th scope="row"><a href="/reports/progress?engagement_id='  # a row of the stage journeys' table
    assert first.count(link) == 25 and second.count(link) == 1
    assert "Page 1 of 2 (1–25 of 26)" in first and "Page 2 of 2 (26–26 of 26)" in second
    assert "Showing 1–25 of 26 engagements." in first
    # by unit, then title: Unit A's 24, Unit B's one, then Unit C's
    assert ">Row 22</a>" in first and ">Engagement C</a>" in second and ">Engagement C</a>" not in first


def _sic_by_definition(engagement, as_of):
    """The module docstring's SIC duration, from the raw rows one by one: per stage, the days from the first
    to the last activity (its benchmarks' completion dates, the logged meetings held while in the stage)."""
    from tracker.models import Meeting, StageEntry  # noqa: PLC0415

    entries = list(StageEntry.select().where(StageEntry.engagement == engagement.id).order_by(StageEntry.entered_on))
    end = engagement.end_date if engagement.status == "closed" and engagement.end_date < as_of else as_of
    days = [
        m.date
        for m in Meeting.select().where(Meeting.engagement == engagement.id)
        if m.deleted_at is None and m.review_state != "draft"
    ]
    dates = {}
    for i, entry in enumerate(entries):
        stop = entries[i + 1].entered_on if i + 1 < len(entries) else max(end, entry.entered_on) + dt.timedelta(1)
        dates.setdefault(entry.stage_id, []).extend(d for d in days if entry.entered_on <= d < stop)
    for b in Benchmark.select().where((Benchmark.engagement == engagement.id) & Benchmark.deleted_at.is_null()):
        if b.completed_on:
            dates.setdefault(b.stage_id, []).append(b.completed_on)
    by_id = {s.id: s.key for s in Stage.select()}
    return {by_id[sid]: (max(ds) - min(ds)).days for sid, ds in dates.items() if ds}


def test_sic_duration_counts_meetings_at_the_edges_of_each_visit_as_defined(world):
    """Meetings on a stage move's day (the stage entered), the day before it, the last day (included), after
    as_of and after a closed engagement's end (left out), drafts and deleted ones (never): the grouped query
    gives what the definition gives, for one engagement and across the portfolio."""
    a = world.engagement_a
    for day in (D(2026, 2, 14), D(2026, 2, 15), D(2026, 3, 10), D(2026, 3, 11), AS_OF, AS_OF + dt.timedelta(1)):
        factories.meeting(a, date=day)
    factories.meeting(a, date=D(2026, 1, 6), review_state="draft")
    factories.meeting(a, date=D(2026, 4, 1)).soft_delete()

    def check():
        expected = _sic_by_definition(type(a).get_by_id(a.id), AS_OF)
        got = {s["key"]: s["sic_duration"] for s in one(world.admin, a)["stages"] if s["sic_duration"] is not None}
        assert got == expected
        return expected

    assert check()["installation"] == (AS_OF - D(2026, 2, 15)).days  # 15 Feb (move day) to 10 Apr (the last day)
    a.status, a.end_date, a.closing_summary = "closed", D(2026, 3, 21), "Done."
    a.save()
    assert check()["installation"] == (D(2026, 3, 20) - D(2026, 2, 15)).days  # the benchmark of 20 Mar is last
    portfolio = report.portfolio_progress(ReportFilters(user=world.admin, engagement=None), as_of=AS_OF)
    assert {s["key"]: s["mean_sic_duration"] for s in portfolio["stages"]}["installation"] is not None
