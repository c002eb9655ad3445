"""`flask backup PATH` and `flask restore PATH` for the embedded SQLite database.

Backups use SQLite's online backup API, so they are consistent while the app keeps serving. Restoring
replaces the live database page by page; stop the app servers first. PostgreSQL deployments use
`pg_dump` / `pg_restore` (README, "Backups").
"""

import os
import sqlite3

import click
from flask.cli import with_appcontext

from .db import close_all, database, is_sqlite

PG_HINT = (
    'This database is PostgreSQL: back it up with `pg_dump --format=custom -f PATH "$DATABASE_URL"` '
    'and restore with `pg_restore --clean --if-exists -d "$DATABASE_URL" PATH`.'
)


def init_app(app):
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def _live_path():
    return database.obj.database


def backup_to(path):
    """Copy the live SQLite database to `path` (a new file); returns its size in bytes."""
    source = sqlite3.connect(_live_path())
    target = sqlite3.connect(path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    return os.path.getsize(path)


def check_backup(path):
    """None when `path` is a readable tracker backup, else what is wrong with it."""
    if not os.path.isfile(path):
        return f"No file at {path}."
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return f"{path} is damaged (SQLite integrity check failed)."
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return f"{path} is not a SQLite database."
    if not {"schema_version", "engagement", "user"} <= tables:
        return f"{path} is a SQLite database but not an Engagement Tracker backup."
    return None


def restore_from(path):
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    close_all()  # no pooled connection may keep reading the old pages
    target = sqlite3.connect(_live_path())
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


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
        click.confirm(f"Replace the database {_live_path()} with {path}?", abort=True)
    restore_from(path)
    click.echo(f"Restored from {path}.")
