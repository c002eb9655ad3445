"""`flask send-surveys`: the periodic feedback survey to the team of each engagement that is due."""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import mail
from ..models import ValidationError
from ..services import feedback as service

log = logging.getLogger(__name__)


def _plural(count, word):
    return f"{count} {word}{'s' if count != 1 else ''}"


@click.command("send-surveys")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; create and send nothing.")
@with_appcontext
def send_surveys_command(dry_run):
    """Send the full feedback survey to the team of each active engagement whose last survey is older
    than FEEDBACK_SURVEY_DAYS (default 91). Meant to run daily from cron: an engagement that fails is
    reported and the others are still sent (the exit status is then 1)."""
    days = current_app.config.get("FEEDBACK_SURVEY_DAYS", service.SURVEY_DAYS)
    due = service.surveys_due(days=days)
    if not due:
        click.echo(f"No survey due (every active engagement had one in the last {days} days).")
        return
    total = failed = 0
    for engagement, _last in due:
        name = f"{engagement.title} (#{engagement.id})"
        try:
            count, note = service.send_survey(engagement, dry_run=dry_run)
        except ValidationError as exc:
            failed += 1
            click.echo(f"{name}: not sent — {' '.join(exc.errors.values())}", err=True)
            continue
        except Exception:  # noqa: BLE001 - one engagement's fault must not stop the others' surveys
            log.exception("send-surveys: the survey of engagement %s failed", engagement.id)
            failed += 1
            click.echo(f"{name}: not sent — an unexpected error (written to the log); nothing was saved.", err=True)
            continue
        total += count  # an engagement with no one to ask counts 0
        click.echo(f"{name}: {_plural(count, 'invitation')} — {note}")
    mail.deliver_pending()  # after the invitations committed; send-mail retries what fails
    verb = "would be sent" if dry_run else "sent"
    click.echo(f"{_plural(len(due), 'engagement')} due; {_plural(total, 'invitation')} {verb}.")
    if failed:
        click.echo(f"{_plural(failed, 'engagement')} failed: see above.", err=True)
        raise SystemExit(1)
