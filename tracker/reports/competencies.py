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
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    Meeting,
    MeetingAttendee,
    MeetingCompetency,
    User,
)
from ..paging import page_of
from .cache import cached
from .filters import month_label, month_of, month_range, share


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

    Each meeting falls in one month, so totals over the period are sums of the months."""
    month = month_of(Meeting.date) if by_month else SQL("NULL")
    group = [month] if by_month else []
    totals = (
        dict(Meeting.select(month, fn.COUNT(Meeting.id)).where(filters.meeting_condition()).group_by(month).tuples())
        if by_month
        else {None: total_meetings(filters)}
    )
    by_domain, by_competency, approximate = {}, {}, {}
    if competencies:
        cw = _link_table(_links(framework, competencies))
        linked = (
            MeetingCompetency.select()
            .join(Meeting)
            .join_from(MeetingCompetency, cw, on=(cw.c.source == MeetingCompetency.competency))
        )
        meeting = MeetingCompetency.meeting
        for domain_id, key, n in (
            linked.select(cw.c.domain_id, month, fn.COUNT(meeting.distinct()))
            .where(filters.meeting_condition())
            .group_by(cw.c.domain_id, *group)
            .tuples()
        ):
            by_domain[(domain_id, key)] = n
        exact = fn.COUNT(Case(None, [(cw.c.exact == 1, meeting)], None).distinct())
        for competency_id, key, n, n_exact in (
            linked.select(cw.c.target, month, fn.COUNT(meeting.distinct()), exact)
            .where(filters.meeting_condition())
            .group_by(cw.c.target, *group)
            .tuples()
        ):
            by_competency[(competency_id, key)] = n
            approximate[(competency_id, key)] = n - n_exact
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
    return (_used(framework, domains, competencies, *counts), _over_time(framework, domains, competencies, *counts))


@cached
def competencies_used(filters):
    """{"framework", "total_meetings", "domains": [{"key", "name", "meetings", "share"}],
    "competencies": [{"key", "name", "domain", "meetings", "share", "retired", "approximate"}]}
    (approximate: the meetings counted only through an approximate crosswalk link). Six queries."""
    framework = _framework(filters)
    domains, competencies = _catalog(framework)
    counts = _monthly_counts(filters, competencies, by_month=False, framework=framework)
    return _used(framework, domains, competencies, *counts)


def _used(framework, domains, competencies, totals, by_domain_month, by_competency_month, approximate_month):
    total = sum(totals.values())
    by_domain, by_competency = _summed(by_domain_month), _summed(by_competency_month)
    approximate = _summed(approximate_month)
    domain_keys = {d.id: d.key for d in domains}
    return {
        "framework": _framework_info(framework),
        "total_meetings": total,
        "domains": [
            {
                "key": d.key,
                "name": d.name,
                "meetings": by_domain.get(d.id, 0),
                "share": share(by_domain.get(d.id, 0), total),
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
            }
            for c in competencies
            if not c.retired or by_competency.get(c.id)
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
    """By month: meetings in scope and, per domain and per competency, the meetings that used it.

    {"framework", "months": [{"key": "2026-01", "label": "Jan 2026", "meetings": n}],
     "domains": [{"key", "name", "meetings": [n per month], "share": [per month]}],
     "competencies": [{"key", "name", "domain", "meetings": [n per month], "share": [per month]}]}.
    A share is of the meetings of that month. Five queries."""
    framework = _framework(filters)
    domains, competencies = _catalog(framework)
    return _over_time(framework, domains, competencies, *_monthly_counts(filters, competencies, framework=framework))


def _over_time(framework, domains, competencies, totals, by_domain, by_competency, _approximate=None):
    months = month_range(totals)
    domain_keys = {d.id: d.key for d in domains}
    used = {cid for cid, _ in by_competency}
    return {
        "framework": _framework_info(framework),
        "months": [{"key": m, "label": month_label(m), "meetings": totals.get(m, 0)} for m in months],
        "domains": [
            {
                "key": d.key,
                "name": d.name,
                "meetings": [by_domain.get((d.id, m), 0) for m in months],
                "share": [share(by_domain.get((d.id, m), 0), totals.get(m, 0)) for m in months],
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
            }
            for c in competencies
            if not c.retired or c.id in used
        ],
    }


def _participation(user_ids=None):
    """(user_id, meeting_id) for each ISP who took part in a meeting: attended it or logged it
    (only for `user_ids` when given)."""
    attended = MeetingAttendee.select(
        MeetingAttendee.user.alias("user_id"), MeetingAttendee.meeting.alias("meeting_id")
    ).where(MeetingAttendee.user.is_null(False))
    logged = Meeting.select(Meeting.logged_by.alias("user_id"), Meeting.id.alias("meeting_id")).where(
        Meeting.logged_by.is_null(False)
    )
    if user_ids is not None:
        attended = attended.where(MeetingAttendee.user.in_(user_ids))
        logged = logged.where(Meeting.logged_by.in_(user_ids))
    return (attended | logged).alias("took_part")  # UNION: each pair once


@cached
def by_isp(filters, page=None, per_page=25):
    """Which competencies each ISP draws on, and which they never use.

    An ISP's meetings are those they attended or logged. {"framework", "domains": [{"key", "name"}],
    "competencies": [{"key", "name", "domain"}],
    "isps": [{"id", "name", "meetings", "counts": {competency key: meetings}, "never": [names]}],
    "page": a views.paging.Page over the ISPs, by name (all of them when `page` is None)}.
    With a page, the per-competency counts are computed for that page's ISPs only. Four queries."""
    framework = _framework(filters)
    domains, competencies = _catalog(framework)
    competencies = [c for c in competencies if not c.retired]
    domain_keys = {d.id: d.key for d in domains}
    part = _participation()
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
        part = _participation([uid for uid, _name, _n in isp_totals])
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
