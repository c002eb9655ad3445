"""Report rollups kept on write (issue 21): the `rollup` table (tracker/models/rollups.py) holds the logged
meetings' sessions and minutes by month, kind, mode, stage and review state, and by strategy, cluster,
competency and domain, so that the portfolio reports read a few thousand rows whatever the number of meetings.

How they stay right: every meeting's own share is kept in `rollup_part`. Refreshing a set of meetings
subtracts their parts from `rollup`, computes their parts again from the raw rows, and adds them back: four
statements, whichever change caused it, so the order in which rows are written never matters. Database
triggers run the refresh in the writing transaction, on SQLite and PostgreSQL alike, for every path that
writes (forms, API, imports, raw SQL):

- a meeting inserted, deleted, or updated in a column the reports read (date, kind, mode, minutes, review
  state, soft delete, engagement): that meeting, every dim;
- a strategy or competency link written: its meeting, the strategy dims or the competency dims; an attendee
  written: its meeting, the dims by who took part;
- a stage entry written: the meetings of its engagement, the dims keyed by stage;
- an engagement soft-deleted or restored: its meetings, every dim; a strategy moved to another cluster: its
  meetings, the cluster dim.

The released feedback scores (`rollup_feedback_score`, one row per response released on a scale) are kept the
same way, two statements a refresh (delete the rows, compute them again: reports/feedback.py `score_rows` is the
rule), for a release written or deleted, an answer written, a response's kind changed, a release's day or
engagement changed, and a scale's items changed.

SQLite: AFTER ... FOR EACH ROW triggers (a row at a time), each putting the changed key into a queue view whose
INSTEAD OF trigger runs the refresh (so each refresh is written once in the schema). PostgreSQL: AFTER ... FOR
EACH STATEMENT triggers with transition tables, which gather the ids the statement touched and pass them to a
refresh function (one refresh per statement; the function's statements are planned once a session).

What a meeting counts for is the reports' rule (tracker/reports/filters.py and the report modules): a live
meeting, not a draft, of a live engagement; its stage is the stage its engagement was in on its date
(`stage_at`); a strategy's minutes are its recorded dose, else its share of the minutes no dose covers; a
competency counts for itself and, through the crosswalk, for the other framework's (tracker/catalog).

`install` / `uninstall` (the triggers), `rebuild` (every part and rollup row from the raw rows: the CLI's
`rebuild-rollups`), `bulk_load` (a block written without the triggers, then rebuilt: generate-data).
tests/test_rollups.py checks, after random writes, edits, deletes, restores and imports, that the rollups equal
the same aggregates computed from the raw rows.
"""

from collections.abc import Callable
from contextlib import contextmanager
from functools import partial
from typing import NamedTuple

from .db import database as default_database
from .db import is_sqlite
from .models import ROLLUP_FIGURES, ROLLUP_KEY, CompetencyFramework, RollupCompetencyLink
from .reports.competencies import counted_links
from .reports.feedback import score_rows

SESSION, STRATEGY, CLUSTER, COMPETENCY, DOMAIN = "session", "strategy", "cluster", "competency", "domain"
ISP_SESSION, ISP_COMPETENCY = "isp_session", "isp_competency"
DIMS = (SESSION, STRATEGY, CLUSTER, COMPETENCY, DOMAIN, ISP_SESSION, ISP_COMPETENCY)
ISP_DIMS = (ISP_SESSION, ISP_COMPETENCY)  # by who took part: an attendee or the link changes them
# Sessions between monthly meetings, kept per engagement (an interval depends on the engagement's other meetings):
# tag = engagement, item = the interval's sessions (0, 1, 2, 3 for 3 or more), approved = 1 when computed over
# the approved logs only, else over every logged one; sessions = intervals, exact = the sessions in them.
BETWEEN = "between"
STAGED = (SESSION, CLUSTER)  # the dims keyed by stage: a stage entry changes them
MEETING_COLUMNS = (
    "date",
    "kind",
    "mode",
    "duration_minutes",
    "review_state",
    "deleted_at",
    "engagement_id",
    "logged_by_id",
)
PREFIX = "rollup_"

_KEY = ", ".join(ROLLUP_KEY)
_PART_COLUMNS = "meeting_id, engagement_id, " + _KEY + ", " + ", ".join(ROLLUP_FIGURES)


def _month(column):
    return f"substr({column}, 1, 7)" if is_sqlite() else f"to_char({column}, 'YYYY-MM')"


def _base(meetings):
    """The meetings that count (see the module's rule) among those whose id satisfies `meetings` (a function of
    the id column giving a SQL condition), with the keys they are counted under."""
    return (
        "SELECT m.id AS meeting_id, m.engagement_id AS engagement_id, "  # nosec B608 # constants only (tables, columns, dims), no input
        f"{_month('m.date')} AS month, m.kind AS kind, m.mode AS mode, "
        "COALESCE((SELECT se.stage_id FROM stage_entry se WHERE se.engagement_id = m.engagement_id "
        "AND se.entered_on <= m.date ORDER BY se.entered_on DESC, se.id DESC LIMIT 1), 0) AS stage, "
        "CASE WHEN m.review_state = 'approved' THEN 1 ELSE 0 END AS approved, m.duration_minutes AS minutes "
        "FROM meeting m JOIN engagement e ON e.id = m.engagement_id "
        f"WHERE {meetings('m.id')} AND m.deleted_at IS NULL AND m.review_state <> 'draft' AND e.deleted_at IS NULL"
    )


def _strategy_minutes():
    """A strategy link's minutes (reports/strategies.py's rule): its dose, else the meeting's minutes no dose
    covers shared equally among the links without one."""
    return (
        "COALESCE(ms.minutes, CASE WHEN b.minutes - pm.recorded > 0 "
        "THEN (b.minutes - pm.recorded) * 1.0 / NULLIF(pm.n - pm.recorded_n, 0) ELSE 0 END, 0)"
    )


def _parts(meetings, dims):
    """SELECT of the parts (rollup_part's columns) of the meetings `meetings` selects, for `dims`."""
    base = f"({_base(meetings)}) b"
    per_meeting = (
        "(SELECT meeting_id, COUNT(*) AS n, COUNT(minutes) AS recorded_n, COALESCE(SUM(minutes), 0) AS recorded "  # nosec B608 # constants only (tables, columns, dims), no input
        f"FROM meeting_strategy WHERE {meetings('meeting_id')} GROUP BY meeting_id) pm"
    )
    links = "rollup_competency_link cw"
    who = "b.meeting_id, b.engagement_id"
    strategy_join = (
        f"FROM {base} JOIN meeting_strategy ms ON ms.meeting_id = b.meeting_id "
        f"JOIN {per_meeting} ON pm.meeting_id = b.meeting_id"
    )
    competency_join = (
        f"FROM {base} JOIN meeting_competency mc ON mc.meeting_id = b.meeting_id "
        f"JOIN {links} ON cw.source = mc.competency_id"
    )
    # who took part in each meeting (reports/filters.py took_part): attended it, or logged it; each pair once
    took_part = (
        "(SELECT meeting_id, user_id FROM meeting_attendee WHERE user_id IS NOT NULL AND "  # nosec B608 # constants only (tables, columns, dims), no input
        f"{meetings('meeting_id')} UNION SELECT id, logged_by_id FROM meeting WHERE logged_by_id IS NOT NULL AND "
        f"{meetings('id')}) tp"
    )
    isp_join = f"FROM {base} JOIN {took_part} ON tp.meeting_id = b.meeting_id"
    minutes = _strategy_minutes()
    # dim: (tag, item, month, kind, mode, stage, approved, sessions, minutes, exact; the rest of the SELECT)
    branches = {
        SESSION: ("0", "0", "b.month", "b.kind", "b.mode", "b.stage", "b.approved", "1", "b.minutes", "0",
                  f"FROM {base}"),
        STRATEGY: ("ms.strategy_id", "0", "b.month", "''", "''", "0", "b.approved", "1", minutes, "0", strategy_join),
        CLUSTER: ("s.cluster_id", "0", "b.month", "''", "''", "b.stage", "b.approved", "1", f"SUM({minutes})", "0",
                  f"{strategy_join} JOIN strategy s ON s.id = ms.strategy_id "
                  f"GROUP BY {who}, s.cluster_id, b.month, b.stage, b.approved"),
        COMPETENCY: ("cw.target", "0", "b.month", "''", "''", "0", "b.approved", "1", "0", "MAX(cw.exact)",
                     f"{competency_join} GROUP BY {who}, cw.target, b.month, b.approved"),
        DOMAIN: ("cw.domain_id", "0", "b.month", "''", "''", "0", "b.approved", "1", "0", "0",
                 f"{competency_join} GROUP BY {who}, cw.domain_id, b.month, b.approved"),
        ISP_SESSION: ("tp.user_id", "0", "b.month", "''", "''", "0", "b.approved", "1", "0", "0", isp_join),
        ISP_COMPETENCY: ("tp.user_id", "mc.competency_id", "b.month", "''", "''", "0", "b.approved", "1", "0", "0",
                         f"{isp_join} JOIN meeting_competency mc ON mc.meeting_id = b.meeting_id"),
    }  # fmt: skip
    names = ROLLUP_KEY[1:] + ROLLUP_FIGURES

    def select(dim):
        *values, rest = branches[dim]
        named = ", ".join(f"{value} AS {name}" for value, name in zip(values, names, strict=True))
        return f"SELECT b.meeting_id AS meeting_id, b.engagement_id AS engagement_id, '{dim}' AS dim, {named} {rest}"

    return " UNION ALL ".join(select(d) for d in dims)


def _dims_in(dims):
    return "dim IN (" + ", ".join(f"'{d}'" for d in dims) + ")"


def _fold(parts_where, sign):
    """Add (sign "") or subtract (sign "-") the parts `parts_where` selects to/from `rollup`."""
    sums = ", ".join(f"{sign}SUM({f})" for f in ROLLUP_FIGURES)
    updates = ", ".join(f"{f} = rollup.{f} + excluded.{f}" for f in ROLLUP_FIGURES)
    return (
        f"INSERT INTO rollup ({_KEY}, {', '.join(ROLLUP_FIGURES)}) "  # nosec B608 # constants only (tables, columns, dims), no input
        f"SELECT {_KEY}, {sums} FROM rollup_part WHERE {parts_where} GROUP BY {_KEY} "
        f"ON CONFLICT ({_KEY}) DO UPDATE SET {updates}"
    )


def refresh_statements(meetings, dims=DIMS):
    """The four statements that bring `rollup` and `rollup_part` up to date for the meetings `meetings` selects
    (a function of an id column giving a SQL condition) in `dims`."""
    return _refresh(f"{meetings('meeting_id')} AND {_dims_in(dims)}", _parts(meetings, dims))


def _refresh(where, parts):
    """Subtract the parts `where` selects from `rollup`, delete them, insert `parts` (a SELECT of rollup_part's
    columns: the same parts computed again from the raw rows), add those: the one refresh every trigger runs."""
    return [
        _fold(where, "-"),
        f"DELETE FROM rollup_part WHERE {where}",  # nosec B608 # constants only (tables, columns, dims), no input
        f"INSERT INTO rollup_part ({_PART_COLUMNS}) {parts}",
        _fold(where, ""),
    ]


def _between(engagements):
    """SELECT of the `between` parts (rollup_part's columns; meeting_id 0) of the engagements `engagements`
    selects: reports/strategies.py between_monthly's intervals, for both readings of the logs."""
    monthly_first = "CASE WHEN m.kind = 'monthly' THEN 0 ELSE 1 END"
    branches = []
    for approved, state in ((0, "m.review_state <> 'draft'"), (1, "m.review_state = 'approved'")):
        numbered = (
            "SELECT m.engagement_id AS engagement_id, m.kind AS kind, "  # nosec B608 # constants only (tables, columns, dims), no input
            "COUNT(CASE WHEN m.kind = 'monthly' THEN 1 END) OVER (PARTITION BY m.engagement_id "
            f"ORDER BY m.date, {monthly_first}, m.id) AS interval_no "
            "FROM meeting m JOIN engagement e ON e.id = m.engagement_id "
            f"WHERE {engagements('m.engagement_id')} AND m.deleted_at IS NULL AND {state} AND e.deleted_at IS NULL"
        )
        per_interval = (
            "SELECT engagement_id, interval_no, SUM(CASE WHEN kind <> 'monthly' THEN 1 ELSE 0 END) AS n "  # nosec B608 # constants only (tables, columns, dims), no input
            f"FROM ({numbered}) numbered WHERE interval_no > 0 GROUP BY engagement_id, interval_no"
        )
        bucket = "CASE WHEN n >= 3 THEN 3 ELSE n END"
        branches.append(
            f"SELECT 0 AS meeting_id, engagement_id, '{BETWEEN}' AS dim, engagement_id AS tag, {bucket} AS item, "  # nosec B608 # constants only (tables, columns, dims), no input
            f"'' AS month, '' AS kind, '' AS mode, 0 AS stage, {approved} AS approved, COUNT(*) AS sessions, "
            f"0 AS minutes, SUM(n) AS exact FROM ({per_interval}) per_interval GROUP BY engagement_id, {bucket}"
        )
    return " UNION ALL ".join(branches)


def between_statements(engagements):
    """The four statements that bring the `between` rows up to date for the engagements `engagements` selects."""
    return _refresh(f"{engagements('engagement_id')} AND dim = '{BETWEEN}'", _between(engagements))


SCORE_COLUMNS = "released_id, engagement_id, released_on, scale, score"


def _scores(released):
    """INSERT of the released feedback scores of the feedback_released rows `released` selects (reports/feedback.py
    score_rows: the rule, as SQL without bound parameters)."""
    sql, params = score_rows(released).sql()
    assert not params, params  # noqa: S101 # a trigger's SQL holds no parameters: score_rows inlines its constants
    return f"INSERT INTO rollup_feedback_score ({SCORE_COLUMNS}) {sql}"


def score_statements(released):
    """The two statements that bring rollup_feedback_score up to date for the feedback_released rows `released`
    selects (a function of an id column giving a SQL condition): one row each, so delete and compute again."""
    return [f"DELETE FROM rollup_feedback_score WHERE {released('released_id')}", _scores(released)]  # nosec B608 # constants only


def _in(subquery):
    return lambda column: f"{column} IN ({subquery})"


def _any(array):
    return lambda column: f"{column} = ANY({array})"


def _create_function(database, name, statements):
    """A PostgreSQL function of `ids` (integer[]) running `statements`, with generic plans: planning the parts'
    query (a union of seven joins) costs ~17 ms, which custom plans would pay on every call."""
    database.execute_sql(
        f'CREATE OR REPLACE FUNCTION "{name}"(ids integer[]) RETURNS void LANGUAGE plpgsql '
        f"SET plan_cache_mode = force_generic_plan AS $$ BEGIN {'; '.join(statements)}; END $$"
    )


def _changed(old, new, columns):
    """SQL: any of `columns` differs between the rows `old` and `new` (NULLs compared as values)."""
    op = "IS NOT" if is_sqlite() else "IS DISTINCT FROM"
    return "(" + " OR ".join(f"{old}.{c} {op} {new}.{c}" for c in columns) + ")"


EVENTS = ("insert", "update", "delete")


class Watch(NamedTuple):
    """A table whose writes a refresh follows: `refresh(selected)` gives the statements that bring the kept rows
    of the ids `selected` picks (a function of an id column giving a SQL condition) up to date."""

    table: str
    refresh: Callable
    key: str  # SQLite: the key a changed row gives ("{row}.id")
    of_key: str  # SQLite: the ids to refresh given that key (`{key}`)
    many: str  # PostgreSQL: the ids to refresh given the statement's transition table (`{rows}`)
    columns: tuple  # what counts as a change for an UPDATE
    events: tuple = EVENTS
    between: tuple = None  # the engagements whose `between` rows to refresh too: (SQLite's key, PostgreSQL's ids)


def _meetings(dims):
    return partial(refresh_statements, dims=dims)


def _watched():
    meetings_of_engagements = "SELECT id FROM meeting WHERE engagement_id IN ({})"
    released_of = "SELECT id FROM feedback_released WHERE {} IN ({{}})".format  # nosec B608 # constant columns
    of_response, of_release, of_scale = (released_of(c).format for c in ("response_id", "release_id", "subject"))
    return [
        Watch("meeting", _meetings(DIMS), "{row}.id", "{key}", "SELECT id FROM {rows}", MEETING_COLUMNS,
              between=("{row}.engagement_id", "SELECT engagement_id FROM {rows}")),
        Watch("meeting_strategy", _meetings((STRATEGY, CLUSTER)), "{row}.meeting_id", "{key}",
              "SELECT meeting_id FROM {rows}", ("meeting_id", "strategy_id", "minutes")),
        Watch("meeting_competency", _meetings((COMPETENCY, DOMAIN, ISP_COMPETENCY)), "{row}.meeting_id", "{key}",
              "SELECT meeting_id FROM {rows}", ("meeting_id", "competency_id")),
        Watch("meeting_attendee", _meetings(ISP_DIMS), "{row}.meeting_id", "{key}", "SELECT meeting_id FROM {rows}",
              ("meeting_id", "user_id")),
        Watch("stage_entry", _meetings(STAGED), "{row}.engagement_id", meetings_of_engagements.format("{key}"),
              meetings_of_engagements.format("SELECT engagement_id FROM {rows}"),
              ("engagement_id", "stage_id", "entered_on")),
        Watch("engagement", _meetings(DIMS), "{row}.id", meetings_of_engagements.format("{key}"),
              meetings_of_engagements.format("SELECT id FROM {rows}"), ("deleted_at",), ("update",),
              ("{row}.id", "SELECT id FROM {rows}")),
        Watch("strategy", _meetings((CLUSTER,)), "{row}.id",
              "SELECT meeting_id FROM meeting_strategy WHERE strategy_id = {key}",
              "SELECT meeting_id FROM meeting_strategy WHERE strategy_id IN (SELECT id FROM {rows})", ("cluster_id",),
              ("update",)),
        # the released feedback scores: a release of a response on a scale, its answers, what the response is, when
        # its release is dated, and the items of each scale (how many make a full score)
        Watch("feedback_released", score_statements, "{row}.id", "{key}", "SELECT id FROM {rows}",
              ("release_id", "response_id", "subject")),
        Watch("feedback_answer", score_statements, "{row}.response_id", of_response("{key}"),
              of_response("SELECT response_id FROM {rows}"), ("response_id", "item_id", "value")),
        Watch("feedback_response", score_statements, "{row}.id", of_response("{key}"),
              of_response("SELECT id FROM {rows}"), ("kind",), ("update",)),
        Watch("feedback_release", score_statements, "{row}.id", of_release("{key}"),
              of_release("SELECT id FROM {rows}"), ("released_on", "engagement_id"), ("update",)),
        Watch("feedback_item", score_statements, "{row}.scale", of_scale("{key}"),
              of_scale("SELECT scale FROM {rows}"), ("scale", "instrument_id")),
    ]  # fmt: skip


SELF_LINK = f"{PREFIX}competency_insert"  # a new competency counts for itself (rollup_competency_link)


def trigger_names():
    """Every rollup trigger's name, with its table: [(name, table)]."""
    refreshing = [(f"{PREFIX}{w.table}_{event}", w.table) for w in _watched() for event in w.events]
    return refreshing + [(SELF_LINK, "competency")]


def install(database=None):
    """Create the rollup triggers (again: idempotent). The rows are not touched: `rebuild` fills them."""
    database = database or default_database
    uninstall(database)
    if is_sqlite():
        _install_sqlite(database)
    else:
        _install_postgres(database)


# SQLite: a table's row trigger inserts the key of what changed (a meeting, an engagement or a strategy id) into a
# queue view of its own, whose INSTEAD OF trigger holds the refresh once; the row triggers stay a line long. SQLite
# parses every trigger of the schema on each new connection: with the refresh written into each table trigger
# (17 of them, ~110 KB of SQL) that cost ~12 ms a connection.
QUEUE = f"{PREFIX}queue_"


def _queues():
    """(queue name, its refresh, the ids of a key (`{key}`)) of every SQLite queue view."""
    return [(w.table, w.refresh, w.of_key) for w in _watched()] + [(BETWEEN, between_statements, "{key}")]


def _enqueue(queue, key, event):
    """The row trigger's statement: the changed row's key (the NEW row's, the OLD one's, or both, once, for an
    UPDATE) inserted into `queue`."""
    rows = ["NEW"] if event == "insert" else ["OLD"] if event == "delete" else ["OLD", "NEW"]
    keys = " UNION ".join(f"SELECT {key.format(row=row)}" for row in rows)
    return f'INSERT INTO "{QUEUE}{queue}" (id) {keys}'


def _install_sqlite(database):
    for queue, refresh, ids_of in _queues():
        statements = refresh(_in(ids_of.format(key="NEW.id")))
        database.execute_sql(f'CREATE VIEW "{QUEUE}{queue}" AS SELECT NULL AS id WHERE 0')
        database.execute_sql(
            f'CREATE TRIGGER "{PREFIX}refresh_{queue}" INSTEAD OF INSERT ON "{QUEUE}{queue}" FOR EACH ROW '
            "BEGIN " + "; ".join(statements) + "; END"
        )
    for w in _watched():
        for event in w.events:
            statements = [_enqueue(w.table, w.key, event)]
            if w.between:
                statements.append(_enqueue(BETWEEN, w.between[0], event))
            when = f" WHEN {_changed('OLD', 'NEW', w.columns)}" if event == "update" else ""
            database.execute_sql(
                f'CREATE TRIGGER "{PREFIX}{w.table}_{event}" AFTER {event.upper()} ON "{w.table}" FOR EACH ROW{when} '
                "BEGIN " + "; ".join(statements) + "; END"
            )
    database.execute_sql(
        f'CREATE TRIGGER "{SELF_LINK}" AFTER INSERT ON competency FOR EACH ROW BEGIN '  # nosec B608 # constants only (tables, columns, dims), no input
        "INSERT INTO rollup_competency_link (source, target, domain_id, exact) "
        "VALUES (NEW.id, NEW.id, NEW.domain_id, 1); END"
    )


def _postgres_selected(template, event, columns):
    """What a statement trigger refreshes: `template` filled with its transition table(s); for an UPDATE, the
    old and the new rows of those that changed in `columns` (a link moved to another meeting leaves the first)."""
    if event == "insert":
        return template.format(rows="new_rows")
    if event == "delete":
        return template.format(rows="old_rows")
    changed = f"SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {_changed('o', 'n', columns)}"  # nosec B608 # constants only (tables, columns, dims), no input
    old = f"(SELECT o.* FROM old_rows o JOIN ({changed}) c ON c.id = o.id) c2"  # nosec B608 # constants only (tables, columns, dims), no input
    return template.format(rows=f"({changed}) c") + " UNION " + template.format(rows=old)


REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}


def _refresh_function(table):
    """The PostgreSQL function that refreshes what a write to `table` changes, for an array of ids (meetings, or
    engagements for `between`): the trigger functions call it, so its statements are planned once a session
    and not for each statement that fires a trigger (statements over transition tables are planned every time)."""
    return f"{PREFIX}refresh_{table}"


def _install_postgres(database):
    by_array = _any("ids")
    for w in _watched():
        _create_function(database, _refresh_function(w.table), w.refresh(by_array))
    _create_function(database, _refresh_function(BETWEEN), between_statements(by_array))
    for w in _watched():
        for event in w.events:
            name = f"{PREFIX}{w.table}_{event}"
            calls = [(_postgres_selected(w.many, event, w.columns), _refresh_function(w.table))]
            if w.between:
                calls.append((_postgres_selected(w.between[1], event, w.columns), _refresh_function(BETWEEN)))
            body = " ".join(
                f'ids := ARRAY({selected}); IF cardinality(ids) > 0 THEN PERFORM "{function}"(ids); END IF;'
                for selected, function in calls
            )
            database.execute_sql(
                f'CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS $$ '
                f"DECLARE ids integer[]; BEGIN {body} RETURN NULL; END $$"
            )
            database.execute_sql(
                f'CREATE TRIGGER "{name}" AFTER {event.upper()} ON "{w.table}" {REFERENCING[event]} '
                f'FOR EACH STATEMENT EXECUTE FUNCTION "{name}"()'
            )
    database.execute_sql(
        f'CREATE OR REPLACE FUNCTION "{SELF_LINK}"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '  # nosec B608 # constants only (tables, columns, dims), no input
        "INSERT INTO rollup_competency_link (source, target, domain_id, exact) "
        "SELECT id, id, domain_id, 1 FROM new_rows; RETURN NULL; END $$"
    )
    database.execute_sql(
        f'CREATE TRIGGER "{SELF_LINK}" AFTER INSERT ON competency REFERENCING NEW TABLE AS new_rows '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{SELF_LINK}"()'
    )


def uninstall(database=None):
    """Drop the rollup triggers (the rows stay; after writes without them, `rebuild`)."""
    database = database or default_database
    for name, table in trigger_names():
        if is_sqlite():
            database.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
        else:
            database.execute_sql(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
            database.execute_sql(f'DROP FUNCTION IF EXISTS "{name}"()')
    if is_sqlite():
        for queue, *_rest in _queues():  # and with each queue view, its trigger
            database.execute_sql(f'DROP VIEW IF EXISTS "{QUEUE}{queue}"')
    else:
        for table in [w.table for w in _watched()] + [BETWEEN]:
            database.execute_sql(f'DROP FUNCTION IF EXISTS "{_refresh_function(table)}"(integer[])')


def crosswalk_links():
    """(source, target, domain id, exact) of every competency for itself and every crosswalk link between two
    frameworks' competencies, each direction the reports count (reports/competencies.py `_links`): the rows of
    rollup_competency_link."""
    rows = {}
    for framework in CompetencyFramework.select():
        for source, target, domain_id, exact in counted_links(framework):
            rows[(source, target)] = (source, target, domain_id, exact)
    return list(rows.values())


def rebuild(database=None):
    """Every rollup row computed again from the raw rows (and the crosswalk's links from the catalog); returns
    the number of rollup rows."""
    database = database or default_database
    everything = lambda column: "1 = 1"  # noqa: E731
    with database.atomic():
        database.execute_sql("DELETE FROM rollup_competency_link")
        links = crosswalk_links()
        if links:
            RollupCompetencyLink.insert_many(links, fields=["source", "target", "domain_id", "exact"]).execute()
        database.execute_sql("DELETE FROM rollup_part")
        database.execute_sql("DELETE FROM rollup")
        database.execute_sql(f"INSERT INTO rollup_part ({_PART_COLUMNS}) {_parts(everything, DIMS)}")
        database.execute_sql(f"INSERT INTO rollup_part ({_PART_COLUMNS}) {_between(everything)}")
        database.execute_sql("DELETE FROM rollup_feedback_score")
        database.execute_sql(_scores(None))
        sums = ", ".join(f"SUM({f})" for f in ROLLUP_FIGURES)
        database.execute_sql(
            f"INSERT INTO rollup ({_KEY}, {', '.join(ROLLUP_FIGURES)}) "  # nosec B608 # constants only (tables, columns, dims), no input
            f"SELECT {_KEY}, {sums} FROM rollup_part GROUP BY {_KEY}"
        )
    return database.execute_sql("SELECT COUNT(*) FROM rollup").fetchone()[0]


@contextmanager
def bulk_load(database=None):
    """A block of bulk writes without the triggers (generate-data: hundreds of thousands of rows), then one
    rebuild, in the caller's transaction or not."""
    database = database or default_database
    uninstall(database)
    try:
        yield
    finally:
        install(database)
        rebuild(database)
