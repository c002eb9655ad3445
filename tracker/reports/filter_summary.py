"""The filters in words: the one line a closed report filter panel shows ("All units · all dates"), the
printed filter line, and one removable chip per filter in use, on the reports and on every list page.

Names and parameters are those of tracker/reports/filters.py (FilterQuery, PARAMETERS); the values are
read from what the filter bar offers (`ReportFilters.choices()`), so a chip says "Unit: Unit A", never an id.

One vocabulary (issue 23): a list page's URL parameter is the API's name for the same filter; a list with
no API twin takes the report vocabulary's names. An older name is read as an alias (`canonical`), so a
bookmark keeps working, and every link the page writes (chips, pagination, CSV) uses the new name.

    page                          parameters                                          API twin, aliases
    /engagements                  unit_id isp_id support_model stage status q mine    GET /engagements;
                                                                                      unit isp model, stage=<id>
    /admin/users                  role q                                              GET /users
    /admin/audit                  entity action user_id engagement_id start end       none (report names);
                                                                                      user engagement date_from date_to
    /reports/* (dashboard, Team,  engagement_id unit_id isp_id support_model stage    GET /reports/*
    pathway, coverage, ...)       kind start end activities framework
    /search                       q                                                   the search box itself
    /requests                     status (a tab: waiting, accepted...)                tabs, not filters
"""

import datetime as dt

from werkzeug.datastructures import MultiDict

from ..dates import format_date
from .filters import PARAMETERS

# What each filter parameter is called on the page (the filter bar's labels, the chips, the error messages).
LABELS = {
    "engagement_id": "Engagement",
    "unit_id": "Unit",
    "isp_id": "ISP",
    "support_model": "Model of support",
    "stage": "Stage",
    "kind": "Kind of session",
    "start": "From",
    "end": "To",
    "framework": "Competency framework",
    "activities": "Work between meetings",
    "logs": "Logs counted",
}
CHIP_ORDER = ("unit_id", "engagement_id", "isp_id", "support_model", "stage", "kind", "start", "end", "activities")
CHIP_ORDER += ("logs",)  # which logs the figures count (issue 23), shown when not the organization's default
# A kind of session is a meeting's: the work between meetings is left out while one is chosen.
KIND_LEAVES_OUT = "the work between meetings is left out"


def chip(parameter, text, args):
    """A removable chip: its words ("Unit: Unit A") and the URL args of the same page without `parameter`."""
    return {"parameter": parameter, "text": text, "args": {name: v for name, v in args.items() if name != parameter}}


def canonical(args, aliases):
    """Request args read under the vocabulary's names: an old name's values under its new name (unless the new
    name is given too), the old name dropped. `aliases`: {old name: new name}."""
    out = MultiDict(args)
    for old, new in aliases.items():
        if old in out:
            values = out.poplist(old)
            if new not in out:
                out.setlist(new, values)
    return out


def _named(value, options):
    """The label the filter bar shows for `value` (ids compared as text), else the value itself."""
    for option, text in options or ():
        if str(option) == str(value):
            return text
    return str(value)


def _value_text(parameter, value, choices, show_date):
    if isinstance(value, dt.date):
        return show_date(value)
    return _named(value, choices.get(PARAMETERS[parameter]))


def describe(filters, choices, frameworks=None, show_date=format_date):
    """{"text": the one-line summary, "chips": [{"parameter", "filter", "text", "value", "args"}], "printed":
    the printed line, "labels": LABELS}. `filter` is the filter bar's name for it (the `show` of the
    filter_bar macro); `args` are the URL args of the same page without that one filter (the chip's link).
    `frameworks`: the competency framework choices of a page that offers them (the first is the default).
    `show_date`: how the reader wants dates written."""
    args = filters.args()
    chips = []
    for parameter in CHIP_ORDER:
        if parameter not in args:
            continue
        value = getattr(filters, PARAMETERS[parameter])
        text = _value_text(parameter, value, choices, show_date)
        words = f"{LABELS[parameter]} {text}" if parameter in ("start", "end") else f"{LABELS[parameter]}: {text}"
        chips.append(
            chip(parameter, words, args)
            | {"value": text, "filter": "dates" if parameter in ("start", "end") else PARAMETERS[parameter]}
        )
    named = {chip["parameter"]: chip["value"] for chip in chips}
    parts = [named.get("unit_id", "All units")]
    if "engagement_id" in named:
        parts.append(named["engagement_id"])
    parts += [f"{LABELS[p]}: {named[p]}" for p in ("isp_id", "stage") if p in named]
    parts += [named[p] for p in ("support_model", "kind") if p in named]
    if "kind" in named and filters.include_activities:
        parts[-1] += f" ({KIND_LEAVES_OUT})"
    if "activities" in named:
        parts.append(f"{LABELS['activities']}: {named['activities']}")
    if "logs" in named:
        parts.append(named["logs"])
    if "start" in named and "end" in named:
        parts.append(f"{named['start']} to {named['end']}")
    elif "start" in named:
        parts.append(f"from {named['start']}")
    elif "end" in named:
        parts.append(f"until {named['end']}")
    else:
        parts.append("all dates")
    framework = None
    if frameworks:
        framework = _named(filters.framework or frameworks[0][0], frameworks)
        parts.append(framework)
    printed = "; ".join(chip["text"] for chip in chips) or "none (everything you may see)"
    if "kind" in named and filters.include_activities:
        printed += f" ({KIND_LEAVES_OUT})"
    if framework:
        printed = f"{LABELS['framework']}: {framework}; {printed}"
    return {"text": " · ".join(parts), "chips": chips, "printed": printed, "labels": LABELS}
