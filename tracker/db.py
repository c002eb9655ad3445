"""The database: one proxy the models are declared on, bound to a real database in the factory.

`DATABASE_URL` picks the engine through playhouse.db_url, so SQLite (the embedded default) and
PostgreSQL (scale-out) run the same code. SQLite gets WAL, foreign keys, a busy timeout and
`BEGIN IMMEDIATE` transactions, which together keep concurrent writers from failing with
"database is locked" under several gunicorn workers.

Connections come from peewee's pool (playhouse.pool): a request "closes" its connection back to the
pool instead of really closing it, so the next request skips the connect and, on SQLite, finds the
page cache still warm. Without it every request re-read the tables' pages from the file, which made
reports at portfolio scale several times slower than the same query on an open connection.

This module imports no other tracker module: the schema (migrations, init-db) is in tracker/schema.py.
"""

from peewee import DatabaseProxy, SqliteDatabase
from playhouse.db_url import connect

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
    "cache_size": -16000,  # 16 MB page cache
}


POOL = {"max_connections": 32, "stale_timeout": 300, "timeout": 10}


def _pooled(url):
    """The same URL with its scheme's +pool variant (sqlite:/// -> sqlite+pool:///)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.endswith("+pool"):
        return url
    return f"{scheme}+pool://{rest}"


def open_database(url):
    """Return a pooled peewee database for a URL, with our settings for its engine."""
    if url.startswith("sqlite"):
        # check_same_thread=False: a pooled connection is handed to whichever thread asks next (a
        # threaded server: flask run, gunicorn --threads); peewee still gives each thread its own.
        return connect(_pooled(url), pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE", check_same_thread=False, **POOL)
    return connect(_pooled(url), **POOL)


def close_all():
    """Really close every connection (the pool's idle ones too): before a restore replaces the
    SQLite file, and when a test or command is done with a database."""
    if database.obj is None:
        return
    if not database.is_closed():
        database.close()
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()


def is_sqlite():
    return isinstance(database.obj, SqliteDatabase)


def init_app(app):
    db = open_database(app.config["DATABASE_URL"])
    database.initialize(db)
    app.extensions["peewee"] = db

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc):
        if not database.is_closed():
            database.close()
