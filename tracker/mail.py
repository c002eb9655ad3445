"""Outgoing mail, kept minimal: every message is recorded in the outbox table and logged; it is sent
with smtplib only when MAIL_SERVER is configured (so tests and development never touch the network).

Secrets in a message (the token of a feedback link) are given as `redact`: they go out in the email
but are replaced by "[link hidden]" in the stored copy and the log line, so the database keeps only
the token's hash.
"""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from .models import OutboxMessage, utcnow

log = logging.getLogger(__name__)
HIDDEN = "[link hidden]"


def _redacted(text, secrets_):
    for secret in secrets_:
        if secret:
            text = text.replace(secret, HIDDEN)
    return text


def send(to_email, subject, body, redact=()):
    """Record (and, with MAIL_SERVER set, send) one message; returns the OutboxMessage."""
    stored = OutboxMessage.create(to_email=to_email, subject=subject[:300], body=_redacted(body, redact))
    log.info("mail to %s: %s", to_email, subject)
    config = current_app.config
    server = config.get("MAIL_SERVER")
    if not server:
        return stored
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM", "tracker@localhost")
    message["To"] = to_email
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(server, int(config.get("MAIL_PORT", 25)), timeout=20) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(message)
        stored.sent_at = utcnow()
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail to %s failed: %s", to_email, exc)
        stored.error = _redacted(str(exc), redact)[:2000]
    stored.save()
    return stored
