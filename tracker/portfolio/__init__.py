"""Bring a portfolio in and take it out (issue 20): one documented workbook format (docs/portfolio-format.md).

format.py        Column and Sheet: the columns of each sheet, how a cell is read and written
sheets_*.py      the sheets, registered in import order (a row refers only to sheets before its own)
engine.py        import (dry run, all or nothing) and export (.xlsx or a CSV folder), streamed
template.py      the template workbook: instructions, header comments, dropdowns
"""

# The sheets register themselves in import order: a row refers only to sheets registered before its own.
# isort: off
from . import sheets_people  # noqa: F401  organizations, units, users, requests, engagements
from . import sheets_parts  # noqa: F401  request events, team members, goals, stage entries
from . import sheets_meetings  # noqa: F401  meetings and their links, next steps, activities
from . import sheets_progress  # noqa: F401  goal status changes and measured values, benchmarks
from . import sheets_more  # noqa: F401  deliverables, context notes, plans, modifications, feedback, files

# isort: on
from .engine import BadFile, ImportReport, Problem, export_portfolio, import_portfolio, read_back, workbook_bytes
from .format import SHEETS, Column, Sheet, sheet_named

__all__ = [
    "SHEETS",
    "BadFile",
    "Column",
    "ImportReport",
    "Problem",
    "Sheet",
    "export_portfolio",
    "import_portfolio",
    "read_back",
    "sheet_named",
    "workbook_bytes",
]
