"""Internal notes (issue 19) in Chromium: an ISP logs a session with an internal note and sees it with its
"Internal" badge; the recipient of the unit opens the engagement and meeting pages and never sees it."""

from playwright.sync_api import expect

from tracker.models import Meeting

from .helpers import check_a11y, sign_in

SECRET = "Supervisor doubts the checklist; talk to her alone first."


def test_a_recipient_never_sees_an_internal_note(browser_context, site):
    world = site.world
    e = world.engagement_a
    page = browser_context.first.new_page()
    sign_in(page, world.isp_a1)
    page.goto(f"/engagements/{e.id}/meetings/new?kind=coaching")
    page.get_by_label("Notes", exact=True).fill(SECRET)
    page.get_by_role("checkbox", name="Internal: ISPs and leaders only, never shown to the recipient").check()
    check_a11y(page, "the meeting form with an internal note")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".flash-success")).to_be_visible()
    m = Meeting.get()
    assert m.notes == SECRET and m.notes_internal

    page.goto(f"/engagements/{e.id}/meetings/{m.id}")
    notes = page.get_by_role("region", name="Notes")
    expect(notes).to_contain_text(SECRET)
    expect(notes.locator(".badge-internal")).to_have_text("Internal")
    page.goto(f"/engagements/{e.id}")
    expect(page.locator("#meetings")).to_contain_text(SECRET)
    check_a11y(page, "the engagement page with an internal note, as an ISP")

    recipient = browser_context().new_page()
    sign_in(recipient, world.recipient_a)
    recipient.goto(f"/engagements/{e.id}")
    expect(recipient.locator("#meetings")).to_be_visible()
    expect(recipient.locator("body")).not_to_contain_text(SECRET)
    expect(recipient.locator(".badge-internal")).to_have_count(0)
    check_a11y(recipient, "the engagement page as the recipient")
    recipient.goto(f"/engagements/{e.id}/meetings/{m.id}")
    expect(recipient.get_by_role("region", name="Notes")).to_contain_text("No notes.")
    expect(recipient.locator("body")).not_to_contain_text(SECRET)
    check_a11y(recipient, "the meeting page as the recipient")
