"""Notifications end to end in Chromium (issue 18): Rae (a recipient of unit A) submits a request and the
Implementation Centre's triage ISPs find a mail in the outbox; Ada (an ISP) asks a question, Rae's home
page says "A question is waiting for you", she answers from there and Ada is mailed the answer."""

from playwright.sync_api import expect

from tracker.models import OutboxMessage, SupportRequest

from .helpers import check_a11y, sign_in

TITLE = "Mentoring for new teachers"


def mail_to(email):
    return list(OutboxMessage.select().where(OutboxMessage.to_email == email).order_by(OutboxMessage.id))


def test_a_request_its_question_and_the_answer_each_reach_the_person_who_must_act(site, browser_context):
    w = site.world
    rae = browser_context.first.new_page()
    sign_in(rae, w.recipient_a)
    rae.get_by_role("link", name="Request support").first.click()
    rae.get_by_label("Title").fill(TITLE)
    rae.get_by_label("What is the initiative?").fill(
        "A mentoring programme pairing new teachers with experienced ones."
    )
    rae.get_by_label("For whom?").fill("Teachers in their first two years.")
    rae.get_by_role("button", name="Submit the request").click()
    expect(rae.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    req = SupportRequest.get(SupportRequest.title == TITLE)

    # The triage ISPs of the Implementation Centre are told, with the link to the request.
    (arrived,) = mail_to(w.isp_a1.email)
    assert arrived.subject == f"New support request: {TITLE} ({req.ref})"  # its readable id, as on its page
    assert site.url(f"/requests/{req.id}") in arrived.body
    assert {m.to_email for m in OutboxMessage.select()} == {
        w.isp_a1.email,
        w.isp_a2.email,
        w.isp_b.email,
        w.isp_none.email,
    }

    # Ada follows the link in her mail and asks a question.
    ada = browser_context().new_page()
    sign_in(ada, w.isp_a1)
    ada.goto(site.url(f"/requests/{req.id}"))
    ada.get_by_role("link", name="Ask for more information").click()
    ada.get_by_label("What would you like to know?").fill("Which schools take part?")
    ada.get_by_role("button", name="Send the question").click()
    expect(ada.get_by_text("Your question was sent")).to_be_visible()
    (asked,) = mail_to(w.recipient_a.email)
    assert "Which schools take part?" in asked.body

    # Rae's home page says a question waits for her; she answers from there.
    rae.goto(site.url("/"))
    waiting = rae.locator("section.question-waiting")
    expect(waiting.get_by_role("heading", name="A question is waiting for you")).to_be_visible()
    expect(waiting).to_contain_text("Which schools take part?")
    check_a11y(rae, "the recipient's home page with a question waiting")
    waiting.get_by_role("link", name="Answer the question").click()
    rae.get_by_label("Your answer").fill("Four schools in the north.")
    rae.get_by_role("button", name="Send the answer").click()
    expect(rae.get_by_text("your answer was sent")).to_be_visible()

    # Ada, who asked, is mailed the answer; the request shows as answered on Rae's home page.
    answered = mail_to(w.isp_a1.email)[-1]
    assert answered.subject == f"Your question was answered: {TITLE} ({req.ref})"
    assert "Four schools in the north." in answered.body
    assert not any("answered" in m.subject for m in mail_to(w.isp_b.email))
    rae.goto(site.url("/"))
    expect(rae.get_by_text("A question is waiting for you")).to_have_count(0)
    expect(rae.get_by_text("Answered, waiting for the ISP team")).to_be_visible()
    check_a11y(rae, "the recipient's home page with an answered request")
