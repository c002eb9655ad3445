"""Search (issue 23): the index one search box reads (tracker/search.py).

- `search_entry` {kind, ref_id, engagement_id, request_id, parent_id, internal, title, body}: one row per
  live engagement, request, meeting note, next step, goal, context note and deliverable; unique
  (kind, ref_id), indexed by engagement_id and parent_id (what the triggers delete by).
- SQLite: `search_fts`, an FTS5 table (porter stemming) whose content is search_entry.
- PostgreSQL: search_entry.document, a stored generated tsvector ('english'; title weight A, body B),
  with a GIN index.

Not one of the models (derived data no report reads, so no data-version triggers). Written down here as
they are now, created IF NOT EXISTS (idempotent); then search.install() puts the triggers on the source
tables and the index is filled from the records already there.
"""

from ..db import is_sqlite
from ..search import install, rebuild

COLUMNS = (
    "kind VARCHAR(20) NOT NULL, ref_id INTEGER NOT NULL, engagement_id INTEGER, request_id INTEGER, "
    "parent_id INTEGER, title TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT ''"
)
SQLITE = (
    f"CREATE TABLE IF NOT EXISTS search_entry (id INTEGER NOT NULL PRIMARY KEY, {COLUMNS}, "
    "internal INTEGER NOT NULL DEFAULT 0)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, body, content='search_entry', "
    "content_rowid='id', tokenize='porter unicode61')",
)
POSTGRES = (
    f"CREATE TABLE IF NOT EXISTS search_entry (id SERIAL NOT NULL PRIMARY KEY, {COLUMNS}, "
    "internal BOOLEAN NOT NULL DEFAULT FALSE, document TSVECTOR GENERATED ALWAYS AS "
    "(setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')) STORED)",
    "CREATE INDEX IF NOT EXISTS search_entry_document ON search_entry USING GIN (document)",
)
INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS search_entry_kind_ref_id ON search_entry (kind, ref_id)",
    "CREATE INDEX IF NOT EXISTS search_entry_engagement_id ON search_entry (engagement_id)",
    "CREATE INDEX IF NOT EXISTS search_entry_parent_id ON search_entry (parent_id)",
)


def up(database):
    for statement in (SQLITE if is_sqlite() else POSTGRES) + INDEXES:
        database.execute_sql(statement)
    install(database)
    rebuild()
