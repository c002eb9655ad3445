"""The portfolio template workbook and docs/portfolio-format.md, both generated from the registry of sheets
(format.SHEETS), so neither can drift from what the import reads.

The template: an "Instructions" sheet first, then one sheet per registered sheet in import order (header row
bold and frozen, a comment on each header cell saying what the column holds), dropdowns on every choice, bool
and keys column (their keys on a hidden "lists" sheet; a keys column takes several, so its dropdown offers one
and accepts any). The import reads only the registered sheets: Instructions and lists are left alone.
"""

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .format import SEPARATOR, SHEETS

INSTRUCTIONS = "Instructions"
LISTS = "lists"
AUTHOR = "Engagement Tracker"

KIND_WORDS = {
    "text": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "TRUE or FALSE (empty: FALSE)",
    "date": "a date, YYYY-MM-DD (or an Excel date)",
    "datetime": "a date and time in UTC, YYYY-MM-DD HH:MM",
    "choice": "one key of the list",
    "ref": "the external_id of a row of another sheet",
    "refs": f"external_ids separated by “{SEPARATOR.strip()} ”",
    "keys": f"keys of the list separated by “{SEPARATOR.strip()} ”",
}

RULES = (
    "Sheets are read in the order they appear here: a row may refer only to rows of the sheets before its "
    "own (and, where its help says so, of its own sheet).",
    "external_id (the first column of every sheet): your id for the row, unique in its sheet. Other rows "
    "name it to refer to this one. Keep it when you import again: the same external_id updates its record "
    "instead of adding a second one. An export writes the tracker's own ids here.",
    "Dates: YYYY-MM-DD (2026-02-03) or an Excel date. Dates with times are UTC: YYYY-MM-DD HH:MM.",
    "Lists (several ids or keys in one cell): separate them with a semicolon, “a; b”.",
    "Keys of a choice: pick them from the cell's dropdown (the hidden “lists” sheet holds them).",
    "Values only: a cell holding a formula is refused (Paste special > Values).",
    "No passwords: users are imported without one; invite them from the users page after the import.",
    "Deleted records are not exported, and the whole import is one transaction: with any problem, nothing "
    "is written. Upload the workbook on Admin > Portfolio for a preview first (a dry run).",
    "The Instructions and lists sheets, and any other sheet not named below, are ignored by the import.",
)


def _choices(column):
    choices = column.choices() if callable(column.choices) else column.choices
    return list(choices or ())


def column_note(column):
    """What a header's comment says: what the column holds, in words."""
    parts = [column.help] if column.help else []
    kind = KIND_WORDS[column.kind]
    if column.ref:
        kind += f" (sheet {column.ref})"
    parts.append(("Required. " if column.required else "") + kind[:1].upper() + kind[1:] + ".")
    if column.max_length:
        parts.append(f"At most {column.max_length} characters.")
    return " ".join(parts)


def build_template(target):
    """Write the template workbook to `target` (a path or a binary stream). Catalog keys are read from the
    database, so call it inside an app context."""
    book = Workbook()
    guide = book.active
    guide.title = INSTRUCTIONS
    _instructions(guide)
    lists = book.create_sheet(LISTS)  # placed last below; filled as the sheets ask for lists
    lists_used = 0
    for sheet in SHEETS:
        page = book.create_sheet(sheet.name)
        page.append(list(sheet.headers))
        page.freeze_panes = "A2"
        for position, column in enumerate(sheet.columns, start=1):
            cell = page.cell(row=1, column=position)
            cell.font = Font(bold=True)
            cell.comment = Comment(column_note(column), AUTHOR, width=320, height=140)
            page.column_dimensions[get_column_letter(position)].width = max(12, len(column.header) + 4)
            letter = get_column_letter(position)
            if column.kind == "bool":
                _dropdown(page, letter, '"TRUE,FALSE"', strict=True)
            elif column.kind in ("choice", "keys"):
                lists_used += 1
                key_letter = get_column_letter(2 * lists_used - 1)
                choices = _choices(column)
                lists.cell(row=1, column=2 * lists_used - 1, value=f"{sheet.name}.{column.header}").font = Font(
                    bold=True
                )
                lists.cell(row=1, column=2 * lists_used, value="label").font = Font(bold=True)
                for row, (key, label) in enumerate(choices, start=2):
                    lists.cell(row=row, column=2 * lists_used - 1, value=key)
                    lists.cell(row=row, column=2 * lists_used, value=str(label))
                last = max(2, len(choices) + 1)
                _dropdown(page, letter, f"{LISTS}!${key_letter}$2:${key_letter}${last}", strict=column.kind == "choice")
    book.move_sheet(LISTS, offset=len(book.sheetnames) - 1 - book.sheetnames.index(LISTS))
    lists.sheet_state = "hidden"
    book.save(target)


def _dropdown(page, letter, formula, strict):
    """A dropdown on every row of the column below its header; a keys column (several keys) accepts any."""
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=strict)
    if strict:
        validation.error = "Choose a value from the list."
        validation.errorTitle = "Not in the list"
    page.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}1048576")


def _instructions(guide):
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 110
    wrap = Alignment(wrap_text=True, vertical="top")
    guide.append(["Engagement Tracker: portfolio workbook"])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append([])
    for rule in RULES:
        guide.append(["", rule])
        guide.cell(row=guide.max_row, column=2).alignment = wrap
    guide.append([])
    guide.append(["Sheet (in import order)", "What it holds"])
    for cell in guide[guide.max_row]:
        cell.font = Font(bold=True)
    for sheet in SHEETS:
        guide.append([sheet.name, sheet.help])
        guide.cell(row=guide.max_row, column=2).alignment = wrap
    guide.append([])
    guide.append(["", "Each column's header has a comment saying what it holds (hover over it)."])


# --- docs/portfolio-format.md ---------------------------------------------------------------------------


def _doc_cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _doc_kind(column):
    words = KIND_WORDS[column.kind]
    if column.ref:
        words += f" of `{column.ref}`"
    if column.kind in ("choice", "keys"):
        if callable(column.choices):
            words += " (the catalog's keys: see the template's lists sheet)"
        else:
            words += ": " + ", ".join(f"`{key}`" for key, _ in column.choices)
    return words


def format_markdown():
    """The text of docs/portfolio-format.md (tests/test_portfolio_files.py checks the committed file equals
    it; regenerate with `python -m tracker.portfolio.template > docs/portfolio-format.md`)."""
    lines = [
        "# The portfolio workbook",
        "",
        "<!-- Generated from the registry of sheets (tracker/portfolio/template.py: format_markdown); do not edit",
        "     by hand: `python -m tracker.portfolio.template > docs/portfolio-format.md` rewrites it. -->",
        "",
        "One workbook (.xlsx), or a folder of CSV files named `<sheet>.csv` (UTF-8), brings a portfolio into the",
        "tracker and takes it out (issue 20). `flask --app tracker portfolio-template OUT.xlsx` writes the empty",
        "template; `flask --app tracker import-portfolio PATH [--dry-run]` and Admin > Portfolio import it (a dry",
        "run first); `flask --app tracker export-portfolio OUT.xlsx|DIR` and the page's download export it.",
        "",
        "## Rules",
        "",
        *[f"- {rule}" for rule in RULES],
        "",
        "## Sheets, in import order",
        "",
    ]
    for number, sheet in enumerate(SHEETS, start=1):
        lines += [f"### {number}. {sheet.name}", "", sheet.help, ""]
        lines += ["| column | required | holds | meaning |", "| --- | --- | --- | --- |"]
        for column in sheet.columns:
            meaning = column.help + (f" At most {column.max_length} characters." if column.max_length else "")
            lines.append(
                f"| `{column.header}` | {'yes' if column.required else ''} | {_doc_cell(_doc_kind(column))} "
                f"| {_doc_cell(meaning.strip())} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.stdout.write(format_markdown())
