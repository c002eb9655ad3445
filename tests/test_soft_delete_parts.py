"""Soft delete with restore for every part of an engagement, and ids that are never reused.

What was seen: delete the newest context note (#29), add another: it was #29 too, so the audit log
held two different "ContextNote #29" and the deleted one could not be restored. Context notes and
deliverables were deleted for good. Now every part (team memberships, goals, meetings, benchmarks,
deliverables, context notes, next steps, feedback responses) is soft-deleted through its page and the
API, leaves every read, and is restored by an administrator from the engagement's "Deleted parts"
page; the Activity shows both events. Runs on SQLite and (bin/with-postgres) PostgreSQL.
"""

import datetime as dt
import html
import json
import pathlib
import re

import pytest

from tracker import research
from tracker.audit import acting_as
from tracker.catalog import load_defaults
from tracker.db import database, is_sqlite
from tracker.models import (
    MODELS,
    AuditEntry,
    Benchmark,
    ContextNote,
    DataVersion,
    Deliverable,
    FeedbackResponse,
    Goal,
    GoalStatusChange,
    Meeting,
    MeetingAttendee,
    NextStep,
    SchemaVersion,
    Stage,
    StageEntry,
    TeamMember,
)
from tracker.models.base import Audited
from tracker.reports import progress
from tracker.reports.filters import ReportFilters
from tracker.schema import migrate as schema_migrate
from tracker.schema import migration_modules
from tracker.services import feedback as feedback_service
from tracker.services import goals as goal_service
from tracker.services import stages as stage_service

from . import factories
from .api_helpers import Api
from .conftest import post_form
from .feedback_helpers import respond


def stage():
    return Stage.ordered().first()


# One entry per kind: how to make one, its words on the engagement page, its delete page and API
# DELETE (None where the part has none), and the API list that must leave it out.
def _make_member(e, n):
    return factories.team_member(e, name=f"Member number {n}", email=f"member{n}@example.org")


def _make_goal(e, n):
    return factories.goal(e, title=f"Goal number {n}")


def _make_meeting(e, n):
    return factories.meeting(e, date=dt.date(2026, 2, n), notes=f"Meeting number {n}")


def _make_benchmark(e, n):
    return Benchmark.create(engagement=e, stage=stage(), text=f"Benchmark number {n}", position=100 + n)


def _make_deliverable(e, n):
    return Deliverable.create(engagement=e, title=f"Deliverable number {n}", kind="other")


def _make_note(e, n):
    return ContextNote.create(
        engagement=e, kind="barrier", domain="process", text=f"Note number {n}", noted_on=dt.date(2026, 2, 1)
    )


def _make_step(e, n):
    meeting = Meeting.live().where(Meeting.engagement == e.id).first() or factories.meeting(e)
    return NextStep.create(meeting=meeting, text=f"Step number {n}", owner="Sam", due_on=dt.date(2026, 3, 1))


def _make_response(e, n):
    return respond(e, {"aim_1": 1 + n % 5})


KINDS = {
    "team_member": (TeamMember, _make_member, "team/{id}/delete", "team/{id}", "team"),
    "goal": (Goal, _make_goal, "goals/{id}/delete", None, "goals"),
    "meeting": (Meeting, _make_meeting, "meetings/{id}/delete", "meetings/{id}", "meetings"),
    "benchmark": (Benchmark, _make_benchmark, "benchmarks/{id}/delete", "benchmarks/{id}", "benchmarks"),
    "deliverable": (Deliverable, _make_deliverable, "deliverables/{id}/delete", "deliverables/{id}", "deliverables"),
    "context_note": (ContextNote, _make_note, "context-notes/{id}/delete", "context-notes/{id}", "context-notes"),
    "next_step": (NextStep, _make_step, None, None, None),
    "feedback_response": (FeedbackResponse, _make_response, "feedback/responses/{id}/delete", None, None),
}
WORDS = {  # what the part is called in the audit log and on the admin page
    "team_member": "Member number",
    "goal": "Goal number",
    "meeting": None,
    "benchmark": "Benchmark number",
    "deliverable": "Deliverable number",
    "context_note": "Note number",
    "next_step": "Step number",
    "feedback_response": None,
}


def entries_for(model, row_id):
    return list(
        AuditEntry.select()
        .where((AuditEntry.entity == model.__name__) & (AuditEntry.entity_id == row_id))
        .order_by(AuditEntry.id)
    )


def delete_through_page(client, e, kind, row):
    """The confirmation page first (nothing changes), then the POST."""
    model, _, page, _, _ = KINDS[kind]
    if kind == "next_step":  # removed by editing its meeting: the meeting form without the step
        meeting = Meeting.get_by_id(row.meeting_id)
        steps = [
            {"id": s.id, "text": s.text, "owner": s.owner, "due_on": s.due_on}
            for s in NextStep.live().where((NextStep.meeting == meeting.id) & (NextStep.id != row.id))
        ]
        return _edit_meeting_steps(client, e, meeting, steps)
    url = f"/engagements/{e.id}/" + page.format(id=row.id)
    confirm = client.get(url)
    assert confirm.status_code == 200 and f'action="{url}"' in confirm.get_data(as_text=True)
    assert model.get_by_id(row.id).deleted_at is None  # the GET changes nothing
    response = post_form(client, url, {})
    assert response.status_code == 302
    client.get(response.location)  # shows (and so clears) the flash message that names the part
    return response


def _edit_meeting_steps(client, e, meeting, steps):
    """Save the meeting's edit page as a browser does, with these next steps only."""
    url = f"/engagements/{e.id}/meetings/{meeting.id}/edit"
    data = {
        "date": meeting.date.isoformat(),
        "kind": meeting.kind,
        "mode": meeting.mode,
        "duration_minutes": str(meeting.duration_minutes),
        "notes": meeting.notes,
    }
    for index, step in enumerate(steps + [{"id": "", "text": "", "owner": "", "due_on": None}]):
        data[f"next_steps-{index}-step_id"] = str(step["id"])
        data[f"next_steps-{index}-text"] = step["text"]
        data[f"next_steps-{index}-owner"] = step["owner"]
        data[f"next_steps-{index}-due_on"] = step["due_on"].isoformat() if step["due_on"] else ""
    response = post_form(client, url, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    client.get(response.location)  # clears the flash message
    return response


def delete_through_api(app, user, e, kind, row):
    _, _, _, api_path, _ = KINDS[kind]
    api = Api(app.test_client(), user)
    if kind == "next_step":  # PATCH the meeting with the other steps
        others = [
            {"text": s.text, "owner": s.owner, "due_on": s.due_on.isoformat() if s.due_on else None}
            for s in NextStep.live().where((NextStep.meeting == row.meeting_id) & (NextStep.id != row.id))
        ]
        response = api.patch(f"/engagements/{e.id}/meetings/{row.meeting_id}", json={"next_steps": others})
        assert response.status_code == 200, response.get_json()
        return
    response = api.delete(f"/engagements/{e.id}/" + api_path.format(id=row.id))
    assert response.status_code == 204
    again = api.delete(f"/engagements/{e.id}/" + api_path.format(id=row.id))
    assert again.status_code == 404  # a deleted part is gone for the API
    assert api.get(f"/engagements/{e.id}/" + api_path.format(id=row.id)).status_code == 404


# --- ids are never reused -------------------------------------------------------------------------------


# Every way to delete each kind: its page, and the API where it has a DELETE (goals and feedback
# responses have none: their page is the one way) or, for next steps, the meeting's PATCH.
DELETE_PATHS = [
    (kind, path)
    for kind in sorted(KINDS)
    for path in ("page", "api")
    if path == "page" or KINDS[kind][3] is not None or kind == "next_step"
]


@pytest.mark.parametrize(("kind", "path"), DELETE_PATHS)
def test_delete_the_newest_then_add_another_never_reuses_its_id(demo, as_user, app, kind, path):
    model, make, _, api_path, _ = KINDS[kind]
    e = demo.engagement_a
    make(e, 1)
    newest = make(e, 2)
    old_id = newest.id
    assert old_id == model.select(model.id).order_by(model.id.desc()).scalar()  # the newest row
    if path == "page":  # a feedback response: administrators only (docs/disclosure.md)
        delete_through_page(as_user(demo.admin if kind == "feedback_response" else demo.isp_a1), e, kind, newest)
    else:
        delete_through_api(app, demo.isp_a1, e, kind, newest)
    assert model.get_by_id(old_id).deleted_at is not None  # kept, not removed

    added = make(e, 3)
    assert added.id > old_id

    old_entries = entries_for(model, old_id)
    assert [x.action for x in old_entries if x.action in ("create", "delete")][-1] == "delete"
    assert sum(1 for x in old_entries if x.action == "create") <= 1  # one record behind the id
    words = WORDS[kind]
    for entry in old_entries:
        text = entry.changes
        assert "number 3" not in text  # nothing about the new record under the old id
        if words and entry.action in ("create", "delete"):
            assert f"{words} 2" in json.dumps(json.loads(text)) or entry.action == "delete"


# --- gone from every read, back after restore -----------------------------------------------------------


def engagement_page(client, e):
    return html.unescape(client.get(f"/engagements/{e.id}").get_data(as_text=True))


def engagement_parts(client, e):
    """The engagement page without its Activity (which rightly names what was added and removed)."""
    return engagement_page(client, e).split('id="activity-h"')[0]


@pytest.mark.parametrize(
    "kind", ["team_member", "benchmark", "deliverable", "context_note", "next_step", "goal", "meeting"]
)
def test_a_deleted_part_leaves_the_engagement_page_and_the_api_and_an_admin_restores_it(demo, as_user, app, kind):
    model, make, _, api_path, api_list = KINDS[kind]
    e = demo.engagement_a
    row = make(e, 7)
    shown = {
        "team_member": "Member number 7",
        "benchmark": "Benchmark number 7",
        "deliverable": "Deliverable number 7",
        "context_note": "Note number 7",
        "next_step": "Step number 7",
        "goal": "Goal number 7",
        "meeting": "Meeting number 7",
    }[kind]
    isp, admin = as_user(demo.isp_a1), as_user(demo.admin)
    api = Api(app.test_client(), demo.isp_a1)
    assert shown in engagement_parts(isp, e)
    if api_list:
        assert row.id in [item["id"] for item in api.get(f"/engagements/{e.id}/{api_list}").get_json()["items"]]

    delete_through_page(isp, e, kind, row)
    assert shown not in engagement_parts(isp, e)
    assert shown not in engagement_parts(admin, e)
    if api_list:
        assert row.id not in [item["id"] for item in api.get(f"/engagements/{e.id}/{api_list}").get_json()["items"]]
    if api_path:
        assert api.get(f"/engagements/{e.id}/" + api_path.format(id=row.id)).status_code == 404

    # The admin page lists it with who deleted it; the Restore button brings it back.
    page_url = f"/admin/engagements/{e.id}/deleted"
    assert f'href="{page_url}"' in engagement_page(admin, e)
    page = html.unescape(admin.get(page_url).get_data(as_text=True))
    listed = "Monthly team meeting of 2026-02-07" if kind == "meeting" else shown
    assert listed in page and f"by {demo.isp_a1.name}" in page
    restore_url = f"{page_url}/{kind}/{row.id}/restore"
    assert f'action="{restore_url}"' in page
    response = post_form(admin, restore_url, {}, token_from=page_url)
    assert response.status_code == 302
    after = html.unescape(admin.get(response.location).get_data(as_text=True))
    assert "restored: " in after and listed in after  # the flash names what came back
    assert "Nothing has been deleted from this engagement." in after
    assert model.get_by_id(row.id).deleted_at is None
    assert shown in engagement_parts(isp, e)

    # The audit log and the Activity show both events.
    actions = [x.action for x in entries_for(model, row.id)]
    assert actions[-2:] == ["delete", "restore"]
    activity = engagement_page(admin, e).split('id="activity-h"')[1]
    words = model.__name__.replace("Step", " step").replace("Member", " member").replace("Note", " note").lower()
    assert f"removed {words}" in activity and f"restored {words}" in activity


def test_restore_is_for_administrators_and_needs_a_csrf_token(demo, as_user):
    e = demo.engagement_a
    note = _make_note(e, 1)
    note.soft_delete()
    url = f"/admin/engagements/{e.id}/deleted/context_note/{note.id}/restore"
    for user in (demo.isp_a1, demo.leader_foundation, demo.recipient_a):
        client = as_user(user)
        assert client.get(f"/admin/engagements/{e.id}/deleted").status_code == 403
        assert post_form(client, url, {}, token_from="/").status_code == 403
    admin = as_user(demo.admin)
    assert admin.post(url, data={"csrf_token": "forged"}).status_code == 400
    assert ContextNote.get_by_id(note.id).deleted_at is not None
    # another engagement's part, an unknown kind, a live part: not found
    other = demo.engagement_b
    assert (
        post_form(admin, f"/admin/engagements/{other.id}/deleted/context_note/{note.id}/restore", {}, "/").status_code
        == 404
    )
    assert post_form(admin, f"/admin/engagements/{e.id}/deleted/weather/{note.id}/restore", {}, "/").status_code == 404
    live = _make_note(e, 2)
    assert (
        post_form(admin, f"/admin/engagements/{e.id}/deleted/context_note/{live.id}/restore", {}, "/").status_code
        == 404
    )


def test_the_admin_page_has_an_empty_state_and_the_old_per_kind_pages_link_to_it(demo, as_user):
    e = demo.engagement_a
    admin = as_user(demo.admin)
    page = admin.get(f"/admin/engagements/{e.id}/deleted").get_data(as_text=True)
    assert "Nothing has been deleted from this engagement." in page
    for old in ("goals/deleted", "meetings/deleted", "feedback/responses/deleted"):
        response = admin.get(f"/engagements/{e.id}/{old}")
        assert response.status_code == 200
        assert f'href="/admin/engagements/{e.id}/deleted"' in response.get_data(as_text=True)


def test_only_those_who_edit_the_engagement_delete_its_parts(demo, as_user):
    e = demo.engagement_a
    member = _make_member(e, 1)
    url = f"/engagements/{e.id}/team/{member.id}/delete"
    assert as_user(demo.leader_foundation).get(url).status_code == 403
    assert as_user(demo.recipient_a).get(url).status_code == 403
    assert as_user(demo.isp_none).get(url).status_code == 404
    assert as_user(demo.isp_a1).post(url, data={"csrf_token": "forged"}).status_code == 400
    assert TeamMember.get_by_id(member.id).deleted_at is None


# --- what each deletion means elsewhere -----------------------------------------------------------------


def test_a_deleted_team_member_is_no_longer_offered_as_attendee_or_feedback_recipient(demo, as_user):
    e = demo.engagement_a
    kept = _make_member(e, 1)
    gone = _make_member(e, 2)
    meeting = factories.meeting(e)
    MeetingAttendee.create(meeting=meeting, team_member=gone)
    MeetingAttendee.create(meeting=meeting, team_member=kept)
    isp = as_user(demo.isp_a1)
    delete_through_page(isp, e, "team_member", gone)

    form = isp.get(f"/engagements/{e.id}/meetings/new").get_data(as_text=True)
    assert "Member number 1" in form and "Member number 2" not in form
    assert [m.id for m in feedback_service.survey_candidates(e)] == [kept.id]
    assert [m.id for m in feedback_service.pulse_candidates(meeting)] == [kept.id]
    detail = isp.get(f"/engagements/{e.id}/meetings/{meeting.id}").get_data(as_text=True)
    assert "Member number 1" in detail and "Member number 2" not in detail
    # Listing the deleted member as attending is refused; editing the meeting keeps their row for a restore.
    api = Api(isp.application.test_client(), demo.isp_a1)
    refused = api.patch(f"/engagements/{e.id}/meetings/{meeting.id}", json={"attendee_ids": [gone.id]})
    assert refused.status_code == 422 or refused.status_code == 400
    assert api.patch(f"/engagements/{e.id}/meetings/{meeting.id}", json={"notes": "edited"}).status_code == 200
    TeamMember.get_by_id(gone.id).restore()
    assert {a.team_member_id for a in MeetingAttendee.select().where(MeetingAttendee.meeting == meeting.id)} == {
        kept.id,
        gone.id,
    }


def test_a_deleted_benchmark_does_not_count_in_progress_or_the_research_export(demo, as_user, app):
    e = demo.engagement_a
    first = _make_benchmark(e, 1)
    gone = _make_benchmark(e, 2)
    gone.completed_on = dt.date(2026, 2, 2)
    gone.save()

    def counted():
        data = progress.engagement_progress(ReportFilters(user=demo.admin, engagement=e.id))
        [row] = [s for s in data["stages"] if s["key"] == stage().key]
        return row["benchmarks_total"], row["benchmarks_completed"]

    def exported():
        with app.test_request_context():
            return {row[0] for row in research.collect()["benchmarks"]}

    before = counted()
    assert {first.id, gone.id} <= exported()
    delete_through_page(as_user(demo.isp_a1), e, "benchmark", gone)
    assert counted() == (before[0] - 1, before[1] - 1)
    assert gone.id not in exported() and first.id in exported()
    form = as_user(demo.isp_a1).get(f"/engagements/{e.id}/meetings/new").get_data(as_text=True)
    assert "Benchmark number 1" in form and "Benchmark number 2" not in form


def test_a_deleted_next_step_leaves_the_home_page_and_the_meeting(demo, as_user, app):
    e = demo.engagement_a
    meeting = factories.meeting(e)
    step = NextStep.create(meeting=meeting, text="Send the plan", owner="Sam", due_on=dt.date.today())
    isp = as_user(demo.isp_a1)
    assert "Send the plan" in isp.get("/").get_data(as_text=True)
    delete_through_api(app, demo.isp_a1, e, "next_step", step)
    assert "Send the plan" not in isp.get("/").get_data(as_text=True)
    assert "Send the plan" not in isp.get(f"/engagements/{e.id}/meetings/{meeting.id}").get_data(as_text=True)
    body = Api(app.test_client(), demo.isp_a1).get(f"/engagements/{e.id}/meetings/{meeting.id}").get_json()
    assert body["next_steps"] == []
    assert [x.action for x in entries_for(NextStep, step.id)] == ["delete"]
    assert NextStep.get_by_id(step.id).deleted_at is not None


# --- migration 0004 on a database that already has data -------------------------------------------------


def _triggers():
    if is_sqlite():
        rows = database.execute_sql("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    else:
        rows = database.execute_sql(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
        ).fetchall()
    return set(rows)


def test_migration_0004_brings_a_database_at_version_3_to_the_models_and_keeps_its_triggers(empty_app):
    database.create_tables([SchemaVersion], safe=True)
    for number, module in migration_modules():
        if number <= 3:
            module.up(database)
            SchemaVersion.create(version=number, name=module.__name__.rsplit(".", 1)[-1])
    tables = ("team_member", "benchmark", "deliverable", "context_note", "next_step")
    assert all("deleted_at" not in {c.name for c in database.get_columns(t)} for t in tables)
    triggers = _triggers()
    assert triggers  # 0003 installed the data-version triggers
    assert 4 in schema_migrate()
    for table in tables:
        [column] = [c for c in database.get_columns(table) if c.name == "deleted_at"]
        assert column.null
    assert triggers <= _triggers()  # a column added in place: no table rebuilt, no trigger lost (later
    # migrations may add tables, with triggers of their own)


# --- no path hard-deletes an audited row ----------------------------------------------------------------

AUDITED = sorted(m.__name__ for m in MODELS if issubclass(m, Audited))
# Link rows that are deleted and written again on every save: not audited on their own (their owner's
# audit entry records them), so no audit entry points at their ids. Bookkeeping rows likewise.
HARD_DELETED = {
    "EngagementISP": "the engagement's ISPs, replaced on save and recorded in the engagement's entry",
    "MeetingAttendee": "links, replaced on save and recorded in the meeting's entry",
    "MeetingCompetency": "links, replaced on save and recorded in the meeting's entry",
    "MeetingStrategy": "links, replaced on save and recorded in the meeting's entry",
    "MeetingPrinciple": "links, replaced on save and recorded in the meeting's entry",
    "MeetingDecision": "a meeting's decisions, replaced on save and recorded in the meeting's entry",
    "SignInAttempt": "throttling bookkeeping, cleared on a good sign-in",
    "IdempotencyKey": "the API's replay bookkeeping, expired after 24 hours (never audited)",
    "ApiToken": "not audited; a password change, reset or sign-out-everywhere revokes all of a user's",
}


def test_no_path_hard_deletes_an_audited_row():
    """Pages, API, services, CLI and tools: a `Model.delete()` names only the link and bookkeeping
    tables above, and the one `delete_instance()` call is the API token's (not audited)."""
    root = pathlib.Path(__file__).resolve().parent.parent / "tracker"
    bulk, single = set(), set()
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        bulk |= set(re.findall(r"\b([A-Z]\w+)\.delete\(\)", text))
        single |= {
            (path.name, line.strip())
            for line in text.splitlines()
            if ".delete_instance(" in line and "def delete_instance" not in line
        }
    assert bulk <= set(HARD_DELETED) and not bulk & set(AUDITED), bulk
    assert single == {
        ("tokens.py", "row.delete_instance()"),
        ("base.py", "return super().delete_instance(*args, **kwargs)"),
        # Removing an entry of a goal's or the stage history (the removal is logged with the entry's
        # values); migration 0008 gives both tables AUTOINCREMENT, so the id is never handed out again.
        ("goals.py", "entry.delete_instance()"),
        ("stages.py", "entry.delete_instance()"),
    }
    assert "ApiToken" not in AUDITED and "Engagement" in AUDITED and "ContextNote" in AUDITED


# --- history entries: removed for good, their ids never handed out again ----------------------------------


def _goal_history_entry(e, n):
    goal = factories.goal(e, title=f"Goal of history {n}")
    goal_service.record_status_change(goal, "not_started", e.start_date, note="goal set")
    goal_service.record_status_change(goal, "in_progress", e.start_date + dt.timedelta(days=n), note=f"entry {n}")
    return GoalStatusChange.select().where(GoalStatusChange.goal == goal.id).order_by(GoalStatusChange.id.desc()).get()


def _remove_goal_history_entry(client, e, entry):
    base = f"/engagements/{e.id}/goals/{entry.goal_id}/history/{entry.id}/remove"
    return post_form(client, base, {})


def _stage_entry(e, n):
    stages = list(Stage.ordered())
    stage_service.move_to_stage(e, stages[n % len(stages)].key, e.start_date + dt.timedelta(days=n), note=f"entry {n}")
    return StageEntry.select().where(StageEntry.engagement == e.id).order_by(StageEntry.id.desc()).get()


def _remove_stage_entry(client, e, entry):
    return post_form(client, f"/engagements/{e.id}/stage/{entry.id}/remove", {})


HISTORIES = {
    "goal status history": (GoalStatusChange, _goal_history_entry, _remove_goal_history_entry),
    "stage history": (StageEntry, _stage_entry, _remove_stage_entry),
}


@pytest.mark.parametrize("history", sorted(HISTORIES))
def test_removing_the_newest_history_entry_then_adding_one_never_reuses_its_id(demo, as_user, history):
    """What was seen, for the two histories whose entries are removed for good: SQLite handed the id of a
    removed newest row to the next one. Through the remove page, then the same service the pages use."""
    model, make, remove = HISTORIES[history]
    e = demo.engagement_a
    e.start_date = dt.date(2026, 1, 5)
    e.save()
    with acting_as(demo.isp_a1):
        make(e, 1)
        newest = make(e, 2)
    old_id = newest.id
    assert old_id == model.select(model.id).order_by(model.id.desc()).scalar()
    response = remove(as_user(demo.isp_a1), e, newest)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert model.get_or_none(model.id == old_id) is None  # removed from the history

    with acting_as(demo.isp_a1):
        added = make(e, 3)
    assert added.id > old_id and model.get_or_none(model.id == old_id) is None  # no new row took the id
    actions = [x.action for x in entries_for(model, old_id)]
    assert actions[-1] == "delete" and "delete" not in actions[:-1]  # the id names one entry, now removed
    assert not entries_for(model, added.id) or all(x.action != "delete" for x in entries_for(model, added.id))


def test_migration_0008_gives_existing_history_tables_autoincrement_and_keeps_rows_indexes_and_triggers(empty_app):
    """A database at version 7 with history rows: after 0008 the rows and indexes are there, the
    data-version triggers fire, and (SQLite) the tables are AUTOINCREMENT; PostgreSQL is unchanged."""
    database.create_tables([SchemaVersion], safe=True)
    for number, module in migration_modules():
        if number <= 7:
            module.up(database)
            SchemaVersion.create(version=number, name=module.__name__.rsplit(".", 1)[-1])
    for number, module in migration_modules():  # columns later migrations add, which the factories write
        if number > 8:
            module.up(database)  # (each is idempotent: migrate() runs it again after 0008)
    load_defaults()
    world = factories.small_world()
    with acting_as(world.isp_a1):
        entry = _stage_entry(world.engagement_a, 1)
    indexes_before = {i.name for t in ("goal_status_change", "stage_entry") for i in database.get_indexes(t)}
    triggers_before = _triggers()

    assert 8 in schema_migrate()
    assert StageEntry.get_by_id(entry.id).note == "entry 1"
    assert {i.name for t in ("goal_status_change", "stage_entry") for i in database.get_indexes(t)} == indexes_before
    assert triggers_before <= _triggers()
    if is_sqlite():
        for table in ("goal_status_change", "stage_entry"):
            sql = database.execute_sql("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
            assert "AUTOINCREMENT" in sql
    token = DataVersion.get_by_id(1).token
    StageEntry.update(note="changed").where(StageEntry.id == entry.id).execute()
    assert DataVersion.get_by_id(1).token != token  # the triggers came back with the table
