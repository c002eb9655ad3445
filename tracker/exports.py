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

from flask import Response, send_file

from . import policy
from .models import today
from .reports import adherence, competencies, context, cost, portfolio, progress, strategies
from .reports import feedback as feedback_reports

EXPORTS = {}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export(name, title, allowed=None):
    """Register `function(filters) -> (header, rows)` as the export `name`; `allowed`: a policy rule of the
    user when only some readers may download it (the cost: policy.can_see_cost)."""

    def register(function):
        EXPORTS[name] = {"name": name, "title": title, "rows": function, "allowed": allowed}
        return function

    return register


def may_download(name, user):
    """False when the export `name` is one the user may not download (unknown names: True, then 404)."""
    rule = EXPORTS.get(name, {}).get("allowed")
    return rule is None or bool(rule(user))


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
    return send_file(
        io.BytesIO(to_csv(header, rows)),
        mimetype="text/csv; charset=utf-8",
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )


def plain_csv_response(rows, filename):
    """Rows (the header first) as a CSV download without a byte-order mark, through the one writer
    (formula escaping). The engagement feedback CSV is sent this way (reports/feedback.csv_rows)."""
    out = io.StringIO()
    write_rows(out, rows)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- the exports -------------------------------------------------------------------------------------


@export("competencies", "Competencies used")
def _competencies(filters):
    data = competencies.competencies_used(filters)
    framework = data["framework"]["short_name"] if data["framework"] else ""
    header = ["framework", "level", "key", "name", "domain", "meetings", "total_meetings", "share"]
    rows = [
        [framework, "domain", d["key"], d["name"], "", d["meetings"], data["total_meetings"], d["share"]]
        for d in data["domains"]
    ]
    rows += [
        [framework, "competency", c["key"], c["name"], c["domain"], c["meetings"], data["total_meetings"], c["share"]]
        for c in data["competencies"]
    ]
    return header, rows


@export("competencies-by-month", "Competencies used by month")
def _competencies_by_month(filters):
    data = competencies.over_time(filters)
    header = ["month", "level", "key", "name", "meetings", "month_meetings"]
    rows = []
    for i, month in enumerate(data["months"]):
        rows += [
            [month["key"], "domain", d["key"], d["name"], d["meetings"][i], month["meetings"]] for d in data["domains"]
        ]
        rows += [
            [month["key"], "competency", c["key"], c["name"], c["meetings"][i], month["meetings"]]
            for c in data["competencies"]
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
    header = ["level", "number", "key", "name", "cluster", "meetings", "total_meetings", "share", "minutes"]
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
        ]
        for s in data["strategies"]
    ]
    return header, rows


@export("dose", "Minutes of support")
def _dose(filters):
    data = strategies.dose(filters)
    header = ["by", "key", "name", "meetings", "minutes"]
    rows = [["month", m["key"], m["label"], m["meetings"], m["minutes"]] for m in data["by_month"]]
    for by in ("stage", "mode", "kind"):
        rows += [[by, r["key"] or "", r["name"], r["meetings"], r["minutes"]] for r in data[f"by_{by}"]]
    rows.append(["total", "", "All sessions", data["total_meetings"], data["total_minutes"]])
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
