"""Search in the browser (issue 23): the Search link in the main navigation opens the box, focused; a word
typed and sent with the keyboard finds a meeting
note's word, shows it marked, and one click opens the meeting; axe finds nothing serious, and at 390 px
the page has no sideways scroll."""

from playwright.sync_api import expect

from .. import factories
from .helpers import check_a11y, sign_in


def test_the_search_box_finds_a_meeting_note_and_opens_the_meeting(page, site):
    w = site.world
    factories.meeting(w.engagement_a, notes="The team chose the brambleton checklist for fidelity.")
    sign_in(page, w.isp_a1)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    box = page.get_by_role("search").get_by_label("Words to find")
    expect(box).to_be_focused()
    box.fill("brambleton")
    box.press("Enter")
    expect(page.get_by_role("heading", name="1 result for “brambleton”")).to_be_visible()
    expect(page.locator(".search-snippet mark")).to_have_text("brambleton")
    check_a11y(page, "the search results")
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="Monthly team meeting, 3 Feb 2026").click()
    expect(page.get_by_text("brambleton checklist")).to_be_visible()
