"""The parts of an engagement: team, goals, meetings, benchmarks, deliverables, context notes, stage."""

from flask import jsonify

from .. import policy
from ..models import (
    CFIR_DOMAINS,
    CONTEXT_KINDS,
    DELIVERABLE_KINDS,
    GOAL_STATUSES,
    MEETING_KINDS,
    MEETING_MODES,
    Benchmark,
    Competency,
    ContextNote,
    Deliverable,
    Goal,
    GoalStatusChange,
    Meeting,
    NextStep,
    Principle,
    Stage,
    StageEntry,
    Strategy,
    TeamMember,
    linked_ids,
    today,
)
from ..services import goals as goal_service
from ..services import meetings as meeting_service
from ..services import parts as part_service
from ..services import stages as stage_service
from .common import ApiError, Fields, body, bp, caller, iso, paginate
from .resources import run

E = "/engagements/<int:engagement_id>"


def _engagement(engagement_id, edit=False):
    return policy.get_engagement(engagement_id, edit=edit, user=caller())


# --- team -----------------------------------------------------------------------------------------


def member_json(m):
    return {
        "id": m.id,
        "name": m.name,
        "email": m.email,
        "position": m.position,
        "user_id": m.user_id,
        "joined_on": iso(m.joined_on),
        "left_on": iso(m.left_on),
        "version": m.version,
    }


@bp.get(E + "/team")
def list_team(engagement_id):
    e = _engagement(engagement_id)
    return paginate(
        TeamMember.live().where(TeamMember.engagement == e.id).order_by(TeamMember.name, TeamMember.id), member_json
    )


@bp.post(E + "/team")
def add_team_member(engagement_id):
    e = _engagement(engagement_id, edit=True)
    f = Fields(body())
    data = {
        "name": f.text("name"),
        "position": f.text("position", default=None),  # one of POSITIONS: the model's rule
        "email": f.text("email"),
        "joined_on": f.date("joined_on"),
    }
    f.done()  # a name, the email rule, ...: TeamMember.validate(), as on the page
    member = run(lambda: TeamMember.create(engagement=e, **data))
    return jsonify(member_json(member)), 201


@bp.get(E + "/team/<int:member_id>")
def get_team_member(engagement_id, member_id):
    return jsonify(member_json(policy.get_part(TeamMember, _engagement(engagement_id), member_id)))


@bp.delete(E + "/team/<int:member_id>")
def delete_team_member(engagement_id, member_id):
    return _delete(TeamMember, engagement_id, member_id)


def _delete(model, engagement_id, part_id):
    """Soft-delete one part (audited; an administrator restores it); a deleted or unknown one: 404."""
    e = _engagement(engagement_id, edit=True)
    part = policy.get_part(model, e, part_id)
    if not policy.can_delete_part(caller(), e):
        raise ApiError(403, "You may not delete parts of this engagement.")
    run(part_service.delete_part, part)
    return "", 204


# --- goals ----------------------------------------------------------------------------------------


def goal_json(goal):
    return {
        "id": goal.id,
        "title": goal.title,
        "indicator": goal.indicator,
        "target": goal.target,
        "status": goal.status,
        "created": iso(goal.created_at),
        "version": goal.version,
    }


@bp.get(E + "/goals")
def list_goals(engagement_id):
    e = _engagement(engagement_id)
    return paginate(Goal.live().where(Goal.engagement == e.id).order_by(Goal.id), goal_json)


@bp.post(E + "/goals")
def add_goal(engagement_id):
    e = _engagement(engagement_id, edit=True)
    f = Fields(body())
    data = {
        "title": f.text("title", required=True),
        "indicator": f.text("indicator"),
        "target": f.text("target"),
        "status": f.choice("status", GOAL_STATUSES, default="not_started"),
    }
    set_on = f.date("set_on")
    f.done()
    goal = run(goal_service.add_goal, e, data, caller().id, set_on)
    return jsonify(goal_json(goal)), 201


def goal_change_json(c):
    return {
        "id": c.id,
        "status": c.status,
        "changed_on": iso(c.changed_on),
        "note": c.note,
        "meeting_id": c.meeting_id,
        "changed_by_id": c.changed_by_id,
    }


def _goal_change(goal, change_id):
    change = GoalStatusChange.get_or_none((GoalStatusChange.id == change_id) & (GoalStatusChange.goal == goal.id))
    if change is None:
        raise ApiError(404, "No such entry in this goal's history.")
    return change


@bp.get(E + "/goals/<int:goal_id>/history")
def goal_history(engagement_id, goal_id):
    e = _engagement(engagement_id)
    goal = policy.get_part(Goal, e, goal_id)
    return jsonify(current=goal.status, items=[goal_change_json(c) for c in goal.dated_history()])


@bp.patch(E + "/goals/<int:goal_id>/history/<int:change_id>")
def correct_goal_change(engagement_id, goal_id, change_id):
    e = _engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, e, goal_id)
    change = _goal_change(goal, change_id)
    raw = body()
    f = Fields(raw)
    status = f.choice("status", GOAL_STATUSES) if "status" in raw else change.status
    changed_on = f.date("changed_on", required=True) if "changed_on" in raw else change.changed_on
    note = f.text("note") if "note" in raw else change.note
    f.done()
    change = run(goal_service.correct_status_change, change, status, changed_on, note, caller().id)
    return jsonify(goal_change_json(change))


@bp.delete(E + "/goals/<int:goal_id>/history/<int:change_id>")
def remove_goal_change(engagement_id, goal_id, change_id):
    e = _engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, e, goal_id)
    change = _goal_change(goal, change_id)
    run(goal_service.remove_status_change, change, caller().id)
    return "", 204


@bp.patch(E + "/goals/<int:goal_id>")
def update_goal(engagement_id, goal_id):
    e = _engagement(engagement_id, edit=True)
    goal = policy.get_part(Goal, e, goal_id)
    raw = body()
    f = Fields(raw)
    status = f.choice("status", GOAL_STATUSES)
    note = f.text("note")
    changed_on = f.date("changed_on") or today()
    title = f.text("title") if "title" in raw else None
    if "title" in raw and not title:
        f.fail("title", "This field is required.")
    indicator = f.text("indicator") if "indicator" in raw else None
    target = f.text("target") if "target" in raw else None
    goal.expected_version = f.integer("version", minimum=1)  # None: last write wins
    f.done()

    def write():
        if title is not None or indicator is not None or target is not None:
            goal.title = title if title is not None else goal.title
            goal.indicator = indicator if indicator is not None else goal.indicator
            goal.target = target if target is not None else goal.target
            goal.save()
        if status is not None:
            goal_service.record_status_change(goal, status, changed_on, note, user=caller().id)

    run(write, represent=goal_json)
    return jsonify(goal_json(Goal.get_by_id(goal.id)))


# --- meetings -------------------------------------------------------------------------------------


def meeting_json(m, detail=False):
    out = {
        "id": m.id,
        "date": iso(m.date),
        "kind": m.kind,
        "mode": m.mode,
        "duration_minutes": m.duration_minutes,
        "notes": m.notes,
        "logged_by_id": m.logged_by_id,
        "created": iso(m.created_at),
        "version": m.version,
    }
    if detail:
        links = linked_ids(m)
        keyed = {"competencies": Competency, "strategies": Strategy, "principles": Principle}
        for name, model in keyed.items():
            found = {r.id: r.key for r in model.select(model.id, model.key).where(model.id.in_(links[name] or [0]))}
            out[name] = [found[i] for i in links[name] if i in found]
        out["attendee_ids"] = links["team_members"]
        out["isp_ids"] = links["isps"]
        out["next_steps"] = [
            {"id": s.id, "text": s.text, "owner": s.owner, "due_on": iso(s.due_on), "done_on": iso(s.done_on)}
            for s in NextStep.live().where(NextStep.meeting == m.id).order_by(NextStep.id)
        ]
        out["goal_updates"] = [
            {"goal_id": c.goal_id, "status": c.status, "note": c.note}
            for c in GoalStatusChange.select().where(GoalStatusChange.meeting_id == m.id).order_by(GoalStatusChange.id)
        ]
        out["benchmarks_completed"] = [
            b.id
            for b in Benchmark.select(Benchmark.id)
            .where((Benchmark.completed_in_meeting_id == m.id) & Benchmark.deleted_at.is_null())
            .order_by(Benchmark.id)
        ]
    return out


def _keys_to_ids(f, name, model):
    values = f.data.get(name)
    if values is None:
        return []
    if (
        not isinstance(values, list)
        or len(values) > 200
        or not all(isinstance(v, str) and len(v) <= 80 and "\x00" not in v for v in values)
    ):
        f.fail(name, "Must be a list of catalog keys.")
        return []
    found = {r.key: r.id for r in model.select(model.id, model.key).where(model.key.in_(values or [""]))}
    unknown = [v for v in values if v not in found]
    if unknown:
        f.fail(name, "Unknown keys: " + ", ".join(unknown[:5])[:300] + ".")
        return []
    return [found[v] for v in values]


def _meeting_data(f, current=None):
    current = current or {}
    data = {
        "date": f.date("date", required="date" not in current) or current.get("date"),
        "kind": f.choice("kind", MEETING_KINDS, default=current.get("kind", "monthly")),
        "mode": f.choice("mode", MEETING_MODES, default=current.get("mode", "in_person")),
        "duration_minutes": f.integer("duration_minutes", minimum=0, maximum=10**6),
        "notes": f.text("notes") if "notes" in f.data else current.get("notes", ""),
    }
    if data["duration_minutes"] is None:
        data["duration_minutes"] = current.get("duration_minutes", 60)
    for name, model in (("competencies", Competency), ("strategies", Strategy), ("principles", Principle)):
        data[name] = _keys_to_ids(f, name, model) if name in f.data else current.get(name, [])
    data["team_members"] = f.id_list("attendee_ids") if "attendee_ids" in f.data else current.get("team_members", [])
    data["isps"] = f.id_list("isp_ids") if "isp_ids" in f.data else current.get("isps", [])
    data["benchmarks"] = f.id_list("benchmarks_completed")
    steps = f.data.get("next_steps") or []
    data["next_steps"] = []
    if not isinstance(steps, list) or len(steps) > 100 or not all(isinstance(s, dict) for s in steps):
        f.fail("next_steps", "Must be a list of {text, owner, due_on} objects.")
    else:
        for index, step in enumerate(steps):
            sub = Fields(step)
            row = {
                "text": sub.text("text"),
                "owner": sub.text("owner"),
                "due_on": sub.date("due_on"),
                "row": index,
            }
            for key, message in sub.errors.items():
                f.fail(f"next_steps-{index}-{key}", message)
            data["next_steps"].append(row)
    changes = f.data.get("goal_updates") or []
    data["goal_changes"] = []
    if not isinstance(changes, list) or len(changes) > 100 or not all(isinstance(c, dict) for c in changes):
        f.fail("goal_updates", "Must be a list of {goal_id, status, note} objects.")
    else:
        for index, change in enumerate(changes):
            sub = Fields(change)
            row = {
                "goal_id": sub.integer("goal_id", required=True),
                "status": sub.choice("status", GOAL_STATUSES, required=True),
                "note": sub.text("note"),
                "row": index,
            }
            for key, message in sub.errors.items():
                f.fail(f"goal_updates-{index}-{key}", message)
            data["goal_changes"].append(row)
    return data


MEETING_FIELDS = {
    "team_members": "attendee_ids",
    "isps": "isp_ids",
    "benchmarks": "benchmarks_completed",
    "goal_changes": "goal_updates",
}


def _run_meeting(write, *args, represent=None):
    try:
        return run(write, *args, represent=represent)
    except ApiError as exc:
        renamed = {}
        for key, message in exc.fields.items():
            head, sep, rest = key.partition("-")
            renamed[MEETING_FIELDS.get(head, head) + sep + rest] = message
        exc.fields = renamed
        raise


@bp.get(E + "/meetings")
def list_meetings(engagement_id):
    e = _engagement(engagement_id)
    return paginate(
        Meeting.live().where(Meeting.engagement == e.id).order_by(Meeting.date.desc(), Meeting.id.desc()), meeting_json
    )


@bp.post(E + "/meetings")
def log_meeting(engagement_id):
    e = _engagement(engagement_id, edit=True)
    f = Fields(body())
    data = _meeting_data(f)
    f.done()
    meeting = _run_meeting(meeting_service.log_meeting, e, data, caller())
    return jsonify(meeting_json(meeting, detail=True)), 201


@bp.get(E + "/meetings/<int:meeting_id>")
def get_meeting(engagement_id, meeting_id):
    e = _engagement(engagement_id)
    return jsonify(meeting_json(policy.get_part(Meeting, e, meeting_id), detail=True))


@bp.patch(E + "/meetings/<int:meeting_id>")
def update_meeting(engagement_id, meeting_id):
    e = _engagement(engagement_id, edit=True)
    meeting = policy.get_part(Meeting, e, meeting_id)
    current = {
        "date": meeting.date,
        "kind": meeting.kind,
        "mode": meeting.mode,
        "duration_minutes": meeting.duration_minutes,
        "notes": meeting.notes,
        **linked_ids(meeting),
    }
    f = Fields(body())
    data = _meeting_data(f, current)
    if "next_steps" not in f.data:
        data["next_steps"] = [
            {"id": s.id, "text": s.text, "owner": s.owner, "due_on": s.due_on}
            for s in NextStep.live().where(NextStep.meeting == meeting.id).order_by(NextStep.id)
        ]
    meeting.expected_version = f.integer("version", minimum=1)  # None: last write wins
    f.done()
    _run_meeting(
        meeting_service.update_meeting, meeting, data, caller(), represent=lambda m: meeting_json(m, detail=True)
    )
    return jsonify(meeting_json(Meeting.get_by_id(meeting.id), detail=True))


@bp.delete(E + "/meetings/<int:meeting_id>")
def delete_meeting(engagement_id, meeting_id):
    e = _engagement(engagement_id, edit=True)
    meeting = policy.get_part(Meeting, e, meeting_id)
    run(meeting.soft_delete)
    return "", 204


# --- benchmarks and stage ---------------------------------------------------------------------------


def benchmark_json(b, stages):
    return {
        "id": b.id,
        "stage": stages[b.stage_id],
        "text": b.text,
        "completed_on": iso(b.completed_on),
        "note": b.evidence,
        "completed_in_meeting_id": b.completed_in_meeting_id,
        "version": b.version,
    }


@bp.get(E + "/benchmarks")
def list_benchmarks(engagement_id):
    e = _engagement(engagement_id)
    stages = {s.id: s.key for s in Stage.select()}
    query = (
        Benchmark.live().where(Benchmark.engagement == e.id).order_by(Benchmark.stage, Benchmark.position, Benchmark.id)
    )
    return paginate(query, lambda b: benchmark_json(b, stages))


@bp.get(E + "/benchmarks/<int:benchmark_id>")
def get_benchmark(engagement_id, benchmark_id):
    benchmark = policy.get_part(Benchmark, _engagement(engagement_id), benchmark_id)
    return jsonify(benchmark_json(benchmark, {s.id: s.key for s in Stage.select()}))


@bp.delete(E + "/benchmarks/<int:benchmark_id>")
def delete_benchmark(engagement_id, benchmark_id):
    return _delete(Benchmark, engagement_id, benchmark_id)


@bp.patch(E + "/benchmarks/<int:benchmark_id>")
def update_benchmark(engagement_id, benchmark_id):
    e = _engagement(engagement_id, edit=True)
    benchmark = policy.get_part(Benchmark, e, benchmark_id)
    raw = body()
    f = Fields(raw)
    completed_on = f.date("completed_on")
    note = f.text("note")
    if "completed_on" not in raw:
        f.fail("completed_on", "Give the completion date, or null to reopen the benchmark.")
    benchmark.expected_version = f.integer("version", minimum=1)  # None: last write wins
    f.done()
    stages = {s.id: s.key for s in Stage.select()}
    if completed_on is None:
        run(stage_service.reopen, benchmark, represent=lambda b: benchmark_json(b, stages))
    else:
        run(stage_service.check_off, benchmark, e, completed_on, note, represent=lambda b: benchmark_json(b, stages))
    return jsonify(benchmark_json(Benchmark.get_by_id(benchmark.id), {s.id: s.key for s in Stage.select()}))


def stage_entry_json(s, stages):
    return {
        "id": s.id,
        "stage": stages[s.stage_id],
        "date": iso(s.entered_on),
        "note": s.note,
        "created_by_id": s.created_by_id,
    }


@bp.get(E + "/stage")
def stage_history(engagement_id):
    e = _engagement(engagement_id)
    stages = {s.id: s.key for s in Stage.select()}
    entries = StageEntry.select().where(StageEntry.engagement == e.id).order_by(StageEntry.entered_on, StageEntry.id)
    return jsonify(current=stages.get(e.current_stage_id), items=[stage_entry_json(s, stages) for s in entries])


@bp.post(E + "/stage")
def move_stage(engagement_id):
    e = _engagement(engagement_id, edit=True)
    f = Fields(body())
    key = f.text("stage", required=True, max_length=80)
    entered_on = f.date("date") or today()
    note = f.text("note")
    f.done()
    entry = _stage_run(stage_service.move_to_stage, e, key, entered_on, note, caller())
    stages = {s.id: s.key for s in Stage.select()}
    if isinstance(entry, StageEntry):
        return jsonify(stage_entry_json(entry, stages)), 201
    return jsonify(current=key), 201


def _stage_entry(e, stage_entry_id):
    entry = StageEntry.get_or_none((StageEntry.id == stage_entry_id) & (StageEntry.engagement == e.id))
    if entry is None:
        raise ApiError(404, "No such entry in this engagement's stage history.")
    return entry


def _stage_run(write, *args):
    try:
        return run(write, *args)
    except ApiError as exc:
        if "entered_on" in exc.fields:  # the service speaks of the form's field
            exc.fields["date"] = exc.fields.pop("entered_on")
        raise


@bp.patch(E + "/stage/<int:stage_entry_id>")
def correct_stage_entry(engagement_id, stage_entry_id):
    e = _engagement(engagement_id, edit=True)
    entry = _stage_entry(e, stage_entry_id)
    stages = {s.id: s.key for s in Stage.select()}
    raw = body()
    f = Fields(raw)
    key = f.text("stage", required=True, max_length=80) if "stage" in raw else stages[entry.stage_id]
    entered_on = f.date("date", required=True) if "date" in raw else entry.entered_on
    note = f.text("note") if "note" in raw else entry.note
    f.done()
    entry = _stage_run(stage_service.correct_entry, e, entry, key, entered_on, note, caller())
    return jsonify(stage_entry_json(entry, stages))


@bp.delete(E + "/stage/<int:stage_entry_id>")
def remove_stage_entry(engagement_id, stage_entry_id):
    e = _engagement(engagement_id, edit=True)
    entry = _stage_entry(e, stage_entry_id)
    _stage_run(stage_service.remove_entry, e, entry, caller())
    return "", 204


# --- deliverables and context notes ---------------------------------------------------------------


def deliverable_json(d):
    return {
        "id": d.id,
        "kind": d.kind,
        "title": d.title,
        "due_on": iso(d.due_on),
        "delivered_on": iso(d.delivered_on),
        "link": d.link,
        "note": d.note,
        "version": d.version,
    }


@bp.get(E + "/deliverables")
def list_deliverables(engagement_id):
    e = _engagement(engagement_id)
    return paginate(Deliverable.live().where(Deliverable.engagement == e.id).order_by(Deliverable.id), deliverable_json)


@bp.post(E + "/deliverables")
def add_deliverable(engagement_id):
    e = _engagement(engagement_id, edit=True)
    f = Fields(body())
    data = {
        "title": f.text("title", required=True),
        "kind": f.choice("kind", DELIVERABLE_KINDS, default="other"),
        "due_on": f.date("due_on"),
        "delivered_on": f.date("delivered_on"),
        "link": f.text("link"),
        "note": f.text("note"),
    }
    f.done()
    return jsonify(deliverable_json(run(lambda: Deliverable.create(engagement=e, **data)))), 201


@bp.get(E + "/deliverables/<int:deliverable_id>")
def get_deliverable(engagement_id, deliverable_id):
    return jsonify(deliverable_json(policy.get_part(Deliverable, _engagement(engagement_id), deliverable_id)))


@bp.delete(E + "/deliverables/<int:deliverable_id>")
def delete_deliverable(engagement_id, deliverable_id):
    return _delete(Deliverable, engagement_id, deliverable_id)


def note_json(n):
    return {
        "id": n.id,
        "kind": n.kind,
        "domain": n.domain,
        "text": n.text,
        "noted_on": iso(n.noted_on),
        "created_by_id": n.created_by_id,
        "version": n.version,
    }


@bp.get(E + "/context-notes")
def list_context_notes(engagement_id):
    e = _engagement(engagement_id)
    return paginate(
        ContextNote.live()
        .where(ContextNote.engagement == e.id)
        .order_by(ContextNote.noted_on.desc(), ContextNote.id.desc()),
        note_json,
    )


@bp.post(E + "/context-notes")
def add_context_note(engagement_id):
    e = _engagement(engagement_id, edit=True)
    f = Fields(body())
    data = {
        "kind": f.choice("kind", CONTEXT_KINDS, required=True),
        "domain": f.choice("domain", CFIR_DOMAINS, required=True),
        "text": f.text("text", required=True),
        "noted_on": f.date("noted_on") or today(),
    }
    f.done()
    note = run(lambda: ContextNote.create(engagement=e, created_by=caller().id, **data))
    return jsonify(note_json(note)), 201


@bp.get(E + "/context-notes/<int:note_id>")
def get_context_note(engagement_id, note_id):
    return jsonify(note_json(policy.get_part(ContextNote, _engagement(engagement_id), note_id)))


@bp.delete(E + "/context-notes/<int:note_id>")
def delete_context_note(engagement_id, note_id):
    return _delete(ContextNote, engagement_id, note_id)
