"""JSON API: the reports, computed by the same functions as the report pages, within the policy."""

import datetime as dt

from tracker.api.reports import jsonable
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
    data = Api(client, demo.recipient_a).get("/reports/portfolio").get_json()["data"]
    expected = jsonable(portfolio.dashboard(ReportFilters(user=demo.recipient_a)))
    assert data == expected


def test_report_filters_are_validated(client, demo):
    api = Api(client, demo.admin)
    for name in REPORTS:
        response = api.get(f"/reports/{name}", model="pull", start="yesterday")
        assert response.status_code == 400
        assert {"model", "start"} <= set(response.get_json()["error"]["fields"])


def test_reports_need_a_token(client, demo):
    for name in REPORTS + ("feedback",):
        assert Api(client).get(f"/reports/{name}").status_code == 401


def test_progress_of_an_engagement_not_visible_is_404(client, demo):
    api = Api(client, demo.recipient_b)
    assert api.get("/reports/progress", engagement=demo.engagement_a.id).status_code == 404
    assert Api(client, demo.recipient_a).get("/reports/progress", engagement=demo.engagement_a.id).status_code == 200


def test_feedback_report(client, demo):
    a = demo.engagement_a.id
    response = Api(client, demo.recipient_a).get("/reports/feedback", engagement=a)
    assert response.status_code == 200
    data = response.get_json()
    assert data["engagement_id"] == a and data["response_rate"]["invited"] == 0
    assert Api(client, demo.recipient_b).get("/reports/feedback", engagement=a).status_code == 404
    missing = Api(client, demo.admin).get("/reports/feedback")
    assert missing.status_code == 400 and "engagement" in missing.get_json()["error"]["fields"]
    assert Api(client, demo.admin).get("/reports/feedback", engagement=a, period="decade").status_code == 400


def test_the_lists_that_grow_with_the_portfolio_come_a_page_at_a_time(client, demo):
    for n in range(4):  # with small_world's three: 7 active engagements, none with a meeting lately
        factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], title=f"Quiet {n}")
    api = Api(client, demo.admin)
    body = api.get("/reports/progress", per_page=5).get_json()
    assert (body["page"], body["per_page"], body["total"], len(body["data"]["rows"])) == (1, 5, 7, 5)
    body = api.get("/reports/progress", per_page=5, page=2).get_json()
    assert len(body["data"]["rows"]) == 2 and body["data"]["stages"]  # the aggregates are whole on every page
    body = api.get("/reports/portfolio", per_page=5, page=2).get_json()
    assert (body["total"], len(body["data"]["attention"])) == (7, 2)
    assert body["data"]["active"]["total"] == 7
    factories.meeting(demo.engagement_a, date=dt.date(2026, 2, 3), logged_by=demo.isp_a1, kind="monthly")
    factories.meeting(demo.engagement_b, date=dt.date(2026, 2, 4), logged_by=demo.isp_b, kind="monthly")
    body = api.get("/reports/strategies", per_page=1).get_json()
    assert (body["total"], len(body["between"]["by_engagement"])) == (2, 1)
    body = api.get("/reports/competencies", per_page=1).get_json()
    assert (body["total"], [i["name"] for i in body["isps"]["isps"]]) == (2, ["Ada ISP"])
    assert "page" not in body["isps"]


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
    for name, items in (
        ("progress", lambda b: b["data"]["rows"]),
        ("portfolio", lambda b: b["data"]["attention"]),
        ("strategies", lambda b: b["between"]["by_engagement"]),
        ("competencies", lambda b: b["isps"]["isps"]),
    ):
        first, past = api.get(f"/reports/{name}").get_json(), api.get(f"/reports/{name}", page=9).get_json()
        assert items(first) and items(past) == [], name
        assert (past["page"], past["total"]) == (9, first["total"]), name
