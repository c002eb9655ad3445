"""`flask rebuild-search`: the search index filled again from the records (tracker/search.py)."""

import click
from flask.cli import with_appcontext

from .. import search


@click.command("rebuild-search")
@with_appcontext
def rebuild_search_command():
    """Rebuild the search index from the live records (database triggers keep it in step otherwise)."""
    click.echo("Rebuilding the search index…")
    search.install()
    counts = search.rebuild(progress=lambda kind, n: click.echo(f"  {search.KIND_LABELS[kind]}: {n} indexed"))
    click.echo(f"Search index rebuilt: {sum(counts.values())} entries.")
