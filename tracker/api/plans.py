"""The implementation plan through the API (issue 19): GET and POST /engagements/<id>/plan, GET, PATCH and
DELETE /plan-items/<id>. Each write is one new version of the plan (models/plans.py change_plan, through
services/plans.py, as on the plan page); the access rules are the engagement's other parts' (read: those
who see the engagement; write: those who change it)."""

from marshmallow import ValidationError as SchemaError
from marshmallow import fields, pre_dump, validate, validates_schema

from ..models import MAX_MEETING_MINUTES, PlanItem, Stage, Strategy, frequency_label, plan_agreement
from ..models.plans import MAX_SESSIONS_PER_MONTH
from ..services import plans as plan_service
from .common import ApiError, caller
from .nested import E, Number, StageKey, Version, _engagement, _part, editable, editable_part
from .operations import operation
from .resources import run
from .schemas import Answer, Body, Date, Id, Integer, Timestamp

RESPONSIBLE = (
    'Who is responsible: exactly one of {"isp": <user id>} (one of the engagement\'s ISPs) or '
    '{"team_member": <team member id>} (a member of its implementation team).'
)


class Responsible(Body):
    isp = Id(metadata={"description": "The user id of one of the engagement's ISPs."})
    team_member = Id(metadata={"description": "The id of a member of the engagement's implementation team."})

    @validates_schema
    def exactly_one(self, data, **kwargs):
        if len(data) != 1:
            raise SchemaError("Give exactly one of isp or team_member.", field_name="_schema")


def _sessions(**kwargs):
    return Number(
        validate=validate.Range(
            min=0,
            max=MAX_SESSIONS_PER_MONTH,
            min_inclusive=False,
            error=f"Enter more than 0 and at most {MAX_SESSIONS_PER_MONTH} sessions a month.",
        ),
        metadata={"description": "1 = monthly, 0.33 = quarterly, 4 = weekly."},
        **kwargs,
    )


def _minutes(**kwargs):
    return Integer(
        validate=validate.Range(1, MAX_MEETING_MINUTES, error=f"Enter 1 to {MAX_MEETING_MINUTES} minutes."), **kwargs
    )


STRATEGY = "The catalog key of an ERIC strategy or an ISP activity (GET /catalog lists them)."


class PlanItemNew(Body):
    strategy = fields.String(required=True, validate=validate.Length(1, 80), metadata={"description": STRATEGY})
    goal = Id(allow_none=True, metadata={"description": "The id of one of the engagement's goals (optional)."})
    stage = StageKey(allow_none=True, metadata={"description": "The key of a stage (optional)."})
    sessions_per_month = _sessions(required=True)
    minutes_per_session = _minutes(required=True)
    start_date = Date(required=True)
    end_date = Date(allow_none=True)
    responsible = fields.Nested(Responsible, required=True, metadata={"description": RESPONSIBLE})


class PlanItemPatch(Body):
    strategy = fields.String(validate=validate.Length(1, 80), metadata={"description": STRATEGY})
    goal = Id(allow_none=True)
    stage = StageKey(allow_none=True)
    sessions_per_month = _sessions()
    minutes_per_session = _minutes()
    start_date = Date()
    end_date = Date(allow_none=True)
    responsible = fields.Nested(Responsible, metadata={"description": RESPONSIBLE})
    version = Version()


class ResponsibleOut(Answer):
    isp = Id(metadata={"description": "Present when an ISP is responsible."})
    team_member = Id(metadata={"description": "Present when a team member is responsible."})
    name = fields.String(required=True)


class PlanItemOut(Answer):
    id = Id(required=True)
    strategy = fields.String(required=True, metadata={"description": STRATEGY})
    strategy_name = fields.String(required=True)
    goal = Id(required=True, allow_none=True)
    stage = fields.String(required=True, allow_none=True)
    sessions_per_month = fields.Float(required=True)
    frequency = fields.String(required=True, metadata={"description": "The rhythm in words: monthly, quarterly…"})
    minutes_per_session = fields.Integer(required=True)
    start_date = Date(required=True)
    end_date = Date(required=True, allow_none=True)
    responsible = fields.Nested(ResponsibleOut, required=True)
    updated_at = Timestamp(required=True, allow_none=True)
    version = fields.Integer(required=True)

    @pre_dump
    def shape(self, item, **kwargs):
        who = (
            {"isp": item.responsible_user_id}
            if item.responsible_user_id
            else {"team_member": item.responsible_member_id}
        )
        return {
            "id": item.id,
            "strategy": item.strategy.key,
            "strategy_name": item.strategy.name,
            "goal": item.goal_id,
            "stage": item.stage.key if item.stage_id else None,
            "sessions_per_month": item.sessions_per_month,
            "frequency": frequency_label(item.sessions_per_month),
            "minutes_per_session": item.minutes_per_session,
            "start_date": item.start_date,
            "end_date": item.end_date,
            "responsible": {**who, "name": item.responsible_name},
            "updated_at": item.updated_at,
            "version": item.version,
        }


class PlanOut(Answer):
    version = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The plan's latest version (null: no plan yet)."}
    )
    agreed = fields.Boolean(
        required=True,
        metadata={"description": "Whether both co-leads and the recipient team lead agreed to the latest version."},
    )
    items = fields.List(fields.Nested(PlanItemOut), required=True, metadata={"description": "The live plan items."})


def _values(data):
    """The body as PlanItem fields: the strategy's key and the stage's key as ids, `responsible` split in two."""
    values = dict(data)
    if "strategy" in values:
        strategy = Strategy.get_or_none(Strategy.key == values["strategy"])
        if strategy is None:
            raise ApiError(
                400, "Some fields are not valid.", {"strategy": "No strategy has this key."}, code="validation_error"
            )
        values["strategy"] = strategy.id
    if values.get("stage") is not None:
        values["stage"] = Stage.get(Stage.key == values["stage"]).id
    if "responsible" in values:
        who = values.pop("responsible")
        values["responsible_user"], values["responsible_member"] = who.get("isp"), who.get("team_member")
    return values


@operation("get", E + "/plan", "getPlan", tag="Plans", summary="The engagement's implementation plan", answer=PlanOut)
def get_plan(engagement_id):
    e = _engagement(engagement_id)
    state = plan_agreement(e.id)
    return {
        "version": state["version"].number if state["version"] else None,
        "agreed": state["agreed"],
        "items": PlanItem.of(e.id),
    }


@operation(
    "post",
    E + "/plan",
    "addPlanItem",
    tag="Plans",
    summary="Add an item to the plan (a new version, to be agreed again)",
    body=PlanItemNew,
    answer=PlanItemOut,
    access=editable,
    links={"getPlanItem": {"plan_item_id": "$response.body#/id"}},
    example={
        "strategy": "conduct_educational_meetings",
        "sessions_per_month": 1,
        "minutes_per_session": 60,
        "start_date": "2026-02-01",
        "responsible": {"isp": 2},
    },
)
def add_plan_item(engagement_id, target, data):
    values = _values(data)
    before = {i.id for i in PlanItem.of(target.id)}
    items = run(plan_service.add_item, target, caller().id, values)
    return next(i for i in items if i.id not in before)


@operation(
    "get", "/plan-items/<int:plan_item_id>", "getPlanItem", tag="Plans", summary="One plan item", answer=PlanItemOut
)
def get_plan_item(plan_item_id):
    return _part(PlanItem, plan_item_id)


@operation(
    "patch",
    "/plan-items/<int:plan_item_id>",
    "updatePlanItem",
    tag="Plans",
    summary="Change a plan item (a new version, to be agreed again)",
    body=PlanItemPatch,
    answer=PlanItemOut,
    access=editable_part(PlanItem),
)
def update_plan_item(plan_item_id, target, data):
    target.expected_version = data.pop("version", None)  # None: last write wins
    values = _values(data)
    run(plan_service.change_item, target.engagement, caller().id, target, values, represent=PlanItemOut().dump)
    return PlanItem.get_by_id(target.id)


@operation(
    "delete",
    "/plan-items/<int:plan_item_id>",
    "deletePlanItem",
    tag="Plans",
    summary="Remove a plan item (a new version, to be agreed again; earlier versions keep it)",
)
def delete_plan_item(plan_item_id):
    item = _part(PlanItem, plan_item_id, edit=True)
    run(plan_service.remove_item, item.engagement, caller().id, item)
