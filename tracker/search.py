"""Search (issue 23): one search box over engagements, requests, meetings (notes, next steps), goals,
context notes and deliverables, within what the user may see.

The one interface: `index(kind, ref_id)`, `remove(kind, ref_id)`, `query(user, text, page)`, `rebuild()`.

The index is a table of its own, `search_entry` {kind, ref_id, engagement_id, request_id, parent_id,
internal, title, body}, one row per live record: a derived index, like a cache, so it is not one of the
models (tests/test_db.py compares those) and no report reads it. Each kind's row is defined once, by an
SQL SELECT over its table (`KINDS`); the same SELECT fills the index in the database triggers, in
`index()` and in `rebuild()`.

- Kept in step by database triggers on the source tables (`install()`, run by migration 0025 and after
  every migration, as a migration that rebuilds a SQLite table drops its triggers): every write path
  (ORM, API, import, restore of a backup, soft delete and restore, psql) keeps the index right, in the
  writing transaction. A soft-deleted record has no row; restoring it writes the row again. A meeting's
  next steps follow their meeting; a deleted engagement takes its parts' rows with it, and a
  soft-deleted one hides them (the query asks policy.visible_engagements, which sees live ones only).
- SQLite: an FTS5 table `search_fts` (porter stemming) with search_entry as its external content,
  kept in step by triggers on search_entry; ranked by bm25, title weighted 4, snippet() marks matches.
- PostgreSQL: a stored generated tsvector column `document` ('english', title weight A, body B) with
  a GIN index; plainto_tsquery, ranked by ts_rank, ts_headline marks matches.

Both read the query the same way: its words (letters and digits), all of which must match (stemmed).
Matches are marked with control characters the database puts around them; `_marked` escapes the text
and only then turns the markers into <mark> (the text is the user's, never trusted).

Who finds what: an engagement's row (and its parts') only for a user to whom policy.visible_engagements
shows the engagement, a request's only through policy.visible_requests, an internal note (a meeting's
notes_internal, a context note's internal) only for policy.can_see_internal_notes (the rule of
Meeting.notes_for and ContextNote.shown).

Readable ids (ENG-2026-014): `READABLE_ID_LOOKUPS` is the hook. A lookup is a function (user, text)
-> Hit or None; the search page opens the record a lookup finds before any text search.
"""

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from peewee import SQL, BooleanField, CharField, Expression, IntegerField, Model, Table, TextField, fn

from . import policy
from .db import database, is_sqlite
from .models import MEETING_KINDS, Engagement, Meeting, SupportRequest, find_by_ref, label
from .paging import Page
from .paging import _number as paging_number

PER_PAGE = 20
MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
START, STOP = "\x02", "\x03"  # around each match, in the text the database returns
WORD = re.compile(r"\w+")


def _text(*columns):
    return " || ' ' || ".join(f"COALESCE(s.{c}, '')" for c in columns)


# kind: (source table, what each row holds, the FROM ... WHERE of its live records)
# Columns: kind, ref_id, engagement_id, request_id, parent_id, internal, title, body.
KINDS = {
    "engagement": (
        "engagement",
        f"s.id, s.id, NULL, NULL, FALSE, s.title, {_text('problem_statement', 'closing_summary')}",
        "FROM engagement s WHERE s.deleted_at IS NULL",
    ),
    "request": (
        "support_request",
        "s.id, NULL, s.id, NULL, FALSE, s.title, "
        + _text(
            "description", "for_whom", "on_behalf_of", "urgency_note", "info_question", "info_answer", "decline_reason"
        ),
        "FROM support_request s WHERE s.id IS NOT NULL",
    ),
    "meeting": (
        "meeting",
        "s.id, s.engagement_id, NULL, NULL, s.notes_internal, '', COALESCE(s.notes, '')",
        "FROM meeting s WHERE s.deleted_at IS NULL",
    ),
    "next_step": (
        "next_step",
        f"s.id, m.engagement_id, NULL, s.meeting_id, FALSE, '', {_text('text', 'owner')}",
        "FROM next_step s JOIN meeting m ON m.id = s.meeting_id WHERE s.deleted_at IS NULL AND m.deleted_at IS NULL",
    ),
    "goal": (
        "goal",
        f"s.id, s.engagement_id, NULL, NULL, FALSE, s.title, {_text('indicator', 'target')}",
        "FROM goal s WHERE s.deleted_at IS NULL",
    ),
    "context_note": (
        "context_note",
        "s.id, s.engagement_id, NULL, NULL, s.internal, '', COALESCE(s.text, '')",
        "FROM context_note s WHERE s.deleted_at IS NULL",
    ),
    "deliverable": (
        "deliverable",
        f"s.id, s.engagement_id, NULL, NULL, FALSE, s.title, {_text('note')}",
        "FROM deliverable s WHERE s.deleted_at IS NULL",
    ),
}
KIND_LABELS = {
    "engagement": "Engagement",
    "request": "Request",
    "meeting": "Meeting notes",
    "next_step": "Next step",
    "goal": "Goal",
    "context_note": "Context note",
    "deliverable": "Deliverable",
}
COLUMNS = "kind, ref_id, engagement_id, request_id, parent_id, internal, title, body"


class SearchEntry(Model):
    """A row of the index (not in MODELS: derived data, written by the triggers)."""

    kind = CharField(max_length=20)
    ref_id = IntegerField()
    engagement_id = IntegerField(null=True)
    request_id = IntegerField(null=True)
    parent_id = IntegerField(null=True)
    internal = BooleanField(default=False)
    title = TextField(default="")
    body = TextField(default="")

    class Meta:
        database = database
        table_name = "search_entry"
        legacy_table_names = False
        indexes = ((("kind", "ref_id"), True), (("engagement_id",), False), (("parent_id",), False))


# --- keeping the index: the statements, the triggers, index/remove/rebuild ---------------------------


def _fill(kind, condition):
    """INSERT the rows of `kind`'s live records that meet `condition` (SQL on s, the source row)."""
    _table, values, source = KINDS[kind]
    return f"INSERT INTO search_entry ({COLUMNS}) SELECT '{kind}', {values} {source} AND {condition}"  # nosec B608 # constants from KINDS, no input


def _drop(kind, condition):
    return f"DELETE FROM search_entry WHERE kind = '{kind}' AND {condition}"  # nosec B608 # constants, no input


def _on_write(kind, ref):
    """Statements bringing `kind`'s row of record `ref` (an SQL expression: NEW.id, or a number) up to date."""
    statements = [_drop(kind, f"ref_id = {ref}"), _fill(kind, f"s.id = {ref}")]
    if kind == "meeting":  # its next steps are found while it is live
        statements += [_drop("next_step", f"parent_id = {ref}"), _fill("next_step", f"s.meeting_id = {ref}")]
    return statements


def _on_delete(kind, ref):
    statements = [_drop(kind, f"ref_id = {ref}")]
    if kind == "meeting":
        statements.append(_drop("next_step", f"parent_id = {ref}"))
    if kind == "engagement":
        statements.append(f"DELETE FROM search_entry WHERE engagement_id = {ref}")  # nosec B608 # NEW.id/OLD.id or an int
    return statements


def index(kind, ref_id):
    """Write (or drop, when the record is deleted or soft-deleted) the index row of one record. The
    triggers call the same statements on every write; this is for tools that bypass them."""
    for statement in _on_write(kind, int(ref_id)):
        database.execute_sql(statement)


def remove(kind, ref_id):
    for statement in _on_delete(kind, int(ref_id)):
        database.execute_sql(statement)


def trigger_name(table, event=None):
    return f"search_{table}" + (f"_{event}" if event else "")


def install(db=None):
    """The triggers on every source table (and, on SQLite, those keeping search_fts in step with
    search_entry); idempotent. Migration 0025 makes the tables; tracker/schema.py runs this again after
    later migrations (a SQLite table rebuilt by a migration loses its triggers)."""
    db = db or database
    if "search_entry" not in db.get_tables():
        return
    if is_sqlite():
        _install_sqlite(db)
    else:
        _install_postgres(db)


def _install_sqlite(db):
    db.execute_sql(
        "CREATE TRIGGER IF NOT EXISTS search_entry_insert AFTER INSERT ON search_entry BEGIN "
        "INSERT INTO search_fts (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body); END"
    )
    db.execute_sql(
        "CREATE TRIGGER IF NOT EXISTS search_entry_delete AFTER DELETE ON search_entry BEGIN "
        "INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', OLD.id, OLD.title, OLD.body); END"
    )
    for kind, table in _sources(db):
        write = "; ".join(_on_write(kind, "NEW.id"))
        for event in ("insert", "update"):
            db.execute_sql(
                f"CREATE TRIGGER IF NOT EXISTS {trigger_name(table, event)} AFTER {event.upper()} ON {table} "
                f"BEGIN {write}; END"
            )
        db.execute_sql(
            f"CREATE TRIGGER IF NOT EXISTS {trigger_name(table, 'delete')} AFTER DELETE ON {table} "
            f"BEGIN {'; '.join(_on_delete(kind, 'OLD.id'))}; END"
        )


def _install_postgres(db):
    for kind, table in _sources(db):
        name = trigger_name(table)
        on_write = "; ".join(_on_write(kind, "NEW.id"))
        on_delete = "; ".join(_on_delete(kind, "OLD.id"))
        db.execute_sql(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'DELETE' THEN {on_delete}; ELSE {on_write}; END IF; RETURN NULL; END $$"
        )
        db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
        db.execute_sql(
            f'CREATE TRIGGER "{name}" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {name}()"
        )


def _sources(db):
    existing = set(db.get_tables())
    return [(kind, table) for kind, (table, _values, _source) in KINDS.items() if table in existing]


def rebuild(progress=None):
    """Empty the index and fill it again from the live records, kind by kind, in one transaction;
    `progress(kind, count)` after each kind. Returns {kind: rows}."""
    counts = {}
    with database.atomic():
        database.execute_sql("DELETE FROM search_entry")
        for kind in KINDS:
            database.execute_sql(_fill(kind, "TRUE"))
            counts[kind] = SearchEntry.select().where(SearchEntry.kind == kind).count()
            if progress:
                progress(kind, counts[kind])
    return counts


# --- asking -------------------------------------------------------------------------------------------


PROBLEMS = {  # what the page and the API say of a query that cannot be searched
    "empty": "Type a word to search for.",
    "too_long": f"Search for at most {MAX_QUERY_LENGTH} characters: a few words are enough.",
}


class QueryProblem(ValueError):
    """A query that cannot be searched: `code` is "empty" (no word in it) or "too_long" (PROBLEMS)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


@dataclass
class Hit:
    kind: str
    label: str
    title: Markup
    snippet: Markup
    endpoint: str
    values: dict
    context: str = ""  # the engagement a part belongs to
    date: object = None  # a meeting's date (shown in the reader's date format)
    record_id: int | None = None  # the id of the record found (a next step's: its own)


@dataclass
class Results:
    text: str
    page: Page  # the pager's numbers (tracker/paging.py)
    hits: list = field(default_factory=list)


def _by_ref(user, text):
    """An engagement (ENG-2026-014) or request (REQ-2026-031) the user may see, by its readable id."""
    found = find_by_ref(text)
    if isinstance(found, Engagement):
        if policy.visible_engagements(user).where(Engagement.id == found.id).exists():
            return Hit("engagement", KIND_LABELS["engagement"], escape(found.title), Markup(""),
                       "engagements.detail", {"engagement_id": found.id}, record_id=found.id)  # fmt: skip
    elif isinstance(found, SupportRequest):
        if policy.visible_requests(user).where(SupportRequest.id == found.id).exists():
            return Hit("request", KIND_LABELS["request"], escape(found.title), Markup(""),
                       "requests.detail", {"request_id": found.id}, record_id=found.id)  # fmt: skip
    return None


READABLE_ID_LOOKUPS = [_by_ref]  # functions (user, text) -> Hit or None, tried before any text search


def by_readable_id(user, text):
    """The record a readable id names, if `text` is one the user may see (see READABLE_ID_LOOKUPS)."""
    for lookup in READABLE_ID_LOOKUPS:
        hit = lookup(user, text.strip())
        if hit is not None:
            return hit
    return None


def words(text):
    """The words searched for, or QueryProblem."""
    text = text or ""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryProblem("too_long")
    found = WORD.findall(text)
    if not found:
        raise QueryProblem("empty")
    return found[:MAX_WORDS]


def query(user, text, page=1, per_page=PER_PAGE):
    """One page of what `user` may see that holds every word of `text`, best first (Results), or
    QueryProblem for an empty or too long query."""
    wanted = words(text)
    visible = SearchEntry.engagement_id.in_(
        policy.visible_engagements(user).select(Engagement.id)
    ) | SearchEntry.request_id.in_(policy.visible_requests(user).select(SupportRequest.id))
    if not policy.can_see_internal_notes(user):
        visible &= SearchEntry.internal == False  # noqa: E712 (SQL, not Python)
    found = _sqlite_query(wanted, visible) if is_sqlite() else _postgres_query(wanted, visible)
    total = found.select(SearchEntry.id).order_by().count()
    number = paging_number(page, total, per_page)  # a bad or past-the-end page: the nearest one
    rows = list(found.paginate(number, per_page).dicts())
    return Results(text=text, page=Page(number=number, per_page=per_page, total=total), hits=_hits(rows))


_FIELDS = (
    SearchEntry.kind,
    SearchEntry.ref_id,
    SearchEntry.engagement_id,
    SearchEntry.request_id,
    SearchEntry.parent_id,
)


FTS = Table("search_fts", ("rowid",)).alias("search_fts")  # SQLite's FTS5 table over search_entry


def _sqlite_query(wanted, visible):
    match = " ".join('"{}"'.format(w.replace('"', "")) for w in wanted)  # each word a quoted FTS5 string
    return (
        SearchEntry.select(
            *_FIELDS,
            SQL("highlight(search_fts, 0, ?, ?)", [START, STOP]).alias("title_marked"),
            SQL("snippet(search_fts, 1, ?, ?, ?, 24)", [START, STOP, "…"]).alias("snippet"),
        )
        .join(FTS, on=(FTS.rowid == SearchEntry.id))
        .where(SQL("search_fts MATCH ?", [match]) & visible)
        .order_by(SQL("bm25(search_fts, 4.0, 1.0)"), SearchEntry.id)
    )


DOCUMENT = SQL('"t1"."document"')  # PostgreSQL's generated tsvector column of search_entry (t1 in peewee's query)


def _postgres_query(wanted, visible):
    tsquery = fn.plainto_tsquery("english", " ".join(wanted))
    options = f'StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "'
    return (
        SearchEntry.select(
            *_FIELDS,
            fn.ts_headline("english", SearchEntry.title, tsquery, "HighlightAll=true, " + options).alias(
                "title_marked"
            ),
            fn.ts_headline("english", SearchEntry.body, tsquery, options).alias("snippet"),
        )
        .where(Expression(DOCUMENT, "@@", tsquery) & visible)
        .order_by(fn.ts_rank(DOCUMENT, tsquery).desc(), SearchEntry.id)
    )


def _marked(text):
    """The text escaped, then each marked match in <mark>."""
    return escape(text or "").replace(START, Markup("<mark>")).replace(STOP, Markup("</mark>"))


def _hits(rows):
    """Rows of the index as Hits: what each is, a title, the snippet, and the page that shows it."""
    engagement_titles = dict(
        Engagement.select(Engagement.id, Engagement.title)
        .where(Engagement.id.in_({r["engagement_id"] for r in rows if r["engagement_id"]}))
        .tuples()
    )
    meeting_ids = {r["ref_id"] if r["kind"] == "meeting" else r["parent_id"] for r in rows}
    meetings = {
        m.id: m for m in Meeting.select(Meeting.id, Meeting.date, Meeting.kind).where(Meeting.id.in_(meeting_ids))
    }
    hits = []
    for r in rows:
        kind, eid = r["kind"], r["engagement_id"]
        title, date = _marked(r["title_marked"]), None
        if kind == "engagement":
            endpoint, values = "engagements.detail", {"engagement_id": eid}
        elif kind == "request":
            endpoint, values = "requests.detail", {"request_id": r["request_id"]}
        elif kind in ("meeting", "next_step"):
            meeting_id = r["ref_id"] if kind == "meeting" else r["parent_id"]
            meeting = meetings.get(meeting_id)
            title = escape(label(MEETING_KINDS, meeting.kind)) if meeting else escape(KIND_LABELS[kind])
            date = meeting.date if meeting else None
            endpoint, values = "meetings.detail", {"engagement_id": eid, "meeting_id": meeting_id}
        elif kind == "goal":
            endpoint, values = "goals.detail", {"engagement_id": eid, "goal_id": r["ref_id"]}
        else:  # context notes and deliverables are shown on their engagement's page
            anchor = "context" if kind == "context_note" else "deliverables"
            endpoint, values = "engagements.detail", {"engagement_id": eid, "_anchor": anchor}
            title = title or escape(KIND_LABELS[kind])
        context = engagement_titles.get(eid, "") if kind != "engagement" else ""
        hits.append(
            Hit(kind, KIND_LABELS[kind], title, _marked(r["snippet"]), endpoint, values, context, date, r["ref_id"])
        )
    return hits
