"""Setting up an engagement on one page (issue 18), in Chromium: an ISP accepts a request, finds the
requester pre-filled as a team member and the triage question and answer in the problem statement, adds
a second team member and a goal with the "Add another" buttons, removes a row, and lands on the
engagement page with the message in view and the team and goals listed."""

from playwright.sync_api import expect

from tracker.models import RequestEvent, SupportRequest

from .helpers import check_a11y, sign_in


def _answered_request(world):
    req = SupportRequest.create(
        unit=world.unit_a,
        requested_by=world.recipient_a,
        title="Coaching for new home visitors",
        description="A coaching routine for home visitors in their first year.",
        for_whom="Families with a newborn in the county.",
        info_question="How many home visitors take part?",
        info_answer="Twelve, in two teams.",
    )
    RequestEvent.record(req, "question", by=world.isp_a1, text="How many home visitors take part?")
    RequestEvent.record(req, "answer", by=world.recipient_a, text="Twelve, in two teams.")
    return req


def test_isp_sets_up_the_team_and_goals_while_accepting(page, site):
    w = site.world
    req = _answered_request(w)
    sign_in(page, w.isp_a1)
    page.goto(f"/requests/{req.id}/accept")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept the request and start an engagement")

    problem = page.get_by_label("Implementation problem")
    expect(problem).to_have_value(
        "A coaching routine for home visitors in their first year.\n\n"
        "For whom: Families with a newborn in the county.\n\n"
        "Question: How many home visitors take part?\nAnswer: Twelve, in two teams."
    )
    team = page.get_by_role("group", name="Implementation team", exact=True)
    first = team.get_by_role("group", name="Team member 1")
    expect(first.get_by_label("Name")).to_have_value(w.recipient_a.name)
    expect(first.get_by_label("Email (optional)")).to_have_value(w.recipient_a.email)
    expect(team.locator("[data-repeat-row]")).to_have_count(3)  # the requester and two blank rows

    # A fourth row with the button: cloned empty, renumbered, the focus in its first field.
    team.get_by_role("button", name="Add another team member").click()
    expect(team.locator("[data-repeat-row]")).to_have_count(4)
    fourth = team.get_by_role("group", name="Team member 4")
    expect(fourth.get_by_label("Name")).to_be_focused()
    expect(fourth.get_by_label("Name")).to_have_attribute("name", "team_members-3-name")
    page.keyboard.type("Morgan Diaz")
    fourth.get_by_label("Position").select_option(label="Support staff")
    # Removing the blank second row renumbers the rows after it.
    team.get_by_role("group", name="Team member 2").get_by_role("button", name="Remove team member 2").click()
    expect(team.locator("[data-repeat-row]")).to_have_count(3)
    expect(team.get_by_role("group", name="Team member 3").get_by_label("Name")).to_have_value("Morgan Diaz")
    expect(team.get_by_role("group", name="Team member 3").get_by_label("Name")).to_have_attribute(
        "name", "team_members-2-name"
    )

    goals = page.get_by_role("group", name="Implementation goals", exact=True)
    goals.get_by_role("group", name="Goal 1").get_by_label("Goal", exact=True).fill("Coaching routine written down")
    goals.get_by_role("button", name="Add another goal").click()
    goals.get_by_role("group", name="Goal 3").get_by_label("Goal", exact=True).fill("Every visitor coached monthly")
    check_a11y(page, "the accept form with added rows")

    # At triage each ISP's option also reads their load ("Cai ISP — co-leads 2, ..."): chosen by id
    page.get_by_label("Second co-lead").select_option(value=str(w.isp_b.id))
    page.get_by_role("button", name="Accept and start the engagement").click()

    expect(page.get_by_role("heading", level=1, name="Coaching for new home visitors")).to_be_visible()
    message = page.get_by_role("status").filter(has_text="Request accepted")
    expect(message).to_be_in_viewport()
    expect(message).to_be_focused()
    team_section = page.locator("#team")
    expect(team_section).to_contain_text(w.recipient_a.name)
    expect(team_section).to_contain_text("Morgan Diaz")
    goals_section = page.locator("#goals")
    expect(goals_section).to_contain_text("Coaching routine written down")
    expect(goals_section).to_contain_text("Every visitor coached monthly")
    expect(message).to_be_in_viewport()  # still there: nothing hides it
    check_a11y(page, "the engagement page after accepting")


def test_a_refused_row_on_the_new_engagement_page_is_summarised_and_kept(page, site):
    w = site.world
    sign_in(page, w.isp_a1)
    page.goto("/engagements/new")
    page.get_by_label("Unit", exact=True).select_option(label="Foundation · Unit A")
    page.get_by_label("Title", exact=True).fill("Peer coaching")
    page.get_by_label("Second co-lead").select_option(label="Cai ISP")
    team = page.get_by_role("group", name="Implementation team", exact=True)
    team.get_by_role("group", name="Team member 1").get_by_label("Name").fill("Jo Kim")  # no position chosen
    check_a11y(page, "the new-engagement form")
    page.get_by_role("button", name="Create engagement").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Team member 1: Choose the person's position.")
    link.click()
    position = team.get_by_role("group", name="Team member 1").get_by_label("Position")
    expect(position).to_be_focused()
    expect(team.get_by_role("group", name="Team member 1").get_by_label("Name")).to_have_value("Jo Kim")
    expect(page.get_by_label("Title", exact=True)).to_have_value("Peer coaching")
    check_a11y(page, "the refused new-engagement form")
