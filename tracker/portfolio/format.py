"""The portfolio workbook's format (issue 20; docs/portfolio-format.md): its sheets, their columns, and how a
cell becomes a value and back.

A `Sheet` is one kind of record (organizations, engagements, meetings...): its columns, the records an export
writes (in id order), and how an imported row is applied to a record. Its first column is always
`external_id`: the id the user chose for the row (or, in an export, the tracker's own id), which other rows
use to refer to it. A `Column` has a kind that says how its cells are read and written:

    text      a string ("" when empty)               int, float   a number (None when empty)
    bool      TRUE / FALSE (empty: FALSE)            date         a date (an Excel date, or YYYY-MM-DD)
    datetime  a date and time (UTC)                  choice       one of the column's keys
    ref       the external_id of a row of `ref`      refs         several external_ids, separated by "; "
    keys      several of the column's keys, "; "

Sheets are registered with `register()` in the order they import (a row may refer only to sheets before
its own); the modules that define them are imported by tracker/portfolio/__init__.py.
"""

import datetime as dt
import functools
import math
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from ..models import MAX_EXTERNAL_ID, keys

SEPARATOR = "; "
KINDS = ("text", "int", "float", "bool", "date", "datetime", "choice", "ref", "refs", "keys")
LISTS = ("refs", "keys")


class CellProblem(ValueError):
    """A cell that cannot be read as its column's kind (the message says what to write instead)."""


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"
    required: bool = False
    field: str = None  # the model field it reads and writes; None: the sheet's own read/apply handle it
    choices: object = None  # ((key, label), ...), or a function returning them (catalog keys, read when used)
    ref: str = None  # ref/refs: the name of the sheet whose external_id the cell holds
    help: str = ""  # the header's comment in the template, and its line in docs/portfolio-format.md
    max_length: int = None
    kept_when_empty: bool = False  # an empty cell keeps the record's value (a readable id the tracker gave)

    def allowed(self):
        """The keys a choice/keys column accepts, or None."""
        if self.choices is None:
            return None
        choices = self.choices() if callable(self.choices) else self.choices
        return keys(choices)

    # -- reading a cell (import) ------------------------------------------------------------------
    def parse(self, cell):
        """The typed value of `cell` (what openpyxl or the csv module gave), or CellProblem."""
        if isinstance(cell, str) and cell.startswith("="):
            raise CellProblem("This cell holds a formula: paste its value instead (Paste special > Values).")
        text = _text(cell)
        if text == "":
            if self.required:
                raise CellProblem("This column cannot be empty.")
            return (
                [] if self.kind in LISTS else (False if self.kind == "bool" else ("" if self.kind == "text" else None))
            )
        parse = getattr(self, "_parse_" + self.kind)
        return parse(cell, text)

    def _parse_text(self, cell, text):
        if self.max_length and len(text) > self.max_length:
            raise CellProblem(f"At most {self.max_length} characters.")
        return text

    def _parse_int(self, cell, text):
        if isinstance(cell, float) and cell.is_integer():
            return int(cell)
        if isinstance(cell, int) and not isinstance(cell, bool):
            return cell
        if text.lstrip("-").isascii() and text.lstrip("-").isdigit() and len(text) <= 12:
            return int(text)
        raise CellProblem("Write a whole number, such as 60.")

    def _parse_float(self, cell, text):
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            value = float(cell)
        else:
            try:
                value = float(text)
            except ValueError:
                raise CellProblem("Write a number, such as 72.5.") from None
        if not math.isfinite(value):
            raise CellProblem("Write a number, such as 72.5.")
        return value

    def _parse_bool(self, cell, text):
        if isinstance(cell, bool):
            return cell
        if text.upper() in ("TRUE", "YES", "1"):
            return True
        if text.upper() in ("FALSE", "NO", "0"):
            return False
        raise CellProblem("Write TRUE or FALSE.")

    def _parse_date(self, cell, text):
        if isinstance(cell, dt.datetime):
            if cell.time() != dt.time(0, 0):
                raise CellProblem("Write a date without a time, as YYYY-MM-DD.")
            return cell.date()
        if isinstance(cell, dt.date):
            return cell
        try:
            return dt.date.fromisoformat(text) if len(text) == 10 else _bad_date()
        except ValueError:
            raise CellProblem("Write a date as YYYY-MM-DD, such as 2026-02-03.") from None

    def _parse_datetime(self, cell, text):
        if isinstance(cell, dt.datetime):
            return cell.replace(tzinfo=None, microsecond=0)
        try:
            return dt.datetime.fromisoformat(text).replace(tzinfo=None, microsecond=0)
        except ValueError:
            raise CellProblem("Write a date and time as YYYY-MM-DD HH:MM (UTC).") from None

    def _parse_choice(self, cell, text):
        allowed = self.allowed()
        if text not in allowed:
            raise CellProblem("Choose one of: " + ", ".join(allowed) + ".")
        return text

    def _parse_ref(self, cell, text):
        return _external_id(cell, text)

    def _parse_refs(self, cell, text):
        values = [_external_id(part, part) for part in _split(text)]
        if len(set(values)) != len(values):
            raise CellProblem("An id is named twice.")
        return values

    def _parse_keys(self, cell, text):
        values, allowed = _split(text), self.allowed()
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise CellProblem(f"Unknown key “{unknown[0]}”: see the lists sheet of the template for the keys.")
        if len(set(values)) != len(values):
            raise CellProblem("A key is named twice.")
        return values

    # -- writing a cell (export) ------------------------------------------------------------------
    def cell(self, value):
        """The cell an export writes for `value` (lists joined; dates as dates; None as empty)."""
        if self.kind in LISTS:
            return SEPARATOR.join(value or []) or None
        if value == "" or value is None:
            return None
        return value

    def csv_text(self, value):
        """The text a CSV export writes for `value`."""
        cell = self.cell(value)
        if cell is None:
            return ""
        if isinstance(cell, bool):
            return "TRUE" if cell else "FALSE"
        if isinstance(cell, (dt.date, dt.datetime)):
            return cell.isoformat(sep=" ") if isinstance(cell, dt.datetime) else cell.isoformat()
        if isinstance(cell, float) and cell.is_integer():
            return str(int(cell))
        return str(cell)


def _bad_date():
    raise ValueError


def _text(cell):
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (dt.date, dt.datetime, bool, int, float)):
        return str(cell)
    return str(cell).strip()


def _split(text):
    return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]


def _external_id(cell, text):
    text = _text(cell) if not isinstance(cell, str) else text.strip()
    if len(text) > MAX_EXTERNAL_ID:
        raise CellProblem(f"An external_id has at most {MAX_EXTERNAL_ID} characters.")
    return text


EXTERNAL_ID = Column(
    "external_id",
    required=True,
    max_length=MAX_EXTERNAL_ID,
    help="Your id for this row, unique in this sheet: other rows use it to refer to this one. Keep it when you "
    "import the workbook again, so the row updates its record instead of adding a second one.",
)


@dataclass
class Sheet:
    """One kind of record in the workbook.

    - `query()`: the records an export writes, in the order written (by id: rows imported in file order get
      increasing ids, so an export after an import writes them in the same order).
    - `read(record, ids)`: {header: value} of the columns that have no `field` (links, lists, computed
      values); refs as external ids through `ids.external(sheet, record_id)`.
    - `apply(record, values, ids)`: write an imported row on `record` (new, or found by its external_id) and
      save it through the model's validation and the services' rules, raising ValidationError keyed by model
      field or header; returns the record. The default sets each `field` column (refs resolved through
      `ids.record_id`) and saves.
    """

    name: str
    model: type
    columns: tuple
    help: str
    query: object = None
    read: object = None
    apply: object = None
    export_files: object = None  # (folder, ids): a CSV export also copies the sheet's files into folder/files
    skip_note: str = ""  # the report's note when apply left rows out ({count}: how many)
    headers: tuple = field(init=False)

    def __post_init__(self):
        self.columns = (EXTERNAL_ID, *self.columns)
        self.headers = tuple(c.header for c in self.columns)
        assert len(set(self.headers)) == len(self.headers), self.name

    def records(self):
        return self.query() if self.query is not None else self.model.select().order_by(self.model.id)

    def values_of(self, record, ids):
        """{header: value} of `record` as an export writes it (and as an unchanged row reads)."""
        out = {"external_id": ids.external(self.name, record.id)}
        for column in self.columns[1:]:
            if column.field is None:
                continue
            value = getattr(record, column.field + "_id") if column.kind == "ref" else getattr(record, column.field)
            if column.kind == "ref":
                value = ids.external(column.ref, value) if value is not None else None
            elif column.kind == "text" and value is None:
                value = ""
            elif column.kind == "datetime" and value is not None:
                value = value.replace(microsecond=0)  # a cell holds whole seconds, as an import reads it
            out[column.header] = value
        if self.read is not None:
            out.update(self.read(record, ids))
        return out

    def write(self, record, values, ids):
        if self.apply is not None:
            return self.apply(record, values, ids)
        set_fields(self, record, values, ids)
        record.save()
        return record

    def column(self, name):
        """The column of header or model field `name` (how a model's error is placed), else external_id."""
        for column in self.columns:
            if name in (column.header, column.field):
                return column
        return self.columns[0]


def set_fields(sheet, record, values, ids):
    """Set every column with a `field` on `record` from the row's values (refs resolved to record ids)."""
    for column in sheet.columns[1:]:
        if column.field is None:
            continue
        value = values[column.header]
        if column.kind == "ref":
            value = ids.record_id(column.ref, value, column.header) if value else None
            setattr(record, column.field + "_id", value)
        else:
            current = getattr(record, column.field)
            if (
                column.kind == "datetime"
                and isinstance(current, dt.datetime)
                and current.replace(microsecond=0) == value
            ):
                continue  # the same time as a cell holds it: the stored one is kept, to the microsecond
            if value == "" and sheet.model._meta.fields[column.field].null:
                value = None  # an empty cell is no value (a readable id not given yet, say)
            setattr(record, column.field, value)


SHEETS = []
AFTER_IMPORT = []  # functions called once after an import's rows are all written (derived state: releases)


def after_import(function):
    """Call `function()` after every import whose rows were all written (before it commits; a dry run too,
    so its counts are those of the import): for state the tracker derives from the rows, such as which
    feedback responses are released."""
    AFTER_IMPORT.append(function)
    return function


def register(sheet):
    """Add `sheet` to the workbook, after the sheets registered before it (its refs must name those)."""
    names = {s.name for s in SHEETS}
    assert sheet.name not in names, sheet.name
    for column in sheet.columns:
        assert column.kind in KINDS, (sheet.name, column.header)
        assert column.ref is None or column.ref in names or column.ref == sheet.name, (sheet.name, column.ref)
    SHEETS.append(sheet)
    return sheet


_RUN = ContextVar("portfolio_run", default=None)  # what per_run functions computed in this import or export


@contextmanager
def one_run():
    """An import or an export: inside it, each `per_run` function is computed once."""
    token = _RUN.set({})
    try:
        yield
    finally:
        _RUN.reset(token)


def per_run(function):
    """`function()` (a catalog's keys, say) computed once per import or export, and afresh outside one: a
    column's choices are read once, not once per row."""

    @functools.wraps(function)
    def cached():
        run = _RUN.get()
        if run is None:
            return function()
        if function not in run:
            run[function] = function()
        return run[function]

    return cached


def sheet_named(name):
    return next(s for s in SHEETS if s.name == name)
