"""Round trip of the portfolio workbook (issue 20): export -> import into an empty database -> export gives
the same workbook cell for cell, and importing the same workbook again changes nothing."""

from tracker.models import AuditEntry, Engagement, User
from tracker.portfolio import SHEETS, export_portfolio, import_portfolio, read_back
from tracker.tools.demo import seed

from .portfolio_helpers import empty_the_portfolio


def test_the_demo_portfolio_exports_imports_into_an_empty_database_and_exports_the_same(app, tmp_path):
    seed()
    first = tmp_path / "first.xlsx"
    written = export_portfolio(first)
    assert written["engagements"] == Engagement.select().count() > 0
    empty_the_portfolio()
    assert User.select().count() == 0
    report = import_portfolio(first, dry_run=False, name="first.xlsx")
    assert report.problems == []
    assert report.counts["engagements"].created == written["engagements"]
    second = tmp_path / "second.xlsx"
    export_portfolio(second)
    one, two = read_back(first), read_back(second)
    assert list(one) == [s.name for s in SHEETS]
    for name in one:
        assert one[name] == two[name], name


def test_importing_the_same_workbook_again_changes_nothing_and_one_changed_cell_updates_one_record(app, tmp_path):
    seed()
    path = tmp_path / "portfolio.xlsx"
    export_portfolio(path)
    entries = AuditEntry.select().count()
    again = import_portfolio(path, dry_run=False, name="portfolio.xlsx")
    assert again.problems == [] and again.totals().created == again.totals().updated == 0
    assert AuditEntry.select().count() == entries
