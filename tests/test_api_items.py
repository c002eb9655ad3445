"""JSON API: goals, benchmarks and meetings by their own id (the written contract of issue 17), with the
same policy and the same write as their paths under the engagement; goal and stage history paged like
every list; nested items of a meeting body refused when they carry an unknown field."""

import datetime as dt

from tracker.models import Benchmark, Goal, GoalStatusChange, Meeting, NextStep

from . import factories
from .api_helpers import Api, token_for

UTC = "+00:00"


def _headers(user, **extra):
    return {"Authorization": f"Bearer {token_for(user)}", **extra}


def _stored(meeting_id):
    m = Meeting.get_by_id(meeting_id)
    return m.notes, m.deleted_at


def test_a_meeting_by_its_id_follows_the_policy_of_its_engagement(client, demo):
    meeting = factories.meeting(demo.engagement_a, notes="Kept")
    url = f"/meetings/{meeting.id}"
    for user, read, write in (
        (demo.recipient_a, 200, 403),  # sees the engagement, may not change it
        (demo.isp_b, 404, 404),  # an ISP not on the engagement
        (demo.recipient_b, 404, 404),  # a recipient of another unit
    ):
        api = Api(client, user)
        assert api.get(url).status_code == read, user.email
        assert api.patch(url, {"notes": "Changed"}).status_code == write, user.email
        assert api.patch(url, {"no_such_field": 1}).status_code == write, user.email  # the policy before the body
        assert api.delete(url).status_code == write, user.email
        assert _stored(meeting.id) == ("Kept", None)
    assert Api(client, demo.isp_a1).get("/meetings/999999").status_code == 404


def test_an_isp_on_the_engagement_reads_changes_and_deletes_a_meeting_by_its_id(client, demo):
    e = demo.engagement_a
    member = factories.team_member(e)
    meeting = factories.meeting(e, notes="First")
    api = Api(client, demo.isp_a1)
    got = api.get(f"/meetings/{meeting.id}")
    assert got.status_code == 200
    body = got.get_json()
    assert body == api.get(f"/engagements/{e.id}/meetings/{meeting.id}").get_json()  # one representation
    assert got.headers["ETag"] == f'"{body["version"]}"'
    assert body["updated_at"].endswith(UTC) and body["created"].endswith(UTC)
    changed = api.patch(
        f"/meetings/{meeting.id}",
        {"notes": "Second", "attendee_ids": [member.id], "next_steps": [{"text": "Send the plan", "due_on": None}]},
    )
    assert changed.status_code == 200, changed.get_json()
    answer = changed.get_json()
    assert answer["notes"] == "Second" and answer["attendee_ids"] == [member.id]
    assert [s["text"] for s in answer["next_steps"]] == ["Send the plan"]
    assert answer["version"] == body["version"] + 1 and answer["date"] == meeting.date.isoformat()  # the rest kept
    assert api.delete(f"/meetings/{meeting.id}").status_code == 204
    assert Meeting.get_by_id(meeting.id).deleted_at is not None
    assert api.get(f"/meetings/{meeting.id}").status_code == 404
    assert api.get(f"/engagements/{e.id}/meetings/{meeting.id}").status_code == 404


def test_a_goal_changed_by_its_id(client, demo):
    e = demo.engagement_a
    made = Api(client, demo.isp_a1).post(f"/engagements/{e.id}/goals", {"title": "Checklist", "set_on": "2026-02-01"})
    assert made.status_code == 201
    goal_id = made.get_json()["id"]
    url = f"/goals/{goal_id}"
    for user, read, write in ((demo.recipient_a, 200, 403), (demo.isp_b, 404, 404), (demo.recipient_b, 404, 404)):
        api = Api(client, user)
        assert api.get(url).status_code == read, user.email
        assert api.patch(url, {"status": "achieved"}).status_code == write, user.email
    assert Goal.get_by_id(goal_id).status == "not_started"
    api = Api(client, demo.isp_a1)
    patched = api.patch(url, {"status": "in_progress", "changed_on": "2026-03-01", "note": "Begun", "title": "Renamed"})
    assert patched.status_code == 200, patched.get_json()
    answer = patched.get_json()
    assert (answer["status"], answer["title"]) == ("in_progress", "Renamed")
    assert answer["updated_at"].endswith(UTC) and answer["created"].endswith(UTC)
    assert api.get(url).get_json() == answer
    assert GoalStatusChange.select().where(GoalStatusChange.goal == goal_id).count() == 2
    blank = api.patch(url, {"title": " "})
    assert blank.status_code == 400 and blank.get_json()["error"]["fields"] == {"title": "Give the goal a title."}


def test_a_stale_if_match_on_the_goal_by_its_id_is_412_and_writes_nothing(client, demo):
    goal = factories.goal(demo.engagement_a, "Kept")
    url = f"/api/v1/goals/{goal.id}"
    headers = _headers(demo.isp_a1)
    etag = client.get(url, headers=headers).headers["ETag"]
    first = client.patch(url, json={"title": "First"}, headers={**headers, "If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] != etag
    stale = client.patch(url, json={"title": "Second"}, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412
    assert stale.headers["ETag"] == first.headers["ETag"]
    assert Goal.get_by_id(goal.id).title == "First"
    assert client.patch(url, json={"title": "Third"}, headers={**headers, "If-Match": "*"}).status_code == 200


def test_a_benchmark_completed_by_its_id(client, demo):
    e = demo.engagement_a
    benchmark = Benchmark.select().where(Benchmark.engagement == e.id).order_by(Benchmark.id).first()
    url = f"/benchmarks/{benchmark.id}"
    for user, read, write in ((demo.recipient_a, 200, 403), (demo.isp_b, 404, 404), (demo.recipient_b, 404, 404)):
        api = Api(client, user)
        assert api.get(url).status_code == read, user.email
        assert api.patch(url, {"completed_on": "2026-02-01"}).status_code == write, user.email
    assert Benchmark.get_by_id(benchmark.id).completed_on is None
    api = Api(client, demo.isp_a1)
    done = api.patch(url, {"completed_on": "2026-02-01", "note": "Signed"})
    assert done.status_code == 200, done.get_json()
    answer = done.get_json()
    assert (answer["completed_on"], answer["note"], answer["stage"]) == ("2026-02-01", "Signed", "exploration")
    assert answer["updated_at"].endswith(UTC)
    assert api.get(f"/engagements/{e.id}/benchmarks/{benchmark.id}").get_json() == answer
    missing = api.patch(url, {"note": "No date"})
    assert missing.status_code == 400 and "completed_on" in missing.get_json()["error"]["fields"]
    reopened = api.patch(url, {"completed_on": None})
    assert reopened.status_code == 200 and reopened.get_json()["completed_on"] is None
    assert reopened.get_json()["note"] == "Signed"  # left out: kept


def test_an_unknown_field_in_a_next_step_or_goal_update_is_refused_by_name(client, demo):
    e = demo.engagement_a
    goal = factories.goal(e)
    api = Api(client, demo.isp_a1)
    before = (Meeting.select().count(), NextStep.select().count())
    for payload, name in (
        ({"next_steps": [{"text": "Plan", "colour": "red"}]}, "next_steps-0-colour"),
        ({"next_steps": [{"text": "Plan"}, {"text": "More", "done": True}]}, "next_steps-1-done"),
        ({"goal_updates": [{"goal_id": goal.id, "status": "in_progress", "why": "x"}]}, "goal_updates-0-why"),
    ):
        response = api.post(f"/engagements/{e.id}/meetings", {"date": "2026-02-10", **payload})
        assert response.status_code == 400, payload
        error = response.get_json()["error"]
        assert error["fields"] == {name: "Unknown field."} and name in error["message"]
    meeting = factories.meeting(e)
    refused = api.patch(f"/meetings/{meeting.id}", {"next_steps": [{"text": "Plan", "colour": "red"}]})
    assert refused.status_code == 400 and "next_steps-0-colour" in refused.get_json()["error"]["fields"]
    assert (Meeting.select().count(), NextStep.select().count()) == (before[0] + 1, before[1])


def _paged(body, *extra):
    assert set(body) == {"items", "page", "per_page", "total", *extra}
    return body


def test_the_goal_history_by_the_goal_id_is_in_date_order_and_paged(client, demo):
    e = demo.engagement_a
    api = Api(client, demo.isp_a1)
    goal_id = api.post(f"/engagements/{e.id}/goals", {"title": "Checklist", "set_on": "2026-01-10"}).get_json()["id"]
    for status, day in (("achieved", "2026-04-01"), ("in_progress", "2026-02-01")):  # the later one entered first
        reason = "as_planned" if status == "achieved" else ""  # issue 23: achieving a goal says why
        assert (
            api.patch(f"/goals/{goal_id}", {"status": status, "changed_on": day, "reason": reason}).status_code == 200
        )
    history = _paged(api.get(f"/goals/{goal_id}/history").get_json(), "current")
    assert [(i["changed_on"], i["status"]) for i in history["items"]] == [
        ("2026-01-10", "not_started"),
        ("2026-02-01", "in_progress"),
        ("2026-04-01", "achieved"),
    ]
    assert history["total"] == 3 and history["current"] == "achieved" == Goal.get_by_id(goal_id).status
    assert api.get(f"/engagements/{e.id}/goals/{goal_id}/history").get_json() == history  # the nested path
    second = api.get(f"/goals/{goal_id}/history", page=2, per_page=1).get_json()
    assert (second["page"], second["per_page"], second["total"]) == (2, 1, 3)
    assert [i["status"] for i in second["items"]] == ["in_progress"] and second["current"] == "achieved"
    assert Api(client, demo.recipient_b).get(f"/goals/{goal_id}/history").status_code == 404
    assert Api(client, demo.recipient_a).get(f"/goals/{goal_id}/history").status_code == 200


def test_the_stage_history_is_paged_with_the_current_stage(client, demo):
    e = demo.engagement_a
    api = Api(client, demo.isp_a1)
    entered = api.post(f"/engagements/{e.id}/stage", {"stage": "installation", "date": "2026-02-15"})
    assert entered.status_code == 201 and entered.get_json()["stage"] == "installation"
    history = _paged(api.get(f"/engagements/{e.id}/stage").get_json(), "current")
    assert history["total"] == 2 and history["current"] == "installation"
    assert [i["stage"] for i in history["items"]] == ["exploration", "installation"]
    last = api.get(f"/engagements/{e.id}/stage", page=2, per_page=1).get_json()
    assert [i["date"] for i in last["items"]] == ["2026-02-15"] and last["total"] == 2
    assert api.get(f"/engagements/{e.id}/stage", per_page=0).status_code == 400


def test_every_part_answers_updated_at_in_utc_and_each_create_links_to_its_item(client, demo):
    e = demo.engagement_a
    api = Api(client, demo.isp_a1)
    today = dt.date.today().isoformat()
    for part, body in (
        ("team", {"name": "Sam Lead", "position": "manager"}),
        ("goals", {"title": "Goal"}),
        ("meetings", {"date": today}),
        ("deliverables", {"title": "Plan"}),
        ("context-notes", {"kind": "barrier", "domain": "individuals", "text": "Turnover"}),
    ):
        made = api.post(f"/engagements/{e.id}/{part}", body)
        assert made.status_code == 201, (part, made.get_json())
        assert made.get_json()["updated_at"].endswith(UTC), part
        listed = api.get(f"/engagements/{e.id}/{part}").get_json()["items"]
        assert all(item["updated_at"].endswith(UTC) for item in listed), part
    doc = client.get("/api/v1/openapi.json").get_json()
    operations = {op["operationId"]: op for ops in doc["paths"].values() for op in ops.values()}
    for create, target, parameter in (
        ("createGoal", "getGoal", "goal_id"),
        ("createMeeting", "getMeeting", "meeting_id"),
        ("addTeamMember", "getTeamMember", "member_id"),
        ("createDeliverable", "getDeliverable", "deliverable_id"),
        ("createContextNote", "getContextNote", "note_id"),
        ("enterStage", "listStageEntries", None),
    ):
        answer = operations[create]["responses"]["201"]
        link = next(link for link in answer["links"].values() if link["operationId"] == target)
        assert target in operations, target
        if parameter:
            assert link["parameters"][parameter] == "$response.body#/id"
        assert operations[create]["requestBody"]["content"]["application/json"]["example"], create
