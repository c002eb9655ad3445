"""Support-request events as rows of their own (`request_event`), backfilled from today's sources.

Until this migration a request's history was rebuilt from the audit log's JSON each time the page was
read (so renaming an audited field silently broke it). From now on tracker/services/requests.py writes
one `request_event` row per action in the action's transaction, and the page reads those rows.

The backfill here is the last reader of that JSON: for every request, its audit entries (create ->
submitted; info_question set -> question; info_answer set -> answer; status accepted/declined ->
accepted with the request's engagement, declined with the reason), oldest first; then whatever the
request's own fields say that the log does not (a request created without an audit entry is still
submitted at created_at by requested_by; a decision without one is dated decided_at). The logic is
written out here, not imported, so this migration stays what it was when the audited fields change.

The table is created from frozen DDL (as 0001); run again (a database migrated again from an earlier
version), requests that already have events are left alone. Its data-version triggers are installed (the
`install` of tracker/data_version.py, idempotent, which also covers a database built from scratch).
"""

import json

from ..data_version import install
from ..db import is_sqlite

SQLITE = (
    'CREATE TABLE IF NOT EXISTS "request_event" ("id" INTEGER NOT NULL PRIMARY KEY, "request_id" INTEGER NOT NULL, '
    '"kind" VARCHAR(20) NOT NULL, "at" DATETIME NOT NULL, "by_id" INTEGER, "text" TEXT NOT NULL, "engagement_id" '
    'INTEGER, FOREIGN KEY ("request_id") REFERENCES "support_request" ("id") ON DELETE CASCADE, FOREIGN KEY '
    '("by_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY ("engagement_id") REFERENCES "engagement" '
    '("id") ON DELETE SET NULL)'
)
POSTGRES = (
    'CREATE TABLE IF NOT EXISTS "request_event" ("id" SERIAL NOT NULL PRIMARY KEY, "request_id" INTEGER NOT NULL, '
    '"kind" VARCHAR(20) NOT NULL, "at" TIMESTAMP NOT NULL, "by_id" INTEGER, "text" TEXT NOT NULL, "engagement_id" '
    'INTEGER, FOREIGN KEY ("request_id") REFERENCES "support_request" ("id") ON DELETE CASCADE, FOREIGN KEY '
    '("by_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY ("engagement_id") REFERENCES "engagement" '
    '("id") ON DELETE SET NULL)'
)
INDEXES = (
    'CREATE INDEX IF NOT EXISTS "request_event_request_id" ON "request_event" ("request_id")',
    'CREATE INDEX IF NOT EXISTS "request_event_by_id" ON "request_event" ("by_id")',
    'CREATE INDEX IF NOT EXISTS "request_event_engagement_id" ON "request_event" ("engagement_id")',
)


def _changes(text):
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _new_value(changes, field):
    value = changes.get(field)
    return value[1] if isinstance(value, list) and len(value) == 2 else None


def events_for(req, entries, engagement_id):
    """The events of one request: `req` a dict of its columns, `entries` its audit rows (at, user_id,
    action, changes) oldest first. Returns [(kind, at, by_id, text, engagement_id)]."""
    events = []
    for at, user_id, action, changes_text in entries:
        changes = _changes(changes_text)
        if action == "create":
            if not any(e[0] == "submitted" for e in events):
                events.append(("submitted", at, user_id or req["requested_by_id"], "", None))
            continue
        if action != "update":
            continue
        question = _new_value(changes, "info_question")
        if question:
            events.append(("question", at, user_id, question, None))
        answer = _new_value(changes, "info_answer")
        if answer:
            events.append(("answer", at, user_id, answer, None))
        status = _new_value(changes, "status")
        if status == "accepted":
            events.append(("accepted", at, user_id, "", engagement_id))
        elif status == "declined":
            reason = _new_value(changes, "decline_reason") or req["decline_reason"] or ""
            events.append(("declined", at, user_id, reason, None))
    kinds = {e[0] for e in events}
    if "submitted" not in kinds:
        events.insert(0, ("submitted", req["created_at"], req["requested_by_id"], "", None))
    if req["info_question"] and "question" not in kinds:
        events.append(("question", req["created_at"], None, req["info_question"], None))
    if req["info_answer"] and "answer" not in kinds:
        events.append(("answer", req["created_at"], None, req["info_answer"], None))
    decided_at = req["decided_at"] or req["created_at"]
    if req["status"] == "accepted" and "accepted" not in kinds:
        events.append(("accepted", decided_at, req["decided_by_id"], "", engagement_id))
    if req["status"] == "declined" and "declined" not in kinds:
        events.append(("declined", decided_at, req["decided_by_id"], req["decline_reason"] or "", None))
    return events


def backfill(database):
    columns = (
        "id",
        "requested_by_id",
        "status",
        "info_question",
        "info_answer",
        "decline_reason",
        "decided_by_id",
        "decided_at",
        "created_at",
    )
    requests = [
        dict(zip(columns, row, strict=True))
        for row in database.execute_sql(
            "SELECT " + ", ".join(f'"{c}"' for c in columns) + ' FROM "support_request" ORDER BY "id"'  # nosec B608 # fixed column names of this migration
        ).fetchall()
    ]
    if not requests:
        return 0
    engagements = dict(
        database.execute_sql('SELECT "request_id", "id" FROM "engagement" WHERE "request_id" IS NOT NULL').fetchall()
    )
    entries = {}
    for request_id, at, user_id, action, changes in database.execute_sql(
        'SELECT "entity_id", "at", "user_id", "action", "changes" FROM "audit_entry" '
        'WHERE "entity" = \'SupportRequest\' ORDER BY "at", "id"'
    ).fetchall():
        entries.setdefault(request_id, []).append((at, user_id, action, changes))
    p = database.param
    insert = (
        'INSERT INTO "request_event" ("request_id", "kind", "at", "by_id", "text", "engagement_id") '  # nosec B608 # only the driver's placeholder is formatted in
        f"VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
    )
    users = {row[0] for row in database.execute_sql('SELECT "id" FROM "user"').fetchall()}
    told = {row[0] for row in database.execute_sql('SELECT DISTINCT "request_id" FROM "request_event"').fetchall()}
    written = 0
    for req in requests:
        if req["id"] in told:  # migrated again from an earlier version: its story is already there
            continue
        for kind, at, by_id, text, engagement_id in events_for(
            req, entries.get(req["id"], []), engagements.get(req["id"])
        ):
            database.execute_sql(insert, (req["id"], kind, at, by_id if by_id in users else None, text, engagement_id))
            written += 1
    return written


def up(database):
    database.execute_sql(SQLITE if is_sqlite() else POSTGRES)
    for statement in INDEXES:
        database.execute_sql(statement)
    backfill(database)
    install(database)
