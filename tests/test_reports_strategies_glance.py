"""Strategies at a glance: ranked by use within clusters, the ISP activities apart, dose by stage.

small_world; A entered Exploration on 5 Jan 2026 and Installation on 1 Mar 2026; B and C have no stage.

    t1  A  3 Feb  60  audit and feedback, facilitation (no doses: 30 + 30)          Exploration
    t2  A 10 Feb  40  audit and feedback, coaching (no doses: 20 + 20)               Exploration
    t3  A  3 Mar  90  facilitation dose 60, outreach (the 30 left)                    Installation
    t4  B  5 Mar  30  assess readiness (30)                                           before a stage
    t5  A  4 Mar  30  (none)                                                          Installation
    t6  C 20 Feb  60  facilitation dose 30, local technical assistance (the 30 left)  before a stage
    t7  B  6 Mar  30  facilitation (30)                                               before a stage

7 sessions. Interactive assistance (catalog cluster 2): t1 t3 t6 t7 = 4 sessions (4/7 = 0.5714), facilitation
4 (30+60+30+30 = 150 min), local technical assistance 1 (30). Evaluative and iterative (cluster 1): t1 t2 t4 =
3 (0.4286), audit 2 (30+20 = 50), assess 1 (30). ISP activities: t2 t3 = 2 (0.2857), coaching 1 (20), outreach
1 (30). Ranked: interactive assistance before evaluative (catalog order is the other way), audit before assess
(catalog: assess first), coaching before outreach (a tie, by name; catalog: outreach first).

Dose by stage (minutes): before a stage: evaluative 30 (t4), interactive 60 + 30 = 90 (t6, t7);
Exploration: evaluative 30 + 20 = 50 (t1, t2), interactive 30 (t1), ISP 20 (t2); Installation: interactive 60,
ISP 30 (t3). ERIC clusters by minutes: interactive 180, evaluative 80.
"""

import datetime as dt
import re

import pytest

from tests import factories
from tracker.models import MeetingStrategy, Stage, Strategy
from tracker.reports import charts
from tracker.reports import strategies as report
from tracker.reports.filters import ReportFilters

D = dt.date


def dose_of(meeting, key, minutes):
    strategy = Strategy.get(Strategy.key == key)
    MeetingStrategy.update(minutes=minutes).where(
        (MeetingStrategy.meeting == meeting.id) & (MeetingStrategy.strategy == strategy.id)
    ).execute()


@pytest.fixture
def world(demo):
    w = demo
    a, b, c = w.engagement_a, w.engagement_b, w.engagement_c
    a.enter_stage(Stage.get(Stage.key == "installation"), D(2026, 3, 1))
    factories.meeting(a, D(2026, 2, 3), strategies=["audit_and_provide_feedback", "facilitation"], duration_minutes=60)
    factories.meeting(a, D(2026, 2, 10), strategies=["audit_and_provide_feedback", "coaching"], duration_minutes=40)
    t3 = factories.meeting(a, D(2026, 3, 3), strategies=["facilitation", "outreach"], duration_minutes=90)
    dose_of(t3, "facilitation", 60)
    factories.meeting(b, D(2026, 3, 5), strategies=["assess_readiness_barriers_facilitators"], duration_minutes=30)
    factories.meeting(a, D(2026, 3, 4), duration_minutes=30)
    t6 = factories.meeting(
        c, D(2026, 2, 20), strategies=["facilitation", "provide_local_technical_assistance"], duration_minutes=60
    )
    dose_of(t6, "facilitation", 30)
    factories.meeting(b, D(2026, 3, 6), strategies=["facilitation"], duration_minutes=30)
    return w


def ranked(user, **kw):
    return report.ranked(report.strategies_used(ReportFilters(user=user, **kw)))


def test_clusters_and_strategies_are_ranked_by_use_and_the_isp_activities_stand_apart(world):
    data = ranked(world.admin)
    assert data["total_meetings"] == 7
    assert [(c["key"], c["meetings"], c["share"], c["minutes"]) for c in data["clusters"]] == [
        ("provide_interactive_assistance", 4, 0.5714, 180),
        ("use_evaluative_and_iterative_strategies", 3, 0.4286, 80),
    ]
    assert [[(s["key"], s["meetings"], s["minutes"]) for s in c["strategies"]] for c in data["clusters"]] == [
        [("facilitation", 4, 150), ("provide_local_technical_assistance", 1, 30)],
        [("audit_and_provide_feedback", 2, 50), ("assess_readiness_barriers_facilitators", 1, 30)],
    ]
    isp = data["isp_activities"]
    assert (isp["name"], isp["meetings"], isp["share"], isp["minutes"]) == ("ISP activities", 2, 0.2857, 50)
    assert [(s["key"], s["meetings"]) for s in isp["strategies"]] == [("coaching", 1), ("outreach", 1)]
    # the ranked ERIC chart has the two ERIC clusters only, most used first
    spec = charts.eric_clusters_ranked(data)
    assert spec["labels"] == ["Provide interactive assistance", "Use evaluative and iterative strategies"]
    assert spec["datasets"] == [{"label": "Sessions", "data": [4, 3]}]
    assert charts.isp_activities_ranked(data)["labels"] == ["Coaching", "Outreach"]


def test_no_isp_activity_recorded(world):
    data = ranked(world.admin, unit=world.unit_b.id)  # t4, t7
    assert [c["key"] for c in data["clusters"]] == [
        "provide_interactive_assistance",  # 1 session, ties with evaluative: by name
        "use_evaluative_and_iterative_strategies",
    ]
    assert data["isp_activities"] is None
    assert charts.isp_activities_ranked(data)["labels"] == []


def test_dose_by_stage_and_cluster(world):
    data = report.dose_by_stage_and_cluster(ReportFilters(user=world.admin))
    assert data["stages"] == [
        {"key": None, "name": "Before the first stage"},
        {"key": "exploration", "name": "Exploration"},
        {"key": "installation", "name": "Installation"},
    ]
    assert [(c["key"], c["meetings"], c["minutes"], c["total_minutes"]) for c in data["clusters"]] == [
        ("provide_interactive_assistance", [2, 1, 1], [90, 30, 60], 180),
        ("use_evaluative_and_iterative_strategies", [1, 2, 0], [30, 50, 0], 80),
    ]
    isp = data["isp_activities"]
    assert (isp["meetings"], isp["minutes"], isp["total_minutes"]) == ([0, 1, 1], [0, 20, 30], 50)
    # the stacked chart: one dataset per ERIC cluster, in hours, in the cluster's own colour; no ISP activities
    spec = charts.hours_by_stage_and_cluster(data)
    assert (spec["type"], spec["stacked"]) == ("bar", True)
    assert spec["labels"] == ["Before the first stage", "Exploration", "Installation"]
    assert spec["datasets"] == [
        {"label": "Provide interactive assistance", "data": [1.5, 0.5, 1.0], "colour": "--series-2"},
        {"label": "Use evaluative and iterative strategies", "data": [0.5, 0.8, 0.0], "colour": "--series-1"},
    ]


def test_dose_by_stage_follows_the_filters_and_the_scope(world):
    only_a = report.dose_by_stage_and_cluster(ReportFilters(user=world.admin, unit=world.unit_a.id))
    assert [s["name"] for s in only_a["stages"]] == ["Exploration", "Installation"]
    assert [(c["key"], c["minutes"]) for c in only_a["clusters"]] == [
        ("provide_interactive_assistance", [30, 60]),
        ("use_evaluative_and_iterative_strategies", [50, 0]),
    ]
    other = report.dose_by_stage_and_cluster(ReportFilters(user=world.leader_other))  # C only: t6
    assert [(c["key"], c["meetings"], c["minutes"]) for c in other["clusters"]] == [
        ("provide_interactive_assistance", [1], [60])
    ]
    empty = report.dose_by_stage_and_cluster(ReportFilters(user=world.admin, start=D(2024, 1, 1), end=D(2024, 2, 1)))
    assert empty == {"stages": [], "clusters": [], "isp_activities": None}


def section(html, heading_id):
    """The HTML of the card whose heading has this id."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def row_names(table_html):
    return [
        re.sub(r"<[^>]+>", "", name).strip() for name in re.findall(r'<th scope="row[^"]*"[^>]*>(.*?)</th>', table_html)
    ]


def test_the_page_ranks_the_eric_strategies_and_shows_the_isp_activities_apart(world, as_user):
    html = as_user(world.leader_all).get("/reports/strategies").get_data(as_text=True)
    eric = section(html, "clusters-h")
    assert "ERIC strategies, most used first" in eric
    assert row_names(eric) == [
        "1. Provide interactive assistance",
        "Facilitation",
        "Provide local technical assistance",
        "2. Use evaluative and iterative strategies",
        "Audit and provide feedback",
        "Assess for readiness and identify barriers and facilitators",
    ]
    assert "57%" in eric and "Share of 7 sessions" in eric
    assert "ISP activities" not in eric and "Coaching" not in eric
    activities = section(html, "isp-activities-h")
    assert "not an ERIC cluster" in activities
    assert "Recorded in <strong>2</strong> of the 7 sessions" in activities
    assert row_names(activities) == ["Coaching", "Outreach"]
    # the chart islands: the ERIC chart never carries the ISP activities
    islands = dict(re.findall(r'<script type="application/json" id="([^"]+)">(.*?)</script>', html, re.S))
    assert "ISP activities" not in islands["chart-clusters"] and "Coaching" not in islands["chart-clusters"]
    assert "ISP activities" not in islands["chart-dose-stage"]
    assert '"stacked": true' in islands["chart-dose-stage"]
    # chart and table are two views of one figure
    assert 'id="clusters-views" data-views' in html and 'id="dose-stage-views" data-views' in html


def test_the_page_shows_the_dose_by_stage_table(world, as_user):
    html = as_user(world.leader_all).get("/reports/strategies").get_data(as_text=True)
    stage = section(html, "dose-stage-h")
    head = stage[stage.index("<thead>") : stage.index("</thead>")]
    assert re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', head) == [
        "ERIC cluster",
        "Before the first stage",
        "Exploration",
        "Installation",
        "All stages",
    ]
    assert (
        '<th scope="row">Use evaluative and iterative strategies</th><td class="num">30 min</td>'
        '<td class="num">50 min</td><td class="num zero">—</td>' in re.sub(r">\s+<", "><", stage)
    )
    assert "ISP activities by stage" in stage
