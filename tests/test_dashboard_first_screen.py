"""Issue 18, "Leaders: the questions, answered on the first screen": leaders land on the portfolio
dashboard; its filters are one line that opens on demand, with a removable chip per filter in use; its
figures link to the lists behind them, which show the same numbers; and requested against delivered is
a funnel with the drop between steps.

The portfolio (tests/factories.small_world, and the `world` of test_reports_portfolio.py) plus, here:
- r5: an accepted request of Unit B (1 Mar 2026) that started Engagement B, which has only a deleted
  meeting (so it never reached "first meeting held");
- a withdrawn request of Unit A (1 Apr 2026);
- Engagement C (from r4, its goal achieved) closed.
Requests seen by an admin, step by step:
  received 6 (r1-r5, the withdrawn one) → accepted 3 (r1, r4, r5) → first meeting 2 (A, C)
  → a goal achieved 1 (C) → closed 1 (C). Drops: 3 (50% went on), 1 (67%), 1 (50%), 0 (100%).
  Not accepted: 1 open (r3), 1 declined (r2), 1 withdrawn.
The Foundation's leader (Units A and B): 5 → 2 (r1, r5) → 1 (A) → 0 → 0.
Other Funder's leader (Unit C): 1 → 1 → 1 → 1 → 1.
"""

import re

import pytest
from playhouse.test_utils import count_queries

from tests import factories
from tests.feedback_helpers import invite
from tests.test_reports_portfolio import D, f, request
from tests.test_reports_portfolio import world as world  # noqa: F401 (the fixture)
from tracker.reports import portfolio as report
from tracker.reports.filter_summary import describe
from tracker.reports.filters import ReportFilters


@pytest.fixture
def funnel_world(world):  # noqa: F811
    w = world
    b = w.engagement_b
    b.request = request(w.unit_b, "accepted", D(2026, 3, 1))
    b.save()
    factories.meeting(b, D(2026, 3, 10)).soft_delete()
    request(w.unit_a, "withdrawn", D(2026, 4, 1))
    c = w.engagement_c
    c.status, c.closing_summary = "closed", "Goals met."
    c.save()
    return w


def steps(data):
    return [(s["key"], s["count"], s["drop"], s["share"]) for s in data["steps"]]


def test_the_funnel_counts_each_step_and_the_drop_from_the_step_before(funnel_world):
    w = funnel_world
    with count_queries() as queries:
        data = report.funnel(f(w.admin))
    assert queries.count == 1
    assert steps(data) == [
        ("received", 6, None, None),
        ("accepted", 3, 3, 0.5),
        ("first_meeting", 2, 1, 0.6667),
        ("goal_achieved", 1, 1, 0.5),
        ("closed", 1, 0, 1.0),
    ]
    assert data["not_accepted"] == {"open": 1, "declined": 1, "withdrawn": 1}


def test_the_funnel_follows_the_access_policy_and_the_filters(funnel_world):
    w = funnel_world
    assert [s["count"] for s in report.funnel(f(w.leader_foundation))["steps"]] == [5, 2, 1, 0, 0]
    assert [s["count"] for s in report.funnel(f(w.leader_other))["steps"]] == [1, 1, 1, 1, 1]
    assert [s["count"] for s in report.funnel(f(w.admin, unit=w.unit_b.id))["steps"]] == [3, 1, 0, 0, 0]
    # received from 1 Feb: r2, r3, r5 and the withdrawn one
    assert [s["count"] for s in report.funnel(f(w.admin, start=D(2026, 2, 1)))["steps"]] == [4, 1, 0, 0, 0]
    empty = report.funnel(f(w.admin, end=D(2025, 1, 1)))
    assert steps(empty)[1] == ("accepted", 0, 0, None)  # no share of nothing


def test_the_dashboard_shows_the_funnel_as_a_chart_and_a_table_of_the_same_figure(funnel_world, as_user):
    html = as_user(funnel_world.admin).get("/reports/").get_data(as_text=True)
    section = html[html.index('id="funnel"') : html.index("</section>", html.index('id="funnel"'))]
    assert '<h2 id="funnel-h">Requested against delivered</h2>' in section
    assert 'data-chart="chart-funnel"' in section and "data-views" in section
    rows = re.findall(
        r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>\s*<td class="num">([^<]+)</td>\s*'
        r'<td class="num">([^<]+)</td>',
        section,
    )
    assert rows == [
        ("Requests received", "6", "—", "—"),
        ("Accepted", "3", "3", "50%"),
        ("First meeting held", "2", "1", "67%"),
        ("A goal achieved", "1", "1", "50%"),
        ("Engagement closed", "1", "0", "100%"),
    ]
    assert "Not accepted: 1 still open, 1 declined, 1 withdrawn." in section


# --- landing --------------------------------------------------------------------------------------


def test_a_leader_lands_on_the_dashboard(world, as_user):  # noqa: F811
    client = as_user(world.leader_foundation)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/")
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "<h1>Portfolio dashboard</h1>" in html
    assert 'aria-label="Breadcrumb"' not in html  # the dashboard is their home: no "Home ›" back to itself


def test_isps_recipients_and_admins_keep_their_home(world, as_user):  # noqa: F811
    for user in (world.isp_a1, world.recipient_a, world.admin):
        response = as_user(user).get("/")
        assert response.status_code == 200, user.role
        assert "<h1>Portfolio dashboard</h1>" not in response.get_data(as_text=True)


# --- the filter line and its chips ----------------------------------------------------------------


def test_without_filters_the_panel_is_one_closed_line(world, as_user):  # noqa: F811
    html = as_user(world.leader_foundation).get("/reports/").get_data(as_text=True)
    panel = re.search(r'<details class="filter-panel"[^>]*>\s*<summary>(.*?)</summary>', html, re.S)
    assert panel and "open" not in panel.group(0).split(">")[0]
    assert re.sub(r"<[^>]+>", "", panel.group(1)).split() == "All units · all dates Edit filters".split()
    assert 'class="filter-chips"' not in html


def test_each_chip_removes_one_filter(world, as_user):  # noqa: F811
    w = world
    url = f"/reports/?unit_id={w.unit_a.id}&isp_id={w.isp_a1.id}&support_model=push_pull&start=2026-01-01"
    html = as_user(w.admin).get(url).get_data(as_text=True)
    summary = re.search(r'<span class="filter-line">([^<]+)</span>', html).group(1)
    assert summary == "Unit A · ISP: Ada ISP · Push/pull · from 1 Jan 2026"
    chips = dict(
        (re.sub(r"<[^>]+>.*", "", text), href.replace("&amp;", "&"))
        for href, text in re.findall(r'<a class="chip" href="([^"]+)"[^>]*>(.*?)</a>', html)
    )
    assert chips == {
        "Unit: Unit A": f"/reports/?isp_id={w.isp_a1.id}&support_model=push_pull&start=2026-01-01",
        "ISP: Ada ISP": f"/reports/?unit_id={w.unit_a.id}&support_model=push_pull&start=2026-01-01",
        "Model of support: Push/pull": f"/reports/?unit_id={w.unit_a.id}&isp_id={w.isp_a1.id}&start=2026-01-01",
        "From 1 Jan 2026": f"/reports/?unit_id={w.unit_a.id}&isp_id={w.isp_a1.id}&support_model=push_pull",
    }
    assert 'href="/reports/">Clear all</a>' in html
    # Following a chip drops that filter and keeps the others.
    after = as_user(w.admin).get(chips["ISP: Ada ISP"]).get_data(as_text=True)
    assert (
        re.search(r'<span class="filter-line">([^<]+)</span>', after).group(1) == "Unit A · Push/pull · from 1 Jan 2026"
    )


def test_the_summary_names_every_filter_in_the_readers_words(world):  # noqa: F811
    w = world
    filters = ReportFilters(
        user=w.admin, engagement=w.engagement_a.id, stage="exploration", kind="monthly", end=D(2026, 5, 31)
    )
    summary = describe(filters, filters.choices(), show_date=lambda d: d.isoformat())
    assert summary["text"] == (
        "All units · Engagement A · Stage: Exploration · "
        "Monthly team meeting (the work between meetings is left out) · until 2026-05-31"
    )
    assert [c["text"] for c in summary["chips"]] == [
        "Engagement: Engagement A",
        "Stage: Exploration",
        "Kind of session: Monthly team meeting",
        "To 2026-05-31",
    ]
    assert (
        summary["printed"]
        == "; ".join(c["text"] for c in summary["chips"]) + " (the work between meetings is left out)"
    )
    excluded = describe(filters.replace(kind=None, activities="exclude"), filters.choices())
    assert excluded["chips"][-1]["text"] == "Work between meetings: Excluded"
    assert excluded["text"].endswith("· Work between meetings: Excluded · until 31 May 2026")


def test_a_bad_filter_opens_the_panel_with_the_message(world, as_user):  # noqa: F811
    html = as_user(world.admin).get("/reports/?start=2026-13-40").get_data(as_text=True)
    assert '<details class="filter-panel" open>' in html
    assert "From: Enter a date as YYYY-MM-DD. This filter was not applied." in html


def test_the_other_reports_have_the_same_filter_line(world, as_user):  # noqa: F811
    client = as_user(world.admin)
    for url in ("/reports/competencies", "/reports/strategies", "/reports/progress"):
        html = client.get(f"{url}?unit_id={world.unit_a.id}").get_data(as_text=True)
        assert '<details class="filter-panel">' in html, url
        assert f'<a class="chip" href="{url}" aria-label="Remove filter Unit: Unit A">Unit: Unit A' in html, url


# --- the figures link to the lists behind them ------------------------------------------------------


def kpi_links(html):
    """[(value, label, href)] of the figures at the top of the dashboard, in order."""
    tiles = html[html.index('<ul class="kpis') : html.index("</ul>", html.index('<ul class="kpis'))]
    return [
        (value, label, href.replace("&amp;", "&"))
        for href, value, label in re.findall(
            r'<a class="kpi[^"]*" href="([^"]+)"><span class="kpi-value">([^<]+)</span><span class="kpi-label">([^<]+)',
            tiles,
        )
    ]


def test_needing_attention_comes_first_and_links_to_its_list(world, as_user):  # noqa: F811
    html = as_user(world.leader_all).get("/reports/").get_data(as_text=True)
    tiles = kpi_links(html)
    assert tiles[0][1:] == ("need attention", "#attention")
    assert 'id="attention"' in html
    listed = re.search(r'Engagements needing attention <span class="count">(\d+)</span>', html).group(1)
    assert listed == tiles[0][0]


def test_the_active_tile_links_to_the_engagement_list_with_the_same_number(world, as_user):  # noqa: F811
    w = world
    client = as_user(w.leader_all)
    for query in ("", f"?unit_id={w.unit_a.id}", "?support_model=push_pull", f"?isp_id={w.isp_b.id}&stage=exploration"):
        tiles = {
            label: (value, href)
            for value, label, href in kpi_links(client.get("/reports/" + query).get_data(as_text=True))
        }
        value, href = tiles["active engagements"]
        assert href.startswith("/engagements?") and "status=active" in href, query
        listed = client.get(href).get_data(as_text=True)
        count = re.search(r'<h2 id="list-h">[^<]*<span class="count">(\d+)</span>', listed).group(1)
        assert count == value, query
    html = client.get(f"/reports/?engagement_id={w.engagement_b.id}").get_data(as_text=True)
    href = {label: href for _value, label, href in kpi_links(html)}["active engagements"]
    assert href == f"/engagements/{w.engagement_b.id}"


def test_the_hours_tile_links_to_the_dose_with_the_same_total(world, as_user):  # noqa: F811
    w = world
    client = as_user(w.admin)
    html = client.get(f"/reports/?unit_id={w.unit_a.id}").get_data(as_text=True)
    value, label, href = [t for t in kpi_links(html) if "of support" in t[1]][0]
    assert href == f"/reports/strategies?unit_id={w.unit_a.id}"
    assert f"{value} in 2 sessions" in client.get(href).get_data(as_text=True)


def test_the_requests_tile_links_to_the_funnel(world, as_user):  # noqa: F811
    html = as_user(world.admin).get("/reports/").get_data(as_text=True)
    value, label, href = [t for t in kpi_links(html) if t[1] == "requests received"][0]
    assert href == "#funnel" and value == "4"
    assert re.search(r'<th scope="row">Requests received</th><td class="num">4</td>', html)


def test_feedback_waiting_for_a_leader_shows_on_the_dashboard(app, world, as_user):  # noqa: F811
    """A leader on an implementation team is asked for feedback: it waits on their dashboard, their home."""
    invite(app, world.engagement_a, kind="pulse", emails=(world.leader_foundation.email,))
    html = as_user(world.leader_foundation).get("/", follow_redirects=True).get_data(as_text=True)
    assert "Feedback waiting for you" in html and "about Engagement A" in html
