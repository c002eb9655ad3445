"""Competencies at a glance: share of sessions over time, the ISP × competency matrix, the domain split.

small_world, the default framework (domains: co-creation and engagement, ongoing improvement, sustaining change):

    m1  A  3 Feb 2026  co-learning, brokering   logged by Ada
    m2  A 17 Feb 2026  co-learning, facilitation attended by Ben
    m3  A 10 Mar 2026  facilitation              attended by Ben
    m4  B 12 Mar 2026  building capacity
    m5  B 20 Mar 2026  (none)
    m6  A 25 Mar 2026  co-learning              logged by Ada, attended by Ben

Sessions: Feb 2, Mar 4. Shares of the month's sessions: co-creation Feb 2/2 = 100%, Mar 1/4 = 25%; ongoing
improvement Feb 1/2 = 50%, Mar 1/4 = 25%; sustaining change Feb 0%, Mar 25%. Co-learning Feb 100%, Mar 25%;
brokering Feb 50%, Mar 0%.

Domain split: uses co-creation 3 + 1 = 4, ongoing improvement 2, sustaining change 1; 7 uses: 57%, 29%, 14%.

Matrix: Ada m1 m6 = 2 sessions: co-learning 2 (100%, shade 5), brokering 1 (50%, shade 3); Ben m2 m3 m6 = 3:
co-learning 2 (67%, shade 4), facilitation 2 (67%, shade 4).
"""

import datetime as dt
import re

import pytest

from tests import factories
from tracker.models import MeetingAttendee
from tracker.reports import charts
from tracker.reports import competencies as report
from tracker.reports.filters import ReportFilters

D = dt.date


@pytest.fixture
def world(demo):
    w = demo
    a, b = w.engagement_a, w.engagement_b
    factories.meeting(a, D(2026, 2, 3), ["p20_co_learning", "p20_brokering"], logged_by=w.isp_a1)
    m2 = factories.meeting(a, D(2026, 2, 17), ["p20_co_learning", "p20_facilitation"])
    m3 = factories.meeting(a, D(2026, 3, 10), ["p20_facilitation"])
    factories.meeting(b, D(2026, 3, 12), ["p20_building_capacity"])
    factories.meeting(b, D(2026, 3, 20), [])
    m6 = factories.meeting(a, D(2026, 3, 25), ["p20_co_learning"], logged_by=w.isp_a1)
    for m in (m2, m3, m6):
        MeetingAttendee.create(meeting=m, user=w.isp_a2)
    return w


def f(user, **kw):
    return ReportFilters(user=user, **kw)


def test_share_of_sessions_by_month(world):
    monthly = report.over_time(f(world.admin))
    assert [(m["label"], m["meetings"]) for m in monthly["months"]] == [("Feb 2026", 2), ("Mar 2026", 4)]
    assert [d["share"] for d in monthly["domains"]] == [[1.0, 0.25], [0.5, 0.25], [0.0, 0.25]]
    shares = {c["key"]: c["share"] for c in monthly["competencies"]}
    assert shares["p20_co_learning"] == [1.0, 0.25] and shares["p20_brokering"] == [0.5, 0.0]
    assert shares["p20_building_capacity"] == [0.0, 0.25]
    # the line chart plots the shares, not the counts
    spec = charts.domain_shares_by_month(monthly)
    assert (spec["type"], spec["percent"], spec["labels"]) == ("line", True, ["Feb 2026", "Mar 2026"])
    assert [d["data"] for d in spec["datasets"]] == [[1.0, 0.25], [0.5, 0.25], [0.0, 0.25]]


def test_domain_split(world):
    split = report.domain_split(report.competencies_used(f(world.admin)))
    assert split["total_uses"] == 7
    assert [(d["name"], d["uses"], d["share"], d["meetings"], d["meeting_share"]) for d in split["domains"]] == [
        ("Co-creation and engagement", 4, 0.5714, 3, 0.5),
        ("Ongoing improvement", 2, 0.2857, 2, 0.3333),
        ("Sustaining change", 1, 0.1429, 1, 0.1667),
    ]
    assert charts.domain_split(split)["datasets"] == [
        {"label": "Share of competency uses", "data": [0.5714, 0.2857, 0.1429]}
    ]
    # no competency recorded: no use, shares of zero
    empty = report.domain_split(report.competencies_used(f(world.admin, unit=world.unit_b.id, start=D(2026, 3, 15))))
    assert empty["total_uses"] == 0 and {d["share"] for d in empty["domains"]} == {0.0}


def test_isp_matrix(world):
    matrix = report.isp_matrix(report.by_isp(f(world.admin)))
    assert [(d["name"], len(d["competencies"])) for d in matrix["domains"]] == [
        ("Co-creation and engagement", 5),
        ("Ongoing improvement", 6),
        ("Sustaining change", 4),
    ]
    rows = {r["name"]: r for r in matrix["rows"]}
    assert list(rows) == ["Ada ISP", "Ben ISP"]
    assert rows["Ada ISP"]["meetings"] == 2 and rows["Ben ISP"]["meetings"] == 3

    def used(row):
        return {c["key"]: (c["meetings"], c["share"], c["level"]) for c in row["cells"] if c["meetings"]}

    assert used(rows["Ada ISP"]) == {"p20_co_learning": (2, 1.0, 5), "p20_brokering": (1, 0.5, 3)}
    assert used(rows["Ben ISP"]) == {"p20_co_learning": (2, 0.6667, 4), "p20_facilitation": (2, 0.6667, 4)}
    assert len(rows["Ada ISP"]["cells"]) == 15 and {c["level"] for c in rows["Ada ISP"]["cells"][2:]} == {0}


def section(html, heading_id):
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def squeeze(html):
    return re.sub(r">\s*\n\s*<", "><", html)  # line breaks between tags only


def test_the_page_shows_shares_over_time_with_their_denominator(world, as_user):
    html = as_user(world.leader_all).get("/reports/competencies").get_data(as_text=True)
    monthly = squeeze(section(html, "monthly-h"))
    assert "Share of sessions over time" in monthly
    assert "the share of the sessions logged that month" in monthly
    assert '<th scope="row">Sessions logged that month</th><td class="num">2</td><td class="num">4</td>' in monthly
    assert '<th scope="row">Co-creation and engagement</th><td class="num">100%</td><td class="num">25%</td>' in monthly
    assert (
        '<th scope="row" class="indent">Brokering</th><td class="num">50%</td><td class="num zero">0%</td>' in monthly
    )
    assert 'id="monthly-views" data-views' in monthly


def test_the_page_shows_the_matrix_with_numbers_in_the_cells(world, as_user):
    html = as_user(world.leader_all).get("/reports/competencies").get_data(as_text=True)
    matrix = squeeze(section(html, "matrix-h"))
    assert 'tabindex="0" role="region" aria-label="Table: sessions per ISP and competency"' in matrix
    assert '<th scope="colgroup" colspan="5" class="domain-head">Co-creation and engagement</th>' in matrix
    assert '<th scope="colgroup" colspan="6" class="domain-head">Ongoing improvement</th>' in matrix
    assert '<th scope="col" class="num competency-head"><span class="rot">Co-learning</span></th>' in matrix
    # Ada: 2 sessions; co-learning in both (100%, the darkest shade), brokering in one (50%)
    assert (
        '<th scope="row">Ada ISP</th><td class="num">2</td>'
        '<td class="num shade-5"><span class="cell-n">2</span> <span class="cell-pct">100%</span></td>'
        '<td class="num shade-3"><span class="cell-n">1</span> <span class="cell-pct">50%</span></td>'
        '<td class="num shade-0"><span class="cell-n">0</span></td>' in matrix
    )
    assert '<span class="cell-n">2</span> <span class="cell-pct">67%</span>' in matrix  # Ben


def test_the_page_shows_the_domain_split(world, as_user):
    html = as_user(world.leader_all).get("/reports/competencies").get_data(as_text=True)
    split = squeeze(section(html, "split-h"))
    assert "How the 7 competency uses of the period split across the domains" in split
    assert (
        '<th scope="row">Co-creation and engagement</th><td class="num">4</td><td class="num">57%</td>'
        '<td class="num">3</td><td class="num">50%</td>' in split
    )
    assert 'id="chart-comp-split"' in split
