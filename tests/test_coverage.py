"""Coverage of every unit (issue 23), hand-worked.

As of 30 Jun 2026 with COVERAGE_DAYS = 90 (since 1 Apr 2026), in small_world (engagements A, B, C in units
A, B, C, all supported by the Implementation Centre) plus unit D of the Foundation with nothing at all:
- unit A: one meeting on 22 Mar 2026, 100 days before (9 + 30 + 31 + 30) -> listed, last contact 22 Mar;
- unit B: an old meeting (1 Feb) and an activity on 20 Jun, 10 days before -> covered, not listed, even
  with a declined request of its own;
- unit C: a meeting on 25 Jun that was deleted (does not count) and a declined request -> listed, never
  contacted, reasons "no meeting or activity yet" and "declined";
- unit D: no engagement, no request, but its organization is served -> listed, never contacted.
Order: never contacted first (by organization, unit), then the longest quiet: D, C, A.
"""

import csv
import datetime as dt
import io

from tracker.models import Activity, SupportRequest
from tracker.reports.coverage import uncovered_units

from . import factories
from .conftest import sign_in

AS_OF = dt.date(2026, 6, 30)


def seed(demo):
    factories.meeting(demo.engagement_a, date=dt.date(2026, 3, 22))
    factories.meeting(demo.engagement_b, date=dt.date(2026, 2, 1))
    Activity.create(engagement=demo.engagement_b, date=dt.date(2026, 6, 20), kind="outreach", minutes=30)
    factories.meeting(demo.engagement_c, date=dt.date(2026, 6, 25)).soft_delete()
    for unit, title in ((demo.unit_c, "Coaching for C"), (demo.unit_b, "More for B")):
        SupportRequest.create(
            unit=unit,
            intermediary=demo.center,
            title=title,
            status="declined",
            decline_reason="No capacity this year",
            decided_at=dt.datetime(2026, 5, 4, 10, 0),
        )
    return factories.unit(demo.foundation, "Unit D")


def summary(rows):
    return [(r["unit"], r["last_contact"], [reason["key"] for reason in r["reasons"]]) for r in rows]


def test_uncovered_units_hand_worked(app, demo):
    seed(demo)
    with app.app_context():
        rows = uncovered_units(demo.admin, as_of=AS_OF)
        assert summary(rows) == [
            ("Unit D", None, ["no_contact"]),
            ("Unit C", None, ["no_contact", "declined"]),
            ("Unit A", dt.date(2026, 3, 22), ["no_contact"]),
        ]
        assert rows[1]["reasons"][1]["text"] == "Request “Coaching for C” declined on 4 May 2026"
        assert rows[2]["reasons"][0]["text"] == "No meeting or activity in 90 days"
        # a leader reads their own portfolio: the Foundation's units; the other funder's leader unit C only
        assert summary(uncovered_units(demo.leader_foundation, as_of=AS_OF)) == [
            ("Unit D", None, ["no_contact"]),
            ("Unit A", dt.date(2026, 3, 22), ["no_contact"]),
        ]
        assert summary(uncovered_units(demo.leader_other, as_of=AS_OF)) == [
            ("Unit C", None, ["no_contact", "declined"])
        ]
        # 101 days: unit A's meeting (100 days before) is inside the window
        assert "Unit A" not in [r["unit"] for r in uncovered_units(demo.admin, as_of=AS_OF, days=101)]


def test_dashboard_section_and_csv(app, client, demo):
    seed(demo)
    app.config["COVERAGE_DAYS"] = 2000  # today is after 30 Jun 2026: a window that still reaches 20 Jun
    sign_in(client, demo.leader_other)
    page = client.get("/reports/").get_data(as_text=True)
    assert 'data-export="coverage"' in page and "Units without support" in page
    assert "Unit C" in page and "Coaching for C" in page and "Unit A" not in page
    response = client.get("/reports/coverage.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [
        ["organization", "unit", "last_contact", "reason", "detail"],
        ["Other Funder", "Unit C", "", "no_contact", "No meeting or activity yet"],
        ["Other Funder", "Unit C", "", "declined", "Request “Coaching for C” declined on 4 May 2026"],
    ]
