"""Filter chips in the browser (issue 23): a leader filters the engagement list by unit and stage, sees one
chip per filter, reaches the unit chip with the Tab key and removes it with Enter; the stage filter stays
(in the chips, the form and the URL). axe finds nothing serious, and at 390 px nothing scrolls sideways."""

import re

from playwright.sync_api import expect

from .helpers import check_a11y, sign_in


def test_a_leader_removes_the_unit_chip_with_the_keyboard_and_the_stage_stays(page, site):
    w = site.world  # Lee Leader reads the Foundation: Engagement A (Unit A, Exploration) and B (Unit B)
    sign_in(page, w.leader_foundation)
    page.goto("/engagements")
    page.get_by_label("Unit").select_option(label="Unit A (Foundation)")
    page.get_by_label("Current stage").select_option(label="Exploration")
    page.get_by_role("button", name="Apply filters").click()
    chips = page.get_by_role("list", name="Filters in use")
    expect(chips.locator("a.chip")).to_have_text(["Unit: Unit A (Foundation)×", "Stage: Exploration×"])
    assert re.search(r"unit_id=\d+", page.url) and "stage=exploration" in page.url
    check_a11y(page, "the engagement list with two filters")

    # From the Apply button, Tab reaches the unit chip (after "Clear filters"); Enter follows it.
    page.get_by_role("button", name="Apply filters").focus()
    unit_chip = chips.get_by_role("link", name="Remove filter Unit: Unit A (Foundation)")
    for _ in range(5):
        page.keyboard.press("Tab")
        if unit_chip.evaluate("link => link === document.activeElement"):
            break
    expect(unit_chip).to_be_focused()
    page.keyboard.press("Enter")

    expect(chips.locator("a.chip")).to_have_text(["Stage: Exploration×"])
    assert "unit_id" not in page.url and "stage=exploration" in page.url
    expect(page.get_by_label("Current stage")).to_have_value("exploration")
    expect(page.get_by_role("link", name="Engagement A")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
