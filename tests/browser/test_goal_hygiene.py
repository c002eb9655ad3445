"""Goal hygiene in Chromium (issue 23): an administrator adds a goal template; an ISP adds a goal from it,
then marks it achieved: the reason is asked beside its field, then the open deliverable tied to the goal
asks to confirm; the history says why. axe-core finds nothing serious on the pages on the way."""

from playwright.sync_api import expect

from tracker.models import Deliverable, Goal

from .helpers import check_a11y, sign_in


def test_a_goal_from_a_template_is_closed_with_a_reason_and_a_confirmation(site, page):
    w = site.world
    e = w.engagement_a  # starts 5 Jan 2026

    sign_in(page, w.admin)
    page.goto("/admin/goal-templates")
    expect(page.get_by_text("No goal templates yet.")).to_be_visible()
    page.get_by_role("link", name="Add a goal template").click()
    page.get_by_label("Goal").fill("Data system in place")
    page.get_by_label("Indicator of progress").fill("Monthly data reviewed by the team")
    page.get_by_label("Default target").fill("By month 6")
    page.get_by_role("button", name="Add the template").click()
    expect(page.get_by_text("Goal template “Data system in place” added")).to_be_visible()
    check_a11y(page, "the goal templates page")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, w.isp_a1)
    page.goto(f"/engagements/{e.id}/goals/new")
    page.get_by_label("Start from a template").select_option(label="Data system in place")
    page.get_by_role("button", name="Fill the form").click()
    expect(page.get_by_label("Goal", exact=True)).to_have_value("Data system in place")
    expect(page.get_by_label("Target")).to_have_value("By month 6")
    check_a11y(page, "the add-goal page filled from a template")
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_text("Goal “Data system in place” added.")).to_be_visible()

    goal = Goal.get(Goal.title == "Data system in place")
    Deliverable.create(engagement=e, title="Data dashboard", goal=goal)  # open, tied to the goal
    page.goto(f"/engagements/{e.id}/goals/{goal.id}/status")
    page.get_by_label("New status").select_option("achieved")
    page.get_by_label("Note").fill("The team reviews its data monthly.")
    page.get_by_role("button", name="Save the new status").click()
    expect(page.locator("#reason-error")).to_have_text("Choose why the goal is achieved.")
    expect(page.get_by_label("Note")).to_have_value("The team reviews its data monthly.")  # kept
    check_a11y(page, "the status form with an error")

    page.get_by_label("Reason").select_option("as_planned")
    page.get_by_role("button", name="Save the new status").click()
    expect(page.locator("#confirm_open-error")).to_contain_text("1 open item is tied to this goal")
    page.get_by_label("Mark it achieved although open items are tied to it").check()
    page.get_by_role("button", name="Save the new status").click()
    expect(page.get_by_text("“Data system in place”: achieved from")).to_be_visible()
    expect(page.get_by_text("Achieved (Achieved as planned) — The team reviews its data monthly.")).to_be_visible()
