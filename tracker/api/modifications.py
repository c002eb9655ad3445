"""FRAME-IS modifications of an engagement's planned strategies (issue 19): listed and recorded under the
engagement, read by their own id. The same policy (policy.can_read_modifications / can_record_modification)
and the same write (models.record_modification) as the pages; the codes are the model's choices."""

from flask import abort
from marshmallow import fields, validate

from .. import policy
from ..models import (
    DECISION_PARTIES,
    FIDELITY,
    MODIFICATION_GOALS,
    MODIFICATION_NATURES,
    MODIFICATION_PLANNING,
    MODIFICATION_REACH,
    MODIFICATION_TIMING,
    MODIFIED_ASPECTS,
    PLAN_EFFECTS,
    REASON_LEVELS,
    Modification,
    PlanItem,
    Strategy,
    keys,
    record_modification,
)
from .common import ApiError, caller
from .operations import operation
from .resources import run
from .schemas import Answer, Body, Choice, Date, Id, Text, Timestamp, needed

E = "/engagements/<int:engagement_id>"


def _engagement(engagement_id, record=False):
    engagement = policy.get_engagement(engagement_id, user=caller())
    rule = policy.can_record_modification if record else policy.can_read_modifications
    if not rule(caller(), engagement):
        raise ApiError(403, "You may not record modifications on this engagement.")
    return engagement


def recordable(engagement_id):
    """The `access` of a new modification: the engagement, when the caller may record one (404 / 403)."""
    return _engagement(engagement_id, record=True)


class StrategyKey(fields.String):
    """A strategy by its catalog key (GET /catalog), loaded as its row id; an unknown key is refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"description": "The strategy's catalog key (an ERIC strategy or ISP activity)."})
        super().__init__(validate=validate.Length(min=1, max=80), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        key = super()._deserialize(value, attr, data, **kwargs)
        found = Strategy.select(Strategy.id).where(Strategy.key == key).scalar()
        if found is None:
            raise validate.ValidationError("Unknown strategy key.")
        return found

    def _serialize(self, value, attr, obj, **kwargs):
        return obj.strategy.key


class Parties(fields.List):
    """Who took part in the decision: DECISION_PARTIES keys, each at most once."""

    def __init__(self, **kwargs):
        allowed = keys(DECISION_PARTIES)
        item = fields.String(validate=validate.OneOf(allowed, error="Choose from: " + ", ".join(allowed) + "."))
        kwargs.setdefault("metadata", {"uniqueItems": True, "maxItems": len(allowed)})
        super().__init__(item, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        found = super()._deserialize(value, attr, data, **kwargs)
        if len(set(found)) != len(found):
            raise validate.ValidationError("Each party once.")
        return ",".join(found)

    def _serialize(self, value, attr, obj, **kwargs):
        return obj.participant_keys


def _optional(choices):
    return Choice(choices, allow_none=True)


class ModificationNew(Body):
    strategy = StrategyKey(
        metadata={"description": "The strategy's catalog key; left out with a `plan_item`, the item's strategy."}
    )
    plan_item = Id(allow_none=True, metadata={"description": "The plan item modified (one of the engagement's)."})
    decided_on = Date(**needed(Modification.decided_on))
    description = Text(Modification.description, required=True)
    modified = Choice(MODIFIED_ASPECTS, **needed(Modification.modified))
    nature = Choice(MODIFICATION_NATURES, **needed(Modification.nature))
    fidelity = Choice(FIDELITY, load_default="unknown")
    goal = Choice(MODIFICATION_GOALS, **needed(Modification.goal))
    reason_level = Choice(REASON_LEVELS, **needed(Modification.reason_level))
    timing = _optional(MODIFICATION_TIMING)
    planning = _optional(MODIFICATION_PLANNING)
    participants = Parties(load_default=list)
    decided_by = _optional(DECISION_PARTIES)
    reach = _optional(MODIFICATION_REACH)
    plan_effect = Choice(
        PLAN_EFFECTS,
        load_default="none",
        metadata={"description": "What it does to its plan item: `close` ends the item on `decided_on`."},
    )
    prompted = fields.Boolean(load_default=False, metadata={"description": "It answers a lapse prompt."})


class ModificationOut(Answer):
    id = Id(required=True)
    engagement_id = Id(required=True)
    strategy = StrategyKey(required=True)
    plan_item = Id(attribute="plan_item_id", required=True, allow_none=True)
    decided_on = Date(required=True)
    description = fields.String(required=True)
    modified = Choice(MODIFIED_ASPECTS, required=True)
    nature = Choice(MODIFICATION_NATURES, required=True)
    fidelity = Choice(FIDELITY, required=True)
    goal = Choice(MODIFICATION_GOALS, required=True)
    reason_level = Choice(REASON_LEVELS, required=True)
    timing = Choice(MODIFICATION_TIMING, required=True, allow_none=True)
    planning = Choice(MODIFICATION_PLANNING, required=True, allow_none=True)
    participants = Parties(required=True)
    decided_by = Choice(DECISION_PARTIES, required=True, allow_none=True)
    reach = Choice(MODIFICATION_REACH, required=True, allow_none=True)
    plan_effect = Choice(PLAN_EFFECTS, required=True)
    prompted = fields.Boolean(required=True)
    recorded_by_id = Id(required=True, allow_none=True)
    created = Timestamp(attribute="created_at", required=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True)


@operation(
    "get",
    E + "/modifications",
    "listModifications",
    tag="Modifications",
    summary="The engagement's FRAME-IS modifications, newest first",
    answer=ModificationOut,
    paged=True,
)
def list_modifications(engagement_id):
    return Modification.of(_engagement(engagement_id).id)


@operation(
    "post",
    E + "/modifications",
    "createModification",
    tag="Modifications",
    summary="Record a modification of a planned strategy (FRAME-IS); `plan_effect` close ends its plan item",
    body=ModificationNew,
    answer=ModificationOut,
    access=recordable,
    links={"getModification": {"modification_id": "$response.body#/id"}},
    example={
        "strategy": "conduct_educational_meetings",
        "decided_on": "2026-03-01",
        "description": "Monthly trainings shortened to 30 minutes and held online",
        "modified": "context_format",
        "nature": "shortening",
        "fidelity": "consistent",
        "goal": "aaf",
        "reason_level": "recipient",
        "participants": ["isp", "team"],
    },
)
def create_modification(engagement_id, target, data):
    item_id = data.get("plan_item")
    if item_id is not None:
        item = PlanItem.get_or_none((PlanItem.id == item_id) & PlanItem.deleted_at.is_null())
        if item is None or item.engagement_id != target.id:
            raise ApiError(
                400,
                "Some fields are not valid.",
                {"plan_item": "Choose one of the engagement's plan items."},
                code="validation_error",
            )
    return run(record_modification, target, caller().id, data)


@operation("get", "/modifications/<int:modification_id>", "getModification", tag="Modifications",
           summary="One modification", answer=ModificationOut)  # fmt: skip
def get_modification(modification_id):
    engagement_id = Modification.select(Modification.engagement).where(Modification.id == modification_id).scalar()
    if engagement_id is None:
        abort(404)
    return policy.get_part(Modification, _engagement(engagement_id), modification_id)
