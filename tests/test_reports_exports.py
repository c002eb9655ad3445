"""CSV exports: UTF-8 with BOM and a header, filters applied, scoped to the user, formula injection
escaped, every registered export downloadable."""

import csv
import datetime as dt
import io

import pytest

from tests import factories
from tracker import exports
from tracker.reports.filters import ReportFilters

D = dt.date
BOM = "\ufeff"


def rows_of(response):
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :])))


@pytest.fixture
def world(demo):
    w = demo
    factories.meeting(w.engagement_a, D(2026, 2, 3), ["p20_co_learning", "p20_brokering"], kind="monthly")
    factories.meeting(w.engagement_a, D(2026, 2, 9), ["p20_co_learning"], kind="coaching")
    factories.meeting(w.engagement_b, D(2026, 3, 3), ["p20_facilitation"], kind="monthly")
    factories.meeting(w.engagement_c, D(2026, 3, 4), ["p20_facilitation"], kind="monthly")
    factories.meeting(w.engagement_a, D(2026, 2, 20), ["p20_facilitation"]).soft_delete()
    return w


def test_cells_are_escaped_against_formula_injection():
    assert exports.cell("=SUM(A1)") == "'=SUM(A1)"
    assert exports.cell("+1") == "'+1"
    assert exports.cell("-cmd") == "'-cmd"
    assert exports.cell("@import") == "'@import"
    assert exports.cell("\t=1") == "'\t=1"
    assert exports.cell("Plain text") == "Plain text"
    assert exports.cell(-3) == -3 and exports.cell(0.25) == 0.25  # numbers stay numbers
    assert exports.cell(None) == "" and exports.cell(D(2026, 1, 2)) == "2026-01-02"
    data = exports.to_csv(["name", "n"], [["=SUM(A1)", 2], ["Café", 1]])
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")[1:]
    assert text == "name,n\r\n'=SUM(A1),2\r\nCafé,1\r\n"


def test_competencies_csv(world, as_user):
    response = as_user(world.admin).get("/reports/competencies.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=competencies-")
    rows = rows_of(response)
    assert rows[0] == [
        "framework",
        "level",
        "key",
        "name",
        "domain",
        "meetings",
        "total_meetings",
        "share",
        "activities",
    ]
    by_key = {r[2]: r for r in rows[1:]}
    assert by_key["p20_co_learning"][5:] == ["2", "4", "0.5", "0"]
    assert by_key["p20_facilitation"][5:] == ["2", "4", "0.5", "0"]  # not the deleted meeting
    assert by_key["co_creation_engagement"][1] == "domain" and by_key["co_creation_engagement"][5:8] == [
        "2",
        "4",
        "0.5",
    ]
    assert len(rows) == 1 + 3 + 15


def test_filters_apply_to_the_csv(world, as_user):
    client = as_user(world.admin)
    rows = rows_of(client.get(f"/reports/competencies.csv?unit_id={world.unit_b.id}"))
    by_key = {r[2]: r for r in rows[1:]}
    assert by_key["p20_facilitation"][5:8] == ["1", "1", "1.0"] and by_key["p20_co_learning"][5] == "0"
    rows = rows_of(client.get("/reports/dose.csv?kind=monthly&start=2026-03-01&end=2026-03-31"))
    assert rows[0] == ["by", "key", "name", "meetings", "minutes", "activities", "activity_minutes"]
    assert ["month", "2026-03", "Mar 2026", "2", "120", "0", "0"] in rows
    assert rows[-1] == ["total", "", "All sessions and the work between meetings", "2", "120", "0", "0"]
    rows = rows_of(client.get("/reports/competencies.csv?start=2025-01-01&end=2025-01-31"))
    assert {r[6] for r in rows[1:]} == {"0"}


def test_csv_is_scoped_to_the_user(world, as_user):
    rows = rows_of(as_user(world.leader_other).get("/reports/competencies.csv"))
    assert {r[6] for r in rows[1:]} == {"1"}  # C's one meeting, nothing of A or B
    rows = rows_of(as_user(world.leader_other).get("/reports/sessions-between-monthly.csv"))
    assert [r[0] for r in rows[1:]] == ["Engagement C", "All engagements"]
    rows = rows_of(as_user(world.recipient_a).get("/reports/sessions-between-monthly.csv"))
    assert [r[0] for r in rows[1:]] == ["Engagement A", "All engagements"]


def test_a_formula_in_the_data_is_exported_as_text(world, as_user):
    e = factories.engagement(world.unit_a, title="=SUM(A1)")
    factories.meeting(e, D(2026, 4, 1), kind="monthly")
    rows = rows_of(as_user(world.admin).get("/reports/sessions-between-monthly.csv"))
    assert ["'=SUM(A1)", "1", "0", "0.0"] in rows


def test_every_export_downloads(world, as_user):
    client = as_user(world.leader_foundation)
    for name in exports.EXPORTS:
        if not exports.may_download(name, world.leader_foundation):  # an ISP's own (my-competencies)
            assert client.get(f"/reports/{name}.csv").status_code == 403, name
            continue
        for query in ("", f"?engagement_id={world.engagement_a.id}", "?start=2025-01-01&end=2025-01-02"):
            response = client.get(f"/reports/{name}.csv{query}")
            assert response.status_code == 200, name
            rows = rows_of(response)
            assert rows and rows[0], name
    assert client.get("/reports/nope.csv").status_code == 404


def test_every_page_links_its_csv_with_the_filters(world, as_user):
    client = as_user(world.admin)
    query = f"unit_id={world.unit_a.id}&kind=monthly"
    for page, name in (
        ("/reports/", "dashboard"),
        ("/reports/competencies", "competencies"),
        ("/reports/strategies", "strategies"),
        ("/reports/progress", "progress"),
    ):
        html = client.get(f"{page}?{query}").get_data(as_text=True)
        assert f"/reports/{name}.csv?" in html, page
        link = html[html.index(f"/reports/{name}.csv?") :].split('"')[0].replace("&amp;", "&")
        assert f"unit_id={world.unit_a.id}" in link and "kind=monthly" in link, page


def test_export_functions_take_filters(world):
    header, rows = exports.EXPORTS["competencies-by-isp"]["rows"](ReportFilters(user=world.admin))
    assert header == ["isp", "isp_meetings", "competency_key", "competency", "meetings_used"]
    assert rows == []  # no ISP attended or logged these meetings


def test_plain_csv_response_writes_the_rows_through_the_one_writer_as_an_attachment():
    """The engagement feedback CSV's writer: no byte-order mark, formula escaping as every CSV (issue 16)."""
    response = exports.plain_csv_response([["period", "score"], ["2026 Q1", 4.5], ["=sum", None]], "x-feedback.csv")
    assert response.get_data(as_text=True) == "period,score\r\n2026 Q1,4.5\r\n'=sum,\r\n"
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="x-feedback.csv"'
