"""My work in Chromium (issue 23): Ada submitted a meeting log of Engagement A; Ben, its other co-lead, signs
in, reads "My work, 1 waiting" in the navigation, finds the log on his home page and follows it to the
meeting's page in one click."""

import datetime as dt

from playwright.sync_api import expect

from tests import factories

from .helpers import check_a11y, sign_in


def test_ben_follows_the_log_waiting_for_his_review_to_its_page(site, browser_context):
    w = site.world
    meeting = factories.meeting(w.engagement_a, date=dt.date(2026, 2, 3), logged_by=w.isp_a1.id)  # submitted
    ben = browser_context.first.new_page()
    sign_in(ben, w.isp_a2)
    nav = ben.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My work, 1 waiting")).to_be_visible()
    section = ben.locator("section.my-work")
    expect(section.get_by_role("heading", name="Waiting for your review")).to_be_visible()
    expect(section).to_contain_text("Submitted by Ada ISP: return it with a note or approve it.")
    check_a11y(ben, "an ISP's home page with a log waiting for review")
    section.get_by_role("link", name="Engagement A").click()
    expect(ben).to_have_url(site.url(f"/engagements/{w.engagement_a.id}/meetings/{meeting.id}"))
    check_a11y(ben, "the meeting log waiting for review")
