"""Backup and restore of the embedded SQLite database (`flask backup PATH`, `flask restore PATH`:
tracker/cli/backup.py).

Backups use SQLite's online backup API, so they are consistent while the app keeps serving. Restoring
replaces the live database page by page; stop the app servers first. PostgreSQL deployments use
`pg_dump` / `pg_restore` (README, "Backups").

A backup holds password hashes and session tokens: its file is created readable by its owner only
(0600, tracker/exports.py's create_private) before SQLite writes into it (SQLite gives its journal the
database file's mode).
"""

import os
import sqlite3

from .db import close_all, database
from .exports import create_private

PG_HINT = (
    'This database is PostgreSQL: back it up with `pg_dump --format=custom -f PATH "$DATABASE_URL"` '
    'and restore with `pg_restore --clean --if-exists -d "$DATABASE_URL" PATH`.'
)


def live_path():
    return database.obj.database


def backup_to(path):
    """Copy the live SQLite database to `path` (a new file, created 0600); returns its size in bytes."""
    os.close(create_private(path))
    source = sqlite3.connect(live_path())
    target = sqlite3.connect(path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    return os.path.getsize(path)


def check_backup(path):
    """None when `path` is a readable tracker backup, else what is wrong with it."""
    if not os.path.isfile(path):
        return f"No file at {path}."
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return f"{path} is damaged (SQLite integrity check failed)."
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return f"{path} is not a SQLite database."
    if not {"schema_version", "engagement", "user"} <= tables:
        return f"{path} is a SQLite database but not an Engagement Tracker backup."
    return None


def restore_from(path):
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    close_all()  # no pooled connection may keep reading the old pages
    target = sqlite3.connect(live_path())
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
