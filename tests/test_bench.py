"""bench: page times and query counts on synthetic portfolios (issue 8). No wall-clock assertions."""

import json
import sys

from tracker.models import Engagement
from tracker.tools import bench

KEYS = {"page", "scale", "median_ms", "p95_ms", "queries", "floor_ms", "ratio_to_floor"}
REPORT_PAGES = {"competencies report", "progress report", "portfolio dashboard", "CSV export (competencies)"}
OTHER_PAGES = {"home", "engagement list (filtered)", "engagement page (100 meetings)", "meeting form"}


def test_bench_writes_json_and_prints_the_table(app, tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)  # SQLite only here: never drop a real database
    out = tmp_path / "bench.json"
    result = app.test_cli_runner().invoke(
        args=["bench", "--scale", "0.02", "--scale", "0.06", "--runs", "2", "--warmups", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "median ms" in result.output and "x floor" in result.output
    assert "peak memory:" in result.output
    assert "competencies report" in result.output
    report = json.loads(out.read_text())
    assert report["peak_memory_mb"] > 0
    rows = report["results"]
    pages = {r["page"] for r in rows}
    assert REPORT_PAGES | OTHER_PAGES <= pages
    for row in rows:
        assert KEYS <= set(row), row
        assert row["scale"] in (0.02, 0.06)
        assert row["median_ms"] > 0 and row["p95_ms"] >= row["median_ms"]
        assert row["queries"] > 0
        if row["page"] in REPORT_PAGES:
            assert row["floor_ms"] > 0 and row["ratio_to_floor"] > 0
    # each page at both scales
    assert Counter_pages(rows) == {page: 2 for page in pages}
    # the app still talks to its own database afterwards
    assert Engagement.select().count() == 0


def Counter_pages(rows):
    counts = {}
    for row in rows:
        counts[row["page"]] = counts.get(row["page"], 0) + 1
    return counts


def test_queries_per_page_do_not_grow_with_the_data(app):
    """The real assertion: the same number of queries for every page at two scales (4x the data)."""
    small = {r["page"]: r["queries"] for r in bench.measure_at(0.05)}
    large = {r["page"]: r["queries"] for r in bench.measure_at(0.2)}
    assert set(small) == set(large)
    assert small == large


def test_api_report_routes_are_included_when_they_exist(app):
    names = [name for name, *_ in bench.pages(app, 1, 1)]
    api = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1") and "report" in rule.rule and not rule.arguments
    ]
    for rule in api:
        assert f"API {rule}" in names
    assert "meeting form" in names and "portfolio dashboard" in names


def test_the_throughput_run_is_at_scale_1(app, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = app.test_cli_runner().invoke(args=["bench", "--scale", "0.02", "--throughput", "5"])
    assert result.exit_code != 0
    assert "--throughput measures scale 1: add --scale 1." in result.output


def test_without_the_unix_resource_module_peak_memory_is_unknown_and_targets_skip_it(monkeypatch):
    """bench imports `resource` (Unix only) where it measures memory, so the tool loads elsewhere."""
    monkeypatch.setitem(sys.modules, "resource", None)  # what `import resource` finds on Windows
    assert bench.peak_memory_mb() is None
    assert bench.check_targets([], None) == []
