"""How progress moved, in Chromium (issue 18): a leader opens the progress report, reads the stage journeys
(a revisit labelled), sorts them by stage, switches to the table, then opens one engagement's timeline and
its printable report; axe-core finds nothing serious on either page."""

import datetime as dt

from playwright.sync_api import expect

from tracker.models import Stage

from .helpers import check_a11y, sign_in


def test_a_leader_reads_the_stage_journeys_and_one_timeline(site, page):
    w = site.world
    a = w.engagement_a  # Exploration since 5 Jan 2026 (small_world)
    a.enter_stage(Stage.get(Stage.key == "installation"), dt.date(2026, 2, 15))
    a.enter_stage(Stage.get(Stage.key == "exploration"), dt.date(2026, 3, 1))
    w.engagement_b.enter_stage(Stage.get(Stage.key == "installation"), dt.date(2026, 1, 20))

    sign_in(page, w.leader_foundation)
    page.goto("/reports/progress")
    journeys = page.get_by_role("region", name="Stage journeys, one row per engagement")
    expect(journeys).to_be_visible()
    expect(journeys.get_by_role("img", name="Engagement A: Exploration: ")).to_be_visible()
    expect(journeys.get_by_role("img", name="Engagement A: ")).to_contain_text("Exploration · revisit")
    rows = journeys.get_by_role("listitem").filter(has=page.get_by_role("link"))
    expect(rows.first).to_contain_text("Engagement A")  # by unit: Unit A first

    page.get_by_role("navigation", name="Sort the stage journeys").get_by_role("link", name="Current stage").click()
    assert "journey_sort=stage" in page.url
    expect(rows.first).to_contain_text("Engagement A")  # Exploration comes before Installation
    expect(rows.nth(1)).to_contain_text("Engagement B")
    check_a11y(page, "the progress report's stage journeys")

    switch = page.get_by_role("group", name="Show the stage journeys as")
    switch.get_by_role("button", name="Table").click()
    table = page.locator("#journey-table")
    expect(table).to_be_visible()
    expect(journeys).to_be_hidden()
    expect(table.get_by_role("row", name="Engagement A")).to_contain_text("revisit")

    table.get_by_role("link", name="Engagement A").click()
    expect(page.get_by_role("heading", level=1, name="Progress: Engagement A")).to_be_visible()
    timeline = page.get_by_role("region", name="Timeline of Engagement A")
    expect(timeline.get_by_role("img", name="Stages: ")).to_contain_text("Installation")
    check_a11y(page, "one engagement's timeline on the progress report")

    page.get_by_role("link", name="Printable engagement report").click()
    expect(page.get_by_role("heading", level=2, name="Timeline")).to_be_visible()
    page.get_by_role("group", name="Show the timeline as").get_by_role("button", name="Table").click()
    expect(page.locator("#r-timeline-table")).to_contain_text("Entered Installation")
    check_a11y(page, "the engagement report's timeline")
