"""The Team report, in Chromium (issue 22): an administrator sets an ISP's monthly capacity (a refused value
first, kept beside its message); a leader reads the Team report and downloads its CSV; at triage the co-lead
picker shows each ISP's load. axe-core finds nothing serious; the report fits a phone."""

import csv

from playwright.sync_api import expect

from tracker.models import MeetingAttendee, SupportRequest, today

from .. import factories
from .helpers import check_a11y, sign_in


def test_a_leader_reads_the_team_report_and_the_picker_shows_each_isps_load(site, page):
    w = site.world
    # Today: a 12-hour meeting of Engagement A with Ada: 720 minutes over the six months of the default
    # window = 120 a month = 2 h a month, against 40 h: 5%, Room.
    meeting = factories.meeting(w.engagement_a, date=today(), duration_minutes=720)
    MeetingAttendee.create(meeting=meeting, user=w.isp_a1)
    req = SupportRequest.create(unit=w.unit_a, requested_by=w.recipient_a, title="Please help")

    sign_in(page, w.admin)
    page.goto("/admin/")
    page.get_by_role("link", name="Monthly capacity").click()
    hours = page.get_by_label("Ada ISP: hours a month")
    hours.fill("lots")
    page.get_by_role("button", name="Save capacities").click()
    expect(page.locator(f"#isp_{w.isp_a1.id}-error")).to_contain_text("whole number of hours")
    expect(hours).to_have_value("lots")
    check_a11y(page, "the capacity page with a refused value")
    hours.fill("40")
    page.get_by_role("button", name="Save capacities").click()
    expect(page.get_by_text("Saved the monthly capacities (1 changed).")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, w.leader_all)
    page.goto("/reports/")
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", level=1, name="Team")).to_be_visible()
    ada = page.locator("#team-table").get_by_role("row", name="Ada ISP")
    expect(ada).to_contain_text("12 h")
    expect(ada).to_contain_text("2 h")
    expect(ada).to_contain_text("40 h")
    expect(ada).to_contain_text("5% Room")
    check_a11y(page, "the Team report")
    with page.expect_download() as info:
        page.locator("#team-h").locator("..").get_by_role("link", name="Download CSV (team)").click()
    with open(info.value.path(), encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:2] == ["isp_id", "isp"]
    (row,) = [r for r in rows if r[1] == "Ada ISP"]
    assert (row[6], row[9], row[10], row[12]) == ("720", "120", "2400", "Room")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    check_a11y(page, "the Team report on a phone")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, w.isp_a2)
    page.goto(f"/requests/{req.id}/accept")
    picker = page.get_by_label("Second co-lead")
    expect(picker.locator("option", has_text="Ada ISP")).to_have_text(
        "Ada ISP — co-leads 2, supports 0 · 2 h/month of 40 h"
    )
    expect(picker.locator("option", has_text="Dee ISP")).to_have_text(
        "Dee ISP — co-leads 0, supports 0 · 0 h/month, no capacity set"
    )
    check_a11y(page, "the accept form with each ISP's load")
