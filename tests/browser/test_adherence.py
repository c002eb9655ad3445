"""Adherence in Chromium (issue 19): a leader opens the Adherence report from the report tabs, reads an
engagement's planned against delivered sessions, switches to the table, finds the CSV download, and reads
the adherence table on the engagement page (a plan seeded here); axe-core finds nothing serious."""

import datetime as dt

from playwright.sync_api import expect

from tracker.models import MeetingStrategy, Strategy, change_plan

from .. import factories
from .helpers import check_a11y, sign_in


def test_a_leader_reads_planned_against_delivered(site, page):
    w = site.world
    e = w.engagement_a
    strategy = Strategy.select().order_by(Strategy.id).first()
    # monthly from the engagement's start (5 Jan 2026): many sessions planned by now, two delivered
    change_plan(
        e,
        w.isp_a1,
        add=[
            {
                "strategy": strategy.id,
                "sessions_per_month": 1,
                "minutes_per_session": 60,
                "start_date": e.start_date,
                "responsible_user": w.isp_a1.id,
            }
        ],
    )
    for day in (dt.date(2026, 1, 20), dt.date(2026, 2, 17)):
        m = factories.meeting(e, date=day, duration_minutes=60)
        MeetingStrategy.create(meeting=m, strategy=strategy, label=strategy.name)

    sign_in(page, w.leader_foundation)
    page.goto("/reports/context")
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Adherence").click()
    expect(page.get_by_role("heading", level=1, name="Adherence")).to_be_visible()
    check_a11y(page, "the adherence report")

    switch = page.get_by_role("group", name="Show planned against delivered sessions as")
    switch.get_by_role("button", name="Table").click()
    row = page.locator("#adherence-table").get_by_role("row", name="Engagement A")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Unit A")
    expect(row.locator("td").nth(3)).to_have_text("2")  # delivered sessions
    expect(page.get_by_role("link", name="Download CSV")).to_have_attribute("href", "/reports/adherence.csv")

    row.get_by_role("link", name="Engagement A").click()
    table = page.locator(".adherence-table")
    expect(table).to_contain_text(strategy.name)
    expect(table.get_by_role("row", name="All items")).to_contain_text("2")
    page.get_by_text("How adherence is counted").first.click()
    expect(page.locator("#adherence-definition")).to_contain_text("delivered divided by planned")
    check_a11y(page, "the engagement page's adherence table")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/reports/adherence")
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    check_a11y(page, "the adherence report on a phone")
