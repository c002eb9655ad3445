"""Review of a meeting log (issue 23) in Chromium, the issue's story: Ada (ISP) starts a meeting log, the form
keeps a draft as she types; she leaves, comes back, restores it and submits it; Ben, the other co-lead,
returns it with a note; Ada reads the note, fixes the notes and resubmits; Ben approves; the page shows
Approved and no Edit link, and passes axe; the leader, counting approved logs only, sees no session before
the approval and this one after."""

import datetime as dt

from playwright.sync_api import expect

from tracker.models import Meeting

from .helpers import check_a11y, sign_in


def test_a_meeting_log_is_drafted_returned_fixed_and_approved(browser_context, site):
    w = site.world
    e = w.engagement_a
    ada = browser_context.first.new_page()
    sign_in(ada, w.isp_a1)
    ada.on("dialog", lambda dialog: dialog.accept())  # "Leave site?": yes, the draft is kept
    form_url = f"/engagements/{e.id}/meetings/new"
    ada.goto(form_url)
    ada.get_by_label("Date", exact=True).fill(dt.date(2026, 2, 3).isoformat())
    ada.get_by_role("textbox", name="Notes").fill("Walked through the checklist.")
    ada.locator(f"#isps-{w.isp_a1.id}").check()
    # the form keeps a draft on the server within 5 s of a change (a long wait: the machine may be busy)
    expect(ada.locator("#draft-status")).to_contain_text("Draft saved", timeout=30_000)
    ada.goto(f"/engagements/{e.id}")  # she leaves, and comes back: the form offers her draft
    ada.goto(form_url)
    banner = ada.get_by_role("region", name="You have a draft of this new meeting, not saved yet")
    banner.get_by_role("button", name="Restore").click()
    expect(ada.get_by_role("textbox", name="Notes")).to_have_value("Walked through the checklist.")
    ada.get_by_role("button", name="Submit for review").click()
    expect(ada.locator(".flash-success")).to_be_visible()
    meeting = Meeting.get(Meeting.engagement == e.id)
    assert (meeting.review_state, meeting.date) == ("submitted", dt.date(2026, 2, 3))
    detail = f"/engagements/{e.id}/meetings/{meeting.id}"

    lee = browser_context().new_page()  # the leader counts approved logs only
    sign_in(lee, w.leader_foundation)
    approved_sessions = f"/reports/competencies?logs=approved&engagement_id={e.id}&start=2026-02-01&end=2026-02-28"
    lee.goto(approved_sessions)
    expect(lee.locator("main")).to_contain_text("the share of the 0 sessions that match")  # none approved yet

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
    history = ada.get_by_role("region", name="Review").get_by_role("listitem")
    expect(history).to_have_count(4)  # submitted, returned, submitted, approved (the draft was the form's)
    check_a11y(ada, "an approved meeting with its review history")

    lee.goto(approved_sessions)  # the leader sees it counted
    expect(lee.locator("main")).to_contain_text("the share of the 1 session that matches")
