"""The work between meetings in the dose reports, in Chromium (issue 22): a leader turns the activities off on
the strategies page through the filter bar (the choice is kept in the URL, the chip and the CSV link); an ISP
opens their own competency profile from the account menu, its chart and its table, on a phone too; axe-core
clean and no sideways scroll."""

import datetime as dt
import re

from playwright.sync_api import expect

from tracker.models import Competency, MeetingAttendee, Strategy
from tracker.services.activities import log_activities

from .. import factories
from .helpers import check_a11y, sign_in

D = dt.date


def seed(world):
    # a 60-minute meeting of A with two strategies that Ada attended; her 30-minute activity tagged facilitation
    meeting = factories.meeting(
        world.engagement_a, D(2026, 2, 3), ["p20_co_learning"], ["facilitation", "coaching"], duration_minutes=60
    )
    MeetingAttendee.create(meeting=meeting, user=world.isp_a1)
    row = {
        "date": D(2026, 2, 10),
        "kind": "outreach",
        "minutes": 30,
        "isps": [world.isp_a1.id],
        "strategies": [Strategy.get(Strategy.key == "facilitation").id],
        "competencies": [Competency.get(Competency.key == "p20_brokering").id],
    }
    log_activities(world.engagement_a, [row], world.isp_a1)


def no_sideways_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_work_between_meetings_in_the_dose_and_an_isps_own_profile(page, site, browser_context):
    seed(site.world)
    sign_in(page, site.world.leader_foundation)
    page.goto("/reports/strategies")
    expect(page.locator("#dose-month")).to_contain_text("30 min")  # between meetings, beside the 60 min
    page.locator(".filter-panel summary").click()
    page.get_by_label("Work between meetings").select_option("exclude")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/reports/strategies\?.*\bactivities=exclude\b"))
    expect(page.locator(".filter-line")).to_contain_text("Work between meetings: Excluded")
    expect(page.locator("a.csv-link").first).to_have_attribute("href", "/reports/strategies.csv?activities=exclude")
    expect(page.locator("#dose-month")).not_to_contain_text("Between meetings")
    check_a11y(page, "strategies with the activities excluded")

    phone = browser_context().new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    sign_in(phone, site.world.isp_a1)
    phone.get_by_role("link", name="My competency profile").click()  # from the ISP's home page
    expect(phone.get_by_role("heading", level=1, name="My competency profile")).to_be_visible()
    expect(phone.locator("canvas[data-chart=chart-my-competencies]")).to_be_visible()
    phone.get_by_role("button", name="Table").click()
    table = phone.locator("#my-competencies-table")
    expect(table.get_by_role("row", name="Co-learning")).to_contain_text("1")
    expect(table.get_by_role("row", name="Brokering")).to_contain_text("1")
    assert no_sideways_scroll(phone)
    check_a11y(phone, "my competency profile at 390 px")
