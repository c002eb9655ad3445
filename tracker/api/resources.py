"""Catalog, organizations, units, users, support requests and engagements."""

from flask import jsonify, request

from .. import policy
from ..db import database
from ..models import (
    ENGAGEMENT_STATUSES,
    ORGANIZATION_KINDS,
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
)
from ..services import admin as admin_service
from ..services import engagements as engagement_service
from ..services import requests as request_service
from .common import ApiError, Fields, body, bp, caller, error, iso, page_args, paginate, query_int, require
from .http import check_if_match

# A model's reference field -> the API's name for the id it takes (services speak the API's names already).
REFERENCE_NAMES = {"unit": "unit_id", "organization": "organization_id"}
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


@bp.get("/catalog")
def catalog():
    frameworks = list(CompetencyFramework.select().order_by(CompetencyFramework.id))
    domains = list(CompetencyDomain.select().order_by(CompetencyDomain.position, CompetencyDomain.id))
    competencies = list(Competency.select().order_by(Competency.position, Competency.id))
    clusters = list(StrategyCluster.select().order_by(StrategyCluster.number))
    strategies = list(Strategy.select().order_by(Strategy.number))
    templates = list(
        BenchmarkTemplate.select()
        .where(~BenchmarkTemplate.retired)
        .order_by(BenchmarkTemplate.position, BenchmarkTemplate.id)
    )
    instruments = list(FeedbackInstrument.select().order_by(FeedbackInstrument.key, FeedbackInstrument.version))
    items = list(FeedbackItem.select().order_by(FeedbackItem.position, FeedbackItem.id))
    return jsonify(
        competency_frameworks=[
            {
                "id": f.id,
                "key": f.key,
                "name": f.name,
                "short_name": f.short_name,
                "is_default": f.is_default,
                "domains": [
                    {
                        "id": d.id,
                        "key": d.key,
                        "name": d.name,
                        "competencies": [
                            {"id": c.id, "key": c.key, "name": c.name, "help": c.help, "retired": c.retired}
                            for c in competencies
                            if c.domain_id == d.id
                        ],
                    }
                    for d in domains
                    if d.framework_id == f.id
                ],
            }
            for f in frameworks
        ],
        principles=[
            {"id": p.id, "key": p.key, "name": p.name, "help": p.help, "retired": p.retired}
            for p in Principle.select().order_by(Principle.position, Principle.id)
        ],
        stages=[
            {
                "id": s.id,
                "key": s.key,
                "name": s.name,
                "help": s.help,
                "default_benchmarks": [{"id": t.id, "text": t.text} for t in templates if t.stage_id == s.id],
            }
            for s in Stage.ordered()
        ],
        strategy_clusters=[
            {
                "id": c.id,
                "key": c.key,
                "number": c.number,
                "name": c.name,
                "strategies": [
                    {"id": s.id, "key": s.key, "number": s.number, "name": s.name, "retired": s.retired}
                    for s in strategies
                    if s.cluster_id == c.id
                ],
            }
            for c in clusters
        ],
        feedback_instruments=[
            {
                "id": i.id,
                "key": i.key,
                "version": i.version,
                "name": i.name,
                "items": [
                    {"id": it.id, "key": it.key, "kind": it.kind, "scale": it.scale, "text": it.text}
                    for it in items
                    if it.instrument_id == i.id
                ],
            }
            for i in instruments
        ],
    )


# --- organizations, units, users ---------------------------------------------------------------


def organization_json(o):
    return {"id": o.id, "name": o.name, "kind": o.kind, "created": iso(o.created_at), "version": o.version}


def unit_json(u):
    return {
        "id": u.id,
        "organization_id": u.organization_id,
        "name": u.name,
        "created": iso(u.created_at),
        "version": u.version,
    }


def user_json(u):
    return {
        "id": u.id,
        "email": u.email,
        "name": u.name,
        "role": u.role,
        "unit_id": u.unit_id,
        "organization_id": u.organization_id,
        "reads_all_organizations": u.reads_all_organizations,
        "is_active": u.is_active,
        "created": iso(u.created_at),
        "version": u.version,
    }


@bp.get("/organizations")
def list_organizations():
    me = user()
    require(policy.can_list_directory)
    return paginate(policy.visible_organizations(me).order_by(Organization.name), organization_json)


@bp.post("/organizations")
def create_organization():
    require(policy.can_administer)
    f = Fields(body())
    name = f.text("name", required=True)
    kind = f.choice("kind", ORGANIZATION_KINDS, default="recipient")
    f.done()
    if Organization.select().where(Organization.name == name).exists():
        error(409, "An organization with this name already exists.", {"name": "Already taken."})
    org = run(lambda: Organization.create(name=name, kind=kind))
    return jsonify(organization_json(org)), 201


@bp.get("/units")
def list_units():
    me = user()
    require(policy.can_list_directory)
    query = policy.visible_units(me).order_by(Unit.organization, Unit.name)
    org = query_int("organization_id")
    if org:
        query = query.where(Unit.organization == org)
    return paginate(query, unit_json)


@bp.post("/units")
def create_unit():
    require(policy.can_administer)
    f = Fields(body())
    org_id = f.integer("organization_id", required=True, minimum=1)
    name = f.text("name", required=True)
    if org_id and not Organization.select().where(Organization.id == org_id).exists():
        f.fail("organization_id", "No such organization.")
    f.done()
    if Unit.select().where((Unit.organization == org_id) & (Unit.name == name)).exists():
        error(409, "This organization already has a unit with this name.", {"name": "Already taken."})
    unit = run(lambda: Unit.create(organization=org_id, name=name))
    return jsonify(unit_json(unit)), 201


@bp.get("/users")
def list_users():
    require(policy.can_manage_users)
    query = User.select().order_by(User.name, User.id)
    role = request.args.get("role")
    if role:
        query = query.where(User.role == role)
    return paginate(query, user_json)


@bp.post("/users")
def create_user():
    require(policy.can_manage_users)
    f = Fields(body())
    data = {
        "email": f.text("email"),
        "name": f.text("name"),
        "role": f.text("role", default=None),  # one of ROLES: the model's rule
        "password": f.text("password", max_length=1000),
        "unit_id": f.integer("unit_id", minimum=1),
        "organization_id": f.integer("organization_id", minimum=1),
    }
    if data["unit_id"] and not Unit.select().where(Unit.id == data["unit_id"]).exists():
        f.fail("unit_id", "No such unit.")
    if data["organization_id"] and not Organization.select().where(Organization.id == data["organization_id"]).exists():
        f.fail("organization_id", "No such organization.")
    f.done()
    new = run(admin_service.create_user, data)  # the rules of the admin page and create-user
    return jsonify(user_json(new)), 201


# --- support requests --------------------------------------------------------------------------


def request_json(r):
    return {
        "id": r.id,
        "unit_id": r.unit_id,
        "intermediary_id": r.intermediary_id,
        "title": r.title,
        "description": r.description,
        "for_whom": r.for_whom,
        "on_behalf_of": r.on_behalf_of,
        "hoped_start": iso(r.hoped_start),
        "urgent": r.urgent,
        "status": r.status,
        "decline_reason": r.decline_reason,
        "requested_by_id": r.requested_by_id,
        "created": iso(r.created_at),
        "version": r.version,
    }


@bp.get("/requests")
def list_requests():
    query = policy.visible_requests(user()).order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc())
    status = request.args.get("status")
    if status:
        query = query.where(SupportRequest.status == status)
    unit_id = query_int("unit_id")
    if unit_id:
        query = query.where(SupportRequest.unit == unit_id)
    return paginate(query, request_json)


@bp.get("/requests/<int:request_id>")
def get_request(request_id):
    return jsonify(request_json(policy.get_request(request_id, user())))


@bp.post("/requests")
def create_request():
    me = user()
    require(policy.can_submit_request, "Only recipients and administrators submit requests.")
    own_unit = policy.asks_for_own_unit(me)
    f = Fields(body())
    unit_id = f.integer("unit_id", minimum=1)
    data = {
        "title": f.text("title"),  # a unit, a title, what and for whom: the model's rules
        "description": f.text("description"),
        "for_whom": f.text("for_whom"),
        "on_behalf_of": f.text("on_behalf_of"),
        "hoped_start": f.date("hoped_start"),
        "intermediary": f.integer("intermediary_id", minimum=1),  # the only one when left out: the model's rule
    }
    unit = None
    if own_unit:
        if unit_id not in (None, me.unit_id):
            f.fail("unit_id", "You may only ask for support for your own unit.")
        unit = me.unit
    elif unit_id:
        unit = Unit.get_or_none(Unit.id == unit_id)
        if unit is None:
            f.fail("unit_id", "No such unit.")
    f.done()
    req = run(request_service.submit_request, unit, data, me)
    return jsonify(request_json(req)), 201


def _triage(request_id):
    me = user()
    req = policy.get_request(request_id, me)
    if not policy.can_triage_requests(me):
        error(403, "Only ISPs and administrators triage requests.")
    return req, me


@bp.post("/requests/<int:request_id>/accept")
def accept_request(request_id):
    req, me = _triage(request_id)
    f = Fields(body())
    data = {
        "title": f.text("title", default=req.title),  # left out: the request's title
        "problem_statement": f.text("problem_statement"),
        "support_model": f.choice("support_model", SUPPORT_MODELS, default=Engagement.support_model.default),
        "start_date": f.date("start_date"),
        "end_date": f.date("end_date"),
        "co_lead_ids": f.id_list("co_lead_ids"),
        "supporting_ids": f.id_list("supporting_ids"),
    }
    f.done()
    engagement = run(request_service.accept_request, req, data, me)  # the rules: the model's, as on the page
    return jsonify(engagement_json(engagement)), 201


@bp.post("/requests/<int:request_id>/decline")
def decline_request(request_id):
    req, me = _triage(request_id)
    f = Fields(body())
    reason = f.text("reason", required=True)
    f.done()
    run(request_service.decline_request, req, reason, me)
    return jsonify(request_json(req))


# --- engagements --------------------------------------------------------------------------------


def engagement_json(e, links=None):
    if links is None:
        links = list(EngagementISP.select().where(EngagementISP.engagement == e.id))
    return {
        "id": e.id,
        "unit_id": e.unit_id,
        "intermediary_id": e.intermediary_id,
        "request_id": e.request_id,
        "title": e.title,
        "problem_statement": e.problem_statement,
        "support_model": e.support_model,
        "status": e.status,
        "start_date": iso(e.start_date),
        "end_date": iso(e.end_date),
        "stage": e.current_stage.key if e.current_stage_id else None,
        "co_lead_ids": sorted(link.user_id for link in links if link.role == "co_lead"),
        "supporting_ids": sorted(link.user_id for link in links if link.role == "supporting"),
        "created": iso(e.created_at),
        "version": e.version,
    }


@bp.get("/engagements")
def list_engagements():
    filters = {"unit": query_int("unit_id")}
    for name, choices, key in (("status", ENGAGEMENT_STATUSES, "status"), ("support_model", SUPPORT_MODELS, "model")):
        value = request.args.get(name)
        if value:
            if value not in [k for k, _ in choices]:
                error(400, f"Unknown {name}.", {name: "Choose one of: " + ", ".join(k for k, _ in choices) + "."})
            filters[key] = value
    stage = request.args.get("stage")
    if stage:
        found = Stage.get_or_none(Stage.key == stage)
        if found is None:
            error(400, "Unknown stage.", {"stage": "Choose one of: " + ", ".join(s.key for s in Stage.ordered()) + "."})
        filters["stage"] = found.id
    # the same narrowing as the engagement list page (Engagement.filtered), within the access policy
    query = Engagement.filtered(policy.visible_engagements(user()), **filters).order_by(
        Engagement.start_date.desc(), Engagement.id.desc()
    )
    page, per_page = page_args()
    total = query.count()
    rows = list(query.paginate(page, per_page))
    stages = {s.id: s for s in Stage.select()}
    links = list(EngagementISP.select().where(EngagementISP.engagement.in_([e.id for e in rows]))) if rows else []
    items = []
    for e in rows:
        if e.current_stage_id:
            e.current_stage = stages[e.current_stage_id]
        items.append(engagement_json(e, [link for link in links if link.engagement_id == e.id]))
    return jsonify(items=items, page=page, per_page=per_page, total=total)


@bp.post("/engagements")
def create_engagement():
    me = user()
    require(policy.can_create_engagement, "Only ISPs and administrators create engagements.")
    f = Fields(body())
    stage_key = f.text("stage", max_length=80)
    stage = Stage.get_or_none(Stage.key == stage_key) if stage_key else None
    if stage_key and stage is None:
        f.fail("stage", "Unknown stage.")
    data = {
        "unit_id": f.integer("unit_id", minimum=1),
        "title": f.text("title"),
        "problem_statement": f.text("problem_statement"),
        "support_model": f.choice("support_model", SUPPORT_MODELS, default=Engagement.support_model.default),
        "start_date": f.date("start_date"),
        "end_date": f.date("end_date"),
        "co_lead_ids": f.id_list("co_lead_ids"),
        "supporting_ids": f.id_list("supporting_ids"),
        "first_stage_id": stage.id if stage else None,
    }
    f.done()
    engagement = run(engagement_service.create_engagement, data, me)  # the rules: the model's, as on the page
    return jsonify(engagement_json(engagement)), 201


@bp.get("/engagements/<int:engagement_id>")
def get_engagement(engagement_id):
    return jsonify(engagement_json(policy.get_engagement(engagement_id, user=user())))


@bp.patch("/engagements/<int:engagement_id>")
def update_engagement(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True, user=user())
    raw = body()
    f = Fields(raw)
    data = engagement_json(engagement)  # what is not sent stays as it is; the names are the service's
    for name in ("title", "problem_statement"):
        if name in raw:
            data[name] = f.text(name)
    data["support_model"] = f.choice("support_model", SUPPORT_MODELS, default=engagement.support_model)
    for name in ("start_date", "end_date"):
        data[name] = f.date(name) if name in raw else getattr(engagement, name)
    for name in ("co_lead_ids", "supporting_ids"):
        if name in raw:
            data[name] = f.id_list(name)
    engagement.expected_version = f.integer("version", minimum=1)  # None: last write wins
    f.done()
    run(engagement_service.update_engagement, engagement, data, user(), represent=engagement_json)  # rules: the model's
    return jsonify(engagement_json(Engagement.get_by_id(engagement.id)))
