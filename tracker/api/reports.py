"""Reports as JSON: the same report functions and filters as the report pages."""

import datetime as dt
import decimal

from flask import jsonify, request
from peewee import Model

from .. import policy
from ..models import User
from ..reports import competencies, portfolio, progress, strategies
from ..reports import feedback as feedback_reports
from ..reports.filters import ReportFilters, parse_id
from .common import bp, caller, error, page_args


def _key(key):
    if isinstance(key, (dt.date, dt.datetime)):
        return key.isoformat()
    if isinstance(key, tuple):
        return "-".join(str(part) for part in key)
    return str(key)


def jsonable(value):
    """Report data (dicts, lists, dates, numbers, rows) as plain JSON values."""
    if isinstance(value, dict):
        return {_key(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, User):
        return {"id": value.id, "name": value.name}
    if isinstance(value, Model):
        out = {"id": value._pk}
        for name in ("key", "name", "title", "status", "text"):
            if name in value._meta.fields:
                out[name] = jsonable(getattr(value, name))
        return out
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _filters():
    filters = ReportFilters.from_args(request.args, caller())
    if filters.errors:
        error(400, "Some filters are not valid.", dict(filters.errors))
    return filters


def _answer(**data):
    return jsonify(jsonable(data))


def _paged(items):
    """(that page's items, {"page", "per_page", "total"}) of the report's one list that grows with the
    portfolio, answered as the resource lists are: a page past the end is empty, not the last one."""
    page, per_page = page_args()
    return items[(page - 1) * per_page : page * per_page], {"page": page, "per_page": per_page, "total": len(items)}


@bp.get("/reports/portfolio")
def report_portfolio():
    data = portfolio.dashboard(_filters())
    data["attention"], paging = _paged(data["attention"])
    return _answer(data=data, **paging)


@bp.get("/reports/competencies")
def report_competencies():
    filters = _filters()
    page, per_page = page_args()
    data, monthly = competencies.report(filters)
    isps = competencies.by_isp(filters, page=page, per_page=per_page)  # counts for that page's ISPs only
    listed = isps.pop("page")
    if listed.number != page:  # past the end: by_isp answers the last page, the API an empty one
        isps["isps"] = []
    return _answer(data=data, monthly=monthly, isps=isps, page=page, per_page=per_page, total=listed.total)


@bp.get("/reports/strategies")
def report_strategies():
    filters = _filters()
    between = strategies.between_monthly(filters)
    between["by_engagement"], paging = _paged(between["by_engagement"])
    return _answer(data=strategies.strategies_used(filters), dose=strategies.dose(filters), between=between, **paging)


@bp.get("/reports/progress")
def report_progress():
    filters = _filters()
    data = progress.progress(filters)
    if filters.engagement and data is None:
        error(404, "No such engagement.")
    if "rows" not in data:  # one engagement: nothing to page
        return _answer(data=data)
    data["rows"], paging = _paged(data["rows"])
    return _answer(data=data, **paging)


@bp.get("/reports/feedback")
def report_feedback():
    engagement_id = parse_id(request.args.get("engagement"))
    if engagement_id is None:
        error(400, "Give the engagement: ?engagement=<id>.", {"engagement": "Give an engagement id."})
    period = request.args.get("period") or "quarter"
    if period not in ("quarter", "month"):
        error(400, "Unknown period.", {"period": "Choose one of: quarter, month."})
    e = policy.get_engagement(engagement_id, user=caller())
    return _answer(
        engagement_id=e.id,
        min_responses=feedback_reports.MIN_RESPONSES,
        **feedback_reports.engagement_report(e.id, period),
    )
