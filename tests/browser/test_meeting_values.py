"""Measured values from the meeting form, in Chromium (issue 19): an ISP logs a monthly meeting with a value
for a measured goal, sees it in the goal page's chart and table, corrects it there;
axe-core finds nothing serious on the meeting form, the goal page or the correction form."""

from playwright.sync_api import expect

from .. import factories
from .helpers import check_a11y, sign_in


def test_an_isp_logs_a_value_with_a_meeting_and_corrects_it(site, page):
    w = site.world
    e = w.engagement_a  # starts 5 Jan 2026
    goal = factories.measured_goal(e)  # % of sites, up is better, 40 -> 80

    sign_in(page, w.isp_a1)
    page.goto(f"/engagements/{e.id}/meetings/new")
    details = page.locator("details#measurements")
    expect(details).to_have_attribute("open", "")  # no value yet: due, so open
    field = page.get_by_label("Value on the meeting's date for Sites using the protocol (% of sites)")
    check_a11y(page, "the meeting form with its measured indicators")
    field.fill("60")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("logged.")).to_be_visible()

    page.goto(f"/engagements/{e.id}/goals/{goal.id}")
    expect(page.locator("#values-views figure.chart")).to_have_class("chart chart-ready")  # Chart.js drew it
    measure = page.locator("section", has=page.locator("#measure-h"))
    expect(measure.locator("strong", has_text="50%")).to_be_visible()  # (60 − 40) / (80 − 40)
    page.get_by_role("group", name="Show the values as").get_by_role("button", name="Table").click()
    table = page.locator("#values-table")
    expect(table.get_by_text("(logged with a meeting)")).to_be_visible()
    check_a11y(page, "the goal page with a value logged with a meeting")

    table.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Correct a value")).to_be_visible()
    page.get_by_label("Value", exact=True).fill("70")
    check_a11y(page, "the correction form")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("the value is now 70 on")).to_be_visible()
    expect(measure.locator("strong", has_text="75%")).to_be_visible()  # (70 − 40) / (80 − 40)
