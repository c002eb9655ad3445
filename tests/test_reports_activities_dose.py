"""The work between meetings in the dose reports (issue 22), worked by hand: activities count as their own
series beside the meetings, never inside the meeting counts; the `activities` filter (include by default,
exclude) goes through the pages, their CSV links and the API.

The data set (tests.factories.small_world; engagement A of unit A, engagement B of unit B):
- M, a 60-minute monthly meeting of A on 3 Feb 2026 that Ada (isp_a1) attended, with two strategies
  (facilitation, coaching; no recorded dose) and the competency p20_co_learning:
  each strategy gets 60 / 2 = 30 minutes of the meeting.
- X, a 30-minute outreach activity of A on 10 Feb 2026 listing Ada, tagged facilitation and p20_co_learning:
  facilitation gains 1 activity and 30 minutes between meetings; the meeting shares stay 30 / 30.
- Y, a 20-minute data-collection activity of B on 2 Apr 2026 listing Cai (isp_b), tagged coaching and
  audit_and_provide_feedback (20 / 2 = 10 minutes each) and p20_facilitation.

So, for the admin (everything): facilitation 1 meeting, 30 min, 1 activity, 30 min between; coaching 1 meeting,
30 min, 1 activity, 10 min between; audit_and_provide_feedback 0 meetings, 1 activity, 10 min between.
Totals: 1 meeting, 60 minutes; 2 activities, 50 minutes between meetings.
Clusters: provide_interactive_assistance (facilitation) 1 meeting 30 min, 1 activity 30 min; isp_activities
(coaching) 1 meeting 30 min, 1 activity 10 min; use_evaluative_and_iterative_strategies (audit) 0 meetings,
1 activity 10 min.
"""

import csv
import datetime as dt
import io

import pytest
from playhouse.test_utils import count_queries

from tests import factories
from tracker.models import Competency, MeetingAttendee, Strategy
from tracker.reports import cache, competencies, portfolio, strategies
from tracker.reports.filters import ReportFilters
from tracker.services.activities import log_activities

from .api_helpers import token_for

D = dt.date
P20 = "isp_practice_profile_2020"


def _ids(model, *keys):
    return [model.get(model.key == k).id for k in keys]


@pytest.fixture
def world(demo):
    w = demo
    w.m = factories.meeting(
        w.engagement_a,
        D(2026, 2, 3),
        strategies=["facilitation", "coaching"],
        competencies=["p20_co_learning"],
        kind="monthly",
        duration_minutes=60,
    )
    MeetingAttendee.create(meeting=w.m, user=w.isp_a1)
    log_activities(
        w.engagement_a,
        [
            {
                "date": D(2026, 2, 10),
                "kind": "outreach",
                "minutes": 30,
                "isps": [w.isp_a1.id],
                "strategies": _ids(Strategy, "facilitation"),
                "competencies": _ids(Competency, "p20_co_learning"),
            }
        ],
        w.isp_a1,
    )
    log_activities(
        w.engagement_b,
        [
            {
                "date": D(2026, 4, 2),
                "kind": "data_collection",
                "minutes": 20,
                "isps": [w.isp_b.id],
                "strategies": _ids(Strategy, "coaching", "audit_and_provide_feedback"),
                "competencies": _ids(Competency, "p20_facilitation"),
            }
        ],
        w.isp_b,
    )
    return w


def f(user, **kwargs):
    return ReportFilters(user=user, **kwargs)


def by_key(rows):
    return {r["key"]: (r["meetings"], r["minutes"], r["activities"], r["activity_minutes"]) for r in rows}


def test_activities_are_their_own_series_beside_the_meeting_shares(world):
    used = strategies.strategies_used(f(world.admin))
    assert (used["total_meetings"], used["total_minutes"]) == (1, 60)
    assert (used["total_activities"], used["total_activity_minutes"]) == (2, 50)
    assert by_key(used["strategies"]) == {
        "facilitation": (1, 30, 1, 30),  # the meeting's share stays 30; the activity adds 30 between meetings
        "coaching": (1, 30, 1, 10),
        "audit_and_provide_feedback": (0, 0, 1, 10),
    }
    assert by_key(used["clusters"]) == {
        "use_evaluative_and_iterative_strategies": (0, 0, 1, 10),
        "provide_interactive_assistance": (1, 30, 1, 30),
        "isp_activities": (1, 30, 1, 10),
    }
    shares = {s["key"]: s["share"] for s in used["strategies"]}
    assert shares == {"facilitation": 1.0, "coaching": 1.0, "audit_and_provide_feedback": 0.0}  # of meetings only


def test_excluded_activities_count_zero_and_the_meeting_figures_stay(world):
    used = strategies.strategies_used(f(world.admin, activities="exclude"))
    assert (used["total_meetings"], used["total_minutes"], used["total_activities"]) == (1, 60, 0)
    assert by_key(used["strategies"]) == {"facilitation": (1, 30, 0, 0), "coaching": (1, 30, 0, 0)}
    dose = strategies.dose(f(world.admin, activities="exclude"))
    assert [(m["key"], m["minutes"], m["activity_minutes"]) for m in dose["by_month"]] == [("2026-02", 60, 0)]
    hours = portfolio.hours(f(world.admin, activities="exclude"))
    assert (hours["minutes"], hours["activities"], hours["activity_minutes"]) == (60, 0, 0)


def test_dose_by_month_has_a_between_meetings_series(world):
    dose = strategies.dose(f(world.admin))
    assert (dose["total_meetings"], dose["total_minutes"]) == (1, 60)
    assert (dose["total_activities"], dose["total_activity_minutes"]) == (2, 50)
    assert [
        (m["key"], m["meetings"], m["minutes"], m["activities"], m["activity_minutes"]) for m in dose["by_month"]
    ] == [
        ("2026-02", 1, 60, 1, 30),
        ("2026-03", 0, 0, 0, 0),
        ("2026-04", 0, 0, 1, 20),
    ]
    assert [(k["key"], k["minutes"]) for k in dose["by_kind"]] == [("monthly", 60)]  # kinds are the sessions'


def test_portfolio_hours_show_between_meetings_apart(world):
    hours = portfolio.hours(f(world.admin))
    assert (hours["meetings"], hours["minutes"], hours["activities"], hours["activity_minutes"]) == (1, 60, 2, 50)
    # the foundation's leader sees units A and B; the other funder's leader neither
    assert portfolio.hours(f(world.leader_other))["activity_minutes"] == 0


def test_the_activity_scope_follows_the_meeting_filters(world):
    # ISP: the activities that list the ISP (Ada: X only)
    ada = strategies.strategies_used(f(world.admin, isp=world.isp_a1.id))
    assert by_key(ada["strategies"]) == {"facilitation": (1, 30, 1, 30), "coaching": (1, 30, 0, 0)}
    # dates: until March leaves Y out
    march = strategies.dose(f(world.admin, end=D(2026, 3, 31)))
    assert (march["total_activities"], march["total_activity_minutes"]) == (1, 30)
    # unit B: Y only
    b = strategies.dose(f(world.admin, unit=world.unit_b.id))
    assert (b["total_meetings"], b["total_activities"], b["total_activity_minutes"]) == (0, 1, 20)
    # a kind of session is a meeting's: no activity counts
    monthly = strategies.dose(f(world.admin, kind="monthly"))
    assert (monthly["total_meetings"], monthly["total_activities"]) == (1, 0)
    # an ISP reads their engagements only: Ada is not on B
    assert strategies.dose(f(world.isp_a1))["total_activity_minutes"] == 30


def test_competencies_count_activities_apart(world):
    used = competencies.competencies_used(f(world.admin, framework=P20))
    by = {c["key"]: (c["meetings"], c["activities"]) for c in used["competencies"]}
    assert by["p20_co_learning"] == (1, 1)  # the meeting and activity X
    assert by["p20_facilitation"] == (0, 1)  # activity Y only
    assert (used["total_meetings"], used["total_activities"]) == (1, 2)
    domains = {d["key"]: (d["meetings"], d["activities"]) for d in used["domains"]}
    assert domains["co_creation_engagement"] == (1, 1)
    assert domains["ongoing_improvement"] == (0, 1)
    monthly = competencies.over_time(f(world.admin, framework=P20))
    assert [(m["key"], m["meetings"], m["activities"]) for m in monthly["months"]] == [
        ("2026-02", 1, 1),
        ("2026-03", 0, 0),
        ("2026-04", 0, 1),
    ]
    facilitation = next(c for c in monthly["competencies"] if c["key"] == "p20_facilitation")
    assert (facilitation["meetings"], facilitation["activities"]) == ([0, 0, 0], [0, 0, 1])
    excluded = competencies.competencies_used(f(world.admin, framework=P20, activities="exclude"))
    by = {c["key"]: (c["meetings"], c["activities"]) for c in excluded["competencies"]}
    assert (by["p20_co_learning"], by["p20_facilitation"], excluded["total_activities"]) == ((1, 0), (0, 0), 0)


def test_the_filter_is_read_kept_in_the_url_and_omitted_at_its_default(app, world):
    admin = world.admin
    assert ReportFilters.from_args({}, admin).activities == "include"
    assert ReportFilters.from_args({"activities": "include"}, admin).args() == {}
    assert ReportFilters.from_args({"activities": "exclude"}, admin).args() == {"activities": "exclude"}
    bad = ReportFilters.from_args({"activities": "sometimes"}, admin)
    assert bad.activities == "include" and "activities" in bad.errors
    # the cache keeps the two apart
    assert strategies.dose(f(admin))["total_activities"] == 2
    assert strategies.dose(f(admin, activities="exclude"))["total_activities"] == 0


def test_the_pages_label_the_filter_and_carry_it_into_the_csv(world, as_user):
    client = as_user(world.admin)
    page = client.get("/reports/strategies?activities=exclude").get_data(as_text=True)
    assert 'name="activities"' in page and "Work between meetings" in page
    assert '<option value="exclude" selected>Excluded</option>' in page
    assert "Work between meetings: Excluded" in page  # the summary and its chip
    assert "/reports/dose.csv?activities=exclude" in page
    included = client.get("/reports/strategies").get_data(as_text=True)
    assert "activities=include" not in included
    assert "and 50 min between meetings" in " ".join(included.split())  # the page's head: 60 min in sessions + 50
    page = client.get("/reports/competencies?activities=exclude&framework=" + P20).get_data(as_text=True)
    assert '<option value="exclude" selected>Excluded</option>' in page
    assert "activities=exclude" in page
    assert client.get("/reports/strategies?activities=sometimes").status_code == 400
    kind = client.get("/reports/strategies?kind=monthly").get_data(as_text=True)
    assert "the work between meetings is left out" in kind


def _csv(response):
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_csv_follows_the_filter(world, as_user):
    client = as_user(world.admin)
    rows = {r["key"]: r for r in _csv(client.get("/reports/strategies.csv")) if r["level"] == "strategy"}
    assert (rows["facilitation"]["minutes"], rows["facilitation"]["activity_minutes"]) == ("30", "30")
    rows = {
        r["key"]: r for r in _csv(client.get("/reports/strategies.csv?activities=exclude")) if r["level"] == "strategy"
    }
    assert (rows["facilitation"]["minutes"], rows["facilitation"]["activity_minutes"]) == ("30", "0")
    months = [r for r in _csv(client.get("/reports/dose.csv")) if r["by"] == "month"]
    assert [(r["key"], r["minutes"], r["activity_minutes"]) for r in months] == [
        ("2026-02", "60", "30"),
        ("2026-03", "0", "0"),
        ("2026-04", "0", "20"),
    ]
    used = {r["key"]: r for r in _csv(client.get(f"/reports/competencies.csv?framework={P20}&activities=exclude"))}
    assert (used["p20_co_learning"]["meetings"], used["p20_co_learning"]["activities"]) == ("1", "0")
    assert client.get("/reports/dose.csv?activities=sometimes").status_code == 400


def test_the_api_reads_the_filter_under_the_same_name(world, client):
    headers = {"Authorization": f"Bearer {token_for(world.admin)}"}
    data = client.get("/api/v1/reports/strategies", headers=headers).get_json()
    assert (data["total_activities"], data["total_activity_minutes"]) == (2, 50)
    assert data["dose"]["by_month"][0]["activity_minutes"] == 30
    excluded = client.get("/api/v1/reports/strategies?activities=exclude", headers=headers).get_json()
    assert (excluded["total_meetings"], excluded["total_minutes"], excluded["total_activities"]) == (1, 60, 0)
    comp = client.get(f"/api/v1/reports/competencies?framework={P20}", headers=headers).get_json()
    assert {c["key"]: c["activities"] for c in comp["competencies"]}["p20_facilitation"] == 1
    portfolio_hours = client.get("/api/v1/reports/portfolio", headers=headers).get_json()["hours"]
    assert (portfolio_hours["minutes"], portfolio_hours["activity_minutes"]) == (60, 50)
    bad = client.get("/api/v1/reports/strategies?activities=sometimes", headers=headers)
    assert bad.status_code == 400 and "activities" in str(bad.get_json())


def test_query_counts_do_not_grow_with_activities(world, as_user):
    def run():
        for activities in ("include", "exclude"):
            flt = f(world.leader_foundation, activities=activities)
            strategies.strategies_used(flt)
            strategies.dose(flt)
            competencies.report(flt)
            portfolio.hours(flt)

    client = as_user(world.leader_foundation)
    with count_queries() as few:
        run()
    with count_queries() as few_page:
        assert client.get("/reports/strategies").status_code == 200
    rows = [
        {
            "date": D(2026, 1, 5) + dt.timedelta(days=i),
            "kind": "tool_development",
            "minutes": 15,
            "isps": [world.isp_a1.id, world.isp_a2.id],
            "strategies": _ids(Strategy, "facilitation", "coaching"),
            "competencies": _ids(Competency, "p20_co_learning", "p20_brokering"),
        }
        for i in range(20)
    ]
    for _ in range(3):
        log_activities(world.engagement_a, rows, world.isp_a1)
    cache.clear()
    with count_queries() as many:
        run()
    with count_queries() as many_page:
        assert client.get("/reports/strategies").status_code == 200
    assert few.count == many.count
    assert few_page.count == many_page.count
