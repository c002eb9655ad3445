"""Issue 20's round trip, at the level a leader reads: export -> import into an empty database -> export gives
the same workbook cell for cell, and the four report pages' figures (their API twins: portfolio,
competencies, strategies, progress) are the same, on the demo data and on a generated portfolio
(`generate-data --scale 0.02`: the smallest that still fills every sheet generate-data writes, with more
than ten goals). Ids may differ between the two databases (PostgreSQL's sequences go on), so
figures are compared with every id left out."""

import pytest

from tracker.models import Benchmark, Engagement, Goal, User
from tracker.portfolio import export_portfolio, import_portfolio, read_back
from tracker.tools.generate import generate

from .api_helpers import Api
from .portfolio_helpers import empty_the_portfolio

REPORTS = ("/reports/portfolio", "/reports/competencies", "/reports/strategies", "/reports/progress")


def _without_ids(value):
    """The report's figures: every id (a key `id` or ending in `_id`, or an `ids` list) left out."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id" and not k.endswith(("_id", "_ids"))}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _goals_and_stages():
    """(engagement ref, goal title, status) of the live goals, (ref, current stage) of the engagements, and the
    number of live benchmarks: the same after a round trip, whatever the ids."""
    goals = Goal.select(Engagement.ref, Goal.title, Goal.status).join(Engagement).where(Goal.deleted_at.is_null())
    stages = sorted((e.ref, e.current_stage_id) for e in Engagement.select())
    return sorted(goals.tuples()), stages, Benchmark.live().count()


def _figures(client):
    admin = User.select().where(User.role == "admin").order_by(User.email).first()
    api = Api(client, admin)
    out = {}
    for path in REPORTS:
        answer = api.get(path)
        assert answer.status_code == 200, (path, answer.get_data(as_text=True)[:300])
        out[path] = _without_ids(answer.get_json())
    return out


# The sheets generate-data fills (it writes no requests, decisions, activities, measurements, deliverables, notes,
# plans, modifications or attachments); the demo, seeded without its files, fills every sheet but attachments.
GENERATED_SHEETS = {
    "organizations",
    "units",
    "users",
    "engagements",
    "team_members",
    "goals",
    "stage_entries",
    "meetings",
    "next_steps",
    "goal_status_changes",
    "benchmarks",
    "feedback_responses",
    "feedback_answers",
}


@pytest.mark.parametrize("portfolio", ["demo", "generated"])
def test_export_import_export_is_identical_and_the_reports_agree(app, client, tmp_path, portfolio, request):
    second = tmp_path / "second.xlsx"
    if portfolio == "demo":
        # its export, written once per run from the same rows: first, since on PostgreSQL (one shared database)
        # writing it the first time leaves the database as the catalogs are; then the demo as seed() leaves it
        first = request.getfixturevalue("demo_workbook")
        request.getfixturevalue("seeded_demo")
    else:
        generate(scale=0.02)
        first = tmp_path / "first.xlsx"
        export_portfolio(first)
    one = read_back(first)
    filled = {name for name, rows in one.items() if len(rows) > 1}  # a header and at least one row
    assert (set(one) - {"attachments"} if portfolio == "demo" else GENERATED_SHEETS) <= filled, set(one) - filled
    before = _figures(client)
    statuses, stages, benchmarks = _goals_and_stages()
    empty_the_portfolio()
    report = import_portfolio(first, dry_run=False, name="first.xlsx")
    assert report.problems == [], sorted({(p.sheet, p.column, p.message) for p in report.problems})[:10]
    export_portfolio(second)
    two = read_back(second)
    for name in one:
        assert one[name] == two[name], name
    assert _figures(client) == before
    # each goal's status follows from its imported history, each engagement's stage from its entries, and the
    # imported stages add no default benchmarks of their own
    assert _goals_and_stages() == (statuses, stages, benchmarks) and len(statuses) > 10
