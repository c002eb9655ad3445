"""JSON API: recipient feedback. Invitations by those who may send them on the pages (ISPs on the
engagement, administrators) answer their single-use links; a link's questions and its answers need no
account; answers follow the page's rules (single use, anonymous by default, released only in groups of
at least three: docs/disclosure.md) and a refused answer stores nothing.

On factories.small_world(): engagement A is co-led by isp_a1 and isp_a2; isp_b is on B and C, not A;
recipient_a belongs to unit A."""

import datetime as dt

from tracker.models import Engagement, FeedbackInvitation, FeedbackRelease, FeedbackResponse, OutboxMessage
from tracker.reports import feedback as report
from tracker.services import feedback as service

from .api_helpers import Api
from .feedback_helpers import counts, invite, team_with_meeting


def _invitations_url(engagement):
    return f"/engagements/{engagement.id}/feedback-invitations"


# --- invitations -------------------------------------------------------------------------------------------


def test_an_isp_on_the_engagement_invites_and_gets_the_single_use_links(demo, client):
    meeting, _members = team_with_meeting(demo.engagement_a)
    api = Api(client, demo.isp_a1)
    response = api.post(
        _invitations_url(demo.engagement_a),
        {
            "kind": "pulse",
            "recipients": ["Sam@Example.org", "kim@example.org", "sam@example.org"],
            "meeting_id": meeting.id,
        },
    )
    assert response.status_code == 201, response.get_json()
    sent = response.get_json()["invitations"]
    assert [s["email"] for s in sent] == ["sam@example.org", "kim@example.org"]  # each asked once
    for s in sent:
        assert s["kind"] == "pulse" and s["meeting_id"] == meeting.id
        assert s["url"] == f"http://localhost/feedback/{s['token']}"
        assert s["expires_at"].endswith("+00:00") and s["created"].endswith("+00:00") and s["updated_at"]
    # The emails carry the same links, through the outbox as on the page; only the hashes are stored.
    mail = {m.to_email: m for m in OutboxMessage.select()}
    assert set(mail) == {"sam@example.org", "kim@example.org"}
    assert FeedbackInvitation.get(FeedbackInvitation.email == "sam@example.org").token_hash == service.hash_token(
        sent[0]["token"]
    )
    # The link works: its questions, without an account.
    questions = Api(client).get(f"/feedback/{sent[0]['token']}")
    assert questions.status_code == 200 and questions.get_json()["kind"] == "pulse"


def test_an_administrator_invites_with_a_chosen_expiry(demo, client):
    response = Api(client, demo.admin).post(
        _invitations_url(demo.engagement_a), {"kind": "survey", "recipients": ["sam@example.org"], "days": 3}
    )
    assert response.status_code == 201
    invitation = FeedbackInvitation.get()
    assert dt.timedelta(days=2, hours=23) < invitation.expires_at - invitation.created_at <= dt.timedelta(days=3)


def test_invitations_are_refused_as_the_page_refuses_them(demo, client, as_user):
    body = {"kind": "survey", "recipients": ["sam@example.org"]}
    url = _invitations_url(demo.engagement_a)
    page = f"/engagements/{demo.engagement_a.id}/feedback/survey"
    # A recipient of the unit sees the engagement but may not send (403); an ISP not on it and a
    # recipient of another unit are answered as if it did not exist (404): the page's answers, the API's.
    for user, status in ((demo.recipient_a, 403), (demo.isp_b, 404), (demo.recipient_b, 404)):
        assert as_user(user).get(page).status_code == status
        assert Api(client, user).post(url, body).status_code == status, user
    assert Api(client).post(url, body).status_code == 401
    # The access decision comes before the body is read: no 400 about a body one may not send at all.
    assert Api(client, demo.recipient_a).post(url, {"kind": "poll"}).status_code == 403
    assert Api(client, demo.recipient_b).post(url, {"kind": "poll"}).status_code == 404
    assert counts()["invitations"] == 0 and counts()["outbox"] == 0


def test_bad_invitations_are_400_naming_the_field_and_send_nothing(demo, client):
    api, url = Api(client, demo.isp_a1), _invitations_url(demo.engagement_a)
    cases = [
        ({"kind": "poll", "recipients": ["sam@example.org"]}, "kind"),
        ({"kind": "survey", "recipients": []}, "recipients"),
        ({"kind": "survey", "recipients": ["not an email"]}, "recipients"),
        ({"kind": "survey", "recipients": ["sam@example.org"], "days": 0}, "days"),
        ({"kind": "survey", "recipients": ["sam@example.org"], "meeting_id": 999}, "meeting_id"),
        ({"kind": "survey", "recipients": ["sam@example.org"], "subject": "Hi"}, "subject"),
    ]
    for body, field in cases:
        response = api.post(url, body)
        assert response.status_code == 400, body
        assert field in response.get_json()["error"]["fields"], (body, response.get_json())
    assert counts()["invitations"] == 0 and counts()["outbox"] == 0


def test_a_closed_engagement_takes_no_invitations(demo, client):
    Engagement.update(status="closed").where(Engagement.id == demo.engagement_a.id).execute()
    response = Api(client, demo.isp_a1).post(
        _invitations_url(demo.engagement_a), {"kind": "survey", "recipients": ["sam@example.org"]}
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == service.CLOSED_MESSAGE
    assert counts()["invitations"] == 0


# --- answering through a link, without an account -------------------------------------------------------------


def test_the_questions_of_a_link_need_no_account(demo, app, client):
    [token] = invite(app, demo.engagement_a, kind="pulse")
    response = Api(client).get(f"/feedback/{token}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer" and "no-store" in response.headers["Cache-Control"]
    data = response.get_json()
    assert data["engagement_title"] == "Engagement A" and data["kind"] == "pulse"
    assert data["expires_at"].endswith("+00:00")
    likert = [i for i in data["items"] if i["kind"] == "likert"]
    assert sorted(i["key"] for i in likert) == ["aim_1", "fim_1", "iam_1"]  # the pulse's three, as on the page
    assert all(i["scale"] and i["text"] for i in likert)
    assert data["items"][-1] == {
        "key": "comment",
        "kind": "text",
        "scale": None,
        "text": "Anything you want to add? (optional)",
    }
    assert [c["value"] for c in data["choices"]] == [1, 2, 3, 4, 5] and data["choices"][4][
        "label"
    ] == "Completely agree"


def test_an_answer_needs_no_account_and_is_anonymous_and_not_shown_before_three(demo, app, client):
    tokens = invite(app, demo.engagement_a, emails=("a@example.org", "b@example.org", "c@example.org"))
    anonymous = Api(client)
    first = anonymous.post(f"/feedback/{tokens[0]}", {"answers": {"aim_1": 4, "aim_2": None}, "comments": {}})
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["received"] is True and first.get_json()["anonymous"] is True
    assert "id" not in first.get_json()  # nothing that could tie the anonymous response to its link
    response = FeedbackResponse.get()
    assert response.anonymous and response.respondent_id is None and response.respondent_email == ""
    assert [(a.item.key, a.value) for a in response.answers] == [("aim_1", 4)]
    # Stored, but in no release: the report (page, API, CSV) shows no score yet.
    assert FeedbackRelease.select().count() == 0
    assert report.engagement_report(demo.engagement_a.id)["scale_scores"].get("aim", {}).get("n", 0) == 0
    anonymous.post(f"/feedback/{tokens[1]}", {"answers": {"aim_1": 5, "aim_2": 5, "aim_3": 5}})
    assert report.engagement_report(demo.engagement_a.id)["scale_scores"].get("aim", {}).get("n", 0) == 0
    anonymous.post(f"/feedback/{tokens[2]}", {"answers": {"aim_1": 3, "aim_2": 3, "aim_3": 3}})
    # The first answered one AIM item of four: it scores no scale (reports/feedback.py), so the release
    # of AIM waits for a third survey with three AIM answers.
    assert report.engagement_report(demo.engagement_a.id)["scale_scores"].get("aim", {}).get("n", 0) == 0
    more = invite(app, demo.engagement_a, emails=("d@example.org",))
    anonymous.post(f"/feedback/{more[0]}", {"answers": {"aim_1": 4, "aim_2": 4, "aim_3": 4, "aim_4": 4}})
    aim = report.engagement_report(demo.engagement_a.id)["scale_scores"]["aim"]
    assert aim == {"mean": 4.0, "n": 3, "suppressed": False}  # released together: (5 + 3 + 4) / 3


def test_a_used_link_is_refused_as_the_page_refuses_it(demo, app, client):
    [token] = invite(app, demo.engagement_a)
    api = Api(client)
    assert api.post(f"/feedback/{token}", {"answers": {"aim_1": 4}}).status_code == 201
    again = api.post(f"/feedback/{token}", {"answers": {"aim_1": 2}})
    assert again.status_code == 410 and again.get_json()["error"]["code"] == "link_used"
    assert client.post(f"/feedback/{token}").status_code == 410  # the page's answer too
    assert api.get(f"/feedback/{token}").status_code == 410
    assert FeedbackResponse.select().count() == 1


def test_unknown_and_expired_links(demo, app, client):
    [token] = invite(app, demo.engagement_a, days=1)
    api = Api(client)
    for bad in ("x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), "short"):
        response = api.get(f"/feedback/{bad}")
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
        assert api.post(f"/feedback/{bad}", {"answers": {"aim_1": 4}}).status_code == 404
    FeedbackInvitation.update(expires_at=dt.datetime(2020, 1, 1)).execute()
    assert api.get(f"/feedback/{token}").status_code == 410
    assert api.post(f"/feedback/{token}", {"answers": {"aim_1": 4}}).status_code == 410
    assert counts()["responses"] == 0


def test_bad_answers_are_400_naming_them_and_store_nothing(demo, app, client):
    [token] = invite(app, demo.engagement_a, kind="pulse")
    api = Api(client)
    cases = [
        ({"answers": {"aim_1": 6}}, "answers-aim_1", "Choose a value from 1"),
        ({"answers": {"aim_1": "4"}}, "answers-aim_1", "Choose a value from 1"),
        ({"answers": {"aim_1": True}}, "answers-aim_1", "Choose a value from 1"),
        ({"answers": {"aim_1": 4, "made_up": 3}}, "answers-made_up", "not in this survey"),
        ({"answers": {"aim_2": 3}}, "answers-aim_2", "not in this survey"),  # not one of this pulse's three
        ({"comments": {"other": "Hi"}}, "comments-other", "not in this survey"),
        ({"comments": {"comment": "x" * 4001}}, "comments-comment", "At most 4000 characters."),
        ({"answers": {"aim_1": 4}, "anonymous": "yes"}, "anonymous", "Not a valid boolean."),
        ({"answers": {"aim_1": 4}, "name": "Sam"}, "name", "Unknown field."),
        ({"answers": {}, "comments": {"comment": "  "}}, "__all__", "Answer at least one question"),
    ]
    for body, field, message in cases:
        response = api.post(f"/feedback/{token}", body)
        assert response.status_code == 400, body
        assert message in response.get_json()["error"]["fields"].get(field, ""), (body, response.get_json())
    assert counts()["responses"] == 0 and counts()["answers"] == 0
    assert FeedbackInvitation.get().used_at is None  # the link still works
    assert api.post(f"/feedback/{token}", {"answers": {"aim_1": 4}}).status_code == 201


def test_a_named_answer_by_a_signed_in_recipient_is_theirs(demo, app, client):
    [token] = invite(app, demo.engagement_a, emails=("rec.a@example.org",))
    response = Api(client, demo.recipient_a).post(
        f"/feedback/{token}", {"answers": {"aim_1": 4}, "comments": {"strengths": "Clear."}, "anonymous": False}
    )
    assert response.status_code == 201 and response.get_json()["anonymous"] is False
    stored = FeedbackResponse.get()
    assert not stored.anonymous and stored.respondent_id == demo.recipient_a.id


def test_the_link_is_not_a_path_to_anything_else(demo, app, client):
    """A public feedback operation opens that link only: the rest of the API still wants a token."""
    [token] = invite(app, demo.engagement_a)
    assert Api(client).get(f"/feedback/{token}").status_code == 200
    assert Api(client).get(f"/engagements/{demo.engagement_a.id}").status_code == 401
