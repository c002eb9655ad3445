"""Helpers of the portfolio import/export tests (issue 20)."""

import csv

from tracker.db import database
from tracker.models import (
    MODELS,
    BenchmarkTemplate,
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    DataVersion,
    FeedbackInstrument,
    FeedbackItem,
    GoalTemplate,
    Principle,
    RollupCompetencyLink,
    SchemaVersion,
    Stage,
    Strategy,
    StrategyCluster,
)

# What an empty install has before any portfolio: the schema's bookkeeping and the default catalogs.
KEPT = {
    SchemaVersion,
    DataVersion,
    CompetencyFramework,
    CompetencyDomain,
    Competency,
    Principle,
    Stage,
    BenchmarkTemplate,
    StrategyCluster,
    Strategy,
    FeedbackInstrument,
    FeedbackItem,
    GoalTemplate,
    RollupCompetencyLink,  # how the catalog's competencies count (rollups): the catalog's, not a portfolio's
}


def empty_the_portfolio():
    """Delete every record a portfolio holds (later tables first), as on a fresh install with its catalogs."""
    with database.atomic():
        for model in reversed(MODELS):
            if model not in KEPT:
                model.delete().execute()


def edit_cell(folder, sheet, row, column, value):
    """Set one cell of `sheet`.csv in a CSV folder (`row` as a spreadsheet numbers it: the header is row 1)."""
    path = folder / f"{sheet}.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row - 1][rows[0].index(column)] = value
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
