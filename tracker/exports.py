"""CSV files, all written here: a registry of named exports, each computed by the report functions with
the filters applied, written as UTF-8 with a byte-order mark (so spreadsheets pick the encoding) and
sent as an attachment; the engagement feedback CSV (`plain_csv_response`); the research export's files
(tracker/research.py), on disk.

Formula injection: every CSV the app writes goes through `write_rows`, where a text cell starting with
=, +, -, @ (or a tab / carriage return) is prefixed with an apostrophe, so a spreadsheet shows it as
text instead of running it. Numbers are written as numbers.

Files on disk (research exports, backups: tracker/backup.py) are created by `create_private`: readable
and writable by their owner only (0600), whatever the umask, since they hold people's data.
"""

import csv
import datetime as dt
import io
import os
import zipfile

from flask import Response, abort, has_request_context, request, send_file

from . import policy
from .forms.admin import UserFilterForm
from .models import Engagement, Goal, Meeting, Modification, OutboxMessage, PlanItem, today
from .reports import activities as activities_report
from .reports import (
    adherence,
    competencies,
    context,
    cost,
    coverage,
    engagement_list,
    journey,
    next_steps_due,
    portfolio,
    power,
    progress,
    review,
    strategies,
    tables,
    workload,
)
from .reports import feedback as feedback_reports
from .reports.filters import parse_id
from .services import admin as admin_service
from .services import engagements as engagement_service
from .services import feedback as feedback_service
from .services import parts as parts_service

EXPORTS = {}
# The one Content-Type of every CSV response, set whole: Flask adds "; charset=utf-8" to a text/* mimetype,
# so a mimetype that already names the charset was sent with it twice.
CSV_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export(name, title, allowed=None, engagement=None):
    """Register `function(filters) -> (header, rows)` as the export `name`; `allowed`: a policy rule of the
    user when only some readers may download it (the cost: policy.can_see_cost); `engagement`: the export is
    one engagement's table (`engagement_id` required, 404 unless its page may be read): True, or a policy rule
    of (user, engagement) that its page checks too (403 when it refuses)."""

    def register(function):
        EXPORTS[name] = {"name": name, "title": title, "rows": function, "allowed": allowed, "engagement": engagement}
        return function

    return register


def may_download(name, user):
    """False when the export `name` is one the user may not download (unknown names: True, then 404)."""
    rule = EXPORTS.get(name, {}).get("allowed")
    return rule is None or bool(rule(user))


def engagement_rule(name):
    """None when the export `name` is not one engagement's table; else True or its (user, engagement) rule."""
    return EXPORTS.get(name, {}).get("engagement")


def cell(value):
    """One CSV cell: dates as ISO, None empty, text escaped against formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_rows(out, rows):
    """The one CSV writer: `rows` (the header first) written to the text stream `out`, every cell
    through `cell` (formula escaping), lines ended with CRLF (RFC 4180)."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([cell(v) for v in row] for row in rows)


PRIVATE_MODE = 0o600


def create_private(path):
    """Create the new file `path` readable and writable by its owner only (0600, whatever the umask);
    refuses an existing file (FileExistsError). Returns a file descriptor open for writing."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    os.fchmod(fd, PRIVATE_MODE)  # a umask can only take bits away, but be explicit
    return fd


def write_csv_file(path, rows):
    """`rows` (the header first) as a new UTF-8 CSV file at `path`, created 0600 (create_private)."""
    with open(create_private(path), "w", newline="", encoding="utf-8") as fh:
        write_rows(fh, rows)


def to_csv(header, rows):
    """The CSV text (UTF-8 with BOM, as bytes) of a header and rows."""
    out = io.StringIO()
    write_rows(out, [header, *rows])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def csv_response(name, filters):
    """The named export as a download, or None when there is no such export."""
    spec = EXPORTS.get(name)
    if spec is None:
        return None
    header, rows = spec["rows"](filters)
    filename = f"{name}-{today().isoformat()}.csv"
    response = send_file(io.BytesIO(to_csv(header, rows)), as_attachment=True, download_name=filename, max_age=0)
    response.content_type = CSV_TYPE
    return response


def plain_csv_response(rows, filename):
    """Rows (the header first) as a CSV download without a byte-order mark, through the one writer
    (formula escaping). The engagement feedback CSV is sent this way (reports/feedback.csv_rows)."""
    out = io.StringIO()
    write_rows(out, rows)
    return Response(
        out.getvalue(),
        content_type=CSV_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- the exports -------------------------------------------------------------------------------------


@export("competencies", "Competencies used")
def _competencies(filters):
    data = competencies.competencies_used(filters)
    framework = data["framework"]["short_name"] if data["framework"] else ""
    header = ["framework", "level", "key", "name", "domain", "meetings", "total_meetings", "share", "activities"]
    rows = [
        [
            framework,
            "domain",
            d["key"],
            d["name"],
            "",
            d["meetings"],
            data["total_meetings"],
            d["share"],
            d["activities"],
        ]
        for d in data["domains"]
    ]
    rows += [
        [
            framework,
            "competency",
            c["key"],
            c["name"],
            c["domain"],
            c["meetings"],
            data["total_meetings"],
            c["share"],
            c["activities"],
        ]
        for c in data["competencies"]
    ]
    return header, rows


@export("competencies-by-month", "Competencies used by month")
def _competencies_by_month(filters):
    data = competencies.over_time(filters)
    header = ["month", "level", "key", "name", "meetings", "month_meetings", "activities", "month_activities"]
    rows = []
    for i, month in enumerate(data["months"]):
        for level, items in (("domain", data["domains"]), ("competency", data["competencies"])):
            rows += [
                [
                    month["key"],
                    level,
                    x["key"],
                    x["name"],
                    x["meetings"][i],
                    month["meetings"],
                    x["activities"][i],
                    month["activities"],
                ]
                for x in items
            ]
    return header, rows


@export("competencies-by-isp", "Competencies used by ISP")
def _competencies_by_isp(filters):
    data = competencies.by_isp(filters)
    isps = data["isps"]
    if not policy.can_see_unused_competencies(filters.user):
        isps = competencies.without_unused(isps)
    header = ["isp", "isp_meetings", "competency_key", "competency", "meetings_used"]
    rows = [
        [isp["name"], isp["meetings"], c["key"], c["name"], isp["counts"][c["key"]]]
        for isp in isps
        for c in data["competencies"]
        if c["key"] in isp["counts"]
    ]
    return header, rows


@export("strategies", "Strategies used")
def _strategies(filters):
    data = strategies.strategies_used(filters)
    header = [
        "level",
        "number",
        "key",
        "name",
        "cluster",
        "meetings",
        "total_meetings",
        "share",
        "minutes",
        "activities",
        "activity_minutes",
    ]
    rows = [
        [
            "cluster",
            c["number"],
            c["key"],
            c["name"],
            "",
            c["meetings"],
            data["total_meetings"],
            c["share"],
            c["minutes"],
            c["activities"],
            c["activity_minutes"],
        ]
        for c in data["clusters"]
    ]
    rows += [
        [
            "strategy",
            s["number"],
            s["key"],
            s["name"],
            s["cluster"],
            s["meetings"],
            data["total_meetings"],
            s["share"],
            s["minutes"],
            s["activities"],
            s["activity_minutes"],
        ]
        for s in data["strategies"]
    ]
    return header, rows


@export("dose", "Minutes of support")
def _dose(filters):
    data = strategies.dose(filters)
    header = ["by", "key", "name", "meetings", "minutes", "activities", "activity_minutes"]
    rows = [
        ["month", m["key"], m["label"], m["meetings"], m["minutes"], m["activities"], m["activity_minutes"]]
        for m in data["by_month"]
    ]
    for by in ("stage", "mode", "kind"):  # sessions only
        rows += [[by, r["key"] or "", r["name"], r["meetings"], r["minutes"], "", ""] for r in data[f"by_{by}"]]
    rows.append(
        [
            "total",
            "",
            "All sessions and the work between meetings",
            data["total_meetings"],
            data["total_minutes"],
            data["total_activities"],
            data["total_activity_minutes"],
        ]
    )
    return header, rows


@export("sessions-between-monthly", "Sessions between monthly meetings")
def _between(filters):
    data = strategies.between_monthly(filters)
    header = ["engagement", "monthly_meetings", "sessions_between", "average"]
    rows = [[r["title"], r["intervals"], r["sessions"], r["average"]] for r in data["by_engagement"]]
    rows.append(["All engagements", data["intervals"], data["sessions"], data["average"]])
    return header, rows


@export("progress", "Progress: stages")
def _progress(filters):
    data = progress.progress(filters)
    if data is None:
        return ["stage"], []
    if filters.engagement:
        header = [
            "engagement",
            "stage",
            "name",
            "entered_on",
            "days",
            "visits",
            "benchmarks_total",
            "benchmarks_completed",
            "proportion",
            "sic_duration",
        ]
        rows = [
            [
                data["engagement"]["title"],
                s["key"],
                s["name"],
                s["entered_on"],
                s["days"],
                s["visits"],
                s["benchmarks_total"],
                s["benchmarks_completed"],
                s["proportion"],
                s["sic_duration"],
            ]
            for s in data["stages"]
        ]
        return header, rows
    header = [
        "stage",
        "name",
        "engagements_entered",
        "entries",
        "revisits",
        "current",
        "days",
        "mean_days",
        "benchmarks_total",
        "benchmarks_completed",
        "proportion",
        "furthest_stage_of",
        "mean_sic_duration",
    ]
    furthest = {f["key"]: f["engagements"] for f in data["furthest"]}
    rows = [
        [
            s["key"],
            s["name"],
            s["engagements"],
            s["entries"],
            s["revisits"],
            s["current"],
            s["days"],
            s["mean_days"],
            s["benchmarks_total"],
            s["benchmarks_completed"],
            s["proportion"],
            furthest[s["key"]],
            s["mean_sic_duration"],
        ]
        for s in data["stages"]
    ]
    return header, rows


@export("context", "Context: barriers and facilitators by CFIR domain")
def _context(filters):
    data = context.context_across(filters)
    header = ["unit", "cfir_domain", "domain_name", "barriers", "facilitators", "total"]
    rows = [["all", d["key"], d["name"], d["barriers"], d["facilitators"], d["total"]] for d in data["domains"]]
    names = {d["key"]: d["name"] for d in data["domains"]}
    for unit in data["units"]:
        rows += [
            [unit["name"], key, names[key], c["barriers"], c["facilitators"], c["total"]]
            for key, c in unit["domains"].items()
        ]
    return header, rows


@export("progress-timeline", "Progress: stage timeline")
def _timeline(filters):
    data = progress.engagement_progress(filters) if filters.engagement else None
    header = ["stage", "name", "entered_on", "left_on", "days", "revisit"]
    if data is None:
        return header, []
    return header, [
        [t["key"], t["name"], t["entered_on"], t["left_on"], t["days"], t["revisit"]] for t in data["timeline"]
    ]


@export("goals", "Goals by status and status changes by month")
def _goals(filters):
    data = progress.progress(filters)
    header = ["month", "status", "goals"]
    if data is None:
        return header, []
    goals = data["goals"]
    rows = [["current", status, n] for status, n in goals["by_status"].items()]
    for i, month in enumerate(goals["transitions"]["months"]):
        rows += [[month["key"], status, counts[i]] for status, counts in goals["transitions"]["by_status"].items()]
    return header, rows


@export("dashboard", "Portfolio dashboard")
def _dashboard(filters):
    data = portfolio.dashboard(filters)
    header = ["section", "key", "name", "value"]
    rows = [["active engagements", "total", "All active engagements", data["active"]["total"]]]
    rows += [["active engagements by unit", u["id"], u["name"], u["engagements"]] for u in data["active"]["by_unit"]]
    rows += [
        ["active engagements by stage", s["key"] or "", s["name"], s["engagements"]] for s in data["active"]["by_stage"]
    ]
    rows += [["active engagements by model", m["key"], m["name"], m["engagements"]] for m in data["active"]["by_model"]]
    req = data["requests"]
    rows += [
        ["requests", key, key.replace("_", " "), req[key]]
        for key in (
            "received",
            "accepted",
            "declined",
            "open",
            "first_meetings",
            "definition_meetings_before_acceptance",
        )
    ]
    rows += [
        ["requests", "days_to_first_meeting_" + k, f"days to first meeting ({k})", v]
        for k, v in req["days_to_first_meeting"].items()
    ]
    rows.append(["deliverables", "overdue", "Overdue deliverables", data["overdue_deliverables"]])
    rows.append(["hours", "minutes", "Minutes of support", data["hours"]["minutes"]])
    rows.append(["hours", "activity_minutes", "Minutes between meetings", data["hours"]["activity_minutes"]])
    rows += [["minutes by month", m["key"], m["label"], m["minutes"]] for m in data["hours"]["by_month"]]
    rows += [["competency domains", d["key"], d["name"], d["meetings"]] for d in data["competencies"]["domains"]]
    return header, rows


@export("attention", "Engagements needing attention")
def _attention(filters):
    header = ["engagement", "unit", "reason", "detail"]
    rows = [
        [r["title"], r["unit"], reason["key"], reason["text"]]
        for r in portfolio.needs_attention(filters)
        for reason in r["reasons"]
    ]
    return header, rows


@export("coverage", "Units without support")
def _coverage(filters):
    """One row per unit and reason (reports/coverage.py); the dashboard's filters do not narrow it."""
    header = ["organization", "unit", "last_contact", "reason", "detail"]
    rows = [
        [r["organization"], r["unit"], r["last_contact"], reason["key"], reason["text"]]
        for r in coverage.uncovered_units(filters.user)
        for reason in r["reasons"]
    ]
    return header, rows


@export("adherence", "Adherence: planned against delivered support")
def _adherence(filters):
    """One row per engagement with a plan (lowest adherence first), then its plan items, then the total."""
    data = adherence.portfolio_adherence(filters)
    header = [
        "level",
        "unit",
        "engagement",
        "strategy",
        "strategy_name",
        "items",
        "planned_sessions",
        "delivered_sessions",
        "adherence",
        "planned_minutes",
        "delivered_minutes",
        "minutes_adherence",
    ]

    def figures(r):
        return [
            round(r["planned_sessions"], 2),
            r["delivered_sessions"],
            _share(r["adherence"]),
            round(r["planned_minutes"], 1),
            round(r["delivered_minutes"], 1),
            _share(r["minutes_adherence"]),
        ]

    rows = []
    for e in data["rows"]:
        rows.append(["engagement", e["unit"], e["title"], "", "", e["items"], *figures(e)])
        rows += [["item", e["unit"], e["title"], i["strategy"], i["strategy_name"], 1, *figures(i)] for i in e["plan"]]
    total = data["total"]
    rows.append(["total", "", f"{total['engagements']} engagements", "", "", total["items"], *figures(total)])
    return header, rows


def _share(share):
    return None if share is None else round(share, 4)


@export("cost", "Cost of support", allowed=policy.can_see_cost)
def _cost(filters):
    """One row per engagement and stage (and before any stage, when it has sessions then), a total row per
    engagement, and the portfolio's rows by stage and in all (engagement empty). Currency: COST_CURRENCY."""
    data = cost.portfolio_cost(filters)
    header = [
        "engagement_id",
        "engagement",
        "stage",
        "stage_name",
        "minutes",
        "cost",
        "sessions_without_rate",
        "stages_advanced",
        "cost_per_stage_advanced",
        "goals_achieved",
        "cost_per_goal_achieved",
    ]

    def rows_of(eid, title, figures):
        stages = list(figures["stages"])
        if figures["unstaged"]["minutes"]:
            stages.append({"key": "", "name": "Before any stage", **figures["unstaged"]})
        out = [
            [eid, title, s["key"], s["name"], s["minutes"], round(s["cost"], 2), s["sessions_without_rate"]]
            + [None] * 4
            for s in stages
        ]
        out.append(
            [
                eid,
                title,
                "total",
                "All stages",
                figures["total_minutes"],
                round(figures["total_cost"], 2),
                figures["sessions_without_rate"],
                figures["stages_advanced"],
                _rounded(figures["cost_per_stage_advanced"]),
                figures["goals_achieved"],
                _rounded(figures["cost_per_goal_achieved"]),
            ]
        )
        return out

    rows = [row for e in data["engagements"] for row in rows_of(e["id"], e["title"], e)]
    return header, rows + rows_of(None, "All engagements", data)


def _rounded(value):
    return None if value is None else round(value, 2)


# --- team (issue 22): the ISPs' workload ----------------------------------------------------------------


def _workload(filters):
    problem = workload.window_problem(filters.start, filters.end)
    if problem:  # a download never silently drops a filter
        abort(400, description=problem)
    return workload.workload(filters.user, filters.start, filters.end, logs=filters.logs)


@export("team", "Team: the ISPs' workload", allowed=policy.can_read_workload)
def _team(filters):
    """One row per ISP over the window (reports/workload.py defines each figure); load as a share."""
    data = _workload(filters)
    header = [
        "isp_id",
        "isp",
        "start",
        "end",
        "engagements_led",
        "engagements_supporting",
        "minutes",
        "meeting_minutes",
        "activity_minutes",
        "average_minutes_per_month",
        "capacity_minutes_per_month",
        "load",
        "load_band",
        "overdue_next_steps",
        "overdue_deliverables",
    ]
    rows = [
        [
            r["id"],
            r["name"],
            data["start"],
            data["end"],
            r["engagements_led"],
            r["engagements_supporting"],
            r["minutes"],
            r["meeting_minutes"],
            r["activity_minutes"],
            r["average_minutes"],
            r["capacity_minutes"],
            r["load"],
            workload.LOAD_BANDS[workload.load_band(r["load"])],
            r["overdue_next_steps"],
            r["overdue_deliverables"],
        ]
        for r in data["isps"]
    ]
    return header, rows


@export("team-by-month", "Team: the ISPs' minutes by month", allowed=policy.can_read_workload)
def _team_by_month(filters):
    data = _workload(filters)
    header = ["isp_id", "isp", "month", "minutes", "capacity_minutes"]
    rows = [
        [r["id"], r["name"], month, r["minutes_by_month"][month], r["capacity_minutes"]]
        for r in data["isps"]
        for month in data["months"]
    ]
    return header, rows


# --- exports (issue 22): every table downloadable -----------------------------------------------------
# The list pages' own filters (the engagement list's status and title search, the request list's tab) are
# read from the request's args by the same names the page uses; the report filters come in `filters`.


def _list_arg(name):
    value = (request.args.get(name) or "").strip() if has_request_context() else ""
    return value or None


@export("on-time", "Logged on time by ISP and month", allowed=policy.can_read_reports)
def _on_time(filters):
    return review.csv_rows(review.on_time(filters))


@export("engagements", "Engagements")
def _engagements(filters):
    """The engagement list's rows (reports.engagement_list), its filters applied: the report filters (unit,
    ISP, model, current stage) and the list's status and title search."""
    query = Engagement.live().where(Engagement.id.in_(filters.engagement_ids()))
    query = Engagement.filtered(query, status=_list_arg("status"), q=_list_arg("q"))
    rows = engagement_list(query.order_by(Engagement.start_date.desc(), Engagement.id.desc()))
    header = [
        "engagement_id",
        "ref",
        "engagement",
        "unit",
        "status",
        "start_date",
        "end_date",
        "stage",
        "support_model",
        "co_leads",
        "sessions",
        "last_session",
    ]
    return header, [
        [
            r["engagement"].id,
            r["engagement"].ref,
            r["engagement"].title,
            r["engagement"].unit.name,
            r["engagement"].status,
            r["engagement"].start_date,
            r["engagement"].end_date,
            r["engagement"].current_stage.name if r["engagement"].current_stage else "",
            r["engagement"].support_model,
            "; ".join(u.name for u in r["co_leads"]),
            r["meetings"],
            r["last_meeting"],
        ]
        for r in rows
    ]


@export("requests", "Support requests")
def _requests(filters):
    """The request list's rows in its order, for its tab (`?status=`), as the user may see them."""
    _tab, query = tables.requests(filters.user, _list_arg("status"))
    header = ["request_id", "ref", "submitted", "request", "unit", "requested_by", "on_behalf_of", "hoped_start"]
    header.append("status")
    return header, [
        [
            r.id,
            r.ref,
            r.created_at.date(),
            r.title,
            r.unit.name,
            r.requested_by.name if r.requested_by else "",
            r.on_behalf_of,
            r.hoped_start,
            r.status,
        ]
        for r in query
    ]


@export("deliverables", "Deliverables")
def _deliverables(filters):
    """The deliverables of the engagements in scope (one engagement's, or the portfolio's)."""
    header = ["engagement", "deliverable", "kind", "due_on", "delivered_on"]
    return header, [
        [d.engagement.title, d.title, d.kind, d.due_on, d.delivered_on]
        for d in tables.deliverables(filters.engagement_ids())
    ]


@export("context-notes", "Context notes")
def _context_notes(filters):
    """The context notes of the engagements in scope; internal ones only for those who may see them."""
    header = ["engagement", "noted_on", "kind", "cfir_domain", "internal", "note"]
    return header, [
        [n.engagement.title, n.noted_on, n.kind, n.domain, n.internal, n.text]
        for n in tables.context_notes(filters.engagement_ids(), filters.user)
    ]


@export("feedback", "Recipient feedback by scale")
def _feedback(filters):
    """The progress page's feedback table: one engagement's scale means by quarter, or the portfolio's
    means per scale; a mean held back (fewer responses than a release needs) is empty."""
    data = progress.progress(filters)
    names = {s["key"]: s["name"] for s in feedback_reports.instrument_spec().get("scales", [])}
    header = ["period", "responses", "scale", "scale_name", "mean", "n"]
    if data is None or not data["feedback"]:
        return header, []

    def mean(c):
        return None if c["suppressed"] else round(c["mean"], 2)

    if filters.engagement:
        return header, [
            [p["label"], p["responses"], key, names.get(key, key), mean(c), c["n"]]
            for p in data["feedback"]
            for key, c in p["scales"].items()
        ]
    return header, [["all", "", key, names.get(key, key), mean(c), c["n"]] for key, c in data["feedback"].items()]


@export("journeys", "Stage journeys by engagement")
def _journeys(filters):
    """The progress page's engagement rows (reports.journey.portfolio_journey): one row per stage visit."""
    data = journey.portfolio_journey(filters, journey.journey_sort(_list_arg("journey_sort")))
    header = [
        "engagement",
        "unit",
        "current_stage",
        "days_in_current",
        "furthest_stage",
        "benchmarks_completed",
        "benchmarks_total",
        "visit",
        "visit_entered_on",
        "visit_until",
        "visit_days",
        "revisit",
    ]
    rows = []
    for r in data["rows"]:
        head = [
            r["title"],
            r["unit"],
            r["current_stage"],
            r["days_in_current"],
            r["furthest_stage"],
            r["benchmarks_completed"],
            r["benchmarks_total"],
        ]
        visits = r["visits"] or [None]
        rows += [
            head
            + (
                [v["name"], v["entered_on"], None if v["current"] else v["until"], v["days"], v["revisit"]]
                if v
                else [None] * 5
            )
            for v in visits
        ]
    return header, rows


@export("outcomes", "Goals by implementation outcome")
def _outcomes(filters):
    header = ["outcome", "name", "goals", "achieved", "measured", "mean_progress"]
    return header, [
        [o["key"], o["name"], o["goals"], o["achieved"], o["measured"], o["mean_progress"]]
        for o in progress.outcomes_by_type(filters)
    ]


@export("goals-list", "Goals and their status history")
def _goals_list(filters):
    """The printable report's goals (one engagement: filters.engagement), each status change a row."""
    header = ["goal", "indicator", "target", "status", "changed_on", "changed_to", "reason", "note"]
    if not filters.engagement:
        return header, []
    rows = []
    for row in tables.engagement_goals(filters.engagement):
        g = row["goal"]
        rows += [
            [g.title, g.indicator, g.target, g.status, c.changed_on, c.status, c.reason, c.note] for c in row["history"]
        ] or [[g.title, g.indicator, g.target, g.status, None, None, None, None]]
    return header, rows


@export("timeline", "Timeline of an engagement")
def _engagement_timeline(filters):
    """The timeline table of one engagement (reports.journey.engagement_timeline): every event, date order."""
    data = journey.engagement_timeline(filters) if filters.engagement else None
    header = ["date", "event", "details"]
    if data is None:
        return header, []
    rows = []
    for e in data["events"]:
        kind = e["kind"]
        if kind == "stage":
            rows.append([e["on"], f"Entered {e['band']['name']}", f"{e['band']['days']} days"])
        elif kind == "benchmark":
            rows.append([e["on"], "Benchmark completed", f"{e['item']['text']} ({e['item']['stage']})"])
        elif kind == "goal":
            rows.append([e["on"], "Goal status changed", f"{e['goal']['goal']}: {e['goal']['status_label']}"])
        elif kind == "measured":
            rows.append([e["on"], "Value measured", f"{e['measured']['goal']}: {e['measured']['value']:g}"])
        elif kind == "pulse":
            items = " · ".join(f"{i['text']} {i['mean']:.2f} ({i['n']} answers)" for i in e["pulse"]["items"])
            rows.append([e["on"], f"Pulse items, {e['pulse']['label']}", items])
        elif kind == "activities":
            month = e["activities"]
            kinds = " · ".join(f"{k['name']} {k['minutes']} min" for k in month["kinds"])
            rows.append([e["on"], f"Between meetings, {month['activities']} activities", kinds])
        else:
            scores = " · ".join(f"{s['name']} {s['mean']:.2f} ({s['n']} responses)" for s in e["feedback"]["scores"])
            rows.append([e["on"], f"Feedback, {e['feedback']['label']}", scores])
    return header, rows


@export("power", "Power balance by period")
def _power(filters):
    """One engagement's power balance (reports.power.engagement_power) by period, then in all."""
    header = ["period", "label", "meetings", "attendees", "agendas", "decisions"]
    if not filters.engagement:
        return header, []
    data = power.engagement_power(filters.engagement)

    def row(key, label, p):
        return [key, label, p["meetings"], *(_share(p[k]["share"]) for k in ("attendees", "agendas", "decisions"))]

    return header, [row(p["key"], p["label"], p) for p in data["periods"]] + [row("total", "All", data["total"])]


# The printable report's tables, in the order it shows them: its bundle (reports/engagements/<id>/tables.zip).
REPORT_TABLES = (
    "goals-list",
    "timeline",
    "progress",
    "competencies",
    "strategies",
    "dose",
    "power",
    "feedback",
    "context-notes",
    "deliverables",
)


def bundle_response(names, filters, filename):
    """The exports `names` as one zip of CSVs (`<name>.csv` each, as csv_response writes them)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            header, rows = EXPORTS[name]["rows"](filters)
            archive.writestr(f"{name}.csv", to_csv(header, rows))
    out.seek(0)
    return send_file(out, mimetype="application/zip", as_attachment=True, download_name=filename, max_age=0)


@export("next-steps", "Next steps due soon or overdue", allowed=policy.sees_next_steps)
def _next_steps(filters):
    """The home page's next steps (reports.next_steps_due) of the engagements in scope."""
    steps = next_steps_due(Engagement.select().where(Engagement.id.in_(filters.engagement_ids())))
    header = ["due_on", "overdue", "next_step", "owner", "engagement"]
    return header, [[s.due_on, s.due_on < today(), s.text, s.owner, s.meeting.engagement.title] for s in steps]


@export("modifications", "FRAME-IS modifications")
def _modifications(filters):
    """One engagement's FRAME-IS modifications (models.Modification.of), as its plan section lists them."""
    header = ["decided_on", "strategy", "nature", "fidelity", "modified", "reason_level", "decided_by", "prompted"]
    if not filters.engagement:
        return header, []
    return header, [
        [
            m.decided_on,
            m.strategy.name,
            m.label_of("nature"),
            m.label_of("fidelity"),
            m.label_of("modified"),
            m.label_of("reason_level"),
            m.label_of("decided_by"),
            m.prompted,
        ]
        for m in Modification.of(filters.engagement)
    ]


# --- exports (issue 22): the administration pages, the deleted lists, feedback, a goal, the plan ----------


def _engagement(filters):
    """The one engagement of an `engagement=` export (export_csv has checked it exists and may be read)."""
    return Engagement.get_by_id(filters.engagement)


@export("users", "Users", allowed=policy.can_administer)
def _users(filters):
    """The user list (services.admin.users_query) with the page's filters (`q`, `role`), every page of it."""
    query = admin_service.users_query(UserFilterForm(request.args if has_request_context() else None).cleaned())
    header = ["user_id", "name", "email", "role", "unit", "organization", "active", "invited_not_signed_in"]
    return header, [
        [
            u.id,
            u.name,
            u.email,
            u.role_label,
            u.unit.name if u.unit_id else "",
            u.organization.name if u.organization_id else "",
            u.is_active,
            u.is_invited,
        ]
        for u in query
    ]


@export("goal-templates", "Goal templates", allowed=policy.can_administer)
def _goal_templates(filters):
    """The Goal templates page's rows (services.admin.goal_templates), in its order."""
    header = ["goal_template_id", "title", "indicator", "target", "retired"]
    return header, [[t.id, t.title, t.indicator, t.target, t.retired] for t in admin_service.goal_templates()]


@export("cost-rates", "The ISPs' hourly rates", allowed=policy.can_administer)
def _cost_rates(filters):
    """The Cost rates page's ISPs (services.admin.rate_settings): own rate, organization rate, rate used."""
    _organizations, isps = admin_service.rate_settings()
    header = ["isp", "active", "organization", "own_rate", "organization_rate", "rate_used", "rate_from"]
    rows = []
    for u in isps:
        org_rate = u.organization.hourly_rate if u.organization_id and u.organization else None
        used, source = (u.hourly_rate, "own") if u.hourly_rate is not None else (org_rate, "organization")
        rows.append(
            [
                u.name,
                u.is_active,
                u.organization.name if u.organization_id and u.organization else "",
                u.hourly_rate,
                org_rate,
                used,
                source if used is not None else "none: cost unknown",
            ]
        )
    return header, rows


@export("audit", "Audit log", allowed=policy.can_administer)
def _audit(filters):
    """The audit log with the page's filters (services.admin.audit_filter_form), newest first, at most
    AUDIT_CSV_MAX changes (the page says so beside the link: narrow the filters for older ones)."""
    form = admin_service.audit_filter_form(request.args if has_request_context() else None)
    query = admin_service.audit_query(form.cleaned()).limit(admin_service.AUDIT_CSV_MAX)
    header = ["at_utc", "who", "action", "record_type", "record_id", "record", "engagement_id", "engagement", "change"]

    def name(record, record_id):
        if record is None:
            return f"deleted record #{record_id}"
        text = f"#{record_id}" if record["name"] is None else str(record["name"])
        return text + (" (deleted)" if record["deleted"] else "")

    return header, [
        [
            r["at"],
            r["who"],
            r["action"],
            r["entity_label"],
            r["entity_id"],
            name(r["record"], r["entity_id"]),
            r["engagement_id"],
            name(r["engagement"], r["engagement_id"]) if r["engagement_id"] else "",
            r["text"],
        ]
        for r in admin_service.audit_rows(query)
    ]


@export("deleted-engagements", "Deleted engagements", allowed=policy.can_restore)
def _deleted_engagements(filters):
    header = ["engagement_id", "engagement", "unit", "organization", "status", "start_date", "deleted_at", "deleted_by"]
    return header, [
        [
            r["engagement"].id,
            r["engagement"].title,
            r["engagement"].unit.name,
            r["engagement"].unit.organization.name,
            r["engagement"].status,
            r["engagement"].start_date,
            r["engagement"].deleted_at,
            r["deleted_by"],
        ]
        for r in engagement_service.deleted_engagements()
    ]


@export("deleted-parts", "Deleted parts of an engagement", allowed=policy.can_restore, engagement=True)
def _deleted_parts(filters):
    header = ["kind", "id", "what", "deleted_at", "deleted_by"]
    return header, [
        [r["kind_name"], r["id"], r["title"], r["deleted_at"], r["deleted_by"]]
        for r in parts_service.deleted_parts(_engagement(filters))
    ]


@export("deleted-goals", "Deleted goals", allowed=policy.can_restore, engagement=True)
def _deleted_goals(filters):
    header = ["goal_id", "goal", "indicator", "status", "deleted_at"]
    return header, [
        [g.id, g.title, g.indicator, g.status, g.deleted_at] for g in tables.deleted_goals(filters.engagement)
    ]


@export("deleted-meetings", "Deleted meetings", allowed=policy.can_restore, engagement=True)
def _deleted_meetings(filters):
    header = ["meeting_id", "date", "kind", "minutes", "deleted_at"]
    return header, [
        [m.id, m.date, m.kind_label, m.duration_minutes, m.deleted_at] for m in Meeting.deleted_of(_engagement(filters))
    ]


def _responses(filters, deleted):
    header = ["submitted_on", "kind", "from", "questions_answered", "comments"] + (["deleted_at"] if deleted else [])
    return header, [
        [r["response"].submitted_on, r["kind"], r["from"], r["answers"], r["comments"]]
        + ([r["response"].deleted_at] if deleted else [])
        for r in feedback_service.responses_for(_engagement(filters), deleted=deleted)
    ]


@export("feedback-responses", "Feedback responses received", engagement=policy.can_delete_feedback_response)
def _feedback_responses(filters):
    """The feedback page's responses received (who may delete one sees them): never scores or comments."""
    return _responses(filters, deleted=False)


@export("deleted-feedback-responses", "Deleted feedback responses", allowed=policy.can_restore, engagement=True)
def _deleted_feedback_responses(filters):
    return _responses(filters, deleted=True)


@export("feedback-invitations", "Feedback invitations", engagement=policy.can_edit_engagement)
def _feedback_invitations(filters):
    """Who was asked for feedback (tables.invitations) and the mail's delivery; never whether they answered.
    The feedback page shows them to those who may edit the engagement, the responses page to admins (who may)."""
    delivery = OutboxMessage.delivery(filters.engagement)["by_invitation"]
    header = ["sent_on", "kind", "name", "email", "link_until", "mail_status", "mail_error"]
    rows = []
    for inv in tables.invitations(filters.engagement):
        mail = delivery.get(inv.id)
        rows.append(
            [
                inv.created_at.date(),
                "Pulse" if inv.kind == "pulse" else "Full survey",
                inv.team_member.name if inv.team_member_id and inv.team_member else "",
                inv.email,
                inv.expires_at.date() if isinstance(inv.expires_at, dt.datetime) else inv.expires_at,
                mail.status if mail else "",
                mail.error if mail and mail.status == "failed" else "",
            ]
        )
    return header, rows


@export("feedback-pulse", "Pulse items by period", engagement=True)
def _feedback_pulse(filters):
    """The feedback page's pulse items (reports.feedback.pulse_items_over_time), by its `period`; a mean held
    back (fewer released answers than a release needs) is empty."""
    period = "month" if _list_arg("period") == "month" else "quarter"
    data = feedback_reports.pulse_items_over_time(filters.engagement, period)
    header = ["period", "period_start", "period_end", "item", "question", "scale", "mean", "n"]
    return header, [
        [
            p["label"],
            p["start"],
            p["end"],
            item["key"],
            item["text"],
            item["scale"],
            None if cell["suppressed"] else round(cell["mean"], 2),
            cell["n"],
        ]
        for p in data["periods"]
        for item in data["items"]
        for cell in [p["items"].get(item["key"])]
        if cell is not None
    ]


@export("goal-values", "Values of a goal over time", engagement=True)
def _goal_values(filters):
    """A goal's page table (`goal_id`, a goal of the engagement, else 404): baseline, recorded values, target."""
    goal = policy.get_part(Goal, _engagement(filters), parse_id(_list_arg("goal_id") or ""))
    header = ["goal", "date", "value", "unit", "row", "logged_with_meeting"]
    rows = [[goal.title, goal.baseline_on, goal.baseline_value, goal.measure_unit, "baseline", None]]
    rows += [[goal.title, v.date, v.value, goal.measure_unit, "value", bool(v.meeting_id)] for v in goal.measurements()]
    rows.append([goal.title, goal.target_on, goal.target_value, goal.measure_unit, "target", None])
    return header, rows


@export("plan-items", "Implementation plan: planned strategies", engagement=True)
def _plan_items(filters):
    """The plan page's planned strategies (models.PlanItem.of), as the page lists them."""
    header = [
        "strategy",
        "goal",
        "stage",
        "frequency",
        "sessions_per_month",
        "minutes_per_session",
        "start_date",
        "end_date",
        "responsible",
    ]
    return header, [
        [
            i.strategy.name,
            i.goal.title if i.goal_id else "",
            i.stage.name if i.stage_id else "",
            i.frequency_label,
            round(i.sessions_per_month, 2),
            i.minutes_per_session,
            i.start_date,
            i.end_date,
            i.responsible_name,
        ]
        for i in PlanItem.of(filters.engagement)
    ]


# --- issue 22, activities: the work between meetings -------------------------------------------------


@export("activities", "Work between meetings")
def _activities(filters):
    """One row per live activity of the engagements in scope (the list page filters by engagement),
    newest first; ISPs and tags joined with "; "."""
    header = ["engagement_id", "engagement", "date", "kind", "kind_name", "minutes", "isps", "strategies"]
    header += ["competencies", "notes"]
    titles = dict(
        Engagement.select(Engagement.id, Engagement.title).where(Engagement.id.in_(filters.engagement_ids())).tuples()
    )
    rows = [
        [
            a.engagement_id,
            titles.get(a.engagement_id, ""),
            a.date,
            a.kind,
            a.kind_label,
            a.minutes,
            "; ".join(u.name for u in a.isps),
            "; ".join(s["name"] for s in a.strategies),
            "; ".join(c["name"] for c in a.competencies),
            a.notes,
        ]
        for a in activities_report.csv_rows(filters.engagement_ids())
    ]
    return header, rows


# --- (dose) the work between meetings in the dose reports; an ISP's own competency profile (issue 22) ---------


@export("my-competencies", "My competency profile", allowed=policy.can_see_own_competency_profile)
def _my_competencies(filters):
    """Always about the downloader: the ISP is the reader, whatever the filters say."""
    data = competencies.isp_profile(competencies.own_profile_filters(filters.user, filters.framework))
    header = ["quarter", "competency_key", "competency", "domain", "meetings", "activities"]
    rows = [
        [q["key"], c["key"], c["name"], c["domain_name"], c["meetings"][i], c["activities"][i]]
        for c in data["competencies"]
        for i, q in enumerate(data["quarters"])
    ]
    rows += [
        [q["key"], "", "All sessions and activities", "", q["meetings"], q["activities"]] for q in data["quarters"]
    ]
    return header, rows


# --- the recipients' pathway across engagements (issue 22, pathway) ---------------------------------


@export("pathway", "The recipients' pathway by unit and by model of support")
def _pathway(filters):
    """A row per group and step; a group with too few released responses has an empty score and a note."""
    data = feedback_reports.pathway_across(filters)
    header = ["group", "group_id", "group_name", "engagements", "step", "step_name", "mean", "n", "note"]
    groups = [("portfolio", "", data["portfolio"])]
    groups += [("unit", g["id"], g) for g in data["by_unit"]]
    groups += [("model", g["key"], g) for g in data["by_model"]]
    rows = [
        [
            kind,
            key,
            g["name"],
            g["engagements"],
            s["key"],
            s["name"],
            "" if s["suppressed"] else round(s["mean"], 2),
            s["n"],
            f"not enough responses: fewer than {data['min_responses']} released" if s["suppressed"] else "",
        ]
        for kind, key, g in groups
        for s in g["steps"]
    ]
    return header, rows
