"""Goal hygiene (issue 23): closing (achieved), dropping or revising a goal asks for a reason, and a note
when the reason is "other" — on the goal page, in a meeting's goal rows and through the API, one rule
(models.reason_problems through services/goals.check_change); achieving a goal with open benchmarks or
deliverables tied to it asks to confirm; goal templates an administrator curates prefill a new goal."""

import datetime as dt

import pytest

from tracker.models import Benchmark, Deliverable, Goal, GoalStatusChange, GoalTemplate

from . import factories
from .api_helpers import Api
from .conftest import field_error, post_form
from .test_goals import goal_with_history, goals_url, history
from .test_meetings import full_data, new_url, w  # noqa: F401 (w: the meeting tests' fixture)
from .test_reports_exports import rows_of


def status_url(goal):
    return goals_url(Goal.get_by_id(goal.id).engagement, f"{goal.id}/status")


def entries():
    return GoalStatusChange.select().count()


# --- the reason, on the goal page -----------------------------------------------------------------


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"status": "achieved", "reason": ""}, "reason", "Choose why the goal is achieved."),
        ({"status": "dropped", "reason": ""}, "reason", "Choose why the goal is dropped."),
        ({"status": "revised", "reason": ""}, "reason", "Choose why the goal is revised."),
        ({"status": "dropped", "reason": "other", "note": "  "}, "note", "Say why in the note: the reason is “Other”."),
        (
            {"status": "in_progress", "reason": "replaced", "note": "Typed note"},
            "reason",
            "A goal in progress takes no reason: leave it empty.",
        ),
        ({"status": "dropped", "reason": "tired"}, "reason", "Not a valid choice."),
    ],
)
def test_a_change_without_its_reason_is_refused_beside_the_field_and_nothing_is_written(
    demo, as_user, data, field, message
):
    goal = goal_with_history(demo.engagement_a)
    before = entries()
    form = {"changed_on": "2026-02-11", "note": "Typed note", **data}
    response = post_form(as_user(demo.isp_a1), status_url(goal), form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, field) == message
    assert f'<option selected value="{data["status"]}">' in html and 'value="2026-02-11"' in html  # input kept
    assert entries() == before and Goal.get_by_id(goal.id).status == "not_started"


def test_the_reason_is_stored_shown_in_the_history_and_in_the_goals_csv(demo, as_user):
    goal = goal_with_history(demo.engagement_a, title="Coaching cadence agreed")
    client = as_user(demo.isp_a1)
    form = {"status": "dropped", "changed_on": "2026-02-11", "reason": "other", "note": "The unit merged."}
    assert post_form(client, status_url(goal), form).status_code == 302
    assert [(h.status, h.reason, h.note) for h in history(goal)] == [
        ("not_started", None, "Goal set."),
        ("dropped", "other", "The unit merged."),
    ]
    html = client.get(f"/engagements/{demo.engagement_a.id}/goals/{goal.id}").get_data(as_text=True)
    assert "11 Feb 2026: Dropped (Other) — The unit merged." in html
    rows = rows_of(client.get(f"/reports/goals-list.csv?engagement_id={demo.engagement_a.id}"))
    assert rows[0][-2:] == ["reason", "note"]
    assert ["Coaching cadence agreed", "dropped", "2026-02-11", "dropped", "other", "The unit merged."] == [
        rows[2][0],
        *rows[2][3:],
    ]


# --- open items tied to the goal ------------------------------------------------------------------


def test_achieving_a_goal_with_open_items_tied_to_it_asks_to_confirm(demo, as_user):
    e = demo.engagement_a
    goal = goal_with_history(e)
    # tied to the goal: an open deliverable, an open benchmark (2 open items), a delivered deliverable and a
    # deleted one (neither counts); a deliverable of the engagement not tied to the goal does not count.
    Deliverable.create(engagement=e, title="Practice profile", goal=goal)
    benchmark = Benchmark.select().where(Benchmark.engagement == e).first()
    Benchmark.update(goal=goal).where(Benchmark.id == benchmark.id).execute()
    Deliverable.create(engagement=e, title="Done guide", goal=goal, delivered_on=dt.date(2026, 2, 1))
    Deliverable.create(engagement=e, title="Gone", goal=goal).soft_delete()
    Deliverable.create(engagement=e, title="Untied")
    client = as_user(demo.isp_a1)
    page = client.get(status_url(goal)).get_data(as_text=True)
    assert "2 open items are tied to this goal:" in page and "Practice profile" in page

    form = {"status": "achieved", "changed_on": "2026-02-11", "reason": "as_planned", "note": "Typed note"}
    response = post_form(client, status_url(goal), form)
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "confirm_open").startswith("2 open items are tied to this goal")
    assert Goal.get_by_id(goal.id).status == "not_started"
    assert post_form(client, status_url(goal), {**form, "confirm_open": "y"}).status_code == 302
    assert Goal.get_by_id(goal.id).status == "achieved"


def test_a_deliverable_names_only_a_goal_of_its_own_engagement(demo, as_user):
    own = factories.goal(demo.engagement_a, "Own goal")
    other = factories.goal(demo.engagement_b, "Goal of B")
    client = as_user(demo.isp_a1)
    url = f"/engagements/{demo.engagement_a.id}/deliverables/new"
    assert f'<option value="{own.id}">Own goal</option>' in client.get(url).get_data(as_text=True)
    refused = post_form(client, url, {"title": "Guide", "kind": "other", "goal_id": str(other.id)})
    assert refused.status_code == 400 and "not available" in field_error(refused.get_data(as_text=True), "goal_id")
    assert post_form(client, url, {"title": "Guide", "kind": "other", "goal_id": str(own.id)}).status_code == 302
    assert Deliverable.get(Deliverable.title == "Guide").goal_id == own.id


# --- the meeting form's goal rows and the API -------------------------------------------------------


def test_a_meeting_row_that_drops_a_goal_without_a_reason_is_refused_beside_the_row(w, as_user):  # noqa: F811
    client = as_user(w.isp_a1)
    data = full_data(w, **{"goal_changes-0-status": "dropped", "goal_changes-0-note": "No time"})
    response = post_form(client, new_url(w.engagement_a), data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "goal_changes-0-reason") == "Choose why the goal is dropped."
    assert 'value="No time"' in html and entries() == 0

    data["goal_changes-0-reason"] = "lacking_capacity"
    assert post_form(client, new_url(w.engagement_a), data).status_code == 302
    (change,) = GoalStatusChange.select().where(GoalStatusChange.goal == w.goal.id)
    assert (change.status, change.reason, change.note) == ("dropped", "lacking_capacity", "No time")


def test_the_api_asks_the_same_reason_and_confirmation(demo, client):
    e = demo.engagement_a
    goal = goal_with_history(e)
    Deliverable.create(engagement=e, title="Practice profile", goal=goal)
    api = Api(client, demo.isp_a1)
    url = f"/goals/{goal.id}"
    refused = api.patch(url, {"status": "achieved", "changed_on": "2026-02-11"})
    assert refused.status_code == 400 and "Choose why the goal is achieved." in str(refused.get_json())
    refused = api.patch(url, {"status": "achieved", "changed_on": "2026-02-11", "reason": "as_planned"})
    assert refused.status_code == 400 and "1 open item is tied to this goal" in str(refused.get_json())
    assert entries() == 1
    done = api.patch(
        url, {"status": "achieved", "changed_on": "2026-02-11", "reason": "as_planned", "confirm_open": True}
    )
    assert done.status_code == 200 and done.get_json()["status"] == "achieved"
    items = api.get(f"/engagements/{e.id}/goals/{goal.id}/history").get_json()["items"]
    assert [(i["status"], i["reason"]) for i in items] == [("not_started", None), ("achieved", "as_planned")]


# --- goal templates -----------------------------------------------------------------------------------


def test_an_admin_adds_edits_and_retires_goal_templates_offered_when_adding_a_goal(demo, as_user):
    admin = as_user(demo.admin)
    refused = post_form(admin, "/admin/goal-templates/new", {"title": "  ", "indicator": "Typed indicator"})
    assert refused.status_code == 400
    assert field_error(refused.get_data(as_text=True), "title") == "Give the goal template a title."
    assert "Typed indicator</textarea>" in refused.get_data(as_text=True) and GoalTemplate.select().count() == 0

    form = {"title": "Data system in place", "indicator": "Monthly data reviewed", "target": "By month 6"}
    assert post_form(admin, "/admin/goal-templates/new", form).status_code == 302
    template = GoalTemplate.get()
    edited = {**form, "target": "By month 9", "version": str(template.version)}
    assert post_form(admin, f"/admin/goal-templates/{template.id}/edit", edited).status_code == 302
    assert GoalTemplate.get_by_id(template.id).target == "By month 9"
    listing = admin.get("/admin/goal-templates").get_data(as_text=True)
    assert 'data-export="goal-templates"' in listing and "By month 9" in listing

    isp = as_user(demo.isp_a1)
    new_goal = goals_url(demo.engagement_a)
    assert f'<option value="{template.id}">Data system in place</option>' in isp.get(new_goal).get_data(as_text=True)
    filled = isp.get(f"{new_goal}?template={template.id}").get_data(as_text=True)
    assert 'value="Data system in place"' in filled and "Monthly data reviewed</textarea>" in filled
    assert "By month 9</textarea>" in filled

    assert post_form(admin, f"/admin/goal-templates/{template.id}/retire", {}).status_code == 302
    assert GoalTemplate.get_by_id(template.id).retired
    assert "Data system in place" not in isp.get(new_goal).get_data(as_text=True)
    assert 'value="Data system in place"' not in isp.get(f"{new_goal}?template={template.id}").get_data(as_text=True)
    assert as_user(demo.isp_a1).get("/admin/goal-templates").status_code == 403
