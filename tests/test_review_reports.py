"""Which logs the reports count (issue 23): the report filter `logs` (all / approved), its default from the
organization's setting, and drafts never counted.

Hand-worked: engagement A has 6 meetings of 60 minutes in Feb 2026, each with one strategy and one
competency, written by Ada (isp_a1): 3 submitted, 2 approved, 1 draft.
- all logs (submitted, returned, approved; never drafts): 3 + 2 = 5 sessions, 300 minutes;
- approved logs only: 2 sessions, 120 minutes.
"""

import datetime as dt

from tracker.models import Competency, Meeting, Setting, Strategy
from tracker.reports import competencies, portfolio, strategies, workload
from tracker.reports.filters import ReportFilters

from . import factories
from .api_helpers import Api


def seed(w):
    strategy = Strategy.select().order_by(Strategy.id).first()
    competency = Competency.select().order_by(Competency.id).first()
    for state in ("submitted",) * 3 + ("approved",) * 2 + ("draft",):
        factories.meeting(
            w.engagement_a,
            date=dt.date(2026, 2, 3),
            duration_minutes=60,
            logged_by=w.isp_a1.id,
            review_state=state,
            strategies=[strategy.key],
            competencies=[competency.key],
        )
    return strategy, competency


def figures(filters, strategy, competency):
    used = strategies.strategies_used(filters)
    skills = competencies.competencies_used(filters)
    hours = portfolio.hours(filters)
    return {
        "sessions": hours["meetings"],
        "minutes": hours["minutes"],
        "strategy": next((s["meetings"] for s in used["strategies"] if s["key"] == strategy.key), 0),
        "competency_sessions": skills["total_meetings"],
        "competency": next((c["meetings"] for c in skills["competencies"] if c["key"] == competency.key), 0),
    }


def test_all_and_approved_only_figures_and_the_default_from_the_setting(app):
    w = factories.small_world()
    strategy, competency = seed(w)
    everything = {"sessions": 5, "minutes": 300, "strategy": 5, "competency_sessions": 5, "competency": 5}
    approved = {"sessions": 2, "minutes": 120, "strategy": 2, "competency_sessions": 2, "competency": 2}
    assert figures(ReportFilters(user=w.admin), strategy, competency) == everything  # the default: all
    assert figures(ReportFilters(user=w.admin, logs="approved"), strategy, competency) == approved
    assert ReportFilters(user=w.admin, logs="approved").args() == {"logs": "approved"}
    assert ReportFilters(user=w.admin, logs="all").args() == {}  # the organization's default: left out
    # the organization chooses approved logs only: the default follows (cached results included)
    Setting.choose("report_logs", "approved")
    assert figures(ReportFilters(user=w.admin), strategy, competency) == approved
    assert figures(ReportFilters(user=w.admin, logs="all"), strategy, competency) == everything
    assert ReportFilters(user=w.admin, logs="all").args() == {"logs": "all"}
    assert ReportFilters(user=w.admin, logs="approved").args() == {}
    assert ReportFilters(user=w.admin, logs="all").key() != ReportFilters(user=w.admin, logs="approved").key()


def test_the_team_report_counts_the_same_logs(app):
    w = factories.small_world()
    seed(w)
    start, end = dt.date(2026, 2, 1), dt.date(2026, 2, 28)

    def ada(logs):
        return next(r for r in workload.workload(w.admin, start, end, logs=logs)["isps"] if r["id"] == w.isp_a1.id)

    assert ada("all")["meeting_minutes"] == 300
    assert ada("approved")["meeting_minutes"] == 120
    assert ada(None)["meeting_minutes"] == 300  # the organization's default (all)


def test_the_filter_bar_chip_csv_link_and_api(app, as_user, client):
    w = factories.small_world()
    seed(w)
    html = as_user(w.admin).get("/reports/strategies").get_data(as_text=True)
    assert '<label for="f-logs">Logs counted</label>' in html
    assert '<option value="all" selected>All logs</option>' in html
    assert "The organization's default: all logs." in html
    page = as_user(w.admin).get("/reports/strategies", query_string={"logs": "approved"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<option value="approved" selected>Approved logs only</option>' in html
    assert "Logs counted: Approved logs only" in html  # the chip
    assert 'href="/reports/strategies.csv?logs=approved"' in html  # kept in the CSV link
    assert 'href="/reports/competencies?logs=approved"' in html  # and in the other reports' tabs
    bad = as_user(w.admin).get("/reports/strategies", query_string={"logs": "some"})
    assert bad.status_code == 400 and "Logs counted: Choose one of: all, approved." in bad.get_data(as_text=True)
    api = Api(client, w.admin)
    assert api.get("/reports/portfolio", logs="approved").get_json()["hours"]["meetings"] == 2
    assert api.get("/reports/portfolio").get_json()["hours"]["meetings"] == 5
    assert api.get("/reports/portfolio", logs="drafts").status_code == 400
    assert Meeting.select().count() == 6
