"""Answering feedback: through the single-use link (no account) and from the home page (account);
refused links (reused, expired, tampered, closed engagement) and refused answers store nothing;
anonymous answers cannot be traced to the invitation or the person.

On factories.small_world(): engagement A (unit A) is co-led by isp_a1 and isp_a2; recipient_a
(rec.a@example.org) belongs to unit A.
"""

import datetime as dt
import hashlib
import json
import re

import pytest

from tracker.models import (
    AuditEntry,
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackResponse,
    OutboxMessage,
    utcnow,
)
from tracker.services import feedback as service

from .conftest import post_form
from .feedback_helpers import counts, invite, links, path_of, team_with_meeting


def likert(html):
    """The item keys of the 1-5 questions on an answer page."""
    return sorted(set(re.findall(r'name="item_([a-z_0-9]+)"', html)))


# --- a pulse and a full survey through the link --------------------------------------------------------


def test_pulse_sent_after_a_meeting_and_answered_through_the_link(demo, as_user, app, client):
    meeting, members = team_with_meeting(demo.engagement_a)
    isp = as_user(demo.isp_a1)
    assert "Send a pulse to attendees" in isp.get(
        f"/engagements/{demo.engagement_a.id}/meetings/{meeting.id}"
    ).get_data(as_text=True)
    url = f"/engagements/{demo.engagement_a.id}/feedback/pulse?meeting={meeting.id}"
    sent = post_form(isp, url, {"recipients": [members[0].id, members[1].id]})
    assert sent.status_code == 302
    html = isp.get(sent.location).get_data(as_text=True)
    assert "2 invitations created;" in html
    urls = links(html)
    assert len(urls) == 2

    # The recipient, without an account, opens the link: three questions and one optional comment.
    page = client.get(path_of(urls[0]))
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    asked = likert(body)
    assert asked == sorted(["aim_1", "iam_1", "fim_1"])
    assert "Anything you want to add? (optional)" in body and "Completely agree" in body
    assert re.search(r'<input[^>]* checked [^>]*name="anonymous"', body)  # anonymous by default

    done = post_form(
        client, path_of(urls[0]), {"item_aim_1": "4", "item_fim_1": "5", "text_comment": "Useful.", "anonymous": "y"}
    )
    assert done.status_code == 200 and "Thank you" in done.get_data(as_text=True)

    response = FeedbackResponse.get()
    assert response.kind == "pulse" and response.meeting_id == meeting.id and response.anonymous
    assert response.respondent_id is None and response.respondent_email == ""
    assert json.loads(response.comments) == {"comment": "Useful."}
    assert {(a.item.key, a.value) for a in FeedbackAnswer.select()} == {("aim_1", 4), ("fim_1", 5)}
    assert FeedbackInvitation.select().where(FeedbackInvitation.used_at.is_null(False)).count() == 1


def test_full_survey_answered_through_the_link_with_every_item(demo, as_user, client, app):
    factories_member = team_with_meeting(demo.engagement_a, with_email=1, without_email=0)[1][0]
    isp = as_user(demo.isp_a1)
    form = isp.get(f"/engagements/{demo.engagement_a.id}/feedback/survey").get_data(as_text=True)
    assert 'Member 1<small class="desc">member1@example.org' in form and "checked" in form
    sent = post_form(
        isp,
        f"/engagements/{demo.engagement_a.id}/feedback/survey",
        {"recipients": [factories_member.id], "extra_emails": "guest@example.org"},
    )
    urls = links(isp.get(sent.location).get_data(as_text=True))
    assert len(urls) == 2
    page = client.get(path_of(urls[1])).get_data(as_text=True)
    asked = likert(page)
    assert len(asked) == 24 and "What were the strengths" in page
    data = {f"item_{key}": "4" for key in asked}
    data.update({"item_aim_2": "", "text_strengths": "Clear coaching.", "anonymous": "y"})  # one left out
    assert post_form(client, path_of(urls[1]), data).status_code == 200
    response = FeedbackResponse.get()
    assert response.kind == "survey" and response.meeting_id is None
    assert FeedbackAnswer.select().count() == 23
    assert json.loads(response.comments) == {"strengths": "Clear coaching."}


# --- through an account ------------------------------------------------------------------------------


def test_recipient_answers_a_survey_from_their_home_page_with_their_name(demo, as_user, app):
    invite(app, demo.engagement_a, "survey", emails=[demo.recipient_a.email, "other@example.org"])
    client = as_user(demo.recipient_a)
    home = client.get("/").get_data(as_text=True)
    assert "Feedback waiting for you" in home and "Feedback survey" in home
    invitation = FeedbackInvitation.get(FeedbackInvitation.email == demo.recipient_a.email)
    url = f"/feedback/mine/{invitation.id}"
    assert f'href="{url}"' in home
    data = {"item_trust_1": "5", "item_knowledge_2": "3"}  # anonymous unchecked: a named answer
    assert post_form(client, url, data).status_code == 200
    response = FeedbackResponse.get()
    assert not response.anonymous and response.respondent_id == demo.recipient_a.id
    assert "Feedback waiting for you" not in client.get("/").get_data(as_text=True)
    # Someone else's invitation is not theirs to open.
    other = FeedbackInvitation.get(FeedbackInvitation.email == "other@example.org")
    assert client.get(f"/feedback/mine/{other.id}").status_code == 404


def test_pulse_answered_from_an_account_anonymously_records_no_actor(demo, as_user, app):
    meeting, _ = team_with_meeting(demo.engagement_a)
    invite(app, demo.engagement_a, "pulse", emails=[demo.recipient_a.email], meeting=meeting)
    client = as_user(demo.recipient_a)
    invitation = FeedbackInvitation.get()
    page = client.get(f"/feedback/mine/{invitation.id}").get_data(as_text=True)
    assert len(likert(page)) == 3
    assert (
        post_form(client, f"/feedback/mine/{invitation.id}", {"item_aim_1": "3", "anonymous": "y"}).status_code == 200
    )
    response = FeedbackResponse.get()
    assert response.anonymous and response.respondent_id is None and response.kind == "pulse"
    entry = AuditEntry.get((AuditEntry.entity == "FeedbackResponse") & (AuditEntry.entity_id == response.id))
    assert entry.user_id is None
    assert entry.at == dt.datetime.combine(response.submitted_on, dt.time(0, 0))
    assert response.created_at == dt.datetime.combine(response.submitted_on, dt.time(0, 0))
    assert invitation.email not in entry.changes and str(invitation.id) not in json.loads(entry.changes).values()


def test_anonymous_response_cannot_be_matched_to_its_invitation(demo, app, client):
    tokens = invite(app, demo.engagement_a, "survey", emails=["a@example.org", "b@example.org", "c@example.org"])
    for token, value in zip(tokens, ("5", "3", "1"), strict=True):
        assert post_form(client, f"/feedback/{token}", {"item_aim_1": value, "anonymous": "y"}).status_code == 200
    responses = list(FeedbackResponse.select())
    used = {i.used_at for i in FeedbackInvitation.select()}
    created = {r.created_at for r in responses}
    # Every invitation and every response carries the same coarse moment: midnight of the day.
    assert len(used) == 1 and used == created
    assert all(r.respondent_id is None and r.respondent_email == "" for r in responses)
    assert not [f for f in FeedbackResponse._meta.fields if "invitation" in f]
    for entry in AuditEntry.select().where(AuditEntry.entity == "FeedbackResponse"):
        assert entry.user_id is None and "@" not in entry.changes


def test_named_answer_without_an_account_keeps_the_email(demo, app, client):
    (token,) = invite(app, demo.engagement_a, "survey", emails=["partner@example.org"])
    assert post_form(client, f"/feedback/{token}", {"item_aim_1": "4"}).status_code == 200  # anonymous unchecked
    response = FeedbackResponse.get()
    assert not response.anonymous and response.respondent_id is None
    assert response.respondent_email == "partner@example.org"


# --- refused links: a clear page, the right status, nothing stored -----------------------------------------


def test_a_reused_link_is_refused_and_stores_nothing_twice(demo, app, client):
    (token,) = invite(app, demo.engagement_a, "survey")
    assert post_form(client, f"/feedback/{token}", {"item_aim_1": "4", "anonymous": "y"}).status_code == 200
    before = counts()
    again = client.get(f"/feedback/{token}")
    assert again.status_code == 410 and "already answered, thank you" in again.get_data(as_text=True)
    repost = post_form(client, f"/feedback/{token}", {"item_aim_1": "5", "anonymous": "y"}, token_from="/login")
    assert repost.status_code == 410 and "already answered" in repost.get_data(as_text=True)
    assert counts() == before


def test_two_submits_of_the_same_link_store_one_response(demo, app):
    (token,) = invite(app, demo.engagement_a, "survey")
    with app.test_request_context():
        first = service.invitation_for_token(token)
        second = service.invitation_for_token(token)  # opened twice, before either was sent
        service.submit(first, {"aim_1": 4}, {})
        with pytest.raises(service.LinkRefused) as refused:
            service.submit(second, {"aim_1": 2}, {})
    assert refused.value.reason == "used"
    assert FeedbackResponse.select().count() == 1 and FeedbackAnswer.get().value == 4


def test_an_expired_link_is_refused_and_stores_nothing(demo, app, client):
    (token,) = invite(app, demo.engagement_a, "survey")
    page = client.get(f"/feedback/{token}")
    assert page.status_code == 200
    FeedbackInvitation.update(expires_at=utcnow() - dt.timedelta(minutes=1)).execute()
    before = counts()
    response = post_form(client, f"/feedback/{token}", {"item_aim_1": "4", "anonymous": "y"}, token_from="/login")
    assert response.status_code == 410 and "This link has expired" in response.get_data(as_text=True)
    assert client.get(f"/feedback/{token}").status_code == 410
    assert counts() == before and FeedbackInvitation.get().used_at is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
        lambda t: t[:20],  # cut short
        lambda t: "not-a-token",  # made up
        lambda t: t + "%27%20OR%201=1",  # an injection attempt
    ],
)
def test_a_tampered_or_unknown_link_is_not_valid(demo, app, client, tamper):
    (token,) = invite(app, demo.engagement_a, "survey")
    before = counts()
    page = client.get(f"/feedback/{tamper(token)}")
    assert page.status_code == 404 and "This link is not valid" in page.get_data(as_text=True)
    posted = client.post(f"/feedback/{tamper(token)}", data={"item_aim_1": "4"})
    assert posted.status_code == 404
    assert counts() == before


def test_only_the_hash_of_the_token_is_stored(demo, app):
    (token,) = invite(app, demo.engagement_a, "survey", emails=["a@example.org"])
    invitation = FeedbackInvitation.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    message = OutboxMessage.get()
    assert message.to_email == "a@example.org" and token not in message.body and "[link hidden]" in message.body


def test_a_link_for_a_closed_engagement_is_refused(demo, app, client):
    (token,) = invite(app, demo.engagement_a, "survey")
    page = client.get(f"/feedback/{token}")
    assert page.status_code == 200
    demo.engagement_a.status = "closed"
    demo.engagement_a.closing_summary = "Done."
    demo.engagement_a.end_date = dt.date(2026, 6, 30)
    demo.engagement_a.save()
    before = counts()
    response = post_form(client, f"/feedback/{token}", {"item_aim_1": "4", "anonymous": "y"}, token_from="/login")
    assert response.status_code == 410 and "This engagement has closed" in response.get_data(as_text=True)
    assert counts() == before and FeedbackInvitation.get().used_at is None


# --- refused answers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        ({"item_aim_1": "7"}, "Choose a value from 1 (completely disagree) to 5 (completely agree)."),
        ({"item_aim_1": "0"}, "Choose a value from 1 (completely disagree) to 5 (completely agree)."),
        ({"item_aim_1": "four"}, "Choose a value from 1 (completely disagree) to 5 (completely agree)."),
        ({"item_aim_1": "4", "item_made_up": "3"}, "a question that is not in this survey"),
        ({"item_aim_1": "", "text_strengths": "  "}, "Answer at least one question or write a comment"),
    ],
)
def test_bad_answers_are_refused_with_a_message_and_nothing_stored(demo, app, client, data, message):
    (token,) = invite(app, demo.engagement_a, "survey")
    before = counts()
    response = post_form(client, f"/feedback/{token}", dict(data, anonymous="y"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert counts() == before and FeedbackInvitation.get().used_at is None
    # the link still works afterwards
    assert post_form(client, f"/feedback/{token}", {"item_aim_1": "4"}).status_code == 200


def test_a_pulse_refuses_an_item_it_did_not_ask(demo, app, client):
    meeting, _ = team_with_meeting(demo.engagement_a)
    (token,) = invite(app, demo.engagement_a, "pulse", meeting=meeting)
    assert "capacity_3" not in FeedbackInvitation.get().item_keys
    before = counts()
    response = post_form(client, f"/feedback/{token}", {"item_capacity_3": "5", "anonymous": "y"})
    assert response.status_code == 400 and "not in this survey" in response.get_data(as_text=True)
    assert counts() == before


def test_the_answer_page_is_built_for_phones(demo, app, client):
    (token,) = invite(app, demo.engagement_a, "pulse")
    page = client.get(f"/feedback/{token}")
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    assert "css/feedback.css" in html and '<meta name="viewport"' in html
    assert html.count('type="radio"') == 15 and "<legend>" in html and "<script" not in html
    assert "Sign out" not in html  # no account needed, no navigation
