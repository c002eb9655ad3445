"""Reports as JSON: the same report functions and filters (ReportFilters, FilterQuery) as the report pages.

Each report answers its parts as top-level keys, as the API contract writes them, and the one part that
grows with the portfolio a page at a time under `items`, with `page`, `per_page` and `total` beside it
(a page past the end is empty, as in the resource lists). Every part has a typed schema below."""

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

from .. import policy
from ..models import GOAL_STATUSES, SUPPORT_MODELS, keys
from ..reports import adherence, competencies, cost, portfolio, progress, review, strategies, workload
from ..reports import feedback as feedback_reports
from ..reports.filters import ApiFilters, FilterQuery, FrameworkQuery, QueryId, ReportFilters, logs_field
from .common import caller, error
from .operations import operation, page_of
from .schemas import Answer, Date, Id, Paging, Query

PERIODS = ("quarter", "month")
BETWEEN = "The work between meetings (activities), its own series: 0 with `activities=exclude` or a `kind`."


def _list(schema, **kwargs):
    return fields.List(fields.Nested(schema), required=True, **kwargs)


def _count(metadata=None, **kwargs):
    return fields.Integer(required=True, metadata={"minimum": 0, **(metadata or {})}, **kwargs)


def _share(metadata=None, **kwargs):
    return fields.Float(required=True, metadata={"minimum": 0, "maximum": 1, **(metadata or {})}, **kwargs)


class ReportQuery(ApiFilters, Paging, FilterQuery):
    pass


class CompetencyReportQuery(ApiFilters, Paging, FrameworkQuery):
    pass


class FeedbackQuery(Query):
    engagement_id = QueryId(required=True, metadata={"description": "The engagement."})
    period = fields.String(
        load_default="quarter", validate=validate.OneOf(PERIODS, error="Choose one of: quarter, month.")
    )


class PagedAnswer(Answer):
    page = fields.Integer(required=True, metadata={"minimum": 1})
    per_page = fields.Integer(required=True, metadata={"minimum": 1})
    total = _count()


# --- shared parts ---------------------------------------------------------------------------------


class FrameworkInfo(Answer):
    key = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)


class DomainUse(Answer):
    key = fields.String(required=True)
    name = fields.String(required=True)
    meetings = _count(metadata={"description": "Sessions in which it was used."})
    share = _share(metadata={"description": "meetings / total_meetings"})
    activities = _count(metadata={"description": "Activities between meetings tagged with it (its own series)."})


class CompetencyUse(DomainUse):
    domain = fields.String(required=True)
    retired = fields.Boolean(required=True)
    approximate = _count(
        metadata={
            "description": "Of `meetings`, those logged with the other competency framework and counted here only "
            "through an approximate crosswalk link (tracker/catalog/crosswalk.json)."
        }
    )


class MonthDose(Answer):
    key = fields.String(required=True, metadata={"description": "YYYY-MM"})
    label = fields.String(required=True)
    meetings = _count()
    minutes = _count()
    activities = _count(metadata={"description": BETWEEN})
    activity_minutes = _count(metadata={"description": BETWEEN})


class Cell(Answer):
    """A feedback score: hidden (mean null, suppressed) below the minimum number of responses."""

    mean = fields.Float(required=True, allow_none=True)
    n = _count()
    suppressed = fields.Boolean(required=True)


def _cells(**kwargs):
    return fields.Dict(keys=fields.String(), values=fields.Nested(Cell), required=True, **kwargs)


# --- portfolio --------------------------------------------------------------------------------------


class UnitCount(Answer):
    id = Id(required=True)
    name = fields.String(required=True)
    engagements = _count()


class KeyCount(Answer):
    key = fields.String(required=True, allow_none=True)
    name = fields.String(required=True)
    engagements = _count()


class Active(Answer):
    total = _count()
    by_unit = _list(UnitCount)
    by_stage = _list(KeyCount)
    by_model = _list(KeyCount)


class Days(Answer):
    mean = fields.Float(required=True, allow_none=True)
    median = fields.Float(required=True, allow_none=True)


class RequestsDelivered(Answer):
    received = _count()
    accepted = _count()
    declined = _count()
    open = _count()
    first_meetings = _count()
    days_to_first_meeting = fields.Nested(Days, required=True)
    definition_meetings_before_acceptance = _count()


class Hours(Answer):
    meetings = _count()
    activities = _count(metadata={"description": BETWEEN})
    activity_minutes = _count(metadata={"description": BETWEEN})
    minutes = _count()
    by_month = _list(MonthDose)


class Reason(Answer):
    key = fields.String(required=True)
    text = fields.String(required=True)


class Attention(Answer):
    id = Id(required=True)
    title = fields.String(required=True)
    unit = fields.String(required=True)
    reasons = _list(Reason)


class PortfolioCompetencies(Answer):
    framework = fields.Nested(FrameworkInfo, required=True)
    total_meetings = _count()
    domains = _list(DomainUse)
    top = _list(CompetencyUse, metadata={"description": "The five competencies used most."})


class PortfolioOut(PagedAnswer):
    active = fields.Nested(Active, required=True)
    requests = fields.Nested(RequestsDelivered, required=True)
    hours = fields.Nested(Hours, required=True)
    competencies = fields.Nested(PortfolioCompetencies, required=True)
    overdue_deliverables = _count(
        metadata={"description": "Deliverables not delivered and due before today in the active or paused "
                  "engagements in scope (each engagement is listed under `items` with the reason)."}
    )  # fmt: skip
    items = _list(Attention, metadata={"description": "Engagements needing attention, a page at a time."})


# --- competencies -----------------------------------------------------------------------------------


class Month(Answer):
    key = fields.String(required=True, metadata={"description": "YYYY-MM"})
    label = fields.String(required=True)


class MonthCount(Month):
    meetings = _count()
    activities = _count(metadata={"description": BETWEEN})


class DomainByMonth(Answer):
    key = fields.String(required=True)
    name = fields.String(required=True)
    meetings = fields.List(fields.Integer(), required=True, metadata={"description": "One per month of `months`."})
    share = fields.List(fields.Float(), required=True)
    activities = fields.List(fields.Integer(), required=True, metadata={"description": BETWEEN})


class CompetencyByMonth(Answer):
    key = fields.String(required=True)
    name = fields.String(required=True)
    domain = fields.String(required=True)
    meetings = fields.List(fields.Integer(), required=True)
    activities = fields.List(fields.Integer(), required=True, metadata={"description": BETWEEN})


class Monthly(Answer):
    framework = fields.Nested(FrameworkInfo, required=True)
    months = _list(MonthCount)
    domains = _list(DomainByMonth)
    competencies = _list(CompetencyByMonth)


class IspCompetencies(Answer):
    id = Id(required=True)
    name = fields.String(required=True)
    meetings = _count()
    counts = fields.Dict(
        keys=fields.String(), values=fields.Integer(), required=True, metadata={"description": "By competency key."}
    )
    never = fields.List(
        fields.String(),
        metadata={
            "description": "Competencies never used: left out for recipients, whose `counts` name used ones only."
        },
    )


class CompetenciesOut(PagedAnswer):
    framework = fields.Nested(FrameworkInfo, required=True)
    total_meetings = _count()
    total_activities = _count(metadata={"description": BETWEEN})
    domains = _list(DomainUse)
    competencies = _list(CompetencyUse)
    monthly = fields.Nested(Monthly, required=True)
    items = _list(IspCompetencies, metadata={"description": "Per ISP, a page of ISPs at a time."})


# --- strategies -------------------------------------------------------------------------------------


class ClusterUse(Answer):
    key = fields.String(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    meetings = _count()
    share = _share()
    minutes = _count()
    activities = _count(metadata={"description": BETWEEN})
    activity_minutes = _count(
        metadata={"description": "An activity's minutes shared equally among its strategies. " + BETWEEN}
    )


class StrategyUse(ClusterUse):
    cluster = fields.String(required=True)


class KeyDose(Answer):
    key = fields.String(required=True, allow_none=True)
    name = fields.String(required=True)
    meetings = _count()
    minutes = _count()


class Dose(Answer):
    total_meetings = _count()
    total_minutes = _count()
    total_activities = _count(metadata={"description": BETWEEN})
    total_activity_minutes = _count(metadata={"description": BETWEEN})
    by_month = _list(MonthDose)
    by_stage = _list(KeyDose, metadata={"description": "By the stage on the meeting's date (key null: before)."})
    by_mode = _list(KeyDose)
    by_kind = _list(KeyDose)


class Interval(Answer):
    sessions = fields.String(required=True, validate=validate.OneOf(["0", "1", "2", "3+"]))
    intervals = _count()


class Between(Answer):
    intervals = _count(metadata={"description": "Intervals between monthly meetings."})
    sessions = _count()
    average = fields.Float(required=True)
    distribution = _list(Interval)


class EngagementBetween(Answer):
    id = Id(required=True)
    title = fields.String(required=True)
    intervals = _count()
    sessions = _count()
    average = fields.Float(required=True)


class StrategiesOut(PagedAnswer):
    total_meetings = _count()
    total_minutes = _count()
    total_activities = _count(metadata={"description": BETWEEN})
    total_activity_minutes = _count(metadata={"description": BETWEEN})
    clusters = _list(ClusterUse)
    strategies = _list(StrategyUse)
    dose = fields.Nested(Dose, required=True)
    between = fields.Nested(Between, required=True)
    items = _list(EngagementBetween, metadata={"description": "Sessions between monthly meetings per engagement."})


# --- progress ---------------------------------------------------------------------------------------


class ProgressStage(Answer):
    """A stage's progress: one engagement's (entered_on, days, visits, first/last benchmark, first/last
    activity, sic_duration) or the portfolio's (engagements, entries, revisits, current, days, mean_days,
    mean_sic_duration)."""

    key = fields.String(required=True)
    name = fields.String(required=True)
    entered_on = Date(allow_none=True)
    days = fields.Integer(required=True, allow_none=True)
    benchmarks_total = _count()
    benchmarks_completed = _count()
    proportion = _share()
    visits = fields.Integer()
    first_benchmark_on = Date(allow_none=True)
    last_benchmark_on = Date(allow_none=True)
    engagements = fields.Integer()
    entries = fields.Integer()
    revisits = fields.Integer()
    current = fields.Integer()
    mean_days = fields.Float(allow_none=True)
    first_activity_on = Date(allow_none=True)
    last_activity_on = Date(allow_none=True)
    sic_duration = fields.Integer(
        allow_none=True,
        metadata={"description": "SIC duration: days from the first to the last activity in the stage."},
    )
    mean_sic_duration = fields.Float(allow_none=True)


class Transitions(Answer):
    months = _list(Month)
    by_status = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()), required=True)


class Goals(Answer):
    by_status = fields.Dict(
        keys=fields.String(validate=validate.OneOf(keys(GOAL_STATUSES))), values=fields.Integer(), required=True
    )
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    transitions = fields.Nested(Transitions, required=True)


class EngagementRef(Answer):
    id = Id(required=True)
    ref = fields.String(required=True, allow_none=True, metadata={"description": "The readable id, ENG-<year>-<nnn>."})
    title = fields.String(required=True)
    status = fields.String(required=True)


class Visit(Answer):
    key = fields.String(required=True)
    name = fields.String(required=True)
    entered_on = Date(required=True)
    left_on = Date(required=True, allow_none=True)
    days = _count()
    revisit = fields.Boolean(required=True)


class Furthest(KeyCount):
    pass


class ProgressRow(Answer):
    id = Id(required=True)
    title = fields.String(required=True)
    current_stage = fields.String(required=True, allow_none=True)
    furthest_stage = fields.String(required=True, allow_none=True)
    days_in_current = fields.Integer(required=True, allow_none=True)
    benchmarks_total = _count()
    benchmarks_completed = _count()
    proportion = _share()


class FeedbackPeriod(Answer):
    label = fields.String(required=True)
    responses = _count()
    scales = _cells()


CELL = {  # Cell, written out for the one field apispec cannot describe from a schema (two shapes)
    "type": "object",
    "required": ["mean", "n", "suppressed"],
    "properties": {
        "mean": {"type": ["number", "null"]},
        "n": {"type": "integer", "minimum": 0},
        "suppressed": {"type": "boolean"},
    },
}


class ProgressFeedback(fields.Field):
    """The portfolio's feedback scores by scale, or one engagement's by quarter."""

    def __init__(self, **kwargs):
        by_scale = {"type": "object", "additionalProperties": CELL}
        by_quarter = {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["label", "responses", "scales"],
                "properties": {
                    "label": {"type": "string"},
                    "responses": {"type": "integer", "minimum": 0},
                    "scales": by_scale,
                },
            },
        }
        super().__init__(metadata={"oneOf": [by_scale, by_quarter]}, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, list):
            return FeedbackPeriod(many=True).dump(value)
        return {key: Cell().dump(cell) for key, cell in (value or {}).items()}


class ProgressOut(Answer):
    """The portfolio's progress (the engagements a page at a time under `items`), or with `engagement_id`
    one engagement's (`engagement`, `timeline`, `current_stage`; nothing paged)."""

    stages = _list(ProgressStage)
    furthest_stage = fields.String(required=True, allow_none=True)
    furthest_stage_name = fields.String(required=True, allow_none=True)
    goals = fields.Nested(Goals, required=True)
    feedback = ProgressFeedback(required=True)
    engagements = fields.Integer(metadata={"description": "Engagements in scope (portfolio)."})
    furthest = fields.List(fields.Nested(Furthest))
    engagement = fields.Nested(EngagementRef)
    timeline = fields.List(fields.Nested(Visit))
    current_stage = fields.String(allow_none=True)
    items = fields.List(fields.Nested(ProgressRow))
    page = fields.Integer(metadata={"minimum": 1})
    per_page = fields.Integer(metadata={"minimum": 1})
    total = fields.Integer(metadata={"minimum": 0})

    def get_attribute(self, obj, attr, default):
        return obj.get(attr, default)  # a key, never a dict's method (`items` of one engagement's: left out)


# --- feedback ---------------------------------------------------------------------------------------


class PeriodScores(Answer):
    key = fields.String(required=True)
    label = fields.String(required=True)
    start = Date(required=True)
    end = Date(required=True)
    responses = _count()
    scales = _cells()


class PathwayStep(Answer):
    key = fields.String(required=True)
    name = fields.String(required=True)
    scales = fields.List(fields.String(), required=True)
    current = fields.Nested(Cell, required=True)
    previous = fields.Nested(Cell, required=True)
    change = fields.Float(required=True, allow_none=True)
    direction = fields.String(required=True, allow_none=True)
    label = fields.String(required=True)


class Pathway(Answer):
    current = fields.String(required=True, allow_none=True)
    previous = fields.String(required=True, allow_none=True)
    steps = _list(PathwayStep)


class ResponseRate(Answer):
    invited = _count()
    answered = _count()
    rate = fields.Float(required=True, allow_none=True)


class Comments(Answer):
    shown = fields.Boolean(required=True)
    n = _count()
    by_question = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)


class PulseItem(Answer):
    key = fields.String(required=True)
    text = fields.String(required=True)
    scale = fields.String(required=True, allow_none=True)


class PulsePeriod(Answer):
    key = fields.String(required=True)
    label = fields.String(required=True)
    start = Date(required=True)
    end = Date(required=True)
    items = _cells(metadata={"description": "{item key: cell}: the mean of the released pulse answers."})

    def get_attribute(self, obj, attr, default):
        return obj.get(attr, default)  # a key, never a dict's method (`items`)


class PulseItems(Answer):
    items = _list(PulseItem)
    periods = _list(PulsePeriod)

    def get_attribute(self, obj, attr, default):
        return obj.get(attr, default)  # a key, never a dict's method (`items`)


class FeedbackOut(Answer):
    engagement_id = Id(required=True)
    min_responses = fields.Integer(required=True)
    received = _count()
    scale_scores = _cells()
    over_time = _list(PeriodScores)
    pathway = fields.Nested(Pathway, required=True)
    response_rate = fields.Nested(ResponseRate, required=True)
    comments = fields.Nested(Comments, required=True)
    pulse_items = fields.Nested(
        PulseItems,
        required=True,
        metadata={"description": "Pulse answers as items (never pooled into a scale score), by period."},
    )


# --- the pathway across engagements -----------------------------------------------------------------


class PathwayQuery(ApiFilters, FilterQuery):
    """The engagements whose pathway is read (unit_id, support_model, ...; none: the whole portfolio in view)
    and the dates of release (start, end). Session kind is not a filter of feedback."""

    class Meta:
        unknown = ma.EXCLUDE
        exclude = ("kind",)


class PathwayStepInfo(Answer):
    key = fields.String(required=True)
    name = fields.String(required=True)
    scales = fields.List(fields.String(), required=True)


class PathwayScore(Cell):
    """A step's score in a group: the mean of its scales' shown means; null (suppressed) below the minimum."""

    key = fields.String(required=True)
    name = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "The agreement the mean rounds to; blank if hidden."})


class PathwayGroup(Answer):
    name = fields.String(required=True)
    engagements = _count()
    steps = _list(PathwayScore)


class PathwayUnit(PathwayGroup):
    id = Id(required=True)


class PathwayModel(PathwayGroup):
    key = fields.String(required=True, validate=validate.OneOf(keys(SUPPORT_MODELS)))


class PathwayOut(Answer):
    min_responses = fields.Integer(required=True)
    engagements = _count(metadata={"description": "Engagements in scope."})
    steps = _list(PathwayStepInfo)
    portfolio = fields.Nested(PathwayGroup, required=True, metadata={"description": "All engagements in scope."})
    by_unit = _list(PathwayUnit)
    by_model = _list(PathwayModel)


# --- adherence --------------------------------------------------------------------------------------


class AdherenceQuery(ReportQuery):
    """One engagement's plan items with `engagement`; else the portfolio, narrowed by the engagement-level
    report filters (session kind and dates are not filters of adherence: tracker/reports/adherence.py)."""

    engagement = QueryId(metadata={"description": "One engagement: its plan items under `items`, nothing paged."})

    class Meta:
        unknown = ma.EXCLUDE
        exclude = ("kind", "start", "end")


def _ratio(description):
    return fields.Float(
        required=True, allow_none=True, metadata={"minimum": 0, "description": description + " None: nothing planned."}
    )


class AdherenceFigures(Answer):
    planned_sessions = fields.Float(required=True, metadata={"minimum": 0})
    delivered_sessions = _count()
    adherence = _ratio("Delivered / planned sessions (may exceed 1).")
    planned_minutes = fields.Float(required=True, metadata={"minimum": 0})
    delivered_minutes = fields.Float(required=True, metadata={"minimum": 0})
    minutes_adherence = _ratio("Delivered / planned minutes (may exceed 1).")


class AdherenceRow(AdherenceFigures):
    """A plan item (with `engagement`: strategy, strategy_name, item) or an engagement of the portfolio
    (without it: engagement_id, title, unit, items)."""

    strategy = fields.String(metadata={"description": "The strategy's catalog key (GET /catalog)."})
    strategy_name = fields.String()
    item = Id(metadata={"description": "The plan item."})
    start_date = Date()
    end_date = Date(allow_none=True)
    engagement_id = Id()
    title = fields.String()
    unit = fields.String()
    items = fields.Integer(metadata={"minimum": 0, "description": "The engagement's live plan items."})

    def get_attribute(self, obj, attr, default):
        return obj.get(attr, default)  # a key, never a dict's method (`items`)


class AdherenceTotals(AdherenceFigures):
    engagements = fields.Integer(metadata={"minimum": 0, "description": "Engagements with a plan (portfolio)."})
    items = fields.Integer(metadata={"minimum": 0, "description": "Plan items counted (portfolio)."})

    def get_attribute(self, obj, attr, default):
        return obj.get(attr, default)


class AdherenceOut(Answer):
    """Planned against delivered support (tracker/reports/adherence.py). With `engagement`: its plan items
    under `items` and their `totals` (`items` empty: no plan). Without: one row per engagement with a plan,
    lowest adherence first, a page at a time under `items` (with `page`, `per_page`, `total`), and the
    portfolio's `totals`."""

    engagement_id = Id()
    items = _list(AdherenceRow)
    totals = fields.Nested(AdherenceTotals, required=True, allow_none=True)
    page = fields.Integer(metadata={"minimum": 1})
    per_page = fields.Integer(metadata={"minimum": 1})
    total = fields.Integer(metadata={"minimum": 0})


# --- cost (issue 19) --------------------------------------------------------------------------------


class CostQuery(ApiFilters, Paging, FilterQuery):
    """`engagement`: one engagement's cost (the issue's contract); without it the portfolio's, narrowed by
    the engagement-level filters (the cost covers whole engagements: dates and meeting kinds do not apply)."""

    engagement = QueryId(metadata={"description": "One engagement's cost instead of the portfolio's."})


def _money(**kwargs):
    return fields.Float(required=True, metadata={"minimum": 0, **kwargs.pop("metadata", {})}, **kwargs)


class CostStage(Answer):
    key = fields.String(required=True)
    name = fields.String(required=True)
    minutes = _count()
    cost = _money()
    sessions_without_rate = _count()


class CostUnstaged(Answer):
    minutes = _count()
    cost = _money()
    sessions_without_rate = _count()


class CostFigures(Answer):
    stages = _list(CostStage, metadata={"description": "Every stage, in order: the sessions dated in it."})
    unstaged = fields.Nested(CostUnstaged, required=True, metadata={"description": "Sessions before any stage."})
    sessions = _count()
    total_cost = _money()
    total_minutes = _count()
    stages_advanced = _count()
    goals_achieved = _count()
    cost_per_stage_advanced = _money(allow_none=True, metadata={"description": "None: no stage advanced."})
    cost_per_goal_achieved = _money(allow_none=True, metadata={"description": "None: no goal achieved."})
    sessions_without_rate = _count(metadata={"description": "Sessions whose cost is not fully known."})


class CostEngagement(CostFigures):
    id = Id(required=True)
    title = fields.String(required=True)
    unit = fields.String(required=True)


class CostOut(CostFigures):
    """One engagement's cost (`engagement` given: `engagement_id` beside the figures), or the portfolio's
    totals with its engagements a page at a time under `items`. Costs in `currency` (COST_CURRENCY);
    the definition: tracker/reports/cost.py."""

    currency = fields.String(required=True)
    engagement_id = Id()
    items = fields.List(fields.Nested(CostEngagement))
    page = fields.Integer(metadata={"minimum": 1})
    per_page = fields.Integer(metadata={"minimum": 1})
    total = fields.Integer(metadata={"minimum": 0})

    def get_attribute(self, obj, attr, default):
        return obj.get(attr, default)  # a key, never a dict's method (`items`)


# --- logged on time --------------------------------------------------------------------------------


class OnTimeQuery(ApiFilters, FilterQuery):
    """The report filters; every meeting in them counts whatever its review state (`logs` does not apply)."""


class OnTimeTally(Answer):
    on_time = _count(metadata={"description": "First submitted on or before the due date."})
    late = _count(metadata={"description": "Submitted after the due date, or not submitted and past it."})
    pending = _count(metadata={"description": "Not submitted and not yet due: not counted."})
    share = fields.Float(
        required=True,
        allow_none=True,
        metadata={"minimum": 0, "maximum": 1, "description": "on_time / (on_time + late); None: none counted."},
    )


class OnTimeMonth(OnTimeTally):
    key = fields.String(required=True, metadata={"description": "YYYY-MM of the meetings' dates."})
    label = fields.String(required=True)


class OnTimeIsp(OnTimeTally):
    id = Id(required=True)
    name = fields.String(required=True)
    months = fields.Dict(keys=fields.String(), values=fields.Nested(OnTimeTally), required=True)


class OnTimeOut(Answer):
    """Logged on time by ISP (the log's author) and month (the definition: tracker/reports/review.py)."""

    days = fields.Integer(required=True, metadata={"description": "The working days a log is due within."})
    months = _list(OnTimeMonth)
    isps = _list(OnTimeIsp)
    total = fields.Nested(OnTimeTally, required=True)


# --- the routes -------------------------------------------------------------------------------------


def _filters(args):
    return ReportFilters.from_loaded(args, caller())


def _paged(items, args):
    """The report's one list that grows with the portfolio, paged as every list is."""
    return page_of(items, args["page"], args["per_page"])


@operation(
    "get",
    "/reports/portfolio",
    "getPortfolioReport",
    tag="Reports",
    summary="The portfolio dashboard (engagements needing attention a page at a time)",
    query=ReportQuery,
    answer=PortfolioOut,
)
def report_portfolio(args):
    data = dict(portfolio.dashboard(_filters(args)))  # (a copy: the report may be a cached one)
    paged = _paged(data.pop("attention"), args)
    return {**data, **paged}


@operation(
    "get",
    "/reports/competencies",
    "getCompetencyReport",
    tag="Reports",
    summary="Competencies used (the per-ISP counts a page of ISPs at a time)",
    query=CompetencyReportQuery,
    answer=CompetenciesOut,
)
def report_competencies(args):
    filters = _filters(args)
    page, per_page = args["page"], args["per_page"]
    data, monthly = competencies.report(filters)
    isps = competencies.by_isp(filters, page=page, per_page=per_page)  # counts for that page's ISPs only
    listed = isps["page"]
    items = isps["isps"] if listed.number == page else []  # past the end: by_isp answers the last page
    if not policy.can_see_unused_competencies(caller()):
        items = competencies.without_unused(items)
    return {**data, "monthly": monthly, "items": items, "page": page, "per_page": per_page, "total": listed.total}


@operation(
    "get",
    "/reports/strategies",
    "getStrategyReport",
    tag="Reports",
    summary="Strategies and dose (sessions between monthly meetings per engagement a page at a time)",
    query=ReportQuery,
    answer=StrategiesOut,
)
def report_strategies(args):
    filters = _filters(args)
    between = dict(strategies.between_monthly(filters))
    paged = _paged(between.pop("by_engagement"), args)
    return {**strategies.strategies_used(filters), "dose": strategies.dose(filters), "between": between, **paged}


@operation(
    "get",
    "/reports/progress",
    "getProgressReport",
    tag="Reports",
    summary="Progress movement (the per-engagement rows a page at a time; one engagement's with engagement_id)",
    query=ReportQuery,
    answer=ProgressOut,
)
def report_progress(args):
    filters = _filters(args)
    data = progress.progress(filters)
    if filters.engagement and data is None:
        error(404, "No such engagement.")
    if "rows" not in data:  # one engagement: nothing to page
        return data
    data = dict(data)
    paged = _paged(data.pop("rows"), args)
    return {**data, **paged}


@operation(
    "get",
    "/reports/feedback",
    "getFeedbackReport",
    tag="Reports",
    summary="Feedback scores of one engagement: released responses only, by period of release (docs/disclosure.md)",
    query=FeedbackQuery,
    answer=FeedbackOut,
)
def report_feedback(args):
    e = policy.get_engagement(args["engagement_id"], user=caller())
    return {
        "engagement_id": e.id,
        "min_responses": feedback_reports.MIN_RESPONSES,
        **feedback_reports.engagement_report(e.id, args["period"]),
    }


@operation(
    "get",
    "/reports/pathway",
    "getPathwayReport",
    tag="Reports",
    summary="The recipients' pathway across engagements: for all in scope, by unit and by model of support; "
    "released responses only (docs/disclosure.md)",
    query=PathwayQuery,
    answer=PathwayOut,
)
def report_pathway(args):
    return feedback_reports.pathway_across(_filters(args))


@operation(
    "get",
    "/reports/adherence",
    "getAdherenceReport",
    tag="Reports",
    summary="Planned against delivered support: one engagement's plan items (engagement), or the portfolio's "
    "engagements a page at a time",
    query=AdherenceQuery,
    answer=AdherenceOut,
)
def report_adherence(args):
    if args.get("engagement") is not None:
        e = policy.get_engagement(args["engagement"], user=caller())
        data = adherence.engagement_adherence(e.id)
        return {
            "engagement_id": e.id,
            "items": data["items"] if data else [],
            "totals": data["total"] if data else None,
        }
    data = adherence.portfolio_adherence(_filters(args))
    return {**_paged(data["rows"], args), "totals": data["total"]}


@operation(
    "get",
    "/reports/cost",
    "getCostReport",
    tag="Reports",
    summary="Cost of support by stage, per stage advanced and per goal achieved: one engagement's with "
    "`engagement`, else the portfolio's (its engagements a page at a time); not for recipients",
    query=CostQuery,
    answer=CostOut,
    allow=policy.can_see_cost,
)
def report_cost(args):
    currency = {"currency": current_app.config["COST_CURRENCY"]}
    if args.get("engagement") is not None:
        e = policy.get_engagement(args["engagement"], user=caller())
        return {"engagement_id": e.id, **cost.engagement_cost(e.id), **currency}
    data = dict(cost.portfolio_cost(_filters(args)))
    paged = _paged(data.pop("engagements"), args)
    return {**data, **paged, **currency}


# --- team workload (issue 22) ---------------------------------------------------------------------------


class WorkloadQuery(Query):
    """The window of the ISPs' workload: default the last six calendar months, this one included."""

    start = Date(
        metadata={"description": "From this date (default: the first day of the month five months before the end's)."}
    )
    end = Date(metadata={"description": "To this date (default: today); not before `start`."})
    logs = logs_field()

    @ma.validates_schema
    def _window(self, data, **kwargs):
        problem = workload.window_problem(data.get("start"), data.get("end"))
        if problem:
            raise ma.ValidationError(problem, "start")


class WorkloadIsp(Answer):
    id = Id(required=True)
    name = fields.String(required=True)
    engagements_led = _count(metadata={"description": "Live engagements co-led that overlap the window."})
    engagements_supporting = _count(metadata={"description": "Live engagements supported that overlap the window."})
    minutes = _count(
        metadata={"description": "Meetings taken part in (each in full) plus activities between meetings."}
    )
    meeting_minutes = _count()
    activity_minutes = _count()
    capacity_minutes = _count(allow_none=True, metadata={"description": "Monthly capacity; None: not set."})
    minutes_by_month = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": 'Minutes by calendar month ("YYYY-MM"), every month of the window listed.'},
    )
    average_minutes = _count(metadata={"description": "Minutes a month on average over the window's months."})
    load = fields.Float(
        required=True,
        allow_none=True,
        metadata={"minimum": 0, "description": "average_minutes / capacity_minutes; None without a capacity."},
    )
    overdue_next_steps = _count()
    overdue_deliverables = _count()


class WorkloadOut(Answer):
    """Each ISP the caller may read, by name (the definitions: tracker/reports/workload.py)."""

    isps = _list(WorkloadIsp)


@operation(
    "get",
    "/reports/workload",
    "getWorkloadReport",
    tag="Reports",
    summary="The ISPs' workload: engagements co-led and supported, minutes by month against the monthly "
    "capacity, overdue parts (leaders and admins)",
    query=WorkloadQuery,
    answer=WorkloadOut,
    allow=policy.can_read_workload,
)
def report_workload(args):
    logs = args.get("logs")  # None: the organization's default
    return {"isps": workload.workload(caller(), args.get("start"), args.get("end"), logs=logs)["isps"]}


@operation(
    "get",
    "/reports/on-time",
    "getOnTimeReport",
    tag="Reports",
    summary="Logged on time: the share of meetings submitted within the organization's working days, by ISP and "
    "month (an ISP reads their own unless they read the workload of others)",
    query=OnTimeQuery,
    answer=OnTimeOut,
    allow=policy.can_read_reports,
)
def report_on_time(args):
    return review.on_time(_filters(args))
