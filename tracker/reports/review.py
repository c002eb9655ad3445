"""The "logged on time" figure (issue 23): the share of meetings whose log was submitted within N working days
of the meeting, by ISP (the log's author) and month (of the meeting's date). One definition, read by the
page (/reports/on-time), its CSV (exports "on-time"), the portfolio dashboard's tile and the API.

For each meeting in scope (not deleted, of a visible engagement, matching the report filters; in any review
state: a draft is a log not submitted yet) the due date is the Nth working day (Monday to Friday) after the
meeting's date, N = the setting `on_time_days` (default 5):
- on time: first submitted (the UTC date of `submitted_at`) on or before the due date;
- late: submitted after it, or not submitted and today is past it;
- pending: not submitted and not yet due; not counted.
The figure is on time / (on time + late); None when nothing is counted.

An ISP who may not read the workload of others (policy.can_read_workload) reads their own row only.
"""

import datetime as dt
from collections import defaultdict

from peewee import Case, fn

from .. import policy
from ..dates import add_working_days
from ..models import Meeting, Setting, User, today
from .filters import day_of, month_label, month_of, month_range, shifted_by_weekday

OUTCOMES = ("on_time", "late", "pending")


def due_on(column, days):
    """SQL: the due date of a meeting held on the date `column`, add_working_days(day, days). How many days
    later that is depends on the weekday alone, so add_working_days works out the seven offsets."""
    monday = dt.date(2024, 1, 1)
    week = [monday + dt.timedelta(days=w) for w in range(7)]
    return shifted_by_weekday(column, [(add_working_days(day, days) - day).days for day in week])


def outcome(days, as_of):
    """SQL: "on_time", "late" or "pending" for a meeting due `days` working days after its date, first
    submitted at `submitted_at` (UTC; NULL: never submitted), on `as_of`."""
    due = due_on(Meeting.date, days)
    submitted = Meeting.submitted_at.is_null(False)
    return Case(
        None,
        [(submitted & (day_of(Meeting.submitted_at) <= due), "on_time"), (submitted | (due < as_of), "late")],
        "pending",
    )


def _tally(counts=None):
    counts = counts or {}
    out = {name: counts.get(name, 0) for name in OUTCOMES}
    counted = out["on_time"] + out["late"]
    out["share"] = round(out["on_time"] / counted, 4) if counted else None
    return out


def last_full_months(as_of=None, months=3):
    """(first day, last day) of the `months` calendar months before `as_of`'s month."""
    as_of = as_of or today()
    end = as_of.replace(day=1) - dt.timedelta(days=1)
    start = end.replace(day=1)
    for _ in range(months - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return start, end


def on_time(filters, as_of=None):
    """{"days": N, "months": [{"key", "label", **tally}], "isps": [{"id", "name", "months": {key: tally},
    **tally}], "total": tally}; a tally is {"on_time", "late", "pending", "share"}. ISPs by name, months in
    order (gaps filled). One query, counted in SQL by ISP, month and outcome."""
    as_of = as_of or today()
    days = Setting.value_of("on_time_days")
    cond = filters.meeting_condition(any_state=True) & Meeting.logged_by.is_null(False)
    if not policy.can_read_workload(filters.user):
        cond &= Meeting.logged_by == filters.user.id
    month, result = month_of(Meeting.date), outcome(days, as_of)
    rows = (
        Meeting.select(User.id, User.name, month, result, fn.COUNT(Meeting.id))
        .join(User, on=(Meeting.logged_by == User.id))
        .where(cond)
        .group_by(User.id, User.name, month, result)
        .tuples()
    )
    cells, names = {}, {}
    for uid, name, key_month, key_outcome, n in rows:
        names[uid] = name
        cells.setdefault((uid, key_month), dict.fromkeys(OUTCOMES, 0))[key_outcome] += n
    of_month, of_isp = defaultdict(list), defaultdict(list)
    for key in cells:
        of_isp[key[0]].append(key)
        of_month[key[1]].append(key)

    def summed(keys):
        total = dict.fromkeys(OUTCOMES, 0)
        for key in keys:
            for name in OUTCOMES:
                total[name] += cells[key][name]
        return total

    months = month_range({m for _uid, m in cells})
    isps = sorted(names, key=lambda uid: (names[uid].lower(), uid))
    return {
        "days": days,
        "months": [{"key": m, "label": month_label(m), **_tally(summed(of_month[m]))} for m in months],
        "isps": [
            {
                "id": uid,
                "name": names[uid],
                "months": {m: _tally(cells.get((uid, m))) for m in months},
                **_tally(summed(of_isp[uid])),
            }
            for uid in isps
        ],
        "total": _tally(summed(cells)),
    }


def csv_rows(data):
    """The table as CSV rows (months as YYYY-MM): each ISP by month, then each ISP's total, then each month's
    total, then all."""
    header = ["ISP", "Month", "On time", "Late", "Not yet due", "Share on time"]
    rows = []

    def row(isp, month, tally):
        rows.append([isp, month, tally["on_time"], tally["late"], tally["pending"], tally["share"]])

    for isp in data["isps"]:
        for m in data["months"]:
            if any(isp["months"][m["key"]][name] for name in OUTCOMES):
                row(isp["name"], m["key"], isp["months"][m["key"]])
        row(isp["name"], "All months", isp)
    for m in data["months"]:
        row("All ISPs", m["key"], m)
    row("All ISPs", "All months", data["total"])
    return header, rows
