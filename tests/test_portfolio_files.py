"""Bad portfolio files (issue 20): each kind answers one clear message and writes nothing (no record, no
file kept): a wrong type, a missing sheet, a renamed column, a formula, a CSV that is not UTF-8, an upload
over 50 MB. And docs/portfolio-format.md is the text generated from the registry of sheets."""

import io
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from tracker.models import AuditEntry, Organization
from tracker.portfolio import export_portfolio
from tracker.portfolio.template import build_template, format_markdown
from tracker.services.portfolio import MAX_BYTES

from .conftest import csrf_token, field_error
from .portfolio_fill import fill
from .test_portfolio_page import admin_client, upload, uploads

DOC = Path(__file__).resolve().parent.parent / "docs" / "portfolio-format.md"


def test_the_format_document_is_generated_from_the_registry():
    assert DOC.read_text(encoding="utf-8") == format_markdown(), (
        "docs/portfolio-format.md is out of date: python -m tracker.portfolio.template > docs/portfolio-format.md"
    )


def workbook(tmp_path, change=None):
    template = tmp_path / "template.xlsx"
    build_template(template)
    return fill(template, tmp_path / "north.xlsx", change=change).read_bytes()


def not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")  # a Word file named .xlsx
    return buffer.getvalue()


def rename_title(book):
    book["engagements"]["C1"].value = "name"


def test_each_bad_file_answers_one_message_beside_the_field_and_nothing_is_stored(app, tmp_path):
    client = admin_client(app, tmp_path)
    entries = AuditEntry.select().count()
    cases = [
        (b"%PDF-1.4 a report", "north.xlsx", "This file is not an Excel workbook (.xlsx)."),
        (not_a_workbook(), "north.xlsx", "This file is not an Excel workbook (.xlsx) that can be read."),
        (b"external_id,name\n", "organizations.csv", "Upload the portfolio as an Excel workbook (.xlsx)."),
        (workbook(tmp_path, lambda b: b.remove(b["units"])), "north.xlsx", "The workbook has no sheet named “units”."),
        (
            workbook(tmp_path, rename_title),
            "north.xlsx",
            "Sheet “engagements”: column 3 should be “title”, not “name”.",
        ),
    ]
    for data, name, message in cases:
        response = upload(client, data, name)
        assert response.status_code == 400, message
        error = field_error(response.get_data(as_text=True), "file")
        assert error is not None and error.startswith(message), (message, error)
        assert uploads(app) == [] and Organization.select().count() == 0, message
    assert AuditEntry.select().count() == entries


def test_a_formula_is_a_problem_of_its_cell_and_nothing_is_written(app, tmp_path):
    client = admin_client(app, tmp_path)

    def formula(book):
        book["organizations"]["C2"].value = "=A1"  # the kind, computed

    page = upload(client, workbook(tmp_path, formula), "north.xlsx").get_data(as_text=True)
    assert (
        "<td>organizations</td><td>2</td><td>kind</td><td>This cell holds a formula: paste its value instead "
        "(Paste special &gt; Values).</td>"
    ) in page
    assert uploads(app) == [] and Organization.select().count() == 0


def test_a_csv_that_is_not_utf8_is_refused_with_one_message(runner, tmp_path):
    folder = tmp_path / "csv"
    export_portfolio(folder)
    (folder / "organizations.csv").write_bytes(
        "external_id,name,kind,hourly_rate\no1,Société,recipient,\n".encode("latin-1")
    )
    result = runner.invoke(args=["import-portfolio", str(folder)])
    assert result.exit_code == 1
    assert "organizations.csv is not UTF-8 text: save it as “CSV UTF-8”. Nothing was written." in result.output
    assert Organization.select().count() == 0


def test_an_upload_over_50_mb_is_refused_on_the_page_and_nothing_is_stored(app, tmp_path):
    client = admin_client(app, tmp_path)
    token = csrf_token(client, "/admin/portfolio/")
    big = b"PK\x03\x04" + b"\0" * (MAX_BYTES - 4)  # 50 MB
    response = client.post(
        "/admin/portfolio/preview",
        data={"csrf_token": token, "file": (io.BytesIO(big), "north.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    error = field_error(response.get_data(as_text=True), "file")
    assert error == (
        "This file is larger than 50 MB: split the portfolio, or import it with flask import-portfolio. "
        "Nothing was stored."
    )
    assert uploads(app) == [] and Organization.select().count() == 0
    # other requests keep their 1 MB limit
    small = client.post("/admin/portfolio/import", data={"csrf_token": token, "x": "y" * (1024 * 1024)})
    assert small.status_code == 413


def test_a_template_imports_with_its_extra_sheets_ignored(app, tmp_path):
    data = workbook(tmp_path)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "Instructions" and book.sheetnames[-1] == "lists"
    client = admin_client(app, tmp_path)
    page = upload(client, data, "north.xlsx").get_data(as_text=True)
    assert "Preview of north.xlsx" in page
