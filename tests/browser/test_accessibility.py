"""Accessibility in the browser: axe-core finds no serious or critical violation on the main pages that
the flows (test_flows.py) do not visit, and keyboard focus is always visible."""

import datetime as dt

from playwright.sync_api import expect

from tracker.models import MeetingAttendee

from .. import factories
from .helpers import axe_violations, check_a11y, sign_in

# The focused element's outline and box-shadow, as the browser draws them.
FOCUS_STYLE = """() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    return {tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || el.name || '').trim().slice(0, 60),
            outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
            boxShadow: s.boxShadow, visible: !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)};
}"""


def _focus_is_drawn(style):
    return (style["outlineStyle"] != "none" and style["outlineWidth"] > 0) or style["boxShadow"] not in ("none", "")


def test_engagement_pages_with_content_pass_axe(page, site):
    w = site.world
    e = w.engagement_a
    member = factories.team_member(e, name="Jess Park", email="jess.park@example.org")
    factories.goal(e, indicator="Written routine", target="By March")
    meeting = factories.meeting(
        e, date=dt.date.today() - dt.timedelta(days=3), kind="monthly", competencies=[], strategies=[]
    )
    MeetingAttendee.create(meeting=meeting, team_member=member)

    sign_in(page, w.isp_a1)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Engagements", exact=True).click()
    expect(page.get_by_role("link", name="Engagement A")).to_be_visible()
    check_a11y(page, "the engagement list (ISP)")

    page.get_by_role("link", name="Engagement A").click()
    expect(page.get_by_role("heading", level=1, name="Engagement A")).to_be_visible()
    expect(page.locator("#team-h").locator("xpath=..")).to_contain_text("Jess Park")
    check_a11y(page, "the engagement page with a team, a goal and a meeting")

    page.goto(f"/engagements/{e.id}/meetings/{meeting.id}/edit")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_a11y(page, "the meeting edit form")

    page.goto(f"/reports/engagements/{e.id}")
    check_a11y(page, "the engagement report")

    page.goto(f"/engagements/{e.id}/feedback")
    check_a11y(page, "the engagement feedback page")


def test_leader_and_admin_lists_pass_axe(page, site, browser_context):
    w = site.world
    sign_in(page, w.leader_all)
    check_a11y(page, "the home page of a leader of every organization")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Engagements", exact=True).click()
    expect(page.get_by_role("link", name="Engagement C")).to_be_visible()
    check_a11y(page, "the engagement list (leader)")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Request queue").click()
    check_a11y(page, "the request queue (leader)")

    admin = browser_context().new_page()
    sign_in(admin, w.admin)
    admin.goto("/admin/users")
    expect(admin.get_by_role("heading", level=1)).to_be_visible()
    check_a11y(admin, "the admin user list")


def test_keyboard_focus_is_visible(page, site):
    page.goto("/login")
    expect(page.get_by_label("Email")).to_be_focused()  # the sign-in form starts on its first field
    for _ in range(4):  # Email, Password, Remember me, Sign in
        style = page.evaluate(FOCUS_STYLE)
        assert _focus_is_drawn(style), f"no visible focus on <{style['tag']}> {style['text']!r}: {style}"
        page.keyboard.press("Tab")

    # Back before the form: the brand link, then the skip link, which shows up on screen.
    page.get_by_label("Email").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    style = page.evaluate(FOCUS_STYLE)
    assert style["tag"] == "a" and style["text"] == "Skip to content", style
    box = page.get_by_role("link", name="Skip to content").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0, f"the focused skip link is off screen: {box}"
    assert _focus_is_drawn(style), f"no focus indicator on the skip link: {style}"

    # A signed-in page: the skip link, the main navigation (Search among it), the account link and Sign out.
    sign_in(page, site.world.isp_a1)
    # A page that opens with a message starts on it (flashes.js); from the top of the page, Tab goes through
    # the header first.
    page.get_by_role("link", name="Skip to content").focus()
    seen = []
    for _ in range(9):
        page.keyboard.press("Tab")
        style = page.evaluate(FOCUS_STYLE)
        seen.append(style["text"])
        assert _focus_is_drawn(style), f"no visible focus on <{style['tag']}> {style['text']!r}: {style}"
    assert "Engagements" in seen and "Sign out" in seen, seen


def test_axe_check_catches_a_missing_label(page, site):
    """The checker itself: a field that loses its label is reported (so a clean run means something)."""
    page.goto("/login")
    assert axe_violations(page) == []
    page.evaluate("() => document.querySelector('label[for=email]').remove()")
    found = axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
    assert "label" in {v["id"] for v in found}, found
