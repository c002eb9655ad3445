"""Mail after commit: invitations queue their email in the outbox inside the write's transaction; the
mail goes out after commit (after the request, or from `send-mail`), with retries and a status per
message shown on the engagement's feedback page.

What was seen: sending feedback invitations opened an SMTP connection (20 s timeout) per recipient
inside the database transaction, holding SQLite's write lock. Here the mail server accepts the
connection and never answers.
"""

import datetime as dt
import re
import smtplib
import socket
import sqlite3
import threading

import pytest

from tracker import mail
from tracker.db import database, is_sqlite
from tracker.models import FeedbackInvitation, OutboxMessage

from . import factories
from .conftest import post_form
from .feedback_helpers import team_with_meeting


class SilentServer:
    """Accepts connections and never says a word. On each connection it records whether another
    connection to the SQLite file can take the write lock at that moment (None on PostgreSQL)."""

    def __init__(self, database_path=None):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.database_path = database_path
        self.connections = []
        self.could_write = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)
            self.could_write.append(self.try_write())

    def try_write(self):
        if not self.database_path:
            return None
        other = sqlite3.connect(self.database_path, timeout=0.2, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails with "database is locked" while a writer holds it
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()

    def close(self):
        self.sock.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def silent(app, database_url):
    path = database_url.removeprefix("sqlite:///") if is_sqlite() else None
    server = SilentServer(path)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=0.5)
    yield server
    server.close()


@pytest.fixture
def watch_transactions(monkeypatch):
    """Record, at each SMTP connection, whether the sending thread has a transaction open."""
    seen = []
    real = smtplib.SMTP

    def connect(*args, **kwargs):
        seen.append(database.in_transaction())
        return real(*args, **kwargs)

    monkeypatch.setattr(smtplib, "SMTP", connect)
    return seen


def survey(as_user, demo, emails):
    members = [factories.team_member(demo.engagement_a, name=f"Member {n}", email=e) for n, e in enumerate(emails)]
    client = as_user(demo.isp_a1)
    sent = post_form(
        client, f"/engagements/{demo.engagement_a.id}/feedback/survey", {"recipients": [m.id for m in members]}
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    return client.get(sent.location)  # the page of what was sent (sends nothing)


def test_a_silent_mail_server_leaves_the_write_committed_and_the_mail_queued_with_its_error(
    demo, as_user, silent, watch_transactions
):
    response = survey(as_user, demo, ["one@example.org", "two@example.org", "three@example.org"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "3 invitations created;" in response.get_data(as_text=True)

    # the write is committed: three invitations, three messages in the outbox
    assert FeedbackInvitation.select().count() == 3
    messages = list(OutboxMessage.select().order_by(OutboxMessage.id))
    assert len(messages) == 3 and all(m.engagement_id == demo.engagement_a.id for m in messages)
    # one attempt (the request stops at the first failure: one timeout, not three)
    first, *rest = messages
    assert first.status == "failed" and "timed out" in first.error and first.attempts == 1
    assert first.will_retry and first.next_attempt_at > first.last_attempt_at
    assert [(m.status, m.attempts) for m in rest] == [("queued", 0), ("queued", 0)]

    # no transaction was open while the server kept us waiting, and another connection could write
    assert watch_transactions == [False]
    assert len(silent.connections) == 1
    if is_sqlite():
        assert silent.could_write == [True]

    # the ISP sees the state of each message on the feedback page
    page = as_user(demo.isp_a1).get(f"/engagements/{demo.engagement_a.id}/feedback").get_data(as_text=True)
    assert "2 invitations queued, 1 failed: Connection unexpectedly closed: timed out — will retry." in page
    assert page.count('<td class="mail-status">Queued</td>') == 2


def test_send_mail_retries_with_backoff_then_sends_a_fresh_link(demo, app, as_user, runner, silent, monkeypatch):
    survey(as_user, demo, ["one@example.org"])
    (message,) = OutboxMessage.select()
    assert message.status == "failed" and message.attempts == 1
    old_hash = FeedbackInvitation.get().token_hash

    # not due yet: send-mail leaves it alone
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0 and "0 sent, 0 failed" in result.output
    # due: another attempt, still silent -> a longer wait
    first_wait = message.next_attempt_at - message.last_attempt_at
    with database.atomic():
        OutboxMessage.update(next_attempt_at=dt.datetime(2000, 1, 1)).execute()
    result = runner.invoke(args=["send-mail"])
    assert "0 sent, 1 failed" in result.output
    message = OutboxMessage.get_by_id(message.id)
    assert message.attempts == 2 and message.status == "failed"
    assert message.next_attempt_at - message.last_attempt_at == 2 * first_wait

    # the server is back: the message goes out with a new link (the stored copy only has it hidden)
    delivered = []
    monkeypatch.setattr(mail, "_smtp_send", lambda to, subject, body: delivered.append((to, body)))
    with database.atomic():
        OutboxMessage.update(next_attempt_at=dt.datetime(2000, 1, 1)).execute()
    result = runner.invoke(args=["send-mail"])
    assert "1 sent, 0 failed" in result.output
    message = OutboxMessage.get_by_id(message.id)
    assert message.status == "sent" and message.sent_at and message.error == "" and message.next_attempt_at is None
    ((to, body),) = delivered
    token = re.search(r"/feedback/([A-Za-z0-9_-]{20,})", body).group(1)
    assert to == "one@example.org" and token not in message.body and mail.HIDDEN in message.body
    assert FeedbackInvitation.get().token_hash != old_hash
    assert as_user(demo.recipient_b).get(f"/feedback/{token}").status_code == 200  # the new link works
    # sent: nothing more to do
    assert "0 sent, 0 failed" in runner.invoke(args=["send-mail"]).output
    page = as_user(demo.isp_a1).get(f"/engagements/{demo.engagement_a.id}/feedback").get_data(as_text=True)
    assert "mail-delivery" not in page and '<td class="mail-status">Sent' in page


def test_after_the_last_attempt_the_message_is_failed_for_good(demo, app, as_user, silent):
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    survey(as_user, demo, ["one@example.org"])
    (message,) = OutboxMessage.select()
    assert message.status == "failed" and message.next_attempt_at is None and not message.will_retry
    page = as_user(demo.isp_a1).get(f"/engagements/{demo.engagement_a.id}/feedback").get_data(as_text=True)
    assert "1 failed: Connection unexpectedly closed: timed out — no more attempts; send a new invitation." in page


def test_sending_inside_a_transaction_is_refused(demo, app):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    with app.app_context():
        with database.atomic():
            mail.queue("x@example.org", "Subject", "Body")
            with pytest.raises(mail.SendingInTransaction):
                mail.deliver_pending()
            with pytest.raises(mail.SendingInTransaction):
                mail.deliver_due()


def test_without_a_mail_server_messages_stay_queued(demo, as_user, runner):
    meeting, members = team_with_meeting(demo.engagement_a)
    post_form(
        as_user(demo.isp_a1),
        f"/engagements/{demo.engagement_a.id}/feedback/pulse?meeting={meeting.id}",
        {"recipients": [members[0].id]},
    )
    (message,) = OutboxMessage.select()
    assert message.status == "queued" and message.attempts == 0
    assert "MAIL_SERVER is not set" in runner.invoke(args=["send-mail"]).output
    page = as_user(demo.isp_a1).get(f"/engagements/{demo.engagement_a.id}/feedback").get_data(as_text=True)
    assert "1 invitation queued." in page and "No mail server is configured" in page


def test_the_outbox_backoff_doubles_up_to_a_ceiling():
    assert [mail.backoff(n) for n in (1, 2, 3)] == [dt.timedelta(minutes=m) for m in (5, 10, 20)]
    assert mail.backoff(30) == mail.LONGEST_WAIT
