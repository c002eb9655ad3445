"""Goals of an engagement: add, edit, change status with a dated history, delete and restore.

On factories.small_world(): engagement A is co-led by isp_a1 and isp_a2; isp_b is on B and C only;
recipient_a belongs to A's unit, recipient_b to B's.
"""

import datetime as dt

import pytest

from tracker.dates import format_date
from tracker.models import AuditEntry, Goal, GoalStatusChange

from . import factories
from .conftest import field_error, post_form


def goals_url(engagement, tail="new"):
    return f"/engagements/{engagement.id}/goals/{tail}"


def page(client, engagement):
    response = client.get(f"/engagements/{engagement.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def goal_with_history(engagement, changed_on=dt.date(2026, 2, 1), status="not_started", **kwargs):
    goal = factories.goal(engagement, status=status, **kwargs)
    GoalStatusChange.create(goal=goal, status=status, changed_on=changed_on, note="Goal set.")
    return goal


def history(goal):
    return list(
        GoalStatusChange.select()
        .where(GoalStatusChange.goal == goal)
        .order_by(GoalStatusChange.changed_on, GoalStatusChange.id)
    )


def counts():
    return Goal.select().count(), GoalStatusChange.select().count()


# --- add --------------------------------------------------------------------------------------


def test_add_goal_records_the_initial_status_in_its_history(demo, as_user):
    client = as_user(demo.isp_a1)
    form = client.get(goals_url(demo.engagement_a)).get_data(as_text=True)
    assert "<h1>Add a goal</h1>" in form and '<option selected value="not_started">' in form
    assert f'href="/engagements/{demo.engagement_a.id}"' in form  # breadcrumb

    response = post_form(
        client,
        goals_url(demo.engagement_a),
        {
            "title": "Core components operationalized",
            "indicator": "Practice profile drafted and tested",
            "target": "Tested in 3 sites by June",
            "status": "not_started",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/engagements/{demo.engagement_a.id}#goals-h")
    goal = Goal.get(Goal.title == "Core components operationalized")
    assert (goal.engagement_id, goal.status, goal.indicator, goal.target) == (
        demo.engagement_a.id,
        "not_started",
        "Practice profile drafted and tested",
        "Tested in 3 sites by June",
    )
    [first] = history(goal)
    assert (first.status, first.changed_on, first.changed_by_id) == ("not_started", dt.date.today(), demo.isp_a1.id)
    assert AuditEntry.get((AuditEntry.entity == "Goal") & (AuditEntry.entity_id == goal.id)).action == "create"

    html = page(client, demo.engagement_a)
    assert "Goal “Core components operationalized” added." in html
    assert '<span class="badge badge-not_started">Not started</span>' in html
    assert "Practice profile drafted and tested" in html and "Tested in 3 sites by June" in html
    today = dt.date.today()
    assert f"{today.day} {today:%b %Y}: Not started" in html
    for tail in ("edit", "status", "delete"):
        assert f'href="/engagements/{demo.engagement_a.id}/goals/{goal.id}/{tail}"' in html


def test_add_goal_with_another_starting_status(demo, as_user):
    post_form(
        as_user(demo.isp_a2), goals_url(demo.engagement_a), {"title": "Scaling approach", "status": "in_progress"}
    )
    goal = Goal.get(Goal.title == "Scaling approach")
    assert goal.status == "in_progress" and [h.status for h in history(goal)] == ["in_progress"]


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"title": "", "indicator": "Kept indicator", "target": "Kept target", "status": "not_started"},
            "title",
            "Give the goal a title.",
        ),
        (
            {"title": "Kept title", "indicator": "Kept indicator", "target": "Kept target", "status": "finished"},
            "status",
            "Not a valid choice.",
        ),
        (
            {"title": "x" * 301, "indicator": "Kept indicator", "target": "Kept target", "status": "not_started"},
            "title",
            "At most 300 characters.",
        ),
    ],
)
def test_add_refuses_invalid_input(demo, as_user, data, field, message):
    before = counts()
    response = post_form(as_user(demo.isp_a1), goals_url(demo.engagement_a), data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in field_error(html, field)
    assert "Kept indicator</textarea>" in html and "Kept target</textarea>" in html
    assert counts() == before


# --- edit -------------------------------------------------------------------------------------


def test_edit_goal(demo, as_user):
    goal = goal_with_history(demo.engagement_a, title="Old title", indicator="Old indicator")
    client = as_user(demo.isp_a1)
    form = client.get(goals_url(demo.engagement_a, f"{goal.id}/edit")).get_data(as_text=True)
    assert 'value="Old title"' in form and "Old indicator</textarea>" in form
    response = post_form(
        client,
        goals_url(demo.engagement_a, f"{goal.id}/edit"),
        {"title": "New title", "indicator": "New indicator", "target": "New target"},
    )
    assert response.status_code == 302
    goal = Goal.get_by_id(goal.id)
    assert (goal.title, goal.indicator, goal.target, goal.status) == (
        "New title",
        "New indicator",
        "New target",
        "not_started",
    )
    assert len(history(goal)) == 1  # editing the text is not a status change
    assert "<strong>New title</strong>" in page(client, demo.engagement_a)


def test_edit_without_title_is_refused(demo, as_user):
    goal = goal_with_history(demo.engagement_a, title="Old title")
    response = post_form(
        as_user(demo.isp_a1),
        goals_url(demo.engagement_a, f"{goal.id}/edit"),
        {"title": " ", "indicator": "Typed indicator", "target": ""},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "title") == "Give the goal a title."
    assert "Typed indicator</textarea>" in html
    assert Goal.get_by_id(goal.id).title == "Old title"


# --- status -----------------------------------------------------------------------------------


def test_status_change_writes_dated_history_shown_on_the_page(demo, as_user):
    goal = goal_with_history(demo.engagement_a, title="Stage guidance used", changed_on=dt.date(2026, 1, 20))
    client = as_user(demo.isp_a2)
    form = client.get(goals_url(demo.engagement_a, f"{goal.id}/status")).get_data(as_text=True)
    assert '<option selected value="in_progress">' in form  # the next step is proposed
    assert f'value="{dt.date.today().isoformat()}"' in form

    response = post_form(
        client,
        goals_url(demo.engagement_a, f"{goal.id}/status"),
        {"status": "in_progress", "changed_on": "2026-02-10", "note": "Two sites started"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#goals-h")
    response = post_form(
        client,
        goals_url(demo.engagement_a, f"{goal.id}/status"),
        {"status": "revised", "changed_on": "2026-03-05", "reason": "replaced", "note": "Scope narrowed to one region"},
    )
    assert response.status_code == 302

    goal = Goal.get_by_id(goal.id)
    assert goal.status == "revised"
    assert [(h.status, h.changed_on, h.note) for h in history(goal)] == [
        ("not_started", dt.date(2026, 1, 20), "Goal set."),
        ("in_progress", dt.date(2026, 2, 10), "Two sites started"),
        ("revised", dt.date(2026, 3, 5), "Scope narrowed to one region"),
    ]
    html = page(client, demo.engagement_a)
    assert '<span class="badge badge-revised">Revised</span>' in html
    assert "10 Feb 2026: In progress — Two sites started" in html
    assert "5 Mar 2026: Revised (Replaced by another goal) — Scope narrowed to one region" in html
    html = html[html.index('id="goals-h"') :]  # the flash message above names the date too
    assert html.index("20 Jan 2026: Not started") < html.index("10 Feb 2026") < html.index("5 Mar 2026")


@pytest.mark.parametrize("status", ["revised", "dropped"])
def test_revised_or_dropped_without_a_reason_is_refused(demo, as_user, status):
    """Issue 23: the reason is asked (tests/test_goal_hygiene.py has the whole rule)."""
    goal = goal_with_history(demo.engagement_a)
    before = counts()
    response = post_form(
        as_user(demo.isp_a1),
        goals_url(demo.engagement_a, f"{goal.id}/status"),
        {"status": status, "changed_on": "2026-02-11", "note": "  "},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "reason") == f"Choose why the goal is {status}."
    assert f'<option selected value="{status}">' in html and 'value="2026-02-11"' in html
    assert counts() == before and Goal.get_by_id(goal.id).status == "not_started"


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"status": "in_progress", "changed_on": "2026-01-04", "note": "Typed note"},
            "changed_on",
            "Date must be between 5 Jan 2026 (the engagement's start) and today (%s).",
        ),
        (
            {"status": "in_progress", "changed_on": "0083-01-04", "note": "Typed note"},
            "changed_on",
            "Date must be between 1 Jan 1990 and 31 Dec 2100.",
        ),
        (
            {"status": "in_progress", "changed_on": "", "note": "Typed note"},
            "changed_on",
            "Enter the date of the change.",
        ),
        (
            {"status": "in_progress", "changed_on": "31/01/2026", "note": "Typed note"},
            "changed_on",
            "Enter a date as YYYY-MM-DD.",
        ),
        ({"status": "finished", "changed_on": "2026-02-05", "note": "Typed note"}, "status", "Not a valid choice."),
        ({"status": "", "changed_on": "2026-02-05", "note": "Typed note"}, "status", "Choose the new status."),
        (
            {"status": "not_started", "changed_on": "2026-02-05", "note": "Typed note"},
            "status",
            "On 5 Feb 2026 the goal is already “Not started” (since 1 Feb 2026); choose a different status.",
        ),
    ],
)
def test_status_change_refuses_invalid_input(demo, as_user, data, field, message):
    goal = goal_with_history(demo.engagement_a, changed_on=dt.date(2026, 2, 1))
    before = counts()
    response = post_form(as_user(demo.isp_a1), goals_url(demo.engagement_a, f"{goal.id}/status"), data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, field) == message.replace("%s", format_date(dt.date.today()))
    assert "Typed note</textarea>" in html
    assert counts() == before and Goal.get_by_id(goal.id).status == "not_started"


def test_same_day_as_the_last_change_is_accepted(demo, as_user):
    goal = goal_with_history(demo.engagement_a, changed_on=dt.date(2026, 2, 1))
    response = post_form(
        as_user(demo.isp_a1),
        goals_url(demo.engagement_a, f"{goal.id}/status"),
        {"status": "dropped", "changed_on": "2026-02-01", "reason": "lacking_capacity", "note": "Funding withdrawn"},
    )
    assert response.status_code == 302
    assert [h.status for h in history(goal)] == ["not_started", "dropped"]


# --- delete and restore -----------------------------------------------------------------------


def test_delete_asks_for_confirmation_then_soft_deletes(demo, as_user):
    goal = goal_with_history(demo.engagement_a, title="Goal to remove")
    client = as_user(demo.isp_a1)
    confirm = client.get(goals_url(demo.engagement_a, f"{goal.id}/delete"))
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "<h1>Delete this goal?</h1>" in html and "Goal to remove" in html
    assert f'action="/engagements/{demo.engagement_a.id}/goals/{goal.id}/delete"' in html
    assert f'href="/engagements/{demo.engagement_a.id}"' in html  # breadcrumb
    assert Goal.get_by_id(goal.id).deleted_at is None  # the GET changed nothing

    response = post_form(client, goals_url(demo.engagement_a, f"{goal.id}/delete"), {})
    assert response.status_code == 302
    goal = Goal.get_by_id(goal.id)
    assert goal.deleted_at is not None
    assert len(history(goal)) == 1  # kept for a restore
    entry = (
        AuditEntry.select()
        .where((AuditEntry.entity == "Goal") & (AuditEntry.entity_id == goal.id))
        .order_by(AuditEntry.id.desc())
        .first()
    )
    assert entry.action == "delete" and entry.user_id == demo.isp_a1.id
    html = page(client, demo.engagement_a)
    assert "Goal “Goal to remove” deleted." in html
    assert "<strong>Goal to remove</strong>" not in html
    # a deleted goal can no longer be changed
    assert client.get(goals_url(demo.engagement_a, f"{goal.id}/status")).status_code == 404
    assert client.get(goals_url(demo.engagement_a, f"{goal.id}/edit")).status_code == 404


def test_delete_without_csrf_token_is_refused(demo, as_user):
    goal = goal_with_history(demo.engagement_a)
    response = as_user(demo.isp_a1).post(goals_url(demo.engagement_a, f"{goal.id}/delete"), data={})
    assert response.status_code == 400
    assert Goal.get_by_id(goal.id).deleted_at is None


def test_admin_sees_deleted_goals_and_restores_one(demo, as_user):
    goal = goal_with_history(demo.engagement_a, title="Back again")
    goal.soft_delete()
    admin = as_user(demo.admin)
    listing = admin.get(goals_url(demo.engagement_a, "deleted"))
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "<h1>Deleted goals</h1>" in html and "Back again" in html
    assert f'action="/engagements/{demo.engagement_a.id}/goals/{goal.id}/restore"' in html
    assert f'href="/engagements/{demo.engagement_a.id}/goals/deleted"' in page(admin, demo.engagement_a)

    response = post_form(
        admin,
        goals_url(demo.engagement_a, f"{goal.id}/restore"),
        {},
        token_from=goals_url(demo.engagement_a, "deleted"),
    )
    assert response.status_code == 302
    assert Goal.get_by_id(goal.id).deleted_at is None
    entry = (
        AuditEntry.select()
        .where((AuditEntry.entity == "Goal") & (AuditEntry.entity_id == goal.id))
        .order_by(AuditEntry.id.desc())
        .first()
    )
    assert entry.action == "restore" and entry.user_id == demo.admin.id
    html = page(admin, demo.engagement_a)
    assert "<strong>Back again</strong>" in html and "1 Feb 2026: Not started" in html
    assert "No deleted goals." in admin.get(goals_url(demo.engagement_a, "deleted")).get_data(as_text=True)


def test_only_admins_restore(demo, as_user):
    goal = goal_with_history(demo.engagement_a)
    goal.soft_delete()
    isp = as_user(demo.isp_a1)
    assert isp.get(goals_url(demo.engagement_a, "deleted")).status_code == 403
    response = post_form(isp, goals_url(demo.engagement_a, f"{goal.id}/restore"), {}, token_from="/")
    assert response.status_code == 403
    assert Goal.get_by_id(goal.id).deleted_at is not None
    assert "/goals/deleted" not in page(isp, demo.engagement_a)


# --- ids from elsewhere, access ---------------------------------------------------------------


def test_goal_of_another_engagement_is_404(demo, as_user):
    other = goal_with_history(demo.engagement_c, title="Goal of C")
    client = as_user(demo.isp_a1)  # edits both A and C, but the goal belongs to C
    before = counts()
    for tail in ("edit", "status", "delete"):
        url = goals_url(demo.engagement_a, f"{other.id}/{tail}")
        assert client.get(url).status_code == 404
        response = post_form(
            client,
            url,
            {"title": "Hijacked", "status": "achieved", "changed_on": "2026-03-01", "note": "x"},
            token_from="/",
        )
        assert response.status_code == 404
    other = Goal.get_by_id(other.id)
    assert (other.title, other.status, other.deleted_at) == ("Goal of C", "not_started", None)
    assert counts() == before
    assert client.get(goals_url(demo.engagement_a, "999999/status")).status_code == 404


def test_read_only_page_has_no_goal_links(demo, as_user):
    goal_with_history(demo.engagement_a, title="Visible goal")
    html = page(as_user(demo.leader_foundation), demo.engagement_a)
    assert "<strong>Visible goal</strong>" in html
    assert "Add a goal" not in html and "/goals/new" not in html
    assert not any(
        f"/goals/{goal_id}/{tail}" in html
        for goal_id in Goal.select(Goal.id).scalars()
        for tail in ("status", "edit", "delete")
    )
    assert "/goals/" in html  # the goal's own page (its values and history) is for every reader


def test_empty_state_tells_editors_how_to_start(demo, as_user):
    html = page(as_user(demo.isp_a1), demo.engagement_a)
    assert "No goals set yet." in html and "indicators of progress" in html
    assert f'href="/engagements/{demo.engagement_a.id}/goals/new"' in html
    assert "Add a goal" not in page(as_user(demo.recipient_a), demo.engagement_a)


@pytest.mark.parametrize(
    "who, engagement, status",
    [
        ("recipient_a", "engagement_a", 403),  # own unit: may see, may not change
        ("recipient_a", "engagement_b", 404),  # another unit
        ("isp_b", "engagement_a", 404),  # an ISP not on the engagement
        ("isp_none", "engagement_a", 404),
        ("leader_foundation", "engagement_a", 403),
        ("leader_all", "engagement_a", 403),
    ],
)
def test_access(demo, as_user, who, engagement, status):
    engagement = getattr(demo, engagement)
    goal = goal_with_history(engagement)
    deleted = goal_with_history(engagement, title="Deleted")
    deleted.soft_delete()
    client = as_user(getattr(demo, who))
    before = counts()
    data = {"title": "Intruder", "status": "achieved", "changed_on": "2026-03-01", "note": "x"}
    for tail in ("new", f"{goal.id}/edit", f"{goal.id}/status", f"{goal.id}/delete", "deleted"):
        assert client.get(goals_url(engagement, tail)).status_code == status
    for tail in ("new", f"{goal.id}/edit", f"{goal.id}/status", f"{goal.id}/delete", f"{deleted.id}/restore"):
        assert post_form(client, goals_url(engagement, tail), data, token_from="/").status_code == status
    assert counts() == before
    goal = Goal.get_by_id(goal.id)
    assert (goal.title, goal.status, goal.deleted_at) == ("Core components written down", "not_started", None)
    assert Goal.get_by_id(deleted.id).deleted_at is not None


def test_anonymous_is_sent_to_sign_in(demo, client):
    goal = goal_with_history(demo.engagement_a)
    for tail in ("new", f"{goal.id}/edit", f"{goal.id}/status", f"{goal.id}/delete", "deleted"):
        response = client.get(goals_url(demo.engagement_a, tail))
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(goals_url(demo.engagement_a, f"{goal.id}/restore"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- dated history: backdating, correcting, removing -------------------------------------------


def test_a_goal_can_be_added_with_the_day_it_was_set(demo, as_user):
    client = as_user(demo.isp_a1)
    form = client.get(goals_url(demo.engagement_a)).get_data(as_text=True)
    assert 'id="set_on"' in form and f'value="{dt.date.today().isoformat()}"' in form
    response = post_form(
        client,
        goals_url(demo.engagement_a),
        {"title": "Intake protocol in use", "status": "in_progress", "set_on": "2026-02-01"},
    )
    assert response.status_code == 302
    goal = Goal.get(Goal.title == "Intake protocol in use")
    assert [(h.status, h.changed_on) for h in history(goal)] == [("in_progress", dt.date(2026, 2, 1))]


def test_a_backdated_change_takes_its_place_and_entries_are_corrected_and_removed_audited(demo, as_user):
    goal = goal_with_history(demo.engagement_a, changed_on=dt.date(2026, 2, 1))
    client = as_user(demo.isp_a1)
    base = goals_url(demo.engagement_a, f"{goal.id}")
    today = dt.date.today().isoformat()
    achieved = {"status": "achieved", "changed_on": today, "reason": "as_planned"}
    assert post_form(client, base + "/status", achieved).status_code == 302
    response = post_form(client, base + "/status", {"status": "in_progress", "changed_on": "2026-03-01"})
    assert response.status_code == 302  # before the latest change: no longer refused
    assert Goal.get_by_id(goal.id).status == "achieved"  # the latest-dated entry stays current
    entries = history(goal)
    assert [h.status for h in entries] == ["not_started", "in_progress", "achieved"]

    page_html = client.get(base + "/status").get_data(as_text=True)
    assert f"{base}/history/{entries[2].id}" in page_html and f"{base}/history/{entries[2].id}/remove" in page_html

    # correct the latest entry back into March: the status is recomputed from the history
    response = post_form(
        client,
        f"{base}/history/{entries[2].id}",
        {"status": "revised", "changed_on": "2026-02-15", "reason": "replaced", "note": "Typo"},
    )
    assert response.status_code == 302
    assert Goal.get_by_id(goal.id).status == "in_progress"
    assert [h.status for h in history(goal)] == ["not_started", "revised", "in_progress"]
    audit = AuditEntry.select().where(AuditEntry.entity == "GoalStatusChange").order_by(AuditEntry.id)
    assert [(a.action, a.entity_id, a.engagement_id) for a in audit] == [
        ("update", entries[2].id, demo.engagement_a.id)
    ]

    # remove needs a confirmation; the status follows the latest-dated entry left
    confirm = client.get(f"{base}/history/{entries[1].id}/remove").get_data(as_text=True)
    assert "Remove this history entry?" in confirm
    assert post_form(client, f"{base}/history/{entries[1].id}/remove", {}).status_code == 302
    assert Goal.get_by_id(goal.id).status == "revised"
    assert (
        AuditEntry.select().where((AuditEntry.entity == "GoalStatusChange") & (AuditEntry.action == "delete")).count()
    )


def test_the_last_entry_of_a_history_cannot_be_removed(demo, as_user):
    goal = goal_with_history(demo.engagement_a)
    entry = history(goal)[0]
    url = goals_url(demo.engagement_a, f"{goal.id}/history/{entry.id}/remove")
    response = post_form(as_user(demo.isp_a1), url, {})
    assert response.status_code == 400
    assert "keeps at least one entry" in response.get_data(as_text=True)
    assert counts() == (1, 1)


def test_a_change_in_a_meeting_keeps_the_meetings_date(demo, as_user):
    goal = goal_with_history(demo.engagement_a)
    meeting = factories.meeting(demo.engagement_a, dt.date(2026, 3, 3))
    change = goal.change_status("in_progress", meeting.date, meeting=meeting)
    response = post_form(
        as_user(demo.isp_a1),
        goals_url(demo.engagement_a, f"{goal.id}/history/{change.id}"),
        {"status": "in_progress", "changed_on": "2026-03-04", "note": "Typed"},
    )
    assert response.status_code == 400
    assert "change the meeting's date" in field_error(response.get_data(as_text=True), "changed_on")
    assert "Typed</textarea>" in response.get_data(as_text=True)
