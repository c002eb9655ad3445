"""Import and export of the portfolio workbook (issue 20): one engine for the page, the CLI and the tests.

- `export_portfolio(target)`: every sheet of format.SHEETS, as an .xlsx workbook (openpyxl, write-only:
  rows streamed) or a folder of CSV files (one `<sheet>.csv` each, UTF-8).
- `import_portfolio(source, dry_run=...)`: reads an .xlsx (openpyxl read-only: rows streamed) or a CSV
  folder; checks its shape first (every sheet, every column: a missing sheet or a renamed column is refused
  before anything is read); then applies each row in sheet order inside ONE transaction, through the
  models' validation and the services' rules (the same as the pages and the API). A row whose values equal
  its record's is left alone; a changed row updates its record, audited with the import's name as source.
  Every problem is kept as (sheet, row, column, message); with any problem, or for a dry run, the
  transaction is rolled back: all or nothing, and a dry run reports exactly what the import would do.
"""

import csv
import io
import os
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from peewee import fn

from ..db import database
from ..models import ExternalRef, ValidationError, acting_as, changes_from
from .format import AFTER_IMPORT, SHEETS, CellProblem, one_run

MAX_PROBLEMS = 500  # past this many, the import stops reading: the file needs fixing first
XLSX_SIGNATURE = b"PK\x03\x04"


class BadFile(ValueError):
    """A file the import cannot read at all (wrong type, missing sheet, renamed column, bad encoding): one
    clear message, nothing written."""


@dataclass
class Problem:
    sheet: str
    row: int  # the row number as the spreadsheet shows it (the header is row 1)
    column: str
    message: str


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows a sheet could not bring in from this kind of file (attachments from an .xlsx)


@dataclass
class ImportReport:
    dry_run: bool
    counts: dict = field(default_factory=dict)  # sheet name -> SheetCounts
    problems: list = field(default_factory=list)
    truncated: bool = False  # MAX_PROBLEMS reached: the rest was not read
    notes: list = field(default_factory=list)  # what the import left out, in words (files of an .xlsx)

    @property
    def ok(self):
        return not self.problems

    @property
    def committed(self):
        return self.ok and not self.dry_run

    def totals(self):
        out = SheetCounts()
        for c in self.counts.values():
            out.created, out.updated, out.unchanged = (
                out.created + c.created,
                out.updated + c.updated,
                out.unchanged + c.unchanged,
            )
        return out


class Ids:
    """The external ids of one import or export: sheet -> {external_id: record id} and back, loaded once per
    sheet. A record with no ExternalRef is known by its own id ("12"), so importing an export of this same
    database finds its records."""

    def __init__(self, folder=None):
        self._by_external, self._by_record = {}, {}
        self._before = {}  # sheet -> the highest record id before the import wrote anything (see `find`)
        self.folder = folder  # the CSV folder imported or exported (its files/ travel with it); None: an .xlsx

    def note_existing(self):
        """Remember each sheet's highest id before an import: a record the import itself made (a request's
        "submitted" event, written by its save) is never taken for a row known by its own id."""
        for sheet in SHEETS:
            self._before[sheet.name] = sheet.model.select(fn.MAX(sheet.model.id)).scalar() or 0

    def _load(self, sheet):
        if sheet not in self._by_external:
            rows = list(ExternalRef.select().where(ExternalRef.sheet == sheet).tuples())
            self._by_external[sheet] = {external: record for _, _, external, record in rows}
            self._by_record[sheet] = {record: external for _, _, external, record in rows}
        return self._by_external[sheet], self._by_record[sheet]

    def external(self, sheet, record_id):
        return self._load(sheet)[1].get(record_id, str(record_id))

    def find(self, sheet, external_id):
        """The id of the record `external_id` names in `sheet`, or None."""
        by_external, by_record = self._load(sheet)
        if external_id in by_external:
            return by_external[external_id]
        if external_id.isascii() and external_id.isdigit() and len(external_id) < 12:
            own = int(external_id)
            model = _model_of(sheet)
            existed = own <= self._before.get(sheet, own)
            if existed and own not in by_record and model.select(model.id).where(model.id == own).exists():
                return own
        return None

    def record_id(self, sheet, external_id, header=None):
        """The id for a ref cell, or ValidationError placed on `header`."""
        found = self.find(sheet, external_id)
        if found is None:
            raise ValidationError(
                {header or sheet: f"No row of the {sheet} sheet has the external_id “{external_id}”."}
            )
        return found

    def remember(self, sheet, external_id, record_id):
        by_external, by_record = self._load(sheet)
        if by_record.get(record_id) == external_id:
            return
        if external_id != str(record_id) or record_id in by_record:  # else known by its own id already
            ExternalRef.insert(sheet=sheet, external_id=external_id, record_id=record_id).execute()
        by_external[external_id], by_record[record_id] = record_id, external_id


def _model_of(sheet_name):
    return next(s.model for s in SHEETS if s.name == sheet_name)


# --- reading a workbook or a CSV folder ------------------------------------------------------------


class _Workbook:
    def __init__(self, source):
        try:
            self.book = load_workbook(source, read_only=True, data_only=False)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as exc:
            raise BadFile(
                "This file is not an Excel workbook (.xlsx) that can be read. Save it as .xlsx, or upload a "
                "folder of CSV files."
            ) from exc

    def names(self):
        return self.book.sheetnames

    def rows(self, name):
        for number, row in enumerate(self.book[name].iter_rows(values_only=True), start=1):
            yield number, list(row)

    def close(self):
        self.book.close()


class _CsvFolder:
    def __init__(self, path):
        self.path = path

    def names(self):
        return [f[:-4] for f in sorted(os.listdir(self.path)) if f.endswith(".csv")]

    def rows(self, name):
        try:
            with open(os.path.join(self.path, name + ".csv"), encoding="utf-8-sig", newline="") as f:
                yield from enumerate(csv.reader(f), start=1)
        except UnicodeDecodeError as exc:
            raise BadFile(f"{name}.csv is not UTF-8 text: save it as “CSV UTF-8”.") from exc

    def close(self):
        pass


def open_source(source):
    """A reader of `source`: a folder of CSV files, an .xlsx path, or an uploaded stream (BadFile if none)."""
    if isinstance(source, (str, os.PathLike)) and os.path.isdir(source):
        return _CsvFolder(source)
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            head = f.read(4)
    else:
        head = source.read(4)
        source.seek(0)
    if head != XLSX_SIGNATURE:
        raise BadFile("This file is not an Excel workbook (.xlsx). Save it as .xlsx, or upload a folder of CSV files.")
    return _Workbook(source)


def _check_shape(reader):
    """Refuse a workbook missing a sheet or with a column renamed, moved or missing (BadFile), before
    anything is read."""
    names = set(reader.names())
    missing = [s.name for s in SHEETS if s.name not in names]
    if missing:
        raise BadFile(f"The workbook has no sheet named “{missing[0]}”. Start from the template: it has every sheet.")
    for sheet in SHEETS:
        header = next(iter(reader.rows(sheet.name)), (1, []))[1]
        header = [str(h).strip() if h is not None else "" for h in header]
        while header and header[-1] == "":
            header.pop()
        if tuple(header) != sheet.headers:
            for position, expected in enumerate(sheet.headers):
                found = header[position] if position < len(header) else ""
                if found != expected:
                    raise BadFile(
                        f"Sheet “{sheet.name}”: column {position + 1} should be “{expected}”"
                        + (f", not “{found}”" if found else " and is missing")
                        + ". Keep the template's header row as it is."
                    )
            raise BadFile(f"Sheet “{sheet.name}”: remove the columns after “{sheet.headers[-1]}”.")


# --- import -----------------------------------------------------------------------------------------


def import_portfolio(source, dry_run=True, actor=None, name="portfolio", progress=None):
    """Import the workbook or CSV folder `source`: an ImportReport. BadFile for a file that cannot be read.
    `progress(sheet_name, rows_read)` is called after each sheet and every 1,000 rows."""
    reader = open_source(source)
    try:
        _check_shape(reader)
        report = ImportReport(dry_run=dry_run)
        with one_run(), database.atomic() as transaction, acting_as(actor), changes_from(f"import of {name}"):
            _import_rows(reader, report, progress)
            if not report.committed:
                transaction.rollback()
        return report
    finally:
        reader.close()


def _import_rows(reader, report, progress):
    ids = Ids(folder=getattr(reader, "path", None))
    ids.note_existing()
    for sheet in SHEETS:
        counts = report.counts[sheet.name] = SheetCounts()
        seen = set()
        read = 0
        for number, cells in reader.rows(sheet.name):
            if number == 1 or not any(_filled(c) for c in cells):
                continue
            read += 1
            if progress and read % 1000 == 0:
                progress(sheet.name, read)
            _import_row(sheet, number, cells, ids, seen, counts, report)
            if len(report.problems) >= MAX_PROBLEMS:
                report.truncated = True
                return
        if counts.skipped and sheet.skip_note:
            report.notes.append(sheet.skip_note.format(count=counts.skipped))
        if progress:
            progress(sheet.name, read)
    if not report.problems:
        for function in AFTER_IMPORT:
            function()


def _filled(cell):
    return cell is not None and (not isinstance(cell, str) or cell.strip() != "")


def _import_row(sheet, number, cells, ids, seen, counts, report):
    values, problems = {}, []
    for position, column in enumerate(sheet.columns):
        try:
            values[column.header] = column.parse(cells[position] if position < len(cells) else None)
        except CellProblem as exc:
            problems.append(Problem(sheet.name, number, column.header, str(exc)))
    external_id = values.get("external_id")
    if external_id and external_id in seen:
        problems.append(Problem(sheet.name, number, "external_id", f"Another row of this sheet has “{external_id}”."))
    if problems:
        report.problems.extend(problems)
        return
    seen.add(external_id)
    found = ids.find(sheet.name, external_id)
    record = sheet.model.get_by_id(found) if found is not None else None
    current = sheet.values_of(record, ids) if record is not None else None
    for column in sheet.columns:
        if column.kept_when_empty and current is not None and values[column.header] in ("", None, []):
            values[column.header] = current[column.header]
    if current == values:
        counts.unchanged += 1
        return
    try:
        with database.atomic():  # a savepoint: a refused row leaves nothing behind
            saved = sheet.write(record if record is not None else sheet.model(), values, ids)
            if saved is not None:
                ids.remember(sheet.name, external_id, saved.id)
    except ValidationError as exc:
        for name, message in (exc.errors or {"external_id": str(exc)}).items():
            report.problems.append(Problem(sheet.name, number, sheet.column(name).header, str(message)))
        return
    if saved is None:  # the sheet's apply left the row out (said in the report's notes)
        counts.skipped += 1
        return
    if record is None:
        counts.created += 1
    else:
        counts.updated += 1


# --- export -----------------------------------------------------------------------------------------


def rows_of(sheet, ids):
    """(header, then one list of values per record) of `sheet`, streamed."""
    yield list(sheet.headers)
    for record in sheet.records().iterator():
        values = sheet.values_of(record, ids)
        yield [values[c.header] for c in sheet.columns]


def export_portfolio(target, progress=None):
    """Write the whole portfolio to `target`: a path ending in .xlsx (or a binary stream) for a workbook,
    else a folder of CSV files. Returns {sheet name: rows written}."""
    with one_run():
        return _export(target, progress)


def _export(target, progress):
    ids, written = Ids(), {}
    if isinstance(target, (str, os.PathLike)) and not str(target).endswith(".xlsx"):
        os.makedirs(target, exist_ok=True)
        ids.folder = str(target)
        for sheet in SHEETS:
            with open(os.path.join(target, sheet.name + ".csv"), "w", encoding="utf-8", newline="") as f:
                out = csv.writer(f)
                written[sheet.name] = _write_rows(sheet, ids, out.writerow, csv_cells=True)
            if sheet.export_files is not None:
                sheet.export_files(str(target), ids)
            if progress:
                progress(sheet.name, written[sheet.name])
        return written
    book = Workbook(write_only=True)
    for sheet in SHEETS:
        page = book.create_sheet(sheet.name)
        written[sheet.name] = _write_rows(sheet, ids, page.append)
        if progress:
            progress(sheet.name, written[sheet.name])
    book.save(target)
    return written


def _write_rows(sheet, ids, append, csv_cells=False):
    count = -1
    for count, row in enumerate(rows_of(sheet, ids)):
        if count == 0:
            append(row)
            continue
        cells = [c.csv_text(v) if csv_cells else c.cell(v) for c, v in zip(sheet.columns, row, strict=True)]
        append(cells)
    return count


def read_back(source):
    """{sheet name: [rows as lists of cell values]} of a workbook or CSV folder: what the round-trip tests
    compare cell for cell."""
    reader = open_source(source)
    try:
        return {name: [list(cells) for _, cells in reader.rows(name)] for name in reader.names()}
    finally:
        reader.close()


def workbook_bytes():
    """The whole portfolio as .xlsx bytes (the admins' download)."""
    buffer = io.BytesIO()
    export_portfolio(buffer)
    return buffer.getvalue()
