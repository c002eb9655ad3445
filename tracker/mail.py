"""Outgoing mail through an outbox: writes queue messages, sending happens after commit.

- `queue(...)` records an `OutboxMessage` (status "queued") inside the caller's transaction, so a
  message exists exactly when the write that caused it commits. Nothing touches the network there.
- `deliver_pending()` sends the messages this request or command queued, once its transaction has
  committed (create_app runs it after each request; commands call it). It refuses to run inside a
  database transaction: no transaction ever waits on a mail server. In a request it stops at the
  first failure and leaves the rest queued for `send-mail`, so a dead server costs one timeout.
- `deliver_due()` is the `send-mail` command (cron): every queued or failed message whose next
  attempt is due, with retries (attempts, next_attempt_at, exponential backoff) until
  MAIL_MAX_ATTEMPTS; the error text of the last attempt is kept and shown on the feedback page.

Sending needs MAIL_SERVER; without it messages stay queued (tests and development never touch the
network). MAIL_TIMEOUT (seconds, default 20) bounds each connection.

Secrets in a message (the token of a feedback link) are given as `redact`: the stored copy has
"[link hidden]" instead, so the database keeps only the token's hash. The full text is kept in memory
for `deliver_pending`; a retry from `send-mail` (a later process) issues the invitation a new token
and sends that link (the old one never arrived, or arrived and is replaced).

Links in messages (and the same links shown on pages) come from `external_url`: the configured public
address BASE_URL (TRACKER_BASE_URL), never the request's Host header, which the sender of a request
chooses. Without it (debug, testing, no mail server) they point at http://localhost:5000.

Each attempt claims its message first (a short transaction moving next_attempt_at past a lease), so
the request's delivery and a concurrent `send-mail` never send one message twice.
"""

import datetime as dt
import hashlib
import logging
import secrets
import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app, g, has_app_context

from .db import database
from .models import FeedbackInvitation, OutboxMessage, utcnow

log = logging.getLogger(__name__)
HIDDEN = "[link hidden]"
TIMEOUT = 20
MAX_ATTEMPTS = 6
FIRST_RETRY = dt.timedelta(minutes=5)
LONGEST_WAIT = dt.timedelta(hours=12)
LEASE = dt.timedelta(minutes=10)
LOCAL_BASE_URL = "http://localhost:5000"  # `flask run`'s address: links when BASE_URL is not configured


class SendingInTransaction(RuntimeError):
    """Mail was about to be sent while a database transaction is open."""


def _redacted(text, secrets_):
    for secret in secrets_:
        if secret:
            text = text.replace(secret, HIDDEN)
    return text


def _pending():
    """The messages queued in this app context (a request, a command): [(id, full body)]."""
    if not has_app_context():
        return []
    if "_outbox_pending" not in g:
        g._outbox_pending = []
    return g._outbox_pending


def queue(to_email, subject, body, redact=(), engagement_id=None, invitation_id=None):
    """Record one message in the outbox (inside the caller's transaction); returns the OutboxMessage.
    It is sent after commit by deliver_pending() or the `send-mail` command."""
    now = utcnow()
    stored = OutboxMessage.create(
        to_email=to_email,
        subject=subject[:300],
        body=_redacted(body, redact),
        status="queued",
        next_attempt_at=now,
        created_at=now,
        engagement_id=engagement_id,
        invitation_id=invitation_id,
    )
    _pending().append((stored.id, body))
    log.info("mail to %s queued: %s", to_email, subject)
    return stored


def external_url(endpoint, **values):
    """The absolute address of `endpoint` under BASE_URL (werkzeug builds it, as url_for would, but
    from configuration: a request's Host header never writes a link)."""
    base = urlsplit(current_app.config.get("BASE_URL") or LOCAL_BASE_URL)
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def backoff(attempts):
    """The wait after the `attempts`-th failed attempt: 5 min, 10, 20, ... at most 12 h."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def _config(name, default):
    return current_app.config.get(name, default)


def _smtp_send(to_email, subject, body):
    """One SMTP conversation. Never inside a transaction (checked)."""
    if database.in_transaction():
        raise SendingInTransaction("mail must be sent after the transaction commits")
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM", "tracker@localhost")
    message["To"] = to_email
    message["Subject"] = subject
    message.set_content(body)
    timeout = float(config.get("MAIL_TIMEOUT", TIMEOUT))
    with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=timeout) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)


def _claim(message_id, now):
    """Take the message for one attempt; False when it is not due (sent, given up, or being sent)."""
    with database.atomic():
        return (
            OutboxMessage.update(next_attempt_at=now + LEASE)
            .where(
                (OutboxMessage.id == message_id)
                & OutboxMessage.status.in_(("queued", "failed"))
                & OutboxMessage.next_attempt_at.is_null(False)
                & (OutboxMessage.next_attempt_at <= now)
            )
            .execute()
            == 1
        )


def _fresh_link_body(message):
    """For a retry from a later process: a new token for the message's invitation, and the body with
    the new link. None when the body cannot be rebuilt (a hidden secret and no invitation)."""
    if HIDDEN not in message.body:
        return message.body
    if not message.invitation_id:
        return None
    token = secrets.token_urlsafe(32)
    with database.atomic():
        updated = (
            FeedbackInvitation.update(token_hash=hashlib.sha256(token.encode("utf-8")).hexdigest())
            .where((FeedbackInvitation.id == message.invitation_id) & FeedbackInvitation.used_at.is_null())
            .execute()
        )
    if updated != 1:
        return None
    return message.body.replace(HIDDEN, token)


def _record(message_id, error, attempts, now, retry=True):
    """Write the outcome of one attempt (a short transaction of its own); `retry=False`: given up."""
    max_attempts = int(_config("MAIL_MAX_ATTEMPTS", MAX_ATTEMPTS))
    if error is None:
        fields = {"status": "sent", "sent_at": now, "error": "", "next_attempt_at": None}
    else:
        gave_up = attempts >= max_attempts or not retry
        fields = {
            "status": "failed",
            "error": error[:2000],
            "next_attempt_at": None if gave_up else now + backoff(attempts),
        }
    with database.atomic():
        OutboxMessage.update(attempts=attempts, last_attempt_at=now, **fields).where(
            OutboxMessage.id == message_id
        ).execute()


def _attempt(message, body, now):
    """Send one claimed message; returns None when sent, else (error text, whether the server failed:
    the next message would likely fail too). A message that cannot be written (a CR or LF in a header)
    or holds a link that cannot be sent again is given up at once: no retry would help."""
    attempts = message.attempts + 1
    if body is None:
        error = "The message holds a hidden link that cannot be sent again; send a new invitation."
        _record(message.id, error, attempts, now, retry=False)
        return error, False
    try:
        _smtp_send(message.to_email, message.subject, body)
    except ValueError as exc:  # email.message refuses the header (CR/LF); the server was never asked
        error = f"The message cannot be sent: {exc}"
        log.warning("mail to %r refused before sending: %s", message.to_email, exc)
        _record(message.id, error, attempts, utcnow(), retry=False)
        return error, False
    except (OSError, smtplib.SMTPException) as exc:
        error = _redacted(str(exc) or type(exc).__name__, [_secret_of(message.body, body)])
        log.warning("mail to %s failed (attempt %s): %s", message.to_email, attempts, error)
        _record(message.id, error, attempts, utcnow())
        return error, True
    log.info("mail to %s sent", message.to_email)
    _record(message.id, None, attempts, utcnow())
    return None


def _secret_of(stored, full):
    """The text hidden in the stored copy (to keep it out of error messages too)."""
    if HIDDEN not in stored or stored == full:
        return ""
    head, _, tail = stored.partition(HIDDEN)
    return full[len(head) : len(full) - len(tail)] if full.startswith(head) and full.endswith(tail) else ""


def deliver_pending():
    """Send what this request or command queued, after its transaction committed. Stops at the first
    failure of the server (the rest stay queued for `send-mail`); a message that cannot be written is
    given up and the next one tried. Returns (sent, failed)."""
    pending = _pending()
    if not pending or not _config("MAIL_SERVER", None):
        pending.clear()
        return 0, 0
    if database.in_transaction():
        raise SendingInTransaction("deliver_pending() runs after the transaction commits")
    items = list(pending)
    pending.clear()
    sent = failed = 0
    for message_id, body in items:
        now = utcnow()
        if not _claim(message_id, now):
            continue  # rolled back, or already taken by send-mail
        message = OutboxMessage.get_by_id(message_id)
        outcome = _attempt(message, body, now)
        if outcome is None:
            sent += 1
        else:
            failed += 1
            if outcome[1]:
                break  # the server failed: the rest were never claimed and stay due for send-mail
    return sent, failed


def deliver_due(now=None, limit=None):
    """`send-mail`: attempt every queued or failed message whose next attempt is due. Returns a dict
    of counts {"sent", "failed", "skipped"}."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    if not _config("MAIL_SERVER", None):
        return counts
    if database.in_transaction():
        raise SendingInTransaction("deliver_due() runs outside transactions")
    now = now or utcnow()
    query = (
        OutboxMessage.select(OutboxMessage.id)
        .where(
            OutboxMessage.status.in_(("queued", "failed"))
            & OutboxMessage.next_attempt_at.is_null(False)
            & (OutboxMessage.next_attempt_at <= now)
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )
    if limit:
        query = query.limit(limit)
    for (message_id,) in list(query.tuples()):
        if not _claim(message_id, now):
            counts["skipped"] += 1
            continue
        message = OutboxMessage.get_by_id(message_id)
        if _attempt(message, _fresh_link_body(message), now) is None:
            counts["sent"] += 1
        else:
            counts["failed"] += 1
    return counts


def init_app(app):
    """Send what a request queued once the request is done (its transactions have committed)."""

    @app.after_request
    def _deliver_queued_mail(response):
        if g.get("_outbox_pending") and not database.in_transaction():
            try:
                deliver_pending()
            except Exception:  # noqa: BLE001 - the write is committed; send-mail retries what is left
                log.exception("delivering queued mail after the request failed")
        return response
