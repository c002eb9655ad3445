"""`flask rebuild-search`: the search index filled again from the records (tracker/search.py); `flask
rebuild-rollups`: the report rollups computed again from the raw rows (tracker/rollups.py)."""

import click
from flask.cli import with_appcontext

from .. import rollups, search


@click.command("rebuild-search")
@with_appcontext
def rebuild_search_command():
    """Rebuild the search index from the live records (database triggers keep it in step otherwise)."""
    click.echo("Rebuilding the search index…")
    search.install()
    counts = search.rebuild(progress=lambda kind, n: click.echo(f"  {search.KIND_LABELS[kind]}: {n} indexed"))
    click.echo(f"Search index rebuilt: {sum(counts.values())} entries.")


@click.command("rebuild-rollups")
@with_appcontext
def rebuild_rollups_command():
    """Rebuild the report rollups from the raw rows (database triggers keep them in step otherwise)."""
    click.echo("Rebuilding the report rollups…")
    rollups.install()
    rows = rollups.rebuild()
    click.echo(f"Report rollups rebuilt: {rows} rows.")
