"""Measured indicators in Chromium (issue 19): an ISP adds a measure to a goal, records two values on the
goal page, and sees the chart (with its baseline and target lines), the values as a table and the
progress toward target; axe-core finds nothing serious on the measure form or the goal page."""

from playwright.sync_api import expect

from .. import factories
from .helpers import check_a11y, sign_in


def test_an_isp_measures_a_goal_and_sees_its_progress(site, page):
    w = site.world
    e = w.engagement_a  # starts 5 Jan 2026
    factories.goal(e, title="Sites use the intake protocol", indicator="Share of sites using the protocol")

    sign_in(page, w.isp_a1)
    page.goto(f"/engagements/{e.id}")
    page.get_by_role("link", name="Sites use the intake protocol", exact=True).click()
    expect(page.get_by_role("heading", name="Sites use the intake protocol")).to_be_visible()
    page.get_by_role("link", name="Add a measure").click()

    page.get_by_label("Unit").fill("% of sites")
    page.get_by_label("Which way is better").select_option("up")
    page.get_by_label("Baseline value").fill("40")
    page.get_by_label("Baseline date").fill("2026-01-05")
    page.get_by_label("Target value").fill("40")  # the same as the baseline: refused next to the field
    page.get_by_label("Target date").fill("2026-12-31")
    page.get_by_label("Implementation outcome").select_option("adoption")
    page.get_by_role("button", name="Save the measure").click()
    expect(page.locator("#target_value-error")).to_contain_text("nothing to reach")
    expect(page.get_by_label("Baseline value")).to_have_value("40")  # the typed input kept
    check_a11y(page, "the measure form with an error")
    page.get_by_label("Target value").fill("80")
    page.get_by_role("button", name="Save the measure").click()
    expect(page.get_by_text("The measure of “Sites use the intake protocol” saved.")).to_be_visible()

    for day, value in (("2026-02-02", "50"), ("2026-03-02", "70")):
        page.get_by_label("Date", exact=True).fill(day)
        page.get_by_label("Value", exact=True).fill(value)
        page.get_by_role("button", name="Record the value").click()
        expect(page.get_by_text(f"“Sites use the intake protocol”: {value} on")).to_be_visible()

    measure = page.locator("section", has=page.locator("#measure-h"))
    expect(measure.locator("strong", has_text="75%")).to_be_visible()  # (70 − 40) / (80 − 40)
    expect(measure.get_by_role("progressbar", name="Progress toward target")).to_have_attribute("value", "0.75")
    figure = page.locator("#values-views figure.chart")
    expect(figure).to_have_class("chart chart-ready")  # Chart.js drew it
    page.get_by_role("group", name="Show the values as").get_by_role("button", name="Table").click()
    table = page.locator("#values-table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(4)  # baseline, two values, target
    check_a11y(page, "the goal page with its values")
