"""Context across the portfolio, in Chromium (issue 19): a leader opens the Context report from the report
tabs, reads the barriers and facilitators by CFIR domain as a chart and as a table, narrows it to one unit
with the filters, follows a recent note to its engagement's printable report, and reads it on a phone;
axe-core finds nothing serious."""

import datetime as dt

from playwright.sync_api import expect

from tracker.models import ContextNote

from .helpers import check_a11y, sign_in


def test_a_leader_reads_barriers_and_facilitators_by_domain(site, page):
    w = site.world
    for e, kind, domain, day, text in (
        (w.engagement_a, "barrier", "inner_setting", dt.date(2026, 2, 10), "No protected time for the work."),
        (w.engagement_a, "facilitator", "process", dt.date(2026, 3, 20), "Monthly reflection meetings."),
        (w.engagement_b, "barrier", "individuals", dt.date(2026, 4, 1), "Low confidence with the new tool."),
    ):
        ContextNote.create(engagement=e, kind=kind, domain=domain, noted_on=day, text=text)

    sign_in(page, w.leader_foundation)
    page.goto("/reports/progress")
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Context").click()
    expect(page.get_by_role("heading", level=1, name="Context")).to_be_visible()
    expect(page.locator("#domains-table")).to_contain_text("Inner setting")
    expect(page.locator("#units-table")).to_contain_text("Unit B")
    expect(page.get_by_role("heading", level=2, name="Most recent notes")).to_be_visible()
    check_a11y(page, "the context report")

    switch = page.get_by_role("group", name="Show barriers and facilitators by domain as")
    switch.get_by_role("button", name="Table").click()
    expect(page.locator("#domains-table").get_by_role("row", name="Inner setting")).to_contain_text("1")

    page.goto(f"/reports/context?unit_id={w.unit_b.id}")
    expect(page.locator("#units-table")).not_to_contain_text("Unit A")
    expect(page.get_by_text("Low confidence with the new tool.")).to_be_visible()
    expect(page.get_by_text("No protected time for the work.")).to_have_count(0)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/reports/context")
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    check_a11y(page, "the context report on a phone")

    page.get_by_role("link", name="Engagement A").first.click()
    page.goto(f"/reports/engagements/{w.engagement_a.id}")
    section = page.get_by_role("region", name="Context: barriers and facilitators")
    expect(section.get_by_role("heading", level=3, name="Inner setting")).to_be_visible()
    expect(section).to_contain_text("No protected time for the work.")
    check_a11y(page, "the engagement report's context notes on a phone")
