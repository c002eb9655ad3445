"""Setting up an engagement on one page (issue 18): team members and goals as repeatable rows on the
new-engagement and accept-request pages, written with the engagement in one transaction; the requester
pre-filled as a team member; the triage questions and answers carried into the problem statement; the
success message at the top of the engagement page.

The world is factories.small_world(): units A and B of the Foundation, ISPs of the Implementation
Centre, recipients of units A and B, leaders, an admin.
"""

import datetime as dt
import html as htmllib

import pytest

from tracker.models import (
    Engagement,
    Goal,
    GoalStatusChange,
    NextStep,
    StageEntry,
    SupportRequest,
    TeamMember,
    ValidationError,
)
from tracker.services import requests as request_service

from . import factories
from .conftest import field_error, post_form
from .test_engagements import new_data as engagement_form
from .test_requests import accept_data as accept_form

TODAY = dt.date.today()


def text(response):
    return htmllib.unescape(response.get_data(as_text=True))


def counts():
    return (
        Engagement.select().count(),
        TeamMember.select().count(),
        Goal.select().count(),
        GoalStatusChange.select().count(),
        StageEntry.select().count(),
    )


def new_data(demo, **overrides):
    """The new-engagement form of tests/test_engagements.py, starting today (goals are set on the start)."""
    return engagement_form(
        demo, **{"start_date": TODAY.isoformat(), "end_date": "", "first_stage": "", "supporting": None, **overrides}
    )


def team_row(number, name="", position="", email=""):
    prefix = f"team_members-{number}-"
    return {prefix + "name": name, prefix + "position": position, prefix + "email": email}


def goal_row(number, title="", indicator="", target=""):
    prefix = f"goals-{number}-"
    return {prefix + "title": title, prefix + "indicator": indicator, prefix + "target": target}


def make_request(demo, **kwargs):
    kwargs.setdefault("description", "A mentoring programme for first-year teachers.")
    kwargs.setdefault("for_whom", "First-year teachers")
    return SupportRequest.create(unit=demo.unit_a, title="Mentoring", requested_by=demo.recipient_a, **kwargs)


def accept_data(demo, **overrides):
    """The accept form of tests/test_requests.py, starting today."""
    return accept_form(demo, **{"start_date": TODAY.isoformat(), "supporting": None, **overrides})


# --- the new-engagement page ---------------------------------------------------------------------


def test_new_engagement_page_offers_blank_team_and_goal_rows(demo, as_user):
    page = text(as_user(demo.isp_a1).get("/engagements/new"))
    assert "<legend>Implementation team</legend>" in page and "<legend>Implementation goals</legend>" in page
    for number in range(3):
        assert f'name="team_members-{number}-name"' in page
    assert 'name="team_members-3-name"' not in page
    assert 'name="goals-1-title"' in page and 'name="goals-2-title"' not in page
    assert "Add another team member" in page and "Add another goal" in page
    assert "Remove" in page and "js/repeat-rows.js" in page
    assert '<option value="">Choose a position…</option><option value="senior_leader">' in page


def test_engagement_its_team_and_goals_are_created_together(demo, as_user):
    client = as_user(demo.isp_a1)
    data = {
        **new_data(demo),
        **team_row(0, "Maria Lopez", "senior_leader", "Maria@Example.org"),
        **team_row(1),  # blank: skipped
        **team_row(2, "Sam Ortiz", "manager"),
        **goal_row(0, "Mentors trained in every district", "Districts with trained mentors", "10 of 10"),
        **goal_row(1),
    }
    response = post_form(client, "/engagements/new", data)
    assert response.status_code == 302
    engagement = Engagement.get(Engagement.title == "Scaling the mentoring program")
    members = list(TeamMember.select().where(TeamMember.engagement == engagement).order_by(TeamMember.id))
    assert [(m.name, m.position, m.email, m.joined_on) for m in members] == [
        ("Maria Lopez", "senior_leader", "maria@example.org", TODAY),
        ("Sam Ortiz", "manager", "", TODAY),
    ]
    goal = Goal.get(Goal.engagement == engagement)
    assert (goal.title, goal.indicator, goal.target, goal.status) == (
        "Mentors trained in every district",
        "Districts with trained mentors",
        "10 of 10",
        "not_started",
    )
    first = GoalStatusChange.get(GoalStatusChange.goal == goal)
    assert first.changed_on == TODAY and first.changed_by_id == demo.isp_a1.id
    page = text(client.get(response.headers["Location"]))
    assert "Engagement “Scaling the mentoring program” created." in page
    assert "Maria Lopez" in page and "Sam Ortiz" in page and "Mentors trained in every district" in page


def test_a_bad_row_writes_nothing_and_keeps_every_typed_row(demo, as_user):
    before = counts()
    data = {
        **new_data(demo),
        **team_row(0, "Maria Lopez", "senior_leader", "maria@example.org"),
        **team_row(1, "No Position Given"),
        **team_row(2, "Bad Email", "manager", "not-an-email"),
        **goal_row(0, "", "An indicator without a goal"),
        **goal_row(1, "Second goal kept"),
    }
    response = post_form(as_user(demo.isp_a1), "/engagements/new", data)
    assert response.status_code == 400
    assert counts() == before
    page = text(response)
    assert field_error(page, "team_members-1-position") == "Choose the person's position."
    assert field_error(page, "team_members-2-email")  # the model's email rule, next to the field
    assert field_error(page, "goals-0-title") == "Give the goal a title."
    assert field_error(page, "team_members-0-name") is None
    assert 'value="Maria Lopez"' in page and 'value="No Position Given"' in page and 'value="not-an-email"' in page
    assert "An indicator without a goal" in page and 'value="Second goal kept"' in page
    assert '<option selected value="senior_leader">Senior leader</option>' in page
    # the error summary names the row of each message and links to its field
    assert '<a href="#team_members-1-position">Team member 2: Choose the person\'s position.</a>' in page
    assert '<a href="#goals-0-title">Goal 1: Give the goal a title.</a>' in page


def test_rows_are_checked_even_when_the_engagement_itself_is_refused(demo, as_user):
    data = {**new_data(demo, title=""), **team_row(0, "", "manager", "x@example.org")}
    response = post_form(as_user(demo.isp_a1), "/engagements/new", data)
    page = text(response)
    assert response.status_code == 400
    assert field_error(page, "title") == "Give the engagement a title."
    assert field_error(page, "team_members-0-name") == "Enter the person's name."


def test_goals_wait_for_a_start_in_the_future(demo, as_user):
    later = TODAY + dt.timedelta(days=30)
    data = {**new_data(demo, start_date=later.isoformat()), **goal_row(0, "A goal too early")}
    before = counts()
    response = post_form(as_user(demo.isp_a1), "/engagements/new", data)
    assert response.status_code == 400 and counts() == before
    assert "add the goal once the engagement has started" in field_error(text(response), "goals-0-title")
    # the team may be set up before the start: members join on the start date
    data = {**new_data(demo, start_date=later.isoformat()), **team_row(0, "Early Member", "partner")}
    assert post_form(as_user(demo.isp_a1), "/engagements/new", data).status_code == 302
    assert TeamMember.get(TeamMember.name == "Early Member").joined_on == later


def test_edit_page_has_no_setup_rows(demo, as_user):
    response = post_form(as_user(demo.isp_a1), "/engagements/new", new_data(demo))
    engagement = Engagement.get(Engagement.title == "Scaling the mentoring program")
    assert response.status_code == 302
    page = text(as_user(demo.isp_a1).get(f"/engagements/{engagement.id}/edit"))
    assert "team_members-0-name" not in page and "repeat-rows.js" not in page


# --- the accept page ---------------------------------------------------------------------------


def test_accept_page_prefills_the_requester_and_the_triage_exchange(app, demo, as_user):
    req = make_request(demo)
    with app.app_context():  # each question and answer is mailed (mail.external_url)
        request_service.ask_for_information(req, "How many districts take part?", demo.isp_a1)
        request_service.answer_question(req, "Ten districts, starting with two.", demo.recipient_a)
        request_service.ask_for_information(req, "Who leads it in the unit?", demo.isp_b)
        request_service.answer_question(req, "The head of teacher development.", demo.recipient_a)
    page = text(as_user(demo.isp_a1).get(f"/requests/{req.id}/accept"))
    assert (
        "A mentoring programme for first-year teachers.\n\nFor whom: First-year teachers\n\n"
        "Question: How many districts take part?\nAnswer: Ten districts, starting with two.\n"
        "Question: Who leads it in the unit?\nAnswer: The head of teacher development." in page
    )
    assert f'name="team_members-0-name" type="text" value="{demo.recipient_a.name}"' in page
    assert f'value="{demo.recipient_a.email}"' in page
    assert '<option selected value="manager">Manager</option>' in page  # the team page's default position
    assert "The requester is pre-filled as a manager: correct their position, or remove them" in page
    assert 'name="team_members-1-name"' in page and 'name="goals-1-title"' in page


def test_accept_page_without_a_requester_has_blank_rows(demo, as_user):
    req = SupportRequest.create(unit=demo.unit_a, title="Anonymous", description="x", for_whom="y")
    page = text(as_user(demo.isp_a1).get(f"/requests/{req.id}/accept"))
    assert 'name="team_members-0-name" type="text" value=""' in page
    assert "The requester is pre-filled" not in page


def test_accept_writes_the_team_and_goals_with_the_engagement(demo, as_user):
    req = make_request(demo)
    client = as_user(demo.isp_a1)
    data = accept_data(
        demo,
        **team_row(0, demo.recipient_a.name, "manager", demo.recipient_a.email),
        **team_row(1, "Lee Park", "support_staff"),
        **goal_row(0, "A mentoring plan agreed", target="By June"),
    )
    response = post_form(client, f"/requests/{req.id}/accept", data)
    assert response.status_code == 302
    engagement = Engagement.get(Engagement.request == req.id)
    names = [m.name for m in TeamMember.select().where(TeamMember.engagement == engagement).order_by(TeamMember.id)]
    assert names == [demo.recipient_a.name, "Lee Park"]
    assert Goal.get(Goal.engagement == engagement).target == "By June"
    page = text(client.get(response.headers["Location"]))
    assert '<div class="flashes" role="status" id="flashes" tabindex="-1" data-flashes>' in page
    assert "Request accepted: the engagement “Mentoring at scale” has started." in page
    assert "Lee Park" in page and "A mentoring plan agreed" in page


def test_a_bad_row_on_accept_leaves_the_request_open(demo, as_user):
    req = make_request(demo)
    before = counts()
    data = accept_data(demo, **team_row(0, demo.recipient_a.name, "", demo.recipient_a.email), **goal_row(0, "Kept"))
    response = post_form(as_user(demo.isp_a1), f"/requests/{req.id}/accept", data)
    assert response.status_code == 400
    assert counts() == before and SupportRequest.get_by_id(req.id).status == "submitted"
    page = text(response)
    assert field_error(page, "team_members-0-position") == "Choose the person's position."
    assert f'value="{demo.recipient_a.name}"' in page and 'value="Kept"' in page


def test_the_requester_row_can_be_removed(demo, as_user):
    """Removing the requester's row (the script renumbers the rest) leaves them off the team."""
    req = make_request(demo)
    data = accept_data(demo, **team_row(0, "Only Other", "partner"))
    assert post_form(as_user(demo.isp_a1), f"/requests/{req.id}/accept", data).status_code == 302
    engagement = Engagement.get(Engagement.request == req.id)
    assert [m.name for m in TeamMember.select().where(TeamMember.engagement == engagement)] == ["Only Other"]


def test_the_service_takes_rows_as_the_api_would(app, demo):
    """Rows without a form's `row`: messages are keyed by their place in the list."""
    req = make_request(demo)
    data = {
        "title": "Via the service",
        "support_model": "co_creation",
        "start_date": TODAY,
        "co_lead_ids": [demo.isp_a1.id, demo.isp_b.id],
        "team_members": [{"name": "A", "position": "manager"}, {"name": "", "position": "manager"}],
        "goals": [{"title": "G"}],
    }
    with pytest.raises(ValidationError) as refused, app.app_context():
        request_service.accept_request(req, data, demo.isp_a1)
    assert refused.value.errors == {"team_members-1-name": "Enter the person's name."}
    assert not Engagement.select().where(Engagement.request == req.id).exists()
    data["team_members"].pop()
    with app.app_context():  # the requester's mail links to the engagement (mail.external_url)
        engagement = request_service.accept_request(req, data, demo.isp_a1)
    assert [g.title for g in engagement.goals] == ["G"] and [m.name for m in engagement.team] == ["A"]


# --- the meeting form: a next step's owner is chosen from the team and ISPs ----------------------------


def test_next_step_owner_is_chosen_from_the_team_and_isps(demo, as_user):
    factories.team_member(demo.engagement_a, "Morgan Diaz", "manager")
    page = text(as_user(demo.isp_a1).get(f"/engagements/{demo.engagement_a.id}/meetings/new"))
    start = page.index('id="next_steps-0-owner" name="next_steps-0-owner"')
    owner = page[start : page.index("</select>", start)]
    assert '<option value="">No owner yet</option>' in owner
    assert '<optgroup label="Implementation team"><option value="Morgan Diaz">Morgan Diaz</option></optgroup>' in owner
    assert f'<optgroup label="ISPs"><option value="{demo.isp_a1.name}">' in owner


def test_an_owner_recorded_as_typed_stays_on_its_row(demo, as_user):
    meeting = factories.meeting(demo.engagement_a, TODAY - dt.timedelta(days=3))
    NextStep.create(meeting=meeting, text="Send the plan", owner="Someone from before")
    client = as_user(demo.isp_a1)
    page = text(client.get(f"/engagements/{demo.engagement_a.id}/meetings/{meeting.id}/edit"))
    assert (
        '<optgroup label="Owner as recorded"><option selected value="Someone from before">'
        "Someone from before</option></optgroup>" in page
    )
