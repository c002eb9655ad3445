"""What the activity pages, the engagement page's "Between meetings" section, the API and the CSV read
of the work between meetings (models/activities.py): the live activities of an engagement, newest first,
each with its ISPs and tags (loaded for a whole page at once), minutes by kind, and minutes this month
and last month."""

import datetime as dt

from peewee import Case, fn

from ..models import ACTIVITY_KINDS, Activity, ActivityCompetency, ActivityISP, ActivityStrategy, User, today
from ..models.plans import add_months

RECENT_ACTIVITIES = 5  # the engagement page shows the latest five


def engagement_activities(engagement_id):
    """The query of an engagement's live activities, newest first (date, then the latest logged)."""
    return (
        Activity.live().where(Activity.engagement == engagement_id).order_by(Activity.date.desc(), Activity.id.desc())
    )


def as_row(activity):
    """An activity loaded by with_links as the row services.activities takes (ids for ISPs and tags): what
    an edit starts from, on the page and in the API."""
    return {
        "date": activity.date,
        "kind": activity.kind,
        "minutes": activity.minutes,
        "notes": activity.notes,
        "isps": [u.id for u in activity.isps],
        "strategies": [s["id"] for s in activity.strategies],
        "competencies": [c["id"] for c in activity.competencies],
    }


def with_links(activities):
    """The activities (a list) each with `isps` [User], `strategies` and `competencies`
    [{"id", "key", "name"}] set; three queries for the whole list."""
    activities = list(activities)
    ids = [a.id for a in activities] or [0]
    isps, strategies, competencies = {}, {}, {}
    for link in (
        ActivityISP.select(ActivityISP, User)
        .join(User)
        .where(ActivityISP.activity.in_(ids))
        .order_by(User.name, User.id)
    ):
        isps.setdefault(link.activity_id, []).append(link.user)
    for links, model, column in (
        (strategies, ActivityStrategy, "strategy"),
        (competencies, ActivityCompetency, "competency"),
    ):
        target = getattr(model, column).rel_model
        query = model.select(model, target).join(target).where(model.activity.in_(ids)).order_by(model.label, model.id)
        for link in query:
            row = getattr(link, column)
            links.setdefault(link.activity_id, []).append({"id": row.id, "key": row.key, "name": link.label})
    for a in activities:
        a.isps = isps.get(a.id, [])
        a.strategies = strategies.get(a.id, [])
        a.competencies = competencies.get(a.id, [])
    return activities


def minutes_by_kind(engagement_id):
    """[{"key", "name", "activities", "minutes"}] for every kind with live activities, in the kinds' order,
    and the total: {"kinds": [...], "activities": n, "minutes": n}."""
    rows = {
        kind: (n, minutes)
        for kind, n, minutes in Activity.select(Activity.kind, fn.COUNT(Activity.id), fn.SUM(Activity.minutes))
        .where((Activity.engagement == engagement_id) & Activity.deleted_at.is_null())
        .group_by(Activity.kind)
        .tuples()
    }
    kinds = [
        {"key": key, "name": name, "activities": rows[key][0], "minutes": int(rows[key][1] or 0)}
        for key, name in ACTIVITY_KINDS
        if key in rows
    ]
    return {
        "kinds": kinds,
        "activities": sum(k["activities"] for k in kinds),
        "minutes": sum(k["minutes"] for k in kinds),
    }


def glance(engagement_id, as_of=None):
    """The engagement page's section: {"this_month", "last_month" (minutes), "month", "previous" (the first
    days of both months), "recent": the latest RECENT_ACTIVITIES with their links, "total": how many live
    activities}. Five queries, whatever the data."""
    as_of = as_of or today()
    month = dt.date(as_of.year, as_of.month, 1)
    previous, following = add_months(month, -1), add_months(month, 1)
    date = Activity.date

    def minutes_in(start, end):
        return fn.COALESCE(fn.SUM(Case(None, [((date >= start) & (date < end), Activity.minutes)], 0)), 0)

    total, this_month, last_month = (
        Activity.select(fn.COUNT(Activity.id), minutes_in(month, following), minutes_in(previous, month))
        .where((Activity.engagement == engagement_id) & Activity.deleted_at.is_null())
        .tuples()
        .get()
    )
    return {
        "month": month,
        "previous": previous,
        "this_month": int(this_month or 0),
        "last_month": int(last_month or 0),
        "recent": with_links(engagement_activities(engagement_id).limit(RECENT_ACTIVITIES)),
        "total": int(total or 0),
    }


def csv_rows(engagement_ids):
    """The rows of the `activities` export: the live activities of the engagements (a subquery of ids),
    newest first, each with its ISPs and tags."""
    query = (
        Activity.live()
        .where(Activity.engagement.in_(engagement_ids))
        .order_by(Activity.date.desc(), Activity.id.desc())
    )
    return with_links(query)
