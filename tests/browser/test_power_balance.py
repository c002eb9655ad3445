"""Power balance (issue 19) in Chromium: an ISP logs a session whose agenda was set jointly, with one
decision taken by the recipient team and one (a row added with "Add another decision") by the ISPs; the
meeting page says so and the engagement page's power-balance section shows the shares."""

import re

from playwright.sync_api import expect

from tracker.models import Meeting, MeetingDecision

from .. import factories
from .helpers import check_a11y, sign_in


def test_an_isp_records_who_set_the_agenda_and_who_decided(browser_context, site):
    e = site.world.engagement_a
    factories.team_member(e, "Morgan Diaz", "manager")
    page = browser_context.first.new_page()
    sign_in(page, site.world.isp_a1)
    page.goto(f"/engagements/{e.id}/meetings/new?kind=planning")

    page.get_by_role("checkbox", name="Morgan Diaz").check()
    page.get_by_role("checkbox", name="Ada ISP").check()
    agenda = page.get_by_role("group", name="Who set the agenda?")
    agenda.get_by_role("radio", name="Jointly").check()
    decisions = page.get_by_role("group", name=re.compile(r"^Decisions"))
    decisions.get_by_label("Decision", exact=True).fill("Pilot the checklist in two classrooms")
    decisions.get_by_label("Decided by").select_option(label="The recipient team")
    page.get_by_role("button", name="Add another decision").click()
    second = page.locator("#decisions-1-text")
    expect(second).to_be_focused()
    second.fill("Book the coaches for March")
    page.locator("#decisions-1-decided_by").select_option("isp")
    check_a11y(page, "the meeting form with two decisions")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".flash-success")).to_be_visible()

    m = Meeting.get()
    assert m.agenda_set_by == "joint"
    assert [(d.text, d.decided_by) for d in MeetingDecision.of(m)] == [
        ("Pilot the checklist in two classrooms", "recipient"),
        ("Book the coaches for March", "isp"),
    ]

    page.goto(f"/engagements/{e.id}/meetings/{m.id}")
    expect(page.locator(".facts")).to_contain_text("Agenda set byJointly")
    decided = page.get_by_role("region", name="Decisions")
    expect(decided.get_by_role("row", name=re.compile("Pilot the checklist"))).to_contain_text("The recipient team")

    page.goto(f"/engagements/{e.id}#power")
    power = page.get_by_role("region", name="Power balance")
    expect(power).to_be_visible()
    # One team member of two attendees; the one recorded agenda set jointly; one decision of two by the team.
    total = power.locator("tfoot tr")
    expect(total).to_have_text(re.compile(r"All sessions\s*1\s*50% \(1/2\)\s*100% \(1/1\)\s*50% \(1/2\)"))
    check_a11y(page, "the engagement page with its power balance")
