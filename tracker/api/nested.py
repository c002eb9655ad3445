"""The parts of an engagement: team, goals (with their status history), meetings, benchmarks, stage,
deliverables, context notes. Each is declared once (operations.py): a `<Part>New` body, a `<Part>Patch`
body and a `<Part>Out` answer validate, serialize and document it.

Goals, benchmarks and meetings are also reached by their own id (/goals/<id>, /benchmarks/<id>,
/meetings/<id>: the contract of the API) besides their path under the engagement: `_part` finds the
record, then its engagement, and applies the same policy (not visible: 404; visible, not editable: 403);
one function per write (`_change_goal`, `_change_benchmark`, `_change_meeting`, `_delete`) serves both.
"""

from flask import abort, jsonify
from flask_login import current_user
from marshmallow import ValidationError as SchemaError
from marshmallow import fields, pre_dump, validate

from .. import catalog, policy
from ..forms.stages import STAGE_MESSAGE
from ..models import (
    CFIR_DOMAINS,
    CONTEXT_KINDS,
    DELIVERABLE_KINDS,
    GOAL_REASONS,
    GOAL_STATUSES,
    IMPLEMENTATION_OUTCOMES,
    MAX_DECISIONS,
    MAX_MEETING_MINUTES,
    MEASURE_DIRECTIONS,
    MEETING_KINDS,
    MEETING_MODES,
    POSITIONS,
    POWER_PARTIES,
    Benchmark,
    Competency,
    ContextNote,
    Deliverable,
    Goal,
    GoalMeasurement,
    GoalStatusChange,
    Meeting,
    MeetingDecision,
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
from .common import ApiError, caller
from .operations import operation, page_schema, paged_answer
from .resources import run
from .review import ReviewedOut, ReviewMove, draft_field, draft_requested, make_move
from .schemas import Answer, Body, Choice, Date, Email, Id, Ids, StrictBoolean, Text, Timestamp, needed

E = "/engagements/<int:engagement_id>"
# The stages are the catalog's (loaded from it by init-db, never added otherwise): their keys are an enum.
STAGE_KEYS = catalog.stage_keys()


def StageKey(**kwargs):  # noqa: N802  (a field factory, read as a type)
    return fields.String(validate=validate.OneOf(STAGE_KEYS, error=STAGE_MESSAGE), **kwargs)


def Version():  # noqa: N802  (a field factory, read as a type)
    return Id(
        metadata={
            "description": "The `version` of the representation this change starts from: when the record changed "
            "since, nothing is saved (409, code `stale_version`, with the current record). Without it the change "
            "is saved whatever happened since (last write wins)."
        }
    )


def optional(field):
    """A required field made optional (a PATCH body): left out, it is left alone; sent, it must be valid
    all the same (a title must not be blank)."""
    field.required = False
    return field


def _engagement(engagement_id, edit=False):
    return policy.get_engagement(engagement_id, edit=edit, user=caller())


def _part(model, part_id, engagement_id=None, edit=False):
    """The live `model` row `part_id` as the policy lets the caller reach it: 404 when its engagement is
    not visible (or the row is deleted, or not of the engagement in the URL), 403 when it is visible but
    `edit` is not allowed. Without `engagement_id` (a path by the row's own id) the row's engagement is
    looked up first; the same checks follow."""
    if engagement_id is None:
        engagement_id = model.select(model.engagement).where(model.id == part_id).scalar()
        if engagement_id is None:
            abort(404)
    return policy.get_part(model, _engagement(engagement_id, edit=edit), part_id)


def editable(engagement_id):
    """The engagement, when the caller may change it (the `access` of a create: 404 / 403 before a 400)."""
    return _engagement(engagement_id, edit=True)


def editable_part(model):
    """The `access` of a part's change, by either path: the part, when the caller may change it."""

    def access(engagement_id=None, **ids):
        (part_id,) = ids.values()
        return _part(model, part_id, engagement_id, edit=True)

    return access


def _delete(model, part_id, engagement_id=None):
    """Soft-delete one part (audited; an administrator restores it); a deleted or unknown one: 404."""
    part = _part(model, part_id, engagement_id, edit=True)
    if not policy.can_delete_part(caller(), part.engagement):
        raise ApiError(403, "You may not delete parts of this engagement.")
    run(part_service.delete_part, part)


# --- team -----------------------------------------------------------------------------------------


class TeamMemberNew(Body):
    name = Text(TeamMember.name, required=True)
    position = Choice(POSITIONS, **needed(TeamMember.position))
    email = Email(column=TeamMember.email)
    joined_on = Date(allow_none=True)


class TeamMemberOut(Answer):
    id = Id(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    position = Choice(POSITIONS, required=True)
    user_id = Id(required=True, allow_none=True)
    joined_on = Date(required=True, allow_none=True)
    left_on = Date(required=True, allow_none=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True)


@operation(
    "get", E + "/team", "listTeamMembers", tag="Team", summary="The engagement's team", answer=TeamMemberOut, paged=True
)
def list_team(engagement_id):
    e = _engagement(engagement_id)
    return TeamMember.live().where(TeamMember.engagement == e.id).order_by(TeamMember.name, TeamMember.id)


@operation(
    "post",
    E + "/team",
    "addTeamMember",
    tag="Team",
    summary="Add a team member",
    body=TeamMemberNew,
    answer=TeamMemberOut,
    access=editable,
    links={"getTeamMember": {"member_id": "$response.body#/id"}},
    example={"name": "Sam Lead", "position": "senior_leader", "email": "sam@example.org", "joined_on": "2026-02-01"},
)
def add_team_member(engagement_id, target, data):
    return run(lambda: TeamMember.create(engagement=target, **data))  # the email rule, dates: TeamMember.validate()


@operation(
    "get",
    E + "/team/<int:member_id>",
    "getTeamMember",
    tag="Team",
    summary="One team member",
    answer=TeamMemberOut,
)
def get_team_member(engagement_id, member_id):
    return _part(TeamMember, member_id, engagement_id)


@operation(
    "delete",
    E + "/team/<int:member_id>",
    "deleteTeamMember",
    tag="Team",
    summary="Delete a team member (soft delete)",
)
def delete_team_member(engagement_id, member_id):
    _delete(TeamMember, member_id, engagement_id)


# --- goals and their status history -----------------------------------------------------------------


class GoalNew(Body):
    title = Text(Goal.title, required=True)
    indicator = Text(Goal.indicator)
    target = Text(Goal.target)
    status = Choice(GOAL_STATUSES, load_default="not_started")
    set_on = Date(metadata={"description": "The day the goal was set (its first history entry); today when left out."})


class GoalPatch(Body):
    title = optional(Text(Goal.title, required=True))
    indicator = Text(Goal.indicator)
    target = Text(Goal.target)
    status = Choice(
        GOAL_STATUSES, metadata={"description": "A new status: a dated entry of the history (`changed_on`, `note`)."}
    )
    note = Text(GoalStatusChange.note)
    reason = Choice(
        GOAL_REASONS,
        metadata={"description": "Why the goal is achieved, dropped or revised (required then; none otherwise)."},
    )
    confirm_open = fields.Boolean(
        metadata={"description": "Mark achieved although open benchmarks or deliverables are tied to the goal."}
    )
    changed_on = Date(metadata={"description": "The day of the status change; today when left out."})
    version = Version()


class Number(fields.Float):
    """A number as JSON Schema's `number`: never a bool or a string, never NaN or infinite."""

    default_error_messages = {"invalid": "Must be a number, like 42 or 3.5."}

    def __init__(self, **kwargs):
        super().__init__(allow_nan=False, **kwargs)

    def _validated(self, value):
        if isinstance(value, (bool, str)):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class GoalMeasurePatch(GoalPatch):
    """A goal's PATCH also sets its indicator's measure: all of direction, baseline (value and date) and
    target (value and date) once any is set (the model's rules, as on the goal page); null clears one."""

    measure_unit = Text(Goal.measure_unit)
    measure_direction = Choice(MEASURE_DIRECTIONS, allow_none=True)
    baseline_value = Number(allow_none=True)
    baseline_on = Date(allow_none=True)
    target_value = Number(allow_none=True)
    target_on = Date(allow_none=True)
    outcome = Choice(
        IMPLEMENTATION_OUTCOMES,
        allow_none=True,
        metadata={"description": "The implementation outcome (Proctor et al. 2011) the indicator measures."},
    )


GOAL_FIELDS = ("title", "indicator", "target", "measure_unit", *Goal.MEASURE_FIELDS, "outcome")


class MeasurementNew(Body):
    date = Date(required=True, metadata={"description": "The day the value was measured (an event date)."})
    value = Number(required=True)


class MeasurementPatch(Body):
    date = Date(
        metadata={"description": "The day the value was measured; a value logged with a meeting keeps its date."}
    )
    value = Number()
    version = Version()


class MeasurementOut(Answer):
    id = Id(required=True)
    goal_id = Id(required=True)
    date = Date(required=True)
    value = fields.Float(required=True)
    recorded_by_id = Id(required=True, allow_none=True)
    meeting_id = Id(required=True, allow_none=True)
    created = Timestamp(attribute="created_at", required=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True)


class GoalMeasureOut(Answer):
    """The measure of a goal's indicator (null when the goal has none)."""

    unit = fields.String(attribute="measure_unit", required=True)
    direction = Choice(MEASURE_DIRECTIONS, attribute="measure_direction", required=True)
    baseline_value = fields.Float(required=True)
    baseline_on = Date(required=True, allow_none=True)
    target_value = fields.Float(required=True)
    target_on = Date(required=True, allow_none=True)
    latest = fields.Nested(MeasurementOut, required=True, allow_none=True)
    progress = fields.Float(
        required=True,
        allow_none=True,
        metadata={
            "description": "Progress toward target = (latest − baseline) / (target − baseline), capped to [0, 1] "
            "(past the target: 1; worse than the baseline: 0); null before a value is recorded."
        },
    )


class GoalOut(Answer):
    id = Id(required=True)
    title = fields.String(required=True)
    indicator = fields.String(required=True)
    target = fields.String(required=True)
    status = Choice(GOAL_STATUSES, required=True)
    outcome = Choice(
        IMPLEMENTATION_OUTCOMES,
        required=True,
        allow_none=True,
        metadata={"description": "The implementation outcome (Proctor et al. 2011) the indicator is tagged with."},
    )
    measure = fields.Nested(GoalMeasureOut, attribute="measure_summary", required=True, allow_none=True)
    created = Timestamp(attribute="created_at", required=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True)


class GoalChangePatch(Body):
    status = Choice(GOAL_STATUSES)
    changed_on = Date()
    note = Text(GoalStatusChange.note)
    reason = Choice(GOAL_REASONS)


class GoalChangeOut(Answer):
    id = Id(required=True)
    status = Choice(GOAL_STATUSES, required=True)
    changed_on = Date(required=True)
    note = fields.String(required=True)
    reason = Choice(GOAL_REASONS, required=True, allow_none=True)
    meeting_id = Id(required=True, allow_none=True)
    changed_by_id = Id(required=True, allow_none=True)
    updated_at = Timestamp(
        required=True,
        allow_none=True,
        metadata={"description": "When the entry was written or last corrected (null: written before this was kept)."},
    )


class GoalHistoryOut(page_schema(GoalChangeOut)):
    """A page of the goal's status history, in date order, and its status now."""

    current = Choice(GOAL_STATUSES, required=True, metadata={"description": "The status of the latest-dated entry."})


@operation("get", E + "/goals", "listGoals", tag="Goals", summary="The engagement's goals", answer=GoalOut, paged=True)
def list_goals(engagement_id):
    e = _engagement(engagement_id)
    return Goal.live().where(Goal.engagement == e.id).order_by(Goal.id)


@operation(
    "post",
    E + "/goals",
    "createGoal",
    tag="Goals",
    summary="Add a goal (its history starts with its status on `set_on`)",
    body=GoalNew,
    answer=GoalOut,
    access=editable,
    links={"getGoal": {"goal_id": "$response.body#/id"}, "listGoalHistory": {"goal_id": "$response.body#/id"}},
    example={"title": "Fidelity checklist in use", "indicator": "Used in 80% of visits", "target": "June 2026"},
)
def add_goal(engagement_id, target, data):
    set_on = data.pop("set_on", None)
    return run(goal_service.add_goal, target, data, caller().id, set_on)


@operation("get", "/goals/<int:goal_id>", "getGoal", tag="Goals", summary="One goal", answer=GoalOut)
def get_goal(goal_id):
    return _part(Goal, goal_id)


def _change_goal(goal, data):
    """A goal's PATCH (both paths): its text, then a dated status change, in one transaction."""
    goal.expected_version = data.pop("version", None)  # None: last write wins

    def write():
        text = {name: data[name] for name in GOAL_FIELDS if name in data}
        for name in ("measure_direction", "outcome"):
            if text.get(name) == "":
                text[name] = None  # a blank choice clears it
        if text:
            for name, value in text.items():
                setattr(goal, name, value)
            goal.save()
        if "status" in data:
            changed_on = data.get("changed_on") or today()
            goal_service.record_status_change(
                goal,
                data["status"],
                changed_on,
                data.get("note", ""),
                user=caller().id,
                reason=data.get("reason"),
                confirmed=data.get("confirm_open", False),
            )

    run(write, represent=GoalOut().dump)
    return Goal.get_by_id(goal.id)


GOAL_PATCH = (
    "Change a goal: its title, indicator, target, the measure of its indicator (unit, direction, baseline, target, "
    "outcome), or its status (a dated entry of its history)"
)


@operation(
    "patch",
    "/goals/<int:goal_id>",
    "updateGoal",
    tag="Goals",
    summary=GOAL_PATCH,
    body=GoalMeasurePatch,
    answer=GoalOut,
    access=editable_part(Goal),
)
def update_goal(goal_id, target, data):
    return _change_goal(target, data)


@operation(
    "patch",
    E + "/goals/<int:goal_id>",
    "updateEngagementGoal",
    tag="Goals",
    summary=GOAL_PATCH + " (the same as PATCH /goals/{goal_id})",
    body=GoalMeasurePatch,
    answer=GoalOut,
    access=editable_part(Goal),
)
def update_engagement_goal(engagement_id, goal_id, target, data):
    return _change_goal(target, data)


def _history(goal):
    return jsonify({**paged_answer(goal.dated_history(), GoalChangeOut), "current": goal.status})


GOAL_HISTORY = "The goal's status history in date order (ties: in the order entered), a page at a time"


@operation(
    "get", "/goals/<int:goal_id>/history", "listGoalHistory", tag="Goals", summary=GOAL_HISTORY, answer=GoalHistoryOut
)
def goal_history(goal_id):
    return _history(_part(Goal, goal_id))


@operation(
    "get",
    E + "/goals/<int:goal_id>/history",
    "listEngagementGoalHistory",
    tag="Goals",
    summary=GOAL_HISTORY + " (the same as GET /goals/{goal_id}/history)",
    answer=GoalHistoryOut,
)
def engagement_goal_history(engagement_id, goal_id):
    return _history(_part(Goal, goal_id, engagement_id))


def _goal_change(engagement_id, goal_id, change_id):
    goal = _part(Goal, goal_id, engagement_id, edit=True)
    change = GoalStatusChange.get_or_none((GoalStatusChange.id == change_id) & (GoalStatusChange.goal == goal.id))
    if change is None:
        raise ApiError(404, "No such entry in this goal's history.")
    return change


@operation(
    "patch",
    E + "/goals/<int:goal_id>/history/<int:change_id>",
    "correctGoalHistoryEntry",
    tag="Goals",
    summary="Correct an entry of the status history (its status, date or note)",
    body=GoalChangePatch,
    answer=GoalChangeOut,
    access=_goal_change,
)
def correct_goal_change(engagement_id, goal_id, change_id, target, data):
    change = target
    status = data.get("status", change.status)
    changed_on = data.get("changed_on", change.changed_on)
    note = data.get("note", change.note)
    reason = data.get("reason", change.reason)
    return run(goal_service.correct_status_change, change, status, changed_on, note, caller().id, reason)


@operation(
    "delete",
    E + "/goals/<int:goal_id>/history/<int:change_id>",
    "deleteGoalHistoryEntry",
    tag="Goals",
    summary="Remove an entry of the status history (a goal keeps at least one: 409)",
)
def remove_goal_change(engagement_id, goal_id, change_id):
    change = _goal_change(engagement_id, goal_id, change_id)
    run(goal_service.remove_status_change, change, caller().id)


# --- measured values of a goal's indicator ----------------------------------------------------------


@operation(
    "get",
    "/goals/<int:goal_id>/measurements",
    "listGoalMeasurements",
    tag="Goals",
    summary="The values recorded for the goal's measured indicator, in date order",
    answer=MeasurementOut,
    paged=True,
)
def list_goal_measurements(goal_id):
    goal = _part(Goal, goal_id)
    return (
        GoalMeasurement.live().where(GoalMeasurement.goal == goal.id).order_by(GoalMeasurement.date, GoalMeasurement.id)
    )


@operation(
    "post",
    "/goals/<int:goal_id>/measurements",
    "recordGoalMeasurement",
    tag="Goals",
    summary="Record a value of the goal's measured indicator on a date (the goal needs a measure: else 409)",
    body=MeasurementNew,
    answer=MeasurementOut,
    access=editable_part(Goal),
    links={"getGoalMeasurement": {"goal_id": "$request.path.goal_id", "measurement_id": "$response.body#/id"}},
    example={"date": "2026-03-01", "value": 62.5},
)
def record_goal_measurement(goal_id, target, data):
    return run(goal_service.record_measurement, target, data["date"], data["value"], caller().id)


@operation(
    "get",
    "/goals/<int:goal_id>/measurements/<int:measurement_id>",
    "getGoalMeasurement",
    tag="Goals",
    summary="One recorded value of the goal's measured indicator",
    answer=MeasurementOut,
)
def get_goal_measurement(goal_id, measurement_id):
    goal = _part(Goal, goal_id)
    found = GoalMeasurement.live().where((GoalMeasurement.id == measurement_id) & (GoalMeasurement.goal == goal.id))
    return found.first() or abort(404)


def editable_measurement(goal_id, measurement_id):
    """The `access` of a value's change: the live value of that goal, when the caller may change the goal."""
    goal = _part(Goal, goal_id, edit=True)
    found = GoalMeasurement.live().where((GoalMeasurement.id == measurement_id) & (GoalMeasurement.goal == goal.id))
    measurement = found.first() or abort(404)
    measurement.goal_engagement_id = goal.engagement_id
    return measurement


@operation(
    "patch",
    "/goals/<int:goal_id>/measurements/<int:measurement_id>",
    "correctGoalMeasurement",
    tag="Goals",
    summary="Correct a recorded value: its date or value (a value logged with a meeting keeps the meeting's date)",
    body=MeasurementPatch,
    answer=MeasurementOut,
    access=editable_measurement,
    example={"value": 64, "version": 1},
)
def correct_goal_measurement(goal_id, measurement_id, target, data):
    target.expected_version = data.get("version")  # None: last write wins
    date = data.get("date", target.date)
    value = data.get("value", target.value)
    return run(goal_service.correct_measurement, target, date, value, represent=MeasurementOut().dump)


@operation(
    "delete",
    "/goals/<int:goal_id>/measurements/<int:measurement_id>",
    "deleteGoalMeasurement",
    tag="Goals",
    summary="Remove a recorded value (soft delete, audited): progress toward target uses the values left",
    access=editable_measurement,
)
def delete_goal_measurement(goal_id, measurement_id, target):
    run(goal_service.remove_measurement, target)


# --- meetings -------------------------------------------------------------------------------------


class CatalogKeys(fields.List):
    """A list of catalog keys (competencies, strategies, principles), loaded as the ids of their rows
    (the meeting service checks them as the form's choices); an unknown key is refused, named."""

    MAX = 200

    def __init__(self, model, **kwargs):
        catalog = model._meta.table_name
        kwargs.setdefault("metadata", {"description": f"Keys of the catalog's {catalog} rows (GET /catalog)."})
        limit = validate.Length(max=self.MAX, error=f"At most {self.MAX} keys.")
        super().__init__(fields.String(validate=validate.Length(max=80)), validate=limit, **kwargs)
        self.model = model

    def _deserialize(self, value, attr, data, **kwargs):
        wanted = super()._deserialize(value, attr, data, **kwargs)
        if len(wanted) > self.MAX:  # before the query
            raise SchemaError(f"At most {self.MAX} keys.")
        model = self.model
        found = {r.key: r.id for r in model.select(model.id, model.key).where(model.key.in_(wanted or [""]))}
        unknown = [key for key in wanted if key not in found]
        if unknown:
            raise SchemaError("Unknown keys: " + ", ".join(unknown[:5])[:300] + ".")
        return [found[key] for key in wanted]


def Minutes(**kwargs):  # noqa: N802  (a field factory, read as a type)
    return fields.Integer(
        strict=True,
        validate=validate.Range(1, MAX_MEETING_MINUTES, error=f"Between 1 and {MAX_MEETING_MINUTES} minutes."),
        **kwargs,
    )


class NextStepNew(Body):
    id = Id(
        metadata={
            "description": "On a change of the meeting: the id of one of its next steps to keep (its done date "
            "stays). Left out: a new next step."
        }
    )
    text = Text(NextStep.text, required=True)
    owner = Text(NextStep.owner)
    due_on = Date(allow_none=True)


class DecisionNew(Body):
    text = Text(MeetingDecision.text, required=True)
    decided_by = Choice(POWER_PARTIES, required=True)


AGENDA_HELP = (
    "Who set the session's agenda: the ISPs (`isp`), the recipient team (`recipient`) or both (`joint`); "
    "null: not recorded."
)


class GoalUpdateNew(Body):
    goal_id = Id(required=True)
    status = Choice(GOAL_STATUSES, required=True)
    note = Text(GoalStatusChange.note)
    reason = Choice(
        GOAL_REASONS,
        metadata={"description": "Why the goal is achieved, dropped or revised (required then; none otherwise)."},
    )
    confirm_open = fields.Boolean(
        metadata={"description": "Mark achieved although open benchmarks or deliverables are tied to the goal."}
    )


INTERNAL_HELP = (
    "Internal: ISPs and leaders only, never shown to the recipient (a recipient's answers leave internal notes out)."
)


def _sees_internal():
    """Whether the caller sees internal notes (policy.can_see_internal_notes)."""
    return policy.can_see_internal_notes(current_user)


class MeetingNew(Body):
    """A meeting with its links and the progress made in it, written in one transaction. The service's
    names of the lists are the attribute names; the API's are the data keys (`attendee_ids`, ...)."""

    date = Date(required=True)
    kind = Choice(MEETING_KINDS, load_default="monthly")
    mode = Choice(MEETING_MODES, load_default="in_person")
    duration_minutes = Minutes(load_default=60)
    notes = Text(Meeting.notes)
    notes_internal = StrictBoolean(load_default=False, metadata={"description": "The notes are " + INTERNAL_HELP})
    agenda_set_by = Choice(POWER_PARTIES, allow_none=True, metadata={"description": AGENDA_HELP})
    decisions = fields.List(
        fields.Nested(DecisionNew),
        validate=validate.Length(max=MAX_DECISIONS, error=f"At most {MAX_DECISIONS}."),
        metadata={"description": "Decisions taken in the session and who took them (replaced as a whole)."},
    )
    team_members = Ids(data_key="attendee_ids", metadata={"description": "Team members who attended."})
    isps = Ids(data_key="isp_ids", metadata={"description": "ISPs of the engagement who attended."})
    competencies = CatalogKeys(Competency)
    strategies = CatalogKeys(Strategy)
    principles = CatalogKeys(Principle)
    next_steps = fields.List(fields.Nested(NextStepNew), validate=validate.Length(max=100, error="At most 100."))
    goal_changes = fields.List(
        fields.Nested(GoalUpdateNew),
        data_key="goal_updates",
        validate=validate.Length(max=100, error="At most 100."),
        metadata={"description": "Status changes of the engagement's goals, dated the meeting's date."},
    )
    benchmarks = Ids(
        data_key="benchmarks_completed", metadata={"description": "Benchmarks completed, on the meeting's date."}
    )


class MeetingCreate(MeetingNew):
    """A new meeting: as MeetingNew, and optionally a draft (issue 23)."""

    review_state = draft_field()


class MeetingPatch(MeetingNew):
    """A change of a meeting: what is sent replaces what it had (a list sent replaces the list); what is
    left out stays. Goal updates and benchmarks sent are added to those made in the meeting."""

    date = Date()
    kind = Choice(MEETING_KINDS)
    mode = Choice(MEETING_MODES)
    duration_minutes = Minutes()
    notes_internal = StrictBoolean(metadata={"description": "The notes are " + INTERNAL_HELP})
    version = Version()


# The meeting service's names of fields -> the API's (its errors are named after them).
MEETING_FIELDS = {name: field.data_key for name, field in MeetingNew._declared_fields.items() if field.data_key}


class NextStepOut(Answer):
    id = Id(required=True)
    text = fields.String(required=True)
    owner = fields.String(required=True)
    due_on = Date(required=True, allow_none=True)
    done_on = Date(required=True, allow_none=True)


class DecisionOut(Answer):
    text = fields.String(required=True)
    decided_by = Choice(POWER_PARTIES, required=True)


class GoalUpdateOut(Answer):
    goal_id = Id(required=True)
    status = Choice(GOAL_STATUSES, required=True)
    note = fields.String(required=True)
    reason = Choice(GOAL_REASONS, required=True, allow_none=True)


class MeetingOut(ReviewedOut):
    id = Id(required=True)
    date = Date(required=True)
    kind = Choice(MEETING_KINDS, required=True)
    mode = Choice(MEETING_MODES, required=True)
    duration_minutes = fields.Integer(required=True)
    notes = fields.Function(
        lambda m: m.notes_for(_sees_internal()),
        required=True,
        metadata={"type": "string", "description": "Empty for a recipient when the notes are internal."},
    )
    notes_internal = fields.Function(
        lambda m: bool(m.notes_internal and _sees_internal()),
        required=True,
        metadata={"type": "boolean", "description": "The notes are " + INTERNAL_HELP},
    )
    agenda_set_by = Choice(POWER_PARTIES, required=True, allow_none=True, metadata={"description": AGENDA_HELP})
    logged_by_id = Id(required=True, allow_none=True)
    created = Timestamp(attribute="created_at", required=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True)


class _Linked:
    """A meeting with what it links to, as its answer names them: catalog keys, ids, next steps, goal
    updates and the benchmarks it completed."""

    def __init__(self, meeting):
        self._meeting = meeting
        links = linked_ids(meeting)
        for name, model in (("competencies", Competency), ("strategies", Strategy), ("principles", Principle)):
            found = {r.id: r.key for r in model.select(model.id, model.key).where(model.id.in_(links[name] or [0]))}
            setattr(self, name, [found[i] for i in links[name] if i in found])
        self.attendee_ids = links["team_members"]
        self.isp_ids = links["isps"]
        self.next_steps = list(NextStep.live().where(NextStep.meeting == meeting.id).order_by(NextStep.id))
        self.decisions = MeetingDecision.of(meeting)
        self.goal_updates = list(
            GoalStatusChange.select().where(GoalStatusChange.meeting_id == meeting.id).order_by(GoalStatusChange.id)
        )
        self.benchmarks_completed = [
            b.id
            for b in Benchmark.select(Benchmark.id)
            .where((Benchmark.completed_in_meeting_id == meeting.id) & Benchmark.deleted_at.is_null())
            .order_by(Benchmark.id)
        ]

    def __getattr__(self, name):
        return getattr(self._meeting, name)


class MeetingDetailOut(MeetingOut):
    competencies = fields.List(fields.String(), required=True)
    strategies = fields.List(fields.String(), required=True)
    principles = fields.List(fields.String(), required=True)
    attendee_ids = fields.List(Id(), required=True)
    isp_ids = fields.List(Id(), required=True)
    next_steps = fields.List(fields.Nested(NextStepOut), required=True)
    decisions = fields.List(fields.Nested(DecisionOut), required=True)
    goal_updates = fields.List(fields.Nested(GoalUpdateOut), required=True)
    benchmarks_completed = fields.List(Id(), required=True)

    @pre_dump
    def links(self, meeting, **kwargs):
        return _Linked(meeting)


def _run_meeting(write, *args):
    """A meeting service write through `run`, its errors named as the API names the fields."""
    try:
        return run(write, *args, represent=MeetingDetailOut().dump)
    except ApiError as exc:
        renamed = {}
        for key, message in exc.fields.items():
            head, sep, rest = key.partition("-")
            renamed[MEETING_FIELDS.get(head, head) + sep + rest] = message
        exc.fields = renamed
        raise


def _change_meeting(meeting, data):
    """A meeting's PATCH (both paths): what was sent over what it has, through the meeting service."""
    meeting.expected_version = data.pop("version", None)  # None: last write wins
    current = {
        "date": meeting.date,
        "kind": meeting.kind,
        "mode": meeting.mode,
        "duration_minutes": meeting.duration_minutes,
        "notes": meeting.notes,
        "notes_internal": meeting.notes_internal,
        "agenda_set_by": meeting.agenda_set_by,
        "decisions": [{"text": d.text, "decided_by": d.decided_by} for d in MeetingDecision.of(meeting)],
        **linked_ids(meeting),
        "next_steps": [
            {"id": s.id, "text": s.text, "owner": s.owner, "due_on": s.due_on}
            for s in NextStep.live().where(NextStep.meeting == meeting.id).order_by(NextStep.id)
        ],
    }
    _run_meeting(meeting_service.update_meeting, meeting, {**current, **data}, caller())
    return Meeting.get_by_id(meeting.id)


@operation(
    "get",
    E + "/meetings",
    "listMeetings",
    tag="Meetings",
    summary="The engagement's meetings, latest first",
    answer=MeetingOut,
    paged=True,
)
def list_meetings(engagement_id):
    e = _engagement(engagement_id)
    return Meeting.live().where(Meeting.engagement == e.id).order_by(Meeting.date.desc(), Meeting.id.desc())


@operation(
    "post",
    E + "/meetings",
    "createMeeting",
    tag="Meetings",
    summary="Log a meeting with its links and progress in one transaction",
    body=MeetingCreate,
    answer=MeetingDetailOut,
    access=editable,
    links={"getMeeting": {"meeting_id": "$response.body#/id"}},
    example={
        "date": "2026-02-10",
        "kind": "monthly",
        "mode": "virtual",
        "duration_minutes": 90,
        "attendee_ids": [],
        "isp_ids": [],
        "competencies": [],
        "strategies": [],
        "notes": "Reviewed the fidelity checklist.",
        "agenda_set_by": "joint",
        "decisions": [{"text": "Pilot the checklist in two classrooms", "decided_by": "recipient"}],
        "next_steps": [{"text": "Draft the coaching plan", "owner": "Sam", "due_on": "2026-03-01"}],
        "goal_updates": [],
        "benchmarks_completed": [],
    },
)
def log_meeting(engagement_id, target, data):
    draft = draft_requested(data)
    return _run_meeting(lambda: meeting_service.log_meeting(target, data, caller(), draft=draft))


@operation(
    "post",
    "/meetings/<int:meeting_id>/review",
    "reviewMeeting",
    tag="Meetings",
    summary="Move a meeting log through review: submit, return (with a note), approve or reopen (with a reason)",
    body=ReviewMove,
    answer=MeetingDetailOut,
    status=200,
    errors=("409", "422"),
    access=lambda meeting_id: _part(Meeting, meeting_id),
    example={"move": "return", "note": "Add the next steps."},
)
def review_meeting(meeting_id, target, data):
    return make_move(target, data)


@operation(
    "get",
    "/meetings/<int:meeting_id>",
    "getMeeting",
    tag="Meetings",
    summary="One meeting with its links",
    answer=MeetingDetailOut,
)
def get_meeting(meeting_id):
    return _part(Meeting, meeting_id)


@operation(
    "patch",
    "/meetings/<int:meeting_id>",
    "updateMeeting",
    tag="Meetings",
    summary="Change a meeting",
    body=MeetingPatch,
    answer=MeetingDetailOut,
    access=editable_part(Meeting),
)
def update_meeting(meeting_id, target, data):
    return _change_meeting(target, data)


@operation("delete", "/meetings/<int:meeting_id>", "deleteMeeting", tag="Meetings", summary="Delete a meeting (soft)")
def delete_meeting(meeting_id):
    _delete(Meeting, meeting_id)


@operation(
    "get",
    E + "/meetings/<int:meeting_id>",
    "getEngagementMeeting",
    tag="Meetings",
    summary="One meeting with its links (the same as GET /meetings/{meeting_id})",
    answer=MeetingDetailOut,
)
def get_engagement_meeting(engagement_id, meeting_id):
    return _part(Meeting, meeting_id, engagement_id)


@operation(
    "patch",
    E + "/meetings/<int:meeting_id>",
    "updateEngagementMeeting",
    tag="Meetings",
    summary="Change a meeting (the same as PATCH /meetings/{meeting_id})",
    body=MeetingPatch,
    answer=MeetingDetailOut,
    access=editable_part(Meeting),
)
def update_engagement_meeting(engagement_id, meeting_id, target, data):
    return _change_meeting(target, data)


@operation(
    "delete",
    E + "/meetings/<int:meeting_id>",
    "deleteEngagementMeeting",
    tag="Meetings",
    summary="Delete a meeting (soft; the same as DELETE /meetings/{meeting_id})",
)
def delete_engagement_meeting(engagement_id, meeting_id):
    _delete(Meeting, meeting_id, engagement_id)


# --- benchmarks and stage ---------------------------------------------------------------------------


class BenchmarkPatch(Body):
    completed_on = Date(
        required=True,
        allow_none=True,
        error_messages={"required": "Give the completion date, or null to reopen the benchmark."},
        metadata={"description": "The day it was completed, or null to reopen it."},
    )
    note = Text(Benchmark.evidence, metadata={"description": "The evidence of its completion; kept when left out."})
    version = Version()


class BenchmarkOut(Answer):
    id = Id(required=True)
    stage = StageKey(attribute="stage.key", required=True)
    text = fields.String(required=True)
    completed_on = Date(required=True, allow_none=True)
    note = fields.String(attribute="evidence", required=True)
    completed_in_meeting_id = Id(required=True, allow_none=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True)


@operation(
    "get",
    E + "/benchmarks",
    "listBenchmarks",
    tag="Benchmarks",
    summary="The engagement's benchmarks, by stage",
    answer=BenchmarkOut,
    paged=True,
)
def list_benchmarks(engagement_id):
    e = _engagement(engagement_id)
    return (
        Benchmark.select(Benchmark, Stage)
        .join(Stage)
        .where((Benchmark.engagement == e.id) & Benchmark.deleted_at.is_null())
        .order_by(Benchmark.stage, Benchmark.position, Benchmark.id)
    )


def _change_benchmark(benchmark, data):
    """A benchmark's PATCH (both paths): completed on a date, or reopened with null."""
    benchmark.expected_version = data.get("version")  # None: last write wins
    if data["completed_on"] is None:
        run(stage_service.reopen, benchmark, represent=BenchmarkOut().dump)
    else:
        note = data.get("note", benchmark.evidence)
        args = (benchmark, benchmark.engagement, data["completed_on"], note)
        run(stage_service.check_off, *args, represent=BenchmarkOut().dump)
    return Benchmark.get_by_id(benchmark.id)


BENCHMARK_PATCH = "Complete a benchmark on a date (or reopen it with null)"


@operation(
    "get",
    "/benchmarks/<int:benchmark_id>",
    "getBenchmark",
    tag="Benchmarks",
    summary="One benchmark",
    answer=BenchmarkOut,
)
def get_benchmark(benchmark_id):
    return _part(Benchmark, benchmark_id)


@operation(
    "patch",
    "/benchmarks/<int:benchmark_id>",
    "updateBenchmark",
    tag="Benchmarks",
    summary=BENCHMARK_PATCH,
    body=BenchmarkPatch,
    answer=BenchmarkOut,
    access=editable_part(Benchmark),
)
def update_benchmark(benchmark_id, target, data):
    return _change_benchmark(target, data)


@operation(
    "get",
    E + "/benchmarks/<int:benchmark_id>",
    "getEngagementBenchmark",
    tag="Benchmarks",
    summary="One benchmark (the same as GET /benchmarks/{benchmark_id})",
    answer=BenchmarkOut,
)
def get_engagement_benchmark(engagement_id, benchmark_id):
    return _part(Benchmark, benchmark_id, engagement_id)


@operation(
    "patch",
    E + "/benchmarks/<int:benchmark_id>",
    "updateEngagementBenchmark",
    tag="Benchmarks",
    summary=BENCHMARK_PATCH + " (the same as PATCH /benchmarks/{benchmark_id})",
    body=BenchmarkPatch,
    answer=BenchmarkOut,
    access=editable_part(Benchmark),
)
def update_engagement_benchmark(engagement_id, benchmark_id, target, data):
    return _change_benchmark(target, data)


@operation(
    "delete",
    E + "/benchmarks/<int:benchmark_id>",
    "deleteBenchmark",
    tag="Benchmarks",
    summary="Delete a benchmark (soft delete)",
)
def delete_benchmark(engagement_id, benchmark_id):
    _delete(Benchmark, benchmark_id, engagement_id)


class StageEntryNew(Body):
    stage = StageKey(required=True)
    date = Date(load_default=today, metadata={"description": "The day the stage was entered; today when left out."})
    note = Text(StageEntry.note, metadata={"description": "Why: needed when the engagement goes back to a stage."})


class StageEntryPatch(Body):
    stage = StageKey()
    date = Date()
    note = Text(StageEntry.note)


class StageEntryOut(Answer):
    id = Id(required=True)
    stage = StageKey(attribute="stage.key", required=True)
    date = Date(attribute="entered_on", required=True)
    note = fields.String(required=True)
    created_by_id = Id(required=True, allow_none=True)
    updated_at = Timestamp(
        required=True,
        allow_none=True,
        metadata={"description": "When the entry was written or last corrected (null: written before this was kept)."},
    )


class StageHistoryOut(page_schema(StageEntryOut)):
    """A page of the engagement's stage history, in date order, and its stage now."""

    current = StageKey(required=True, allow_none=True, metadata={"description": "The current stage (none yet: null)."})


def _stage_run(write, *args):
    try:
        return run(write, *args)
    except ApiError as exc:
        if "entered_on" in exc.fields:  # the service speaks of the form's field
            exc.fields["date"] = exc.fields.pop("entered_on")
        raise


@operation(
    "get",
    E + "/stage",
    "listStageEntries",
    tag="Stage",
    summary="The stage history in date order, a page at a time, and the current stage",
    answer=StageHistoryOut,
)
def stage_history(engagement_id):
    e = _engagement(engagement_id)
    entries = (
        StageEntry.select(StageEntry, Stage)
        .join(Stage)
        .where(StageEntry.engagement == e.id)
        .order_by(StageEntry.entered_on, StageEntry.id)
    )
    current = Stage.select(Stage.key).where(Stage.id == e.current_stage_id).scalar()
    return jsonify({**paged_answer(entries, StageEntryOut), "current": current})


@operation(
    "post",
    E + "/stage",
    "enterStage",
    tag="Stage",
    summary="Enter a stage (the current stage again: 409)",
    body=StageEntryNew,
    answer=StageEntryOut,
    access=editable,
    links={"listStageEntries": {}},
    errors=("409",),
    example={"stage": "installation", "date": "2026-02-15", "note": ""},
)
def move_stage(engagement_id, target, data):
    note = data.get("note", "")
    return _stage_run(stage_service.move_to_stage, target, data["stage"], data["date"], note, caller())


def _stage_entry(engagement_id, stage_entry_id):
    """An entry of the stage history of an engagement the caller may change (404 / 403 as the policy says)."""
    e = _engagement(engagement_id, edit=True)
    entry = StageEntry.get_or_none((StageEntry.id == stage_entry_id) & (StageEntry.engagement == e.id))
    if entry is None:
        raise ApiError(404, "No such entry in this engagement's stage history.")
    entry.engagement = e
    return entry


@operation(
    "patch",
    E + "/stage/<int:stage_entry_id>",
    "correctStageEntry",
    tag="Stage",
    summary="Correct an entry of the stage history (its stage, date or note)",
    body=StageEntryPatch,
    answer=StageEntryOut,
    access=_stage_entry,
)
def correct_stage_entry(engagement_id, stage_entry_id, target, data):
    entry = target
    key = data["stage"] if "stage" in data else entry.stage.key
    entered_on = data.get("date", entry.entered_on)
    note = data.get("note", entry.note)
    return _stage_run(stage_service.correct_entry, entry.engagement, entry, key, entered_on, note, caller())


@operation(
    "delete",
    E + "/stage/<int:stage_entry_id>",
    "deleteStageEntry",
    tag="Stage",
    summary="Remove an entry of the stage history",
)
def remove_stage_entry(engagement_id, stage_entry_id):
    entry = _stage_entry(engagement_id, stage_entry_id)
    _stage_run(stage_service.remove_entry, entry.engagement, entry, caller())


# --- deliverables and context notes ---------------------------------------------------------------


class DeliverableNew(Body):
    title = Text(Deliverable.title, required=True)
    kind = Choice(DELIVERABLE_KINDS, load_default="other")
    due_on = Date(allow_none=True)
    delivered_on = Date(allow_none=True)
    link = Text(Deliverable.link)
    note = Text(Deliverable.note)


class DeliverableOut(Answer):
    id = Id(required=True)
    kind = Choice(DELIVERABLE_KINDS, required=True)
    title = fields.String(required=True)
    due_on = Date(required=True, allow_none=True)
    delivered_on = Date(required=True, allow_none=True)
    link = fields.String(required=True)
    note = fields.String(required=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True)


@operation(
    "get",
    E + "/deliverables",
    "listDeliverables",
    tag="Deliverables",
    summary="The engagement's deliverables",
    answer=DeliverableOut,
    paged=True,
)
def list_deliverables(engagement_id):
    e = _engagement(engagement_id)
    return Deliverable.live().where(Deliverable.engagement == e.id).order_by(Deliverable.id)


@operation(
    "post",
    E + "/deliverables",
    "createDeliverable",
    tag="Deliverables",
    summary="Add a deliverable",
    body=DeliverableNew,
    answer=DeliverableOut,
    access=editable,
    links={"getDeliverable": {"deliverable_id": "$response.body#/id"}},
    example={"title": "Practice profile", "kind": "other", "due_on": "2026-05-01"},
)
def add_deliverable(engagement_id, target, data):
    return run(lambda: Deliverable.create(engagement=target, **data))


@operation(
    "get",
    E + "/deliverables/<int:deliverable_id>",
    "getDeliverable",
    tag="Deliverables",
    summary="One deliverable",
    answer=DeliverableOut,
)
def get_deliverable(engagement_id, deliverable_id):
    return _part(Deliverable, deliverable_id, engagement_id)


@operation(
    "delete",
    E + "/deliverables/<int:deliverable_id>",
    "deleteDeliverable",
    tag="Deliverables",
    summary="Delete a deliverable (soft delete)",
)
def delete_deliverable(engagement_id, deliverable_id):
    _delete(Deliverable, deliverable_id, engagement_id)


class ContextNoteNew(Body):
    kind = Choice(CONTEXT_KINDS, required=True)
    domain = Choice(CFIR_DOMAINS, required=True)
    text = Text(ContextNote.text, required=True)
    noted_on = Date(load_default=today, metadata={"description": "Today when left out."})
    internal = StrictBoolean(load_default=False, metadata={"description": INTERNAL_HELP})


class ContextNoteOut(Answer):
    id = Id(required=True)
    kind = Choice(CONTEXT_KINDS, required=True)
    domain = Choice(CFIR_DOMAINS, required=True)
    text = fields.String(required=True)
    noted_on = Date(required=True)
    internal = fields.Boolean(required=True, metadata={"description": INTERNAL_HELP})
    created_by_id = Id(required=True, allow_none=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True)


@operation(
    "get",
    E + "/context-notes",
    "listContextNotes",
    tag="Context notes",
    summary="The engagement's context notes, latest first",
    answer=ContextNoteOut,
    paged=True,
)
def list_context_notes(engagement_id):
    e = _engagement(engagement_id)
    return ContextNote.shown(
        ContextNote.live()
        .where(ContextNote.engagement == e.id)
        .order_by(ContextNote.noted_on.desc(), ContextNote.id.desc()),
        _sees_internal(),
    )


@operation(
    "post",
    E + "/context-notes",
    "createContextNote",
    tag="Context notes",
    summary="Add a context note (a barrier or facilitator in a CFIR domain)",
    body=ContextNoteNew,
    answer=ContextNoteOut,
    access=editable,
    links={"getContextNote": {"note_id": "$response.body#/id"}},
    example={"kind": "barrier", "domain": "individuals", "text": "Staff turnover", "noted_on": "2026-02-10"},
)
def add_context_note(engagement_id, target, data):
    return run(lambda: ContextNote.create(engagement=target, created_by=caller().id, **data))


@operation(
    "get",
    E + "/context-notes/<int:note_id>",
    "getContextNote",
    tag="Context notes",
    summary="One context note",
    answer=ContextNoteOut,
)
def get_context_note(engagement_id, note_id):
    note = _part(ContextNote, note_id, engagement_id)
    if not note.shown_to(_sees_internal()):
        abort(404)  # an internal note is not disclosed to a recipient, as a record they may not see
    return note


@operation(
    "delete",
    E + "/context-notes/<int:note_id>",
    "deleteContextNote",
    tag="Context notes",
    summary="Delete a context note (soft delete)",
)
def delete_context_note(engagement_id, note_id):
    _delete(ContextNote, note_id, engagement_id)
