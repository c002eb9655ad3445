"""Review of a meeting log (issue 23) in Chromium: Ada (ISP) logs a meeting with "Save as draft", comes back
and submits it; Ben, the other co-lead, returns it with a note; Ada reads the note, fixes the notes and
resubmits; Ben approves; the page shows Approved and no Edit link, and passes axe."""

import datetime as dt

from playwright.sync_api import expect

from tracker.models import Meeting

from .helpers import check_a11y, sign_in


def test_a_meeting_log_is_drafted_returned_fixed_and_approved(browser_context, site):
    w = site.world
    e = w.engagement_a
    ada = browser_context.first.new_page()
    sign_in(ada, w.isp_a1)
    ada.goto(f"/engagements/{e.id}/meetings/new")
    ada.get_by_label("Date", exact=True).fill(dt.date(2026, 2, 3).isoformat())
    ada.get_by_role("textbox", name="Notes").fill("Walked through the checklist.")
    ada.get_by_role("button", name="Save as draft").click()
    expect(ada.locator(".flash-success")).to_be_visible()
    meeting = Meeting.get(Meeting.engagement == e.id)
    assert meeting.review_state == "draft"
    detail = f"/engagements/{e.id}/meetings/{meeting.id}"

    ada.goto(detail)  # she comes back to it
    panel = ada.get_by_role("region", name="Review")
    expect(panel).to_contain_text("Draft")
    panel.get_by_role("button", name="Submit for review").click()
    expect(ada.locator(".flash-success")).to_contain_text("submitted for review")

    ben = browser_context().new_page()
    sign_in(ben, w.isp_a2)
    ben.goto(detail)
    panel = ben.get_by_role("region", name="Review")
    panel.get_by_role("button", name="Return with a note").click()  # no note: refused beside the field
    expect(ben.locator("#review-note-return-error")).to_have_text("Say what the author should change.")
    check_a11y(ben, "the review panel with a refused return")
    ben.get_by_label("Note for the author").fill("Add the next steps.")
    ben.get_by_role("button", name="Return with a note").click()
    expect(ben.locator(".flash-success")).to_contain_text("returned to its author")

    ada.goto(detail)
    expect(ada.locator(".review-note")).to_contain_text("Returned by Ben ISP on ")
    expect(ada.locator(".review-note")).to_contain_text(": Add the next steps.")
    ada.get_by_role("link", name="Edit", exact=True).click()
    ada.get_by_role("textbox", name="Notes").fill("Walked through the checklist. Next: share it with the team.")
    ada.get_by_role("button", name="Submit for review").click()
    expect(ada.locator(".flash-success")).to_be_visible()
    assert Meeting.get_by_id(meeting.id).review_state == "submitted"

    ben.goto(detail)
    ben.get_by_role("region", name="Review").get_by_role("button", name="Approve").click()
    expect(ben.locator(".flash-success")).to_contain_text("approved")
    ada.goto(detail)
    expect(ada.get_by_role("region", name="Review")).to_contain_text("Approved")
    expect(ada.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(ada.get_by_role("region", name="Review").get_by_role("listitem")).to_have_count(
        5
    )  # draft, submitted, returned, submitted, approved
    check_a11y(ada, "an approved meeting with its review history")
