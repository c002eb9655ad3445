"""The work between meetings (issue 22): GET, POST /engagements/<id>/activities, and one activity by its own
id (GET, PATCH, DELETE /activities/<id>, as goals and meetings are). Written through services/activities
(one activity a POST; its rules refuse with a 400 naming the API's fields, nothing written); read through
reports/activities; who may log is policy.can_log_activities."""

from marshmallow import fields, pre_dump, validate

from .. import policy
from ..models import ACTIVITY_KINDS, MAX_ACTIVITY_MINUTES, Activity, Competency, Strategy
from ..reports import activities as report
from ..services import activities as service
from .common import ApiError, caller
from .nested import CatalogKeys, E, _delete, _engagement, _part
from .operations import operation
from .resources import run
from .review import ReviewedOut, ReviewMove, draft_field, draft_requested, make_move
from .schemas import Body, Choice, Date, Id, Ids, Text, Timestamp

TAG = "Activities"
# The service's names of fields -> the API's (its errors are named after them).
API_NAMES = {"isps": "isp_ids"}


def Minutes(**kwargs):  # noqa: N802  (a field factory, read as a type)
    return fields.Integer(
        strict=True,
        validate=validate.Range(1, MAX_ACTIVITY_MINUTES, error=f"Between 1 and {MAX_ACTIVITY_MINUTES} minutes."),
        **kwargs,
    )


class ActivityNew(Body):
    date = Date(required=True)
    kind = Choice(ACTIVITY_KINDS, required=True)
    minutes = Minutes(required=True)
    isps = Ids(data_key="isp_ids", required=True, metadata={"description": "ISPs of the engagement who did it."})
    strategies = CatalogKeys(Strategy, load_default=list)
    competencies = CatalogKeys(Competency, load_default=list)
    notes = Text(Activity.notes, load_default="")


class ActivityCreate(ActivityNew):
    """A new activity: as ActivityNew, and optionally a draft (issue 23)."""

    review_state = draft_field()


class ActivityPatch(ActivityNew):
    """A change of an activity: what is sent replaces what it had (a list sent replaces the list)."""

    date = Date()
    kind = Choice(ACTIVITY_KINDS)
    minutes = Minutes()
    isps = Ids(data_key="isp_ids", metadata={"description": "ISPs of the engagement who did it."})
    strategies = CatalogKeys(Strategy)
    competencies = CatalogKeys(Competency)
    notes = Text(Activity.notes)


class ActivityOut(ReviewedOut):
    id = Id(required=True)
    engagement_id = Id(required=True)
    date = Date(required=True)
    kind = Choice(ACTIVITY_KINDS, required=True)
    minutes = fields.Integer(required=True)
    isp_ids = fields.List(Id(), required=True)
    strategies = fields.List(fields.String(), required=True, metadata={"description": "Catalog keys."})
    competencies = fields.List(fields.String(), required=True, metadata={"description": "Catalog keys."})
    notes = fields.String(required=True)
    logged_by = Id(attribute="logged_by_id", required=True, allow_none=True)
    created_at = Timestamp(required=True)

    @pre_dump(pass_collection=True)
    def links(self, activities, many, **kwargs):
        loaded = report.with_links(activities if many else [activities])
        for a in loaded:
            a.isp_ids = [u.id for u in a.isps]
            a.strategies = [s["key"] for s in a.strategies]
            a.competencies = [c["key"] for c in a.competencies]
        return loaded if many else loaded[0]


def _renamed(write, *args):
    """A service write through `run`, its errors (`rows-0-isps`, `isps`) named as the API names them."""
    try:
        return run(write, *args)
    except ApiError as exc:
        renamed = {}
        for key, message in exc.fields.items():
            name = key.split("-")[-1] if key.startswith("rows-") else key
            renamed[API_NAMES.get(name, name)] = message
        exc.fields = renamed
        raise


def loggable(engagement_id):
    """The engagement, when the caller may log its work (404 when not visible, 403 when not allowed)."""
    engagement = _engagement(engagement_id)
    if not policy.can_log_activities(caller(), engagement):
        raise ApiError(403, "You may not log work on this engagement.")
    return engagement


def loggable_activity(activity_id):
    activity = _part(Activity, activity_id)
    loggable(activity.engagement_id)
    return activity


@operation(
    "get",
    E + "/activities",
    "listActivities",
    tag=TAG,
    summary="The engagement's work between meetings, newest first",
    answer=ActivityOut,
    paged=True,
)
def list_activities(engagement_id):
    return report.engagement_activities(_engagement(engagement_id).id)


@operation(
    "post",
    E + "/activities",
    "createActivity",
    tag=TAG,
    summary="Log work between meetings (outreach, data collection, coaching preparation, tool development …)",
    body=ActivityCreate,
    answer=ActivityOut,
    access=loggable,
    links={"getActivity": {"activity_id": "$response.body#/id"}},
    example={"date": "2026-03-04", "kind": "outreach", "minutes": 45, "isp_ids": [1], "notes": "Calls to sites"},
)
def add_activity(engagement_id, target, data):
    draft = draft_requested(data)
    return _renamed(lambda: service.log_activities(target, [data], caller(), draft=draft)[0])


@operation(
    "post",
    "/activities/<int:activity_id>/review",
    "reviewActivity",
    tag=TAG,
    summary="Move an activity through review: submit, return (with a note), approve or reopen (with a reason)",
    body=ReviewMove,
    answer=ActivityOut,
    status=200,
    errors=("409", "422"),
    access=lambda activity_id: _part(Activity, activity_id),
    example={"move": "approve"},
)
def review_activity(activity_id, target, data):
    return make_move(target, data)


@operation("get", "/activities/<int:activity_id>", "getActivity", tag=TAG, summary="One activity", answer=ActivityOut)
def get_activity(activity_id):
    return _part(Activity, activity_id)


@operation(
    "patch",
    "/activities/<int:activity_id>",
    "updateActivity",
    tag=TAG,
    summary="Change an activity",
    body=ActivityPatch,
    answer=ActivityOut,
    access=loggable_activity,
)
def change_activity(activity_id, target, data):
    row = {**report.as_row(report.with_links([target])[0]), **data}
    return _renamed(service.update_activity, target, row, caller())


@operation(
    "delete",
    "/activities/<int:activity_id>",
    "deleteActivity",
    tag=TAG,
    summary="Delete an activity (soft delete; an administrator restores it)",
    access=loggable_activity,
)
def delete_activity(activity_id, target):
    _delete(Activity, activity_id)
