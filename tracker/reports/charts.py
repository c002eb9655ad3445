"""Chart specs for the report pages, one function per chart, built from a report's data.

static/js/charts.js draws each chart from its spec, a JSON island rendered by the `chart` macro
(templates/reports/_macros.html): {"type": "bar" | "line" | "doughnut", "labels": [...],
"datasets": [{"label", "data": [...]}], and the options "horizontal", "percent", "stacked", "scale5"}.
The page shows the same numbers in a table next to the chart; the template only places the chart.
"""

import datetime as dt

from ..dates import format_month


def hours(minutes):
    """Minutes as hours with one decimal, as the charts show support time."""
    return round((minutes or 0) / 60, 1)


def scale_mean(cells, scale):
    """The mean of a feedback cell for a chart (None when hidden by the minimum-count rule)."""
    cell = (cells or {}).get(scale)
    return round(cell["mean"], 2) if cell and not cell["suppressed"] else None


def _spec(kind, rows, label_key, datasets, **options):
    return {"type": kind, **options, "labels": [row[label_key] for row in rows], "datasets": datasets}


def _series(label, rows, key, convert=None):
    values = [row[key] for row in rows]
    return {"label": label, "data": [convert(v) for v in values] if convert else values}


# --- portfolio dashboard ------------------------------------------------------------------------


def active_by_unit(active):
    rows = active["by_unit"]
    return _spec("bar", rows, "name", [_series("Active engagements", rows, "engagements")], horizontal=True)


def active_by_stage(active):
    rows = active["by_stage"]
    return _spec("bar", rows, "name", [_series("Active engagements", rows, "engagements")])


def active_by_model(active):
    rows = active["by_model"]
    return _spec("doughnut", rows, "name", [_series("Active engagements", rows, "engagements")])


def request_funnel(funnel):
    """Requested against delivered: per step, the requests that reached it and, stacked after them, those
    lost since the step before (so each bar is as long as the step above it)."""
    steps = funnel["steps"]
    return _spec(
        "bar",
        steps,
        "label",
        [
            {**_series("Reached this step", steps, "count"), "colour": "--brand"},
            {"label": "Dropped since the step before", "data": [s["drop"] or 0 for s in steps], "colour": "--warn"},
        ],
        horizontal=True,
        stacked=True,
    )


def hours_by_month(hours_or_dose):
    """Hours of support by month (the dashboard's hours, the strategies page's dose): the sessions' and, stacked
    on them as their own series, the work between meetings' when there is any in scope."""
    rows = hours_or_dose["by_month"]
    if not any(row.get("activity_minutes") for row in rows):
        return _spec("bar", rows, "label", [_series("Hours", rows, "minutes", hours)])
    return _spec(
        "bar",
        rows,
        "label",
        [
            {**_series("In sessions", rows, "minutes", hours), "colour": "--brand"},
            {**_series("Between meetings", rows, "activity_minutes", hours), "colour": "--accent"},
        ],
        stacked=True,
    )


# --- competencies ---------------------------------------------------------------------------------


def domain_shares(used):
    """Share of sessions by competency domain (the dashboard and the printable engagement report)."""
    rows = used["domains"]
    return _spec("bar", rows, "name", [_series("Share of sessions", rows, "share")], percent=True)


def competency_shares(used):
    rows = used["competencies"]
    return _spec("bar", rows, "name", [_series("Share of sessions", rows, "share")], horizontal=True, percent=True)


# --- strategies and dose -----------------------------------------------------------------------------


def hours_by_mode(dose):
    rows = dose["by_mode"]
    return _spec("doughnut", rows, "name", [_series("Hours", rows, "minutes", hours)])


def hours_by_kind(dose):
    rows = dose["by_kind"]
    return _spec("bar", rows, "name", [_series("Hours", rows, "minutes", hours)])


def sessions_between_monthly_meetings(between):
    rows = between["distribution"]
    return _spec("bar", rows, "sessions", [_series("Monthly meetings", rows, "intervals")])


# --- competencies and strategies at a glance ---------------------------------------------------------


def domain_shares_by_month(monthly):
    """Per month, the share of the sessions logged that month that drew on each domain (not counts,
    which follow the number of sessions)."""
    datasets = [{"label": d["name"], "data": d["share"]} for d in monthly["domains"]]
    return _spec("line", monthly["months"], "label", datasets, percent=True)


def domain_split(split):
    """How the competency uses of the period split across the domains (competencies.domain_split)."""
    rows = split["domains"]
    return _spec("bar", rows, "name", [_series("Share of competency uses", rows, "share")], percent=True)


def eric_clusters_ranked(ranked):
    """Sessions by ERIC cluster, most used first; the ISP activities are not an ERIC cluster and have their own."""
    rows = ranked["clusters"]
    return _spec("bar", rows, "name", [_series("Sessions", rows, "meetings")], horizontal=True)


def isp_activities_ranked(ranked):
    rows = (ranked["isp_activities"] or {}).get("strategies", [])
    return _spec("bar", rows, "name", [_series("Sessions", rows, "meetings")], horizontal=True)


def cluster_colour(number):
    """One colour per ERIC cluster, the same on every chart: --series-1..8, then the ink colour for the ninth."""
    return f"--series-{number}" if number <= 8 else "--ink"


def hours_by_stage_and_cluster(by_stage):
    """Dose by stage: for each stage, the hours of each ERIC cluster's strategies, stacked."""
    datasets = [
        {"label": c["name"], "data": [hours(m) for m in c["minutes"]], "colour": cluster_colour(c["number"])}
        for c in by_stage["clusters"]
    ]
    return _spec("bar", by_stage["stages"], "name", datasets, stacked=True)


# --- progress ----------------------------------------------------------------------------------------


def benchmarks_by_stage(progress):
    rows = progress["stages"]
    return _spec("bar", rows, "name", [_series("Benchmarks completed", rows, "proportion")], percent=True)


def furthest_stage(progress):
    rows = progress["furthest"]
    return _spec("bar", rows, "name", [_series("Engagements", rows, "engagements")])


def goals_by_status(goals, statuses):
    """`statuses`: (key, label) pairs in the order to show (GOAL_STATUSES)."""
    return {
        "type": "doughnut",
        "labels": [text for _, text in statuses],
        "datasets": [{"label": "Goals", "data": [goals["by_status"].get(key, 0) for key, _ in statuses]}],
    }


def goal_changes_by_month(goals, statuses):
    transitions = goals["transitions"]
    datasets = [{"label": text, "data": transitions["by_status"][key]} for key, text in statuses]
    return _spec("bar", transitions["months"], "label", datasets, stacked=True)


def feedback_over_time(feedback, scales):
    """`feedback`: the quarters of progress()["feedback"]; `scales`: {key: name} in the order to show."""
    datasets = [
        {"label": name, "data": [scale_mean(quarter["scales"], key) for quarter in feedback]}
        for key, name in scales.items()
    ]
    return _spec("line", feedback, "label", datasets, scale5=True)


# --- context --------------------------------------------------------------------------------------


def context_by_domain(data):
    """Barriers and facilitators per CFIR domain, stacked (reports/context.py)."""
    rows = data["domains"]
    datasets = [
        {**_series("Barriers", rows, "barriers"), "colour": "--danger"},
        {**_series("Facilitators", rows, "facilitators"), "colour": "--accent"},
    ]
    return _spec("bar", rows, "name", datasets, stacked=True, horizontal=True)


def goal_values(goal, values):
    """A goal's measured values over time (a line), with its baseline and target as flat reference lines
    (issue 19). `values`: the goal's GoalMeasurement rows in date order."""
    labels = [v.date.isoformat() for v in values]
    return {
        "type": "line",
        "labels": labels,
        "datasets": [
            {
                "label": f"Value ({goal.measure_unit})" if goal.measure_unit else "Value",
                "data": [v.value for v in values],
                "colour": "--brand",
            },
            {"label": "Baseline", "data": [goal.baseline_value] * len(values), "colour": "--muted", "dash": True},
            {"label": "Target", "data": [goal.target_value] * len(values), "colour": "--accent", "dash": True},
        ],
    }


# --- adherence ------------------------------------------------------------------------------------


def adherence_by_engagement(rows):
    """Planned against delivered sessions per engagement (a page of reports/adherence.py's rows), side by side."""
    datasets = [
        {"label": "Planned sessions", "data": [round(r["planned_sessions"], 1) for r in rows], "colour": "--muted"},
        {"label": "Delivered sessions", "data": [r["delivered_sessions"] for r in rows], "colour": "--brand"},
    ]
    return _spec("bar", rows, "title", datasets, horizontal=True)


# --- cost (issue 19) ---------------------------------------------------------------------------------


def cost_by_stage(data):
    """The cost of support per stage across the portfolio (reports/cost.py), each bar in its stage's colour:
    one series per stage with its value at its own place only, stacked (so the bars stay one per stage)."""
    stages = data["stages"]
    datasets = [
        {
            "label": s["name"],
            "data": [round(s["cost"], 2) if j == i else None for j in range(len(stages))],
            "colour": f"--stage-{s['key']}",
        }
        for i, s in enumerate(stages)
    ]
    return _spec("bar", stages, "name", datasets, stacked=True)


def cost_by_engagement_and_stage(rows):
    """Each engagement's cost, stacked by stage (one series per stage, in its colour; `rows`: a page of
    portfolio_cost's engagements)."""
    stages = rows[0]["stages"] if rows else []
    datasets = [
        {
            "label": stage["name"],
            "data": [round(r["stages"][i]["cost"], 2) for r in rows],
            "colour": f"--stage-{stage['key']}",
        }
        for i, stage in enumerate(stages)
    ]
    return _spec("bar", rows, "title", datasets, stacked=True, horizontal=True)


# --- team workload (issue 22) -------------------------------------------------------------------------


def workload_by_month(data):
    """Each ISP's hours by month (a line in their series colour) against their monthly capacity (a dashed
    line in the same colour); `data`: reports/workload.workload()."""
    datasets = []
    for i, isp in enumerate(data["isps"]):
        colour = cluster_colour(i % 8 + 1)
        datasets.append(
            {
                "label": isp["name"],
                "data": [hours(isp["minutes_by_month"][m]) for m in data["months"]],
                "colour": colour,
            }
        )
        if isp["capacity_minutes"]:
            datasets.append(
                {
                    "label": f"{isp['name']}: capacity",
                    "data": [hours(isp["capacity_minutes"])] * len(data["months"]),
                    "colour": colour,
                    "dash": True,
                }
            )
    return {"type": "line", "labels": [month_label(m) for m in data["months"]], "datasets": datasets}


def month_label(key):
    """A "YYYY-MM" month as the charts label months ("Nov 2026")."""
    year, month = key.split("-")
    return format_month(dt.date(int(year), int(month), 1))


def competency_profile(profile):
    """An ISP's own competency profile: per quarter, the competency uses in the sessions they took part in and,
    as their own series beside them, in their activities between meetings (a use: a competency drawn on in one
    session or activity)."""
    quarters = profile["quarters"]
    sessions = [sum(c["meetings"][i] for c in profile["competencies"]) for i in range(len(quarters))]
    between = [sum(c["activities"][i] for c in profile["competencies"]) for i in range(len(quarters))]
    return _spec(
        "bar",
        quarters,
        "label",
        [
            {"label": "In sessions", "data": sessions, "colour": "--brand"},
            {"label": "Between meetings", "data": between, "colour": "--accent"},
        ],
    )


# --- the recipients' pathway across engagements (issue 22, pathway) ---------------------------------


def pathway_by_model(data):
    """`data`: feedback.pathway_across(): each step's score for all engagements in scope and for each
    model of support (None where too few responses are released: no bar)."""

    def means(group):
        return [None if s["suppressed"] else round(s["mean"], 2) for s in group["steps"]]

    datasets = [{"label": data["portfolio"]["name"], "data": means(data["portfolio"]), "colour": "--brand"}]
    datasets += [{"label": m["name"], "data": means(m)} for m in data["by_model"]]
    return {"type": "bar", "scale5": True, "labels": [s["name"] for s in data["steps"]], "datasets": datasets}
