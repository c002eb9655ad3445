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
from ..models import GOAL_STATUSES, today
from ..paging import page_of
from ..reports import (
    adherence,
    charts,
    competencies,
    context,
    cost,
    coverage,
    filter_summary,
    journey,
    my_work,
    portfolio,
    power,
    progress,
    review,
    strategies,
    tables,
    workload,
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
    ("reports.team_page", "Team"),
    ("reports.on_time_page", "Logged on time"),
)
# tabs only some readers have
HIDDEN_UNLESS = {
    "reports.cost_page": policy.can_see_cost,
    "reports.team_page": policy.can_read_workload,
    "reports.on_time_page": policy.can_read_reports,
}


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
        work=my_work.sections(current_user) if policy.lands_on_dashboard(current_user) else None,  # a leader's home
        uncovered=coverage.uncovered_units(current_user),
        on_time=_on_time_tile(filters),
        coverage_days=coverage.coverage_days(),
        charts={
            "by_unit": charts.active_by_unit(data["active"]),
            "by_stage": charts.active_by_stage(data["active"]),
            "by_model": charts.active_by_model(data["active"]),
            "funnel": charts.request_funnel(data["funnel"]),
            "hours": charts.hours_by_month(data["hours"]),
            "domains": charts.domain_shares(data["competencies"]),
        },
    )


def _on_time_tile(filters):
    """The dashboard's "Logged on time" over the last three full months (the other filters kept), with the
    page's URL args; None for readers who do not read the figure."""
    if not policy.can_read_reports(current_user):
        return None
    start, end = review.last_full_months()
    window = filters.replace(start=start, end=end, errors={})
    return {"start": start, "end": end, "total": review.on_time(window)["total"], "args": window.args()}


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


@bp.route("/my-competencies")
@login_required
def my_competencies():
    """An ISP's own competency profile over time (policy.can_see_own_competency_profile: others get 403)."""
    if not policy.can_see_own_competency_profile(current_user):
        abort(403)
    filters = competencies.own_profile_filters(current_user, _filters().framework)
    frameworks = competencies.frameworks()
    profile = competencies.isp_profile(filters)
    return render_template(
        "reports/my_competencies.html",
        filters=filters,
        profile=profile,
        framework_choices=[(f["key"], f["short_name"]) for f in frameworks],
        chart_spec=charts.competency_profile(profile),
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


@bp.route("/team")
@policy.required(policy.can_read_workload)
def team_page():
    """The leaders' Team report (issue 22): each ISP's engagements, minutes by month against their monthly
    capacity, and overdue parts, over the date filter's window (default: workload.default_window)."""
    filters = _filters()
    problem = workload.window_problem(filters.start, filters.end)
    if problem:  # shown as a filter that could not be applied
        filters = filters.replace(start=None, errors={**filters.errors, "start": problem})
    data = workload.workload(current_user, filters.start, filters.end, logs=filters.logs)
    return _render(
        "reports/team.html",
        filters,
        data=data,
        bands=workload.LOAD_BANDS,
        band=workload.load_band,
        thresholds=(workload.NEAR_CAPACITY, workload.OVER_CAPACITY),
        month_label=charts.month_label,
        charts={"months": charts.workload_by_month(data)},
    )


@bp.route("/on-time")
@policy.required(policy.can_read_reports)
def on_time_page():
    """Logged on time (issue 23): the share of meetings submitted within the working days the organization
    sets, by ISP and month (tracker/reports/review.py)."""
    filters = _filters()
    return _render(
        "reports/on_time.html",
        filters,
        data=review.on_time(filters),
        sees_others=policy.can_read_workload(current_user),
    )


@bp.route("/engagements/<int:engagement_id>")
@login_required
def engagement_report(engagement_id):
    engagement = policy.get_engagement(engagement_id)
    filters = ReportFilters(user=current_user, engagement=engagement.id)
    used = competencies.competencies_used(filters)
    return render_template(
        "reports/engagement.html",
        e=engagement,
        filters=filters,
        isps=engagement.isps(),
        goals=tables.engagement_goals(engagement.id),
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
        deliverables=tables.deliverables([engagement.id]),
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
    rule = exports.engagement_rule(name)
    if rule is not None and filters.engagement is None:
        abort(404, description="This table is one engagement's: name it with engagement_id.")
    if filters.engagement is not None:
        engagement = policy.get_engagement(filters.engagement)  # one engagement's tables: 404 unless readable
        if rule not in (None, True) and not rule(current_user, engagement):
            abort(403)
    response = exports.csv_response(name, filters)
    if response is None:
        abort(404)
    return response


@bp.route("/engagements/<int:engagement_id>/tables.zip")
@login_required
def engagement_tables(engagement_id):
    """Every table of the printable report, one CSV each (exports.REPORT_TABLES), in one zip."""
    engagement = policy.get_engagement(engagement_id)
    filters = ReportFilters(user=current_user, engagement=engagement.id)
    return exports.bundle_response(exports.REPORT_TABLES, filters, f"engagement-{engagement.id}-tables-{today()}.zip")
