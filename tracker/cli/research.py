"""`flask export-research OUT_DIR`: the research export (tracker/research.py) written to a folder."""

import os

import click
from flask.cli import with_appcontext

from ..models import Organization
from ..research import collect, write


@click.command("export-research")
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Only what happened on or after.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Only what happened on or before.")
@click.option("--organization", help="Only engagements of this organization (recipient or intermediary).")
@click.option("--include-notes", is_flag=True, help="Include meeting notes (free text may name people).")
@with_appcontext
def export_research_command(out_dir, date_from, date_to, organization, include_notes):
    """Write tidy CSV files, a codebook and a REDCap data dictionary to OUT_DIR."""
    organization_id = None
    if organization:
        found = Organization.get_or_none(Organization.name == organization)
        if found is None:
            raise click.ClickException(f"Unknown organization “{organization}”.")
        organization_id = found.id
    if date_from and date_to and date_to < date_from:
        raise click.ClickException("--to is before --from.")
    if os.path.isdir(out_dir) and os.listdir(out_dir):
        raise click.ClickException(f"{out_dir} is not empty: choose a new folder.")
    data = collect(
        date_from.date() if date_from else None, date_to.date() if date_to else None, organization_id, include_notes
    )
    counts = write(out_dir, data)
    click.echo(
        f"Wrote {len(counts)} files, codebook.csv and data_dictionary.csv to {out_dir}: "
        + ", ".join(f"{name} {n}" for name, n in counts.items())
        + "."
    )
