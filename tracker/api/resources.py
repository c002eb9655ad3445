"""Catalog, organizations, units, users, support requests and engagements."""

import marshmallow as ma
from marshmallow import fields, validate

from .. import policy
from ..db import database
from ..models import (
    ENGAGEMENT_STATUSES,
    MAX_PASSWORD_LENGTH,
    ORGANIZATION_KINDS,
    REQUEST_STATUSES,
    ROLES,
    SUPPORT_MODELS,
    BenchmarkTemplate,
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    Conflict,
    Engagement,
    EngagementISP,
    FeedbackInstrument,
    FeedbackItem,
    Organization,
    Principle,
    Stage,
    StaleEdit,
    Strategy,
    StrategyCluster,
    SupportRequest,
    Unit,
    User,
    ValidationError,
    keys,
)
from ..reports.filters import ApiFilters, FilterQuery, QueryId, one_of
from ..services import admin as admin_service
from ..services import engagements as engagement_service
from ..services import requests as request_service
from .common import ApiError, caller, error
from .http import check_if_match
from .operations import operation
from .schemas import Answer, Body, Choice, Date, Email, Id, Ids, Query, Text, Timestamp, needed

# A model's reference field -> the API's name for the id it takes (services speak the API's names already).
REFERENCE_NAMES = {"unit": "unit_id", "organization": "organization_id", "intermediary": "intermediary_id"}
# The audit log's names for what a stale edit changed -> the API's (an engagement's ISPs are two lists).
STALE_NAMES = {**REFERENCE_NAMES, "co_leads": "co_lead_ids", "supporting": "supporting_ids"}


def stale(exc, represent=None):
    """A StaleEdit as the API's 409: the fields changed since the body's `version` (API names), who
    changed the record last and when, theirs beside yours, and the record as stored now (`current`,
    through `represent`). The client re-reads, merges and sends again with the new version."""
    when = exc.at.isoformat(timespec="seconds") + "Z" if exc.at else None
    by = exc.by or "someone"
    return ApiError(
        409,
        f"Changed by {by} since version {exc.expected}: nothing was saved. "
        "Read `current`, merge, and send again with its version.",
        {STALE_NAMES.get(f, f): f"Changed by {by} at {when}." for f in exc.changed}
        or {"version": "Changed since this version."},
        code="stale_version",
        extra={
            "changed_by": exc.by,
            "changed_at": when,
            "theirs": {STALE_NAMES.get(f, f): _json_value(v) for f, v in exc.theirs.items()},
            "yours": {STALE_NAMES.get(f, f): _json_value(v) for f, v in exc.yours.items()},
            "current": represent(exc.record) if represent and exc.record is not None else None,
        },
    )


def _json_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value._pk if hasattr(value, "_pk") else value


def run(write, *args, represent=None):
    """Call a service write in one transaction, after the request's If-Match (a 412 when stale; see
    http.check_if_match); its ValidationError becomes a 400 with API field names, a Conflict (the
    record's state refuses it) a 409, a StaleEdit a 409 (see `stale`) whose `current` is the record
    through `represent`."""
    try:
        with database.atomic():
            check_if_match()
            return write(*args)
    except StaleEdit as exc:
        raise stale(exc, represent) from exc
    except ValidationError as exc:
        fields = {}
        for key, message in exc.errors.items():
            fields.setdefault(REFERENCE_NAMES.get(key, key), message)
        if isinstance(exc, Conflict) or set(fields) == {"__all__"}:
            message = fields["__all__"] if set(fields) == {"__all__"} else next(iter(fields.values()))
            raise ApiError(409, message, fields, code="conflict") from exc
        raise ApiError(400, "Some fields are not valid.", fields, code="validation_error") from exc


def user():
    return caller()


# --- catalog ------------------------------------------------------------------------------------
# Each level's records carry the next level's as `children` (set by catalog() below).


class CatalogCompetency(Answer):
    id = Id(required=True)
    key = fields.String(required=True)
    name = fields.String(required=True)
    help = fields.String(required=True)
    retired = fields.Boolean(required=True)


class CatalogDomain(Answer):
    id = Id(required=True)
    key = fields.String(required=True)
    name = fields.String(required=True)
    competencies = fields.List(fields.Nested(CatalogCompetency), attribute="children", required=True)


class CatalogFramework(Answer):
    id = Id(required=True)
    key = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)
    is_default = fields.Boolean(required=True)
    domains = fields.List(fields.Nested(CatalogDomain), attribute="children", required=True)


class CatalogPrinciple(CatalogCompetency):
    pass


class CatalogBenchmark(Answer):
    id = Id(required=True)
    text = fields.String(required=True)


class CatalogStage(Answer):
    id = Id(required=True)
    key = fields.String(required=True)
    name = fields.String(required=True)
    help = fields.String(required=True)
    default_benchmarks = fields.List(fields.Nested(CatalogBenchmark), attribute="children", required=True)


class CatalogStrategy(Answer):
    id = Id(required=True)
    key = fields.String(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    retired = fields.Boolean(required=True)


class CatalogCluster(Answer):
    id = Id(required=True)
    key = fields.String(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    strategies = fields.List(fields.Nested(CatalogStrategy), attribute="children", required=True)


class CatalogFeedbackItem(Answer):
    id = Id(required=True)
    key = fields.String(required=True)
    kind = fields.String(required=True)
    scale = fields.String(required=True, allow_none=True)
    text = fields.String(required=True)


class CatalogInstrument(Answer):
    id = Id(required=True)
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    items = fields.List(fields.Nested(CatalogFeedbackItem), attribute="children", required=True)


class CatalogOut(Answer):
    competency_frameworks = fields.List(fields.Nested(CatalogFramework), required=True)
    principles = fields.List(fields.Nested(CatalogPrinciple), required=True)
    stages = fields.List(fields.Nested(CatalogStage), required=True)
    strategy_clusters = fields.List(fields.Nested(CatalogCluster), required=True)
    feedback_instruments = fields.List(fields.Nested(CatalogInstrument), required=True)


def _nest(parents, children, parent_id):
    """`parents` with their `children` (those whose `parent_id` attribute is the parent's id), in order."""
    by_parent = {}
    for child in children:
        by_parent.setdefault(getattr(child, parent_id), []).append(child)
    for parent in parents:
        parent.children = by_parent.get(parent.id, [])
    return parents


@operation(
    "get",
    "/catalog",
    "getCatalog",
    tag="Catalog",
    summary="Competency frameworks, principles, stages, strategies, feedback instruments",
    answer=CatalogOut,
)
def catalog():
    domains = CompetencyDomain.select().order_by(CompetencyDomain.position, CompetencyDomain.id)
    templates = (
        BenchmarkTemplate.select()
        .where(~BenchmarkTemplate.retired)
        .order_by(BenchmarkTemplate.position, BenchmarkTemplate.id)
    )
    instruments = FeedbackInstrument.select().order_by(FeedbackInstrument.key, FeedbackInstrument.version)
    items = FeedbackItem.select().order_by(FeedbackItem.position, FeedbackItem.id)
    return {
        "competency_frameworks": _nest(
            list(CompetencyFramework.select().order_by(CompetencyFramework.id)),
            _nest(list(domains), Competency.select().order_by(Competency.position, Competency.id), "domain_id"),
            "framework_id",
        ),
        "principles": Principle.select().order_by(Principle.position, Principle.id),
        "stages": _nest(list(Stage.ordered()), templates, "stage_id"),
        "strategy_clusters": _nest(
            list(StrategyCluster.select().order_by(StrategyCluster.number)),
            Strategy.select().order_by(Strategy.number),
            "cluster_id",
        ),
        "feedback_instruments": _nest(list(instruments), items, "instrument_id"),
    }


# --- organizations, units, users ---------------------------------------------------------------


class OrganizationNew(Body):
    name = Text(Organization.name, required=True)
    kind = Choice(ORGANIZATION_KINDS, load_default="recipient")


class OrganizationOut(Answer):
    id = Id(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(keys(ORGANIZATION_KINDS)))
    created = Timestamp(attribute="created_at", required=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True, metadata={"minimum": 1})


class UnitNew(Body):
    organization_id = Id(required=True)
    name = Text(Unit.name, required=True)


class UnitOut(Answer):
    id = Id(required=True)
    organization_id = Id(required=True)
    name = fields.String(required=True)
    created = Timestamp(attribute="created_at", required=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True, metadata={"minimum": 1})


class UnitQuery(Query):
    organization_id = QueryId(metadata={"description": "Only this organization's units."})


class UserNew(Body):
    """What a new account needs; the password policy and the role's own rules (a recipient's unit, a
    leader's organization) are the model's, with their messages, as on the admin page and `create-user`."""

    email = Email(required=True, column=User.email)
    name = Text(User.name, required=True)
    role = Choice(ROLES, **needed(User.role))
    password = Text(
        one_line=False,
        required=True,
        blank=User().password_problems("")["password"],
        max_length=MAX_PASSWORD_LENGTH,
        load_only=True,
        metadata={"description": "At least 12 characters and hard to guess (the sign-in pages' policy)."},
    )
    unit_id = Id(metadata={"description": "A recipient's unit (required for recipients)."})
    organization_id = Id(metadata={"description": "A leader's organization."})
    reads_all_organizations = fields.Boolean(
        load_default=False, metadata={"description": "A leader reads every organization (leaders only)."}
    )


class UserOut(Answer):
    id = Id(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(keys(ROLES)))
    unit_id = Id(required=True, allow_none=True)
    organization_id = Id(required=True, allow_none=True)
    reads_all_organizations = fields.Boolean(required=True)
    is_active = fields.Boolean(required=True)
    created = Timestamp(attribute="created_at", required=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True, metadata={"minimum": 1})


class UserQuery(Query):
    role = ma.fields.String(validate=one_of(ROLES))


@operation(
    "get",
    "/organizations",
    "listOrganizations",
    tag="Directory",
    summary="Organizations",
    answer=OrganizationOut,
    paged=True,
    allow=policy.can_list_directory,
)
def list_organizations():
    return policy.visible_organizations(user()).order_by(Organization.name)


@operation(
    "post",
    "/organizations",
    "createOrganization",
    tag="Directory",
    summary="Create an organization (administrators)",
    body=OrganizationNew,
    answer=OrganizationOut,
    allow=policy.can_administer,
    links={"listUnits": {"organization_id": "$response.body#/id"}},
    example={"name": "Riverside Health Foundation", "kind": "recipient"},
)
def create_organization(data):
    if Organization.select().where(Organization.name == data["name"]).exists():
        error(409, "An organization with this name already exists.", {"name": "Already taken."})
    return run(lambda: Organization.create(**data))


@operation(
    "get",
    "/units",
    "listUnits",
    tag="Directory",
    summary="Units",
    query=UnitQuery,
    answer=UnitOut,
    paged=True,
    allow=policy.can_list_directory,
)
def list_units(args):
    query = policy.visible_units(user()).order_by(Unit.organization, Unit.name)
    if "organization_id" in args:
        query = query.where(Unit.organization == args["organization_id"])
    return query


@operation(
    "post",
    "/units",
    "createUnit",
    tag="Directory",
    summary="Create a unit (administrators)",
    body=UnitNew,
    answer=UnitOut,
    allow=policy.can_administer,
    example={"organization_id": 1, "name": "Primary care"},
)
def create_unit(data):
    org_id, name = data["organization_id"], data["name"]
    if not Organization.select().where(Organization.id == org_id).exists():
        error(400, "Some fields are not valid.", {"organization_id": "No such organization."})
    if Unit.select().where((Unit.organization == org_id) & (Unit.name == name)).exists():
        error(409, "This organization already has a unit with this name.", {"name": "Already taken."})
    return run(lambda: Unit.create(organization=org_id, name=name))


@operation(
    "get",
    "/users",
    "listUsers",
    tag="Directory",
    summary="Users (administrators)",
    query=UserQuery,
    answer=UserOut,
    paged=True,
    allow=policy.can_manage_users,
)
def list_users(args):
    query = User.select().order_by(User.name, User.id)
    if "role" in args:
        query = query.where(User.role == args["role"])
    return query


@operation(
    "post",
    "/users",
    "createUser",
    tag="Directory",
    summary="Create a user (administrators)",
    body=UserNew,
    answer=UserOut,
    allow=policy.can_manage_users,
    example={
        "email": "lead@example.org",
        "name": "Lee Leader",
        "role": "leader",
        "password": "a long unguessable passphrase",
        "reads_all_organizations": True,
    },
)
def create_user(data):
    refused = {}
    if data.get("unit_id") and not Unit.select().where(Unit.id == data["unit_id"]).exists():
        refused["unit_id"] = "No such unit."
    if (
        data.get("organization_id")
        and not Organization.select().where(Organization.id == data["organization_id"]).exists()
    ):
        refused["organization_id"] = "No such organization."
    if refused:
        error(400, "Some fields are not valid.", refused)
    return run(admin_service.create_user, data)  # the rules of the admin page and create-user


# --- engagements --------------------------------------------------------------------------------


def CoLeads():  # noqa: N802  (a field factory, read as a type)
    """The two co-leads: exactly two ids in the document; that they are two different active ISPs is the
    model's rule (Engagement.isp_problems), with its message."""
    message = Engagement.isp_problems([])["co_lead_ids"]
    return fields.List(
        Id(),
        required=True,
        validate=validate.Length(equal=2, error=message),
        error_messages={"required": message, "null": message},
        metadata={"description": "Two different active ISPs."},
    )


def _stage(value):
    if not Stage.select().where(Stage.key == value).exists():
        raise ma.ValidationError("Unknown stage.")


class EngagementPatch(Body):
    title = Text(Engagement.title)
    problem_statement = Text(Engagement.problem_statement)
    support_model = Choice(SUPPORT_MODELS)
    start_date = Date(allow_none=True)
    end_date = Date(allow_none=True)
    co_lead_ids = Ids(metadata={"description": "Two different active ISPs."})
    supporting_ids = Ids()
    version = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, error="Out of range."),
        metadata={
            "description": "The `version` this change starts from: when the record changed since, nothing is "
            "saved and the answer is 409 (code `stale_version`). Without it, last write wins."
        },
    )


class EngagementNew(Body):
    # a unit, a title, a start date, two co-leads: required here with the model's messages, as on the page
    unit_id = Id(**needed(Engagement.unit))
    title = Text(Engagement.title, required=True)
    problem_statement = Text(Engagement.problem_statement)
    support_model = Choice(SUPPORT_MODELS, load_default=Engagement.support_model.default)
    start_date = Date(**needed(Engagement.start_date))
    end_date = Date(allow_none=True)
    co_lead_ids = CoLeads()
    supporting_ids = Ids(load_default=list)
    stage = fields.String(
        validate=[validate.Length(max=80), _stage],
        metadata={"description": "The key of the first stage (GET /catalog), e.g. `exploration`."},
    )


class EngagementOut(Answer):
    id = Id(required=True)
    ref = fields.String(required=True, allow_none=True, metadata={"description": "The readable id, ENG-<year>-<nnn>."})
    unit_id = Id(required=True)
    intermediary_id = Id(required=True, allow_none=True)
    request_id = Id(required=True, allow_none=True)
    title = fields.String(required=True)
    problem_statement = fields.String(required=True)
    support_model = fields.String(required=True, validate=validate.OneOf(keys(SUPPORT_MODELS)))
    status = fields.String(required=True, validate=validate.OneOf(keys(ENGAGEMENT_STATUSES)))
    start_date = Date(required=True)
    end_date = Date(required=True, allow_none=True)
    stage = fields.String(
        attribute="stage_key", required=True, allow_none=True, metadata={"description": "A stage key."}
    )
    co_lead_ids = fields.List(Id(), attribute="co_lead_id_list", required=True)
    supporting_ids = fields.List(Id(), attribute="supporting_id_list", required=True)
    created = Timestamp(attribute="created_at", required=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True, metadata={"minimum": 1})


def _ref(prefix):
    """A readable id filter: the one engagement or request it names (an empty page when none)."""
    return ma.fields.String(
        validate=validate.Regexp(
            rf"(?i)^{prefix}-\d{{4}}-\d{{3,}}$", error=f"Give a readable id like {prefix}-2026-014."
        ),
        metadata={"description": f"A readable id, like {prefix}-2026-014 (any case)."},
    )


class EngagementQuery(ApiFilters, FilterQuery):
    status = ma.fields.String(validate=one_of(ENGAGEMENT_STATUSES))
    ref = _ref("ENG")


def _prepared(rows):
    """Engagements with what their answer shows besides their columns: the stage key and the ISPs (two
    queries for any number of them)."""
    if not rows:
        return rows
    stages = {s.id: s.key for s in Stage.select(Stage.id, Stage.key)}
    links = EngagementISP.select().where(EngagementISP.engagement.in_([e.id for e in rows]))
    by_engagement = {}
    for link in links:
        by_engagement.setdefault(link.engagement_id, []).append(link)
    for e in rows:
        own = by_engagement.get(e.id, [])
        e.stage_key = stages.get(e.current_stage_id)
        e.co_lead_id_list = sorted(link.user_id for link in own if link.role == "co_lead")
        e.supporting_id_list = sorted(link.user_id for link in own if link.role == "supporting")
    return rows


def represent_engagement(e):
    return EngagementOut().dump(_prepared([e])[0])


# --- support requests --------------------------------------------------------------------------


class RequestNew(Body):
    unit_id = Id(metadata={"description": "The unit asking (a recipient's own unit when left out)."})
    intermediary_id = Id(metadata={"description": "The intermediary asked (the only one when left out)."})
    title = Text(SupportRequest.title, required=True)  # a title, what and for whom: the model's messages
    description = Text(SupportRequest.description, required=True)
    for_whom = Text(SupportRequest.for_whom, required=True)
    on_behalf_of = Text(SupportRequest.on_behalf_of)
    hoped_start = Date()


class RequestOut(Answer):
    id = Id(required=True)
    ref = fields.String(required=True, allow_none=True, metadata={"description": "The readable id, REQ-<year>-<nnn>."})
    unit_id = Id(required=True)
    intermediary_id = Id(required=True, allow_none=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    for_whom = fields.String(required=True)
    on_behalf_of = fields.String(required=True)
    hoped_start = Date(required=True, allow_none=True)
    urgent = fields.Boolean(required=True)
    status = fields.String(required=True, validate=validate.OneOf(keys(REQUEST_STATUSES)))
    decline_reason = fields.String(required=True)
    requested_by_id = Id(required=True, allow_none=True)
    created = Timestamp(attribute="created_at", required=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True, metadata={"minimum": 1})


class RequestQuery(ApiFilters, FilterQuery):
    status = ma.fields.String(validate=one_of(REQUEST_STATUSES))
    ref = _ref("REQ")


class RequestAccept(Body):
    title = Text(Engagement.title, metadata={"description": "The engagement's title (the request's when left out)."})
    problem_statement = Text(Engagement.problem_statement)
    support_model = Choice(SUPPORT_MODELS, load_default=Engagement.support_model.default)
    start_date = Date(**needed(Engagement.start_date))
    end_date = Date(allow_none=True)
    co_lead_ids = CoLeads()
    supporting_ids = Ids(load_default=list)


class RequestDecline(Body):
    reason = Text(SupportRequest.decline_reason, required=True)


@operation(
    "get",
    "/requests",
    "listRequests",
    tag="Requests",
    summary="Support requests you may see",
    query=RequestQuery(only=("unit_id", "status", "ref")),
    answer=RequestOut,
    paged=True,
)
def list_requests(args):
    query = policy.visible_requests(user()).order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc())
    if "status" in args:
        query = query.where(SupportRequest.status == args["status"])
    if "unit_id" in args:
        query = query.where(SupportRequest.unit == args["unit_id"])
    if "ref" in args:
        query = query.where(SupportRequest.ref == args["ref"].upper())
    return query


@operation(
    "get", "/requests/<int:request_id>", "getRequest", tag="Requests", summary="One support request", answer=RequestOut
)
def get_request(request_id):
    return policy.get_request(request_id, user())


@operation(
    "post",
    "/requests",
    "createRequest",
    tag="Requests",
    summary="Submit a support request (recipients, administrators)",
    body=RequestNew,
    answer=RequestOut,
    allow=(policy.can_submit_request, "Only recipients and administrators submit requests."),
    links={"getRequest": {"request_id": "$response.body#/id"}},
    example={
        "title": "Help rolling out the new screening programme",
        "description": "A screening programme across four clinics",
        "for_whom": "Clinic staff",
        "hoped_start": "2026-09-01",
    },
)
def create_request(data):
    me = user()
    unit_id = data.pop("unit_id", None)
    data["intermediary"] = data.pop("intermediary_id", None)  # the only one when left out: the model's rule
    unit = None
    if policy.asks_for_own_unit(me):
        if unit_id not in (None, me.unit_id):
            error(400, "Some fields are not valid.", {"unit_id": "You may only ask for support for your own unit."})
        unit = me.unit
    elif unit_id:
        unit = Unit.get_or_none(Unit.id == unit_id)
        if unit is None:
            error(400, "Some fields are not valid.", {"unit_id": "No such unit."})
    return run(request_service.submit_request, unit, data, me)  # a unit, a title, what and for whom: the model's


def _triage(request_id):
    me = user()
    req = policy.get_request(request_id, me)
    if not policy.can_triage_requests(me):
        error(403, "Only ISPs and administrators triage requests.")
    return req, me


@operation(
    "post",
    "/requests/<int:request_id>/accept",
    "acceptRequest",
    tag="Requests",
    summary="Accept a request: returns its new engagement",
    body=RequestAccept,
    answer=EngagementOut,
    links={"getEngagement": {"engagement_id": "$response.body#/id"}},
    access=_triage,
    errors=("409",),
    example={"co_lead_ids": [2, 3], "support_model": "co_creation", "start_date": "2026-03-02"},
)
def accept_request(request_id, data, target):
    req, me = target
    data.setdefault("title", req.title)  # left out: the request's title
    engagement = run(request_service.accept_request, req, data, me)  # the rules: the model's, as on the page
    return _prepared([engagement])[0]


@operation(
    "post",
    "/requests/<int:request_id>/decline",
    "declineRequest",
    tag="Requests",
    summary="Decline a request",
    body=RequestDecline,
    answer=RequestOut,
    status=200,
    access=_triage,
    errors=("409",),
    example={"reason": "Outside what our team supports."},
)
def decline_request(request_id, data, target):
    req, me = target
    run(request_service.decline_request, req, data["reason"], me)
    return req


# --- engagement routes ---------------------------------------------------------------------------


@operation(
    "get",
    "/engagements",
    "listEngagements",
    tag="Engagements",
    summary="Engagements you may see",
    query=EngagementQuery(only=("unit_id", "isp_id", "support_model", "stage", "status", "ref")),
    answer=EngagementOut,
    paged=True,
)
def list_engagements(args):
    # the same narrowing as the engagement list page (Engagement.filtered), within the access policy
    names = {"unit_id": "unit", "isp_id": "isp", "support_model": "model", "status": "status"}
    filters = {names[name]: value for name, value in args.items() if name in names}
    if "stage" in args:
        filters["stage"] = Stage.get(Stage.key == args["stage"]).id
    query = Engagement.filtered(policy.visible_engagements(user()), **filters)
    if "ref" in args:
        query = query.where(Engagement.ref == args["ref"].upper())
    query = query.order_by(Engagement.start_date.desc(), Engagement.id.desc())
    return _PreparedPage(query)


class _PreparedPage:
    """A query whose page of rows is _prepared (operations.paged_answer counts and pages it)."""

    def __init__(self, query):
        self.query = query

    def count(self):
        return self.query.count()

    def paginate(self, page, per_page):
        return _prepared(list(self.query.paginate(page, per_page)))


@operation(
    "post",
    "/engagements",
    "createEngagement",
    tag="Engagements",
    summary="Create an engagement (ISPs, administrators)",
    body=EngagementNew,
    answer=EngagementOut,
    allow=(policy.can_create_engagement, "Only ISPs and administrators create engagements."),
    links={"getEngagement": {"engagement_id": "$response.body#/id"}},
    example={
        "unit_id": 1,
        "title": "Screening rollout",
        "support_model": "co_creation",
        "co_lead_ids": [2, 3],
        "start_date": "2026-03-02",
        "stage": "exploration",
    },
)
def create_engagement(data):
    stage_key = data.pop("stage", None)
    data["first_stage_id"] = Stage.get(Stage.key == stage_key).id if stage_key else None
    engagement = run(engagement_service.create_engagement, data, user())  # the rules: the model's, as on the page
    return _prepared([engagement])[0]


@operation(
    "get",
    "/engagements/<int:engagement_id>",
    "getEngagement",
    tag="Engagements",
    summary="One engagement",
    answer=EngagementOut,
)
def get_engagement(engagement_id):
    return _prepared([policy.get_engagement(engagement_id, user=user())])[0]


@operation(
    "patch",
    "/engagements/<int:engagement_id>",
    "updateEngagement",
    tag="Engagements",
    summary="Change an engagement's summary or ISPs",
    body=EngagementPatch,
    answer=EngagementOut,
)
def update_engagement(engagement_id, data):
    engagement = _prepared([policy.get_engagement(engagement_id, edit=True, user=user())])[0]
    engagement.expected_version = data.pop("version", None)  # None: last write wins
    current = {  # what is not sent stays as it is; the names are the service's
        "title": engagement.title,
        "problem_statement": engagement.problem_statement,
        "support_model": engagement.support_model,
        "start_date": engagement.start_date,
        "end_date": engagement.end_date,
        "co_lead_ids": engagement.co_lead_id_list,
        "supporting_ids": engagement.supporting_id_list,
    }
    run(engagement_service.update_engagement, engagement, {**current, **data}, user(), represent=represent_engagement)
    return _prepared([Engagement.get_by_id(engagement.id)])[0]
