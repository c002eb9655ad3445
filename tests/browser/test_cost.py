"""Cost of support, in Chromium (issue 19): an administrator sets an ISP's hourly rate (a refused value first,
the typed value kept beside its message) and the centre's rate; a leader reads the Cost report and an
engagement's cost section; a recipient's engagement page has no cost at all. axe-core finds nothing serious."""

import datetime as dt

from playwright.sync_api import expect

from tracker.models import MeetingAttendee

from .. import factories
from .helpers import check_a11y, sign_in


def test_rates_set_by_an_admin_become_the_cost_leaders_read(site, page):
    w = site.world
    # 3 Feb 2026, Engagement A in Exploration: 60 minutes with Ada and Ben.
    meeting = factories.meeting(w.engagement_a, date=dt.date(2026, 2, 3), duration_minutes=60)
    for isp in (w.isp_a1, w.isp_a2):
        MeetingAttendee.create(meeting=meeting, user=isp)

    sign_in(page, w.admin)
    page.goto(f"/admin/users/{w.isp_a1.id}/edit")
    rate = page.get_by_label("Hourly rate (ISPs)")
    rate.fill("-10")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#hourly_rate-error")).to_have_text("An hourly rate cannot be negative.")
    expect(rate).to_have_value("-10")
    check_a11y(page, "the user form with a refused rate")
    rate.fill("90")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved Ada ISP.")).to_be_visible()

    page.goto("/admin/")
    page.get_by_role("link", name="Cost rates").click()
    expect(page.get_by_role("heading", level=1, name="Cost rates")).to_be_visible()
    page.get_by_label("Implementation Centre: hourly rate (USD)").fill("60")
    page.get_by_role("button", name="Save organization rates").click()
    expect(page.get_by_text("Saved the organization rates.")).to_be_visible()
    expect(page.get_by_role("row", name="Ben ISP")).to_contain_text("60.00 (organization)")
    check_a11y(page, "the cost rates page")

    # 60 minutes x (90 + 60) / 60 = 150 in Exploration
    page.context.clear_cookies()
    sign_in(page, w.leader_foundation)
    page.goto("/reports/")
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Cost").click()
    expect(page.get_by_role("heading", level=1, name="Cost of support")).to_be_visible()
    page.get_by_role("group", name="Show cost by engagement as").get_by_role("button", name="Table").click()
    expect(page.locator("#cost-engagements-table").get_by_role("row", name="Engagement A")).to_contain_text(
        "USD 150.00"
    )
    check_a11y(page, "the cost report")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    check_a11y(page, "the cost report on a phone")

    page.goto(f"/engagements/{w.engagement_a.id}")
    section = page.get_by_role("region", name="Cost of support")
    expect(section.locator("#cost-table").get_by_role("row", name="Exploration")).to_contain_text("USD 150.00")
    check_a11y(page, "the engagement page's cost section")

    page.context.clear_cookies()
    sign_in(page, w.recipient_a)
    page.goto(f"/engagements/{w.engagement_a.id}")
    expect(page.get_by_role("heading", level=1, name="Engagement A")).to_be_visible()
    expect(page.get_by_text("Cost of support")).to_have_count(0)
