"""The portfolio commands (issue 20): portfolio-template writes the template (instructions first, bold frozen
headers with comments, dropdowns); import-portfolio prints its progress and its report and exits 1 with any
problem, nothing written; export-portfolio writes a workbook or a CSV folder, sheet by sheet."""

import csv

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tracker.models import Engagement, EngagementISP, Organization, User
from tracker.portfolio import SHEETS, sheet_named

from .portfolio_fill import ENGAGEMENT_TITLE, fill


def write_template(runner, tmp_path):
    path = tmp_path / "template.xlsx"
    result = runner.invoke(args=["portfolio-template", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Wrote the portfolio template to {path}." in result.output
    return path


def test_the_template_has_instructions_first_then_every_sheet_with_comments_and_dropdowns(runner, tmp_path):
    book = load_workbook(write_template(runner, tmp_path))
    assert book.sheetnames == ["Instructions", *[s.name for s in SHEETS], "lists"]
    assert book["lists"].sheet_state == "hidden"
    guide = "\n".join(str(c.value) for row in book["Instructions"].iter_rows() for c in row if c.value)
    for words in ("external_id", "YYYY-MM-DD", "“a; b”", "No passwords", *[s.name for s in SHEETS]):
        assert words in guide, words
    engagements, sheet = book["engagements"], sheet_named("engagements")
    assert [c.value for c in engagements[1]] == list(sheet.headers)
    assert engagements.freeze_panes == "A2"
    assert all(c.font.bold for c in engagements[1])
    co_leads = engagements.cell(row=1, column=sheet.headers.index("co_leads") + 1)
    assert "Two ISPs" in co_leads.comment.text and "Required." in co_leads.comment.text
    dropdowns = {str(v.sqref).split(":")[0][:-1]: v for v in engagements.data_validations.dataValidation}
    status = dropdowns[_letter(sheet, "status")]
    assert status.type == "list" and status.formula1.startswith("lists!$")
    column = status.formula1.split("!$")[1].split("$")[0]
    keys = [c.value for c in book["lists"][column][1:] if c.value]
    assert keys == ["proposed", "active", "paused", "closed"]
    assert book["lists"][f"{column}1"].value == "engagements.status"
    users = book["users"]
    active = {str(v.sqref).split(":")[0][:-1]: v for v in users.data_validations.dataValidation}
    assert active[_letter(sheet_named("users"), "is_active")].formula1 == '"TRUE,FALSE"'


def _letter(sheet, header):
    return get_column_letter(sheet.headers.index(header) + 1)


def test_import_dry_run_reports_and_writes_nothing_then_the_import_writes(runner, tmp_path):
    path = fill(write_template(runner, tmp_path), tmp_path / "north.xlsx")
    result = runner.invoke(args=["import-portfolio", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "  organizations: 2 rows" in result.output  # progress, sheet by sheet
    assert "engagements: 1 created, 0 updated, 0 unchanged" in result.output
    assert "Dry run: nothing was written." in result.output
    assert Engagement.select().count() == 0 and Organization.select().count() == 0

    result = runner.invoke(args=["import-portfolio", str(path)])
    assert result.exit_code == 0, result.output
    assert "users: 2 created, 0 updated, 0 unchanged" in result.output and "Imported." in result.output
    engagement = Engagement.get(Engagement.title == ENGAGEMENT_TITLE)
    leads = EngagementISP.select().where((EngagementISP.engagement == engagement) & (EngagementISP.role == "co_lead"))
    assert sorted(link.user.email for link in leads) == ["ana@north.example", "bo@north.example"]

    again = runner.invoke(args=["import-portfolio", str(path)])
    assert again.exit_code == 0 and "engagements: 0 created, 0 updated, 1 unchanged" in again.output


def test_an_import_with_problems_lists_each_and_exits_1_with_nothing_written(runner, tmp_path):
    def seed_errors(book):
        book["engagements"]["A2"].offset(column=sheet_named("engagements").headers.index("status")).value = "running"
        book["users"]["A3"].offset(column=sheet_named("users").headers.index("role")).value = "wizard"

    path = fill(write_template(runner, tmp_path), tmp_path / "bad.xlsx", change=seed_errors)
    result = runner.invoke(args=["import-portfolio", str(path)])
    assert result.exit_code == 1
    assert "users, row 3, role: Choose one of: admin, isp, recipient, leader." in result.output
    assert "engagements, row 2, status: Choose one of: proposed, active, paused, closed." in result.output
    assert "Error: 2 problems. Nothing was written." in result.output
    assert User.select().count() == 0 and Organization.select().count() == 0


def test_a_file_that_is_not_a_workbook_exits_1_with_one_message(runner, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_bytes(b"%PDF-1.4 not a workbook")
    result = runner.invoke(args=["import-portfolio", str(path)])
    assert result.exit_code == 1
    assert "This file is not an Excel workbook (.xlsx)." in result.output and "Nothing was written." in result.output
    renamed = tmp_path / "portfolio.dat"  # a workbook under another name: openpyxl reads only .xlsx names
    runner.invoke(args=["portfolio-template", str(tmp_path / "t.xlsx")])
    renamed.write_bytes((tmp_path / "t.xlsx").read_bytes())
    result = runner.invoke(args=["import-portfolio", str(renamed)])
    assert result.exit_code == 1 and "that can be read" in result.output


def test_progress_every_thousand_rows_of_a_csv_folder(runner, tmp_path):
    folder = tmp_path / "csv"
    runner.invoke(args=["export-portfolio", str(folder)])
    with open(folder / "organizations.csv", "a", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        for n in range(1001):
            out.writerow([f"o{n}", f"Organization {n}", "recipient", ""])
    result = runner.invoke(args=["import-portfolio", str(folder), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "  organizations: 1,000 rows\n  organizations: 1,001 rows\n" in result.output
    assert "organizations: 1001 created" in result.output
    assert Organization.select().count() == 0


def test_export_writes_a_workbook_or_a_csv_folder_sheet_by_sheet(runner, tmp_path):
    template = write_template(runner, tmp_path)
    runner.invoke(args=["import-portfolio", str(fill(template, tmp_path / "north.xlsx"))])
    out = tmp_path / "out.xlsx"
    result = runner.invoke(args=["export-portfolio", str(out)])
    assert result.exit_code == 0, result.output
    assert "  engagements: 1 rows" in result.output
    assert f"on {len(SHEETS)} sheets to {out}." in result.output
    assert load_workbook(out, read_only=True).sheetnames == [s.name for s in SHEETS]
    folder = tmp_path / "out"
    assert runner.invoke(args=["export-portfolio", str(folder)]).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{s.name}.csv" for s in SHEETS)
