"""Sending feedback in Chromium (issue 18): an ISP sends the survey to the team, lands on the page of
what was sent, copies a link with its button (the clipboard holds it, a live region says so), reloads
the page and nothing is sent twice."""

from playwright.sync_api import expect

from tracker.models import FeedbackInvitation, OutboxMessage

from .. import factories
from .helpers import check_a11y, sign_in


def test_an_isp_sends_the_survey_copies_a_link_and_a_reload_sends_nothing(page, site, browser_context):
    w = site.world
    e = w.engagement_a
    factories.team_member(e, name="Jess Park", email="jess.park@example.org")
    factories.team_member(e, name="Omar Said", email="omar.said@example.org")
    browser_context.first.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base)

    sign_in(page, w.isp_a1)
    page.goto(f"/engagements/{e.id}/feedback/survey")
    picker = page.get_by_role("group", name="Current team members")
    expect(picker.get_by_role("checkbox", name="Jess Park")).to_be_checked()
    picker.get_by_role("button", name="Clear").click()
    expect(picker.get_by_role("checkbox", checked=True)).to_have_count(0)
    expect(picker).to_contain_text("0 of 2 chosen")
    picker.get_by_role("button", name="Select all").click()
    expect(picker).to_contain_text("2 of 2 chosen")
    picker.get_by_role("checkbox", name="Omar Said").press("Space")  # the keyboard unticks one
    expect(picker).to_contain_text("1 of 2 chosen")
    check_a11y(page, "the survey form")
    page.get_by_role("button", name="Send the survey").click()

    expect(page).to_have_url(site.url(f"/engagements/{e.id}/feedback/sent"))
    expect(page.get_by_role("heading", level=1, name="Survey sent")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("1 invitation created;")
    link = page.get_by_label("Link for Jess Park")
    url = link.input_value()
    assert url.startswith(site.url("/feedback/"))
    expect(page.get_by_label("Link for Omar Said")).to_have_count(0)
    page.get_by_role("button", name="Copy the link for Jess Park").click()
    expect(page.locator("#copy-status")).to_have_text("Copied the link for Jess Park.")
    expect(page.get_by_role("button", name="Copied the link for Jess Park")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    check_a11y(page, "the survey sent page")

    page.reload()
    expect(page.get_by_role("heading", level=1, name="Survey sent")).to_be_visible()
    expect(page.get_by_label("Link for Jess Park")).to_have_value(url)  # the same link, shown again
    assert FeedbackInvitation.select().count() == 1
    assert OutboxMessage.select().where(OutboxMessage.to_email == "jess.park@example.org").count() == 1
    assert OutboxMessage.select().count() == 1
