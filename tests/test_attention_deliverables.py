"""Issue 22, deliverables in the portfolio: overdue deliverables (live, not delivered, due before the day)
counted on the dashboard and listed under "needing attention" with the reason, in the page, its CSV and the
API (all three read reports/portfolio.needs_attention and dashboard).

Hand-worked, as of 20 Mar 2026 (small_world, an admin reads all):
- Engagement A (active): "Ethics pack" due 3 Mar and "Logic model" due 10 Mar, not delivered: overdue (2);
  "Survey tool" due 1 Mar delivered 5 Mar, "Old draft" due 1 Feb deleted, "Review" due 20 Mar (the day
  itself) and "Someday" without a due date: not overdue.
- Engagement B (closed): "Report" due 1 Mar, not delivered: a closed engagement needs no attention.
So the dashboard counts 2; A's reason: Deliverable “Ethics pack” overdue since 3 Mar 2026 (and 1 more).
"""

import csv
import datetime as dt
import io

from tracker.models import Deliverable, Engagement, today
from tracker.reports import portfolio as report
from tracker.reports.filters import ReportFilters

from .api_helpers import Api

AS_OF = dt.date(2026, 3, 20)


def deliverable(engagement, title, due_on=None, **kwargs):
    return Deliverable.create(engagement=engagement, title=title, due_on=due_on, **kwargs)


def reasons(rows, title):
    return [(r["key"], r["text"]) for row in rows if row["title"] == title for r in row["reasons"]]


def test_overdue_deliverables_need_attention_and_are_counted(demo):
    a, b = demo.engagement_a, demo.engagement_b
    deliverable(a, "Ethics pack", dt.date(2026, 3, 3))
    deliverable(a, "Logic model", dt.date(2026, 3, 10))
    deliverable(a, "Survey tool", dt.date(2026, 3, 1), delivered_on=dt.date(2026, 3, 5))
    deliverable(a, "Old draft", dt.date(2026, 2, 1), deleted_at=dt.datetime(2026, 2, 2))
    deliverable(a, "Review", AS_OF)
    deliverable(a, "Someday")
    deliverable(b, "Report", dt.date(2026, 3, 1))
    Engagement.update(status="closed").where(Engagement.id == b.id).execute()
    filters = ReportFilters(user=demo.admin)
    rows = report.needs_attention(filters, as_of=AS_OF)
    assert ("overdue_deliverable", "Deliverable “Ethics pack” overdue since 3 Mar 2026 (and 1 more).") in reasons(
        rows, "Engagement A"
    )
    assert "Engagement B" not in {r["title"] for r in rows}
    assert report.dashboard(filters, as_of=AS_OF)["overdue_deliverables"] == 2
    # The day before the first is due, nothing is overdue; a reader of Unit C's funder sees none of A's.
    assert report.overdue_deliverable_count(filters, as_of=dt.date(2026, 3, 3)) == 0
    assert report.overdue_deliverable_count(ReportFilters(user=demo.leader_other), as_of=AS_OF) == 0
    assert not any(
        k == "overdue_deliverable"
        for k, _t in reasons(report.needs_attention(filters, as_of=dt.date(2026, 3, 3)), "Engagement A")
    )


def test_the_dashboard_page_its_csv_and_the_api(demo, client, as_user):
    due = today() - dt.timedelta(days=20)
    deliverable(demo.engagement_a, "Ethics pack", due)
    text = f"Deliverable “Ethics pack” overdue since {due.day} {due:%b %Y}."
    reader = as_user(demo.leader_foundation)
    page = reader.get("/reports/").get_data(as_text=True)
    assert text in page
    assert '<span class="kpi-value">1</span><span class="kpi-label">overdue deliverable</span>' in page
    body = reader.get("/reports/attention.csv").get_data(as_text=True).lstrip("\ufeff")
    assert ["Engagement A", "Unit A", "overdue_deliverable", text] in list(csv.reader(io.StringIO(body)))
    answer = Api(client, demo.leader_foundation).get("/reports/portfolio").get_json()
    assert answer["overdue_deliverables"] == 1
    assert ("overdue_deliverable", text) in reasons(answer["items"], "Engagement A")
    dashboard = list(
        csv.reader(io.StringIO(reader.get("/reports/dashboard.csv").get_data(as_text=True).lstrip("\ufeff")))
    )
    assert ["deliverables", "overdue", "Overdue deliverables", "1"] in dashboard
    other = Api(client, demo.leader_other).get("/reports/portfolio").get_json()
    assert other["overdue_deliverables"] == 0
