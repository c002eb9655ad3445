"""Agreeing an implementation plan in Chromium (issue 19): a co-lead adds an item (a refusal first, shown next
to the field with the input kept), both co-leads agree to version 1, then the recipient team lead agrees on
the plan page, which then says "Agreed by all three"; axe-core finds nothing serious on the form or the page."""

from playwright.sync_api import expect

from .. import factories
from .helpers import check_a11y, sign_in


def test_co_leads_and_the_team_lead_agree_a_plan(site, page, browser_context):
    w = site.world
    e = w.engagement_a  # co-led by isp_a1 and isp_a2; recipient_a is of its unit
    factories.team_member(e, name="Jess Park", user=w.recipient_a, is_lead=True)

    sign_in(page, w.isp_a1)
    page.goto(f"/engagements/{e.id}")
    page.get_by_role("link", name="Build the implementation plan").click()
    page.get_by_label("Strategy or ISP activity").select_option(label="Coaching")
    page.get_by_label("Sessions a month").fill("1")
    page.get_by_label("Minutes per session").fill("60")
    page.get_by_label("Starts on").fill("2026-02-02")
    page.get_by_role("button", name="Add to the plan").click()  # nobody responsible yet: refused
    expect(page.locator("#responsible-error")).to_contain_text("Choose who is responsible")
    expect(page.get_by_label("Minutes per session")).to_have_value("60")  # the typed input kept
    check_a11y(page, "the plan item form with an error")
    page.get_by_label("Responsible").select_option(label=w.isp_a1.name)
    page.get_by_role("button", name="Add to the plan").click()
    expect(page.get_by_text("Plan item added")).to_be_visible()
    expect(page.locator("#plan-items").get_by_role("rowheader", name="Coaching")).to_be_visible()
    page.get_by_role("button", name="I agree to version 1").click()
    expect(page.get_by_text("Your agreement to version 1 recorded.")).to_be_visible()

    for user in (w.isp_a2, w.recipient_a):
        other = browser_context().new_page()
        sign_in(other, user)
        other.goto(f"/engagements/{e.id}/plan")
        other.get_by_role("button", name="I agree to version 1").click()
        expect(other.get_by_text("agreement to version 1 recorded.")).to_be_visible()
    expect(other.get_by_text("Agreed by all three")).to_be_visible()
    expect(other.get_by_role("link", name="Add an item")).to_have_count(0)  # the recipient reads the plan
    check_a11y(other, "the agreed plan page (recipient team lead)")
    other.get_by_text("Version 1 ·").click()  # the version's items, folded
    expect(other.locator("#version-1 details li")).to_contain_text("Coaching: monthly, 60 minutes")
