"""The workbook's sheets of an engagement's parts: request events, team members, goals and stage entries
(issue 20).

Each row is written through the rules the pages and the API use: the models' validation (dates of events
between the engagement's start and today, one team lead per engagement, a goal's measure) and
services/stages.py for entering a stage (the stage in effect just before may not be entered again, going
back asks a note; the engagement's current stage is recomputed). A goal's status is not a column: it
follows from its dated history on goal_status_changes.
"""

from ..models import (
    IMPLEMENTATION_OUTCOMES,
    MEASURE_DIRECTIONS,
    POSITIONS,
    REQUEST_EVENT_KINDS,
    Engagement,
    Goal,
    RequestEvent,
    Stage,
    StageEntry,
    TeamMember,
    ValidationError,
)
from ..services import stages as stage_service
from .format import Column, Sheet, per_run, register, set_fields

# A new request records its own "submitted" event (SupportRequest.save): that event is the request's
# created_at and requested_by, so it is not a row of request_events.
EVENT_KINDS = tuple((key, name) for key, name in REQUEST_EVENT_KINDS if key != "submitted")


@per_run
def stage_keys():
    """{stage id: key} of the catalog, read once per import or export (not once per row)."""
    return dict(Stage.select(Stage.id, Stage.key).tuples())


def stage_choices():
    """The Stage catalog's keys, in stage order (read when a cell is read: the catalog is data)."""
    return [(s.key, s.name) for s in Stage.ordered()]


def keep_parent(sheet, record, values, ids, header, what):
    """Refuse moving an existing part to another parent (the pages never edit it): add a new row instead."""
    column = sheet.column(header)
    if record.id is not None and values[header]:
        if ids.record_id(column.ref, values[header], header) != getattr(record, column.field + "_id"):
            raise ValidationError({header: f"A {what} stays with its {header}: add a new row for the other one."})


def parts_apply(sheet, parent, what):
    """The default apply (set the fields, save through the model's validation), keeping the parent;
    `sheet`: a function returning the sheet (defined after its apply)."""

    def apply(record, values, ids):
        keep_parent(sheet(), record, values, ids, parent, what)
        set_fields(sheet(), record, values, ids)
        record.save()
        return record

    return apply


sheet_request_events = register(
    Sheet(
        "request_events",
        RequestEvent,
        (
            Column("request", "ref", required=True, field="request", ref="requests"),
            Column(
                "kind",
                "choice",
                required=True,
                field="kind",
                choices=EVENT_KINDS,
                help="question, answer, accepted, declined or withdrawn (a request's submission is its own row).",
            ),
            Column("at", "datetime", required=True, field="at", help="When it happened (UTC)."),
            Column("by", "ref", field="by", ref="users", help="Who asked, answered or decided."),
            Column("text", field="text", max_length=5000, help="The question, the answer, the reason."),
            Column("engagement", "ref", field="engagement", ref="engagements", help="The engagement it started."),
        ),
        "The story of each support request after its submission (the submission itself is the request's "
        "created_at and requested_by, on requests).",
        query=lambda: RequestEvent.select().where(RequestEvent.kind != "submitted").order_by(RequestEvent.id),
        apply=parts_apply(lambda: sheet_request_events, "request", "request event"),
    )
)

sheet_team_members = register(
    Sheet(
        "team_members",
        TeamMember,
        (
            Column("engagement", "ref", required=True, field="engagement", ref="engagements"),
            Column("name", required=True, field="name", max_length=200),
            Column("email", field="email", max_length=254),
            Column("position", "choice", required=True, field="position", choices=POSITIONS),
            Column("user", "ref", field="user", ref="users", help="Their account, if they have one."),
            Column("joined_on", "date", field="joined_on"),
            Column("left_on", "date", field="left_on", help="Empty while they are on the team."),
            Column(
                "is_lead",
                "bool",
                field="is_lead",
                help="The recipient team lead (one per engagement: a later lead row unmarks an earlier one).",
            ),
        ),
        "The recipient implementation team of each engagement. Removed members are not exported.",
        query=lambda: TeamMember.live().order_by(TeamMember.id),
        apply=parts_apply(lambda: sheet_team_members, "engagement", "team member"),
    )
)

sheet_goals = register(
    Sheet(
        "goals",
        Goal,
        (
            Column("engagement", "ref", required=True, field="engagement", ref="engagements"),
            Column("title", required=True, field="title", max_length=300),
            Column("indicator", field="indicator", max_length=5000, help="The indicator of implementation progress."),
            Column("target", field="target", max_length=5000),
            Column("measure_unit", field="measure_unit", max_length=60, help="A measured indicator's unit."),
            Column("measure_direction", "choice", field="measure_direction", choices=MEASURE_DIRECTIONS),
            Column("baseline_value", "float", field="baseline_value"),
            Column("baseline_on", "date", field="baseline_on"),
            Column("target_value", "float", field="target_value"),
            Column("target_on", "date", field="target_on"),
            Column("outcome", "choice", field="outcome", choices=IMPLEMENTATION_OUTCOMES),
            Column("created_at", "datetime", required=True, field="created_at"),
        ),
        "Implementation goals, with their measured indicator if any (direction, baseline and target all set, "
        "or none). The status is not here: it follows from the goal's dated history on goal_status_changes. "
        "Removed goals are not exported.",
        query=lambda: Goal.live().order_by(Goal.id),
        apply=parts_apply(lambda: sheet_goals, "engagement", "goal"),
    )
)


def _stage_entry_read(entry, ids):
    return {"stage": stage_keys()[entry.stage_id]}


def _stage_entry_apply(entry, values, ids):
    """Enter the stage through services/stages.py (new row) or correct the entry (changed row)."""
    keep_parent(sheet_stage_entries, entry, values, ids, "engagement", "stage entry")
    engagement = Engagement.get_by_id(ids.record_id("engagements", values["engagement"], "engagement"))
    user = ids.record_id("users", values["created_by"], "created_by") if values["created_by"] else None
    if entry.id is None:
        return stage_service.move_to_stage(
            engagement, values["stage"], values["entered_on"], values["note"], user=user, default_benchmarks=False
        )
    entry.created_by = user
    return stage_service.correct_entry(engagement, entry, values["stage"], values["entered_on"], values["note"])


sheet_stage_entries = register(
    Sheet(
        "stage_entries",
        StageEntry,
        (
            Column("engagement", "ref", required=True, field="engagement", ref="engagements"),
            Column("stage", "choice", required=True, choices=stage_choices, help="The stage's key (see the lists)."),
            Column("entered_on", "date", required=True, field="entered_on"),
            Column("note", field="note", max_length=5000, help="Going back to an earlier stage needs a note."),
            Column("created_by", "ref", field="created_by", ref="users"),
        ),
        "The dated stage history of each engagement; its current stage is the latest-dated entry. Entering a "
        "stage here adds no default benchmarks: the benchmarks sheet has them.",
        read=_stage_entry_read,
        apply=_stage_entry_apply,
    )
)
