"""Sending feedback, post/redirect/get: the send form redirects to a page of what was sent (who was
asked, their links with copy buttons), which a reload shows again without sending anything; the
links are derived from a key kept in the sender's session only."""

import re

from tracker.models import FeedbackInvitation, OutboxMessage
from tracker.views.feedback import SENT_KEY

from . import factories
from .conftest import post_form
from .feedback_helpers import links, path_of, team_with_meeting


def survey_url(engagement):
    return f"/engagements/{engagement.id}/feedback/survey"


def sent_url(engagement):
    return f"/engagements/{engagement.id}/feedback/sent"


def rows():
    return FeedbackInvitation.select().count(), OutboxMessage.select().count()


def send_survey(client, engagement, members, extra=""):
    return post_form(client, survey_url(engagement), {"recipients": [m.id for m in members], "extra_emails": extra})


def test_sending_redirects_and_a_reload_sends_nothing_again(demo, as_user, client):
    e = demo.engagement_a
    ana = factories.team_member(e, name="Ana Lima", email="ana@example.org")
    ben = factories.team_member(e, name="Ben Roy", email="ben@example.org")
    isp = as_user(demo.isp_a1)
    response = send_survey(isp, e, [ana, ben], extra="guest@example.org")
    assert response.status_code == 302 and response.location == sent_url(e)
    assert rows() == (3, 3)

    first = isp.get(response.location)
    second = isp.get(response.location)  # a reload
    assert first.status_code == second.status_code == 200
    assert rows() == (3, 3)  # nothing created or queued again
    html = first.get_data(as_text=True)
    assert "<h1>Survey sent</h1>" in html and "3 invitations created;" in html
    assert "Ana Lima" in html and "ana@example.org" in html and "Ben Roy" in html and "guest@example.org" in html
    urls = links(html)
    assert len(urls) == 3 and links(second.get_data(as_text=True)) == urls  # the same links both times
    assert client.get(path_of(urls[0])).status_code == 200  # a link shown opens the answer page
    assert first.headers["Cache-Control"] == "no-store" and first.headers["Referrer-Policy"] == "no-referrer"


def test_the_sent_page_has_a_copy_button_per_link_and_keeps_the_link_selectable(demo, as_user):
    e = demo.engagement_a
    ana = factories.team_member(e, name="Ana Lima", email="ana@example.org")
    isp = as_user(demo.isp_a1)
    html = isp.get(send_survey(isp, e, [ana]).location).get_data(as_text=True)
    [invitation] = FeedbackInvitation.select()
    assert f'<input class="link-copy" id="link-{invitation.id}" type="text" readonly' in html
    assert re.search(
        rf'<button type="button" class="button copy-button" data-copy="link-{invitation.id}"[^>]*hidden>', html
    )
    assert "the link for Ana Lima" in html  # the button's name says whose link it copies
    assert 'id="copy-status" aria-live="polite"' in html and "js/copy.js" in html


def test_a_pulse_sent_page_leads_back_to_the_meeting(demo, as_user):
    e = demo.engagement_a
    meeting, members = team_with_meeting(e)
    isp = as_user(demo.isp_a1)
    sent = post_form(isp, f"/engagements/{e.id}/feedback/pulse?meeting={meeting.id}", {"recipients": [members[0].id]})
    html = isp.get(sent.location).get_data(as_text=True)
    assert "<h1>Pulse sent</h1>" in html and "1 invitation created;" in html
    assert f'href="/engagements/{e.id}/meetings/{meeting.id}">Back to the meeting</a>' in html


def test_the_links_are_shown_only_in_the_session_that_sent_them(demo, as_user):
    e = demo.engagement_a
    ana = factories.team_member(e, name="Ana Lima", email="ana@example.org")
    send_survey(as_user(demo.isp_a1), e, [ana])
    html = as_user(demo.isp_a1).get(sent_url(e)).get_data(as_text=True)  # the same ISP in another browser
    assert links(html) == [] and "The links are no longer shown here." in html
    assert f'href="/engagements/{e.id}/feedback">Go to the feedback report</a>' in html
    # Another engagement's sent page does not show this batch (an ISP on both).
    both = as_user(demo.isp_a2)
    member_b = factories.team_member(demo.engagement_b, name="Bo Chen", email="bo@example.org")
    send_survey(both, demo.engagement_b, [member_b])
    assert links(both.get(sent_url(e)).get_data(as_text=True)) == []
    assert len(links(both.get(sent_url(demo.engagement_b)).get_data(as_text=True))) == 1


def test_a_changed_key_in_the_session_shows_no_link(demo, as_user):
    e = demo.engagement_a
    ana = factories.team_member(e, name="Ana Lima", email="ana@example.org")
    isp = as_user(demo.isp_a1)
    send_survey(isp, e, [ana])
    with isp.session_transaction() as session:
        session[SENT_KEY] = {**session[SENT_KEY], "key": "x" * 43}
    html = isp.get(sent_url(e)).get_data(as_text=True)
    assert links(html) == [] and "The links are no longer shown here." in html


def test_the_people_to_ask_are_a_labelled_list_with_their_emails(demo, as_user):
    e = demo.engagement_a
    factories.team_member(e, name="Ana Lima", email="ana@example.org")
    factories.team_member(e, name="Ben Roy", email="ben@example.org")
    html = as_user(demo.isp_a1).get(survey_url(e)).get_data(as_text=True)
    assert re.search(r'<fieldset id="recipients"[^>]*class="field check-group recipient-picker"', html)
    assert "<legend>Current team members" in html and "(2 with an email)" in html
    ana = re.search(
        r'<label class="check">\s*<input type="checkbox" name="recipients" value="\d+" id="recipients-\d+"'
        r" checked autofocus>"
        r'\s*<span class="check-text">Ana Lima<small class="desc">ana@example.org',
        html,
    )
    assert ana, "each box sits in its label, with the person's name and email"
    assert 'data-pick="all">Select all</button>' in html and 'data-pick="none">Clear</button>' in html
    assert "js/recipient-picker.js" in html


def test_a_refused_send_keeps_what_was_ticked_and_typed(demo, as_user):
    e = demo.engagement_a
    ana = factories.team_member(e, name="Ana Lima", email="ana@example.org")
    factories.team_member(e, name="Ben Roy", email="ben@example.org")
    response = send_survey(as_user(demo.isp_a1), e, [ana], extra="not-an-email")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'value="{ana.id}" id="recipients-{ana.id}" checked' in html
    assert "Ben Roy" in html
    assert "not-an-email" in html and rows() == (0, 0)
