"""`flask portfolio-template`, `flask import-portfolio`, `flask export-portfolio`: the portfolio workbook
(issue 20; docs/portfolio-format.md) from the command line. The engine (tracker/portfolio) does the work;
these commands print its progress and its report."""

import click
from flask.cli import with_appcontext

from ..portfolio import BadFile, export_portfolio, import_portfolio
from ..portfolio.template import build_template


def _progress(sheet, rows):
    click.echo(f"  {sheet}: {rows:,} rows")


@click.command("portfolio-template")
@click.argument("out", type=click.Path(dir_okay=False))
@with_appcontext
def portfolio_template_command(out):
    """Write the empty portfolio workbook (instructions, one sheet per kind of record, dropdowns) to OUT."""
    if not out.endswith(".xlsx"):
        raise click.ClickException("OUT must end in .xlsx.")
    build_template(out)
    click.echo(f"Wrote the portfolio template to {out}.")


@click.command("import-portfolio")
@click.argument("path", type=click.Path(exists=True))
@click.option("--dry-run", is_flag=True, help="Report what the import would do, and write nothing.")
@with_appcontext
def import_portfolio_command(path, dry_run):
    """Import the portfolio workbook (.xlsx) or CSV folder at PATH, all or nothing."""
    click.echo(f"{'Checking' if dry_run else 'Importing'} {path}:")
    try:
        report = import_portfolio(path, dry_run=dry_run, name=click.format_filename(path, shorten=True),
                                  progress=_progress)  # fmt: skip
    except BadFile as exc:
        raise click.ClickException(f"{exc} Nothing was written.") from None
    for sheet, counts in report.counts.items():
        click.echo(f"{sheet}: {counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged")
    for problem in report.problems:
        click.echo(f"{problem.sheet}, row {problem.row}, {problem.column}: {problem.message}", err=True)
    if report.problems:
        more = " (the first ones: the import stopped reading)" if report.truncated else ""
        raise click.ClickException(f"{len(report.problems)} problems{more}. Nothing was written.")
    click.echo("Dry run: nothing was written." if dry_run else "Imported.")


@click.command("export-portfolio")
@click.argument("out", type=click.Path())
@with_appcontext
def export_portfolio_command(out):
    """Export the whole portfolio to OUT: a workbook if it ends in .xlsx, else a folder of CSV files."""
    click.echo(f"Exporting to {out}:")
    written = export_portfolio(out, progress=_progress)
    click.echo(f"Wrote {sum(written.values()):,} rows on {len(written)} sheets to {out}.")
