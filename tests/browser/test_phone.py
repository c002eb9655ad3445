"""The smallest phones (375 px, an iPhone SE or mini): the two pages most used on a phone fit the screen.
test_every_page.py checks every page at 390 px; this keeps the narrower width for the engagement page, with
what used to widen it (a team member with a long email address, deliverables whose actions carry hidden
text for screen readers), and for the feedback link a recipient opens from an email."""

import datetime as dt

from playwright.sync_api import expect

from tracker.models import Deliverable

from .. import factories
from ..feedback_helpers import invite
from .helpers import sign_in

PHONE = {"width": 375, "height": 800}


def assert_fits(page, where, phone=PHONE["width"]):
    width, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert window == phone, f"the window of {where} is {window}px wide, not {phone}px"
    assert width <= window, f"{where} is {width}px wide on a {window}px phone screen: it scrolls sideways"


def test_engagement_page_and_feedback_link_fit_a_small_phone(page, site, browser_context):
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

    sign_in(page, w.isp_a1)
    page.goto(f"/engagements/{e.id}")
    expect(page.get_by_role("heading", level=1, name=e.title)).to_be_visible()
    expect(page.get_by_text("nadia.petrova@brightstarthomevisitingnetwork-partners.example")).to_be_visible()
    expect(page.get_by_text("Supervisor coaching guide and observation checklist").first).to_be_visible()
    assert_fits(page, "the engagement page")

    (token,) = invite(site.app, e, kind="survey", emails=("jess.park@example.org",))
    answerer = browser_context().new_page()  # not signed in: the link is all they need
    answerer.set_viewport_size(PHONE)
    answerer.goto(f"/feedback/{token}")
    expect(answerer.get_by_role("button", name="Send my answers")).to_be_visible()
    assert_fits(answerer, "the feedback answer page")


# The boxes of .table-scroll that are wider than their content area, with what makes them reachable.
SCROLL_BOXES = """() => Array.from(document.querySelectorAll('.table-scroll'))
    .filter(box => box.scrollWidth > box.clientWidth + 1)
    .map(box => ({tabindex: box.getAttribute('tabindex'), role: box.getAttribute('role'),
                  name: box.getAttribute('aria-label') || box.getAttribute('aria-labelledby')}))"""


def test_a_table_too_wide_for_a_phone_scrolls_in_a_box_reached_by_keyboard(page, site):
    w = site.world
    factories.meeting(w.engagement_a, competencies=["p20_co_learning", "p20_brokering"])
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, w.leader_foundation)
    page.goto("/reports/progress")  # its stage tables are made by templates that leave the box to tables.js
    boxes = page.evaluate(SCROLL_BOXES)
    assert boxes, "no table is wider than a 390px phone on the progress report: pick a wider table"
    for box in boxes:
        assert box["tabindex"] == "0" and box["role"] == "region" and box["name"], box
    region = page.locator(".table-scroll[data-scroll-region]").first
    region.focus()
    page.keyboard.press("ArrowRight")  # the box scrolls (smoothly): wait until it has moved
    page.wait_for_function("box => box.scrollLeft > 0", arg=region.element_handle())

    page.set_viewport_size({"width": 1280, "height": 900})  # the tables fit: no extra stops in the tab order
    expect(page.locator(".table-scroll[data-scroll-region]")).to_have_count(len(page.evaluate(SCROLL_BOXES)))


def test_a_list_table_becomes_labelled_rows_on_a_phone(page, site):
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, site.world.admin)
    page.goto("/admin/users")
    cell = page.get_by_role("cell", name=site.world.recipient_a.email)
    expect(cell).to_be_visible()
    label = cell.evaluate("td => [getComputedStyle(td).display, getComputedStyle(td, '::before').content]")
    assert label == ["block", '"Email"'], f"the email cell on a phone is not a labelled row: {label}"
    assert_fits(page, "the user list", phone=390)

    page.set_viewport_size({"width": 1280, "height": 900})  # a desktop keeps the table
    assert cell.evaluate("td => getComputedStyle(td).display") == "table-cell"


def test_the_header_is_one_line_plus_navigation_on_a_phone(page, site):
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, site.world.leader_all)
    header = page.locator(".site-header")
    brand = header.get_by_role("link", name="Engagement Tracker").bounding_box()
    sign_out = header.get_by_role("button", name="Sign out").bounding_box()
    nav = header.get_by_role("navigation", name="Main").bounding_box()
    account = header.get_by_role("link", name="Liv Leader").bounding_box()
    assert abs(brand["y"] - sign_out["y"]) < brand["height"], f"Sign out is not beside the app's name: {sign_out}"
    assert nav["y"] >= brand["y"] + brand["height"], f"the navigation does not start below the first line: {nav}"
    assert account["y"] >= nav["y"], f"the account link is above the navigation: {account}"
    assert_fits(page, "the home page", phone=390)


def test_list_filters_fold_on_a_phone_and_stay_open_on_a_desktop(page, site):
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, site.world.isp_a1)
    page.goto("/engagements?status=active")
    panel = page.locator("details.filter-panel")
    expect(panel.locator("summary")).to_contain_text("Filters · 1 in use")
    expect(page.get_by_label("Title contains")).to_be_hidden()  # folded: the list comes first
    panel.locator("summary").click()
    expect(page.get_by_label("Title contains")).to_be_visible()
    assert_fits(page, "the engagement list with its filters open", phone=390)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/engagements")
    expect(page.get_by_label("Title contains")).to_be_visible()  # a desktop shows the fields
