"""A leader reads the competencies and strategies reports in Chromium: the ISP × competency matrix prints its
numbers in the cells, the ERIC strategies are ranked by use, the ISP activities stand apart, each chart has
its table one click away; axe-core clean, and no sideways scroll on a phone."""

import datetime as dt
import re

from playwright.sync_api import expect

from tracker.models import MeetingAttendee, Stage

from .. import factories
from .helpers import check_a11y, sign_in

D = dt.date


def seed(world):
    a, b = world.engagement_a, world.engagement_b
    a.enter_stage(Stage.get(Stage.key == "installation"), D(2026, 3, 1))
    m1 = factories.meeting(
        a,
        D(2026, 2, 3),
        ["p20_co_learning", "p20_brokering"],
        ["audit_and_provide_feedback", "coaching"],
        logged_by=world.isp_a1,
        duration_minutes=60,
    )
    m2 = factories.meeting(a, D(2026, 3, 3), ["p20_facilitation"], ["facilitation"], duration_minutes=90)
    factories.meeting(b, D(2026, 3, 5), ["p20_co_learning"], ["facilitation", "outreach"], duration_minutes=30)
    for m in (m1, m2):
        MeetingAttendee.create(meeting=m, user=world.isp_a2)


def no_sideways_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_leader_reads_competencies_and_strategies_at_a_glance(page, site):
    seed(site.world)
    sign_in(page, site.world.leader_foundation)
    page.goto("/reports/competencies")
    expect(page.get_by_role("heading", level=1, name="Competencies used")).to_be_visible()

    # The matrix: Ada took part in one session, which drew on co-learning; the number is in the cell.
    matrix = page.get_by_role("region", name="Table: sessions per ISP and competency")
    expect(matrix.get_by_role("columnheader", name="Co-creation and engagement")).to_be_visible()
    ada = matrix.get_by_role("row", name=re.compile("^Ada ISP"))
    expect(ada.get_by_role("cell").nth(1)).to_have_text(re.compile(r"1\s*100%"))
    matrix.focus()  # a wide table scrolls inside a region the keyboard reaches
    expect(matrix).to_be_focused()

    # Share of sessions over time: the chart first, its table one click away.
    over_time = page.locator("#monthly-views")
    expect(over_time.locator("canvas")).to_be_visible()
    over_time.get_by_role("button", name="Table").click()
    expect(over_time.get_by_role("row", name=re.compile("^Sessions logged that month"))).to_have_text(
        re.compile(r"1\s*2")
    )
    expect(over_time.locator("canvas")).to_be_hidden()
    check_a11y(page, "the competencies report")

    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Strategies and dose").click()
    expect(page.get_by_role("heading", level=1, name="Strategies and dose")).to_be_visible()
    ranked = page.locator("#clusters-views")
    ranked.get_by_role("button", name="Table").click()
    rows = ranked.get_by_role("rowheader")
    # Interactive assistance (2 sessions) before evaluative strategies (1), though the catalog lists it second.
    expect(rows).to_have_text(
        [
            "1. Provide interactive assistance",
            "Facilitation",
            "2. Use evaluative and iterative strategies",
            "Audit and provide feedback",
        ]
    )
    activities = page.locator("section", has=page.get_by_role("heading", name="ISP activities", exact=True))
    expect(activities).to_contain_text("not an ERIC cluster")
    activities.get_by_role("button", name="Table").click()
    expect(activities.get_by_role("rowheader")).to_have_text(["Coaching", "Outreach"])
    expect(page.locator("#dose-stage-views canvas")).to_be_visible()
    check_a11y(page, "the strategies report")

    # On a phone neither page scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert no_sideways_scroll(page), "the strategies report scrolls sideways at 390 px"
    page.goto("/reports/competencies")
    assert no_sideways_scroll(page), "the competencies report scrolls sideways at 390 px"
    check_a11y(page, "the competencies report on a phone")
