"""The ISPs' workload (issue 22): who carries what, against the monthly capacity an admin sets.

Definitions (one each, used by the Team report, its CSV, the API and the co-lead picker at triage):
- Window: `start` to `end` (default: the first day of the month five months before `end`'s, to today:
  six calendar months, the current one included).
- Engagements led / supporting: the live engagements an ISP co-leads / supports that overlap the window
  (started on or before its end, and not closed before its start), counted apart.
- Minutes: the live meetings of live engagements in the window that the ISP took part in (attended or
  logged, as the report filters define taking part: each meeting counts once for each ISP, in full),
  plus the live activities between meetings that list the ISP (in full for each ISP listed).
  `minutes_by_month` splits them by calendar month ("YYYY-MM"), every month of the window listed.
- Capacity: the ISP's monthly capacity in minutes (None: not set); `load` = the average minutes a month
  over the window's months / capacity (None without a capacity).
- Overdue: next steps (not done, due before today) and deliverables (not delivered, due before today)
  of the live engagements the ISP co-leads or supports.

Whose workload a user reads is policy.workload_isps(user). Seven queries whatever the number of ISPs.
"""

import datetime as dt

from peewee import JOIN, fn

from .. import policy
from ..models import (
    Activity,
    ActivityISP,
    Deliverable,
    Engagement,
    EngagementISP,
    Meeting,
    NextStep,
    User,
    today,
)
from .filters import logged, month_of, month_range, took_part

WINDOW_MONTHS = 6
# How full an ISP is: the load (average minutes a month / monthly capacity) from which the Team report and
# the co-lead picker call them near or over capacity; below NEAR_CAPACITY they have room.
NEAR_CAPACITY = 0.8
OVER_CAPACITY = 1.0
LOAD_BANDS = {
    "room": "Room",
    "near": "Near capacity",
    "over": "Over capacity",
    None: "No capacity set",
}


def load_band(load):
    """The key of LOAD_BANDS for a load (None: no capacity set)."""
    if load is None:
        return None
    if load > OVER_CAPACITY:
        return "over"
    return "near" if load >= NEAR_CAPACITY else "room"


def hours_text(minutes):
    """Minutes as hours for a sentence: whole hours bare, else one decimal ("14", "0.4")."""
    return f"{(minutes or 0) / 60:.1f}".removesuffix(".0")


def picker_label(row):
    """An ISP's option in the co-lead picker: "Ada Lovelace — co-leads 2, supports 1 · 14 h/month of 40 h"
    (a row of workload(): the window's engagements and its average a month against the capacity)."""
    hours = f"{hours_text(row['average_minutes'])} h/month"
    capacity = row["capacity_minutes"]
    load = f"{hours} of {hours_text(capacity)} h" if capacity else f"{hours}, no capacity set"
    return f"{row['name']} — co-leads {row['engagements_led']}, supports {row['engagements_supporting']} · {load}"


def default_window(end=None):
    """(start, end): six calendar months up to `end` (default today), the current month included."""
    end = end or today()
    year, month = end.year, end.month - (WINDOW_MONTHS - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1), end


def window_problem(start, end):
    """Why the window `start`..`end` (None: the default's) is empty, or None: a start after the end (the end
    is today unless given)."""
    start, end = start or default_window(end)[0], end or today()
    if start > end:
        return "The start date cannot be after the end date (today when none is given)."
    return None


def window_months(start, end):
    """Every 'YYYY-MM' from `start`'s month to `end`'s."""
    return month_range([start.strftime("%Y-%m"), end.strftime("%Y-%m")])


def _overlapping(start, end):
    """Live engagements overlapping [start, end]."""
    return (
        Engagement.deleted_at.is_null()
        & (Engagement.start_date <= end)
        & ((Engagement.status != "closed") | Engagement.end_date.is_null() | (Engagement.end_date >= start))
    )


def _meeting_minutes(isp_ids, start, end, logs="all"):
    part = took_part(isp_ids)
    month = month_of(Meeting.date)
    query = (
        Meeting.select(part.c.user_id, month.alias("month"), fn.SUM(Meeting.duration_minutes))
        .join(part, on=part.c.meeting_id == Meeting.id)
        .join(Engagement, on=Engagement.id == Meeting.engagement)
        .where(
            Meeting.deleted_at.is_null()
            & logged(Meeting, logs)
            & Engagement.deleted_at.is_null()
            & (Meeting.date >= start)
            & (Meeting.date <= end)
        )
        .group_by(part.c.user_id, month)
    )
    return query.tuples()


def _activity_minutes(isp_ids, start, end, logs="all"):
    month = month_of(Activity.date)
    return (
        ActivityISP.select(ActivityISP.user, month.alias("month"), fn.SUM(Activity.minutes))
        .join(Activity, on=Activity.id == ActivityISP.activity)
        .join(Engagement, on=Engagement.id == Activity.engagement)
        .where(
            ActivityISP.user.in_(isp_ids)
            & Activity.deleted_at.is_null()
            & logged(Activity, logs)
            & Engagement.deleted_at.is_null()
            & (Activity.date >= start)
            & (Activity.date <= end)
        )
        .group_by(ActivityISP.user, month)
        .tuples()
    )


def _overdue(model, done_column, isp_ids, on):
    """{user_id: count} of `model` rows (next steps, deliverables) overdue on `on` on the ISPs' engagements."""
    query = model.select(EngagementISP.user, fn.COUNT(fn.DISTINCT(model.id)))
    if model is NextStep:
        query = query.join(Meeting, on=Meeting.id == NextStep.meeting).where(Meeting.deleted_at.is_null())
        engagement_column = Meeting.engagement
    else:
        engagement_column = model.engagement
    query = (
        query.join(Engagement, on=Engagement.id == engagement_column)
        .join(EngagementISP, on=EngagementISP.engagement == Engagement.id)
        .where(
            EngagementISP.user.in_(isp_ids)
            & Engagement.deleted_at.is_null()
            & model.deleted_at.is_null()
            & done_column.is_null()
            & (model.due_on < on)
        )
        .group_by(EngagementISP.user)
    )
    return dict(query.tuples())


def workload(user, start=None, end=None, isp_ids=None, logs="all"):
    """{"start", "end", "months": ["YYYY-MM"], "isps": [{"id", "name", "engagements_led",
    "engagements_supporting", "minutes", "meeting_minutes", "activity_minutes", "capacity_minutes",
    "minutes_by_month": {"YYYY-MM": minutes}, "average_minutes", "load", "overdue_next_steps",
    "overdue_deliverables"}]}: the ISPs `user` may read (narrowed to `isp_ids` when given), by name. `logs`: which
    logs the minutes count (filters.logged)."""
    default_start, default_end = default_window(end)
    start, end = start or default_start, end or default_end
    months = window_months(start, end)
    people = policy.workload_isps(user).select(User.id, User.name, User.capacity_minutes)
    if isp_ids is not None:
        people = people.where(User.id.in_(list(isp_ids) or [0]))
    people = list(people.order_by(User.name, User.id).tuples())
    ids = [row[0] for row in people]
    if not ids:
        return {"start": start, "end": end, "months": months, "isps": []}
    roles = (
        EngagementISP.select(EngagementISP.user, EngagementISP.role, fn.COUNT(fn.DISTINCT(Engagement.id)))
        .join(Engagement, JOIN.INNER, on=Engagement.id == EngagementISP.engagement)
        .where(EngagementISP.user.in_(ids) & _overlapping(start, end))
        .group_by(EngagementISP.user, EngagementISP.role)
        .tuples()
    )
    counts = {(uid, role): n for uid, role, n in roles}
    meeting = {(uid, month): int(total or 0) for uid, month, total in _meeting_minutes(ids, start, end, logs)}
    activity = {(uid, month): int(total or 0) for uid, month, total in _activity_minutes(ids, start, end, logs)}
    on = today()
    steps = _overdue(NextStep, NextStep.done_on, ids, on)
    deliverables = _overdue(Deliverable, Deliverable.delivered_on, ids, on)
    rows = []
    for uid, name, capacity in people:
        by_month = {m: meeting.get((uid, m), 0) + activity.get((uid, m), 0) for m in months}
        meeting_minutes = sum(meeting.get((uid, m), 0) for m in months)
        activity_minutes = sum(activity.get((uid, m), 0) for m in months)
        minutes = meeting_minutes + activity_minutes
        average = round(minutes / len(months)) if months else 0
        rows.append(
            {
                "id": uid,
                "name": name,
                "engagements_led": counts.get((uid, "co_lead"), 0),
                "engagements_supporting": counts.get((uid, "supporting"), 0),
                "minutes": minutes,
                "meeting_minutes": meeting_minutes,
                "activity_minutes": activity_minutes,
                "capacity_minutes": capacity,
                "minutes_by_month": by_month,
                "average_minutes": average,
                "load": round(average / capacity, 4) if capacity else None,
                "overdue_next_steps": steps.get(uid, 0),
                "overdue_deliverables": deliverables.get(uid, 0),
            }
        )
    return {"start": start, "end": end, "months": months, "isps": rows}
