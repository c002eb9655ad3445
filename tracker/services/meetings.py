"""The meeting log: logging / updating a meeting in one transaction (what the form offers:
tracker/reports/meeting_form.py; what a meeting page shows: tracker/reports/meetings.py).

`log_meeting(engagement, data, user)` and `update_meeting(meeting, data, user)` take a plain dict
(see forms.meetings.MeetingForm.to_data):

    date, kind, mode, duration_minutes, notes, notes_internal (bool: the notes are internal),
    agenda_set_by ("isp", "recipient", "joint" or None),
    team_members, isps, competencies, strategies, principles, benchmarks   (lists of ids)
    goal_changes: [{"goal_id", "status", "reason", "note", "confirm_open"}]
    next_steps: [{"id", "text", "owner", "due_on"}]
    decisions: [{"text", "decided_by"}]               (replaced as a whole on an update)
    measurements: [{"goal_id", "value"}]              (values of measured goals, dated with the meeting)

Every id is checked against the engagement (or the catalog) before anything is written; a problem
raises models.ValidationError({field: message}) and nothing is stored. Rows may carry "row" (their
index in the form) so a message lands on the right row.
"""

from ..db import database
from ..models import (
    GOAL_STATUSES,
    AuditEntry,
    Benchmark,
    Competency,
    EngagementISP,
    FormDraft,
    Goal,
    GoalMeasurement,
    GoalStatusChange,
    Meeting,
    MeetingAttendee,
    MeetingCompetency,
    MeetingDecision,
    MeetingPrinciple,
    MeetingStrategy,
    NextStep,
    Principle,
    Strategy,
    TeamMember,
    ValidationError,
    check_event_date,
    keys,
    linked_ids,
    text_problem,
    today,
    utcnow,
)
from . import goals as goal_service


def _ids(values):
    out = []
    for v in values or []:
        try:
            i = int(v)
        except (TypeError, ValueError):
            return None
        if i not in out:
            out.append(i)
    return out


def _check(data, engagement, meeting, errors):
    """Validate the ids and rows in `data` against the engagement; return the rows to write."""
    linked = linked_ids(meeting)
    rows = {}

    def ids(name):
        found = _ids(data.get(name))
        if found is None:
            errors[name] = "One of the choices is not valid."
            return []
        return found

    wanted = ids("team_members")
    found = {
        t.id: t
        for t in TeamMember.live().where((TeamMember.engagement == engagement.id) & TeamMember.id.in_(wanted or [0]))
    }
    if set(wanted) - set(found):
        errors["team_members"] = "Only members of this engagement's team can be listed as attending."
    rows["team_members"] = wanted

    wanted = ids("isps")
    allowed = {
        link.user_id
        for link in EngagementISP.select(EngagementISP.user).where(EngagementISP.engagement == engagement.id)
    } | set(linked["isps"])
    if set(wanted) - allowed:
        errors["isps"] = "Only the ISPs of this engagement can be listed as attending."
    rows["isps"] = wanted

    for name, model, message in (
        ("competencies", Competency, "Choose competencies from the list."),
        ("strategies", Strategy, "Choose strategies from the list."),
        ("principles", Principle, "Choose principles from the list."),
    ):
        wanted = ids(name)
        found = {r.id: r for r in model.select().where(model.id.in_(wanted or [0]))}
        usable = {i for i, r in found.items() if not r.retired or i in linked[name]}
        if set(wanted) - usable:
            errors[name] = message
        rows[name] = [found[i] for i in wanted if i in found]

    changes = []
    goals = {g.id: g for g in Goal.live().where(Goal.engagement == engagement.id)}
    for index, change in enumerate(data.get("goal_changes") or []):
        row = change.get("row", index)
        goal = goals.get(change.get("goal_id"))
        if goal is None:
            errors.setdefault("goal_changes", "One of the goals is not a goal of this engagement.")
            continue
        if change.get("status") not in keys(GOAL_STATUSES):
            errors[f"goal_changes-{row}-status"] = "Choose a goal status."
            continue
        note_problem = text_problem(GoalStatusChange.note, change.get("note") or "")
        if note_problem:  # the model's rule, said before the goal is touched
            errors[f"goal_changes-{row}-note"] = note_problem
            continue
        reason, confirmed = change.get("reason") or None, bool(change.get("confirm_open"))
        if data.get("date") is not None:
            problems = goal_service.check_change(
                goal, change["status"], data["date"], change.get("note") or "", reason=reason, confirmed=confirmed
            )
            for key, message in problems.items():
                field = key if key in ("status", "note", "reason", goal_service.CONFIRM_FIELD) else "status"
                errors.setdefault(f"goal_changes-{row}-{field}", message)
            if problems:
                continue
        changes.append((goal, change["status"], change.get("note") or "", reason))
    rows["goal_changes"] = changes
    rows["measurements"] = _check_values(data, goals, meeting, errors)

    wanted = ids("benchmarks")
    found = {
        b.id: b
        for b in Benchmark.live().where((Benchmark.engagement == engagement.id) & Benchmark.id.in_(wanted or [0]))
    }
    if set(wanted) - set(found):
        errors["benchmarks"] = "Only benchmarks of this engagement can be completed here."
    else:
        done = [
            b
            for b in found.values()
            if b.completed_on is not None and not (meeting and b.completed_in_meeting_id == meeting.id)
        ]
        if done:
            errors["benchmarks"] = f"“{done[0].text}” is already completed."
        elif wanted and data.get("date") is not None:
            problem = {}
            check_event_date(problem, "benchmarks", data["date"], engagement.start_date)
            if problem:  # a definition meeting before the start completes no benchmark
                errors["benchmarks"] = "A benchmark is completed on the meeting's date. " + problem["benchmarks"]
    rows["benchmarks"] = [found[i] for i in wanted if i in found]

    steps = []
    for index, step in enumerate(data.get("next_steps") or []):
        row = step.get("row", index)
        text = (step.get("text") or "").strip()
        owner = (step.get("owner") or "").strip()
        due_on = step.get("due_on")
        if not text and not owner and due_on is None:
            continue
        problems = {"text": text_problem(NextStep.text, text), "owner": text_problem(NextStep.owner, owner)}
        if not text:
            errors[f"next_steps-{row}-text"] = "Describe the next step (or clear the owner and due date)."
        elif problems["text"] or problems["owner"]:  # the model's rules, keyed by the row's field
            errors.update({f"next_steps-{row}-{k}": v for k, v in problems.items() if v})
        else:
            steps.append({"id": step.get("id"), "text": text, "owner": owner, "due_on": due_on})
    rows["next_steps"] = steps

    decisions = []
    for index, decision in enumerate(data.get("decisions") or []):
        row = decision.get("row", index)
        candidate = MeetingDecision(text=(decision.get("text") or "").strip(), decided_by=decision.get("decided_by"))
        problems = {k: v for k, v in candidate.validate().items() if k in ("text", "decided_by")}
        if problems:  # the model's rules, keyed by the row's field
            errors.update({f"decisions-{row}-{k}": v for k, v in problems.items()})
        else:
            decisions.append(candidate)
    rows["decisions"] = decisions
    return rows


def _check_values(data, goals, meeting, errors):
    """[(goal, value)] of the measured values to record with the meeting, each checked by the model's
    rules (GoalMeasurement.validate) on the meeting's date; a refusal lands on its row's value field."""
    values = []
    done = set()
    if meeting is not None:
        done = {v.goal_id for v in GoalMeasurement.live().where(GoalMeasurement.meeting_id == meeting.id)}
    for index, item in enumerate(data.get("measurements") or []):
        row = item.get("row", index)
        goal = goals.get(item.get("goal_id"))
        if goal is None:
            errors.setdefault("measurements", "One of the goals is not a goal of this engagement.")
            continue
        if goal.id in done:
            errors[f"measurements-{row}-value"] = "A value of this goal is already recorded in this meeting."
            continue
        candidate = GoalMeasurement(goal=goal.id, date=data.get("date"), value=item.get("value"))
        candidate.goal_engagement_id = goal.engagement_id
        problems = candidate.validate()
        if data.get("date") is None:
            problems.pop("date", None)  # the meeting's own date field says it
        message = problems.get("value") or problems.get("__all__")
        if not message and problems.get("date"):
            message = "A value is dated with the meeting. " + problems["date"]
        if message:
            errors[f"measurements-{row}-value"] = message
        else:
            values.append((goal, item["value"]))
    return values


def _fill(meeting, data, errors):
    meeting.date = data.get("date")
    meeting.kind = data.get("kind")
    meeting.mode = data.get("mode")
    meeting.duration_minutes = data.get("duration_minutes")
    meeting.notes = (data.get("notes") or "").strip()
    meeting.notes_internal = bool(data.get("notes_internal"))
    meeting.agenda_set_by = data.get("agenda_set_by") or None
    errors.update({k: v for k, v in meeting.validate().items() if k not in errors})


def check_links(data, engagement, meeting=None):
    """(rows to write, errors) for the links in `data` (team_members, isps, competencies, strategies,
    principles: lists of ids), checked as log_meeting and update_meeting check them; `meeting`: the one
    being changed (its current links stay allowed), None for a new one. For the portfolio import."""
    errors = {}
    rows = _check(data, engagement, meeting, errors)
    return rows, errors


def replace_links(meeting, rows, doses=None, new=False):
    """Write the checked `rows` (check_links) as the meeting's attendees, competencies, strategies (with
    `doses`: {strategy id: minutes}) and principles, replacing those it had; decisions and next steps are
    left alone. A change of an existing meeting's links is audited on it, as update_meeting audits it."""
    if new:
        _write_links(meeting, rows, doses)
        return
    before = _link_snapshot(meeting)
    before_doses = _doses(meeting)
    _clear_links(meeting)
    _write_links(meeting, rows, doses)
    after = _link_snapshot(meeting)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if before_doses != _doses(meeting):
        changes["strategy_minutes"] = [before_doses, _doses(meeting)]
    if changes:
        AuditEntry.record("update", meeting, changes)


def _doses(meeting):
    links = MeetingStrategy.select().where(
        (MeetingStrategy.meeting == meeting.id) & MeetingStrategy.minutes.is_null(False)
    )
    return {str(link.strategy_id): link.minutes for link in links.order_by(MeetingStrategy.id)}


def _clear_links(meeting):
    """Remove the meeting's links but its decisions. The attendance of a deleted team member is kept (the
    form no longer shows it) so that restoring the member brings it back."""
    for model in (MeetingCompetency, MeetingStrategy, MeetingPrinciple):
        model.delete().where(model.meeting == meeting.id).execute()
    deleted_members = TeamMember.select(TeamMember.id).where(TeamMember.deleted_at.is_null(False))
    MeetingAttendee.delete().where(
        (MeetingAttendee.meeting == meeting.id)
        & (MeetingAttendee.team_member.is_null() | MeetingAttendee.team_member.not_in(deleted_members))
    ).execute()


def _write_links(meeting, rows, doses=None):
    attendees = [{"meeting": meeting.id, "team_member": i, "user": None} for i in rows["team_members"]] + [
        {"meeting": meeting.id, "team_member": None, "user": i} for i in rows["isps"]
    ]
    if attendees:
        MeetingAttendee.insert_many(attendees).execute()
    if rows["competencies"]:
        MeetingCompetency.insert_many(
            [{"meeting": meeting.id, "competency": c.id, "label": c.name[:200]} for c in rows["competencies"]]
        ).execute()
    if rows["strategies"]:
        MeetingStrategy.insert_many(
            [
                {"meeting": meeting.id, "strategy": s.id, "label": s.name[:200], "minutes": (doses or {}).get(s.id)}
                for s in rows["strategies"]
            ]
        ).execute()
    if rows["principles"]:
        MeetingPrinciple.insert_many([{"meeting": meeting.id, "principle": p.id} for p in rows["principles"]]).execute()
    if rows["decisions"]:
        MeetingDecision.insert_many(
            [{"meeting": meeting.id, "text": d.text, "decided_by": d.decided_by} for d in rows["decisions"]]
        ).execute()


def _apply_progress(meeting, rows, user):
    for goal, status, note, reason in rows["goal_changes"]:
        goal_service.record_status_change(
            goal, status, meeting.date, note, meeting=meeting, user=user, reason=reason, confirmed=True
        )
    for benchmark in rows["benchmarks"]:
        if benchmark.completed_in_meeting_id == meeting.id:
            continue
        benchmark.completed_on = meeting.date
        benchmark.completed_in_meeting_id = meeting.id
        benchmark.save()
    for goal, value in rows["measurements"]:
        goal_service.record_measurement(goal, meeting.date, value, user=user, meeting=meeting)


def log_meeting(engagement, data, user, draft=False):
    """Log a new meeting of `engagement` with its links, goal changes, benchmarks and next steps: submitted
    for review, or a draft its author finishes later (`draft`)."""
    errors = {}
    meeting = Meeting(
        engagement=engagement.id, logged_by=getattr(user, "id", None), review_state="draft" if draft else "submitted"
    )
    _fill(meeting, data, errors)
    rows = _check(data, engagement, None, errors)
    if errors:
        raise ValidationError(errors)
    with database.atomic():
        meeting.save()  # audited as a create
        _write_links(meeting, rows)
        if rows["next_steps"]:
            NextStep.insert_many(
                [
                    {"meeting": meeting.id, "text": s["text"], "owner": s["owner"], "due_on": s["due_on"]}
                    for s in rows["next_steps"]
                ]
            ).execute()
        _apply_progress(meeting, rows, user)
        _forget_draft(user, engagement, None)
    return meeting


def _forget_draft(user, engagement, meeting):
    """The author's draft of the form this save came from is done with (issue 23)."""
    if getattr(user, "id", None) is not None:
        FormDraft.clear(user, engagement, meeting)


def _link_snapshot(meeting):
    ids = linked_ids(meeting)
    steps = [
        {"text": s.text, "owner": s.owner, "due_on": s.due_on.isoformat() if s.due_on else None}
        for s in NextStep.live().where(NextStep.meeting == meeting.id).order_by(NextStep.id)
    ]
    return {
        "attendees": sorted(f"team_member:{i}" for i in ids["team_members"]) + sorted(f"isp:{i}" for i in ids["isps"]),
        "competencies": sorted(ids["competencies"]),
        "strategies": sorted(ids["strategies"]),
        "principles": sorted(ids["principles"]),
        "decisions": [{"text": d.text, "decided_by": d.decided_by} for d in MeetingDecision.of(meeting)],
        "next_steps": steps,
    }


def update_meeting(meeting, data, user):
    """Save changes to a meeting: its fields, its links (replaced), new goal changes and benchmarks.

    Goal changes and benchmarks already done in this meeting stay as they are (their date follows
    the meeting's date); next steps keep their done date when their row is kept.
    """
    meeting.check_unlocked()
    engagement = meeting.engagement
    errors = {}
    old_date = meeting.date
    _fill(meeting, data, errors)
    rows = _check(data, engagement, meeting, errors)
    if errors:
        raise ValidationError(errors)
    with database.atomic():
        before = _link_snapshot(meeting)
        meeting.updated_at = utcnow()
        meeting.save()  # audits changed fields
        MeetingDecision.delete().where(MeetingDecision.meeting == meeting.id).execute()
        _clear_links(meeting)  # link rows, not audited on their own
        _write_links(meeting, rows)
        existing = {s.id: s for s in NextStep.live().where(NextStep.meeting == meeting.id)}
        kept = set()
        for step in rows["next_steps"]:
            current = existing.get(step["id"]) if step["id"] not in kept else None
            if current is not None:
                kept.add(current.id)
                current.text, current.owner, current.due_on = step["text"], step["owner"], step["due_on"]
                current.save()
            else:
                NextStep.create(meeting=meeting.id, text=step["text"], owner=step["owner"], due_on=step["due_on"])
        for step_id in sorted(i for i in existing if i not in kept):
            existing[step_id].soft_delete()  # restorable by an administrator; its id is never reused
        if meeting.date != old_date:
            moved = [c.goal_id for c in GoalStatusChange.select().where(GoalStatusChange.meeting_id == meeting.id)]
            GoalStatusChange.update(changed_on=meeting.date).where(GoalStatusChange.meeting_id == meeting.id).execute()
            for goal in Goal.select().where(Goal.id.in_(moved or [0])):
                goal.recompute_status()  # a moved change may now be (or no longer be) the latest-dated
            for b in Benchmark.select().where(  # deleted ones too: restored, they show the meeting's date
                (Benchmark.engagement == engagement.id) & (Benchmark.completed_in_meeting_id == meeting.id)
            ):
                b.completed_on = meeting.date
                b.save()
            for value in GoalMeasurement.live().where(GoalMeasurement.meeting_id == meeting.id):
                value.date = meeting.date  # a value logged with a meeting is dated with it (audited)
                value.goal_engagement_id = engagement.id
                value.save()
        _apply_progress(meeting, rows, user)
        after = _link_snapshot(meeting)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            AuditEntry.record("update", meeting, changes)
        _forget_draft(user, engagement, meeting)
    return meeting


def complete_next_step(step, on=None):
    """Mark a next step done, today unless `on` says otherwise; audited on its own, like its delete. A
    step already done keeps its date (a second click, another tab): returns whether it changed."""
    if step.done_on is not None:
        return False
    with database.atomic():
        step.done_on = on or today()
        step.save(only=[NextStep.done_on])
        AuditEntry.record("update", step, {"done_on": [None, step.done_on.isoformat()]})
    return True
