"""JSON API: the parts of an engagement (team, goals, meetings, benchmarks, stage, deliverables, notes)."""

import datetime as dt

from tracker.models import (
    Benchmark,
    ContextNote,
    Deliverable,
    Goal,
    GoalStatusChange,
    Meeting,
    MeetingAttendee,
    MeetingCompetency,
    MeetingStrategy,
    NextStep,
    StageEntry,
    TeamMember,
)

from . import factories
from .api_helpers import Api

TODAY = dt.date.today().isoformat()
PARTS = ("team", "goals", "meetings", "benchmarks", "deliverables", "context-notes", "stage")


def test_every_part_follows_the_policy(client, demo):
    a = demo.engagement_a.id
    for part in PARTS:
        url = f"/engagements/{a}/{part}"
        assert Api(client, demo.recipient_a).get(url).status_code == 200, part
        assert Api(client, demo.recipient_b).get(url).status_code == 404, part
        assert Api(client, demo.isp_none).get(url).status_code == 404, part
        assert Api(client).get(url).status_code == 401, part
        if part != "benchmarks":
            assert Api(client, demo.recipient_a).post(url, {}).status_code == 403, part
            assert Api(client, demo.leader_foundation).post(url, {}).status_code == 403, part
            assert Api(client, demo.isp_b).post(url, {}).status_code == 404, part


def test_team(client, demo):
    api = Api(client, demo.isp_a1)
    url = f"/engagements/{demo.engagement_a.id}/team"
    response = api.post(url, {"name": "Sam Lead", "position": "senior_leader", "email": "sam@example.org"})
    assert response.status_code == 201
    assert TeamMember.get_by_id(response.get_json()["id"]).position == "senior_leader"
    bad = api.post(url, {"name": "", "position": "boss"})
    assert bad.status_code == 400 and {"name", "position"} <= set(bad.get_json()["error"]["fields"])
    assert TeamMember.select().count() == 1
    assert [m["name"] for m in api.get(url).get_json()["items"]] == ["Sam Lead"]


def test_goals_create_and_patch(client, demo):
    api = Api(client, demo.isp_a1)
    url = f"/engagements/{demo.engagement_a.id}/goals"
    response = api.post(url, {"title": "Fidelity checklist", "indicator": "used in 80%", "target": "June"})
    assert response.status_code == 201
    goal_id = response.get_json()["id"]
    assert api.post(url, {"title": ""}).status_code == 400
    patched = api.patch(f"{url}/{goal_id}", {"status": "in_progress", "note": "Started"})
    assert patched.status_code == 200 and patched.get_json()["status"] == "in_progress"
    assert GoalStatusChange.select().where(GoalStatusChange.goal == goal_id).count() == 2
    bad = api.patch(f"{url}/{goal_id}", {"status": "done"})
    assert bad.status_code == 400 and "status" in bad.get_json()["error"]["fields"]
    other = factories.goal(demo.engagement_b)
    assert api.patch(f"{url}/{other.id}", {"status": "achieved"}).status_code == 404
    assert Goal.get_by_id(other.id).status == "not_started"


def test_log_meeting_in_one_go(client, demo):
    e = demo.engagement_a
    member = factories.team_member(e)
    goal = factories.goal(e)
    benchmark = Benchmark.select().where(Benchmark.engagement == e.id).first()
    api = Api(client, demo.isp_a1)
    url = f"/engagements/{e.id}/meetings"
    payload = {
        "date": "2026-02-10",
        "kind": "monthly",
        "mode": "virtual",
        "duration_minutes": 90,
        "attendee_ids": [member.id],
        "isp_ids": [demo.isp_a1.id],
        "competencies": [],
        "strategies": [],
        "notes": "Good session",
        "next_steps": [{"text": "Draft plan", "owner": "Sam", "due_on": "2026-03-01"}],
        "goal_updates": [{"goal_id": goal.id, "status": "in_progress", "note": "Begun"}],
        "benchmarks_completed": [benchmark.id],
    }
    catalog = api.get("/catalog").get_json()
    payload["competencies"] = [catalog["competency_frameworks"][0]["domains"][0]["competencies"][0]["key"]]
    payload["strategies"] = [catalog["strategy_clusters"][0]["strategies"][0]["key"]]
    response = api.post(url, payload)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["competencies"] == payload["competencies"] and data["strategies"] == payload["strategies"]
    assert data["attendee_ids"] == [member.id] and data["benchmarks_completed"] == [benchmark.id]
    assert [s["text"] for s in data["next_steps"]] == ["Draft plan"]
    assert Goal.get_by_id(goal.id).status == "in_progress"
    assert Benchmark.get_by_id(benchmark.id).completed_on == dt.date(2026, 2, 10)
    meeting_id = data["id"]
    assert api.get(f"{url}/{meeting_id}").get_json()["notes"] == "Good session"
    patched = api.patch(f"{url}/{meeting_id}", {"notes": "Edited", "duration_minutes": 30})
    assert patched.status_code == 200, patched.get_json()
    stored = Meeting.get_by_id(meeting_id)
    assert (stored.notes, stored.duration_minutes) == ("Edited", 30)
    assert MeetingCompetency.select().where(MeetingCompetency.meeting == meeting_id).count() == 1
    assert NextStep.select().where(NextStep.meeting == meeting_id).count() == 1
    assert api.delete(f"{url}/{meeting_id}").status_code == 204
    assert Meeting.get_by_id(meeting_id).deleted_at is not None
    assert api.get(f"{url}/{meeting_id}").status_code == 404
    assert api.get(url).get_json()["total"] == 0


def test_log_meeting_refusals_write_nothing(client, demo):
    e = demo.engagement_a
    other_goal = factories.goal(demo.engagement_b)
    other_member = factories.team_member(demo.engagement_b)
    api = Api(client, demo.isp_a1)
    url = f"/engagements/{e.id}/meetings"
    tables = (Meeting, MeetingAttendee, MeetingCompetency, MeetingStrategy, NextStep, GoalStatusChange)
    before = [t.select().count() for t in tables]
    cases = (
        ({"kind": "monthly"}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "2026-02-10", "kind": "chat"}, "kind"),
        ({"date": "2026-02-10", "competencies": ["no_such_key"]}, "competencies"),
        ({"date": "2026-02-10", "strategies": "all"}, "strategies"),
        ({"date": "2026-02-10", "attendee_ids": [other_member.id]}, "attendee_ids"),
        ({"date": "2026-02-10", "goal_updates": [{"goal_id": other_goal.id, "status": "achieved"}]}, "goal_updates"),
        ({"date": "2026-02-10", "duration_minutes": "long"}, "duration_minutes"),
        ({"date": "2026-02-10", "next_steps": [{"owner": "x"}]}, "next_steps-0-text"),
    )
    for payload, field in cases:
        response = api.post(url, payload)
        assert response.status_code == 400, payload
        assert field in response.get_json()["error"]["fields"], (payload, response.get_json())
    assert [t.select().count() for t in tables] == before


def test_benchmarks_and_stage(client, demo):
    e = demo.engagement_a
    api = Api(client, demo.isp_a1)
    items = api.get(f"/engagements/{e.id}/benchmarks").get_json()["items"]
    assert items and all(b["stage"] == "exploration" for b in items)
    first = items[0]["id"]
    done = api.patch(f"/engagements/{e.id}/benchmarks/{first}", {"completed_on": "2026-02-01", "note": "Signed"})
    assert done.status_code == 200 and done.get_json()["completed_on"] == "2026-02-01"
    future = api.patch(f"/engagements/{e.id}/benchmarks/{first}", {"completed_on": "2999-01-01"})
    assert future.status_code == 400 and "completed_on" in future.get_json()["error"]["fields"]
    assert Benchmark.get_by_id(first).completed_on == dt.date(2026, 2, 1)
    other = Benchmark.create(engagement=demo.engagement_b, stage=Benchmark.get_by_id(first).stage_id, text="x")
    assert api.patch(f"/engagements/{e.id}/benchmarks/{other.id}", {"completed_on": None}).status_code == 404

    history = api.get(f"/engagements/{e.id}/stage").get_json()
    assert history["current"] == "exploration" and len(history["items"]) == 1
    moved = api.post(f"/engagements/{e.id}/stage", {"stage": "installation", "date": "2026-02-15"})
    assert moved.status_code == 201, moved.get_json()
    assert api.get(f"/engagements/{e.id}").get_json()["stage"] == "installation"
    count = StageEntry.select().count()
    for payload, field, status in (
        ({"stage": "nowhere"}, "stage", 400),
        ({"stage": "installation"}, "stage", 409),  # the current stage again: a conflict with the state (issue 17)
        ({"stage": "initial_implementation", "date": "2025-01-01"}, "date", 400),
    ):
        response = api.post(f"/engagements/{e.id}/stage", payload)
        assert response.status_code == status, payload
        assert field in response.get_json()["error"]["fields"]
    assert StageEntry.select().count() == count


def test_deliverables_and_context_notes(client, demo):
    e = demo.engagement_a
    api = Api(client, demo.isp_a2)
    response = api.post(
        f"/engagements/{e.id}/deliverables", {"title": "Practice profile", "kind": "other", "due_on": "2026-05-01"}
    )
    assert response.status_code == 201
    assert Deliverable.get_by_id(response.get_json()["id"]).due_on == dt.date(2026, 5, 1)
    bad = api.post(f"/engagements/{e.id}/deliverables", {"title": "", "kind": "x"})
    assert bad.status_code == 400 and {"title", "kind"} <= set(bad.get_json()["error"]["fields"])
    note = api.post(
        f"/engagements/{e.id}/context-notes", {"kind": "barrier", "domain": "individuals", "text": "Staff turnover"}
    )
    assert note.status_code == 201 and note.get_json()["noted_on"] == TODAY
    bad = api.post(f"/engagements/{e.id}/context-notes", {"kind": "barrier"})
    assert bad.status_code == 400 and {"domain", "text"} <= set(bad.get_json()["error"]["fields"])
    assert ContextNote.select().count() == 1
    assert api.get(f"/engagements/{e.id}/context-notes").get_json()["total"] == 1
