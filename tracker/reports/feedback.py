"""Recipient feedback reports: scale scores, scores over time, the recipients' pathway, response rate.

Scoring (Weiner et al. 2017), as the scales' sources define it: a scale score comes from full surveys
only, never from pulses. A survey scores a scale when it answered at least three of the scale's items
(MIN_SCALE_ITEMS: three of the four items of AIM, IAM and FIM; all items of a shorter scale); its score
is the mean of the items it answered. A survey with fewer answers does not count for that scale. A
scale's score is the mean of those survey scores, with n = the surveys that count. A pathway step with
several scales (appropriateness and feasibility) is the mean of its scales' shown scores.

Pulse items are items, not scales: a pulse asks one item of a few scales, so its answers are reported
per item (pulse_items_over_time: each item's mean by month or quarter), under the same disclosure.

Disclosure (docs/disclosure.md) is applied here, for pages, the API, the CSV and the research export
alike: every figure is computed from released responses only (models FeedbackRelease: on each subject,
a scale, the count of responses or the comments, a release holds at least RELEASE_SIZE responses), and
responses are placed in the period of their release, never of their answer. Every group shown (a
month, a quarter, an engagement, any filter of engagements and dates) is therefore a union of whole
releases: it holds at least three responses, any two differ by at least three, and nothing changes
until three more have been released. A deleted response stays in the releases it is in. `minimum_count`
is still the gate of every cell.

Pure query functions: filters in, plain data out, a fixed number of queries whatever the data size.
"""

import datetime as dt
import json
from collections import defaultdict

from peewee import SQL, fn

from ..dates import format_month
from ..models import (
    MIN_SCALE_ITEMS,
    RELEASE_COMMENTS,
    RELEASE_ITEM,
    RELEASE_RESPONSES,
    RELEASE_SIZE,
    SUPPORT_MODELS,
    Engagement,
    FeedbackAnswer,
    FeedbackInstrument,
    FeedbackInvitation,
    FeedbackItem,
    FeedbackRelease,
    FeedbackReleased,
    FeedbackResponse,
    RollupFeedbackScore,
    Unit,
)
from .cache import cached, cached_by_arguments

MIN_RESPONSES = RELEASE_SIZE
STEADY = 0.05  # a change smaller than this (on the 1-5 scale) is shown as no movement


def minimum_count(mean, n):
    """The gate of every cell: a cell shows its mean only from MIN_RESPONSES responses."""
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


# --- loading: released responses only ------------------------------------------------------------------


def score_rows(released=None):
    """The rule of a released scale score, as a SELECT of rollup_feedback_score's columns (released_id,
    engagement_id, released_on, scale, score): a response's answers on a scale count only through that
    scale's release of the response, and only when it is a full survey that answered at least
    MIN_SCALE_ITEMS of the scale's items (all of a shorter scale); its score is their mean.

    `released`: a function of the feedback_released id column giving a SQL condition on the rows to
    compute (None: all). The query binds no parameters, so tracker/rollups.py writes it into the triggers
    that keep the table in step with every write (and `rebuild` fills the table from it)."""
    released_row = FeedbackReleased.alias("rd")
    size = (
        FeedbackItem.select(FeedbackItem.instrument, FeedbackItem.scale, fn.COUNT(FeedbackItem.id).alias("items"))
        .where(FeedbackItem.scale.is_null(False))
        .group_by(FeedbackItem.instrument, FeedbackItem.scale)
        .alias("size")
    )
    answered = fn.COUNT(FeedbackAnswer.id)
    condition = FeedbackResponse.kind == SQL("'survey'")
    if released is not None:
        condition &= SQL(released('"rd"."id"'))
    return (
        released_row.select(
            released_row.id,
            FeedbackRelease.engagement,
            FeedbackRelease.released_on,
            FeedbackItem.scale,
            fn.AVG(FeedbackAnswer.value),
        )
        .join(FeedbackRelease, on=(FeedbackRelease.id == released_row.release))
        .switch(released_row)
        .join(FeedbackResponse, on=(FeedbackResponse.id == released_row.response))
        .switch(released_row)
        .join(FeedbackAnswer, on=(FeedbackAnswer.response == released_row.response))
        .join(FeedbackItem, on=(FeedbackItem.id == FeedbackAnswer.item) & (FeedbackItem.scale == released_row.subject))
        .join(size, on=(size.c.instrument_id == FeedbackItem.instrument) & (size.c.scale == FeedbackItem.scale))
        .where(condition)
        .group_by(released_row.id, FeedbackRelease.engagement, FeedbackRelease.released_on, FeedbackItem.scale)
        .having((answered >= SQL(str(int(MIN_SCALE_ITEMS)))) | (answered >= fn.MAX(size.c.items)))
    )


def _scores(engagement_ids, start=None, end=None):
    """Condition on the released scale scores (RollupFeedbackScore) of these engagements (a list or a
    subquery of ids) released in [start, end]."""
    query = RollupFeedbackScore.engagement_id.in_(engagement_ids)
    if start:
        query &= RollupFeedbackScore.released_on >= start
    if end:
        query &= RollupFeedbackScore.released_on <= end
    return query


def _scores_by_engagement(engagement_ids, start=None, end=None):
    """[(engagement id, scale, mean, n)]: the mean of the released scores per engagement and scale (one query)."""
    score = RollupFeedbackScore
    return list(
        score.select(score.engagement_id, score.scale, fn.AVG(score.score), fn.COUNT(SQL("*")))
        .where(_scores(engagement_ids, start, end))
        .group_by(score.engagement_id, score.scale)
        .tuples()
    )


def _released_scores(engagement_ids, start=None, end=None):
    """[(released_on, scale, score)]: one row per released response and scale (one query)."""
    score = RollupFeedbackScore
    query = score.select(score.released_on, score.scale, score.score).where(_scores(engagement_ids, start, end))
    return [(_as_date(on), scale, float(value)) for on, scale, value in query.tuples()]


def _aggregate(rows, scales=None):
    """{scale: cell} over (scale, score) rows."""
    per_scale = defaultdict(list)
    for scale, value in rows:
        per_scale[scale].append(value)
    keys = list(scales) if scales is not None else sorted(per_scale)
    return {s: minimum_count(_mean(per_scale.get(s, [])), len(per_scale.get(s, []))) for s in keys}


def scale_scores(engagement_ids, start=None, end=None):
    """{scale: {"mean", "n", "suppressed"}} over the responses of these engagements (a list or a
    subquery of ids) released in [start, end]: each response's mean per scale, then the mean of those
    and how many responses count. One query over the kept scores (RollupFeedbackScore), whatever the
    number of answers."""
    score = RollupFeedbackScore
    rows = (
        score.select(score.scale, fn.AVG(score.score), fn.COUNT(SQL("*")))
        .where(_scores(engagement_ids, start, end))
        .group_by(score.scale)
        .order_by(score.scale)
        .tuples()
    )
    return {scale: minimum_count(float(mean), n) for scale, mean, n in rows}


def engagement_means(engagement_ids, start=None, end=None):
    """{engagement_id: (mean, n)} over the responses released in [start, end]: the mean of the
    engagement's shown scale means, n the most responses behind one of them (one query). For the
    portfolio's "feedback falling" flag."""
    cells = defaultdict(list)
    for eid, _scale, mean, n in _scores_by_engagement(engagement_ids, start, end):
        cell = minimum_count(float(mean), n)
        if not cell["suppressed"]:
            cells[eid].append(cell)
    return {eid: (_mean([c["mean"] for c in shown]), max(c["n"] for c in shown)) for eid, shown in cells.items()}


def released_counts(engagement_id):
    """[released_on] of each released response of the engagement (one per response, one query)."""
    return [
        _as_date(on)
        for (on,) in FeedbackReleased.select(FeedbackRelease.released_on)
        .join(FeedbackRelease)
        .where((FeedbackRelease.engagement == engagement_id) & (FeedbackRelease.subject == RELEASE_RESPONSES))
        .tuples()
    ]


def responses_received(engagement_id):
    """How many live responses the engagement has (a count, never who; one query)."""
    return (
        FeedbackResponse.select()
        .where((FeedbackResponse.engagement == engagement_id) & FeedbackResponse.deleted_at.is_null())
        .count()
    )


def scores_over_time(engagement_id, period="quarter"):
    """[{"key", "label", "start", "end", "responses", "scales": {scale: cell}}] for every period from the
    first release to the last (periods without releases included, with n = 0); "responses" counts the
    responses released in the period. Two queries."""
    scores = _released_scores([engagement_id])
    dates = released_counts(engagement_id)
    if not dates and not scores:
        return []
    responses = defaultdict(int)
    for day in dates:
        responses[period_of(day, period)[0]] += 1
    by_period = defaultdict(list)
    for on, scale, score in scores:
        by_period[period_of(on, period)[0]].append((scale, score))
    scales = sorted({scale for _on, scale, _score in scores})
    days = dates + [on for on, _scale, _score in scores]
    rows = []
    day = min(days)
    last_key = period_of(max(days), period)[0]
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


def pulse_items_over_time(engagement_id, period="quarter"):
    """The pulse items trended on their own: {"items": [{"key", "text", "scale"}] (in instrument order),
    "periods": [{"key", "label", "start", "end", "items": {item_key: cell}}]}, every period from the first
    release of a pulse item to the last. A cell is the mean of the released pulse answers to that item,
    placed in the period of their release and gated by minimum_count like every cell (two queries)."""
    rows = [
        (key, value, on)
        for key, value, on, subject in FeedbackAnswer.select(
            FeedbackItem.key, FeedbackAnswer.value, FeedbackRelease.released_on, FeedbackReleased.subject
        )
        .join(FeedbackItem)
        .switch(FeedbackAnswer)
        .join(FeedbackReleased, on=(FeedbackReleased.response == FeedbackAnswer.response))
        .join(FeedbackRelease)
        .where((FeedbackRelease.engagement == engagement_id) & FeedbackReleased.subject.startswith(RELEASE_ITEM))
        .tuples()
        if subject == RELEASE_ITEM + key
    ]
    if not rows:
        return {"items": [], "periods": []}
    keys = {key for key, _value, _on in rows}
    latest = {}  # each item's wording and place in the latest version that has it
    for item in (
        FeedbackItem.select(FeedbackItem, FeedbackInstrument.version)
        .join(FeedbackInstrument)
        .where(FeedbackItem.key.in_(keys))
        .order_by(FeedbackInstrument.version, FeedbackItem.position)
    ):
        latest[item.key] = (item.instrument.version, item.position, item)
    items = [
        {"key": item.key, "text": item.text, "scale": item.scale}
        for _v, _p, item in sorted(latest.values(), key=lambda t: (-t[0], t[1]))
    ]
    by_period = defaultdict(lambda: defaultdict(list))
    days = []
    for key, value, on in rows:
        on = _as_date(on)
        days.append(on)
        by_period[period_of(on, period)[0]][key].append(value)
    periods = []
    day = min(days)
    last_key = period_of(max(days), period)[0]
    while True:
        key, label, start, end = period_of(day, period)
        values = by_period.get(key, {})
        periods.append(
            {
                "key": key,
                "label": label,
                "start": start,
                "end": end,
                "items": {
                    i["key"]: minimum_count(_mean(values.get(i["key"], [])), len(values.get(i["key"], [])))
                    for i in items
                },
            }
        )
        if key == last_key:
            return {"items": items, "periods": periods}
        day = end + dt.timedelta(days=1)


def _step_scores(cells, steps):
    """{step_key: cell} from the scale cells of one group: a step's mean is the mean of its scales'
    shown means (computed only from what is shown, so it can reveal nothing more), its n the fewest
    responses among them."""
    out = {}
    for step in steps:
        shown = [cells[s] for s in step["scales"] if s in cells and not cells[s]["suppressed"]]
        out[step["key"]] = minimum_count(_mean([c["mean"] for c in shown]), min((c["n"] for c in shown), default=0))
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
    scores = [
        (on, scale, score) for on, scale, score in _released_scores([engagement_id]) if as_of is None or on <= as_of
    ]
    if not scores:
        empty = minimum_count(None, 0)
        return {
            "current": None,
            "previous": None,
            "steps": [
                dict(step, current=empty, previous=empty, change=None, direction=None, label="") for step in steps
            ],
        }
    latest = max(on for on, _scale, _score in scores)
    _cur_key, cur_label, cur_start, cur_end = period_of(latest, period)
    _prev_key, prev_label, prev_start, prev_end = previous_period(latest, period)
    current = _step_scores(_aggregate([(sc, v) for on, sc, v in scores if cur_start <= on <= cur_end]), steps)
    previous = _step_scores(_aggregate([(sc, v) for on, sc, v in scores if prev_start <= on <= prev_end]), steps)
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


def _group_steps(parts, steps, labels):
    """A group's pathway from its engagements' (scale, mean, n) parts: each scale's mean over all the
    released responses of the group (the n-weighted mean of its engagements' means, as if computed in one
    query), gated by minimum_count, then each step from the shown scale means (_step_scores)."""
    sums, counts = defaultdict(float), defaultdict(int)
    for scale, mean, n in parts:
        sums[scale] += mean * n
        counts[scale] += n
    cells = {scale: minimum_count(sums[scale] / counts[scale], counts[scale]) for scale in counts}
    scored = _step_scores(cells, steps)
    return [
        {
            "key": step["key"],
            "name": step["name"],
            **scored[step["key"]],
            "label": agreement_label(scored[step["key"]]["mean"], labels),
        }
        for step in steps
    ]


@cached
def pathway_across(filters):
    """The recipients' pathway over the engagements the report filters choose (engagement, unit, ISP,
    model, stage) from the responses released between the filters' dates: for all of them, by unit and
    by model of support. Two queries.

    {"min_responses", "steps": [{"key", "name", "scales"}], "engagements": count,
     "portfolio": {"name", "engagements", "steps": [step]},
     "by_unit": [{"id", "name", "engagements", "steps"}], "by_model": [{"key", "name", "engagements", "steps"}]}
    where a step is {"key", "name", "mean", "n", "suppressed", "label"}.

    Disclosure (docs/disclosure.md): every group is a set of engagements, so its figures are unions of
    whole releases, as the Progress report's feedback over the same filters (which shows the same scale
    means for the portfolio): a group with fewer than MIN_RESPONSES released responses on a scale shows
    no figure, and two groups differ by whole releases. A response not yet released is in no group."""
    spec = instrument_spec()
    steps = [{"key": s["key"], "name": s["name"], "scales": list(s["scales"])} for s in spec.get("pathway", [])]
    labels = spec.get("scale_labels", {})
    engagements = list(
        Engagement.select(Engagement.id, Engagement.unit, Unit.name, Engagement.support_model)
        .join(Unit)
        .where(Engagement.id.in_(filters.engagement_ids()))
        .tuples()
    )
    by_engagement = defaultdict(list)
    for eid, scale, mean, n in _scores_by_engagement(filters.engagement_ids(), filters.start, filters.end):
        by_engagement[eid].append((scale, float(mean), n))
    units, models = defaultdict(list), defaultdict(list)
    unit_names = {}
    for eid, unit_id, unit_name, model in engagements:
        units[unit_id].append(eid)
        unit_names[unit_id] = unit_name
        models[model].append(eid)

    def group(eids):
        return _group_steps([part for eid in eids for part in by_engagement.get(eid, [])], steps, labels)

    return {
        "min_responses": MIN_RESPONSES,
        "steps": steps,
        "engagements": len(engagements),
        "portfolio": {
            "name": "All engagements in scope",
            "engagements": len(engagements),
            "steps": group([eid for eid, *_rest in engagements]),
        },
        "by_unit": [
            {"id": uid, "name": unit_names[uid], "engagements": len(units[uid]), "steps": group(units[uid])}
            for uid in sorted(units, key=lambda u: (unit_names[u].lower(), u))
        ],
        "by_model": [
            {"key": key, "name": name, "engagements": len(models[key]), "steps": group(models[key])}
            for key, name in SUPPORT_MODELS
            if key in models
        ],
    }


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
    """Open answers, only those released (in groups of at least MIN_RESPONSES responses with a
    comment): {"shown": bool, "n": responses whose comments are released, "by_question": {key: [text]}}
    (texts sorted, undated, so their order says nothing about who wrote them or when)."""
    rows = list(
        FeedbackResponse.select(FeedbackResponse.comments)
        .join(FeedbackReleased, on=(FeedbackReleased.response == FeedbackResponse.id))
        .join(FeedbackRelease)
        .where((FeedbackRelease.engagement == engagement_id) & (FeedbackRelease.subject == RELEASE_COMMENTS))
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
    allowed to see the engagement): {"scale_scores", "over_time", "pathway", "response_rate", "comments",
    "received", "pulse_items"}: every figure from released responses only; "received" and the response
    rate are counts."""
    spec = instrument_spec()
    return {
        "received": responses_received(engagement_id),
        "scale_scores": scale_scores([engagement_id]),
        "over_time": scores_over_time(engagement_id, period),
        "pathway": pathway(engagement_id, period, steps=spec.get("pathway", []), labels=spec.get("scale_labels", {})),
        "response_rate": response_rate(engagement_id),
        "comments": open_comments(engagement_id),
        "pulse_items": pulse_items_over_time(engagement_id, period),
    }


@cached_by_arguments
def glance(engagement_id):
    """The engagement page's summary: responses so far (a count) and the pathway (2 queries)."""
    return {"pathway": pathway(engagement_id), "responses": responses_received(engagement_id)}


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
                    f"hidden: fewer than {MIN_RESPONSES} released responses" if cell["suppressed"] else "",
                ]
            )
    return rows
