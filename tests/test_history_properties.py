"""Property tests: goal status histories and stage histories are dated events (docs/date-policy.md).

Random sequences of new (often backdated), corrected and removed entries, each sent through the
service, the pages or the API, always leave the history sorted by date, the current status (stage)
equal to the latest-dated entry (ties: the latest entered), and no valid date is ever refused because
of an earlier or later entry: no date locks the record.
"""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.models import GOAL_STATUSES, Goal, GoalStatusChange, Stage, StageEntry, keys, today
from tracker.services import goals as goal_service
from tracker.services import meetings as meeting_service
from tracker.services import stages as stage_service

from . import factories
from .api_helpers import Api
from .conftest import post_form

START = dt.date(2026, 1, 5)  # the factories' engagements start here
SPAN = (today() - START).days
STATUSES = keys(GOAL_STATUSES)
STAGES = ["exploration", "installation", "initial_implementation", "full_implementation"]

PATHS = st.sampled_from(["service", "page", "api"])
OPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "correct", "remove"]),
        PATHS,
        st.integers(0, SPAN),  # the day, as days after the start: always a valid date
        st.integers(0, 10),  # which status/stage, and which entry for correct/remove
    ),
    min_size=1,
    max_size=6,
)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def day_of(offset):
    return START + dt.timedelta(days=offset)


def ok(response):
    assert response.status_code in (200, 201, 204, 302), (response.status_code, response.get_data(as_text=True)[:2000])


# --- goals ------------------------------------------------------------------------------------------


def goal_status_to_set(goal, day, pick, exclude=None):
    """A status the goal may take on `day`: not the one already in effect then (revised may repeat)."""
    before = goal_service.status_on(goal, day, exclude)
    status = STATUSES[pick % len(STATUSES)]
    if before is not None and before.status == status and status != "revised":
        status = STATUSES[(pick + 1) % len(STATUSES)]
    return status


def why(status):
    """The reason a status asks for (issue 23): any of the list when achieved, dropped or revised."""
    return {"achieved": "as_planned", "dropped": "not_a_priority", "revised": "replaced"}.get(status, "")


def check_goal(goal, api):
    goal = Goal.get_by_id(goal.id)
    rows = list(GoalStatusChange.select().where(GoalStatusChange.goal == goal.id))
    latest = max(rows, key=lambda c: (c.changed_on, c.id))
    assert goal.status == latest.status
    shown = api.get(f"/engagements/{goal.engagement_id}/goals/{goal.id}/history").get_json()
    dates = [item["changed_on"] for item in shown["items"]]
    assert dates == sorted(dates)
    assert shown["current"] == goal.status == shown["items"][-1]["status"]


@SETTINGS
@given(ops=OPS)
def test_goal_history_stays_sorted_and_current_whatever_the_order(demo, as_user, client, ops):
    e = demo.engagement_a
    page, api = as_user(demo.isp_a1), Api(client, demo.isp_a1)
    goal = goal_service.add_goal(e, {"title": "Sites use the intake protocol"}, demo.isp_a1.id, START)
    base = f"/engagements/{e.id}/goals/{goal.id}"
    for op, path, offset, pick in ops:
        day = day_of(offset)
        entries = Goal.get_by_id(goal.id).dated_history()
        if op == "add":
            status = goal_status_to_set(goal, day, pick)
            if path == "service":
                goal_service.record_status_change(goal, status, day, "note", reason=why(status))
            elif path == "page":
                ok(
                    post_form(
                        page,
                        base + "/status",
                        {"status": status, "changed_on": day.isoformat(), "note": "n", "reason": why(status)},
                    )
                )
            else:
                ok(
                    api.patch(
                        base, {"status": status, "changed_on": day.isoformat(), "note": "n", "reason": why(status)}
                    )
                )
        elif op == "correct":
            entry = entries[pick % len(entries)]
            status = goal_status_to_set(goal, day, pick, exclude=entry)
            if path == "service":
                goal_service.correct_status_change(entry, status, day, "corrected", reason=why(status))
            elif path == "page":
                data = {"status": status, "changed_on": day.isoformat(), "note": "corrected", "reason": why(status)}
                ok(post_form(page, f"{base}/history/{entry.id}", data))
            else:
                data = {"status": status, "changed_on": day.isoformat(), "note": "corrected", "reason": why(status)}
                ok(api.patch(f"{base}/history/{entry.id}", data))
        elif len(entries) > 1:  # a goal keeps at least one entry
            entry = entries[pick % len(entries)]
            if path == "service":
                goal_service.remove_status_change(entry)
            elif path == "page":
                ok(post_form(page, f"{base}/history/{entry.id}/remove", {}))
            else:
                ok(api.delete(f"{base}/history/{entry.id}"))
        check_goal(goal, api)


def test_a_future_dated_change_is_refused_and_a_backdated_one_never_locks(demo):
    """Issue 15: a change dated next year was accepted and then refused every later change."""
    e = demo.engagement_a
    goal = goal_service.add_goal(e, {"title": "Practice profile tested"}, demo.isp_a1.id, START)
    goal_service.record_status_change(goal, "achieved", today(), "done", reason="as_planned")
    goal_service.record_status_change(goal, "in_progress", START + dt.timedelta(days=10), "started")
    goal = Goal.get_by_id(goal.id)
    assert goal.status == "achieved"  # the backdated change took its place, it did not become current
    assert [c.status for c in goal.dated_history()] == ["not_started", "in_progress", "achieved"]


def test_a_backdated_meeting_setting_a_goal_status_takes_its_place(demo):
    """Issue 15: a goal set today, then a meeting dated months earlier setting it In progress: the goal
    showed In progress while its history ended with Not started."""
    e = demo.engagement_a
    goal = goal_service.add_goal(e, {"title": "Coaching plan agreed"}, demo.isp_a1.id)  # set today
    earlier = START + dt.timedelta(days=30)
    data = {"date": earlier, "kind": "monthly", "mode": "virtual", "duration_minutes": 60}
    data["goal_changes"] = [{"goal_id": goal.id, "status": "in_progress", "note": "Started"}]
    meeting_service.log_meeting(e, data, demo.isp_a1)
    goal = Goal.get_by_id(goal.id)
    history = goal.dated_history()
    assert [(c.changed_on, c.status) for c in history] == [(earlier, "in_progress"), (today(), "not_started")]
    assert goal.status == history[-1].status == "not_started"


# --- stages -----------------------------------------------------------------------------------------


def stage_to_enter(engagement, day, pick, exclude=None):
    before = stage_service.entry_on(engagement, day, exclude)
    key = STAGES[pick % len(STAGES)]
    if before is not None and Stage.get_by_id(before.stage_id).key == key:
        key = STAGES[(pick + 1) % len(STAGES)]
    return key


def check_stages(engagement, api):
    engagement = type(engagement).get_by_id(engagement.id)
    rows = list(StageEntry.select().where(StageEntry.engagement == engagement.id))
    latest = max(rows, key=lambda s: (s.entered_on, s.id)) if rows else None
    assert engagement.current_stage_id == (latest.stage_id if latest else None)
    shown = api.get(f"/engagements/{engagement.id}/stage").get_json()
    dates = [item["date"] for item in shown["items"]]
    assert dates == sorted(dates)
    assert shown["current"] == (shown["items"][-1]["stage"] if shown["items"] else None)


@SETTINGS
@given(ops=OPS)
def test_stage_history_stays_sorted_and_current_whatever_the_order(demo, as_user, client, ops):
    e = factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], title="Property engagement")
    page, api = as_user(demo.isp_a1), Api(client, demo.isp_a1)
    base = f"/engagements/{e.id}/stage"
    for op, path, offset, pick in ops:
        day = day_of(offset)
        entries = e.stage_history()
        if op == "add" or not entries:
            key = stage_to_enter(e, day, pick)
            if path == "service":
                stage_service.move_to_stage(e, key, day, "note")
            elif path == "page":
                ok(post_form(page, base, {"stage": key, "entered_on": day.isoformat(), "note": "n"}))
            else:
                ok(api.post(base, {"stage": key, "date": day.isoformat(), "note": "n"}))
        elif op == "correct":
            entry = entries[pick % len(entries)]
            key = stage_to_enter(e, day, pick, exclude=entry)
            if path == "service":
                stage_service.correct_entry(e, entry, key, day, "corrected")
            elif path == "page":
                data = {"stage": key, "entered_on": day.isoformat(), "note": "corrected"}
                ok(post_form(page, f"{base}/{entry.id}", data))
            else:
                ok(api.patch(f"{base}/{entry.id}", {"stage": key, "date": day.isoformat(), "note": "corrected"}))
        else:
            entry = entries[pick % len(entries)]
            if path == "service":
                stage_service.remove_entry(e, entry)
            elif path == "page":
                ok(post_form(page, f"{base}/{entry.id}/remove", {}))
            else:
                ok(api.delete(f"{base}/{entry.id}"))
        e = type(e).get_by_id(e.id)
        check_stages(e, api)
