"""`flask send-mail`: send the outbox's due messages (cron), with retries and backoff."""

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import mail


@click.command("send-mail")
@click.option("--limit", type=int, default=None, help="Attempt at most this many messages.")
@with_appcontext
def send_mail_command(limit):
    """Send the queued and failed emails whose next attempt is due (retries with backoff). Meant to run
    every few minutes from cron; needs MAIL_SERVER."""

    if not current_app.config.get("MAIL_SERVER"):
        click.echo("MAIL_SERVER is not set: nothing was sent (messages stay queued in the outbox).")
        return
    counts = mail.deliver_due(limit=limit)
    click.echo(f"{counts['sent']} sent, {counts['failed']} failed (will retry unless out of attempts).")
