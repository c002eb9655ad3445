"""Everyone is told when something needs them (issue 18): each event of a support request lands in the
outbox addressed to the people it concerns and only them, in the event's transaction (a refused event
mails nobody); each person chooses on "Your account" between one email per event, a daily digest
(`send-digests`, each item once) or none; the ISPs' weekly summary; a recipient's home page shows the
question waiting for them and an answered request as waiting for the ISP team.

The world (tests/factories.small_world plus one more intermediary): the Implementation Centre's ISPs
Ada (isp_a1), Ben (isp_a2), Cai (isp_b) and Dee (isp_none); the Other Centre's ISP Oz; Rae, a recipient
of unit A, asks the Implementation Centre for support. Rob is a recipient of unit B.
"""

import datetime as dt
import html as htmllib
import importlib

import pytest

from tracker.db import database
from tracker.models import (
    NextStep,
    OutboxMessage,
    PendingNotification,
    SchemaVersion,
    SupportRequest,
    User,
)
from tracker.schema import migrate
from tracker.services import notifications

from . import factories
from .conftest import field_error, post_form
from .feedback_helpers import invite

TODAY = dt.date.today()
BASE = "http://localhost"  # mail.external_url: the tests' BASE_URL


@pytest.fixture
def world(demo):
    demo.other_centre = factories.organization("Other Centre", kind="intermediary")
    demo.isp_other = factories.user("isp", "isp.other@example.org", "Oz ISP", organization=demo.other_centre)
    return demo


def text(response):
    return htmllib.unescape(response.get_data(as_text=True))


def outbox():
    """[(to, subject, body)] of every queued message, oldest first."""
    return [(m.to_email, m.subject, m.body) for m in OutboxMessage.select().order_by(OutboxMessage.id)]


def mailed_since(before):
    return outbox()[before:]


def recipients(messages):
    return sorted(to for to, _subject, _body in messages)


def choose(user, choice):
    User.update(notification_choice=choice).where(User.id == user.id).execute()


def submit(client, world, title="Scaling the mentoring programme", intermediary=None):
    response = post_form(
        client,
        "/requests/new",
        {
            "title": title,
            "description": "A mentoring programme for new teachers.",
            "for_whom": "First-year teachers",
            "on_behalf": "internal",
            "partner_name": "",
            "hoped_start": "",
            "urgency_note": "",
            "intermediary": str((intermediary or world.center).id),
        },
    )
    assert response.status_code == 302, text(response)
    return SupportRequest.select().order_by(SupportRequest.id.desc()).get()


def ask(client, req, question="Which schools take part?"):
    return post_form(client, f"/requests/{req.id}/ask", {"info_question": question})


def answer(client, req, words="Four schools in the north."):
    return post_form(client, f"/requests/{req.id}/answer", {"info_answer": words}, token_from=f"/requests/{req.id}")


CENTRE_ISPS = ["isp.a1@example.org", "isp.a2@example.org", "isp.b@example.org", "isp.none@example.org"]


# --- a request arrives ------------------------------------------------------------------------------------


def test_a_new_request_is_mailed_to_the_triage_isps_of_its_intermediary_and_nobody_else(world, as_user):
    req = submit(as_user(world.recipient_a), world)
    messages = outbox()
    assert recipients(messages) == CENTRE_ISPS  # not Oz of the Other Centre, not the admin, not Rae
    to, subject, body = messages[0]
    assert subject == f"New support request: Scaling the mentoring programme ({req.ref})"  # the readable id (issue 23)
    assert "Unit A asked for support: “Scaling the mentoring programme”." in body
    assert f"{BASE}/requests/{req.id}" in body
    assert body.startswith("Hello ")


def test_a_request_to_the_other_intermediary_is_mailed_to_its_isps_only(world, as_user):
    submit(as_user(world.recipient_a), world, intermediary=world.other_centre)
    assert recipients(outbox()) == ["isp.other@example.org"]


def test_nobody_who_chose_none_or_was_deactivated_is_mailed_and_a_digest_chooser_waits_for_the_digest(world, as_user):
    choose(world.isp_a2, "none")
    choose(world.isp_b, "digest")
    User.update(is_active=False).where(User.id == world.isp_none.id).execute()
    req = submit(as_user(world.recipient_a), world)
    assert recipients(outbox()) == ["isp.a1@example.org"]
    kept = list(PendingNotification.select())
    assert [(p.user_id, p.kind, p.link) for p in kept] == [
        (world.isp_b.id, "request_submitted", f"{BASE}/requests/{req.id}")
    ]


def test_a_refused_submission_mails_nobody(world, as_user):
    response = post_form(
        as_user(world.recipient_a), "/requests/new", {"title": "", "intermediary": str(world.center.id)}
    )
    assert response.status_code == 400
    assert outbox() == [] and PendingNotification.select().count() == 0


# --- a question, its answer ---------------------------------------------------------------------------------


def test_the_question_is_mailed_to_the_requester_and_the_answer_to_whoever_asked(world, as_user):
    rae, ada = as_user(world.recipient_a), as_user(world.isp_a1)
    req = submit(rae, world)
    before = len(outbox())
    assert ask(ada, req, "Which schools take part?").status_code == 302
    (question,) = mailed_since(before)
    assert question[0] == "rec.a@example.org"
    assert question[1] == f"A question about your request: Scaling the mentoring programme ({req.ref})"
    assert "Which schools take part?" in question[2] and f"{BASE}/requests/{req.id}" in question[2]

    before = len(outbox())
    assert answer(rae, req, "Four schools in the north.").status_code == 302
    (answered,) = mailed_since(before)
    assert answered[0] == "isp.a1@example.org"  # Ada asked; Ben, Cai and Dee are not told
    assert answered[1] == f"Your question was answered: Scaling the mentoring programme ({req.ref})"
    assert "Rae Recipient answered your question" in answered[2] and "Four schools in the north." in answered[2]


def test_the_answer_goes_to_whoever_asked_last(world, as_user):
    rae = as_user(world.recipient_a)
    req = submit(rae, world)
    ask(as_user(world.isp_a1), req, "Which schools?")
    ask(as_user(world.isp_b), req, "And how many coaches?")
    before = len(outbox())
    answer(rae, req)
    assert recipients(mailed_since(before)) == ["isp.b@example.org"]


def test_a_refused_question_or_answer_mails_nobody(world, as_user):
    rae, ada = as_user(world.recipient_a), as_user(world.isp_a1)
    req = submit(rae, world)
    before = len(outbox())
    assert ask(ada, req, "   ").status_code == 400
    response = answer(rae, req)  # no question waits: refused, nothing written
    assert response.status_code == 302 and SupportRequest.get_by_id(req.id).info_answer == ""
    ask(ada, req)
    after_question = len(outbox())
    assert answer(rae, req, "  ").status_code == 400
    assert len(outbox()) == after_question == before + 1


# --- decisions ------------------------------------------------------------------------------------------


def test_acceptance_is_mailed_to_the_requester_with_the_engagement(world, as_user):
    req = submit(as_user(world.recipient_a), world)
    before = len(outbox())
    data = {
        "title": "Mentoring at scale",
        "problem_statement": "How to scale mentoring",
        "support_model": "co_creation",
        "start_date": TODAY.isoformat(),
        "end_date": "",
        "co_lead_1": str(world.isp_a1.id),
        "co_lead_2": str(world.isp_b.id),
    }
    response = post_form(as_user(world.isp_a1), f"/requests/{req.id}/accept", data)
    assert response.status_code == 302, text(response)
    ((to, subject, body),) = mailed_since(before)
    engagement_id = SupportRequest.get_by_id(req.id).engagements.get().id
    assert to == "rec.a@example.org"
    assert subject == f"Your request was accepted: Scaling the mentoring programme ({req.ref})"
    ref = SupportRequest.get_by_id(req.id).engagements.get().ref
    assert f"the engagement “Mentoring at scale” ({ref}) starts on" in body
    assert f"{BASE}/engagements/{engagement_id}" in body


def test_a_decline_is_mailed_to_the_requester_with_the_reason_and_a_second_one_mails_nobody(world, as_user):
    req = submit(as_user(world.recipient_a), world)
    before = len(outbox())
    cai = as_user(world.isp_b)
    assert post_form(cai, f"/requests/{req.id}/decline", {"decline_reason": "Outside our remit."}).status_code == 302
    ((to, subject, body),) = mailed_since(before)
    assert (to, subject) == (
        "rec.a@example.org",
        f"Your request was declined: Scaling the mentoring programme ({req.ref})",
    )
    assert "Outside our remit." in body
    post_form(cai, f"/requests/{req.id}/decline", {"decline_reason": "Again."}, token_from="/account/")
    assert len(outbox()) == before + 1


# --- feedback -----------------------------------------------------------------------------------------------


def test_feedback_is_asked_the_way_each_invited_account_chose(app, world):
    choose(world.recipient_a, "digest")
    choose(world.recipient_b, "none")
    invite(app, world.engagement_a, emails=("rec.a@example.org", "rec.b@example.org", "alex@example.org"))
    assert recipients(outbox()) == ["alex@example.org"]  # no account: the invitation as before
    (kept,) = PendingNotification.select()
    assert kept.user_id == world.recipient_a.id and kept.kind == "feedback_requested"
    assert kept.link.startswith(f"{BASE}/feedback/mine/")  # no token in a digest


def test_feedback_to_an_account_that_chose_immediate_is_the_invitation_itself(app, world):
    invite(app, world.engagement_a, emails=("rec.a@example.org",))
    ((to, subject, body),) = outbox()
    assert to == "rec.a@example.org" and subject == "Feedback survey: Engagement A" and "[link hidden]" in body


# --- the digest and the weekly summary ------------------------------------------------------------------------


def not_monday(monkeypatch):
    """The weekly summary is not due (whatever day the test runs on)."""
    monkeypatch.setattr("tracker.services.notifications.is_summary_day", lambda day: False)


def test_a_digest_chooser_gets_nothing_immediate_then_one_digest_and_a_second_run_sends_nothing(
    world, as_user, runner, monkeypatch
):
    not_monday(monkeypatch)
    choose(world.recipient_a, "digest")
    rae = as_user(world.recipient_a)
    req = submit(rae, world)
    ask(as_user(world.isp_a1), req, "Which schools take part?")
    post_form(as_user(world.isp_a1), f"/requests/{req.id}/decline", {"decline_reason": "Outside our remit."})
    assert "rec.a@example.org" not in recipients(outbox())
    before = len(outbox())

    result = runner.invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert "Digest to Rae Recipient: 2 items." in result.output
    assert "1 digest sent (2 items)" in result.output
    ((to, subject, body),) = mailed_since(before)
    assert (to, subject) == ("rec.a@example.org", "Your daily digest: 2 things for you")
    assert "Which schools take part?" in body and "Outside our remit." in body
    assert body.index("Which schools") < body.index("Outside our remit")  # oldest first
    assert f"{BASE}/requests/{req.id}" in body and f"{BASE}/account/" in body

    again = runner.invoke(args=["send-digests"])
    assert again.exit_code == 0, again.output
    assert "0 digests sent (0 items)" in again.output
    assert len(outbox()) == before + 1


def add_overdue_step(engagement, text="Send the coaching plan"):
    meeting = factories.meeting(engagement, date=TODAY - dt.timedelta(days=20))
    return NextStep.create(meeting=meeting, text=text, owner="Ada", due_on=TODAY - dt.timedelta(days=3))


def test_the_weekly_summary_tells_each_isp_what_needs_them_once_a_week(world, as_user, runner):
    add_overdue_step(world.engagement_a)
    req = submit(as_user(world.recipient_a), world, title="Coaching for unit A")
    ask(as_user(world.isp_b), req, "Which schools?")
    choose(world.isp_a2, "none")
    before = len(outbox())

    result = runner.invoke(args=["send-digests", "--weekly"])
    assert result.exit_code == 0, result.output
    summaries = {to: (subject, body) for to, subject, body in mailed_since(before)}
    assert "isp.a2@example.org" not in summaries  # chose no email
    assert "isp.other@example.org" not in summaries  # another intermediary: nothing of theirs needs them
    subject, body = summaries["isp.a1@example.org"]
    assert subject.startswith("Your week: 1 overdue next step")
    assert "Send the coaching plan" in body and f"{BASE}/engagements/{world.engagement_a.id}" in body
    assert "Questions still waiting for the requester's answer:" in body and "Which schools?" in body
    assert "Engagements needing attention:" in body  # engagement A: no meeting in 6 weeks... (the portfolio rule)
    assert f"Weekly summary to {world.isp_a1.name}." in result.output

    sent = len(outbox())
    again = runner.invoke(args=["send-digests", "--weekly"])
    assert again.exit_code == 0, again.output
    assert "0 weekly summaries sent" in again.output and len(outbox()) == sent


def test_without_weekly_the_summary_waits_for_monday(world, runner, monkeypatch):
    add_overdue_step(world.engagement_a)
    not_monday(monkeypatch)
    result = runner.invoke(args=["send-digests"])
    assert result.exit_code == 0 and "0 weekly summaries sent" in result.output
    assert outbox() == []
    monkeypatch.setattr("tracker.services.notifications.is_summary_day", lambda day: True)
    assert "Weekly summary to Ada ISP." in runner.invoke(args=["send-digests"]).output


# --- the account choice ------------------------------------------------------------------------------------


def test_the_choice_is_saved_on_the_account_page(world, as_user):
    client = as_user(world.recipient_a)
    page = text(client.get("/account/"))
    assert "Email when something needs you" in page
    assert '<option selected value="immediate">' in page  # the default
    response = post_form(client, "/account/notifications", {"notification_choice": "digest"}, token_from="/account/")
    assert response.status_code == 302
    assert User.get_by_id(world.recipient_a.id).notification_choice == "digest"
    page = text(client.get("/account/"))
    assert "You get one digest a day" in page and '<option selected value="digest">' in page


@pytest.mark.parametrize(
    "given, message", [("weekly", "Choose one of the ways in the list."), ("", "Choose how you are told.")]
)
def test_an_unknown_choice_is_refused_next_to_the_field_and_changes_nothing(world, as_user, given, message):
    client = as_user(world.recipient_a)
    response = post_form(client, "/account/notifications", {"notification_choice": given}, token_from="/account/")
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "notification_choice") == message
    assert User.get_by_id(world.recipient_a.id).notification_choice == "immediate"


def test_the_model_refuses_an_unknown_choice_on_every_path(world):
    user = User.get_by_id(world.recipient_a.id)
    user.notification_choice = "hourly"
    assert "notification_choice" in user.validate()


# --- the recipient's home page ------------------------------------------------------------------------------


def test_the_recipients_home_shows_the_question_waiting_then_the_answer_waiting_for_the_team(world, as_user):
    rae = as_user(world.recipient_a)
    req = submit(rae, world)
    assert "A question is waiting for you" not in text(rae.get("/"))
    choose(world.recipient_a, "none")  # no email: the home page still shows it
    ask(as_user(world.isp_a1), req, "Which schools take part?")
    home = text(rae.get("/"))
    assert "A question is waiting for you" in home
    assert "Which schools take part?" in home
    assert f'href="/requests/{req.id}#answer"' in home
    assert "A question is waiting for you" not in text(as_user(world.recipient_b).get("/"))  # another unit
    assert "A question is waiting for you" not in text(as_user(world.isp_a1).get("/"))

    answer(rae, req)
    home = text(rae.get("/"))
    assert "A question is waiting for you" not in home
    assert "Answered, waiting for the ISP team" in home


# --- migration 0014 ----------------------------------------------------------------------------------------


def test_migration_0014_gives_existing_people_immediate_mail_and_runs_again_harmlessly(app):
    user = factories.user("isp")
    database.execute_sql('DROP TABLE "pending_notification"')
    database.execute_sql('ALTER TABLE "user" DROP COLUMN "notification_choice"')
    SchemaVersion.delete().where(SchemaVersion.version >= 14).execute()
    assert migrate()[0] == 14
    assert User.get_by_id(user.id).notification_choice == "immediate"
    module = importlib.import_module("tracker.migrations.0014_notification_choice")
    module.up(database)  # again: nothing changes
    assert PendingNotification.select().count() == 0


def test_the_summary_day_is_monday_and_a_week_starts_on_monday():
    assert notifications.is_summary_day(dt.date(2026, 11, 30))  # a Monday
    assert not notifications.is_summary_day(dt.date(2026, 12, 1))
    assert notifications.week_start(dt.date(2026, 12, 3)) == dt.date(2026, 11, 30)
