"""Competencies used: which ISP competencies (and domains) were used, in which meetings, by whom,
over what period. Pure query functions (ReportFilters in, plain data out), aggregated in SQL with a
fixed number of queries whatever the number of meetings.

A competency counts the meetings in which it was used; a domain counts the meetings in which any of
its competencies was used (a meeting that used two competencies of one domain counts once);
share = meetings / total_meetings (the meetings in scope, whether or not they recorded competencies).

Both frameworks count (issue 19): a meeting logged with the other framework's competencies counts for the
shown framework's competencies through the crosswalk (tracker/catalog/crosswalk.json, with its source):

- A meeting counts for competency k when it recorded k, or a competency of the other framework linked
  to k (2020 -> 2021 by every link; 2021 -> 2020 by the links that count both ways). It counts ONCE for
  k, however many of its competencies lead there (a meeting that logged both 2020 co-learning and 2021
  co-learning counts one co-learning meeting).
- A 2020 competency linked to two 2021 ones (communication: brokering and addressing power
  differentials) counts once in EACH of them; a domain still counts a meeting once.
- `approximate`: the meetings counted for k only through an approximate link (no exact path to k): the
  page marks competencies whose count includes them, with a footnote.
"""

import math

from peewee import SQL, Case, Select, Value, fn

from ..catalog import crosswalk
from ..models import (
    Activity,
    ActivityCompetency,
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    Meeting,
    MeetingCompetency,
    Rollup,
    User,
)
from ..paging import page_of
from .cache import cached
from .filters import ReportFilters, month_label, month_of, month_range, rolled, share, took_part


def frameworks():
    """[{"key", "name", "short_name", "is_default"}], the default first (one query)."""
    return [
        {"key": f.key, "name": f.name, "short_name": f.short_name, "is_default": f.is_default}
        for f in CompetencyFramework.select().order_by(CompetencyFramework.is_default.desc(), CompetencyFramework.id)
    ]


def _framework(filters):
    """The framework asked for (by key), else the default. One query."""
    rows = list(CompetencyFramework.select().order_by(CompetencyFramework.is_default.desc(), CompetencyFramework.id))
    chosen = next((f for f in rows if filters.framework and f.key == filters.framework), None)
    return chosen or (rows[0] if rows else None)


def _catalog(framework):
    """The framework's domains and competencies in display order (one query). Retired competencies
    are included: old meetings still count them."""
    if framework is None:
        return [], []
    domains, competencies = {}, []
    for c in (
        Competency.select(Competency, CompetencyDomain)
        .join(CompetencyDomain)
        .where(CompetencyDomain.framework == framework)
        .order_by(CompetencyDomain.position, CompetencyDomain.id, Competency.position, Competency.id)
    ):
        domains.setdefault(c.domain.id, c.domain)
        competencies.append(c)
    return list(domains.values()), competencies


def _links(framework, competencies):
    """How meetings' competencies count for `framework`'s: [(recorded competency id, counted competency id,
    its domain id, 1 if exact else 0)], the framework's own competencies to themselves (exact) and the
    other framework's through the crosswalk (see the module's rule). One query (the linked ids)."""
    rows = [(c.id, c.id, c.domain_id, 1) for c in competencies]
    if framework is None or not competencies:
        return rows
    walk = crosswalk()
    if framework.key == walk["to_framework"]:
        pairs = [(link["from"], link["to"], link["match"]) for link in walk["links"]]
    elif framework.key == walk["from_framework"]:
        pairs = [(link["to"], link["from"], link["match"]) for link in walk["links"] if link["reverse"]]
    else:
        return rows
    shown = {c.key: c for c in competencies}
    other = dict(
        Competency.select(Competency.key, Competency.id)
        .join(CompetencyDomain)
        .join(CompetencyFramework)
        .where(Competency.key.in_([p[0] for p in pairs]) & (CompetencyFramework.key != framework.key))
        .tuples()
    )
    for recorded, counted, match in pairs:
        if recorded in other and counted in shown:
            rows.append((other[recorded], shown[counted].id, shown[counted].domain_id, int(match == "exact")))
    return rows


def counted_links(framework):
    """_links() of `framework`'s whole catalog (retired competencies included): how the meetings' competencies
    count for it, which the rollups keep as rows (tracker/rollups.py). Three queries."""
    return _links(framework, _catalog(framework)[1])


def _link_table(rows):
    """The links of _links() as a subquery `cw` (source, target, domain, exact): constant SELECTs joined by
    UNION ALL, which SQLite and PostgreSQL both read."""
    selects = [
        Select(
            columns=[
                Value(a).alias("source"),
                Value(b).alias("target"),
                Value(d).alias("domain_id"),
                Value(e).alias("exact"),
            ]
        )
        for a, b, d, e in rows
    ]
    table = selects[0]
    for other in selects[1:]:
        table = table.union_all(other)
    return table.alias("cw")


def _framework_info(framework):
    if framework is None:
        return None
    return {"key": framework.key, "name": framework.name, "short_name": framework.short_name}


def total_meetings(filters):
    return Meeting.select(fn.COUNT(Meeting.id)).where(filters.meeting_condition()).scalar() or 0


def _monthly_counts(filters, competencies, by_month=True, framework=None):
    """The aggregates every competency view is built from, each one GROUP BY query: meetings in scope
    per month; meetings per (domain, month); meetings per (competency, month), and per (competency,
    month) those counted only through an approximate crosswalk link. Meetings logged with the other
    framework count through the crosswalk (see the module's rule: each meeting once per competency).
    With by_month=False the "month" is one bucket (None) for the whole period, which is cheaper.
    Then the same three for the work between meetings (activities): activities per month, per (domain,
    month) and per (competency, month), as a `Counts`.

    Each meeting falls in one month, so totals over the period are sums of the months. The meetings' counts come
    from the rollups when they can answer the filters (tracker/rollups.py)."""
    rollup = filters.rollup_condition()
    if rollup is not None:
        totals, by_domain, by_competency, approximate = _counts_rolled(rollup, competencies, by_month)
    else:
        totals, by_domain, by_competency, approximate = _counts(
            filters.meeting_condition(), Meeting, MeetingCompetency, "meeting", competencies, by_month, framework
        )
    activity_totals, activity_domain, activity_competency, _ = _counts(
        filters.activity_condition(), Activity, ActivityCompetency, "activity", competencies, by_month, framework
    )
    return Counts(totals, by_domain, by_competency, approximate, activity_totals, activity_domain, activity_competency)


class Counts:
    """The aggregates of _monthly_counts(), by name: {month: n} and {(id, month): n} of meetings and activities."""

    def __init__(self, totals, by_domain, by_competency, approximate, activities, activity_domain, activity_competency):
        self.totals, self.by_domain, self.by_competency, self.approximate = (
            totals,
            by_domain,
            by_competency,
            approximate,
        )
        self.activities, self.activity_domain, self.activity_competency = (
            activities,
            activity_domain,
            activity_competency,
        )


def _counts(cond, event, link, link_field, competencies, by_month, framework):
    """({month: events in scope}, {(domain, month): events}, {(competency, month): events}, {(competency,
    month): events counted only through an approximate link}) of `event` (Meeting or Activity) through its
    competency links `link` (MeetingCompetency or ActivityCompetency, whose event field is `link_field`).
    Three queries (two with by_month=False)."""
    month = month_of(event.date) if by_month else SQL("NULL")
    group = [month] if by_month else []
    totals = (
        dict(event.select(month, fn.COUNT(event.id)).where(cond).group_by(month).tuples())
        if by_month
        else {None: event.select(fn.COUNT(event.id)).where(cond).scalar() or 0}
    )
    by_domain, by_competency, approximate = {}, {}, {}
    if competencies:
        cw = _link_table(_links(framework, competencies))
        linked = link.select().join(event).join_from(link, cw, on=(cw.c.source == link.competency))
        counted = getattr(link, link_field)
        for domain_id, key, n in (
            linked.select(cw.c.domain_id, month, fn.COUNT(counted.distinct()))
            .where(cond)
            .group_by(cw.c.domain_id, *group)
            .tuples()
        ):
            by_domain[(domain_id, key)] = n
        exact = fn.COUNT(Case(None, [(cw.c.exact == 1, counted)], None).distinct())
        for competency_id, key, n, n_exact in (
            linked.select(cw.c.target, month, fn.COUNT(counted.distinct()), exact)
            .where(cond)
            .group_by(cw.c.target, *group)
            .tuples()
        ):
            by_competency[(competency_id, key)] = n
            approximate[(competency_id, key)] = n - n_exact
    return totals, by_domain, by_competency, approximate


def _counts_rolled(condition, competencies, by_month):
    """_counts() of the meetings, read from the rollups (`condition`: ReportFilters.rollup_condition()), which
    count every framework's competencies through the crosswalk: those of `competencies` and their domains are
    kept. Three queries."""
    month = [Rollup.month] if by_month else []
    if by_month:
        totals = {key: n for key, n, _minutes, _exact in rolled(condition, "session", Rollup.month)}
    else:
        whole = rolled(condition, "session")
        totals = {None: whole[0][0] if whole else 0}

    def by_tag(dim, kept):
        """{(tag, month or None): (sessions, exact)} of `dim`'s rows whose tag is in `kept`."""
        return {
            (row[0], row[1] if by_month else None): (row[-3], row[-1])
            for row in rolled(condition, dim, Rollup.tag, *month)
            if row[0] in kept
        }

    by_domain = {key: n for key, (n, _exact) in by_tag("domain", {c.domain_id for c in competencies}).items()}
    by_competency, approximate = {}, {}
    for key, (n, exact) in by_tag("competency", {c.id for c in competencies}).items():
        by_competency[key] = n
        approximate[key] = n - exact
    return totals, by_domain, by_competency, approximate


def _summed(by_key_month):
    out = {}
    for (key, _month), n in by_key_month.items():
        out[key] = out.get(key, 0) + n
    return out


@cached
def report(filters):
    """(competencies_used(filters), over_time(filters)) computed from one set of queries."""
    framework = _framework(filters)
    domains, competencies = _catalog(framework)
    counts = _monthly_counts(filters, competencies, framework=framework)
    return (_used(framework, domains, competencies, counts), _over_time(framework, domains, competencies, counts))


@cached
def competencies_used(filters):
    """{"framework", "total_meetings", "total_activities", "domains": [{"key", "name", "meetings", "share",
    "activities"}], "competencies": [{"key", "name", "domain", "meetings", "share", "retired", "approximate",
    "activities"}]} (approximate: the meetings counted only through an approximate crosswalk link; activities:
    the work between meetings tagged with it, its own series). Nine queries."""
    framework = _framework(filters)
    domains, competencies = _catalog(framework)
    counts = _monthly_counts(filters, competencies, by_month=False, framework=framework)
    return _used(framework, domains, competencies, counts)


def _used(framework, domains, competencies, counts):
    total = sum(counts.totals.values())
    by_domain, by_competency = _summed(counts.by_domain), _summed(counts.by_competency)
    approximate = _summed(counts.approximate)
    activity_domain, activity_competency = _summed(counts.activity_domain), _summed(counts.activity_competency)
    domain_keys = {d.id: d.key for d in domains}
    return {
        "framework": _framework_info(framework),
        "total_meetings": total,
        "total_activities": sum(counts.activities.values()),
        "domains": [
            {
                "key": d.key,
                "name": d.name,
                "meetings": by_domain.get(d.id, 0),
                "share": share(by_domain.get(d.id, 0), total),
                "activities": activity_domain.get(d.id, 0),
            }
            for d in domains
        ],
        "competencies": [
            {
                "key": c.key,
                "name": c.name,
                "domain": domain_keys[c.domain_id],
                "meetings": by_competency.get(c.id, 0),
                "share": share(by_competency.get(c.id, 0), total),
                "retired": c.retired,
                "approximate": approximate.get(c.id, 0),
                "activities": activity_competency.get(c.id, 0),
            }
            for c in competencies
            if not c.retired or by_competency.get(c.id) or activity_competency.get(c.id)
        ],
    }


def domain_split(used):
    """How the competency uses of competencies_used() split across the domains: a use is a competency
    recorded in a meeting (a meeting that used two competencies of a domain counts two uses), so the
    shares add up to 1. No query.

    {"total_uses", "domains": [{"key", "name", "uses", "share", "meetings", "meeting_share"}]}
    (meetings and meeting_share: the domain's sessions and their share of all sessions, as in `used`)."""
    uses = {}
    for c in used["competencies"]:
        uses[c["domain"]] = uses.get(c["domain"], 0) + c["meetings"]
    total = sum(uses.values())
    return {
        "total_uses": total,
        "domains": [
            {
                "key": d["key"],
                "name": d["name"],
                "uses": uses.get(d["key"], 0),
                "share": share(uses.get(d["key"], 0), total),
                "meetings": d["meetings"],
                "meeting_share": d["share"],
            }
            for d in used["domains"]
        ],
    }


@cached
def over_time(filters):
    """By month: meetings in scope and, per domain and per competency, the meetings that used it; beside them,
    as their own series, the activities (work between meetings) in scope and those tagged with it.

    {"framework", "months": [{"key": "2026-01", "label": "Jan 2026", "meetings": n, "activities": n}],
     "domains": [{"key", "name", "meetings": [n per month], "share": [per month], "activities": [n per month]}],
     "competencies": [{"key", "name", "domain", "meetings": [n per month], "share": [per month],
                       "activities": [n per month]}]}.
    A share is of the meetings of that month. Eight queries."""
    framework = _framework(filters)
    domains, competencies = _catalog(framework)
    return _over_time(framework, domains, competencies, _monthly_counts(filters, competencies, framework=framework))


def _over_time(framework, domains, competencies, counts):
    totals, by_domain, by_competency = counts.totals, counts.by_domain, counts.by_competency
    activity_domain, activity_competency = counts.activity_domain, counts.activity_competency
    months = month_range(set(totals) | set(counts.activities))
    domain_keys = {d.id: d.key for d in domains}
    used = {cid for cid, _ in by_competency} | {cid for cid, _ in activity_competency}
    return {
        "framework": _framework_info(framework),
        "months": [
            {"key": m, "label": month_label(m), "meetings": totals.get(m, 0), "activities": counts.activities.get(m, 0)}
            for m in months
        ],
        "domains": [
            {
                "key": d.key,
                "name": d.name,
                "meetings": [by_domain.get((d.id, m), 0) for m in months],
                "share": [share(by_domain.get((d.id, m), 0), totals.get(m, 0)) for m in months],
                "activities": [activity_domain.get((d.id, m), 0) for m in months],
            }
            for d in domains
        ],
        "competencies": [
            {
                "key": c.key,
                "name": c.name,
                "domain": domain_keys[c.domain_id],
                "meetings": [by_competency.get((c.id, m), 0) for m in months],
                "share": [share(by_competency.get((c.id, m), 0), totals.get(m, 0)) for m in months],
                "activities": [activity_competency.get((c.id, m), 0) for m in months],
            }
            for c in competencies
            if not c.retired or c.id in used
        ],
    }


@cached
def by_isp(filters, page=None, per_page=25):
    """Which competencies each ISP draws on, and which they never use.

    An ISP's meetings are those they attended or logged. {"framework", "domains": [{"key", "name"}],
    "competencies": [{"key", "name", "domain"}],
    "isps": [{"id", "name", "meetings", "counts": {competency key: meetings}, "never": [names]}],
    "page": a views.paging.Page over the ISPs, by name (all of them when `page` is None)}.
    With a page, the per-competency counts are computed for that page's ISPs only. Four queries; from the rollups
    when they can answer the filters (tracker/rollups.py)."""
    framework = _framework(filters)
    domains, competencies = _catalog(framework)
    competencies = [c for c in competencies if not c.retired]
    domain_keys = {d.id: d.key for d in domains}
    rollup = filters.rollup_condition()
    if rollup is not None:
        listed, isp_totals, counts = _by_isp_rolled(rollup, competencies, page, per_page)
    else:
        listed, isp_totals, counts = _by_isp_raw(filters, competencies, page, per_page)
    return {
        "framework": _framework_info(framework),
        "domains": [{"key": d.key, "name": d.name} for d in domains],
        "competencies": [{"key": c.key, "name": c.name, "domain": domain_keys[c.domain_id]} for c in competencies],
        "isps": [
            {
                "id": uid,
                "name": name,
                "meetings": n,
                "counts": {c.key: counts.get((uid, c.id), 0) for c in competencies},
                "never": [c.name for c in competencies if not counts.get((uid, c.id))],
            }
            for uid, name, n in isp_totals
        ],
        "page": listed,
    }


def _by_isp_rolled(condition, competencies, page, per_page):
    """_by_isp_raw() read from the rollups (`condition`: ReportFilters.rollup_condition()). Three queries."""
    isps = User.select(User.id).where(User.role == "isp")
    sessions = dict(
        (tag, n) for tag, n, _minutes, _exact in rolled(condition & Rollup.tag.in_(isps), "isp_session", Rollup.tag)
    )
    names = (
        User.select(User.id, User.name).where(User.id.in_(list(sessions))).order_by(User.name, User.id).tuples()
        if sessions
        else []
    )
    isp_totals = [(uid, name, sessions[uid]) for uid, name in names]
    listed, isp_totals = page_of(isp_totals, page, per_page if page is not None else max(1, len(isp_totals)))
    counts = {}
    if competencies and isp_totals:
        shown = condition & Rollup.tag.in_([uid for uid, _name, _n in isp_totals])
        shown &= Rollup.item.in_([c.id for c in competencies])
        counts = {(uid, cid): n for uid, cid, n, _m, _e in rolled(shown, "isp_competency", Rollup.tag, Rollup.item)}
    return listed, isp_totals, counts


def _by_isp_raw(filters, competencies, page, per_page):
    """(the page, [(ISP id, name, sessions)] on it, {(ISP id, competency id): sessions}) of by_isp(), from the raw
    rows. Two queries."""
    part = took_part()
    isp_totals = list(
        User.select(User.id, User.name, fn.COUNT(Meeting.id.distinct()))
        .join(part, on=(part.c.user_id == User.id))
        .join(Meeting, on=(Meeting.id == part.c.meeting_id))
        .where((User.role == "isp") & filters.meeting_condition())
        .group_by(User.id, User.name)
        .order_by(User.name, User.id)
        .tuples()
    )
    listed, isp_totals = page_of(isp_totals, page, per_page if page is not None else max(1, len(isp_totals)))
    counts = {}
    if competencies and isp_totals:
        part = took_part([uid for uid, _name, _n in isp_totals])
        for user_id, competency_id, n in (
            User.select(User.id, MeetingCompetency.competency, fn.COUNT(SQL("*")))
            .join(part, on=(part.c.user_id == User.id))
            .join(Meeting, on=(Meeting.id == part.c.meeting_id))
            .join(MeetingCompetency, on=(MeetingCompetency.meeting == Meeting.id))
            .where(
                (User.role == "isp")
                & filters.meeting_condition()
                & MeetingCompetency.competency.in_([c.id for c in competencies])
            )
            .group_by(User.id, MeetingCompetency.competency)
            .tuples()
        ):
            counts[(user_id, competency_id)] = n
    return listed, isp_totals, counts


def without_unused(isps):
    """by_isp()'s ISPs as a reader who may not see which competencies an ISP never used
    (policy.can_see_unused_competencies: recipients) gets them: no `never`, and `counts` only of the
    competencies the ISP did use. No query."""
    return [
        {**{k: v for k, v in isp.items() if k != "never"}, "counts": {k: n for k, n in isp["counts"].items() if n}}
        for isp in isps
    ]


SHADES = 5  # the matrix's shading levels above zero


def isp_matrix(isps):
    """The ISP × competency matrix of by_isp(): columns grouped by domain (in catalog order), and for each
    ISP a cell per competency with the sessions that drew on it, their share of the ISP's sessions, and a
    shading level (0 = none, 1..SHADES by share) so the page can shade cells beside the printed numbers.
    No query.

    {"domains": [{"key", "name", "competencies": [{"key", "name"}]}],
     "rows": [{"id", "name", "meetings", "cells": [{"key", "meetings", "share", "level"}]}]}."""
    domains = [
        {
            "key": d["key"],
            "name": d["name"],
            "competencies": [c for c in isps["competencies"] if c["domain"] == d["key"]],
        }
        for d in isps["domains"]
    ]
    domains = [d for d in domains if d["competencies"]]
    columns = [c for d in domains for c in d["competencies"]]
    rows = []
    for isp in isps["isps"]:
        cells = []
        for c in columns:
            n = isp["counts"].get(c["key"], 0)
            part = share(n, isp["meetings"])
            cells.append(
                {"key": c["key"], "meetings": n, "share": part, "level": min(SHADES, math.ceil(part * SHADES))}
            )
        rows.append({"id": isp["id"], "name": isp["name"], "meetings": isp["meetings"], "cells": cells})
    return {"domains": domains, "rows": rows}


def _quarter(month_key):
    """'2026-Q1' of 'YYYY-MM'."""
    year, month = month_key.split("-")
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def _quarter_label(key):
    year, quarter = key.split("-")
    return f"{quarter} {year}"


def own_profile_filters(user, framework=None):
    """The filters of an ISP's own competency profile: the reader as the ISP (meetings they took part in,
    activities that list them), no other filter but the competency framework."""
    return ReportFilters(user=user, isp=user.id, framework=framework)


@cached
def isp_profile(filters):
    """An ISP's own competency profile over time: for the ISP `filters.isp` (the reader, who is that ISP), the
    competencies they drew on by quarter, in the meetings they took part in (attended or logged) and, apart, in
    their activities (the work between meetings that lists them), in the framework asked for (crosswalk as in
    the other views). Only what the reader may see (filters.meeting_condition / activity_condition).

    {"framework", "quarters": [{"key": "2026-Q1", "label": "Q1 2026", "meetings", "activities"}] (every quarter
     from the first to the last with a meeting or an activity), "total_meetings", "total_activities",
     "competencies": [{"key", "name", "domain", "domain_name", "meetings": [n per quarter],
                       "activities": [n per quarter], "total_meetings", "total_activities"}]
        (those drawn on at least once, in catalog order), "domains": [{"key", "name"}]}.
    Seven queries."""
    framework = _framework(filters)
    domains, competencies = _catalog(framework)
    counts = _monthly_counts(filters, competencies, framework=framework)
    months = month_range(set(counts.totals) | set(counts.activities))
    quarters = list(dict.fromkeys(_quarter(m) for m in months))

    def by_quarter(by_month):
        out = {}
        for month, n in by_month.items():
            out[_quarter(month)] = out.get(_quarter(month), 0) + n
        return out

    def by_id_quarter(by_id_month):
        out = {}
        for (cid, month), n in by_id_month.items():
            key = (cid, _quarter(month))
            out[key] = out.get(key, 0) + n  # each meeting falls in one month, so a quarter is the sum of its months
        return out

    meetings, activities = by_quarter(counts.totals), by_quarter(counts.activities)
    used, used_activities = by_id_quarter(counts.by_competency), by_id_quarter(counts.activity_competency)
    domain_names = {d.id: d for d in domains}
    rows = []
    for c in competencies:
        m = [used.get((c.id, q), 0) for q in quarters]
        a = [used_activities.get((c.id, q), 0) for q in quarters]
        if sum(m) or sum(a):
            rows.append(
                {
                    "key": c.key,
                    "name": c.name,
                    "domain": domain_names[c.domain_id].key,
                    "domain_name": domain_names[c.domain_id].name,
                    "meetings": m,
                    "activities": a,
                    "total_meetings": sum(m),
                    "total_activities": sum(a),
                }
            )
    return {
        "framework": _framework_info(framework),
        "quarters": [
            {"key": q, "label": _quarter_label(q), "meetings": meetings.get(q, 0), "activities": activities.get(q, 0)}
            for q in quarters
        ],
        "total_meetings": sum(meetings.values()),
        "total_activities": sum(activities.values()),
        "domains": [{"key": d.key, "name": d.name} for d in domains if any(r["domain"] == d.key for r in rows)],
        "competencies": rows,
    }
