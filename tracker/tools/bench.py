"""Benchmark: `flask --app tracker bench --scale 1 --scale 10 --out bench.json [--check] [--throughput 15]`.

For each scale it builds a synthetic portfolio (tracker/tools/generate.py) in its own temporary SQLite file
(and, when DATABASE_URL names PostgreSQL, in that database too, after dropping and recreating the tables),
signs in through the Flask test client (a leader who reads everything; an ISP co-lead for the ISP pages)
and measures each page twice:

- cold: the first visit after a write. Before each timed request one meeting's minutes change (a real
  UPDATE, so every trigger, rollup and data-version token moves as when a meeting is logged) and the
  per-process report cache, where there is one, is emptied: what the first reader after a change meets.
- warm: the same request repeated with nothing changed in between (what the report cache, if any, serves).

Each gives the median and 95th-percentile server time and the number of SQL queries, and the ratio to the
page's floor: the best hand-written SQL for everything the page shows (FLOOR_PARTS, each part documented
with why it is equivalent), run on the same database, its statements' times summed.

Targets (issue 21; checked on the cold figures; `--check` exits non-zero when one is missed, naming it):
- scale 10: every report page and report API at most 100 ms median and at most 2x its floor;
- scale 1 -> 10: every report page at most 2x slower; scale 100 on PostgreSQL: every report at most 250 ms;
- queries per page identical at every scale measured; memory at most 150 MB (the benchmark's process and,
  with --throughput, each gunicorn worker);
- with --throughput: the engagement page at least 400 requests/s and each report page at least 300
  requests/s (nothing changing between requests), gunicorn with 2 workers driven by wrk;
- logging a meeting (the create POST) at most 20% slower with the rollup triggers installed than without.

--throughput needs wrk on this machine (Debian/Ubuntu: `apt-get install -y wrk`).
"""

import contextlib
import importlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import click
from flask.cli import with_appcontext
from playhouse.test_utils import count_queries

from .. import PROJECT_ROOT, create_app
from ..api import new_token
from ..db import close_all, database, is_sqlite
from ..models import MODELS, Competency, Engagement, EngagementISP, Meeting, Strategy, User, today
from ..reports import competencies as competency_reports
from ..reports.filters import ReportFilters
from ..schema import init_db
from .generate import LEADER_EMAIL, SEED, generate

REPORT_TARGET_MS = 100  # scale 10, cold median, every report page and report API
RATIO_TARGET = 2  # scale 10, cold median over the page's floor
GROWTH_TARGET = 2  # cold median at scale 10 over scale 1
POSTGRES_100_TARGET_MS = 250  # scale 100 on PostgreSQL, cold median, every report
# Scales above this are the scale-out's (PostgreSQL): measured there only, never on the embedded SQLite file.
SQLITE_MAX_SCALE = 10
MEMORY_TARGET_MB = 150  # a process serving pages
THROUGHPUT_TARGET = 400  # engagement page, requests/s, gunicorn 2 workers, wrk
REPORT_THROUGHPUT_TARGET = 300  # each report page, requests/s, nothing changing between requests
ROLLUP_OVERHEAD_TARGET = 0.20  # logging a meeting: at most 20% slower with the rollup triggers


def _report_cache():
    """The per-process report cache module, or None once it is gone (issue 21 lets the rollups retire it)."""
    try:
        return importlib.import_module("tracker.reports.cache")
    except ImportError:
        return None


class _Dialect:
    """How a floor spells what SQLite and PostgreSQL spell differently: {month(x)} 'YYYY-MM', {day(x)} a
    date of a date or timestamp, {days(a, b)} whole days from b to a, {today}, {recent} (90 days ago)."""

    def __init__(self, sqlite):
        self.sqlite = sqlite

    def month(self, x):
        return f"substr({x}, 1, 7)" if self.sqlite else f"to_char({x}, 'YYYY-MM')"

    def day(self, x):
        return f"substr({x}, 1, 10)" if self.sqlite else f"CAST({x} AS DATE)"

    def days(self, a, b):
        if self.sqlite:
            return f"CAST(julianday({a}) - julianday({b}) AS INTEGER)"
        return f"(CAST({a} AS DATE) - CAST({b} AS DATE))"

    @property
    def words(self):
        if self.sqlite:
            return {"today": "date('now')", "recent": "date('now', '-90 day')"}
        return {"today": "CURRENT_DATE", "recent": "(CURRENT_DATE - 90)"}


_CALL = re.compile(r"\{(month|day|days)\(")


def _split_arguments(text):
    """Top-level comma-separated arguments of `text` (commas inside parentheses stay)."""
    args, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
    return args + [text[start:].strip()]


def render(sql, dialect, ids, crosswalk="(SELECT 0 AS source, 0 AS target, 0 AS domain_id, 1 AS exact) cw"):
    """A floor statement with its placeholders filled: ids ({e}, {isp}, {unit}: integers the benchmark read
    from its own database), words ({today}, {recent}) and calls ({month(...)}, {day(...)}, {days(a, b)})."""
    for name, macro in MACROS.items():
        sql = sql.replace("{" + name + "}", macro)
    sql = sql.replace("{crosswalk}", crosswalk)
    for name, value in {**{k: str(int(v)) for k, v in ids.items()}, **dialect.words}.items():
        sql = sql.replace("{" + name + "}", value)
    while found := _CALL.search(sql):
        depth, i = 1, found.end()
        while depth:
            depth += (sql[i] == "(") - (sql[i] == ")")
            i += 1
        if sql[i] != "}":
            raise ValueError(f"unbalanced floor placeholder in {sql[found.start() : i + 1]!r}")
        inner = sql[found.end() : i - 1]
        sql = sql[: found.start()] + getattr(dialect, found.group(1))(*_split_arguments(inner)) + sql[i + 1 :]
    return sql


def crosswalk_table():
    """The default framework's competency links as a derived table cw(source, target, domain_id, exact): each of
    its competencies to itself, and the other framework's to its own through the crosswalk (the report's rule,
    competencies._links). Catalog data: what a hand-written query would keep in a table, read once here."""
    framework = competency_reports._framework(ReportFilters())  # the default framework
    _domains, shown = competency_reports._catalog(framework)
    links = competency_reports._links(framework, shown) or [(0, 0, 0, 1)]
    rows = " UNION ALL ".join(
        f"SELECT {int(a)} AS source, {int(b)} AS target, {int(d)} AS domain_id, {int(e)} AS exact"
        for a, b, d, e in links
    )
    return f"({rows}) cw"


def floor_statements(key, dialect, ids, crosswalk=None):
    """The statements of page floor `key` (FLOORS), ready to run."""
    crosswalk = crosswalk or crosswalk_table()
    return [render(sql, dialect, ids, crosswalk) for part in FLOORS[key] for sql in FLOOR_PARTS[part]]


# --- floors ---------------------------------------------------------------------------------------------
# A page's floor is the best hand-written SQL for everything the page shows: every figure and list of it,
# computed by a few statements written by hand for this purpose (their times summed), not one count. It
# covers the data a page shows, not the session lookup, CSRF token or navigation badges every page shares.
# Each part below says what it covers and why it is equivalent to the report code; a page's floor is the
# list of its parts (FLOORS). Folding a few hundred grouped rows into the page's shape (for example the
# dose by month, mode and kind out of one GROUP BY) is left out: microseconds of Python.
#
# Shared rules (tracker/reports/filters.py): a leader reads every live engagement (engagement.deleted_at IS
# NULL); a report counts a meeting or activity that is live and logged (review_state <> 'draft': filters.logged
# with the organization's default; the generator sets no "approved only" setting). Links are unique per
# (meeting, strategy), (meeting, competency) and (activity, ...), so COUNT(*) over the links of the meetings in
# scope is the number of distinct meetings: COUNT(*) driven from meeting, never COUNT(DISTINCT) over links.
#
# The statements are constants with placeholders that render() fills: the ids {e} (the big engagement),
# {isp} (its co-lead, who opens the ISP pages) and {unit} (its unit); the database's own spelling of
# {month(x)}, {day(x)}, {days(a, b)}, {today} and {recent} (_Dialect); and the shared fragments of MACROS.
MACROS = {
    # the meetings and activities in a leader's scope, and the rule that makes one count
    "meetings": "meeting m JOIN engagement e ON e.id = m.engagement_id AND e.deleted_at IS NULL",
    "meeting_counts": "m.deleted_at IS NULL AND m.review_state <> 'draft'",
    "activities": "activity a JOIN engagement e ON e.id = a.engagement_id AND e.deleted_at IS NULL",
    "activity_counts": "a.deleted_at IS NULL AND a.review_state <> 'draft'",
    # a strategy link's minutes (strategies._strategy_minutes): the recorded dose, else the meeting's minutes not
    # covered by recorded doses shared equally among the meeting's links without one
    "per_meeting_dose": "(SELECT meeting_id, COUNT(*) AS n, COUNT(minutes) AS recorded_n, "
    "COALESCE(SUM(minutes), 0) AS recorded FROM meeting_strategy GROUP BY meeting_id) pm",
    "link_minutes": "COALESCE(ms.minutes, CASE WHEN m.duration_minutes - pm.recorded > 0 "
    "THEN (m.duration_minutes - pm.recorded) * 1.0 / NULLIF(pm.n - pm.recorded_n, 0) ELSE 0 END)",
    # the stage an engagement was in on each day (filters.stage_at: its latest entry on or before the day, ties by
    # id): one pass over stage_entry with LEAD instead of a correlated subquery per meeting. An entry followed by
    # another on the same day has until = entered_on and so matches no day, as stage_at skips it.
    "stage_visits": "(SELECT se.id, se.engagement_id, se.stage_id, se.entered_on, "
    "LEAD(se.entered_on) OVER (PARTITION BY se.engagement_id ORDER BY se.entered_on, se.id) AS until, "
    "ROW_NUMBER() OVER (PARTITION BY se.engagement_id ORDER BY se.entered_on DESC, se.id DESC) AS from_last "
    "FROM stage_entry se JOIN engagement e ON e.id = se.engagement_id AND e.deleted_at IS NULL)",
    "on_meeting_day": "v.engagement_id = m.engagement_id AND v.entered_on <= m.date "
    "AND (v.until IS NULL OR m.date < v.until)",
    # the engagement list's page: the 25 shown (ordered as the list, latest start first), chosen BEFORE any
    # aggregate, so their meeting figures are computed for those 25 only (reports.engagement_list)
    "list_page": "SELECT e.id FROM engagement e WHERE e.deleted_at IS NULL AND e.status = 'active' "
    "AND e.unit_id = {unit} ORDER BY e.start_date DESC, e.id DESC LIMIT 25",
    # the home page's engagements: the co-lead's 5 latest, running ones first (home.ENGAGEMENTS_ON_HOME)
    "home_page": "SELECT e.id FROM engagement e JOIN engagement_isp ei ON ei.engagement_id = e.id "
    "AND ei.user_id = {isp} WHERE e.deleted_at IS NULL "
    "ORDER BY CASE WHEN e.status = 'closed' THEN 1 ELSE 0 END, e.start_date DESC, e.id DESC LIMIT 5",
    # the engagement page's first page of meetings (reports.MEETINGS_PER_PAGE = 10)
    "shown_meetings": "SELECT id FROM meeting WHERE engagement_id = {e} AND deleted_at IS NULL "
    "ORDER BY date DESC, id DESC LIMIT 10",
    # the first 25 ISPs by name (the competencies report's page of its by-ISP matrix)
    "isp_page": "SELECT id FROM \"user\" WHERE role = 'isp' ORDER BY name, id LIMIT 25",
}
# The list figures of the engagements a page shows (title, status, unit, meetings, last meeting, minutes:
# reports.engagement_list) and their ISPs, aggregated over the shown engagements only.
_ROWS_OF = (
    "SELECT p.id, e.title, e.status, u.name, COUNT(m.id), MAX(m.date), SUM(m.duration_minutes) "
    "FROM ({%s}) p JOIN engagement e ON e.id = p.id JOIN unit u ON u.id = e.unit_id "
    "LEFT JOIN meeting m ON m.engagement_id = p.id AND m.deleted_at IS NULL AND m.review_state <> 'draft' "
    "GROUP BY p.id, e.title, e.status, u.name, e.start_date ORDER BY e.start_date DESC, p.id DESC"
)
_ISPS_OF = (
    'SELECT ei.engagement_id, ei.role, u.name FROM engagement_isp ei JOIN "user" u ON u.id = ei.user_id '
    "WHERE ei.engagement_id IN ({%s}) ORDER BY ei.engagement_id, u.name"
)

FLOOR_PARTS = {
    # -- the home page (an ISP co-lead) and the engagement list ------------------------------------------
    "home_engagements": [_ROWS_OF % "home_page", _ISPS_OF % "home_page"],
    "home_counts": [
        # how many engagements in all; the ISP's drafts and returned logs, and the logs waiting for their review
        # (my_work.sections' counts), one pass over the meetings of their engagements
        "SELECT COUNT(*) FROM engagement_isp ei JOIN engagement e ON e.id = ei.engagement_id "
        "WHERE ei.user_id = {isp} AND e.deleted_at IS NULL",
        "SELECT SUM(CASE WHEN m.logged_by_id = {isp} AND m.review_state IN ('draft', 'returned') THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN m.review_state = 'submitted' AND (m.logged_by_id IS NULL OR m.logged_by_id <> {isp}) "
        "THEN 1 ELSE 0 END) FROM meeting m JOIN engagement_isp ei ON ei.engagement_id = m.engagement_id "
        "AND ei.user_id = {isp} WHERE m.deleted_at IS NULL",
    ],
    "home_lists": [
        # the next steps due within 14 days (reports.next_steps_due: 20 shown) and the request queue (5 shown)
        "SELECT ns.id, ns.text, ns.owner, ns.due_on, m.id, m.date, e.id, e.title FROM next_step ns "
        "JOIN meeting m ON m.id = ns.meeting_id AND m.deleted_at IS NULL "
        "JOIN engagement e ON e.id = m.engagement_id AND e.deleted_at IS NULL "
        "JOIN engagement_isp ei ON ei.engagement_id = e.id AND ei.user_id = {isp} "
        "WHERE ns.deleted_at IS NULL AND ns.done_on IS NULL AND ns.due_on IS NOT NULL "
        "AND ns.due_on <= {today} ORDER BY ns.due_on, ns.id LIMIT 20",
        "SELECT r.id, r.title, r.status, r.urgent, r.created_at, u.name FROM support_request r "
        "JOIN unit u ON u.id = r.unit_id WHERE r.status IN ('submitted', 'info_requested') "
        "ORDER BY r.urgent DESC, r.created_at LIMIT 5",
        "SELECT COUNT(*) FROM support_request WHERE status IN ('submitted', 'info_requested')",
    ],
    "list_rows": [
        _ROWS_OF % "list_page",
        _ISPS_OF % "list_page",
        "SELECT COUNT(*) FROM engagement WHERE deleted_at IS NULL AND status = 'active' AND unit_id = {unit}",
    ],
    "list_filter_options": [
        # the filter bar's choices: units with engagements, stages, ISPs (ids and names only)
        "SELECT u.id, u.name, o.name FROM unit u JOIN organization o ON o.id = u.organization_id "
        "WHERE u.id IN (SELECT unit_id FROM engagement WHERE deleted_at IS NULL) ORDER BY u.name, o.name",
        "SELECT id, key, name FROM stage ORDER BY position",
        "SELECT id, name FROM \"user\" WHERE role = 'isp' AND is_active ORDER BY name",
    ],
    # -- the engagement page: one engagement, its first 10 meetings and their tags ------------------------
    "engagement_head": [
        "SELECT e.id, e.title, e.status, e.support_model, e.start_date, e.end_date, e.problem_statement, "
        "e.current_stage_id, u.name, o.name FROM engagement e JOIN unit u ON u.id = e.unit_id "
        "JOIN organization o ON o.id = u.organization_id WHERE e.id = {e} AND e.deleted_at IS NULL",
        'SELECT ei.role, u.id, u.name FROM engagement_isp ei JOIN "user" u ON u.id = ei.user_id '
        "WHERE ei.engagement_id = {e} ORDER BY u.name",
        "SELECT id, name, position, joined_on, left_on, is_lead FROM team_member "
        "WHERE engagement_id = {e} AND deleted_at IS NULL ORDER BY left_on IS NOT NULL, name",
    ],
    "engagement_progress": [
        "SELECT g.id, g.title, g.indicator, g.target, g.status, c.status, c.changed_on FROM goal g "
        "LEFT JOIN goal_status_change c ON c.goal_id = g.id WHERE g.engagement_id = {e} AND g.deleted_at IS NULL "
        "ORDER BY g.created_at, g.id, c.changed_on, c.id",
        "SELECT s.id, s.key, s.name, se.entered_on FROM stage s LEFT JOIN stage_entry se ON se.stage_id = s.id "
        "AND se.engagement_id = {e} ORDER BY s.position, se.entered_on, se.id",
        "SELECT id, stage_id, text, completed_on FROM benchmark WHERE engagement_id = {e} AND deleted_at IS NULL "
        "ORDER BY position, id",
    ],
    "engagement_meetings": [
        # totals over all its meetings, then the 10 shown with their attendance, their competency and strategy
        # tags and next steps: tags for the 10 meetings shown, not for all 100
        "SELECT COUNT(*), SUM(duration_minutes) FROM meeting WHERE engagement_id = {e} AND deleted_at IS NULL",
        "SELECT m.id, m.date, m.kind, m.mode, m.duration_minutes, m.notes, m.notes_internal, "
        "(SELECT COUNT(*) FROM meeting_attendee a LEFT JOIN team_member t ON t.id = a.team_member_id "
        "WHERE a.meeting_id = m.id AND t.deleted_at IS NULL) FROM meeting m "
        "WHERE m.id IN ({shown_meetings}) ORDER BY m.date DESC, m.id DESC",
        "SELECT meeting_id, 'competency', label FROM meeting_competency WHERE meeting_id IN ({shown_meetings}) "
        "UNION ALL SELECT meeting_id, 'strategy', label FROM meeting_strategy WHERE meeting_id IN ({shown_meetings})",
        "SELECT meeting_id, text, owner, due_on, done_on FROM next_step WHERE deleted_at IS NULL "
        "AND meeting_id IN ({shown_meetings}) ORDER BY due_on, id",
    ],
    "engagement_records": [
        "SELECT id, kind, title, due_on, delivered_on, link, note FROM deliverable WHERE engagement_id = {e} "
        "AND deleted_at IS NULL ORDER BY due_on IS NULL, due_on, id",
        "SELECT id, kind, domain, text, noted_on, internal FROM context_note WHERE engagement_id = {e} "
        "AND deleted_at IS NULL ORDER BY noted_on DESC, id DESC",
        "SELECT p.id, p.sessions_per_month, p.minutes_per_session, p.start_date, p.end_date, s.name FROM plan_item p "
        "JOIN strategy s ON s.id = p.strategy_id WHERE p.engagement_id = {e} AND p.deleted_at IS NULL ORDER BY p.id",
        "SELECT COUNT(*), SUM(minutes) FROM activity WHERE engagement_id = {e} AND deleted_at IS NULL",
        "SELECT fi.scale, AVG(fa.value), COUNT(DISTINCT fr.id) FROM feedback_answer fa "
        "JOIN feedback_response fr ON fr.id = fa.response_id AND fr.deleted_at IS NULL "
        "JOIN feedback_item fi ON fi.id = fa.item_id WHERE fr.engagement_id = {e} AND fi.scale IS NOT NULL "
        "GROUP BY fi.scale",
    ],
    # -- the meeting form: everything its fields offer for one engagement -----------------------------------
    "meeting_form": [
        "SELECT e.id, e.title, e.status FROM engagement e JOIN engagement_isp ei ON ei.engagement_id = e.id "
        "AND ei.user_id = {isp} WHERE e.id = {e} AND e.deleted_at IS NULL",
        "SELECT id, name, position, is_lead FROM team_member WHERE engagement_id = {e} AND deleted_at IS NULL "
        "ORDER BY name, id",
        'SELECT u.id, u.name FROM engagement_isp ei JOIN "user" u ON u.id = ei.user_id WHERE ei.engagement_id = {e} '
        "ORDER BY u.name",
        # the default framework's live competencies by domain (the checkboxes)
        "SELECT c.id, c.name, d.name FROM competency c JOIN competency_domain d ON d.id = c.domain_id "
        "JOIN competency_framework f ON f.id = d.framework_id WHERE f.is_default AND NOT c.retired "
        "ORDER BY d.position, c.position",
        # live strategies, and retired ones still used in the engagement's last 10 meetings, by cluster
        "SELECT s.id, s.name, c.number, c.name FROM strategy s JOIN strategy_cluster c ON c.id = s.cluster_id "
        "WHERE NOT s.retired OR s.id IN (SELECT ms.strategy_id FROM meeting_strategy ms "
        "WHERE ms.meeting_id IN ({shown_meetings})) ORDER BY c.number, s.number",
        "SELECT id, name FROM principle WHERE NOT retired ORDER BY position, id",
        "SELECT g.id, g.title, g.measure_unit, gm.date, gm.value FROM goal g LEFT JOIN goal_measurement gm "
        "ON gm.goal_id = g.id AND gm.deleted_at IS NULL WHERE g.engagement_id = {e} AND g.deleted_at IS NULL "
        "ORDER BY g.id, gm.date, gm.id",
        "SELECT b.id, b.text, b.completed_on, s.name FROM benchmark b JOIN stage s ON s.id = b.stage_id "
        "WHERE b.engagement_id = {e} AND b.deleted_at IS NULL ORDER BY s.position, b.position, b.id",
        "SELECT p.id, s.name FROM plan_item p JOIN strategy s ON s.id = p.strategy_id WHERE p.engagement_id = {e} "
        "AND p.deleted_at IS NULL",
        "SELECT data FROM form_draft WHERE user_id = {isp} AND engagement_id = {e} AND meeting_id IS NULL "
        "ORDER BY saved_at DESC LIMIT 1",
    ],
    # -- competencies -------------------------------------------------------------------------------------
    "competencies_catalog": [
        "SELECT id, key, name, is_default FROM competency_framework ORDER BY is_default DESC, id",
        "SELECT c.id, c.key, c.name, c.retired, d.id, d.key, d.name FROM competency c "
        "JOIN competency_domain d ON d.id = c.domain_id JOIN competency_framework f ON f.id = d.framework_id "
        "WHERE f.is_default ORDER BY d.position, c.position",
    ],
    "competencies_by_month": [
        # sessions per month; per (competency, month) and per (domain, month) the sessions that used it, counting
        # a session once per competency of the shown framework however it was recorded: its own competencies,
        # and the other framework's through the crosswalk ({crosswalk}: cw(source, target, domain_id, exact)),
        # with those counted only through an approximate link; the same for the activities
        # (competencies._monthly_counts). DISTINCT here is the rule (two recorded competencies may count as one).
        "SELECT {month(m.date)}, COUNT(*) FROM {meetings} WHERE {meeting_counts} GROUP BY {month(m.date)}",
        "SELECT cw.target, {month(m.date)}, COUNT(DISTINCT m.id), COUNT(DISTINCT CASE WHEN cw.exact = 1 THEN m.id END) "
        "FROM {meetings} JOIN meeting_competency mc ON mc.meeting_id = m.id JOIN {crosswalk} ON cw.source = "
        "mc.competency_id WHERE {meeting_counts} GROUP BY cw.target, {month(m.date)}",
        "SELECT cw.domain_id, {month(m.date)}, COUNT(DISTINCT m.id) FROM {meetings} "
        "JOIN meeting_competency mc ON mc.meeting_id = m.id JOIN {crosswalk} ON cw.source = mc.competency_id "
        "WHERE {meeting_counts} GROUP BY cw.domain_id, {month(m.date)}",
        "SELECT {month(a.date)}, COUNT(*) FROM {activities} WHERE {activity_counts} GROUP BY {month(a.date)}",
        "SELECT cw.target, {month(a.date)}, COUNT(DISTINCT a.id) FROM {activities} "
        "JOIN activity_competency ac ON ac.activity_id = a.id JOIN {crosswalk} ON cw.source = ac.competency_id "
        "WHERE {activity_counts} GROUP BY cw.target, {month(a.date)}",
        "SELECT cw.domain_id, {month(a.date)}, COUNT(DISTINCT a.id) FROM {activities} "
        "JOIN activity_competency ac ON ac.activity_id = a.id JOIN {crosswalk} ON cw.source = ac.competency_id "
        "WHERE {activity_counts} GROUP BY cw.domain_id, {month(a.date)}",
    ],
    "competencies_by_isp": [
        # the ISPs who took part (attended or logged: filters.took_part) with their sessions, by name; then the
        # per-competency counts of the page of 25 shown (competencies.by_isp)
        'SELECT u.id, u.name, COUNT(DISTINCT p.meeting_id) FROM "user" u JOIN '
        "(SELECT user_id, meeting_id FROM meeting_attendee WHERE user_id IS NOT NULL "
        "UNION SELECT logged_by_id, id FROM meeting WHERE logged_by_id IS NOT NULL) p ON p.user_id = u.id "
        "JOIN meeting m ON m.id = p.meeting_id JOIN engagement e ON e.id = m.engagement_id AND e.deleted_at IS NULL "
        "WHERE {meeting_counts} AND u.role = 'isp' "
        "GROUP BY u.id, u.name ORDER BY u.name, u.id",
        "SELECT p.user_id, mc.competency_id, COUNT(*) FROM (SELECT user_id, meeting_id FROM meeting_attendee "
        "WHERE user_id IN ({isp_page}) UNION SELECT logged_by_id, id FROM meeting "
        "WHERE logged_by_id IN ({isp_page})) p "
        "JOIN meeting m ON m.id = p.meeting_id JOIN engagement e ON e.id = m.engagement_id AND e.deleted_at IS NULL "
        "JOIN meeting_competency mc ON mc.meeting_id = m.id "
        "WHERE {meeting_counts} AND mc.competency_id IN (SELECT target FROM {crosswalk}) "
        "GROUP BY p.user_id, mc.competency_id",
    ],
    # -- strategies and dose ------------------------------------------------------------------------------
    "strategies_used": [
        # per strategy: sessions (COUNT(*) driven from meeting, over the unique links) and minutes (the link's
        # minutes); the catalog of strategies and clusters that names them (strategies.strategies_used)
        "SELECT ms.strategy_id, COUNT(*), SUM({link_minutes}) FROM {meetings} "
        "JOIN meeting_strategy ms ON ms.meeting_id = m.id JOIN {per_meeting_dose} ON pm.meeting_id = m.id "
        "WHERE {meeting_counts} GROUP BY ms.strategy_id",
        "SELECT s.id, s.key, s.number, s.name, c.id, c.key, c.number, c.name FROM strategy s "
        "JOIN strategy_cluster c ON c.id = s.cluster_id ORDER BY c.number, s.number, s.id",
    ],
    "strategies_by_stage_and_cluster": [
        # per (stage on the session's date, cluster): distinct sessions and minutes. A cluster's sessions over all
        # stages are the sum of these (a session has one stage on its date), so this also gives the cluster rows
        # of strategies_used (and dose_by_stage_and_cluster)
        "SELECT stage_id, cluster_id, COUNT(*), SUM(minutes) FROM (SELECT m.id, v.stage_id, s.cluster_id, "
        "SUM({link_minutes}) AS minutes FROM {meetings} JOIN meeting_strategy ms ON ms.meeting_id = m.id "
        "JOIN strategy s ON s.id = ms.strategy_id JOIN {per_meeting_dose} ON pm.meeting_id = m.id "
        "LEFT JOIN {stage_visits} v ON {on_meeting_day} WHERE {meeting_counts} "
        "GROUP BY m.id, v.stage_id, s.cluster_id) per_session GROUP BY stage_id, cluster_id",
    ],
    "strategies_activities": [
        # the work between meetings: per strategy (COUNT(*) over unique links; an activity's minutes shared
        # equally among its strategies), per cluster (distinct activities), and per month (count, minutes)
        "SELECT ast.strategy_id, s.cluster_id, COUNT(*), SUM(a.minutes * 1.0 / pa.n) FROM {activities} "
        "JOIN activity_strategy ast ON ast.activity_id = a.id JOIN strategy s ON s.id = ast.strategy_id "
        "JOIN (SELECT activity_id, COUNT(*) AS n FROM activity_strategy GROUP BY activity_id) pa "
        "ON pa.activity_id = a.id WHERE {activity_counts} GROUP BY ast.strategy_id, s.cluster_id",
        "SELECT s.cluster_id, COUNT(DISTINCT a.id) FROM {activities} "
        "JOIN activity_strategy ast ON ast.activity_id = a.id JOIN strategy s ON s.id = ast.strategy_id "
        "WHERE {activity_counts} GROUP BY s.cluster_id",
        "SELECT {month(a.date)}, COUNT(*), SUM(a.minutes) FROM {activities} WHERE {activity_counts} "
        "GROUP BY {month(a.date)}",
    ],
    "dose": [
        # every dose figure (totals; by month, stage, mode and kind) is a sum over one GROUP BY of the sessions
        # by (month, stage on the date, mode, kind): sessions and minutes (strategies.dose)
        "SELECT {month(m.date)}, v.stage_id, m.mode, m.kind, COUNT(*), SUM(m.duration_minutes) FROM {meetings} "
        "LEFT JOIN {stage_visits} v ON {on_meeting_day} WHERE {meeting_counts} "
        "GROUP BY {month(m.date)}, v.stage_id, m.mode, m.kind",
        "SELECT id, key, name FROM stage ORDER BY position",
    ],
    "between_monthly": [
        # each session numbered by the monthly meetings of its engagement up to it (a window), grouped per
        # (engagement, interval): the monthly meetings and the sessions in the interval
        # (strategies.between_monthly); the distribution and the per-engagement rows are sums of these rows
        "SELECT engagement_id, title, n_interval, SUM(CASE WHEN kind = 'monthly' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN kind <> 'monthly' THEN 1 ELSE 0 END) FROM (SELECT m.engagement_id, e.title, m.kind, "
        "COUNT(CASE WHEN m.kind = 'monthly' THEN 1 END) OVER (PARTITION BY m.engagement_id ORDER BY m.date, "
        "CASE WHEN m.kind = 'monthly' THEN 0 ELSE 1 END, m.id) AS n_interval FROM {meetings} "
        "WHERE {meeting_counts}) numbered WHERE n_interval > 0 GROUP BY engagement_id, title, n_interval",
    ],
    # -- progress -----------------------------------------------------------------------------------------
    "progress_stages": [
        # per stage: engagements that entered it, entries, days spent (to the next entry, else the engagement's
        # end or today), engagements now in it (their last entry): progress.portfolio_progress's stage rows
        "SELECT v.stage_id, COUNT(DISTINCT v.engagement_id), COUNT(*), "
        "SUM({days(COALESCE(v.until, e.end_date, {today}), v.entered_on)}), "
        "SUM(CASE WHEN v.from_last = 1 THEN 1 ELSE 0 END) FROM {stage_visits} v JOIN engagement e "
        "ON e.id = v.engagement_id GROUP BY v.stage_id",
        # each engagement's furthest stage, counted per stage
        "SELECT furthest, COUNT(*) FROM (SELECT se.engagement_id, MAX(s.position) AS furthest FROM stage_entry se "
        "JOIN stage s ON s.id = se.stage_id JOIN engagement e ON e.id = se.engagement_id AND e.deleted_at IS NULL "
        "GROUP BY se.engagement_id) f GROUP BY furthest",
        # benchmarks per stage (total, completed)
        "SELECT b.stage_id, COUNT(*), COUNT(b.completed_on) FROM benchmark b JOIN engagement e "
        "ON e.id = b.engagement_id AND e.deleted_at IS NULL WHERE b.deleted_at IS NULL GROUP BY b.stage_id",
        # the mean SIC duration per stage: per stage visit the first and last day with a session or a completed
        # benchmark (progress.sic_durations), averaged per stage
        "SELECT stage_id, AVG({days(last_day, first_day)}) FROM (SELECT v.engagement_id, v.stage_id, "
        "MIN(d.day) AS first_day, MAX(d.day) AS last_day FROM {stage_visits} v JOIN "
        "(SELECT m.engagement_id, m.date AS day FROM meeting m WHERE {meeting_counts} "
        "UNION ALL SELECT b.engagement_id, b.completed_on FROM benchmark b WHERE b.deleted_at IS NULL "
        "AND b.completed_on IS NOT NULL) d ON d.engagement_id = v.engagement_id AND v.entered_on <= d.day "
        "AND (v.until IS NULL OR d.day < v.until) GROUP BY v.engagement_id, v.stage_id) active GROUP BY stage_id",
    ],
    "progress_goals": [
        "SELECT g.status, COUNT(*) FROM goal g JOIN engagement e ON e.id = g.engagement_id AND e.deleted_at IS NULL "
        "WHERE g.deleted_at IS NULL GROUP BY g.status",
        "SELECT {month(c.changed_on)}, c.status, COUNT(*) FROM goal_status_change c JOIN goal g ON g.id = c.goal_id "
        "AND g.deleted_at IS NULL JOIN engagement e ON e.id = g.engagement_id AND e.deleted_at IS NULL "
        "GROUP BY {month(c.changed_on)}, c.status",
        "SELECT fi.scale, AVG(fa.value), COUNT(DISTINCT fr.id) FROM feedback_answer fa "
        "JOIN feedback_response fr ON fr.id = fa.response_id AND fr.deleted_at IS NULL "
        "JOIN engagement e ON e.id = fr.engagement_id AND e.deleted_at IS NULL "
        "JOIN feedback_item fi ON fi.id = fa.item_id WHERE fi.scale IS NOT NULL GROUP BY fi.scale",
    ],
    "progress_rows": [
        # the engagement rows shown (25 a page, by title): current stage and since when, furthest stage,
        # benchmarks total and completed, for those 25 only
        "SELECT p.id, p.title, cur.stage_id, cur.entered_on, far.furthest, COUNT(b.id), COUNT(b.completed_on) "
        "FROM (SELECT id, title FROM engagement WHERE deleted_at IS NULL ORDER BY title, id LIMIT 25) p "
        "LEFT JOIN {stage_visits} cur ON cur.engagement_id = p.id AND cur.from_last = 1 "
        "LEFT JOIN (SELECT se.engagement_id, MAX(s.position) AS furthest FROM stage_entry se JOIN stage s "
        "ON s.id = se.stage_id GROUP BY se.engagement_id) far ON far.engagement_id = p.id "
        "LEFT JOIN benchmark b ON b.engagement_id = p.id AND b.deleted_at IS NULL "
        "GROUP BY p.id, p.title, cur.stage_id, cur.entered_on, far.furthest ORDER BY p.title, p.id",
        "SELECT COUNT(*) FROM engagement WHERE deleted_at IS NULL",
    ],
    "progress_outcomes": [
        # goals by implementation outcome, with each measured goal's latest value (progress.outcomes_by_type)
        "SELECT g.outcome, g.status, g.baseline_value, g.target_value, g.measure_direction, gm.value FROM goal g "
        "JOIN engagement e ON e.id = g.engagement_id AND e.deleted_at IS NULL LEFT JOIN (SELECT goal_id, value, "
        "ROW_NUMBER() OVER (PARTITION BY goal_id ORDER BY date DESC, id DESC) AS from_last FROM goal_measurement "
        "WHERE deleted_at IS NULL) gm ON gm.goal_id = g.id AND gm.from_last = 1 "
        "WHERE g.deleted_at IS NULL AND g.outcome IS NOT NULL",
    ],
    # -- the portfolio dashboard ----------------------------------------------------------------------------
    "portfolio_active": [
        # active engagements by unit, current stage and model: one GROUP BY, each breakdown a sum of it
        "SELECT e.unit_id, u.name, e.current_stage_id, e.support_model, COUNT(*) FROM engagement e "
        "JOIN unit u ON u.id = e.unit_id WHERE e.deleted_at IS NULL AND e.status = 'active' "
        "GROUP BY e.unit_id, u.name, e.current_stage_id, e.support_model",
        "SELECT id, key, name FROM stage ORDER BY position",
    ],
    "portfolio_requests": [
        # requests by status; per request with an engagement the first session day on or after acceptance and
        # the session days before it (portfolio.requests_delivered); the funnel's steps in one pass with EXISTS
        "SELECT status, COUNT(*) FROM support_request GROUP BY status",
        "SELECT r.id, MIN(CASE WHEN m.date >= {day(COALESCE(r.decided_at, e.start_date))} THEN m.date END), "
        "COUNT(DISTINCT CASE WHEN m.date < {day(COALESCE(r.decided_at, e.start_date))} THEN m.date END) "
        "FROM support_request r JOIN engagement e ON e.request_id = r.id AND e.deleted_at IS NULL "
        "JOIN meeting m ON m.engagement_id = e.id AND {meeting_counts} GROUP BY r.id",
        "SELECT COUNT(*), SUM(CASE WHEN r.status = 'accepted' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = 'accepted' AND e.id IS NOT NULL AND EXISTS (SELECT 1 FROM meeting m "
        "WHERE m.engagement_id = e.id AND {meeting_counts}) THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = 'accepted' AND e.id IS NOT NULL AND EXISTS (SELECT 1 FROM goal g "
        "WHERE g.engagement_id = e.id AND g.deleted_at IS NULL AND g.status = 'achieved') THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN e.status = 'closed' THEN 1 ELSE 0 END) FROM support_request r "
        "LEFT JOIN engagement e ON e.request_id = r.id AND e.deleted_at IS NULL",
    ],
    "portfolio_hours": [
        "SELECT {month(m.date)}, COUNT(*), SUM(m.duration_minutes) FROM {meetings} WHERE {meeting_counts} "
        "GROUP BY {month(m.date)}",
        "SELECT {month(a.date)}, COUNT(*), SUM(a.minutes) FROM {activities} WHERE {activity_counts} "
        "GROUP BY {month(a.date)}",
    ],
    "portfolio_attention": [
        # per active or paused engagement: last session, last completed benchmark, open goals unchanged since,
        # overdue deliverables, feedback before and in the last 90 days, co-creation sessions whose agenda the
        # ISPs set (portfolio.needs_attention): each one pass over the engagements it is about
        "SELECT e.id, e.title, e.start_date, u.name, (SELECT MAX(m.date) FROM meeting m WHERE m.engagement_id = e.id "
        "AND {meeting_counts} AND m.date <= {today}), (SELECT MAX(b.completed_on) FROM benchmark b "
        "WHERE b.engagement_id = e.id AND b.deleted_at IS NULL AND b.completed_on <= {today}) "
        "FROM engagement e JOIN unit u ON u.id = e.unit_id WHERE e.deleted_at IS NULL "
        "AND e.status IN ('active', 'paused') ORDER BY e.title, e.id",
        "SELECT g.engagement_id, g.title, g.created_at, MAX(c.changed_on) FROM goal g JOIN engagement e "
        "ON e.id = g.engagement_id AND e.deleted_at IS NULL AND e.status IN ('active', 'paused') "
        "LEFT JOIN goal_status_change c ON c.goal_id = g.id WHERE g.deleted_at IS NULL "
        "AND g.status IN ('not_started', 'in_progress', 'revised') "
        "GROUP BY g.id, g.engagement_id, g.title, g.created_at",
        "SELECT d.engagement_id, d.title, d.due_on FROM deliverable d JOIN engagement e ON e.id = d.engagement_id "
        "AND e.deleted_at IS NULL AND e.status IN ('active', 'paused') WHERE d.deleted_at IS NULL "
        "AND d.delivered_on IS NULL AND d.due_on < {today} ORDER BY d.engagement_id, d.due_on",
        "SELECT fr.engagement_id, AVG(CASE WHEN fr.submitted_on >= {recent} THEN fa.value END), "
        "AVG(CASE WHEN fr.submitted_on < {recent} THEN fa.value END) FROM feedback_answer fa "
        "JOIN feedback_response fr ON fr.id = fa.response_id AND fr.deleted_at IS NULL "
        "JOIN engagement e ON e.id = fr.engagement_id AND e.deleted_at IS NULL AND e.status IN ('active', 'paused') "
        "JOIN feedback_item fi ON fi.id = fa.item_id WHERE fi.scale IS NOT NULL GROUP BY fr.engagement_id",
        "SELECT m.engagement_id, m.agenda_set_by, COUNT(*), MIN(m.date) FROM meeting m JOIN engagement e "
        "ON e.id = m.engagement_id AND e.deleted_at IS NULL AND e.status IN ('active', 'paused') "
        "AND e.support_model = 'co_creation' WHERE {meeting_counts} AND m.agenda_set_by IS NOT NULL "
        "GROUP BY m.engagement_id, m.agenda_set_by",
    ],
    "portfolio_competencies": [
        # competencies used over the whole period (no month): sessions in scope, and per competency and per domain
        # of the default framework the sessions that used it, through the crosswalk (as competencies_by_month)
        "SELECT COUNT(*) FROM {meetings} WHERE {meeting_counts}",
        "SELECT cw.target, COUNT(DISTINCT m.id), COUNT(DISTINCT CASE WHEN cw.exact = 1 THEN m.id END) FROM {meetings} "
        "JOIN meeting_competency mc ON mc.meeting_id = m.id JOIN {crosswalk} ON cw.source = mc.competency_id "
        "WHERE {meeting_counts} GROUP BY cw.target",
        "SELECT cw.domain_id, COUNT(DISTINCT m.id) FROM {meetings} JOIN meeting_competency mc "
        "ON mc.meeting_id = m.id JOIN {crosswalk} ON cw.source = mc.competency_id WHERE {meeting_counts} "
        "GROUP BY cw.domain_id",
        "SELECT c.id, c.key, c.name, d.id, d.key, d.name FROM competency c JOIN competency_domain d "
        "ON d.id = c.domain_id JOIN competency_framework f ON f.id = d.framework_id WHERE f.is_default "
        "ORDER BY d.position, c.position",
    ],
}

# Each measured page's floor: the parts that together cover what it shows. The API reports return what their
# handlers compute (tracker/api/reports.py): strategies without the stage-by-cluster table (its statement stays:
# it gives the clusters' sessions), progress without the journeys and outcomes, the portfolio as the dashboard.
FLOORS = {
    "home": ["home_engagements", "home_counts", "home_lists"],
    "engagement_list": ["list_rows", "list_filter_options"],
    "engagement_page": ["engagement_head", "engagement_progress", "engagement_meetings", "engagement_records"],
    "meeting_form": ["meeting_form"],
    "competencies": ["competencies_catalog", "competencies_by_month", "competencies_by_isp"],
    "competencies_csv": ["competencies_catalog", "competencies_by_month"],
    "strategies": [
        "strategies_used",
        "strategies_by_stage_and_cluster",
        "strategies_activities",
        "dose",
        "between_monthly",
    ],
    "progress": ["progress_stages", "progress_goals", "progress_rows", "progress_outcomes"],
    "progress_api": ["progress_stages", "progress_goals", "progress_rows"],
    "portfolio": [
        "portfolio_active",
        "portfolio_requests",
        "portfolio_hours",
        "portfolio_attention",
        "portfolio_competencies",
    ],
}


def pages(app, big_engagement, unit):
    """[(name, url, who, floor key, is report)]: who is 'leader', 'isp' or 'api' (the leader's bearer token)."""
    out = [
        ("home", "/", "isp", "home", False),  # a leader's home is the dashboard, measured below
        (
            "engagement list (filtered)",
            f"/engagements?status=active&unit={unit}",
            "leader",
            "engagement_list",
            False,
        ),
        ("engagement page (100 meetings)", f"/engagements/{big_engagement}", "isp", "engagement_page", False),
        ("meeting form", f"/engagements/{big_engagement}/meetings/new", "isp", "meeting_form", False),
        ("competencies report", "/reports/competencies", "leader", "competencies", True),
        ("strategies report", "/reports/strategies", "leader", "strategies", True),
        ("progress report", "/reports/progress", "leader", "progress", True),
        ("portfolio dashboard", "/reports/", "leader", "portfolio", True),
        ("adherence report", "/reports/adherence", "leader", None, True),
        ("cost report", "/reports/cost", "leader", None, True),
        ("plan page", f"/engagements/{big_engagement}/plan", "isp", None, False),
        ("team report", "/reports/team", "leader", None, True),
        ("pathway report", "/reports/pathway", "leader", None, True),
        ("activities list", f"/engagements/{big_engagement}/activities", "isp", None, False),
        ("search (a common word)", "/search?q=team", "leader", None, False),
        ("CSV export (competencies)", "/reports/competencies.csv", "leader", "competencies_csv", True),
    ]
    api_floors = {"competencies": "competencies", "strategies": "strategies", "progress": "progress_api"}
    api_floors["portfolio"] = "portfolio"
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if (
            rule.rule.startswith("/api/v1")
            and "report" in rule.rule
            and not rule.arguments
            and "GET" in (rule.methods or ())
        ):
            name = rule.rule.rsplit("/", 1)[-1]
            url = rule.rule + (f"?engagement_id={big_engagement}" if name == "feedback" else "")  # one engagement's
            out.append((f"API {rule.rule}", url, "api", api_floors.get(name), True))
    return out


def _max_rss_mb(who):
    """The maximum resident set size in MB of this process ("self") or of its finished children
    ("children"); None where the Unix-only `resource` module is missing (the benchmark still runs)."""
    try:
        import resource  # noqa: PLC0415 - Unix only: importing this module must not fail elsewhere
    except ImportError:
        return None
    rss = resource.getrusage(resource.RUSAGE_SELF if who == "self" else resource.RUSAGE_CHILDREN).ru_maxrss
    return round(rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024, 1)


def _children_peak_mb():
    return _max_rss_mb("children")


def peak_memory_mb():
    return _max_rss_mb("self")


def _percentile_95(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def _time(fn, runs, warmups, before=None):
    """(median ms, p95 ms) of `fn` over `runs` calls after `warmups`; `before` runs ahead of each call,
    outside the timing (the cold runs' write)."""
    for _ in range(warmups):
        if before:
            before()
        fn()
    samples = []
    for _ in range(runs):
        if before:
            before()
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), _percentile_95(samples)


def _fill(url, scale, seed):
    """Fresh schema and catalogs at `url`, then the synthetic portfolio (run in a child process)."""
    create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url})
    database.connect(reuse_if_open=True)
    if not url.startswith("sqlite"):
        database.drop_tables(list(MODELS), safe=True, cascade=True)
    init_db()
    generate(scale, seed)
    close_all()


def _build(url, scale, seed):
    """Fill a fresh database at `url` in a child process (so the generator's memory is not counted
    as the pages' peak memory), then return an app on it."""

    code = "import sys; from tracker.tools.bench import _fill; _fill(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))"
    env = dict(os.environ, DATABASE_URL=url)
    done = subprocess.run(
        [sys.executable, "-c", code, url, repr(scale), str(seed)],
        env=env,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    if done.returncode != 0:
        raise click.ClickException(f"generating scale {scale:g} failed:\n{done.stderr[-2000:]}")
    return _app_on(url)


def _big_engagement_and_co_lead():
    """The generator's first engagement (the one with 100 meetings) and one of its co-leads."""
    big = Engagement.select().order_by(Engagement.id).first()
    co_lead = (
        User.select()
        .join(EngagementISP, on=(EngagementISP.user == User.id))
        .where((EngagementISP.engagement == big) & (EngagementISP.role == "co_lead"))
        .first()
    )
    return big, co_lead


def _signed_in_client(app, user):
    """A test client whose session is signed in as `user` (flask-login's session keys)."""
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.session_token
        sess["_fresh"] = True
    return client


class _Writer:
    """The write before each cold request: one live meeting of the big engagement gains or loses a minute
    (alternately, so the data stay as generated), a real UPDATE that moves every trigger, rollup and
    data-version token as logging a meeting does; then the report cache, where there is one, is emptied."""

    def __init__(self, engagement_id):
        self.meeting_id = (
            Meeting.select(Meeting.id)
            .where((Meeting.engagement == engagement_id) & Meeting.deleted_at.is_null())
            .order_by(Meeting.id)
            .scalar()
        )
        self.sign = 1

    def __call__(self):
        with database.atomic():
            Meeting.update(duration_minutes=Meeting.duration_minutes + self.sign).where(
                Meeting.id == self.meeting_id
            ).execute()
        self.sign = -self.sign
        cache = _report_cache()
        if cache is not None:
            cache.clear()


def _floor_ms(statements, runs, warmups):
    """(median ms, p95 ms) of running every statement of a floor once, one after the other."""

    def floor():
        for sql in statements:
            database.execute_sql(sql).fetchall()

    return _time(floor, runs, warmups)


def _figures(median, p95, queries, floor_ms):
    return {
        "median_ms": round(median, 2),
        "p95_ms": round(p95, 2),
        "queries": queries,
        "ratio_to_floor": round(median / floor_ms, 2) if floor_ms else None,
    }


def measure(url, scale, runs=20, warmups=3, seed=None, label="sqlite", cold_runs=None, echo=None):
    """[{page, url, scale, database, report, floor_ms, floor_statements, cold: {median_ms, p95_ms, queries,
    ratio_to_floor}, warm: {...}}] for one database at one scale; `echo` (when given) hears a line per page as
    it is measured (at scale 100 a pass takes the best part of an hour)."""
    app = _build(url, scale, SEED if seed is None else seed)
    leader = User.get(User.email == LEADER_EMAIL)
    big, co_lead = _big_engagement_and_co_lead()
    clients = {"leader": _signed_in_client(app, leader), "isp": _signed_in_client(app, co_lead)}
    dialect = _Dialect(is_sqlite())
    ids = {"e": big.id, "isp": co_lead.id, "unit": big.unit_id}
    write = _Writer(big.id)
    crosswalk = crosswalk_table()
    cold_runs = cold_runs or (runs if runs < 5 else max(5, runs // 2))  # each one a write and a cold request

    headers = {"leader": {}, "isp": {}, "api": {}}
    listed = pages(app, big.id, big.unit_id)
    if any(who == "api" for _, _, who, _, _ in listed):
        with app.test_request_context():
            _, token = new_token(leader, "bench")
        headers["api"] = {"Authorization": f"Bearer {token}"}
        clients["api"] = app.test_client()

    results = []
    began = time.perf_counter()
    for done, (name, url_, who, floor_key, is_report) in enumerate(listed, 1):
        client = clients[who]

        def get(client=client, url_=url_, who=who, name=name):  # bound now: called only in this pass
            response = client.get(url_, headers=headers[who])
            if response.status_code != 200:
                raise click.ClickException(f"{name}: GET {url_} answered {response.status_code}.")
            response.get_data()

        def counted(before=None):
            if before:
                before()
            with count_queries() as counter:
                get()
            return counter.count

        get()
        warm_queries = min(counted() for _ in range(2))  # the lower of two: an API token's last_used_at
        warm = _time(get, runs, warmups)
        cold = _time(get, cold_runs, 1, before=write)
        cold_queries = min(counted(write) for _ in range(2))
        floor_ms = statements = None
        if floor_key:
            statements = floor_statements(floor_key, dialect, ids, crosswalk)
            floor_ms = round(_floor_ms(statements, runs, warmups)[0], 2)
        results.append(
            {
                "page": name,
                "url": url_,
                "scale": scale,
                "database": label,
                "report": is_report,
                "floor": floor_key,
                "floor_ms": floor_ms,
                "floor_statements": len(statements) if statements else None,
                "cold": _figures(*cold, cold_queries, floor_ms),
                "warm": _figures(*warm, warm_queries, floor_ms),
            }
        )
        if echo:
            row = results[-1]
            echo(
                f"  {label} scale {scale:g}, page {done} of {len(listed)} ({time.perf_counter() - began:.0f} s): "
                f"{name}: cold {row['cold']['median_ms']} ms, warm {row['warm']['median_ms']} ms"
                + (f", floor {floor_ms} ms" if floor_ms is not None else "")
            )
    overhead = rollup_overhead(app, co_lead, big, runs=max(3, runs // 2))
    close_all()
    return results, overhead


def _meeting_post(client, engagement, day):
    """One meeting logged through the form (GET for its CSRF token, then the POST): the POST's ms."""
    url = f"/engagements/{engagement.id}/meetings/new"
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True))
    if not found:
        raise click.ClickException("the meeting form has no CSRF token.")
    data = {
        "csrf_token": found.group(1),
        "date": day,
        "kind": "coaching",
        "mode": "virtual",
        "duration_minutes": "60",
        "notes": "Benchmark session",
        "competencies": [str(c.id) for c in Competency.select(Competency.id).where(~Competency.retired).limit(2)],
        "strategies": [str(s.id) for s in Strategy.select(Strategy.id).where(~Strategy.retired).limit(2)],
    }
    began = time.perf_counter()
    response = client.post(url, data=data)
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 302:
        raise click.ClickException(f"logging a meeting answered {response.status_code}, not a redirect.")
    return elapsed


def rollup_overhead(app, co_lead, engagement, runs=10):
    """Logging a meeting (the create POST through the test client) with the rollup triggers installed and
    uninstalled, alternately, each timed after one untimed POST in the same state: {"with_ms", "without_ms",
    "overhead"} (medians; overhead = with / without - 1),
    or {"error"} when tracker.rollups is not there to switch the triggers."""
    try:
        rollups = importlib.import_module("tracker.rollups")
    except ImportError:  # built apart (issue 21): measured once tracker.rollups is merged
        return {"error": "tracker.rollups is not on this branch: not measured"}
    client = _signed_in_client(app, co_lead)
    times = {True: [], False: []}
    day = today().isoformat()  # the form accepts dates from the engagement's start to today
    for installed in [True, False] * (runs + 1):
        (rollups.install if installed else rollups.uninstall)(database)
        # one untimed POST after each switch: creating or dropping triggers and functions empties the database's
        # cached plans and compiled statements, which a running server pays once, not on every meeting logged
        _meeting_post(client, engagement, day)
        times[installed].append(_meeting_post(client, engagement, day))
    rollups.install(database)
    rollups.rebuild(database)  # the meetings logged while uninstalled: the rollups equal the raw rows again
    with_ms, without_ms = statistics.median(times[True][1:]), statistics.median(times[False][1:])  # first: warm-up
    return {
        "with_ms": round(with_ms, 2),
        "without_ms": round(without_ms, 2),
        "overhead": round(with_ms / without_ms - 1, 3) if without_ms else None,
    }


def _target(name, subject, met, **figures):
    return {"target": name, "subject": subject, "met": met, **figures}


def evaluate_targets(results, peak_mb, throughput_runs=None, overheads=None):
    """Every target that applies to what was measured: [{"target", "subject", "met", ...figures}]. Report
    targets read the cold figures (the first visit after a write)."""
    out = []
    by = {}
    for r in results:
        by.setdefault((r["database"], r["page"]), {})[r["scale"]] = r
    for (db, page), per in sorted(by.items()):
        scales = sorted(per)
        subject = f"{db} {page}"
        for kind in ("cold", "warm"):
            counts = [per[s][kind]["queries"] for s in scales]
            if len(scales) > 1:
                out.append(
                    _target(
                        "queries per page identical at every scale",
                        f"{subject} ({kind})",
                        len(set(counts)) == 1,
                        scales=scales,
                        queries=counts,
                    )
                )
        if not per[scales[0]]["report"]:
            continue
        if 10 in per:
            cold = per[10]["cold"]
            out.append(
                _target(
                    f"scale 10: report at most {REPORT_TARGET_MS} ms median (cold)",
                    subject,
                    cold["median_ms"] <= REPORT_TARGET_MS,
                    limit_ms=REPORT_TARGET_MS,
                    median_ms=cold["median_ms"],
                    p95_ms=cold["p95_ms"],
                )
            )
            if cold["ratio_to_floor"] is not None:
                out.append(
                    _target(
                        f"scale 10: report at most {RATIO_TARGET}x its floor (cold)",
                        subject,
                        cold["ratio_to_floor"] <= RATIO_TARGET,
                        limit=RATIO_TARGET,
                        ratio_to_floor=cold["ratio_to_floor"],
                        median_ms=cold["median_ms"],
                        floor_ms=per[10]["floor_ms"],
                    )
                )
        if 1 in per and 10 in per and per[1]["cold"]["median_ms"] > 0:
            growth = round(per[10]["cold"]["median_ms"] / per[1]["cold"]["median_ms"], 2)
            out.append(
                _target(
                    f"scale 1 -> 10: report at most {GROWTH_TARGET}x slower (cold)",
                    subject,
                    growth <= GROWTH_TARGET,
                    limit=GROWTH_TARGET,
                    growth=growth,
                    scale_1_ms=per[1]["cold"]["median_ms"],
                    scale_10_ms=per[10]["cold"]["median_ms"],
                )
            )
        if db == "postgres" and 100 in per:
            cold = per[100]["cold"]
            out.append(
                _target(
                    f"scale 100 on PostgreSQL: report at most {POSTGRES_100_TARGET_MS} ms median (cold)",
                    subject,
                    cold["median_ms"] <= POSTGRES_100_TARGET_MS,
                    limit_ms=POSTGRES_100_TARGET_MS,
                    median_ms=cold["median_ms"],
                    p95_ms=cold["p95_ms"],
                )
            )
    if peak_mb is not None:
        out.append(
            _target(
                f"memory at most {MEMORY_TARGET_MB} MB",
                "the benchmark's process (every page at every scale)",
                peak_mb <= MEMORY_TARGET_MB,
                limit_mb=MEMORY_TARGET_MB,
                peak_mb=peak_mb,
            )
        )
    for run_ in throughput_runs or []:
        limit = THROUGHPUT_TARGET if not run_["report"] else REPORT_THROUGHPUT_TARGET
        out.append(
            _target(
                f"at least {limit} requests/s under gunicorn ({run_['workers']} workers), no error",
                run_["page"],
                run_["requests_per_s"] >= limit and not run_["errors"],
                limit_per_s=limit,
                requests_per_s=run_["requests_per_s"],
                errors=run_["errors"],
            )
        )
        for pid, mb in (run_.get("worker_peak_mb") or {}).items():
            out.append(
                _target(
                    f"memory at most {MEMORY_TARGET_MB} MB a worker",
                    f"gunicorn worker {pid} after {run_['page']}",
                    mb <= MEMORY_TARGET_MB,
                    limit_mb=MEMORY_TARGET_MB,
                    peak_mb=mb,
                )
            )
    for label, overhead in sorted((overheads or {}).items()):
        if overhead.get("overhead") is None:
            continue  # not measured (its reason is in the JSON and the output)
        out.append(
            _target(
                f"rollups add at most {ROLLUP_OVERHEAD_TARGET:.0%} to logging a meeting",
                label,
                overhead["overhead"] <= ROLLUP_OVERHEAD_TARGET,
                limit=ROLLUP_OVERHEAD_TARGET,
                **overhead,
            )
        )
    return out


def missed(targets):
    """One line per missed target, with its figures."""

    def figures(t):
        return ", ".join(f"{k} {v}" for k, v in t.items() if k not in ("target", "subject", "met"))

    return [f"{t['subject']}: {t['target']} ({figures(t)})" for t in targets if not t["met"]]


def check_targets(results, peak_mb, throughput_runs=None, overheads=None):
    """Human-readable lines about the targets that are missed (empty when all are met)."""
    return missed(evaluate_targets(results, peak_mb, throughput_runs, overheads))


def table(results):
    head = (
        f"{'page':<34} {'db':<8} {'scale':>6} {'cold ms':>9} {'cold p95':>9} {'cold q':>7} {'cold x':>7} "
        f"{'warm ms':>9} {'warm p95':>9} {'warm q':>7} {'floor ms':>9} {'x floor':>8}"
    )
    lines = [head, "-" * len(head)]

    def cell(value, width, spec=".2f"):
        return f"{'' if value is None else format(value, spec):>{width}}"

    for r in results:
        cold, warm = r["cold"], r["warm"]
        lines.append(
            f"{r['page'][:34]:<34} {r['database']:<8} {r['scale']:>6g} {cold['median_ms']:>9.2f} "
            f"{cold['p95_ms']:>9.2f} {cold['queries']:>7} {cell(cold['ratio_to_floor'], 7, '.1f')} "
            f"{warm['median_ms']:>9.2f} {warm['p95_ms']:>9.2f} {warm['queries']:>7} {cell(r['floor_ms'], 9)} "
            f"{cell(warm['ratio_to_floor'], 8, '.1f')}"
        )
    return "\n".join(lines)


class _KeepDatabase:
    """Put the app's database back after the benchmark rebinds the shared proxy to its own ones."""

    def __enter__(self):
        self.saved = database.obj
        return self

    def __exit__(self, *exc):
        if database.obj is not self.saved:
            close_all()
            database.initialize(self.saved)
        return False


def measure_at(scale, runs=1, warmups=0):
    """measure()'s rows on a temporary SQLite file; the current database is untouched and stays bound."""
    with _KeepDatabase(), tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        rows, _overhead = measure(
            f"sqlite:///{os.path.join(tmp, 'bench.sqlite3')}", scale, runs=runs, warmups=warmups, cold_runs=1
        )
        return rows


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session_cookie(app, user):
    """The signed session cookie of `user` for `app` (the server must share its SECRET_KEY)."""
    client = _signed_in_client(app, user)
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return f"{cookie.key}={cookie.value}"


def _worker_peaks(master):
    """{pid: peak resident MB} of the gunicorn master's workers (Linux /proc; {} elsewhere)."""
    peaks = {}
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{master}/task"):
            with open(f"/proc/{master}/task/{task}/children", encoding="ascii") as fh:
                for pid in fh.read().split():
                    with contextlib.suppress(OSError), open(f"/proc/{pid}/status", encoding="ascii") as status:
                        found = re.search(r"VmHWM:\s+(\d+) kB", status.read())
                        if found:
                            peaks[pid] = round(int(found.group(1)) / 1024, 1)
    return peaks


def _wrk(wrk, url, cookie, seconds, connections):
    done = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    )
    text = done.stdout

    def number(pattern, default=0.0):
        found = re.search(pattern, text)
        return float(found.group(1)) if found else default

    def ms(label):
        found = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", text)
        if not found:
            return None
        value, unit = float(found.group(1)), found.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)

    errors = int(number(r"Non-2xx or 3xx responses: (\d+)")) + int(
        sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    )
    return {
        "requests_per_s": round(number(r"Requests/sec:\s+([\d.]+)"), 1),
        "requests": int(number(r"(\d+) requests in")),
        "errors": errors,
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
    }


def throughput(path, seconds=15, workers=2, connections=16):
    """Requests per second under gunicorn with `workers` workers on 127.0.0.1, driven by wrk on this machine
    for `seconds` a page, on the SQLite file at `path` (already filled): the engagement page (100 meetings,
    as its co-lead) and each report page (as the leader; nothing changes between requests).
    [{"page", "report", "requests_per_s", "requests", "errors", "p50_ms", "p99_ms", "workers", "connections",
    "seconds", "worker_peak_mb"}]."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise click.ClickException("The throughput run needs wrk (Debian/Ubuntu: apt-get install -y wrk).")
    url = f"sqlite:///{path}"
    with _KeepDatabase():
        app = _app_on(url)
        big, co_lead = _big_engagement_and_co_lead()
        cookies = {
            "isp": _session_cookie(app, co_lead),
            "leader": _session_cookie(app, User.get(User.email == LEADER_EMAIL)),
        }
        loads = [("engagement page (100 meetings)", f"/engagements/{big.id}", "isp", False)] + [
            (name, url_, who, True)
            for name, url_, who, _floor, report in pages(app, big.id, big.unit_id)
            if report and who == "leader" and not url_.endswith(".csv")
        ]
        close_all()
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=url, TRACKER_SECRET_KEY="bench", TRACKER_INSTANCE_PATH=os.path.dirname(path))
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning", "tracker:create_app()"],
        env=env,
        cwd=PROJECT_ROOT,
    )
    out = []
    try:
        first = f"http://127.0.0.1:{port}{loads[0][1]}"
        for _ in range(100):
            try:
                request = urllib.request.Request(first, headers={"Cookie": cookies["isp"]})
                if urllib.request.urlopen(request, timeout=2).status == 200:  # nosec B310 # an http://127.0.0.1 URL the bench built itself
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise click.ClickException("gunicorn did not answer the engagement page.")
        for name, path_, who, report in loads:
            result = _wrk(wrk, f"http://127.0.0.1:{port}{path_}", cookies[who], seconds, connections)
            out.append(
                {
                    "page": name,
                    "report": report,
                    **result,
                    "workers": workers,
                    "connections": connections,
                    "seconds": seconds,
                    "worker_peak_mb": _worker_peaks(server.pid),
                }
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out


def _app_on(url):
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url})
    database.connect(reuse_if_open=True)
    return app


def run(scales, out=None, runs=20, warmups=3, postgres_url=None, echo=print, throughput_seconds=0):
    results, overheads = [], {}
    rates = None
    with _KeepDatabase(), tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        for scale in scales:
            path = os.path.join(tmp, f"bench-{scale:g}.sqlite3")
            began = time.perf_counter()
            if scale <= SQLITE_MAX_SCALE:
                rows, overheads[f"sqlite scale {scale:g}"] = measure(
                    f"sqlite:///{path}", scale, runs=runs, warmups=warmups, echo=echo
                )
                results += rows
                echo(f"scale {scale:g} on SQLite measured in {time.perf_counter() - began:.0f} s")
            if throughput_seconds and scale == 1 and rates is None:
                rates = throughput(path, seconds=throughput_seconds)
                echo(f"scale 1 under gunicorn (2 workers) with wrk: {len(rates)} pages loaded")
            if postgres_url:
                began = time.perf_counter()  # PostgreSQL's own time, not SQLite's before it
                rows, overheads[f"postgres scale {scale:g}"] = measure(
                    postgres_url, scale, runs=runs, warmups=warmups, label="postgres", echo=echo
                )
                results += rows
                echo(f"scale {scale:g} on PostgreSQL measured in {time.perf_counter() - began:.0f} s")
    peak = peak_memory_mb()
    generator_peak = _children_peak_mb()
    targets = evaluate_targets(results, peak, rates, overheads)
    misses = missed(targets)
    report = {
        "results": results,
        "throughput": rates,
        "rollup_overhead": overheads,
        "peak_memory_mb": peak,
        "generator_peak_memory_mb": generator_peak,
        "scales": list(scales),
        "runs": runs,
        "warmups": warmups,
        "limits": {
            "report_median_ms_at_10": REPORT_TARGET_MS,
            "ratio_to_floor_at_10": RATIO_TARGET,
            "growth_1_to_10": GROWTH_TARGET,
            "postgres_report_median_ms_at_100": POSTGRES_100_TARGET_MS,
            "memory_mb": MEMORY_TARGET_MB,
            "engagement_page_per_s": THROUGHPUT_TARGET,
            "report_page_per_s": REPORT_THROUGHPUT_TARGET,
            "rollup_overhead": ROLLUP_OVERHEAD_TARGET,
        },
        "targets": targets,
        "missed_targets": misses,
    }
    echo(table(results))
    for rate in rates or []:
        echo(
            f"throughput {rate['page']}: {rate['requests_per_s']} req/s over {rate['requests']} requests, "
            f"{rate['errors']} errors, p50 {rate['p50_ms']} ms, p99 {rate['p99_ms']} ms "
            f"(gunicorn -w {rate['workers']}, wrk -c {rate['connections']})"
        )
    for label, overhead in overheads.items():
        if overhead.get("overhead") is None:
            echo(f"rollups and logging a meeting, {label}: {overhead.get('error')}")
        else:
            echo(
                f"rollups and logging a meeting, {label}: {overhead['with_ms']} ms with the triggers, "
                f"{overhead['without_ms']} ms without (+{overhead['overhead']:.0%})"
            )
    echo(f"peak memory: {peak} MB (generating the data, in a child process: {generator_peak} MB)")
    echo(f"targets: {sum(t['met'] for t in targets)} of {len(targets)} met")
    echo("targets: all met" if not misses else "targets missed:\n  " + "\n  ".join(misses))
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=2)
        echo(f"wrote {out}")
    return report


HELP = """Measure every page cold and warm against its honest floor on synthetic portfolios; check the targets.

Cold is the first visit after a write; synthetic portfolios on SQLite, and on PostgreSQL too when DATABASE_URL
names it (scales above 10 on PostgreSQL only); the targets are issue 21's.

\b
Targets, on the cold figures (--check exits non-zero when one is missed, naming it):
- scale 10: every report page and report API <= 100 ms median and <= 2x its floor
- scale 1 -> 10: every report <= 2x slower; scale 100 on PostgreSQL: every report <= 250 ms
- queries per page identical at every scale; memory <= 150 MB (this process, each gunicorn worker)
- with --throughput: engagement page >= 400 requests/s, each report page >= 300 requests/s
- logging a meeting <= 20% slower with the rollup triggers installed than without

--throughput needs wrk on this machine (Debian/Ubuntu: apt-get install -y wrk)."""


@click.command("bench", help=HELP)
@with_appcontext
@click.option("--scale", "scales", type=float, multiple=True, help="A scale to measure (repeat for several).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the results as JSON to this file.")
@click.option("--runs", type=int, default=20, show_default=True, help="Timed runs per page, after warm-up.")
@click.option("--warmups", type=int, default=3, show_default=True)
@click.option(
    "--throughput",
    "throughput_seconds",
    type=int,
    default=0,
    metavar="SECONDS",
    help="Also load the engagement page and each report page under gunicorn (2 workers) with wrk for SECONDS "
    "each, at scale 1. Needs wrk (apt-get install -y wrk).",
)
@click.option("--check", is_flag=True, help="Exit non-zero when a target is missed (listing the missed ones).")
def bench_command(scales, out, runs, warmups, throughput_seconds, check):
    scales = list(scales) or [1.0]
    if runs < 1:
        raise click.ClickException("--runs must be at least 1.")
    env_url = os.environ.get("DATABASE_URL", "")
    postgres_url = env_url if env_url.startswith(("postgres", "postgresql")) else None
    if throughput_seconds < 0:
        raise click.ClickException("--throughput must be a number of seconds.")
    if throughput_seconds and 1.0 not in scales:
        raise click.ClickException("--throughput measures scale 1: add --scale 1.")
    if not postgres_url and any(scale > SQLITE_MAX_SCALE for scale in scales):
        raise click.ClickException(
            f"Scales above {SQLITE_MAX_SCALE:g} are measured on PostgreSQL only: set DATABASE_URL to a PostgreSQL "
            "database (it is emptied)."
        )
    report = run(
        scales,
        out=out,
        runs=runs,
        warmups=warmups,
        postgres_url=postgres_url,
        echo=click.echo,
        throughput_seconds=throughput_seconds,
    )
    if check and report["missed_targets"]:
        raise click.ClickException(f"{len(report['missed_targets'])} target(s) missed (listed above).")
