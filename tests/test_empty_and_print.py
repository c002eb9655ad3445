"""What people see before there is anything to show (each says what to do next, with a link), and
what a printed page says about itself (what was printed, when, by whom, with which filters)."""

import re

import pytest

from . import factories


@pytest.fixture
def newcomers(app):
    """A new unit with no requests or engagements, its recipient, an ISP and a leader with nothing yet."""
    org = factories.organization("New Trust")
    unit = factories.unit(org, "New Unit")
    centre = factories.organization("Centre", kind="intermediary")
    return {
        "recipient": factories.user("recipient", name="Nia New", unit=unit, organization=org),
        "isp": factories.user("isp", name="Ivo New", organization=centre),
        "leader": factories.user("leader", name="Lia New", organization=org),
    }


def empty_states(html):
    """[(message, [(href, link text)])] of the empty-state boxes on a page."""
    out = []
    for box in re.findall(r'<div class="empty-state">(.*?)</div>', html, re.DOTALL):
        message = re.search(r"<p>(.*?)</p>", box, re.DOTALL).group(1).strip()
        out.append((message, re.findall(r'<a class="empty-next" href="([^"]+)">([^<]+)</a>', box)))
    return out


def test_a_recipient_of_a_new_unit_is_pointed_to_request_support(newcomers, as_user):
    client = as_user(newcomers["recipient"])
    home = dict(empty_states(client.get("/").get_data(as_text=True)))
    assert home["Your unit has not requested support yet."] == [("/requests/new", "Request support")]
    assert home["Your unit has no engagements yet."] == [("/requests", "See your unit&#39;s support requests")]
    requests_page = dict(empty_states(client.get("/requests").get_data(as_text=True)))
    assert requests_page["Your unit has not requested support yet."] == [("/requests/new", "Request support")]


def test_an_isp_with_no_engagement_is_pointed_to_the_request_queue(newcomers, as_user):
    client = as_user(newcomers["isp"])
    home = dict(empty_states(client.get("/").get_data(as_text=True)))
    assert home["You are not on any engagement yet."] == [("/requests", "Open the request queue")]
    listing = dict(empty_states(client.get("/engagements/").get_data(as_text=True)))
    assert listing["No engagements yet."] == [("/requests", "Open the request queue")]
    competencies = dict(empty_states(client.get("/reports/competencies").get_data(as_text=True)))
    mine = ("/engagements?mine=1", "Go to your engagements to log a session")
    assert competencies["No sessions logged yet."] == [mine]


def test_a_leader_with_nothing_in_scope_is_not_told_about_triage(newcomers, as_user):
    client = as_user(newcomers["leader"])
    html = client.get("/requests").get_data(as_text=True)
    assert "nothing is waiting for triage" not in html
    assert "No support requests yet." in dict(empty_states(html))
    home = dict(empty_states(client.get("/", follow_redirects=True).get_data(as_text=True)))  # the dashboard
    assert home["Nothing to report yet."] == [("/requests", "Open the request queue")]


def test_an_empty_dashboard_says_so_once_and_where_to_start(newcomers, as_user):
    html = as_user(newcomers["leader"]).get("/reports/").get_data(as_text=True)
    states = dict(empty_states(html))
    assert states["Nothing to report yet."] == [("/requests", "Open the request queue")]
    assert "match these filters" not in html  # no filter is set: nothing to blame on filters


def test_a_filtered_dashboard_with_no_data_offers_to_clear_the_filters(newcomers, as_user):
    html = as_user(newcomers["isp"]).get("/reports/competencies?start=2020-01-01&end=2020-01-31").get_data(as_text=True)
    assert dict(empty_states(html))["No sessions match these filters."] == [
        ("/reports/competencies", "Clear the filters")
    ]


# --- printing ----------------------------------------------------------------------------------------


def print_header(html):
    match = re.search(r'<p class="print-only print-header">(.*?)</p>', html, re.DOTALL)
    return " ".join(match.group(1).split()) if match else None


def test_a_printed_engagement_report_says_what_it_is_when_and_by_whom(demo, as_user):
    demo.isp_a1.date_format = "iso"
    demo.isp_a1.save()
    html = as_user(demo.isp_a1).get(f"/reports/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    header = print_header(html)
    assert header.startswith("Report: Engagement A · Engagement Tracker · printed 20")
    assert re.search(r"printed \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by Ada ISP$", header)  # in the reader's date format


def test_a_printed_dashboard_lists_its_filters_in_words(demo, as_user):
    client = as_user(demo.admin)
    html = client.get(f"/reports/?unit_id={demo.unit_a.id}&start=2026-01-01").get_data(as_text=True)
    assert '<p class="print-only print-filters">Filters: Unit: Unit A; From 1 Jan 2026.</p>' in html
    assert print_header(client.get("/reports/").get_data(as_text=True)).startswith("Portfolio dashboard · ")
    assert "Filters: none (everything you may see)." in client.get("/reports/").get_data(as_text=True)
