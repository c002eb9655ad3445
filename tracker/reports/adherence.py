"""Adherence (issue 19): planned against delivered support, per plan item, per engagement and across the
portfolio. One definition, used by the engagement page, the report page, its CSV and the API.

For each live plan item, read on `as_of` (today unless given):

- window: from the item's start to its end date, or to `as_of` while it has none or ends later
  (PlanItem.window). Planned sessions and minutes are PlanItem.planned_sessions() / planned_minutes():
  sessions_per_month x the months of the window, counted whole then part (tracker/models/plans.py).
- delivered sessions: the engagement's live (not deleted) meetings of any session kind, dated inside the
  window (both ends included), that logged the item's strategy.
- delivered minutes: that strategy's minutes in those meetings by the dose rule of
  tracker/reports/strategies.py (`_strategy_minutes`): the dose recorded for it in the meeting, else the
  meeting's minutes not covered by recorded doses, shared equally among its strategies without one.
- adherence = delivered sessions / planned sessions; minutes adherence = delivered / planned minutes.
  None (shown as "—") when nothing is planned yet, e.g. an item that starts today. It may exceed 100%.

Two items with the same strategy and overlapping windows each count the meetings in their own window: a
session in the overlap counts for both, as both planned it. An engagement's total (and the portfolio's)
sums its items' planned and delivered figures, and divides the sums.

The portfolio report takes the engagement-level filters of every report (ReportFilters.engagement_ids:
what the reader may see, narrowed by engagement, unit, model of support, ISP on the engagement and current
stage); its rows are the engagements in scope with at least one live plan item, lowest adherence first
(those with nothing planned yet last). Session kind and dates are not filters here: every session kind
counts, and the windows are the plan's own.

Queries do not grow with the number of items: the items (one query) and their delivered sessions and
minutes (one grouped query).
"""

from peewee import fn

from ..models import Engagement, Meeting, MeetingStrategy, PlanItem, Strategy, Unit, today
from .cache import cached, cached_by_arguments
from .filters import logged
from .strategies import _strategy_minutes

FIGURES = ("planned_sessions", "delivered_sessions", "planned_minutes", "delivered_minutes")


def ratio(done, planned):
    """delivered / planned, or None when nothing is planned (no division by zero, never a false 0%)."""
    return done / planned if planned else None


def _delivered(item_condition, as_of, logs="all"):
    """{plan item id: (delivered sessions, delivered minutes)} of the live items matching
    `item_condition`. One grouped query."""
    per_meeting, link_minutes = _strategy_minutes()
    rows = (
        PlanItem.select(PlanItem.id, fn.COUNT(Meeting.id.distinct()), fn.SUM(link_minutes))
        .join(Meeting, on=(Meeting.engagement == PlanItem.engagement))
        .join(
            MeetingStrategy,
            on=((MeetingStrategy.meeting == Meeting.id) & (MeetingStrategy.strategy == PlanItem.strategy)),
        )
        .join(per_meeting, on=(per_meeting.c.meeting_id == Meeting.id))
        .where(
            item_condition
            & PlanItem.deleted_at.is_null()
            & Meeting.deleted_at.is_null()
            & logged(Meeting, logs)
            & (Meeting.date >= PlanItem.start_date)
            & (Meeting.date <= as_of)
            & (PlanItem.end_date.is_null() | (Meeting.date <= PlanItem.end_date))
        )
        .group_by(PlanItem.id)
        .tuples()
    )
    return {item_id: (n, float(minutes or 0)) for item_id, n, minutes in rows}


def _item_row(item, delivered, as_of):
    sessions, minutes = delivered.get(item.id, (0, 0.0))
    planned_sessions, planned_minutes = item.planned_sessions(as_of), item.planned_minutes(as_of)
    return {
        "item": item.id,
        "strategy": item.strategy.key,
        "strategy_name": item.strategy.name,
        "frequency": item.frequency_label,
        "start_date": item.start_date,
        "end_date": item.end_date,
        "planned_sessions": planned_sessions,
        "delivered_sessions": sessions,
        "adherence": ratio(sessions, planned_sessions),
        "planned_minutes": planned_minutes,
        "delivered_minutes": minutes,
        "minutes_adherence": ratio(minutes, planned_minutes),
    }


def _total(rows):
    total = {name: sum(row[name] for row in rows) for name in FIGURES}
    total["adherence"] = ratio(total["delivered_sessions"], total["planned_sessions"])
    total["minutes_adherence"] = ratio(total["delivered_minutes"], total["planned_minutes"])
    return total


@cached_by_arguments
def engagement_adherence(engagement_id, as_of=None):
    """{"items": [{"item" (plan item id), "strategy" (catalog key), "strategy_name", "frequency",
    "start_date", "end_date", "planned_sessions", "delivered_sessions", "adherence", "planned_minutes",
    "delivered_minutes", "minutes_adherence"}], "total": {the same figures summed, and both adherences}}
    for one engagement's live plan items (by start date), or None when it has no plan. Two queries (one
    when it has no plan item). Called after the access check: the result does not depend on the reader."""
    as_of = as_of or today()
    items = PlanItem.of(engagement_id)
    if not items:
        return None
    delivered = _delivered(PlanItem.engagement == engagement_id, as_of)
    rows = [_item_row(item, delivered, as_of) for item in items]
    return {"items": rows, "total": _total(rows)}


def _lowest_first(row):
    return (row["adherence"] is None, row["adherence"] or 0, row["title"].lower(), row["engagement_id"])


@cached
def portfolio_adherence(filters, as_of=None):
    """{"rows": [{"engagement_id", "title", "unit", "items" (count), "plan": [item rows as in
    engagement_adherence], the figures and both adherences}] (engagements in scope with a plan, lowest
    adherence first), "total": {"engagements", "items", the figures and both adherences}}. Two queries."""
    as_of = as_of or today()
    in_scope = PlanItem.engagement.in_(filters.engagement_ids())
    items = list(
        PlanItem.select(PlanItem, Strategy, Engagement.id, Engagement.title, Unit.name)
        .join_from(PlanItem, Strategy)
        .join_from(PlanItem, Engagement)
        .join_from(Engagement, Unit)
        .where(in_scope & PlanItem.deleted_at.is_null())
        .order_by(PlanItem.start_date, Strategy.number, PlanItem.id)
    )
    delivered = _delivered(in_scope, as_of, filters.logs) if items else {}
    by_engagement = {}
    for item in items:
        e = item.engagement
        row = by_engagement.setdefault(e.id, {"engagement_id": e.id, "title": e.title, "unit": e.unit.name, "plan": []})
        row["plan"].append(_item_row(item, delivered, as_of))
    rows = [{**row, "items": len(row["plan"]), **_total(row["plan"])} for row in by_engagement.values()]
    rows.sort(key=_lowest_first)
    total = {"engagements": len(rows), "items": len(items), **_total(rows)}
    return {"rows": rows, "total": total}
