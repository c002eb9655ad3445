"""Coverage of every unit (issue 23): the units no one is supporting, on the portfolio dashboard.

A unit is listed when it had no live logged meeting and no live logged activity (work between meetings; a
draft is not logged) in any engagement the user may see for the setting coverage_days (else the COVERAGE_DAYS
config, default 90) up to today, or never. Its reasons:
- "no_contact": no meeting or activity in the window (or none ever);
- "declined", "withdrawn", "waiting": a support request of the unit that was declined, withdrawn, or is
  still waiting in triage (submitted, more information requested), with no engagement started from it.
The units considered are those of the organizations the user's portfolio serves (the organizations of the
units of the engagements and requests the user sees), narrowed to the units the user may see
(policy.visible_units): a leader reads their own portfolio only. Last contact: the unit's latest
meeting or activity date, or None. Four queries whatever the data.
"""

import datetime as dt

from flask import current_app
from peewee import fn

from .. import policy
from ..dates import format_date
from ..models import Activity, Engagement, Meeting, Organization, Setting, SupportRequest, Unit, today
from .filters import logged

DEFAULT_DAYS = 90
REQUEST_REASONS = {
    "declined": "declined",
    "withdrawn": "withdrawn",
    "submitted": "waiting",
    "info_requested": "waiting",
}


def coverage_days():
    """The days of the window: the setting when an administrator chose it, else the COVERAGE_DAYS config."""
    chosen = Setting.stored("coverage_days")
    if chosen is not None:
        return chosen
    return int(current_app.config.get("COVERAGE_DAYS") or DEFAULT_DAYS)


def _last_contacts(user):
    """{unit id: the latest live meeting or activity date} over the engagements `user` sees."""
    engagements = policy.visible_engagements(user).select(Engagement.id)
    last = {}
    for model in (Meeting, Activity):
        rows = (
            model.select(Engagement.unit, fn.MAX(model.date))
            .join(Engagement, on=(model.engagement == Engagement.id))
            .where(model.deleted_at.is_null() & logged(model) & Engagement.id.in_(engagements))
            .group_by(Engagement.unit)
            .tuples()
        )
        for unit_id, day in rows:
            day = dt.date.fromisoformat(day) if isinstance(day, str) else day  # SQLite's MAX gives text
            if unit_id not in last or day > last[unit_id]:
                last[unit_id] = day
    return last


def uncovered_units(user, as_of=None, days=None):
    """[{"unit_id", "unit", "organization", "last_contact", "reasons": [{"key", "text"}]}], the units with
    no contact longest first (never first), then by organization and unit."""
    as_of = as_of or today()
    days = days or coverage_days()
    since = as_of - dt.timedelta(days=days)
    requests = policy.visible_requests(user)
    served = Unit.select(Unit.organization).where(
        Unit.id.in_(policy.visible_engagements(user).select(Engagement.unit))
        | Unit.id.in_(requests.select(SupportRequest.unit))
    )
    units = list(
        policy.visible_units(user, Unit.select(Unit, Organization).join(Organization))
        .where(Unit.organization.in_(served))
        .order_by(Organization.name, Unit.name)
    )
    last = _last_contacts(user)
    quiet = {u.id: u for u in units if last.get(u.id) is None or last[u.id] < since}
    rows = {
        unit_id: {
            "unit_id": unit_id,
            "unit": u.name,
            "organization": u.organization.name,
            "last_contact": last.get(unit_id),
            "reasons": [
                {
                    "key": "no_contact",
                    "text": f"No meeting or activity in {days} days"
                    if unit_id in last
                    else "No meeting or activity yet",
                }
            ],
        }
        for unit_id, u in quiet.items()
    }
    unanswered = requests.where(
        SupportRequest.unit.in_(list(quiet) or [0])
        & SupportRequest.status.in_(list(REQUEST_REASONS))
        & SupportRequest.id.not_in(Engagement.select(Engagement.request).where(Engagement.request.is_null(False)))
    ).order_by(SupportRequest.created_at, SupportRequest.id)
    for r in unanswered:
        key = REQUEST_REASONS[r.status]
        when = format_date((r.decided_at or r.created_at).date())
        text = {
            "declined": f"Request “{r.title}” declined on {when}",
            "withdrawn": f"Request “{r.title}” of {format_date(r.created_at.date())} withdrawn",
            "waiting": f"Request “{r.title}” of {when} still waiting, no engagement",
        }[key]
        rows[r.unit_id]["reasons"].append({"key": key, "text": text, "request_id": r.id})
    return sorted(
        rows.values(),
        key=lambda row: (row["last_contact"] or dt.date.min, row["organization"], row["unit"]),
    )
