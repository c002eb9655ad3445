"""Hosts and headers (issue 16): the Host header cannot write feedback links (pages, mail, cron); the
headers every answer carries (no-store, HSTS behind HTTPS, WWW-Authenticate on API 401s); and
`send-surveys` reports an engagement that fails and goes on with the others."""

import datetime as dt
import re

import pytest

from tracker import create_app, mail
from tracker.models import Engagement, FeedbackInvitation, OutboxMessage, TeamMember, ValidationError, utcnow

from . import factories
from .api_helpers import Api
from .conftest import SECRET, make_app

BASE = "https://tracker.example.org"
EVIL = "evil.example"


def survey_url(engagement):
    return f"/engagements/{engagement.id}/feedback/survey"


@pytest.fixture
def base_app(app):
    app.config["BASE_URL"] = BASE
    return app


# --- links from configuration -------------------------------------------------------------------------


def test_a_forged_host_header_does_not_write_the_links_in_the_page_or_the_mail(base_app, demo, as_user):
    member = factories.team_member(demo.engagement_a, name="Member", email="member@example.org")
    client = as_user(demo.isp_a1)
    name = base_app.config["SESSION_COOKIE_NAME"]
    client.set_cookie(name, client.get_cookie(name).value, domain=EVIL)  # the attacker's request is signed in
    data = {"recipients": [member.id], "csrf_token": None}
    page = client.get(survey_url(demo.engagement_a), headers={"Host": EVIL}).get_data(as_text=True)
    data["csrf_token"] = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    sent = client.post(survey_url(demo.engagement_a), data=data, headers={"Host": EVIL})
    assert sent.status_code == 302 and EVIL not in sent.location
    response = client.get(sent.location, headers={"Host": EVIL})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(rf'value="{re.escape(BASE)}/feedback/[A-Za-z0-9_-]{{20,}}"', html)
    assert EVIL not in html
    message = OutboxMessage.get()
    assert f"{BASE}/feedback/[link hidden]" in message.body and EVIL not in message.body
    assert response.headers["Cache-Control"] == "no-store"  # the page that shows single-use links


def test_links_sent_from_cron_come_from_the_same_setting(base_app, demo, runner):
    factories.team_member(demo.engagement_a, name="Member", email="member@example.org")
    Engagement.update(start_date=dt.date(2020, 1, 1)).where(Engagement.id == demo.engagement_a.id).execute()
    result = runner.invoke(args=["send-surveys"])
    assert result.exit_code == 0, result.output
    assert f"{BASE}/feedback/[link hidden]" in OutboxMessage.get().body
    with base_app.test_request_context("/", headers={"Host": EVIL}):
        assert mail.external_url("feedback.answer", token="t" * 30) == f"{BASE}/feedback/{'t' * 30}"


def test_a_base_url_under_a_path_keeps_the_path(base_app):
    base_app.config["BASE_URL"] = "https://example.org/tracker/"
    with base_app.app_context():
        assert (
            mail.external_url("feedback.answer", token="t" * 30) == f"https://example.org/tracker/feedback/{'t' * 30}"
        )


def test_sending_mail_outside_debug_and_testing_needs_the_base_url(database_url):
    config = {"SECRET_KEY": SECRET, "DATABASE_URL": database_url, "MAIL_SERVER": "smtp.example.org"}
    with pytest.raises(RuntimeError, match="TRACKER_BASE_URL"):
        create_app(dict(config))
    with pytest.raises(RuntimeError, match="TRACKER_BASE_URL must be an http"):
        create_app({**config, "BASE_URL": "javascript:alert(1)"})
    assert create_app({**config, "BASE_URL": BASE}).config["BASE_URL"] == BASE
    assert create_app({**config, "TESTING": True}).testing  # tests and debug fall back to localhost


def test_trusted_hosts_refuse_any_other_host(database_url, demo):
    app = make_app(database_url, TRUSTED_HOSTS=["tracker.example.org"])
    client = app.test_client()
    assert client.get("/login", headers={"Host": EVIL}).status_code == 400
    assert client.get("/login", headers={"Host": "tracker.example.org"}).status_code == 200


# --- headers ----------------------------------------------------------------------------------------------


def test_no_store_on_signed_in_pages_api_answers_and_exports(app, demo, as_user, client):
    signed_in = as_user(demo.admin)
    api = Api(app.test_client(), demo.admin)
    responses = {
        "page": signed_in.get(f"/engagements/{demo.engagement_a.id}"),
        "feedback csv": signed_in.get(f"/engagements/{demo.engagement_a.id}/feedback.csv"),
        "report csv": signed_in.get("/reports/competencies.csv"),
        "api": api.get("/engagements"),
        "api 404": api.get("/engagements/999999"),
        "api 401": Api(app.test_client()).get("/engagements"),
        "sign-in page": client.get("/login"),
    }
    for name, response in responses.items():
        assert response.status_code < 500, name
        assert response.headers.get("Cache-Control") == "no-store", name
    assert responses["report csv"].mimetype == "text/csv" and responses["feedback csv"].mimetype == "text/csv"
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def test_hsts_only_when_cookies_are_secure(database_url, demo):
    plain = make_app(database_url).test_client().get("/login")
    assert "Strict-Transport-Security" not in plain.headers
    secure = make_app(database_url, SESSION_COOKIE_SECURE=True).test_client().get("/login")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_api_401s_say_bearer(app, demo, client):
    for response in (
        Api(client).get("/engagements"),
        Api(client, token="not-a-token").get("/engagements"),
        client.post("/api/v1/tokens", json={"email": "nobody@example.org", "password": "wrong password 1"}),
    ):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "WWW-Authenticate" not in Api(client, demo.admin).get("/engagements").headers


# --- send-surveys goes on after a failing engagement --------------------------------------------------------


class FakeSMTP:
    sent = []

    def __init__(self, host, port, timeout):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        FakeSMTP.sent.append((message["To"], message["Subject"]))


def test_send_surveys_reports_a_failing_engagement_and_goes_on(base_app, demo, runner, monkeypatch):
    """What was seen: a CR/LF in a title made sending fail with a 500 and the cron job stop at that
    engagement. Now the message that cannot be written is given up, the engagement reported, the rest sent."""
    base_app.config["MAIL_SERVER"] = "smtp.example.org"
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent = []
    for engagement in (demo.engagement_a, demo.engagement_b, demo.engagement_c):
        Engagement.update(start_date=dt.date(2020, 1, 1)).where(Engagement.id == engagement.id).execute()
    factories.team_member(demo.engagement_a, name="A", email="a@example.org")
    factories.team_member(demo.engagement_b, name="B", email="b@example.org")
    factories.team_member(demo.engagement_c, name="C", email="c@example.org")
    # Rows written before the model refused CR/LF (or by hand): a header injection in B's title, and an
    # email in C's team that is no address at all.
    Engagement.update(title="Engagement B\r\nBcc: victim@example.org").where(
        Engagement.id == demo.engagement_b.id
    ).execute()
    TeamMember.update(email="c@example.org\nBcc: victim@example.org").where(
        TeamMember.engagement == demo.engagement_c.id
    ).execute()

    result = runner.invoke(args=["send-surveys"])

    assert result.exit_code == 1, result.output
    # B's and C's mail is refused where it is written (one-line subject, a real address): each is reported
    # and nothing of it is kept, while A's survey still goes out.
    assert f"Engagement C (#{demo.engagement_c.id}): not sent" in result.output
    assert f"(#{demo.engagement_b.id}): not sent — Keep this to one line" in result.output
    assert "2 engagements failed" in result.output and "3 engagements due" in result.output
    assert FakeSMTP.sent == [("a@example.org", "Feedback survey: Engagement A")]
    for failed in (demo.engagement_b, demo.engagement_c):
        assert FeedbackInvitation.select().where(FeedbackInvitation.engagement == failed.id).count() == 0
        assert OutboxMessage.select().where(OutboxMessage.engagement_id == failed.id).count() == 0
    a_message = OutboxMessage.get(OutboxMessage.engagement_id == demo.engagement_a.id)
    assert a_message.status == "sent"


def test_a_message_that_cannot_be_written_does_not_stop_the_next_one(base_app, demo, monkeypatch):
    base_app.config["MAIL_SERVER"] = "smtp.example.org"
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent = []
    with base_app.app_context():
        with pytest.raises(ValidationError):  # the model refuses a subject that would inject a header
            mail.queue("x@example.org", "Hello\r\nBcc: victim@example.org", "body")
        # A row written before that rule (or by hand) is given up when sent, and the next one goes out.
        now = utcnow()
        bad_id = OutboxMessage.insert(
            to_email="x@example.org",
            subject="Hello\r\nBcc: victim@example.org",
            body="body",
            status="queued",
            next_attempt_at=now,
            created_at=now,
        ).execute()
        good = mail.queue("y@example.org", "Hello", "body")
        mail.deliver_pending()
        assert mail.deliver_due() == {"sent": 0, "failed": 1, "skipped": 0}
    assert FakeSMTP.sent == [("y@example.org", "Hello")]
    bad = OutboxMessage.get_by_id(bad_id)
    assert bad.status == "failed" and bad.next_attempt_at is None
    assert OutboxMessage.get_by_id(good.id).status == "sent"
