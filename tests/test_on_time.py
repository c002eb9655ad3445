"""Logged on time (issue 23), hand-worked: tracker/reports/review.py through the page, its CSV and the API.

N = 5 working days (the default), today = Tue 3 Mar 2026. Engagement A (co-led by Ada isp_a1 and Ben isp_a2):
- Ada, Fri 6 Feb (due Fri 13 Feb: 9, 10, 11, 12, 13), submitted 13 Feb at 23:30 UTC -> on time (the UTC date);
- Ada, Fri 6 Feb, submitted Mon 16 Feb -> late;
- Ben, Mon 23 Feb (due Mon 2 Mar: 24, 25, 26, 27, 2), a draft never submitted, today after 2 Mar -> late;
- Ben, Fri 27 Feb (due Fri 6 Mar), a draft -> pending, not counted;
- Ben, Thu 29 Jan (due Thu 5 Feb: 30, 2, 3, 4, 5), submitted Fri 6 Feb -> late;
- Ada, Fri 6 Feb, submitted on time but deleted -> not counted.
February: 1 on time of 3 counted = 33% (1 pending). January: 0 of 1.
Ada: 1 of 2 = 50%. Ben: 0 of 2 = 0% (1 pending). All: 1 of 4 = 25%.
With N = 6 the 16 Feb submission is on time too (Fri 6 Feb + 6 working days = Mon 16 Feb): Ada 2 of 2.
"""

import csv
import datetime as dt
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.dates import add_working_days
from tracker.models import Engagement, Meeting, Setting
from tracker.reports import review
from tracker.reports.filters import ReportFilters

from . import factories
from .api_helpers import Api

TODAY = dt.date(2026, 3, 3)


def seed(w):
    def log(by, day, submitted=None, draft=False, **kwargs):
        state = "draft" if draft else "submitted"
        return Meeting.create(
            engagement=w.engagement_a, date=day, logged_by=by.id, review_state=state, submitted_at=submitted, **kwargs
        )

    log(w.isp_a1, dt.date(2026, 2, 6), dt.datetime(2026, 2, 13, 23, 30))
    log(w.isp_a1, dt.date(2026, 2, 6), dt.datetime(2026, 2, 16, 9, 0))
    log(w.isp_a2, dt.date(2026, 2, 23), draft=True)
    log(w.isp_a2, dt.date(2026, 2, 27), draft=True)
    log(w.isp_a2, dt.date(2026, 1, 29), dt.datetime(2026, 2, 6, 8, 0))
    log(w.isp_a1, dt.date(2026, 2, 6), dt.datetime(2026, 2, 9, 8, 0)).soft_delete()


def tally(on_time, late, pending, share):
    return {"on_time": on_time, "late": late, "pending": pending, "share": share}


def test_due_dates_skip_the_weekend():
    assert add_working_days(dt.date(2026, 2, 6), 5) == dt.date(2026, 2, 13)  # Fri -> Fri
    assert add_working_days(dt.date(2026, 2, 23), 5) == dt.date(2026, 3, 2)  # Mon -> Mon
    assert add_working_days(dt.date(2026, 2, 7), 1) == dt.date(2026, 2, 9)  # Sat -> Mon
    assert review.last_full_months(TODAY) == (dt.date(2025, 12, 1), dt.date(2026, 2, 28))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    day=st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    days=st.integers(0, 15),
    submitted_after=st.none() | st.integers(-2, 25),
    hour=st.integers(0, 23),
    as_of_after=st.integers(-5, 30),
)
def test_the_outcome_counted_in_sql_follows_the_working_day_rule(app, day, days, submitted_after, hour, as_of_after):
    """The report counts outcomes in SQL (the due date shifted by the meeting's weekday): the same as
    add_working_days and the module's rule give, for any weekday, N, submission and today."""
    engagement = Engagement.select().first() or factories.engagement(factories.unit())
    submitted = None
    if submitted_after is not None:
        submitted = dt.datetime.combine(day + dt.timedelta(days=submitted_after), dt.time(hour, 30))
    meeting = factories.meeting(engagement, date=engagement.start_date)
    # any day and submission, as SQL reads them (the model would stamp submitted_at and keep the day in range)
    Meeting.update(date=day, submitted_at=submitted).where(Meeting.id == meeting.id).execute()
    as_of = day + dt.timedelta(days=as_of_after)
    due = add_working_days(day, days)
    if submitted is not None:
        expected = "on_time" if submitted.date() <= due else "late"
    else:
        expected = "late" if as_of > due else "pending"
    one = Meeting.select(review.due_on(Meeting.date, days), review.outcome(days, as_of)).where(Meeting.id == meeting.id)
    kept_due, outcome = one.tuples().get()
    assert (str(kept_due)[:10], outcome) == (due.isoformat(), expected)


def test_the_hand_worked_figure_by_isp_and_month(app):
    w = factories.small_world()
    seed(w)
    data = review.on_time(ReportFilters(user=w.admin), as_of=TODAY)
    assert data["days"] == 5
    assert [(m["key"], m["on_time"], m["late"], m["pending"], m["share"]) for m in data["months"]] == [
        ("2026-01", 0, 1, 0, 0.0),
        ("2026-02", 1, 2, 1, 0.3333),
    ]
    ada, ben = data["isps"]
    assert (ada["name"], ben["name"]) == ("Ada ISP", "Ben ISP")
    assert ada["months"] == {"2026-01": tally(0, 0, 0, None), "2026-02": tally(1, 1, 0, 0.5)}
    assert {k: ada[k] for k in ("on_time", "late", "pending", "share")} == tally(1, 1, 0, 0.5)
    assert ben["months"] == {"2026-01": tally(0, 1, 0, 0.0), "2026-02": tally(0, 1, 1, 0.0)}
    assert data["total"] == tally(1, 3, 1, 0.25)
    # February alone (the date filter is the meeting's date): 1 of 3
    february = ReportFilters(user=w.admin, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))
    assert review.on_time(february, as_of=TODAY)["total"] == tally(1, 2, 1, 0.3333)
    # N = 6: Ada's 16 Feb submission is due Mon 16 Feb, so on time
    Setting.choose("on_time_days", "6")
    assert review.on_time(february, as_of=TODAY)["isps"][0]["months"]["2026-02"] == tally(2, 0, 0, 1.0)


def test_an_isp_reads_their_own_row_and_a_recipient_none(app, as_user):
    w = factories.small_world()
    seed(w)
    assert [r["name"] for r in review.on_time(ReportFilters(user=w.isp_a1), as_of=TODAY)["isps"]] == ["Ada ISP"]
    assert [r["name"] for r in review.on_time(ReportFilters(user=w.leader_all), as_of=TODAY)["isps"]] == [
        "Ada ISP",
        "Ben ISP",
    ]
    assert as_user(w.recipient_a).get("/reports/on-time").status_code == 403
    assert as_user(w.recipient_a).get("/reports/on-time.csv").status_code == 403


def test_the_page_csv_api_and_dashboard_tile(app, as_user, client, monkeypatch):
    monkeypatch.setattr("tracker.reports.review.today", lambda: TODAY)
    w = factories.small_world()
    seed(w)
    leader = as_user(w.leader_all)
    page = leader.get("/reports/on-time", query_string={"start": "2026-02-01", "end": "2026-02-28"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-export="on-time"' in html
    assert "/reports/on-time.csv?start=2026-02-01&amp;end=2026-02-28" in html
    assert '33% <span class="muted small">(1 of 3)</span>' in html  # February, all ISPs
    assert '0% <span class="muted small">(0 of 1)</span>' in html  # Ben's February: his late draft; 1 pending
    rows = list(csv.reader(io.StringIO(leader.get("/reports/on-time.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["ISP", "Month", "On time", "Late", "Not yet due", "Share on time"]
    assert ["Ada ISP", "2026-02", "1", "1", "0", "0.5"] in rows
    assert ["Ben ISP", "2026-02", "0", "1", "1", "0.0"] in rows
    assert ["All ISPs", "2026-02", "1", "2", "1", "0.3333"] in rows
    assert rows[-1] == ["All ISPs", "All months", "1", "3", "1", "0.25"]
    answer = Api(client, w.leader_all).get("/reports/on-time", start="2026-02-01", end="2026-02-28")
    assert answer.status_code == 200
    assert answer.get_json()["total"] == tally(1, 2, 1, 0.3333)
    assert Api(client, w.leader_all).get("/reports/on-time", start="Feb").status_code == 400
    # the dashboard's tile: the last three full months (Dec 2025 to Feb 2026) -> 1 of 4 = 25%
    monkeypatch.setattr("tracker.reports.review.today", lambda: dt.date(2026, 3, 3))
    dashboard = leader.get("/reports/").get_data(as_text=True)
    assert "/reports/on-time?start=2025-12-01&amp;end=2026-02-28" in dashboard
    assert '<span class="kpi-value">25%</span><span class="kpi-label">logged on time' in dashboard
