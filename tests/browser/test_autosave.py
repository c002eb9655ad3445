"""Never lose a half-written log (issue 23), in Chromium: an ISP types into the new meeting form, the page
says "Draft saved"; she leaves, comes back, restores the draft (notes, ticked boxes, a next step back in
place) and saves the meeting; the draft is gone afterwards."""

from playwright.sync_api import expect

from tracker.models import Competency, FormDraft, Meeting

from .helpers import check_a11y, sign_in

NOTES = "Talked through the coaching plan; the team lead wants a fidelity checklist."


def test_an_isp_restores_her_draft_and_saves_the_meeting(browser_context, site):
    world = site.world
    e = world.engagement_a
    co_learning = Competency.get(Competency.key == "p20_co_learning")
    page = browser_context.first.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Leave site?": yes, the draft is kept
    sign_in(page, world.isp_a1)
    form_url = f"/engagements/{e.id}/meetings/new?kind=coaching"
    page.goto(form_url)

    page.get_by_role("textbox", name="Notes").fill(NOTES)
    page.locator(f"#competencies-{co_learning.id}").check()
    page.locator(f"#isps-{world.isp_a1.id}").check()
    page.locator("#next_steps-0-text").fill("Send the checklist draft")
    # within 5 s of the first change (the wait is by design: a longer timeout than the default 10 s on a busy machine)
    expect(page.locator("#draft-status")).to_contain_text("Draft saved", timeout=30_000)
    assert FormDraft.select().count() == 1

    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1, name="Engagement A")).to_be_visible()

    page.goto(form_url)
    banner = page.get_by_role("region", name="You have a draft of this new meeting, not saved yet")
    expect(banner).to_be_visible()
    expect(page.get_by_role("textbox", name="Notes")).to_have_value("")
    check_a11y(page, "the meeting form offering a draft")
    banner.get_by_role("button", name="Restore").click()
    expect(banner).to_be_hidden()
    expect(page.get_by_role("textbox", name="Notes")).to_have_value(NOTES)
    expect(page.locator(f"#competencies-{co_learning.id}")).to_be_checked()
    expect(page.locator(f"#isps-{world.isp_a1.id}")).to_be_checked()
    expect(page.locator("#next_steps-0-text")).to_have_value("Send the checklist draft")

    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".flash-success")).to_contain_text("logged.")
    saved = Meeting.get()
    assert saved.notes == NOTES
    assert FormDraft.select().count() == 0
