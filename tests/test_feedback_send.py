"""Sending feedback: a pulse after a meeting (rotating items), the full survey, the send-surveys
command, refusals (closed engagement, bad emails, ids of another engagement) and access."""

import datetime as dt
import re

import pytest

from tracker.models import FeedbackInvitation, OutboxMessage
from tracker.services import feedback as service

from . import factories
from .conftest import post_form
from .feedback_helpers import counts, invite, team_with_meeting


def pulse_url(engagement, meeting):
    return f"/engagements/{engagement.id}/feedback/pulse?meeting={meeting.id}"


def survey_url(engagement):
    return f"/engagements/{engagement.id}/feedback/survey"


def close(engagement):
    engagement.status = "closed"
    engagement.closing_summary = "Support ended."
    engagement.end_date = dt.date(2026, 6, 30)
    engagement.save()


# --- the pulse -----------------------------------------------------------------------------------------


def test_pulse_form_offers_attendees_with_an_email_checked_by_default(demo, as_user):
    meeting, members = team_with_meeting(demo.engagement_a, with_email=2, without_email=1)
    html = as_user(demo.isp_a1).get(pulse_url(demo.engagement_a, meeting)).get_data(as_text=True)
    assert "<h1>Send a pulse to attendees</h1>" in html
    assert html.count('type="checkbox"') == 2 and html.count("checked") >= 2
    assert "Member 1" in html and "No Mail 1" not in html
    assert "The implementation support meets my approval." in html  # the items asked are shown
    assert f'href="/engagements/{demo.engagement_a.id}/meetings/{meeting.id}"' in html  # breadcrumb


def test_pulse_sends_one_invitation_per_person_with_three_items_and_records_the_mail(demo, as_user):
    meeting, members = team_with_meeting(demo.engagement_a)
    response = post_form(
        as_user(demo.isp_a1),
        pulse_url(demo.engagement_a, meeting),
        {"recipients": [members[0].id], "extra_emails": "Guest@Example.org\nmember1@example.org"},
    )
    assert response.status_code == 302  # post/redirect/get: to the page of what was sent
    assert response.location == f"/engagements/{demo.engagement_a.id}/feedback/sent"
    invitations = list(FeedbackInvitation.select().order_by(FeedbackInvitation.id))
    assert [i.email for i in invitations] == ["member1@example.org", "guest@example.org"]  # asked once each
    assert invitations[0].team_member_id == members[0].id and invitations[1].team_member_id is None
    assert all(i.kind == "pulse" and i.meeting_id == meeting.id and i.sent_by_id == demo.isp_a1.id for i in invitations)
    assert all(len(i.item_keys.split(",")) == 3 for i in invitations)
    assert invitations[0].expires_at - invitations[0].created_at == dt.timedelta(days=14)
    assert sorted(m.to_email for m in OutboxMessage.select()) == ["guest@example.org", "member1@example.org"]
    assert all("Three quick questions" in m.subject for m in OutboxMessage.select())


def test_pulse_items_rotate_so_every_item_is_asked(demo, app):
    meeting, _ = team_with_meeting(demo.engagement_a)
    asked = []
    for n in range(9):
        invite(app, demo.engagement_a, "pulse", emails=[f"p{n}@example.org"], meeting=meeting)
        asked.append(FeedbackInvitation.select().order_by(FeedbackInvitation.id.desc()).get().item_keys.split(","))
    assert asked[0] == ["aim_1", "iam_1", "fim_1"]  # across scales
    assert asked[1] == ["trust_1", "knowledge_1", "application_1"]
    first_eight = [k for keys in asked[:8] for k in keys]
    assert len(first_eight) == 24 and len(set(first_eight)) == 24  # every likert item once
    assert asked[8] == asked[0]  # then round again, least recently asked first
    # Another engagement's pulses do not move this one's rotation.
    invite(app, demo.engagement_b, "pulse", emails=["b@example.org"])
    assert FeedbackInvitation.select().order_by(FeedbackInvitation.id.desc()).get().item_keys == "aim_1,iam_1,fim_1"


def test_pulse_for_a_meeting_of_another_engagement_is_404(demo, as_user):
    meeting_b, _ = team_with_meeting(demo.engagement_b)
    client = as_user(demo.isp_a2)  # on both A and B
    assert client.get(f"/engagements/{demo.engagement_a.id}/feedback/pulse?meeting={meeting_b.id}").status_code == 404
    assert client.get(f"/engagements/{demo.engagement_a.id}/feedback/pulse").status_code == 404


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"extra_emails": "not an email"},
            "extra_emails",
            "Not an email address: not, an, email. Write one address per line.",
        ),
        (
            {"extra_emails": "ok@example.org, bad@"},
            "extra_emails",
            "Not an email address: bad@. Write one address per line.",
        ),
        ({}, "recipients", "Choose at least one person to ask, or type an email address."),
    ],
)
def test_pulse_refuses_bad_recipients_and_keeps_the_input(demo, as_user, data, field, message):
    meeting, members = team_with_meeting(demo.engagement_a)
    before = counts()
    response = post_form(as_user(demo.isp_a1), pulse_url(demo.engagement_a, meeting), data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(rf'<p class="error" id="{field}-error">{re.escape(message)}</p>', html)
    if data.get("extra_emails"):
        assert data["extra_emails"] in html
    assert counts() == before


def test_pulse_refuses_a_team_member_of_another_engagement(demo, as_user):
    meeting, members = team_with_meeting(demo.engagement_a)
    stranger = factories.team_member(demo.engagement_b, name="Elsewhere", email="elsewhere@example.org")
    before = counts()
    response = post_form(
        as_user(demo.isp_a2), pulse_url(demo.engagement_a, meeting), {"recipients": [members[0].id, stranger.id]}
    )
    assert response.status_code == 400 and "not available here" in response.get_data(as_text=True)
    assert counts() == before


# --- the full survey ---------------------------------------------------------------------------------------


def test_survey_goes_to_current_team_members_with_every_item(demo, as_user):
    current = factories.team_member(demo.engagement_a, name="Current", email="current@example.org")
    factories.team_member(
        demo.engagement_a,
        name="Gone",
        email="gone@example.org",
        joined_on=dt.date(2026, 1, 5),
        left_on=dt.date(2026, 2, 1),
    )
    client = as_user(demo.isp_a1)
    html = client.get(survey_url(demo.engagement_a)).get_data(as_text=True)
    assert "Current" in html and "Gone" not in html and "27 questions asked" in html
    response = post_form(client, survey_url(demo.engagement_a), {"recipients": [current.id]})
    assert response.status_code == 302
    assert "1 invitation created;" in client.get(response.location).get_data(as_text=True)
    invitation = FeedbackInvitation.get()
    assert invitation.kind == "survey" and len(invitation.item_keys.split(",")) == 27


def test_a_closed_engagement_gets_no_invitations(demo, as_user, app):
    member = factories.team_member(demo.engagement_a, name="Current", email="current@example.org")
    close(demo.engagement_a)
    client = as_user(demo.isp_a1)
    page = client.get(survey_url(demo.engagement_a))
    assert "This engagement has closed" in page.get_data(as_text=True)
    before = counts()
    response = post_form(client, survey_url(demo.engagement_a), {"recipients": [member.id]}, token_from="/")
    assert response.status_code == 400 and "This engagement has closed" in response.get_data(as_text=True)
    with pytest.raises(Exception, match="closed"):
        invite(app, demo.engagement_a, "survey")
    assert counts() == before


# --- access ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("recipient_a", 403),
        ("leader_foundation", 403),
        ("leader_all", 403),
        ("recipient_b", 404),
        ("isp_b", 404),
    ],
)
def test_only_the_engagements_isps_may_send(demo, as_user, who, status):
    meeting, members = team_with_meeting(demo.engagement_a)
    client = as_user(getattr(demo, who))
    assert client.get(survey_url(demo.engagement_a)).status_code == status
    assert client.get(pulse_url(demo.engagement_a, meeting)).status_code == status
    response = post_form(client, survey_url(demo.engagement_a), {"recipients": [members[0].id]}, token_from="/")
    assert response.status_code == status and FeedbackInvitation.select().count() == 0


def test_admin_may_send_and_anonymous_visitors_sign_in_first(demo, as_user, client):
    assert as_user(demo.admin).get(survey_url(demo.engagement_a)).status_code == 200
    response = client.get(survey_url(demo.engagement_a))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- send-surveys (cron) -------------------------------------------------------------------------------------


def test_send_surveys_sends_to_active_engagements_that_are_due(demo, app, runner):
    factories.team_member(demo.engagement_a, name="A member", email="a.member@example.org")
    factories.team_member(demo.engagement_b, name="B member", email="b.member@example.org")
    factories.team_member(demo.engagement_c, name="C member", email="c.member@example.org")
    close(demo.engagement_c)
    # Engagement B had a survey recently: not due.
    invite(app, demo.engagement_b, "survey", emails=["b.member@example.org"])
    before = counts()

    dry = runner.invoke(args=["send-surveys", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Engagement A" in dry.output and "would send (dry run)" in dry.output
    assert "Engagement B" not in dry.output and "Engagement C" not in dry.output
    assert "1 engagement due; 1 invitation would be sent." in dry.output
    assert counts() == before

    real = runner.invoke(args=["send-surveys"])
    assert real.exit_code == 0, real.output
    assert "Engagement A" in real.output and "1 invitation sent." in real.output
    sent = FeedbackInvitation.get(FeedbackInvitation.engagement == demo.engagement_a.id)
    assert sent.kind == "survey" and sent.email == "a.member@example.org"
    message = OutboxMessage.select().order_by(OutboxMessage.id.desc()).get()
    assert message.to_email == "a.member@example.org" and "http://localhost/feedback/[link hidden]" in message.body

    again = runner.invoke(args=["send-surveys"])
    assert "No survey due" in again.output and FeedbackInvitation.select().count() == before["invitations"] + 1


def test_send_surveys_reports_an_engagement_without_emails(demo, app, runner):
    app.config["FEEDBACK_SURVEY_DAYS"] = 30
    result = runner.invoke(args=["send-surveys"])
    assert result.exit_code == 0
    assert "no current team member with an email" in result.output and FeedbackInvitation.select().count() == 0


def test_surveys_due_respects_the_period(demo, app):
    factories.team_member(demo.engagement_a, name="A member", email="a.member@example.org")
    with app.app_context():
        start = demo.engagement_a.start_date
        assert [
            e.id for e, _ in service.surveys_due(today=start + dt.timedelta(days=90)) if e.id == demo.engagement_a.id
        ] == []
        assert [
            e.id for e, _ in service.surveys_due(today=start + dt.timedelta(days=91)) if e.id == demo.engagement_a.id
        ] == [demo.engagement_a.id]
