"""Helpers of the portfolio import/export tests (issue 20)."""

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
}


def empty_the_portfolio():
    """Delete every record a portfolio holds (later tables first), as on a fresh install with its catalogs."""
    with database.atomic():
        for model in reversed(MODELS):
            if model not in KEPT:
                model.delete().execute()
