"""Feedback questions as new versions in Chromium (issue 18): an administrator rewords a question on the
catalog page, is told which version now asks it, and the ISP's pulse form then shows the new wording."""

from playwright.sync_api import expect

from tracker.models import FeedbackInstrument, MeetingAttendee

from .. import factories
from .helpers import check_a11y, sign_in

OLD = "The implementation support meets my approval."
NEW = "The implementation support has my approval."


def test_an_admin_rewords_a_question_and_the_next_pulse_asks_it(page, site, browser_context):
    w = site.world
    e = w.engagement_a
    meeting = factories.meeting(e)
    member = factories.team_member(e, name="Jess Park", email="jess.park@example.org")
    MeetingAttendee.create(meeting=meeting, team_member=member)

    sign_in(page, w.admin)
    page.goto("/admin/catalog#feedback")
    section = page.locator("#feedback")
    expect(section.get_by_role("heading", level=3)).to_contain_text("version 1")
    expect(section.get_by_role("listitem").filter(has_text=OLD)).to_contain_text("Acceptability (AIM) · Agreement 1-5")
    check_a11y(page, "the catalog with its feedback questions")
    section.get_by_role("link", name=f"Reword “{OLD}”").click()

    expect(page.get_by_role("heading", level=1, name="Reword a feedback question")).to_be_visible()
    question = page.get_by_label("Question")
    expect(question).to_have_value(OLD)
    question.fill("")
    page.get_by_role("button", name="Save the new wording").click()
    expect(page.locator("#text-error")).to_have_text("Write the question.")  # next to the field, nothing saved
    assert FeedbackInstrument.select().count() == 1
    check_a11y(page, "the reword form refused")
    page.get_by_label("Question").fill(NEW)
    page.get_by_role("button", name="Save the new wording").click()

    expect(page).to_have_url(site.url("/admin/catalog#feedback"))
    expect(page.get_by_role("status")).to_contain_text(
        f"Reworded to “{NEW}” — version 2 of “Recipient feedback on implementation support”."
    )
    expect(page.locator("#feedback").get_by_role("heading", level=3)).to_contain_text("version 2")

    isp_page = browser_context().new_page()  # the ISP, in a browser of their own
    sign_in(isp_page, w.isp_a1)
    isp_page.goto(f"/engagements/{e.id}/feedback/pulse?meeting={meeting.id}")
    asked = isp_page.locator("details.asked")
    expect(asked).to_contain_text(NEW)
    expect(asked).not_to_contain_text(OLD)
    check_a11y(isp_page, "the pulse form")
