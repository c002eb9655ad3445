"""Reports and dashboards: the leaders' portfolio dashboard, competencies used, strategies and dose,
progress movement, context (barriers and facilitators by CFIR domain), the printable engagement report,
and the CSV export of each.

Every page reads the same GET filters (ReportFilters) and computes its numbers through the report
functions in tracker/reports/, which restrict everything to what the signed-in user may see: leaders
their organization's scope, ISPs their engagements, recipients their unit's engagements. The charts
are drawn by static/js/charts.js from JSON data islands; each has the same numbers in a table.
"""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from .. import exports, policy
from ..models import GOAL_STATUSES, Deliverable, Goal, GoalStatusChange, today
from ..paging import page_of
from ..reports import (
    adherence,
    charts,
    competencies,
    context,
    cost,
    filter_summary,
    journey,
    portfolio,
    power,
    progress,
    strategies,
)
from ..reports import feedback as feedback_reports
from ..reports.filters import ReportFilters
from ..services.feedback import open_invitations_for
from .helpers import show_date

bp = Blueprint("reports", __name__, url_prefix="/reports")

PAGES = (
    ("reports.index", "Portfolio"),
    ("reports.competencies_page", "Competencies"),
    ("reports.strategies_page", "Strategies and dose"),
    ("reports.progress_page", "Progress"),
    ("reports.pathway_page", "Pathway"),
    ("reports.context_page", "Context"),
    ("reports.adherence_page", "Adherence"),
    ("reports.cost_page", "Cost"),
)
HIDDEN_UNLESS = {"reports.cost_page": policy.can_see_cost}  # a tab only some readers have


def _filters():
    return ReportFilters.from_args(request.args, current_user)


def _paged(items):
    """(Page, that page's items) of a report's list that grows with the portfolio (?page=)."""
    return page_of(items, request.args.get("page"), current_app.config["PER_PAGE"])


def _render(template, filters, **context):
    """The report page; 400 when a filter could not be read (the page says which and shows the report
    without it), as a form with errors does."""
    choices = filters.choices()
    summary = filter_summary.describe(filters, choices, context.get("framework_choices"), show_date)
    pages = [(endpoint, text) for endpoint, text in PAGES if HIDDEN_UNLESS.get(endpoint, bool)(current_user)]
    page = render_template(template, filters=filters, choices=choices, filter_summary=summary, pages=pages, **context)
    return page, 400 if filters.errors else 200


@bp.route("/", strict_slashes=False)
@login_required
def index():
    filters = _filters()
    data = portfolio.dashboard(filters)
    attention_page, attention = _paged(data["attention"])
    return _render(
        "reports/index.html",
        filters,
        data=data,
        attention=attention,
        attention_page=attention_page,
        active_list=portfolio.active_list_args(filters),
        feedback_waiting=open_invitations_for(current_user),
        charts={
            "by_unit": charts.active_by_unit(data["active"]),
            "by_stage": charts.active_by_stage(data["active"]),
            "by_model": charts.active_by_model(data["active"]),
            "funnel": charts.request_funnel(data["funnel"]),
            "hours": charts.hours_by_month(data["hours"]),
            "domains": charts.domain_shares(data["competencies"]),
        },
    )


@bp.route("/competencies")
@login_required
def competencies_page():
    filters = _filters()
    frameworks = competencies.frameworks()
    data, monthly = competencies.report(filters)
    isps = competencies.by_isp(filters, page=request.args.get("page", 1, type=int))
    split = competencies.domain_split(data)
    return _render(
        "reports/competencies.html",
        filters,
        framework_choices=[(f["key"], f["short_name"]) for f in frameworks],
        data=data,
        monthly=monthly,
        split=split,
        isps=isps,
        matrix=competencies.isp_matrix(isps),
        domain_names={d["key"]: d["name"] for d in data["domains"]},
        charts={
            "split": charts.domain_split(split),
            "competencies": charts.competency_shares(data),
            "monthly": charts.domain_shares_by_month(monthly),
        },
    )


@bp.route("/strategies")
@login_required
def strategies_page():
    filters = _filters()
    between = strategies.between_monthly(filters)
    between_page, between_rows = _paged(between["by_engagement"])
    used, dose = strategies.strategies_used(filters), strategies.dose(filters)
    ranked, by_stage = strategies.ranked(used), strategies.dose_by_stage_and_cluster(filters)
    return _render(
        "reports/strategies.html",
        filters,
        data=used,
        ranked=ranked,
        dose=dose,
        by_stage=by_stage,
        between=between,
        between_rows=between_rows,
        between_page=between_page,
        charts={
            "clusters": charts.eric_clusters_ranked(ranked),
            "isp_activities": charts.isp_activities_ranked(ranked),
            "stage_clusters": charts.hours_by_stage_and_cluster(by_stage),
            "dose_month": charts.hours_by_month(dose),
            "dose_mode": charts.hours_by_mode(dose),
            "dose_kind": charts.hours_by_kind(dose),
            "between": charts.sessions_between_monthly_meetings(between),
        },
    )


@bp.route("/progress")
@login_required
def progress_page():
    filters = _filters()
    data = progress.progress(filters)
    if filters.engagement and data is None:
        abort(404)
    scales = _scale_names()
    one = bool(filters.engagement)
    sort = journey.journey_sort(request.args.get("journey_sort"))
    journeys = None if one else journey.portfolio_journey(filters, sort)
    rows_page, rows = _paged(journeys["rows"] if journeys else [])
    return _render(
        "reports/progress.html",
        filters,
        data=data,
        one=one,
        journeys=journeys,
        journey_sorts=journey.JOURNEY_SORTS,
        timeline=journey.engagement_timeline(filters) if one else None,
        outcomes=progress.outcomes_by_type(filters),
        rows=rows,
        rows_page=rows_page,
        statuses=GOAL_STATUSES,
        scales=scales,
        charts=_progress_charts(data, one, scales),
    )


def _progress_charts(data, one, scales):
    found = {
        "proportion": charts.benchmarks_by_stage(data),
        "goals": charts.goals_by_status(data["goals"], GOAL_STATUSES),
        "transitions": charts.goal_changes_by_month(data["goals"], GOAL_STATUSES),
    }
    if one:
        found["feedback"] = charts.feedback_over_time(data["feedback"], scales)
    else:
        found["furthest"] = charts.furthest_stage(data)
    return found


def _scale_names():
    spec = feedback_reports.instrument_spec()
    return {s["key"]: s["name"] for s in spec.get("scales", [])}


@bp.route("/pathway")
@login_required
def pathway_page():
    filters = _filters()
    data = feedback_reports.pathway_across(filters)
    return _render("reports/pathway.html", filters, data=data, charts={"pathway": charts.pathway_by_model(data)})


@bp.route("/context")
@login_required
def context_page():
    filters = _filters()
    data = context.context_across(filters)
    return _render("reports/context.html", filters, data=data, charts={"domains": charts.context_by_domain(data)})


@bp.route("/adherence")
@login_required
def adherence_page():
    filters = _filters()
    data = adherence.portfolio_adherence(filters)
    rows_page, rows = _paged(data["rows"])
    return _render(
        "reports/adherence.html",
        filters,
        data=data,
        rows=rows,
        rows_page=rows_page,
        charts={"engagements": charts.adherence_by_engagement(rows)},
    )


@bp.route("/cost")
@policy.required(policy.can_see_cost)
def cost_page():
    filters = _filters()
    data = cost.portfolio_cost(filters)
    rows_page, rows = _paged(data["engagements"])
    return _render(
        "reports/cost.html",
        filters,
        data=data,
        rows=rows,
        rows_page=rows_page,
        charts={"stages": charts.cost_by_stage(data), "engagements": charts.cost_by_engagement_and_stage(rows)},
    )


@bp.route("/engagements/<int:engagement_id>")
@login_required
def engagement_report(engagement_id):
    engagement = policy.get_engagement(engagement_id)
    filters = ReportFilters(user=current_user, engagement=engagement.id)
    goals = list(Goal.live().where(Goal.engagement == engagement).order_by(Goal.created_at, Goal.id))
    history = {}
    if goals:
        for change in (
            GoalStatusChange.select()
            .where(GoalStatusChange.goal.in_([g.id for g in goals]))
            .order_by(GoalStatusChange.changed_on, GoalStatusChange.id)
        ):
            history.setdefault(change.goal_id, []).append(change)
    deliverables = list(
        Deliverable.live()
        .where(Deliverable.engagement == engagement)
        .order_by(Deliverable.due_on.is_null(), Deliverable.due_on, Deliverable.id)
    )
    used = competencies.competencies_used(filters)
    return render_template(
        "reports/engagement.html",
        e=engagement,
        filters=filters,
        isps=engagement.isps(),
        goals=[{"goal": g, "history": history.get(g.id, [])} for g in goals],
        progress=progress.engagement_progress(filters),
        timeline=journey.engagement_timeline(filters),
        competencies=used,
        domains_chart=charts.domain_shares(used),
        strategies=strategies.strategies_used(filters),
        dose=strategies.dose(filters),
        feedback=feedback_reports.scale_scores([engagement.id]),
        context_notes=context.engagement_notes(engagement.id, policy.can_see_internal_notes(current_user)),
        scales=_scale_names(),
        power=power.engagement_power(engagement.id),
        deliverables=deliverables,
        generated=today(),
    )


@bp.route("/<name>.csv")
@login_required
def export_csv(name):
    if not exports.may_download(name, current_user):
        abort(403)
    filters = _filters()
    if filters.errors:  # a download never silently drops a filter
        abort(400, description=" ".join(f"{name}: {message}" for name, message in filters.errors.items()))
    response = exports.csv_response(name, filters)
    if response is None:
        abort(404)
    return response
