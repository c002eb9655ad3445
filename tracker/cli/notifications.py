"""`flask send-digests`: the daily digests of notifications, and on Mondays the ISPs' weekly summary."""

import logging

import click
from flask.cli import with_appcontext

from .. import mail, policy
from ..models import today
from ..services import notifications as service

log = logging.getLogger(__name__)


def _plural(count, word):
    return f"{count} {word}{'s' if count != 1 else ''}"


@click.command("send-digests")
@click.option("--weekly", is_flag=True, help="Send the ISPs' weekly summary today, even if it is not Monday.")
@with_appcontext
def send_digests_command(weekly):
    """Send each person who chose a daily digest one email with what needed them since their last one;
    on Mondays (or with --weekly) also each ISP's weekly summary: overdue next steps, engagements needing
    attention, unanswered questions. Meant to run daily from cron; safe to run again: every item and
    each week's summary is sent once."""
    failed = 0
    people = service.pending_people()
    digests = items = 0
    for person in people:
        try:
            count = service.send_digest(person)
        except Exception:  # noqa: BLE001 - one person's fault must not stop the others' digests
            log.exception("send-digests: the digest of user %s failed", person.id)
            failed += 1
            click.echo(f"{person.name}: not sent — an unexpected error (written to the log).", err=True)
            continue
        if count:
            digests += 1
            items += count
            click.echo(f"Digest to {person.name}: {_plural(count, 'item')}.")
    summaries = 0
    day = today()
    if weekly or service.is_summary_day(day):
        for person in policy.weekly_summary_readers():
            try:
                sent = service.send_weekly_summary(person, day)
            except Exception:  # noqa: BLE001 - as above
                log.exception("send-digests: the weekly summary of user %s failed", person.id)
                failed += 1
                click.echo(
                    f"{person.name}: weekly summary not sent — an unexpected error (written to the log).", err=True
                )
                continue
            if sent:
                summaries += 1
                click.echo(f"Weekly summary to {person.name}.")
    mail.deliver_pending()  # after the digests committed; send-mail retries what fails
    weekly_words = f"{summaries} weekly summar{'y' if summaries == 1 else 'ies'}"
    click.echo(f"{_plural(digests, 'digest')} sent ({_plural(items, 'item')}); {weekly_words} sent.")
    if failed:
        click.echo(f"{_plural(failed, 'person')} failed: see above.", err=True)
        raise SystemExit(1)
