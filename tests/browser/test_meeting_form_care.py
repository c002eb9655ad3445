"""The meeting form's care for what an ISP types (issue 18), in Chromium: a refused form's error summary
takes the focus and its links lead into the fields; leaving a form with unsaved changes asks first (the
browser's own beforeunload question), a fresh or a submitted form never does; the engagement page's
sections nav and More actions menu, at 1280 px and at 390 px."""

import re

from playwright.sync_api import expect

from tracker.models import Meeting

from .. import factories
from .helpers import check_a11y, sign_in


def _meeting_form(browser_context, site):
    """A page on the meeting form of engagement A as its co-lead, recording the dialogs it raises (each
    dismissed: the person chooses to stay)."""
    page = browser_context.first.new_page()
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    factories.team_member(site.world.engagement_a, "Morgan Diaz", "manager")
    sign_in(page, site.world.isp_a1)
    page.goto(f"/engagements/{site.world.engagement_a.id}/meetings/new?kind=coaching")
    return page, dialogs


def test_error_summary_takes_the_focus_and_leads_to_the_field(browser_context, site):
    page, _dialogs = _meeting_form(browser_context, site)
    page.get_by_label("Owner").nth(1).select_option(label="Morgan Diaz")  # an owner without a next step
    page.get_by_role("button", name="Submit for review").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    link = summary.get_by_role("link", name=re.compile(r"^Next step 2: Describe the next step"))
    expect(link).to_be_visible()
    assert Meeting.select().count() == 0
    page.keyboard.press("Tab")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#next_steps-1-text")).to_be_focused()
    check_a11y(page, "the meeting form with its error summary")

    page.locator("#next_steps-1-text").fill("Share the draft with the team")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".flash-success")).to_have_text(re.compile(r"^Coaching session of .* logged\.$"))


def test_leaving_with_unsaved_changes_asks_first(browser_context, site):
    page, dialogs = _meeting_form(browser_context, site)
    form_url = page.url
    page.get_by_role("textbox", name="Notes").fill("Talked through the coaching plan.")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_timeout(300)  # the dialog is answered by the handler; the page stays
    assert dialogs == ["beforeunload"]
    assert page.url == form_url
    expect(page.get_by_role("textbox", name="Notes")).to_have_value("Talked through the coaching plan.")

    # saving never asks
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert dialogs == ["beforeunload"]

    # a fresh form, left untouched, lets the person go without a question
    page.goto(form_url)
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1, name="Engagement A")).to_be_visible()
    assert dialogs == ["beforeunload"]


def test_engagement_page_sections_nav_and_more_actions(browser_context, site):
    page, _dialogs = _meeting_form(browser_context, site)
    e = site.world.engagement_a
    page.goto(f"/engagements/{e.id}")
    nav = page.get_by_role("navigation", name="Sections of this page")
    expect(nav.get_by_role("link")).to_have_text(
        [
            "Overview",
            "Meetings",
            "Between meetings",
            "Goals",
            "Stages",
            "Team",
            "Feedback",
            "Power balance",
            "Plan and delivery",
            "Context",
            "Deliverables",
            "Activity",
        ]
    )
    nav.get_by_role("link", name="Deliverables").click()
    expect(page).to_have_url(re.compile(r"#deliverables$"))
    expect(nav).to_be_in_viewport()  # sticky on a wide screen

    menu = page.locator("details.more-actions")
    expect(menu.get_by_role("link", name="Delete the engagement…")).to_be_hidden()
    menu.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(menu.get_by_role("link", name="Delete the engagement…")).to_be_visible()
    check_a11y(page, "the engagement page with its menu open")
    menu.get_by_role("link", name="Close the engagement…").click()
    expect(page.get_by_role("heading", level=1, name="Close the engagement")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/engagements/{e.id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("link", name="Log a monthly meeting")).to_be_in_viewport()
