"""Recipient feedback reports: scale scores, scores over time, the recipients' pathway, response rate.

Scoring (Weiner et al. 2017): a response's score on a scale is the mean of the items of that scale it
answered (missing items are left out); a response with no item of a scale does not count for it. A
scale's score is the mean of the response scores, with n = the responses that count. A pathway step
with several scales (appropriateness and feasibility) scores each response as the mean of its scale
scores on the step's scales.

The minimum-count rule lives in one function, `minimum_count`: every cell of every report passes
through it, so pages and exports hide any aggregate of fewer than MIN_RESPONSES responses.

Pure query functions: filters in, plain data out, a fixed number of queries whatever the data size.
"""

import datetime as dt
import json
from collections import defaultdict

from peewee import SQL, fn

from ..dates import format_month
from ..models import FeedbackAnswer, FeedbackInstrument, FeedbackInvitation, FeedbackItem, FeedbackResponse
from .cache import cached_by_arguments

MIN_RESPONSES = 3
STEADY = 0.05  # a change smaller than this (on the 1-5 scale) is shown as no movement


def minimum_count(mean, n):
    """The one place the minimum-count rule is applied: a cell shows its mean only from 3 responses."""
    shown = n >= MIN_RESPONSES and mean is not None
    return {"mean": mean if shown else None, "n": n, "suppressed": not shown}


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _as_date(value):
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        return value.date()
    return value


# --- periods ------------------------------------------------------------------------------------------


def period_of(day, period="quarter"):
    """(key, label, start, end) of the period a date falls in."""
    if period == "month":
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return (day.year, day.month), format_month(day), start, end
    if period == "year":
        return (day.year, 1), str(day.year), dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    q = (day.month - 1) // 3 + 1
    start = dt.date(day.year, 3 * q - 2, 1)
    end = (dt.date(day.year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)) - dt.timedelta(days=1)
    return (day.year, q), f"{day.year} Q{q}", start, end


def previous_period(day, period="quarter"):
    _key, _label, start, _end = period_of(day, period)
    return period_of(start - dt.timedelta(days=1), period)


# --- loading ------------------------------------------------------------------------------------------


def _response_scores(engagement_ids, start=None, end=None):
    """{response_id: {"on": date, "scales": {scale: score}}} from one query over live responses:
    each response's mean per scale is computed in SQL (a row per response and scale, not per answer)."""
    query = (
        FeedbackAnswer.select(
            FeedbackAnswer.response, FeedbackResponse.submitted_on, FeedbackItem.scale, fn.AVG(FeedbackAnswer.value)
        )
        .join(FeedbackResponse)
        .switch(FeedbackAnswer)
        .join(FeedbackItem)
        .where(
            FeedbackResponse.engagement.in_(engagement_ids)
            & FeedbackResponse.deleted_at.is_null()
            & FeedbackItem.scale.is_null(False)
            & FeedbackAnswer.value.is_null(False)
        )
        .group_by(FeedbackAnswer.response, FeedbackResponse.submitted_on, FeedbackItem.scale)
    )
    if start:
        query = query.where(FeedbackResponse.submitted_on >= start)
    if end:
        query = query.where(FeedbackResponse.submitted_on <= end)
    out = {}
    for response_id, submitted_on, scale, score in query.tuples():
        entry = out.setdefault(response_id, {"on": _as_date(submitted_on), "scales": {}})
        entry["scales"][scale] = float(score)
    return out


def _aggregate(scores, scales=None):
    """{scale: cell} over response scores (each response counts once per scale it answered)."""
    per_scale = defaultdict(list)
    for score in scores:
        for scale, value in score["scales"].items():
            per_scale[scale].append(value)
    keys = list(scales) if scales is not None else sorted(per_scale)
    return {s: minimum_count(_mean(per_scale.get(s, [])), len(per_scale.get(s, []))) for s in keys}


def scale_scores(engagement_ids, start=None, end=None):
    """{scale: {"mean", "n", "suppressed"}} for the responses of these engagements (a list or a
    subquery of ids) submitted in [start, end]: each response's mean per scale, then the mean of those
    and how many responses answered the scale. One query, aggregated in SQL whatever the number of answers."""
    per_response = (
        FeedbackAnswer.select(FeedbackItem.scale.alias("scale"), fn.AVG(FeedbackAnswer.value).alias("score"))
        .join(FeedbackResponse)
        .switch(FeedbackAnswer)
        .join(FeedbackItem)
        .where(
            FeedbackResponse.engagement.in_(engagement_ids)
            & FeedbackResponse.deleted_at.is_null()
            & FeedbackItem.scale.is_null(False)
        )
        .group_by(FeedbackAnswer.response, FeedbackItem.scale)
    )
    if start:
        per_response = per_response.where(FeedbackResponse.submitted_on >= start)
    if end:
        per_response = per_response.where(FeedbackResponse.submitted_on <= end)
    sub = per_response.alias("per_response")
    rows = (
        FeedbackAnswer.select(sub.c.scale, fn.AVG(sub.c.score), fn.COUNT(SQL("*")))
        .from_(sub)
        .group_by(sub.c.scale)
        .order_by(sub.c.scale)
        .tuples()
    )
    return {scale: minimum_count(float(mean), n) for scale, mean, n in rows}


def _response_dates(engagement_id):
    return [
        _as_date(d)
        for (d,) in FeedbackResponse.select(FeedbackResponse.submitted_on)
        .where((FeedbackResponse.engagement == engagement_id) & FeedbackResponse.deleted_at.is_null())
        .tuples()
    ]


def scores_over_time(engagement_id, period="quarter"):
    """[{"key", "label", "start", "end", "responses", "scales": {scale: cell}}] for every period from the
    first response to the last (periods without responses included, with n = 0). Two queries."""
    scores = _response_scores([engagement_id])
    dates = _response_dates(engagement_id)
    if not dates:
        return []
    responses = defaultdict(int)
    for day in dates:
        responses[period_of(day, period)[0]] += 1
    by_period = defaultdict(list)
    for score in scores.values():
        by_period[period_of(score["on"], period)[0]].append(score)
    scales = sorted({s for score in scores.values() for s in score["scales"]})
    rows = []
    day = min(dates)
    last_key = period_of(max(dates), period)[0]
    while True:
        key, label, start, end = period_of(day, period)
        rows.append(
            {
                "key": key,
                "label": label,
                "start": start,
                "end": end,
                "responses": responses.get(key, 0),
                "scales": _aggregate(by_period.get(key, []), scales),
            }
        )
        if key == last_key:
            return rows
        day = end + dt.timedelta(days=1)


def _step_scores(scores, steps):
    """{step_key: cell} over response scores; a response's step score is the mean of its scale scores
    on the step's scales."""
    out = {}
    for step in steps:
        values = [_mean([score["scales"].get(s) for s in step["scales"]]) for score in scores]
        values = [v for v in values if v is not None]
        out[step["key"]] = minimum_count(_mean(values), len(values))
    return out


def instrument_spec(key="recipient_feedback"):
    """The definition (scales, scale labels, pathway) of the latest version of the instrument."""
    instrument = (
        FeedbackInstrument.select()
        .where(FeedbackInstrument.key == key)
        .order_by(FeedbackInstrument.version.desc())
        .first()
    )
    return instrument.spec if instrument else {"scales": [], "pathway": [], "scale_labels": {}}


def agreement_label(mean, labels):
    if mean is None or not labels:
        return ""
    return labels.get(str(min(5, max(1, int(mean + 0.5)))), "")


def pathway(engagement_id, period="quarter", steps=None, labels=None, as_of=None):
    """The recipients' pathway (trust → acceptance → appropriateness and feasibility → knowledge →
    application → capacity): where the team stands on each step in the latest period with responses
    (up to `as_of`), and how it moved since the period before.

    {"current": label or None, "previous": label or None,
     "steps": [{"key", "name", "scales", "current": cell, "previous": cell, "change", "direction", "label"}]}
    """
    if steps is None or labels is None:
        spec = instrument_spec()
        steps = spec.get("pathway", []) if steps is None else steps
        labels = spec.get("scale_labels", {}) if labels is None else labels
    scores = [s for s in _response_scores([engagement_id]).values() if as_of is None or s["on"] <= as_of]
    if not scores:
        empty = minimum_count(None, 0)
        return {
            "current": None,
            "previous": None,
            "steps": [
                dict(step, current=empty, previous=empty, change=None, direction=None, label="") for step in steps
            ],
        }
    latest = max(s["on"] for s in scores)
    cur_key, cur_label, cur_start, cur_end = period_of(latest, period)
    prev_key, prev_label, prev_start, prev_end = previous_period(latest, period)
    current = _step_scores([s for s in scores if cur_start <= s["on"] <= cur_end], steps)
    previous = _step_scores([s for s in scores if prev_start <= s["on"] <= prev_end], steps)
    out = []
    for step in steps:
        now, before = current[step["key"]], previous[step["key"]]
        change = direction = None
        if now["mean"] is not None and before["mean"] is not None:
            change = now["mean"] - before["mean"]
            direction = "up" if change >= STEADY else "down" if change <= -STEADY else "steady"
        out.append(
            dict(
                step,
                current=now,
                previous=before,
                change=change,
                direction=direction,
                label=agreement_label(now["mean"], labels),
            )
        )
    return {"current": cur_label, "previous": prev_label, "steps": out}


def response_rate(engagement_id, start=None, end=None):
    """{"invited", "answered", "rate"} over the invitations sent in [start, end] (dates)."""
    query = FeedbackInvitation.select(fn.COUNT(FeedbackInvitation.id), fn.COUNT(FeedbackInvitation.used_at)).where(
        FeedbackInvitation.engagement == engagement_id
    )
    if start:
        query = query.where(FeedbackInvitation.created_at >= dt.datetime.combine(start, dt.time.min))
    if end:
        query = query.where(
            FeedbackInvitation.created_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
        )
    invited, answered = query.tuples().get()
    return {"invited": invited or 0, "answered": answered or 0, "rate": (answered / invited) if invited else None}


def open_comments(engagement_id):
    """Open answers, shown only when the engagement has at least MIN_RESPONSES responses:
    {"shown": bool, "n": responses, "by_question": {key: [text, ...]}} (texts sorted, undated, so
    their order says nothing about who wrote them)."""
    rows = list(
        FeedbackResponse.select(FeedbackResponse.comments)
        .where((FeedbackResponse.engagement == engagement_id) & FeedbackResponse.deleted_at.is_null())
        .tuples()
    )
    gate = minimum_count(0, len(rows))
    by_question = defaultdict(list)
    if not gate["suppressed"]:
        for (comments,) in rows:
            for key, text in json.loads(comments or "{}").items():
                if text:
                    by_question[key].append(text)
    return {
        "shown": not gate["suppressed"],
        "n": len(rows),
        "by_question": {k: sorted(v, key=str.lower) for k, v in by_question.items()},
    }


@cached_by_arguments
def engagement_report(engagement_id, period="quarter"):
    """One engagement's feedback as its report page and the API show it (the same for every reader
    allowed to see the engagement): {"scale_scores", "over_time", "pathway", "response_rate", "comments"}."""
    spec = instrument_spec()
    return {
        "scale_scores": scale_scores([engagement_id]),
        "over_time": scores_over_time(engagement_id, period),
        "pathway": pathway(engagement_id, period, steps=spec.get("pathway", []), labels=spec.get("scale_labels", {})),
        "response_rate": response_rate(engagement_id),
        "comments": open_comments(engagement_id),
    }


@cached_by_arguments
def glance(engagement_id):
    """The engagement page's summary: responses so far and the pathway (3 queries)."""
    return {"pathway": pathway(engagement_id), "responses": len(_response_dates(engagement_id))}


def csv_rows(engagement_id, period="quarter", scale_names=None):
    """Rows of the CSV export: period, scale, mean, n, note. Suppressed cells have an empty mean and a
    note; no names, emails or free text."""
    scale_names = scale_names or {}
    rows = [["period", "period_start", "period_end", "scale", "scale_name", "mean", "n", "note"]]
    for p in scores_over_time(engagement_id, period):
        for scale in list(scale_names) or list(p["scales"]):
            cell = p["scales"].get(scale) or minimum_count(None, 0)
            rows.append(
                [
                    p["label"],
                    p["start"].isoformat(),
                    p["end"].isoformat(),
                    scale,
                    scale_names.get(scale, scale),
                    "" if cell["suppressed"] else f"{cell['mean']:.2f}",
                    cell["n"],
                    f"hidden: fewer than {MIN_RESPONSES} responses" if cell["suppressed"] else "",
                ]
            )
    return rows
