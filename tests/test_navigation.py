"""Navigation: one engagement list with a "Mine" filter, one name for the request queue, a short role label in
the header, and the printable engagement report."""

import re

from tracker.models import Engagement

from . import factories
from .test_engagements import listed

NAV_RE = re.compile(r'<nav class="main-nav" aria-label="Main">(.*?)</nav>', re.S)


def nav_links(html):
    """The main menu's link texts, in order (tags dropped: the Search link is an icon with its name hidden)."""
    links = re.findall(r"<a [^>]*>(.*?)</a>", NAV_RE.search(html).group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in links]


# --- one engagement list, with "Mine" ---------------------------------------------------------------


def test_mine_keeps_the_engagements_the_reader_co_leads_or_supports(demo):
    supported = factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], supporting=[demo.isp_b], title="Helped")
    mine = Engagement.filtered(Engagement.live(), mine=demo.isp_b.id)
    assert sorted(e.title for e in mine) == ["Engagement B", "Engagement C", supported.title]


def test_an_isp_menu_has_one_engagement_list(demo, as_user):
    html = as_user(demo.isp_a1).get("/engagements").get_data(as_text=True)
    assert nav_links(html) == ["Home", "My work", "Engagements", "Request queue", "Reports", "Search"]


def test_mine_is_a_url_an_isp_can_open_and_a_chip_to_remove(demo, as_user):
    client = as_user(demo.isp_a2)
    response = client.get("/engagements?mine=1")
    assert response.status_code == 200
    assert sorted(listed(response)) == ["Engagement A", "Engagement B"]
    html = response.get_data(as_text=True)
    assert 'id="mine" name="mine" type="checkbox" value="1"' in html and "checked" in html
    assert re.search(
        r'<a class="chip" href="/engagements" aria-label="Remove filter Only engagements I work on">', html
    )
    assert '<a href="/engagements?mine=1" aria-current="true">Mine</a>' in html


def test_mine_combines_with_the_other_filters_and_each_chip_removes_one(demo, as_user):
    client = as_user(demo.isp_a2)
    html = client.get(f"/engagements?mine=1&unit={demo.unit_b.id}").get_data(as_text=True)
    assert listed(client.get(f"/engagements?mine=1&unit={demo.unit_b.id}")) == ["Engagement B"]
    chips = dict(
        (text, href.replace("&amp;", "&"))
        for href, text in re.findall(r'<a class="chip" href="([^"]*)"[^>]*>(.*?)<span', html)
    )
    assert chips == {
        "Only engagements I work on": f"/engagements?unit_id={demo.unit_b.id}",
        "Unit: Unit B (Foundation)": "/engagements?mine=1",
    }
    assert ">Clear all</a>" in html


def test_mine_is_not_offered_to_a_leader_and_ignored(demo, as_user):
    client = as_user(demo.leader_all)
    response = client.get("/engagements?mine=1")
    assert sorted(listed(response)) == ["Engagement A", "Engagement B", "Engagement C"]
    html = response.get_data(as_text=True)
    assert "Only engagements I work on" not in html and 'class="chip"' not in html


def test_an_isp_on_no_engagement_sees_why_mine_is_empty(demo, as_user):
    html = as_user(demo.isp_none).get("/engagements?mine=1").get_data(as_text=True)
    assert "You do not work on any engagement yet." in html
    assert '<a class="empty-next" href="/engagements">See all the engagements you can see</a>' in html


# --- one name for the request queue, a short role in the header ------------------------------------


def test_the_request_queue_has_one_name_in_menu_title_and_breadcrumbs(demo, as_user):
    for who in ("isp_a1", "leader_all", "admin"):
        html = as_user(getattr(demo, who)).get("/requests").get_data(as_text=True)
        assert "Request queue" in nav_links(html), who
        assert "<title>Request queue · Engagement Tracker</title>" in html, who
        assert '<span aria-current="page">Request queue</span>' in html, who
        assert "<h1>Request queue</h1>" in html, who
        assert ">Support requests<" not in html, who  # no link or heading under another name


def test_a_recipient_sees_your_requests(demo, as_user):
    html = as_user(demo.recipient_a).get("/requests").get_data(as_text=True)
    assert nav_links(html)[:3] == ["My unit", "My work", "Your requests"]
    assert "<h1>Your requests</h1>" in html
    assert "Request queue" not in html


def test_the_header_shows_a_short_role_with_the_full_one_as_its_title(demo, as_user):
    html = as_user(demo.isp_a1).get("/engagements").get_data(as_text=True)
    assert '<span class="who-name">Ada ISP</span>' in html
    assert '<span class="role-tag" title="Implementation support practitioner">ISP</span>' in html
    admin = as_user(demo.admin).get("/engagements").get_data(as_text=True)
    assert '<span class="role-tag" title="Administrator">Admin</span>' in admin


# --- the printable engagement report ------------------------------------------------------------------


def test_the_report_has_a_print_button_shown_by_its_script(demo, as_user):
    html = as_user(demo.isp_a1).get(f"/reports/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    assert '<button type="button" class="button primary" data-print hidden>Print</button>' in html
    assert '<script src="/static/js/print.js" defer></script>' in html
    assert "onclick" not in html  # the CSP forbids inline script


def test_stages_not_reached_show_a_dash_not_zero_of_zero(demo, as_user):
    html = as_user(demo.isp_a1).get(f"/reports/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    table = html.split('id="r-scores"', 1)[1].split("</table>", 1)[0]
    rows = {
        re.sub(r"<[^>]+>", "", cells[0]): [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells[1:]]
        for cells in (re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr.*?</tr>", table, re.S))
        if cells
    }
    assert rows["Installation"] == ["— not reached"] * 5  # first entered, days, SIC duration, benchmarks, proportion
    assert rows["Exploration"][0] != "— not reached"
    assert "0 of 0" not in table and '<span class="visually-hidden">not reached</span>' in table


def test_a_leaders_menu_has_no_second_link_to_the_dashboard(demo, as_user):
    """A leader's home is the dashboard, so "Reports" is their one link to it (the brand still leads home)."""
    html = as_user(demo.leader_all).get("/reports/").get_data(as_text=True)
    assert nav_links(html) == ["My work", "Engagements", "Request queue", "Reports", "Search"]
