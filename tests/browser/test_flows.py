"""The main flows, end to end in Chromium: what each person sees on screen, and axe-core on every main
page on the way. Each test starts from a fresh database with factories.small_world()."""

import csv
import datetime as dt
import re

from playwright.sync_api import expect

from tracker.models import (
    Competency,
    Meeting,
    MeetingAttendee,
    OutboxMessage,
    Strategy,
    SupportRequest,
)

from .. import factories
from .helpers import check_a11y, sign_in


def _seed_request(world, title="Coaching for new home visitors"):
    return SupportRequest.create(
        unit=world.unit_a,
        requested_by=world.recipient_a,
        title=title,
        description="A coaching routine for home visitors in their first year.",
        for_whom="Families with a newborn in the county.",
    )


# --- (1) a recipient submits a request ----------------------------------------------------------------


def test_recipient_submits_a_support_request(page, site):
    sign_in(page, site.world.recipient_a)
    expect(page.get_by_role("heading", level=1, name="My unit")).to_be_visible()
    check_a11y(page, "the recipient's home page")

    page.get_by_role("link", name="Request support").first.click()
    expect(page.get_by_role("heading", level=1, name="Request support")).to_be_visible()
    check_a11y(page, "the request form")

    # Submitting it empty says what is missing next to the fields, and keeps what was typed.
    page.get_by_label("Title").fill("Mentoring for new teachers")
    page.get_by_role("button", name="Submit the request").click()
    expect(page.locator("#description-error")).to_have_text("Describe the initiative you would like support with.")
    expect(page.get_by_label("Title")).to_have_value("Mentoring for new teachers")
    check_a11y(page, "the request form with errors")

    page.get_by_label("What is the initiative?").fill(
        "A mentoring programme pairing new teachers with experienced ones."
    )
    page.get_by_label("For whom?").fill("Teachers in their first two years.")
    page.get_by_label("On behalf of a partner or grantee").check()
    page.get_by_label("Partner or grantee", exact=True).fill("Riverside School District")
    page.get_by_role("button", name="Submit the request").click()

    expect(page.get_by_role("heading", level=1, name="Mentoring for new teachers")).to_be_visible()
    expect(page.get_by_text("Riverside School District").first).to_be_visible()
    check_a11y(page, "the request page")

    # The unit's home page lists it as submitted.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My unit").click()
    row = page.get_by_role("row").filter(has_text="Mentoring for new teachers")
    expect(row).to_contain_text("Submitted")


# --- (2) an ISP accepts a request and runs the engagement ---------------------------------------------


def test_isp_accepts_a_request_and_logs_the_work(page, site):
    w = site.world
    _seed_request(w)
    sign_in(page, w.isp_a1)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")).to_have_attribute(
        "aria-current", "page"
    )
    check_a11y(page, "the ISP's home page")

    # Accept the request: an engagement starts.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Request queue").click()
    check_a11y(page, "the request queue")
    page.get_by_role("link", name="Coaching for new home visitors").click()
    page.get_by_role("link", name="Accept and start an engagement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept the request and start an engagement")
    check_a11y(page, "the accept form")
    # each option names the ISP, then their load (tests/browser/test_team.py reads it): chosen by id
    page.get_by_label("First co-lead").select_option(value=str(w.isp_a1.id))
    page.get_by_label("Second co-lead").select_option(value=str(w.isp_b.id))
    page.get_by_role("button", name="Accept and start the engagement").click()
    expect(page.get_by_role("heading", level=1, name="Coaching for new home visitors")).to_be_visible()
    engagement_url = page.url
    check_a11y(page, "the engagement page")

    # A team member, with an email so that they can be asked for feedback.
    page.get_by_role("link", name="Add a team member").first.click()
    page.get_by_label("Name").fill("Morgan Diaz")
    page.get_by_label("Position").select_option(index=1)
    page.get_by_label("Email (optional)").fill("morgan.diaz@example.org")
    check_a11y(page, "the team member form")
    page.get_by_role("button", name="Add").click()
    expect(page.locator("#team-h").locator("xpath=..")).to_contain_text("Morgan Diaz")

    # A goal.
    page.get_by_role("link", name="Add a goal").first.click()
    page.get_by_label("Goal", exact=True).fill("Coaching routine written down")
    check_a11y(page, "the goal form")
    page.get_by_role("button", name="Add").click()
    expect(page.locator("#goals-h").locator("xpath=..")).to_contain_text("Coaching routine written down")

    # A monthly meeting, logged with the keyboard only.
    page.get_by_role("link", name="Log a monthly meeting").click()
    expect(page.get_by_role("heading", level=1, name="Log a meeting")).to_be_visible()
    check_a11y(page, "the meeting form")
    first_box = page.locator("input[name=competencies]").first
    first_box.focus()
    page.keyboard.press("Space")  # Space ticks the focused box
    page.keyboard.press("Tab")  # Tab moves to the next competency
    second_box = page.locator("input[name=competencies]").nth(1)
    expect(second_box).to_be_focused()
    page.keyboard.press("Space")
    expect(first_box).to_be_checked()
    expect(second_box).to_be_checked()
    competencies = [Competency.get_by_id(int(box.get_attribute("value"))).name for box in (first_box, second_box)]
    page.get_by_label("Morgan Diaz").focus()
    page.keyboard.press("Space")
    page.get_by_label("Filter strategies").focus()
    page.keyboard.type("coach")
    expect(page.locator("#strategy-filter-count")).to_contain_text("shown")
    hidden = page.locator("#strategy-list li[hidden]")
    assert hidden.count() > 0, "typing in the strategy filter hid no strategy"
    page.keyboard.press("Enter")  # Enter in the filter goes to the first match, it does not save
    first_match = page.locator("#strategy-list li:not([hidden]) input").first
    expect(first_match).to_be_focused()
    strategy = Strategy.get_by_id(int(first_match.get_attribute("value")))
    page.keyboard.press("Space")
    expect(first_match).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Control+Enter")

    # Saved: back on the engagement page, with the flash message and the meeting listed.
    expect(page.locator(".flash-success")).to_contain_text("logged.")
    assert Meeting.select().count() == 1
    page.locator("#meetings-h").locator("xpath=..").get_by_role("link", name=re.compile(r"^Monthly")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monthly")
    expect(page.locator(".tag-competency")).to_have_text(competencies)
    expect(page.locator(".tag-strategy")).to_have_text([strategy.name])
    expect(page.locator("#who-h").locator("xpath=..")).to_contain_text("Morgan Diaz")
    meeting_url = page.url
    check_a11y(page, "the meeting page")

    # Check off a benchmark of the Exploration stage.
    page.goto(engagement_url)
    stages = page.locator("#stages-h").locator("xpath=..")
    open_benchmarks = stages.get_by_role("link", name=re.compile(r"^Check off "))
    before = open_benchmarks.count()
    assert before > 0, "the new engagement's Exploration stage shows no benchmark to check off"
    benchmark_text = open_benchmarks.first.inner_text().removeprefix("Check off").strip()
    assert benchmark_text
    open_benchmarks.first.click()
    check_a11y(page, "the benchmark check-off form")
    page.get_by_label("Evidence").fill("Signed-off exploration summary.")
    page.get_by_role("button", name="Save").click()
    expect(stages.get_by_role("link", name=f"Change {benchmark_text}")).to_be_visible()
    expect(open_benchmarks).to_have_count(before - 1)

    # Send a pulse to the meeting's attendees: the page shows each link once.
    page.goto(meeting_url)
    page.get_by_role("link", name="Send a pulse to attendees").click()
    check_a11y(page, "the pulse form")
    page.get_by_role("button", name="Send the pulse").click()
    expect(page.get_by_role("heading", level=1, name="Pulse sent")).to_be_visible()
    assert page.url.endswith("/feedback/sent")  # post/redirect/get: a reload sends nothing
    expect(page.get_by_role("status")).to_contain_text("1 invitation created;")
    expect(page.get_by_label("Link for Morgan Diaz")).to_have_value(
        re.compile(r"^http://127\.0\.0\.1:\d+/feedback/\S+$")
    )
    check_a11y(page, "the pulse sent page")
    assert OutboxMessage.select().where(OutboxMessage.to_email == "morgan.diaz@example.org").count() == 1


# --- (3) a team member answers the pulse through its link ---------------------------------------------


def test_team_member_answers_a_pulse_through_the_link(page, site, browser_context):
    w = site.world
    member = factories.team_member(w.engagement_a, name="Jess Park", email="jess.park@example.org")
    meeting = factories.meeting(w.engagement_a, date=dt.date.today(), kind="monthly")
    MeetingAttendee.create(meeting=meeting, team_member=member)

    sign_in(page, w.isp_a1)
    page.goto(f"/engagements/{w.engagement_a.id}/meetings/{meeting.id}")
    page.get_by_role("link", name="Send a pulse to attendees").click()
    page.get_by_role("button", name="Send the pulse").click()
    link = page.get_by_label("Link for Jess Park").input_value()
    # The stored copy of the email never holds the link (only its hash is kept).
    stored = OutboxMessage.get(OutboxMessage.to_email == "jess.park@example.org")
    assert "[link hidden]" in stored.body

    answerer = browser_context().new_page()  # not signed in: the link is all they need
    answerer.goto(link)
    expect(answerer.get_by_role("heading", level=1, name="Three quick questions")).to_be_visible()
    expect(answerer.get_by_text(w.engagement_a.title).first).to_be_visible()
    check_a11y(answerer, "the feedback answer page")
    questions = answerer.locator("fieldset.likert")
    assert questions.count() == 3
    for i in range(questions.count()):
        questions.nth(i).locator("input[type=radio][value='4']").check()
    answerer.get_by_role("textbox").first.fill("The coaching plan helped us a lot.")
    answerer.get_by_role("button", name="Send my answers").click()
    expect(answerer.get_by_role("heading", level=1)).to_contain_text("Thank")
    check_a11y(answerer, "the feedback thanks page")

    # The link works once.
    answerer.goto(link)
    expect(answerer.get_by_role("heading", level=1, name="You have already answered, thank you")).to_be_visible()

    # The ISP sees the answer counted on the engagement's feedback page.
    page.goto(f"/engagements/{w.engagement_a.id}/feedback")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recipient feedback")
    expect(page.locator("#rate-h").locator("xpath=..")).to_contain_text("1 of 1 invitations answered.")
    check_a11y(page, "the engagement feedback page")


# --- (4) a leader lands on the dashboard, filters it, follows a figure, and exports it --------------------


def test_leader_filters_the_dashboard_and_downloads_the_csv(page, site):
    w = site.world
    w.engagement_a.request = SupportRequest.create(
        unit=w.unit_a, title="Coaching for supervisors", status="accepted", decided_at=dt.datetime(2026, 1, 5, 9)
    )
    w.engagement_a.save()
    factories.meeting(w.engagement_a, dt.date(2026, 1, 12))
    sign_in(page, w.leader_foundation)  # a leader's home is the portfolio dashboard
    expect(page.get_by_role("heading", level=1, name="Portfolio dashboard")).to_be_visible()
    expect(page.locator(".kpi").first).to_contain_text("need attention")  # "Needing attention" stays first
    kpi = page.locator(".kpi").filter(has_text="active engagements")
    expect(kpi.locator(".kpi-value")).to_have_text("2")  # units A and B of the foundation
    check_a11y(page, "the portfolio dashboard")

    # The filters are one line; the keyboard opens them.
    unit = page.get_by_label("Unit", exact=True)
    expect(unit).to_be_hidden()
    summary = page.locator(".filter-panel > summary")
    expect(summary).to_have_text(re.compile(r"All units · all dates\s+Edit filters"))
    summary.focus()
    page.keyboard.press("Enter")
    unit.select_option(label="Unit A")
    page.get_by_role("button", name="Apply filters").click()
    expect(kpi.locator(".kpi-value")).to_have_text("1")
    expect(summary).to_contain_text("Unit A · all dates")
    expect(unit).to_be_hidden()  # closed again, the chip says what is filtered
    expect(page.locator("#by-unit-table")).to_contain_text("Unit A")
    expect(page.locator("#by-unit-table")).not_to_contain_text("Unit B")
    check_a11y(page, "the filtered dashboard")

    # Requested against delivered: one figure, a chart or its table.
    funnel = page.locator("#funnel")
    expect(funnel.get_by_role("heading", name="Requested against delivered")).to_be_visible()
    expect(funnel.locator("canvas")).to_be_visible()
    expect(funnel.locator("#funnel-table")).to_be_hidden()
    funnel.get_by_role("button", name="Table").click()
    expect(funnel.get_by_role("button", name="Table")).to_have_attribute("aria-pressed", "true")
    expect(funnel.locator("#funnel-table")).to_be_visible()
    expect(funnel.locator("#funnel-table")).to_contain_text("First meeting held")
    expect(funnel.locator("canvas")).to_be_hidden()
    check_a11y(page, "the dashboard with the funnel as a table")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV (dashboard)").click()
    download = info.value
    assert download.suggested_filename.startswith("dashboard-") and download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["section", "key", "name", "value"]
    assert ["active engagements", "total", "All active engagements", "1"] in rows
    by_unit = [r for r in rows if r[0] == "active engagements by unit"]
    assert [r[2:] for r in by_unit] == [["Unit A", "1"]]

    # A figure leads to the list behind it, with the same number.
    kpi.click()
    expect(page.get_by_role("heading", level=1, name="Engagements")).to_be_visible()
    expect(page.locator("#list-h .count")).to_have_text("1")
    page.go_back()

    # Each chip removes its filter.
    page.locator(".filter-chips").get_by_role("link", name=re.compile(r"^Remove filter Unit: Unit A")).click()
    expect(kpi.locator(".kpi-value")).to_have_text("2")
    expect(page.locator(".filter-chips")).to_have_count(0)
    page.go_back()

    # The other report pages keep the filter, and pass axe too.
    for name, path in (
        ("Competencies", "/reports/competencies"),
        ("Strategies and dose", "/reports/strategies"),
        ("Progress", "/reports/progress"),
    ):
        page.get_by_role("navigation", name="Reports").get_by_role("link", name=name, exact=True).click()
        expect(page).to_have_url(re.compile(re.escape(path) + r"\?.*unit_id=" + str(w.unit_a.id)))
        expect(page.get_by_label("Unit", exact=True)).to_have_value(str(w.unit_a.id))
        check_a11y(page, f"the {name.lower()} report")


# --- (5) an admin edits a catalog entry ----------------------------------------------------------------


def test_admin_renames_a_strategy_in_the_catalog(page, site):
    sign_in(page, site.world.admin)
    check_a11y(page, "the admin's home page")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    check_a11y(page, "the admin page")
    page.get_by_role("link", name="Catalog").first.click()
    expect(page.get_by_role("heading", level=1, name="Catalog")).to_be_visible()
    check_a11y(page, "the admin catalog")

    strategy = Strategy.select().order_by(Strategy.id).first()
    page.locator("#strategies").get_by_role("link", name=strategy.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(strategy.name)
    check_a11y(page, "the catalog entry form")

    # A blank name is refused next to the field, nothing saved.
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#name-error")).to_be_visible()
    assert Strategy.get_by_id(strategy.id).name == strategy.name

    page.get_by_label("Name").fill("Coach the team through a first try")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1, name="Catalog")).to_be_visible()
    expect(page.locator("#strategies").get_by_role("link", name="Coach the team through a first try")).to_be_visible()
    # A rename is a new version: the earlier wording stays, marked, for the sessions that recorded it.
    earlier = (
        page.locator("#strategies li, #strategies tr")
        .filter(has_text="Earlier version")
        .filter(has=page.get_by_role("link", name=strategy.name, exact=True))
    )
    expect(earlier).to_have_count(1)
    expect(page.get_by_role("status")).to_contain_text("Renamed to “Coach the team through a first try”")
