"""The data version: one row (`data_version`) whose token changes whenever report data change.

Database triggers on every table that reports read (all tables but the bookkeeping ones `unwatched()`
names) rewrite the token in the writing transaction, so a change and its new token commit or roll
back together, whichever code path made the change (ORM, bulk insert, raw SQL, psql). Equal tokens
mean equal data: reports are cached under the token (tracker/reports/cache.py).

- SQLite: AFTER INSERT/UPDATE/DELETE row triggers setting a random 64-bit token (one writer at a
  time, so no lock ordering to think of).
- PostgreSQL: one BEFORE ... FOR EACH STATEMENT trigger per table (INSERT, UPDATE, DELETE, TRUNCATE)
  setting the token to the writing transaction's id, which is never reused. BEFORE, so the row lock
  on data_version is the first lock a writing transaction takes: writers queue on it in one order
  and cannot deadlock through it.

`install(database)` (run by migration 0003) is idempotent. tests/test_report_cache.py checks that
every watched table has its triggers: a table added later needs a migration that calls install().
"""

from .db import is_sqlite
from .models import (
    MODELS,
    ApiToken,
    AuditEntry,
    DataVersion,
    EditingPresence,
    ExternalRef,
    FormDraft,
    IdempotencyKey,
    OutboxMessage,
    PendingNotification,
    Rollup,
    RollupCompetencyLink,
    RollupFeedbackScore,
    RollupPart,
    SchemaVersion,
    SignInAttempt,
)

FUNCTION = "tracker_bump_data_version"
SQLITE_EVENTS = ("insert", "update", "delete")


def unwatched():
    """Tables whose writes do not change any report: bookkeeping written on reads, sign-ins, API retries,
    notifications, form drafts and edit-page pings."""
    bookkeeping = (
        SchemaVersion,
        DataVersion,
        OutboxMessage,
        PendingNotification,
        AuditEntry,
        SignInAttempt,
        ApiToken,
        IdempotencyKey,
        FormDraft,  # a half-typed meeting log, saved every few seconds
        EditingPresence,  # pinged every 30 s by an open edit page
        ExternalRef,  # which record a workbook row became: the records themselves are watched
        Rollup,  # written by triggers on the watched tables, in the same statement (tracker/rollups.py)
        RollupPart,
        RollupCompetencyLink,
        RollupFeedbackScore,
    )
    return {m._meta.table_name for m in bookkeeping}


def watched_tables():
    skip = unwatched()
    return [m._meta.table_name for m in MODELS if m._meta.table_name not in skip]


def trigger_name(table, event=None):
    return f"data_version_{table}" + (f"_{event}" if event else "")


def install(database):
    """Triggers on every watched table that exists (a table added by a later migration gets its
    triggers when that migration calls install() again)."""
    database.create_tables([DataVersion], safe=True)
    if not DataVersion.select().where(DataVersion.id == 1).exists():
        DataVersion.insert(id=1, token=0).execute()
    existing = set(database.get_tables())
    tables = [table for table in watched_tables() if table in existing]
    if is_sqlite():
        for table in tables:
            for event in SQLITE_EVENTS:
                database.execute_sql(
                    f'CREATE TRIGGER IF NOT EXISTS "{trigger_name(table, event)}" AFTER {event.upper()} ON "{table}" '  # nosec B608 # identifiers from the model list (tables, events), no input
                    "BEGIN UPDATE data_version SET token = random() WHERE id = 1; END"
                )
        return
    database.execute_sql(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "  # nosec B608 # a constant function name, no input
        "BEGIN UPDATE data_version SET token = pg_current_xact_id()::text::bigint WHERE id = 1; RETURN NULL; END $$"
    )
    for table in tables:
        name = trigger_name(table)
        database.execute_sql(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
        database.execute_sql(
            f'CREATE TRIGGER "{name}" BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )


def token():
    """The current token, or None when the row is missing (then nothing may be cached)."""
    return DataVersion.select(DataVersion.token).where(DataVersion.id == 1).scalar()
