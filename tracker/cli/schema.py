"""`flask init-db` and `flask migrate`: the schema and the default catalogs (tracker/schema.py)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from ..schema import current_version, init_db, migrate


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database schema (latest version) and load the default catalogs."""
    applied, loaded = init_db()
    url = current_app.config["DATABASE_URL"]
    if applied:
        click.echo(f"Database ready at schema version {applied[-1]} ({url}).")
    else:
        click.echo(f"Database already at schema version {current_version()} ({url}).")
    if loaded:
        click.echo("Loaded default catalogs: " + ", ".join(f"{n} {what}" for what, n in loaded.items()) + ".")


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Apply the numbered migrations that this database has not had yet."""
    applied = migrate()
    if applied:
        click.echo("Applied migrations: " + ", ".join(f"{n:04d}" for n in applied) + ".")
    else:
        click.echo(f"Nothing to migrate: schema version {current_version()} is the latest.")
