"""The work between meetings in Chromium (issue 22): an ISP logs three activities at once from the
engagement page, adds a line without a round trip (its date the same as the line above, the focus in it),
leaves it blank, saves, and reads the three on the list with the totals by kind."""

from playwright.sync_api import expect

from tracker.models import Activity

from .helpers import check_a11y, sign_in


def test_an_isp_logs_three_activities_at_once(page, site):
    w = site.world
    e = w.engagement_a
    sign_in(page, w.isp_a1)
    page.goto(f"/engagements/{e.id}")
    page.locator("#between-meetings").get_by_role("link", name="Log work between meetings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log work between meetings")
    lines = page.locator("[data-activity-row]")
    expect(lines).to_have_count(3)
    check_a11y(page, "the quick entry")

    for number, (kind, minutes, note) in enumerate(
        (("Outreach", "30", "Calls to the sites"), ("Data collection", "90", "Observations"), ("Other", "15", "")),
        start=1,
    ):
        line = page.get_by_role("group", name=f"Line {number}", exact=True)
        expect(line.get_by_role("checkbox", name=w.isp_a1.name)).to_be_checked()  # the signed-in ISP
        line.get_by_label("Kind").select_option(label=kind)
        line.get_by_label("Minutes").fill(minutes)
        line.get_by_label("Note").fill(note)
    second = page.get_by_role("group", name="Line 2", exact=True)
    second.get_by_role("checkbox", name=w.isp_a2.name).check()
    first = page.get_by_role("group", name="Line 1", exact=True)
    first.get_by_text("Tags").click()
    first.get_by_role("group", name="Strategies").get_by_role("checkbox").first.check()

    page.get_by_role("button", name="Add a line").click()
    expect(lines).to_have_count(4)
    fourth = page.get_by_role("group", name="Line 4", exact=True)
    expect(fourth.get_by_label("Date", exact=True)).to_be_focused()
    expect(fourth.get_by_label("Date", exact=True)).to_have_value(
        page.get_by_role("group", name="Line 3").get_by_label("Date", exact=True).input_value()
    )

    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Work between meetings")
    expect(page.get_by_text("3 activities logged.")).to_be_visible()
    table = page.locator('table[data-export="activities"]')
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    assert sorted(a.minutes for a in Activity.select()) == [15, 30, 90]
    check_a11y(page, "the list of activities")
