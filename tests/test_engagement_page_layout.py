"""The engagement page built around the next action (issue 18): sections with in-page navigation, the
meeting buttons at the top, Pause / Close / Delete in a "More actions" menu that leads to a confirmation
step, stages one per full-width row, and "Starts on …" for an engagement whose start is still ahead."""

import datetime as dt
import re

from tracker.models import Engagement, Meeting

from . import factories
from .conftest import post_form

SECTIONS = ["overview", "meetings", "goals", "stages", "team", "feedback", "power", "plan", "context", "deliverables"]


def page(client, e):
    response = client.get(f"/engagements/{e.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section_nav(html):
    start = html.index('<nav class="section-nav')
    return html[start : html.index("</nav>", start)]


def menu(html):
    start = html.index('<details class="more-actions">')
    return html[start : html.index("</details>", start)]


def shown(date):
    return date.strftime("%-d %b %Y")


def test_sections_are_listed_in_a_nav_and_each_link_lands_on_its_section(demo, as_user):
    html = page(as_user(demo.isp_a1), demo.engagement_a)
    nav = section_nav(html)
    assert 'aria-label="Sections of this page"' in nav
    anchors = re.findall(r'<a href="#([a-z]+)">', nav)
    assert anchors == SECTIONS + ["activity"]  # the activity log follows for those who may see it
    for anchor in anchors:
        assert html.count(f'id="{anchor}"') == 1, anchor  # no dead link, no ambiguous target
    # the sections come in the order of the nav
    positions = [html.index(f'<section class="card{" summary" if a == "overview" else ""}" id="{a}"') for a in SECTIONS]
    assert positions == sorted(positions)


def test_recipient_sees_the_nav_without_the_activity_log(demo, as_user):
    nav = section_nav(page(as_user(demo.recipient_a), demo.engagement_a))
    assert re.findall(r'<a href="#([a-z]+)">', nav) == SECTIONS


def test_meeting_buttons_come_first_and_status_changes_wait_in_a_menu(demo, as_user):
    e = demo.engagement_a
    html = page(as_user(demo.isp_a1), e)
    monthly = html.index(f'href="/engagements/{e.id}/meetings/new?kind=monthly">Log a monthly meeting</a>')
    session = html.index(f'href="/engagements/{e.id}/meetings/new?kind=planning">Log another session')
    assert monthly < session < html.index('id="overview"')  # above every section
    assert html.count("Log a monthly meeting</a>") == 1  # not repeated further down
    more = menu(html)
    assert "<summary" in more and "More actions</summary>" in more
    assert f'href="/engagements/{e.id}/status?action=pause">Pause the engagement…</a>' in more
    assert f'href="/engagements/{e.id}/status?action=close">Close the engagement…</a>' in more
    assert f'href="/engagements/{e.id}/delete">Delete the engagement…</a>' in more
    # outside the menu, no button pauses, closes or deletes
    outside = html.replace(more, "")
    assert (
        "action=pause" not in outside and "action=close" not in outside and f"/engagements/{e.id}/delete" not in outside
    )


def test_a_paused_engagement_shows_resume_beside_the_buttons_and_close_in_the_menu(demo, as_user):
    e = demo.engagement_a
    Engagement.update(status="paused").where(Engagement.id == e.id).execute()
    html = page(as_user(demo.isp_a1), e)
    more = menu(html)
    assert "action=resume" in html.replace(more, "") and "action=resume" not in more
    assert "action=close" in more and "action=pause" not in html


def test_readers_get_neither_the_buttons_nor_the_menu(demo, as_user):
    for who in ("recipient_a", "leader_foundation"):
        html = page(as_user(getattr(demo, who)), demo.engagement_a)
        assert "Log a monthly meeting" not in html and "more-actions" not in html


def test_close_and_delete_from_the_menu_ask_first_and_change_nothing_until_confirmed(demo, as_user):
    e = demo.engagement_a
    client = as_user(demo.isp_a1)
    more = menu(page(client, e))
    close_url = re.search(r'href="([^"]*action=close)"', more).group(1)
    delete_url = re.search(r'href="([^"]*/delete)"', more).group(1)

    close_page = client.get(close_url.replace("&amp;", "&")).get_data(as_text=True)
    assert "<h1>Close the engagement</h1>" in close_page and "Close the engagement</button>" in close_page
    delete_page = client.get(delete_url).get_data(as_text=True)
    assert "<h1>Delete this engagement?</h1>" in delete_page and "Delete the engagement</button>" in delete_page
    assert f'<a href="/engagements/{e.id}">Cancel</a>' in delete_page

    stored = Engagement.get_by_id(e.id)
    assert stored.status == "active" and stored.deleted_at is None
    assert "Engagement A" in page(client, e)

    # confirming is what changes it
    assert post_form(client, delete_url, {}).status_code == 302
    assert Engagement.get_by_id(e.id).deleted_at is not None


def test_log_another_session_offers_the_kind_last_logged(demo, as_user):
    e = demo.engagement_a
    client = as_user(demo.isp_a1)
    assert '/meetings/new?kind=planning">Log another session' in page(client, e)  # nothing logged yet
    factories.meeting(demo.engagement_c, date=dt.date(2026, 2, 3), kind="coaching", logged_by=demo.isp_a1)
    factories.meeting(e, date=dt.date(2026, 2, 4), kind="monthly", logged_by=demo.isp_a1)  # not a session
    factories.meeting(e, date=dt.date(2026, 2, 5), kind="debrief", logged_by=demo.isp_a2)  # someone else's
    html = page(client, e)
    assert f'href="/engagements/{e.id}/meetings/new?kind=coaching">Log another session' in html
    assert "(a coaching session to start with)" in html


def test_stages_are_full_width_rows(demo, as_user):
    html = page(as_user(demo.isp_a1), demo.engagement_a)
    stages = html[html.index('id="stages"') :]
    assert '<div class="stage-grid">' in stages and '<details class="stage-col current" open>' in stages
    css = as_user(demo.isp_a1).get("/static/css/engagements.css").get_data(as_text=True)
    assert ".engagement-sections .stage-grid { display: flex; flex-direction: column; align-items: stretch;" in css


def test_an_engagement_starting_later_says_when_it_starts(demo, as_user):
    start = dt.date.today() + dt.timedelta(days=20)
    e = factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], title="Starts later", start=start)
    assert e.starts_later
    client = as_user(demo.isp_a1)
    html = page(client, e)
    head = html[: html.index('id="overview"')]
    assert f'<span class="badge badge-active">Starts on {shown(start)}</span>' in head
    assert ">Active</span>" not in head
    assert f"<dd>Starts on {shown(start)}</dd>" in html
    assert "0 days" not in html
    # the engagement list says so too
    listing = client.get("/engagements").get_data(as_text=True)
    assert f"Starts on {shown(start)}</span>" in listing and f"starts on {shown(start)}</div>" in listing


def test_starts_later_is_false_once_the_day_comes_or_when_closed(demo):
    e = demo.engagement_a
    assert not e.starts_later  # started 5 Jan 2026
    e.start_date = dt.date.today()
    assert not e.starts_later
    e.start_date = dt.date.today() + dt.timedelta(days=1)
    assert e.starts_later
    e.status = "closed"
    assert not e.starts_later
    assert Meeting.last_session_kind(demo.isp_none) == "planning"
