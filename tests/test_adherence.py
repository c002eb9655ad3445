"""Adherence (issue 19): planned against delivered sessions and minutes per plan item, per engagement and
across the portfolio (tracker/reports/adherence.py), on the engagement page, the report page, its CSV and
the API.

Hand-worked data set: engagement A (small world, started 5 Jan 2026), read as of 1 Jul 2026.
Strategies S0, S1, S2 (the first three of the catalog).

Plan items
  M  monthly   S0, 1 a month, 60 min, from 15 Jan, no end.
     15 Jan -> 15 Jun = 5 whole months; 15 Jun -> 1 Jul = 16 of the 30 days to 15 Jul: 5 + 16/30 = 5.5333
     months -> planned 5.5333 sessions, x 60 = 332 minutes.
  Q  quarterly S1, 1/3 a month, 120 min, from 5 Jan, ends 20 May (an item with an end date).
     5 Jan -> 5 May = 4 months; 5 May -> 20 May = 15 of the 31 days to 5 Jun: 4 + 15/31 = 4.4839 months
     -> planned 4.4839 / 3 = 1.4946 sessions, x 120 = 179.355 minutes.
  T  monthly   S2, 60 min, starts on 1 Jul, the day it is read: 0 months -> planned 0, adherence None ("—").

Meetings of A (minutes; doses recorded per strategy where said)
  10 Jan  90 min  S0, S1 (no dose)       M: before its 15 Jan start (outside).   Q: 90 / 2 = 45 min.
   3 Feb  60 min  S0                      M: 60 min.
  10 Mar  90 min  S0 dose 30, S1         M: 30 min (the recorded dose).          Q: 90 - 30 = 60 min (the rest).
   7 Apr  60 min  S0, deleted            never counted.
  12 May  60 min  S2 (another strategy)  neither M nor Q; T not started.
   1 Jun 120 min  S0 dose 80, S1         M: 80 min.  Q: after its 20 May end (outside).
   1 Jul  60 min  S2                      T: 1 session, 60 min, on its first day.
  and engagement B logs S0 on 20 Feb: never A's.

  M: delivered 3 sessions (3 Feb, 10 Mar, 1 Jun) of 5.5333 -> 54.2%; 60 + 30 + 80 = 170 of 332 min -> 51.2%.
  Q: delivered 2 sessions (10 Jan, 10 Mar) of 1.4946 -> 133.8%; 45 + 60 = 105 of 179.355 min -> 58.5%.
  T: delivered 1 of 0 -> None; 60 of 0 min -> None.
  Total: 6 of 7.0280 sessions -> 85.4%; 335 of 511.355 min -> 65.5%.
"""

import csv
import datetime as dt
import io

import pytest
from playhouse.test_utils import count_queries

from tracker.models import MeetingStrategy, Strategy, change_plan, utcnow
from tracker.reports import adherence as report
from tracker.reports.filters import ReportFilters

from . import factories
from .api_helpers import Api

D = dt.date
AS_OF = D(2026, 7, 1)
M_MONTHS = 5 + 16 / 30
Q_MONTHS = 4 + 15 / 31


def _strategies():
    return list(Strategy.select().order_by(Strategy.id).limit(3))


def _plan(e, isp, *items):
    change_plan(e, isp, add=[{"responsible_user": isp.id, **values} for values in items])


def _meeting(e, day, minutes, doses, deleted=False):
    """A meeting logging {strategy: dose or None}."""
    m = factories.meeting(e, date=day, duration_minutes=minutes)
    for s, dose in doses.items():
        MeetingStrategy.create(meeting=m, strategy=s, label=s.name, minutes=dose)
    if deleted:
        m.deleted_at = utcnow()
        m.save()
    return m


@pytest.fixture
def world(demo):
    s0, s1, s2 = _strategies()
    a = demo.engagement_a
    _plan(
        a,
        demo.isp_a1,
        {"strategy": s0.id, "sessions_per_month": 1, "minutes_per_session": 60, "start_date": D(2026, 1, 15)},
        {
            "strategy": s1.id,
            "sessions_per_month": 1 / 3,
            "minutes_per_session": 120,
            "start_date": D(2026, 1, 5),
            "end_date": D(2026, 5, 20),
        },
        {"strategy": s2.id, "sessions_per_month": 1, "minutes_per_session": 60, "start_date": AS_OF},
    )
    _meeting(a, D(2026, 1, 10), 90, {s0: None, s1: None})
    _meeting(a, D(2026, 2, 3), 60, {s0: None})
    _meeting(a, D(2026, 3, 10), 90, {s0: 30, s1: None})
    _meeting(a, D(2026, 4, 7), 60, {s0: None}, deleted=True)
    _meeting(a, D(2026, 5, 12), 60, {s2: None})
    _meeting(a, D(2026, 6, 1), 120, {s0: 80, s1: None})
    _meeting(a, AS_OF, 60, {s2: None})
    _meeting(demo.engagement_b, D(2026, 2, 20), 60, {s0: None})
    demo.strategies = (s0, s1, s2)
    return demo


def test_adherence_per_item_by_hand(world):
    s0, s1, s2 = world.strategies
    data = report.engagement_adherence(world.engagement_a.id, as_of=AS_OF)
    rows = {r["strategy"]: r for r in data["items"]}
    m, q, t = rows[s0.key], rows[s1.key], rows[s2.key]
    assert m["planned_sessions"] == pytest.approx(M_MONTHS)
    assert m["planned_minutes"] == pytest.approx(M_MONTHS * 60)
    assert (m["delivered_sessions"], m["delivered_minutes"]) == (3, pytest.approx(170))
    assert m["adherence"] == pytest.approx(3 / M_MONTHS)  # 54.2%
    assert m["minutes_adherence"] == pytest.approx(170 / (M_MONTHS * 60))  # 51.2%
    assert q["planned_sessions"] == pytest.approx(Q_MONTHS / 3)
    assert q["planned_minutes"] == pytest.approx(Q_MONTHS / 3 * 120)
    assert (q["delivered_sessions"], q["delivered_minutes"]) == (2, pytest.approx(105))
    assert q["adherence"] == pytest.approx(2 / (Q_MONTHS / 3))  # 133.8%
    assert q["minutes_adherence"] == pytest.approx(105 / (Q_MONTHS / 3 * 120))
    assert (t["planned_sessions"], t["delivered_sessions"], t["delivered_minutes"]) == (0, 1, 60)
    assert t["adherence"] is None and t["minutes_adherence"] is None
    planned = M_MONTHS + Q_MONTHS / 3
    total = data["total"]
    assert total["planned_sessions"] == pytest.approx(planned)
    assert total["delivered_sessions"] == 6
    assert total["adherence"] == pytest.approx(6 / planned)  # 85.4%
    assert total["delivered_minutes"] == pytest.approx(335)
    assert total["minutes_adherence"] == pytest.approx(335 / (M_MONTHS * 60 + Q_MONTHS / 3 * 120))  # 65.5%
    assert report.engagement_adherence(world.engagement_c.id, as_of=AS_OF) is None  # no plan


def test_two_items_of_one_strategy_each_count_their_own_window(world):
    """A second S0 item from 1 Mar to 31 Mar overlaps M: the 10 Mar session counts for both."""
    s0 = world.strategies[0]
    _plan(
        world.engagement_a,
        world.isp_a1,
        {
            "strategy": s0.id,
            "sessions_per_month": 2,
            "minutes_per_session": 30,
            "start_date": D(2026, 3, 1),
            "end_date": D(2026, 3, 31),
        },
    )
    rows = [r for r in report.engagement_adherence(world.engagement_a.id, as_of=AS_OF)["items"]]
    march = next(r for r in rows if r["end_date"] == D(2026, 3, 31))
    # 1 Mar -> 31 Mar = 30 of March's 31 days x 2 = 1.9355 sessions; one delivered (10 Mar, its 30-min dose)
    assert march["planned_sessions"] == pytest.approx(2 * 30 / 31)
    assert (march["delivered_sessions"], march["delivered_minutes"]) == (1, pytest.approx(30))
    assert next(r for r in rows if r["strategy"] == s0.key and r["end_date"] is None)["delivered_sessions"] == 3


def test_queries_do_not_grow_with_the_items(world):
    with count_queries() as counter:  # three items: their plan items and one grouped query of what was delivered
        report.engagement_adherence.uncached(world.engagement_a.id, as_of=AS_OF)
    assert counter.count == 2


def test_portfolio_rows_lowest_first_within_the_readers_scope(world):
    s0 = world.strategies[0]
    # B: monthly S0 from 5 Jan: 5 Jan -> 1 Jul = 5 + 26/30 months = 5.8667 planned; 1 delivered (20 Feb) -> 17%
    _plan(
        world.engagement_b,
        world.isp_b,
        {"strategy": s0.id, "sessions_per_month": 1, "minutes_per_session": 60, "start_date": D(2026, 1, 5)},
    )
    # C (another funder's unit): a plan the foundation's leader never sees
    _plan(
        world.engagement_c,
        world.isp_b,
        {"strategy": s0.id, "sessions_per_month": 1, "minutes_per_session": 60, "start_date": D(2026, 1, 5)},
    )
    data = report.portfolio_adherence(ReportFilters(user=world.leader_foundation), as_of=AS_OF)
    assert [r["title"] for r in data["rows"]] == ["Engagement B", "Engagement A"]  # 17% before 85%
    b, a = data["rows"]
    assert b["adherence"] == pytest.approx(1 / (5 + 26 / 30))
    assert (a["items"], a["delivered_sessions"], a["unit"]) == (3, 6, "Unit A")
    assert data["total"]["engagements"] == 2 and data["total"]["items"] == 4
    assert data["total"]["delivered_sessions"] == 7
    assert data["total"]["planned_sessions"] == pytest.approx(M_MONTHS + Q_MONTHS / 3 + 5 + 26 / 30)
    one_unit = report.portfolio_adherence(ReportFilters(user=world.admin, unit=world.unit_b.id), as_of=AS_OF)
    assert [r["title"] for r in one_unit["rows"]] == ["Engagement B"]
    assert report.portfolio_adherence(ReportFilters(user=world.isp_none), as_of=AS_OF)["rows"] == []


def test_the_engagement_page_shows_the_table_and_a_dash_for_nothing_planned(demo, as_user):
    s0, s1, _s2 = _strategies()
    today = dt.date.today()
    e = demo.engagement_a
    _plan(
        e,
        demo.isp_a1,
        {"strategy": s0.id, "sessions_per_month": 1, "minutes_per_session": 60, "start_date": e.start_date},
        {"strategy": s1.id, "sessions_per_month": 1, "minutes_per_session": 45, "start_date": today},
    )
    _meeting(e, e.start_date, 60, {s0: None})
    html = as_user(demo.isp_a1).get(f"/engagements/{e.id}").get_data(as_text=True)
    section = html[html.index('id="adherence-h"') :]
    section = section[: section.index("</section>")] if "</section>" in section else section
    assert s0.name in section and s1.name in section
    assert "—" in section  # the item starting today: nothing planned yet
    assert "Delivered" in section and "Planned" in section
    assert "adherence-definition" in section


def test_the_report_page_csv_and_tab(world, as_user):
    client = as_user(world.leader_foundation)
    html = client.get("/reports/adherence").get_data(as_text=True)
    assert "<h1>Adherence</h1>" in html and "Engagement A" in html and "Engagement C" not in html
    assert 'aria-current="page"' in html.split('class="report-tabs"', 1)[1].split("</nav>", 1)[0]
    response = client.get("/reports/adherence.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["level", "unit", "engagement", "strategy"]
    assert any(r[0] == "engagement" and r[2] == "Engagement A" for r in rows)
    assert sum(1 for r in rows if r[0] == "item") == 3
    assert rows[-1][0] == "total"
    empty = as_user(world.isp_none).get("/reports/adherence").get_data(as_text=True)
    assert "No plans yet" in empty


def test_the_api_answers_one_engagement_and_the_portfolio(world, client):
    s0 = world.strategies[0]
    api = Api(client, world.leader_foundation)
    one = api.get("/reports/adherence", engagement=world.engagement_a.id)
    assert one.status_code == 200
    items = one.get_json()["items"]
    assert {"strategy", "planned_sessions", "delivered_sessions", "adherence", "planned_minutes",
            "delivered_minutes"} <= set(items[0])  # fmt: skip
    assert next(i for i in items if i["strategy"] == s0.key)["delivered_sessions"] == 3
    portfolio = api.get("/reports/adherence").get_json()
    assert [r["engagement_id"] for r in portfolio["items"]] == [world.engagement_a.id]
    assert portfolio["total"] == 1 and portfolio["totals"]["engagements"] == 1
    assert api.get("/reports/adherence", engagement=world.engagement_c.id).status_code in (403, 404)
    assert api.get("/reports/adherence", engagement="999999").status_code == 404
    bad = api.get("/reports/adherence", engagement="x")
    assert bad.status_code == 400 and "error" in bad.get_json()
