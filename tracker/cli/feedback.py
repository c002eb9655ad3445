"""`flask send-surveys`: the periodic feedback survey to the team of each engagement that is due."""

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import mail
from ..services import feedback as service


@click.command("send-surveys")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; create and send nothing.")
@with_appcontext
def send_surveys_command(dry_run):
    """Send the full feedback survey to the team of each active engagement whose last survey is older
    than FEEDBACK_SURVEY_DAYS (default 91). Meant to run daily from cron."""
    days = current_app.config.get("FEEDBACK_SURVEY_DAYS", service.SURVEY_DAYS)
    results = service.send_due_surveys(dry_run=dry_run, days=days)
    mail.deliver_pending()  # after the invitations committed; send-mail retries what fails
    if not results:
        click.echo(f"No survey due (every active engagement had one in the last {days} days).")
        return
    total = 0
    for engagement, count, note in results:
        total += count  # an engagement with no one to ask counts 0
        click.echo(f"{engagement.title} (#{engagement.id}): {count} invitation{'s' if count != 1 else ''} — {note}")
    verb = "would be sent" if dry_run else "sent"
    click.echo(
        f"{len(results)} engagement{'s' if len(results) != 1 else ''} due; {total} invitation"
        f"{'s' if total != 1 else ''} {verb}."
    )
