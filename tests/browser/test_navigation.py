"""Navigation in Chromium: the header keeps to one row at 1280 px for every role (long names cut with an ellipsis),
the "Mine" filter of the one engagement list, the engagement report's Print button, and the audit log read by
axe-core."""

import re

from playwright.sync_api import expect

from tracker.models import User

from .helpers import check_a11y, sign_in

CHIP = re.compile(r"^Remove filter Only engagements I work on$")
LONG_NAME = "Maximiliana Alexandrovna Featherstonehaugh-Worthington"


def _header_is_one_row(page, who):
    """The brand and the account block sit on the same line, and the header row is one line high."""
    brand = page.locator(".site-header .brand").bounding_box()
    account = page.locator(".site-header .account").bounding_box()
    row = page.locator(".site-header .header-row").bounding_box()
    assert abs((brand["y"] + brand["height"] / 2) - (account["y"] + account["height"] / 2)) < 4, who
    assert row["height"] <= brand["height"] + 12, f"the header of {who} wraps: {row['height']}px high"
    assert account["x"] + account["width"] <= page.viewport_size["width"], who


def test_the_header_is_one_row_at_1280_for_every_role(page, site):
    w = site.world
    User.update(name=LONG_NAME).where(User.id == w.admin.id).execute()
    for who, role in (("isp_a1", "ISP"), ("leader_all", "Leader"), ("admin", "Admin"), ("recipient_a", "Recipient")):
        page.context.clear_cookies()
        sign_in(page, getattr(w, who))
        assert page.viewport_size["width"] == 1280
        tag = page.locator(".site-header .role-tag")
        expect(tag).to_have_text(role)
        assert tag.get_attribute("title"), who  # the full role, on hover
        _header_is_one_row(page, who)
    name = page.locator(".site-header .who-name")
    page.context.clear_cookies()
    sign_in(page, w.admin)
    assert name.evaluate("n => n.scrollWidth > n.clientWidth"), "a long name is cut (with an ellipsis)"
    assert name.evaluate("n => getComputedStyle(n).textOverflow") == "ellipsis"


def test_mine_is_one_click_from_the_engagement_list(page, site):
    w = site.world
    sign_in(page, w.isp_a2)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Engagements", exact=True).click()
    page.get_by_role("navigation", name="Which engagements").get_by_role("link", name="Mine").click()
    expect(page.get_by_role("checkbox", name="Only engagements I work on")).to_be_checked()
    chip = page.get_by_role("link", name=CHIP)
    expect(chip).to_be_visible()
    expect(page.get_by_role("link", name="Engagement A", exact=True)).to_be_visible()
    check_a11y(page, "the engagement list with Mine")
    chip.click()
    expect(page.get_by_role("checkbox", name="Only engagements I work on")).not_to_be_checked()
    expect(page.get_by_role("link", name=CHIP)).to_have_count(0)


def test_the_report_prints_from_its_button(page, site):
    w = site.world
    sign_in(page, w.isp_a1)
    page.goto(f"/reports/engagements/{w.engagement_a.id}")
    button = page.get_by_role("button", name="Print")
    expect(button).to_be_visible()  # print.js shows it
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    button.click()
    assert page.evaluate("() => window.printed") == 1
    expect(page.locator("#r-scores tr.not-reached").first).to_contain_text("—")
    page.emulate_media(media="print")
    expect(button).to_be_hidden()
    page.emulate_media(media="screen")
    check_a11y(page, "the engagement report")


def test_the_audit_log_passes_axe(page, site):
    w = site.world
    sign_in(page, w.admin)
    page.goto("/admin/audit")
    expect(page.get_by_role("heading", level=1, name="Audit log")).to_be_visible()
    expect(page.get_by_label("Engagement", exact=True)).to_be_visible()
    check_a11y(page, "the audit log")
    page.get_by_label("Engagement", exact=True).select_option(label="Engagement B")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="Engagement B").first).to_be_visible()
    check_a11y(page, "the audit log filtered by engagement")
