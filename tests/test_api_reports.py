"""JSON API: the reports, computed by the same functions as the report pages, within the policy."""

import datetime as dt

from tracker.api.reports import PortfolioOut
from tracker.reports import portfolio
from tracker.reports.filters import ReportFilters

from . import factories
from .api_helpers import Api

REPORTS = ("portfolio", "competencies", "strategies", "progress")


def _with_meetings(demo):
    factories.meeting(demo.engagement_a, date=dt.date(2026, 2, 3), competencies=[], strategies=[])
    factories.meeting(demo.engagement_c, date=dt.date(2026, 2, 5))


def test_every_report_answers_json(client, demo):
    _with_meetings(demo)
    for person in (demo.admin, demo.leader_foundation, demo.isp_a1, demo.recipient_a):
        api = Api(client, person)
        for name in REPORTS:
            response = api.get(f"/reports/{name}")
            assert response.status_code == 200, (person.role, name, response.get_json())
            assert response.is_json


def test_portfolio_matches_the_report_function(client, demo):
    _with_meetings(demo)
    data = Api(client, demo.recipient_a).get("/reports/portfolio").get_json()
    expected = dict(portfolio.dashboard(ReportFilters(user=demo.recipient_a)))
    expected["items"] = expected.pop("attention")
    assert data == PortfolioOut().dump({**expected, "page": 1, "per_page": 25, "total": len(expected["items"])})


def test_report_filters_are_validated(client, demo):
    api = Api(client, demo.admin)
    for name in REPORTS:
        response = api.get(f"/reports/{name}", support_model="pull", start="yesterday", stage="7")
        assert response.status_code == 400
        assert {"support_model", "start", "stage"} <= set(response.get_json()["error"]["fields"])


def test_reports_need_a_token(client, demo):
    for name in REPORTS + ("feedback",):
        assert Api(client).get(f"/reports/{name}").status_code == 401


def test_progress_of_an_engagement_not_visible_is_404(client, demo):
    api = Api(client, demo.recipient_b)
    assert api.get("/reports/progress", engagement_id=demo.engagement_a.id).status_code == 404
    one = Api(client, demo.recipient_a).get("/reports/progress", engagement_id=demo.engagement_a.id)
    assert one.status_code == 200
    body = one.get_json()  # the contract's keys at the top level
    assert {"stages", "furthest_stage", "goals", "engagement", "timeline"} <= set(body) and "items" not in body
    assert {"key", "name", "entered_on", "days", "benchmarks_total", "benchmarks_completed", "proportion"} <= set(
        body["stages"][0]
    )
    assert set(body["goals"]["by_status"]) == {"not_started", "in_progress", "achieved", "revised", "dropped"}


def test_feedback_report(client, demo):
    a = demo.engagement_a.id
    response = Api(client, demo.recipient_a).get("/reports/feedback", engagement_id=a)
    assert response.status_code == 200
    data = response.get_json()
    assert data["engagement_id"] == a and data["response_rate"]["invited"] == 0
    assert Api(client, demo.recipient_b).get("/reports/feedback", engagement_id=a).status_code == 404
    missing = Api(client, demo.admin).get("/reports/feedback")
    assert missing.status_code == 400 and "engagement_id" in missing.get_json()["error"]["fields"]
    assert Api(client, demo.admin).get("/reports/feedback", engagement_id=a, period="decade").status_code == 400


def test_the_lists_that_grow_with_the_portfolio_come_a_page_at_a_time(client, demo):
    for n in range(4):  # with small_world's three: 7 active engagements, none with a meeting lately
        factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], title=f"Quiet {n}")
    api = Api(client, demo.admin)
    body = api.get("/reports/progress", per_page=5).get_json()
    assert (body["page"], body["per_page"], body["total"], len(body["items"])) == (1, 5, 7, 5)
    body = api.get("/reports/progress", per_page=5, page=2).get_json()
    assert len(body["items"]) == 2 and body["stages"]  # the aggregates are whole on every page
    assert "rows" not in body and "data" not in body
    body = api.get("/reports/portfolio", per_page=5, page=2).get_json()
    assert (body["total"], len(body["items"])) == (7, 2)
    assert body["active"]["total"] == 7 and "attention" not in body
    factories.meeting(demo.engagement_a, date=dt.date(2026, 2, 3), logged_by=demo.isp_a1, kind="monthly")
    factories.meeting(demo.engagement_b, date=dt.date(2026, 2, 4), logged_by=demo.isp_b, kind="monthly")
    body = api.get("/reports/strategies", per_page=1).get_json()
    assert (body["total"], len(body["items"])) == (2, 1) and "by_engagement" not in body["between"]
    body = api.get("/reports/competencies", per_page=1).get_json()
    assert (body["total"], [i["name"] for i in body["items"]]) == (2, ["Ada ISP"])


def test_every_report_pages_its_growing_list_under_items(client, demo):
    _with_meetings(demo)
    api = Api(client, demo.admin)
    for name in REPORTS:
        body = api.get(f"/reports/{name}", per_page=1).get_json()
        assert isinstance(body["items"], list) and len(body["items"]) <= 1, name
        assert (body["page"], body["per_page"]) == (1, 1) and body["total"] >= len(body["items"]), name
        assert "data" not in body, name


def test_competency_report_has_the_contract_keys_at_the_top(client, demo):
    _with_meetings(demo)
    body = Api(client, demo.admin).get("/reports/competencies").get_json()
    assert body["total_meetings"] == 2
    assert {"key", "name", "meetings", "share"} <= set(body["domains"][0])
    assert {"key", "name", "domain", "meetings", "share"} <= set(body["competencies"][0])


def test_report_filters_are_the_list_filters(client, demo):
    """The same names narrow /engagements and /reports/portfolio alike: stage by key, unit by id."""
    api = Api(client, demo.admin)

    def listed(**params):
        return api.get("/engagements", **params).get_json()["total"]

    def active(**params):
        return api.get("/reports/portfolio", **params).get_json()["active"]["total"]

    for params in ({}, {"unit_id": demo.unit_b.id}, {"stage": "exploration"}, {"support_model": "push_pull"}):
        assert listed(status="active", **params) == active(**params), params
    assert listed(stage="exploration") == 1 and active(stage="installation") == 0
    for url in ("/engagements", "/reports/portfolio"):
        response = api.get(url, stage=str(demo.engagement_a.current_stage_id))  # an id is not a stage key
        assert response.status_code == 400 and "stage" in response.get_json()["error"]["fields"], url


def test_bad_paging_is_a_400_naming_the_parameter(client, demo):
    api = Api(client, demo.admin)
    for name in ("portfolio", "competencies", "progress", "strategies"):
        for args, field in (({"page": "two"}, "page"), ({"per_page": "1000"}, "per_page"), ({"page": "0"}, "page")):
            response = api.get(f"/reports/{name}", **args)
            assert response.status_code == 400, (name, args)
            assert field in response.get_json()["error"]["fields"]


def test_a_report_page_past_the_end_is_empty_as_in_the_resource_lists(client, demo):
    factories.meeting(demo.engagement_a, date=dt.date(2026, 2, 3), logged_by=demo.isp_a1, kind="monthly")
    api = Api(client, demo.admin)
    assert api.get("/engagements", page=9).get_json()["items"] == []
    for name in REPORTS:

        def items(body):
            return body["items"]

        first, past = api.get(f"/reports/{name}").get_json(), api.get(f"/reports/{name}", page=9).get_json()
        assert items(first) and items(past) == [], name
        assert (past["page"], past["total"]) == (9, first["total"]), name
