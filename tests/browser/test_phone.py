"""Phone widths (375 px, an iPhone SE or mini): the main pages fit the screen, with no sideways scrolling.
The engagement page gets what used to widen it: a team member with a long email address and
deliverables whose actions carry hidden text for screen readers."""

import datetime as dt

from playwright.sync_api import expect

from tracker.models import Deliverable

from .. import factories
from ..feedback_helpers import invite
from .helpers import sign_in

PHONE = {"width": 375, "height": 800}


def assert_fits(page, where):
    width, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert window == PHONE["width"], f"the window of {where} is {window}px wide, not {PHONE['width']}px"
    assert width <= window, f"{where} is {width}px wide on a {window}px phone screen: it scrolls sideways"


def test_main_pages_fit_a_phone_screen(page, site, browser_context):
    w = site.world
    e = w.engagement_a
    factories.team_member(
        e,
        name="Nadia Petrova",
        position="partner",
        email="nadia.petrova@brightstarthomevisitingnetwork-partners.example",
    )
    factories.goal(e, title="Supervisors coach to the practice profile")
    Deliverable.create(
        engagement=e,
        kind="tool_resource",
        due_on=dt.date(2026, 3, 1),
        title="Supervisor coaching guide and observation checklist",
    )
    page.set_viewport_size(PHONE)

    sign_in(page, w.leader_foundation)
    page.goto("/reports/")
    expect(page.get_by_role("heading", level=1, name="Portfolio dashboard")).to_be_visible()
    assert_fits(page, "the portfolio dashboard")

    page.context.clear_cookies()
    sign_in(page, w.isp_a1)
    page.goto(f"/engagements/{e.id}")
    expect(page.get_by_role("heading", level=1, name=e.title)).to_be_visible()
    expect(page.get_by_text("nadia.petrova@brightstarthomevisitingnetwork-partners.example")).to_be_visible()
    expect(page.get_by_text("Supervisor coaching guide and observation checklist").first).to_be_visible()
    assert_fits(page, "the engagement page")

    page.goto(f"/engagements/{e.id}/meetings/new?kind=monthly")
    expect(page.get_by_role("heading", level=1, name="Log a meeting")).to_be_visible()
    expect(page.get_by_label("New status for Supervisors coach to the practice profile")).to_be_visible()
    assert_fits(page, "the meeting form")

    (token,) = invite(site.app, e, kind="survey", emails=("jess.park@example.org",))
    answerer = browser_context().new_page()  # not signed in: the link is all they need
    answerer.set_viewport_size(PHONE)
    answerer.goto(f"/feedback/{token}")
    expect(answerer.get_by_role("button", name="Send my answers")).to_be_visible()
    assert_fits(answerer, "the feedback answer page")
