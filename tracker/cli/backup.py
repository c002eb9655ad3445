"""`flask backup PATH` and `flask restore PATH` for the embedded SQLite database (tracker/backup.py)."""

import os

import click
from flask.cli import with_appcontext

from ..backup import PG_HINT, backup_to, check_backup, live_path, restore_from
from ..db import is_sqlite


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path):
    """Write a consistent copy of the SQLite database to PATH (safe while the app is running)."""
    if not is_sqlite():
        raise click.ClickException(PG_HINT)
    if os.path.exists(path):
        raise click.ClickException(f"{path} already exists: choose a new file name.")
    size = backup_to(path)
    click.echo(f"Backed up to {path} ({size / 1024:.0f} KiB).")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path, yes):
    """Replace the SQLite database with the backup at PATH (stop the app servers first)."""
    if not is_sqlite():
        raise click.ClickException(PG_HINT)
    problem = check_backup(path)
    if problem:
        raise click.ClickException(problem + " Nothing was changed.")
    if not yes:
        click.confirm(f"Replace the database {live_path()} with {path}?", abort=True)
    restore_from(path)
    click.echo(f"Restored from {path}.")
