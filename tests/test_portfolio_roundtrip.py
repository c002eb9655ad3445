"""Importing the portfolio workbook again (issue 20): the same workbook changes nothing, one changed cell
updates one record, and a workbook with errors writes nothing. The round trip through an empty database is
tests/test_portfolio_figures.py."""

import csv
import shutil

from tracker.models import AuditEntry, Engagement, User
from tracker.portfolio import import_portfolio

from .portfolio_helpers import edit_cell, empty_the_portfolio


def _exported(demo_csv_folder, tmp_path):
    """The demo's CSV folder as export_portfolio() writes it from `seeded_demo` (exported once per run), copied:
    the test edits its cells."""
    return shutil.copytree(demo_csv_folder, tmp_path / "portfolio")


def test_a_re_import_changes_nothing_and_one_changed_cell_updates_exactly_one_record_audited(
    app, tmp_path, seeded_demo, demo_csv_folder
):
    folder = _exported(demo_csv_folder, tmp_path)
    entries = AuditEntry.select().count()
    again = import_portfolio(folder, dry_run=False, name="portfolio")
    assert again.problems == [] and again.totals().created == again.totals().updated == 0
    assert AuditEntry.select().count() == entries  # the same workbook again: nothing written, nothing audited
    engagement = Engagement.select().order_by(Engagement.id).first()
    edit_cell(folder, "engagements", 2, "title", "Renamed in the workbook")
    entries = AuditEntry.select().count()
    report = import_portfolio(folder, dry_run=False, name="portfolio")
    totals = report.totals()
    assert report.problems == [] and (totals.created, totals.updated) == (0, 1)
    assert report.counts["engagements"].updated == 1
    assert Engagement.get_by_id(engagement.id).title == "Renamed in the workbook"
    (entry,) = AuditEntry.select().where(AuditEntry.id > 0).order_by(AuditEntry.id.desc()).limit(1)
    assert AuditEntry.select().count() == entries + 1
    assert (entry.entity, entry.entity_id, entry.action) == ("Engagement", engagement.id, "update")
    assert entry.change_map["source"] == "import of portfolio"
    assert entry.change_map["title"][1] == "Renamed in the workbook"


def test_a_workbook_with_one_error_of_each_kind_reports_every_one_and_writes_nothing(
    app, tmp_path, seeded_demo, demo_csv_folder
):
    """A dry run of a CSV folder seeded with one error of each kind: each reported as (sheet, row, column),
    nothing written; corrected, the same folder imports."""
    folder = _exported(demo_csv_folder, tmp_path)
    empty_the_portfolio()
    with open(folder / "meetings.csv", encoding="utf-8", newline="") as handle:
        last = len(list(csv.reader(handle)))  # a meeting of the last engagement (the first ones are broken)
    seeded = {  # (sheet, row, column): (the bad value, the kind of error)
        ("engagements", 2, "title"): ("", "a required cell left empty"),
        ("engagements", 3, "support_model"): ("push-pull", "a value outside the column's choices"),
        ("engagements", 4, "unit"): ("no-such-unit", "a ref to a row that does not exist"),
        ("engagements", 5, "start_date"): ("2026-02-30", "a date that does not exist"),
        ("meetings", 2, "duration_minutes"): ("sixty", "a number written in words"),
        ("meetings", 3, "competencies"): ("no_such_competency", "an unknown catalog key"),
        ("meetings", last, "date"): ("2099-01-05", "a rule of the model: a meeting in the future"),
        ("meetings", 5, "notes"): ('=HYPERLINK("x")', "a formula"),
        ("stage_entries", 2, "stage"): ("launch", "an unknown stage"),
    }
    with open(folder / "next_steps.csv", encoding="utf-8", newline="") as handle:
        first_step = list(csv.reader(handle))[1][0]
    seeded[("next_steps", 3, "external_id")] = (first_step, "an external_id used twice in a sheet")
    originals = {}
    for (sheet, row, column), (value, _kind) in seeded.items():
        with open(folder / f"{sheet}.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        originals[(sheet, row, column)] = rows[row - 1][rows[0].index(column)]
        edit_cell(folder, sheet, row, column, value)
    for dry_run in (True, False):
        report = import_portfolio(folder, dry_run=dry_run, name="portfolio")
        found = {(p.sheet, p.row, p.column) for p in report.problems}
        assert set(seeded) <= found, sorted(set(seeded) - found)
        assert not report.committed
        assert User.select().count() == 0 and Engagement.select().count() == 0  # nothing written
    for (sheet, row, column), value in originals.items():
        edit_cell(folder, sheet, row, column, value)
    report = import_portfolio(folder, dry_run=False, name="portfolio")
    assert report.problems == [] and report.committed
    assert Engagement.select().count() == report.counts["engagements"].created > 0
