"""The engagement page and the filtered engagement list cost the same few queries whatever the data (issue 21,
"a lighter request"), and a long list of choices is a completing text box, not a select of hundreds of options."""

import logging
import re

from playhouse.test_utils import count_queries

from tracker.forms.engagements import EngagementFilterForm
from tracker.reports import cache as report_cache
from tracker.reports import cost, journey, progress
from tracker.reports.filters import ReportFilters

from . import factories
from .conftest import field_error
from .test_engagements import listed


def queries(client, url):
    """The queries of one GET of `url` (after a warm-up, with the cached reports computed afresh)."""
    client.get(url)
    report_cache.clear()
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count, response


def test_engagement_page_makes_as_many_queries_with_2_and_20_meetings(demo, as_user):
    e = demo.engagement_a
    client = as_user(demo.isp_a1)  # a co-lead
    for i in range(2):
        factories.meeting(e, notes=f"Meeting {i}", competencies=["p20_co_learning"])
    few, _ = queries(client, f"/engagements/{e.id}")
    for i in range(2, 20):
        factories.meeting(e, notes=f"Meeting {i}", strategies=["audit_and_provide_feedback"])
    many, response = queries(client, f"/engagements/{e.id}")
    assert few == many
    assert 'Meetings and sessions <span class="count">20</span>' in response.get_data(as_text=True)


def test_filtered_list_makes_as_many_queries_with_2_and_20_engagements(demo, as_user):
    client = as_user(demo.leader_foundation)
    url = f"/engagements?status=active&unit_id={demo.unit_a.id}"

    def add(n):
        for _ in range(n):
            factories.meeting(factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_b], title="Added"))

    before = len(listed(client.get(url)))
    add(2)
    few, response = queries(client, url)
    assert len(listed(response)) == before + 2
    add(18)
    many, response = queries(client, url)
    assert few == many
    assert len(listed(response)) == min(25, before + 20)


def test_a_long_unit_list_is_a_completing_text_box_that_filters_by_name(app, as_user):
    admin = factories.user("admin")
    org = factories.organization("Agency")
    isps = [factories.user("isp"), factories.user("isp")]
    units = [factories.unit(org, f"Unit {i:03d}") for i in range(EngagementFilterForm.LONG_LIST + 1)]
    for unit in units:
        factories.engagement(unit, isps, title=f"Work of {unit.name}")
    client = as_user(admin)

    html = client.get("/engagements").get_data(as_text=True)
    assert '<select id="unit_id"' not in html  # no select of 51 units
    assert '<input type="search" id="unit_id" name="unit_id_name" list="unit_id-names"' in html
    assert html.count('<option value="Unit 0') == len(units)
    assert '<select id="isp_id"' in html  # two ISPs: still a select

    # A name typed (any case) filters as the unit's id does, and the box shows the unit in use.
    typed = client.get("/engagements?unit_id_name=unit+007+(agency)")
    assert listed(typed) == ["Work of Unit 007"]
    assert listed(client.get(f"/engagements?unit_id={units[7].id}")) == ["Work of Unit 007"]
    assert 'value="Unit 007 (Agency)"' in typed.get_data(as_text=True)
    chip = re.search(r'aria-label="Remove filter Unit: Unit 007 \(Agency\)"', typed.get_data(as_text=True))
    assert chip is not None
    # A name that is not offered filters nothing, and the box keeps it with a message next to it.
    unmatched = client.get("/engagements?unit_id_name=No+such+unit")
    assert len(listed(unmatched)) == 25
    html = unmatched.get_data(as_text=True)
    assert 'value="No such unit"' in html and 'aria-describedby="unit_id-error"' in html
    assert field_error(html, "unit_id") == (
        "No unit is named “No such unit”: pick a name from the list. This filter is not applied."
    )
    assert field_error(typed.get_data(as_text=True), "unit_id") is None


def test_portfolio_reports_bind_as_many_parameters_with_2_and_20_engagements(app, caplog):
    """The scope is a subquery: the reports never pass every engagement in scope as a bound parameter (SQLite
    refuses more than 32,766 of them: about 160 times the generated portfolio of scale 1)."""
    leader = factories.user("admin")
    isps = [factories.user("isp"), factories.user("isp")]

    def most_parameters():
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="peewee"):
            results = [
                progress.portfolio_progress(ReportFilters(user=leader)),
                cost.portfolio_cost(ReportFilters(user=leader)),
                journey.portfolio_journey(ReportFilters(user=leader)),
            ]
        queried = [r.msg for r in caplog.records if isinstance(r.msg, tuple)]
        assert queried and all(results)
        return max(len(params) for _sql, params in queried)

    def add(n):
        for _ in range(n):
            factories.meeting(factories.engagement(factories.unit(), isps, stage="exploration"), duration_minutes=60)

    add(2)
    few = most_parameters()
    add(18)
    assert most_parameters() == few
    assert len(progress.portfolio_progress(ReportFilters(user=leader))["rows"]) == 20
