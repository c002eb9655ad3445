"""Context across the portfolio (issue 19): barriers and facilitators by CFIR domain across engagements
and units, in the reports, the printable engagement report and the research export.

Hand-worked data set (the small world: engagement A in unit A, B in unit B, C in unit C of another
funder):
  A: barrier inner_setting 10 Feb; barrier inner_setting 12 Mar; facilitator process 20 Mar;
     a deleted barrier outer_setting (never counted)
  B: facilitator inner_setting 15 Feb; barrier individuals 1 Apr
  C: barrier outer_setting 5 Mar
Admin, all dates: inner setting 2 barriers + 1 facilitator, process 0 + 1, individuals 1 + 0,
outer setting 1 + 0, intervention 0 + 0; total 4 barriers, 2 facilitators.
  Unit A: inner 2/0, process 0/1; Unit B: inner 0/1, individuals 1/0; Unit C: outer 1/0.
Leader of the foundation (units A and B): 3 barriers, 2 facilitators; unit C's note is never counted.
Dates 1 Mar - 31 Mar: A's 12 Mar barrier and 20 Mar facilitator, C's 5 Mar barrier.
"""

import csv
import datetime as dt
import io

import pytest

from tracker.models import ContextNote
from tracker.reports import context as report
from tracker.reports.filters import ReportFilters

D = dt.date


@pytest.fixture
def world(demo):
    a, b, c = demo.engagement_a, demo.engagement_b, demo.engagement_c

    def note(e, kind, domain, on, text):
        return ContextNote.create(engagement=e, kind=kind, domain=domain, noted_on=on, text=text)

    note(a, "barrier", "inner_setting", D(2026, 2, 10), "Turnover in the team.")
    note(a, "barrier", "inner_setting", D(2026, 3, 12), "No protected time for the work.")
    note(a, "facilitator", "process", D(2026, 3, 20), "Monthly reflection meetings.")
    note(a, "barrier", "outer_setting", D(2026, 3, 1), "Deleted note.").soft_delete()
    note(b, "facilitator", "inner_setting", D(2026, 2, 15), "A committed manager.")
    note(b, "barrier", "individuals", D(2026, 4, 1), "Low confidence with the new tool.")
    note(c, "barrier", "outer_setting", D(2026, 3, 5), "Funding uncertain next year.")
    return demo


def counts(data):
    return {d["key"]: (d["barriers"], d["facilitators"]) for d in data["domains"]}


def test_counts_per_domain_and_kind_across_the_portfolio(world):
    data = report.context_across(ReportFilters(user=world.admin))
    assert counts(data) == {
        "intervention": (0, 0),
        "individuals": (1, 0),
        "inner_setting": (2, 1),
        "outer_setting": (1, 0),
        "process": (0, 1),
    }
    assert data["total"] == {"barriers": 4, "facilitators": 2, "total": 6}
    units = {u["name"]: u for u in data["units"]}
    assert list(units) == ["Unit A", "Unit B", "Unit C"]
    assert units["Unit A"]["domains"]["inner_setting"] == {"barriers": 2, "facilitators": 0, "total": 2}
    assert units["Unit A"]["domains"]["process"] == {"barriers": 0, "facilitators": 1, "total": 1}
    assert units["Unit A"]["total"] == {"barriers": 2, "facilitators": 1, "total": 3}
    assert units["Unit B"]["total"] == {"barriers": 1, "facilitators": 1, "total": 2}
    assert units["Unit C"]["domains"]["outer_setting"]["barriers"] == 1
    # Most recent first; the deleted note never appears.
    assert [n["text"] for n in data["recent"][:2]] == [
        "Low confidence with the new tool.",
        "Monthly reflection meetings.",
    ]
    assert data["recent"][0]["engagement"] == "Engagement B" and data["recent"][0]["unit"] == "Unit B"
    assert "Deleted note." not in [n["text"] for n in data["recent"]]


def test_the_report_filters_and_scopes_apply(world):
    leader = report.context_across(ReportFilters(user=world.leader_foundation))
    assert leader["total"] == {"barriers": 3, "facilitators": 2, "total": 5}
    assert [u["name"] for u in leader["units"]] == ["Unit A", "Unit B"]
    assert "Funding uncertain next year." not in [n["text"] for n in leader["recent"]]
    march = report.context_across(ReportFilters(user=world.admin, start=D(2026, 3, 1), end=D(2026, 3, 31)))
    assert march["total"] == {"barriers": 2, "facilitators": 1, "total": 3}
    assert counts(march)["outer_setting"] == (1, 0) and counts(march)["inner_setting"] == (1, 0)
    one_unit = report.context_across(ReportFilters(user=world.admin, unit=world.unit_b.id))
    assert one_unit["total"] == {"barriers": 1, "facilitators": 1, "total": 2}
    isp = report.context_across(ReportFilters(user=world.isp_a1))  # on A and C
    assert isp["total"] == {"barriers": 3, "facilitators": 1, "total": 4}
    assert report.context_across(ReportFilters(user=world.isp_none))["total"]["total"] == 0


def test_the_context_page_and_csv(world, as_user):
    client = as_user(world.leader_foundation)
    html = client.get("/reports/context").get_data(as_text=True)
    assert "<h1>Context</h1>" in html and "Inner setting" in html and "Unit A" in html
    assert "No protected time for the work." in html and "Funding uncertain" not in html
    assert 'aria-current="page"' in html.split('class="report-tabs"', 1)[1].split("</nav>", 1)[0]
    rows = list(csv.reader(io.StringIO(client.get("/reports/context.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["unit", "cfir_domain", "domain_name", "barriers", "facilitators", "total"]
    assert ["all", "inner_setting", "Inner setting", "2", "1", "3"] in rows
    assert ["Unit B", "individuals", "Individuals", "1", "0", "1"] in rows
    assert not any(r[0] == "Unit C" for r in rows)
    empty = as_user(world.isp_none).get("/reports/context").get_data(as_text=True)
    assert "No context notes yet." in empty


def test_a_bad_filter_is_a_400_next_to_its_field(world, as_user):
    response = as_user(world.admin).get("/reports/context?start=not-a-date")
    assert response.status_code == 400


def test_the_printable_engagement_report_lists_notes_by_domain(world, as_user):
    html = as_user(world.admin).get(f"/reports/engagements/{world.engagement_a.id}").get_data(as_text=True)
    section = html[html.index('id="r-context-h"') :]
    section = section[: section.index("</section>")]
    # Inner setting (two barriers, oldest first) before process; the deleted note is left out.
    assert section.index("Inner setting") < section.index("Turnover in the team.") < section.index("No protected time")
    assert section.index("No protected time") < section.index("Process") < section.index("Monthly reflection")
    assert "Deleted note." not in section and "Outer setting" not in section
    empty = as_user(world.admin).get(f"/reports/engagements/{world.engagement_b.id}").get_data(as_text=True)
    assert "A committed manager." in empty


def test_the_research_export_counts_context_by_engagement_domain_and_kind(world, app):
    from tracker import research  # noqa: PLC0415  (the export reads the app's SECRET_KEY: inside the app)

    with app.app_context():
        data = research.collect()
    rows = {(r[0], r[2], r[3]): r for r in data["context_counts"]}
    a, b = world.engagement_a, world.engagement_b
    # A's two inner-setting barriers: 10 Feb and 12 Mar; the deleted outer-setting barrier is left out.
    assert rows[(a.id, "inner_setting", "barrier")] == (
        a.id,
        world.unit_a.id,
        "inner_setting",
        "barrier",
        2,
        "2026-02-10",
        "2026-03-12",
    )
    assert rows[(b.id, "individuals", "barrier")][4] == 1
    assert (a.id, "outer_setting", "barrier") not in rows
    assert sum(r[4] for r in data["context_counts"]) == 6
    # The per-note file keeps its engagement ids.
    assert {r[1] for r in data["context_notes"]} == {a.id, b.id, world.engagement_c.id}
    columns = [c[0] for c in research.CODEBOOK["context_counts"]]
    assert columns == [
        "engagement_id",
        "ctx_unit_id",
        "ctx_domain",
        "ctx_kind",
        "ctx_notes",
        "ctx_first_on",
        "ctx_last_on",
    ]
