"""The leaders' portfolio dashboard: every number on a hand-worked data set, who sees what, the
query count, and the dashboard on the demo data with every chart showing data.

small_world, as of 1 Jun 2026 (cut-offs: meetings before 20 Apr, benchmarks and goals before 3 Mar):
- A (Unit A, push/pull, Exploration): from request r1 (2 Jan); meetings 12 Jan and 20 May; a benchmark
  done 1 May; a goal changed 1 Apr; feedback 5.0 in Jan-Feb (3 responses), 4.0 since March (3
  responses, plus a deleted response of 1s) → falling feedback.
- B (Unit B, co-creation, not staged): no meeting, no benchmark, a goal in progress since 1 Feb.
- C (Unit C, push/pull, not staged): from request r4 (1 Jan); meeting 21 Jan (and a deleted one
  25 May); its goal is achieved.
- D (Unit A, closed): never counted as active or needing attention.
Requests: r1 accepted (Unit A), r2 declined and r3 submitted (Unit B), r4 accepted (Unit C).
Days from acceptance (the day each request came in) to the first meeting: r1 10, r4 20.
"""

import datetime as dt
import json
import re

import pytest
from playhouse.test_utils import count_queries

from tests import factories
from tracker import exports
from tracker.models import (
    Benchmark,
    FeedbackAnswer,
    FeedbackInstrument,
    FeedbackItem,
    FeedbackRelease,
    FeedbackResponse,
    SupportRequest,
    User,
)
from tracker.reports import filters as report_filters
from tracker.reports import portfolio as report
from tracker.reports.filters import ReportFilters

D = dt.date
AS_OF = D(2026, 6, 1)


def respond(engagement, day, value, deleted=False):
    instrument = FeedbackInstrument.get(FeedbackInstrument.key == "recipient_feedback")
    # a full survey answering three of a scale's items: what a scale score counts (issue 19; a pulse's items never)
    response = FeedbackResponse.create(engagement=engagement, instrument=instrument, kind="survey", submitted_on=day)
    for key in ("aim_1", "aim_2", "aim_3"):
        FeedbackAnswer.create(
            response=response,
            value=value,
            item=FeedbackItem.get((FeedbackItem.instrument == instrument) & (FeedbackItem.key == key)),
        )
    if deleted:
        response.soft_delete()
    FeedbackRelease.release_due(engagement.id, day)  # as submit() does (docs/disclosure.md)


def request(unit, status, created, **kw):
    """A request; an accepted one is accepted the day it came in unless `decided_at` says otherwise."""
    created_at = dt.datetime.combine(created, dt.time(9))
    if status == "accepted":
        kw.setdefault("decided_at", created_at)
    return SupportRequest.create(unit=unit, title=f"Request {status}", status=status, created_at=created_at, **kw)


@pytest.fixture
def world(demo):
    w = demo
    a, b, c = w.engagement_a, w.engagement_b, w.engagement_c
    r1 = request(w.unit_a, "accepted", D(2026, 1, 2))
    request(w.unit_b, "declined", D(2026, 2, 2), decline_reason="Out of scope.")
    request(w.unit_b, "submitted", D(2026, 3, 2))
    r4 = request(w.unit_c, "accepted", D(2026, 1, 1))
    a.request = r1
    a.save()
    c.request = r4
    c.save()
    b.support_model = "co_creation"
    b.save()
    factories.engagement(w.unit_a, title="Engagement D", status="closed", closing_summary="Done.")

    factories.meeting(a, D(2026, 1, 12), ["p20_co_learning"])
    factories.meeting(a, D(2026, 5, 20), ["p20_co_learning", "p20_facilitation"])
    factories.meeting(c, D(2026, 1, 21), ["p20_facilitation"])
    factories.meeting(c, D(2026, 5, 25)).soft_delete()
    bench = Benchmark.select().where(Benchmark.engagement == a.id).first()
    bench.completed_on = D(2026, 5, 1)
    bench.save()

    ga = factories.goal(a, "Goal of A", created_at=dt.datetime(2026, 1, 10))
    ga.change_status("in_progress", D(2026, 4, 1))
    gb = factories.goal(b, "Goal of B", created_at=dt.datetime(2026, 1, 10))
    gb.change_status("in_progress", D(2026, 2, 1))
    gc = factories.goal(c, "Goal of C", created_at=dt.datetime(2026, 1, 10))
    gc.change_status("achieved", D(2026, 2, 1))

    for day in (D(2026, 1, 15), D(2026, 2, 1), D(2026, 2, 20)):
        respond(a, day, 5)
    for day in (D(2026, 3, 15), D(2026, 4, 1), D(2026, 5, 1)):
        respond(a, day, 4)
    respond(a, D(2026, 5, 2), 1, deleted=True)
    return w


def f(user, **kw):
    return ReportFilters(user=user, **kw)


def test_active_engagements(world):
    data = report.active_engagements(f(world.admin))
    assert data["total"] == 3
    assert [(u["name"], u["engagements"]) for u in data["by_unit"]] == [("Unit A", 1), ("Unit B", 1), ("Unit C", 1)]
    assert [(s["key"], s["engagements"]) for s in data["by_stage"]] == [("exploration", 1), (None, 2)]
    assert [(m["key"], m["engagements"]) for m in data["by_model"]] == [("push_pull", 2), ("co_creation", 1)]
    data = report.active_engagements(f(world.leader_foundation))
    assert data["total"] == 2 and [u["name"] for u in data["by_unit"]] == ["Unit A", "Unit B"]
    assert report.active_engagements(f(world.admin, model="push"))["by_stage"] == []


def test_requested_versus_delivered(world):
    assert report.requests_delivered(f(world.admin)) == {
        "received": 4,
        "accepted": 2,
        "declined": 1,
        "open": 1,
        "first_meetings": 2,
        "days_to_first_meeting": {"mean": 15.0, "median": 15.0},
        "definition_meetings_before_acceptance": 0,
    }
    assert report.requests_delivered(f(world.leader_foundation)) == {
        "received": 3,
        "accepted": 1,
        "declined": 1,
        "open": 1,
        "first_meetings": 1,
        "days_to_first_meeting": {"mean": 10.0, "median": 10},
        "definition_meetings_before_acceptance": 0,
    }
    data = report.requests_delivered(f(world.leader_other))
    assert (data["received"], data["accepted"], data["days_to_first_meeting"]["mean"]) == (1, 1, 20.0)
    data = report.requests_delivered(f(world.admin, start=D(2026, 2, 1), end=D(2026, 3, 31)))
    assert (data["received"], data["declined"], data["open"], data["first_meetings"]) == (2, 1, 1, 0)
    assert data["days_to_first_meeting"] == {"mean": None, "median": None}
    assert report.requests_delivered(f(world.recipient_b))["received"] == 2


def test_lead_time_counts_from_acceptance_and_never_clamps_a_definition_meeting(world):
    """Issue 15: a first meeting before the start counted as 0 days and moved the mean. Now a meeting
    before acceptance is a definition meeting, counted on its own; lead time runs from acceptance to
    the first meeting on or after it."""
    b = world.engagement_b
    b.request = request(world.unit_b, "accepted", D(2026, 1, 1), decided_at=dt.datetime(2026, 1, 10, 15))
    b.save()
    factories.meeting(b, D(2026, 1, 6), kind="definition")
    factories.meeting(b, D(2026, 1, 20))
    data = report.requests_delivered(f(world.admin, unit=world.unit_b))
    assert data["days_to_first_meeting"] == {"mean": 10.0, "median": 10}  # 10 Jan -> 20 Jan, not 0
    assert data["definition_meetings_before_acceptance"] == 1
    everyone = report.requests_delivered(f(world.admin))
    assert everyone["days_to_first_meeting"]["mean"] == round((10 + 20 + 10) / 3, 1)
    _, rows = exports._dashboard(f(world.admin))  # the CSV export reads the same function
    figures = {row[1]: row[3] for row in rows if row[0] == "requests"}
    assert figures["days_to_first_meeting_mean"] == everyone["days_to_first_meeting"]["mean"]
    assert figures["definition_meetings_before_acceptance"] == 1


def test_hours(world):
    data = report.hours(f(world.admin))
    assert (data["meetings"], data["minutes"]) == (3, 180)
    assert [(m["key"], m["meetings"], m["minutes"]) for m in data["by_month"]] == [
        ("2026-01", 2, 120),
        ("2026-02", 0, 0),
        ("2026-03", 0, 0),
        ("2026-04", 0, 0),
        ("2026-05", 1, 60),
    ]
    assert report.hours(f(world.leader_other))["minutes"] == 60
    assert report.hours(f(world.admin, start=D(2025, 1, 1), end=D(2025, 12, 31))) == {
        "meetings": 0,
        "minutes": 0,
        "activities": 0,
        "activity_minutes": 0,
        "by_month": [],
    }


def test_needs_attention_with_the_reasons(world):
    rows = report.needs_attention(f(world.admin), as_of=AS_OF)
    by_title = {r["title"]: [(x["key"], x["text"]) for x in r["reasons"]] for r in rows}
    assert by_title == {
        "Engagement A": [
            ("falling_feedback", "Feedback falling: mean 4.00 in the last 90 days, 5.00 in the 90 days before.")
        ],
        "Engagement B": [
            ("no_meeting", "No meeting logged since the start (5 Jan 2026)."),
            ("no_benchmark", "No benchmark completed in the last 90 days."),
            ("stuck_goal", "Goal “Goal of B” unchanged since 1 Feb 2026."),
        ],
        "Engagement C": [
            ("no_meeting", "No meeting in 6 weeks (last on 21 Jan 2026)."),
            ("no_benchmark", "No benchmark completed in the last 90 days."),
        ],
    }
    assert [r["title"] for r in rows] == ["Engagement B", "Engagement C", "Engagement A"]  # most reasons first
    assert rows[0]["unit"] == "Unit B"
    # scope: Other Funder's leader sees only C; a recipient of Unit A only A
    assert [r["title"] for r in report.needs_attention(f(world.leader_other), as_of=AS_OF)] == ["Engagement C"]
    assert [r["title"] for r in report.needs_attention(f(world.recipient_a), as_of=AS_OF)] == ["Engagement A"]


def test_falling_feedback_counts_released_responses_only(world):
    # Deleting released responses changes nothing shown (docs/disclosure.md): the flag stays.
    before = report.needs_attention(f(world.admin, engagement=world.engagement_a.id), as_of=AS_OF)
    FeedbackResponse.update(deleted_at=dt.datetime(2026, 5, 30)).where(
        FeedbackResponse.submitted_on == D(2026, 5, 1)
    ).execute()
    assert report.needs_attention(f(world.admin, engagement=world.engagement_a.id), as_of=AS_OF) == before
    # Before the third response of the recent window was released (1 May), there was nothing to compare.
    assert any(x["key"] == "falling_feedback" for r in before for x in r["reasons"])
    earlier = report.needs_attention(f(world.admin, engagement=world.engagement_a.id), as_of=D(2026, 4, 30))
    assert not any(x["key"] == "falling_feedback" for r in earlier for x in r["reasons"])


def test_dashboard_page(world, as_user):
    html = as_user(world.leader_foundation).get("/reports/").get_data(as_text=True)
    assert "<h1>Portfolio dashboard</h1>" in html
    assert "Engagement B" in html and "Goal “Goal of B” unchanged since 1 Feb 2026." in html
    assert "Engagement C" not in html and "Unit C" not in html
    islands = dict(re.findall(r'<script type="application/json" id="([^"]+)">(.*?)</script>', html, re.S))
    assert json.loads(islands["chart-by-unit"])["labels"] == ["Unit A", "Unit B"]
    assert json.loads(islands["chart-funnel"])["datasets"][0]["data"] == [3, 1, 1, 0, 0]
    assert "/reports/dashboard.csv" in html and "/reports/attention.csv" in html
    nav = html[html.index('class="main-nav"') : html.index("</nav>", html.index('class="main-nav"'))]
    assert ">Reports</a>" in nav


def test_dashboard_for_a_leader_of_another_organization(world, as_user):
    html = as_user(world.leader_other).get("/reports/").get_data(as_text=True)
    for name in ("Engagement A", "Engagement B", "Unit A", "Unit B"):
        assert name not in html
    assert "Engagement C" in html


def test_dashboard_empty_filters(world, as_user):
    html = (
        as_user(world.admin).get("/reports/?start=2020-01-01&end=2020-01-31&support_model=push").get_data(as_text=True)
    )
    assert "No active engagements match these filters." in html
    assert "No support requests match these filters." in html
    assert "No sessions match these filters." in html
    assert 'type="application/json"' not in html  # no empty charts


def test_bad_filter_values_are_explained_not_a_500(world, as_user):
    response = as_user(world.admin).get("/reports/?start=2026-13-40&unit_id=abc&kind=zzz&end=2020-01-01")
    assert response.status_code == 400  # as a form with errors: the report is shown without them
    html = response.get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD." in html and "Choose from the list." in html


def test_anonymous_is_sent_to_login(client, demo):
    for url in (
        "/reports/",
        "/reports/competencies",
        "/reports/strategies",
        "/reports/progress",
        "/reports/competencies.csv",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_recipients_see_their_unit_only(world, as_user):
    html = as_user(world.recipient_b).get("/reports/").get_data(as_text=True)
    assert "Engagement B" in html and "Engagement A" not in html and "Engagement C" not in html
    nav = html[html.index('class="main-nav"') : html.index("</nav>", html.index('class="main-nav"'))]
    assert ">Reports</a>" not in nav


def test_query_count_constant_with_10_and_200_meetings(demo, as_user):
    client = as_user(demo.leader_foundation)
    pages = ("/reports/", "/reports/competencies", "/reports/strategies", "/reports/progress")

    def add(n, engagement):
        for i in range(n):
            factories.meeting(
                engagement,
                D(2026, 1, 6) + dt.timedelta(days=i % 300),
                ["p20_co_learning"],
                strategies=["facilitation"],
                kind="monthly" if i % 4 == 0 else "coaching",
            )

    add(10, demo.engagement_a)
    counts = {}
    for url in pages:
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts[url] = q.count
    add(190, demo.engagement_b)
    for url in pages:
        with count_queries() as q:
            assert client.get(url).status_code == 200
        assert q.count == counts[url], url


def test_the_dashboard_on_the_demo_data(app, as_user, seeded_demo):
    admin = User.get(User.email == "sam.whitfield@northbridge.example")
    client = as_user(admin)
    expected = {
        "/reports/": {
            "chart-by-unit",
            "chart-by-stage",
            "chart-by-model",
            "chart-funnel",
            "chart-hours",
            "chart-domains",
        },
        "/reports/competencies": {"chart-comp-split", "chart-comp-competencies", "chart-comp-monthly"},
        "/reports/strategies": {
            "chart-clusters",
            "chart-isp-activities",
            "chart-dose-month",
            "chart-dose-stage",
            "chart-dose-mode",
            "chart-dose-kind",
            "chart-between",
        },
        "/reports/progress": {"chart-furthest", "chart-proportion", "chart-goals", "chart-transitions"},
    }
    for url, charts in expected.items():
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        islands = dict(re.findall(r'<script type="application/json" id="([^"]+)">(.*?)</script>', html, re.S))
        assert set(islands) == charts, url
        for name, raw in islands.items():
            spec = json.loads(raw)
            assert spec["labels"], name
            assert any(v for d in spec["datasets"] for v in d["data"]), name
            assert f'data-chart="{name}"' in html
        assert "vendor/chartjs/chart.umd.min.js" in html and "js/charts.js" in html
    # the attention list shows its reasons on the demo data
    html = client.get("/reports/").get_data(as_text=True)
    assert "need attention" in html and "No meeting in 6 weeks" in html


def test_the_attention_list_is_paged(demo, as_user):
    """A large portfolio lists its engagements needing attention 25 at a time; the count is of all."""
    for n in range(24):  # with small_world's three: 27 active engagements, none with a meeting since January
        factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], title=f"Quiet {n:02d}")
    leader = as_user(demo.leader_all)
    first = leader.get("/reports/").get_data(as_text=True)
    assert re.search(r'<span class="kpi-value">27</span><span class="kpi-label">need attention', first)
    assert first.count('class="reason-no_meeting"') == 25
    assert "Page 1 of 2 (1–25 of 27)" in first
    second = leader.get("/reports/?page=2").get_data(as_text=True)
    assert second.count('class="reason-no_meeting"') == 2
    assert "Page 2 of 2 (26–27 of 27)" in second
    assert leader.get("/reports/?page=x").status_code == 200


def test_a_large_portfolio_lists_engagements_in_the_filter_once_a_unit_is_chosen(demo, as_user, monkeypatch):
    def offered(html):
        select = re.search(r'<select id="f-engagement_id".*?</select>', html, re.S).group(0)
        return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)

    leader = as_user(demo.leader_all)
    assert offered(leader.get("/reports/").get_data(as_text=True)) == ["Engagement A", "Engagement B", "Engagement C"]
    monkeypatch.setattr(report_filters, "ENGAGEMENT_CHOICES_MAX", 2)
    html = leader.get("/reports/").get_data(as_text=True)
    assert offered(html) == []
    assert "Choose a unit and apply to pick one of its engagements (3 in all)." in html
    html = leader.get(f"/reports/?unit_id={demo.unit_b.id}").get_data(as_text=True)
    assert offered(html) == ["Engagement B"]
    html = leader.get(f"/reports/?engagement_id={demo.engagement_c.id}").get_data(as_text=True)
    assert offered(html) == ["Engagement C"]  # the chosen one stays shown, and selected
    assert re.search(rf'<option value="{demo.engagement_c.id}" selected>', html)
    assert "Engagement: Engagement C" in html  # the printed filter line names it
