"""The database: one proxy the models are declared on, bound to a real database in the factory.

`DATABASE_URL` picks the engine through playhouse.db_url, so SQLite (the embedded default) and
PostgreSQL (scale-out) run the same code. SQLite gets WAL, foreign keys, a busy timeout and
`BEGIN IMMEDIATE` transactions, which together keep concurrent writers from failing with
"database is locked" under several gunicorn workers.

Connections come from peewee's pool (playhouse.pool): a request "closes" its connection back to the
pool instead of really closing it, so the next request skips the connect and, on SQLite, finds the
page cache still warm. Without it every request re-read the tables' pages from the file, which made
reports at portfolio scale several times slower than the same query on an open connection.
"""

import importlib
import pkgutil

import click
from flask import current_app
from flask.cli import with_appcontext
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

    app.cli.add_command(init_db_command)
    app.cli.add_command(migrate_command)


# --- schema and migrations -------------------------------------------------------------


def migration_modules():
    """The numbered migrations in tracker/migrations, in order: [(number, module), ...]."""
    from . import migrations

    found = []
    for info in pkgutil.iter_modules(migrations.__path__):
        number, _, _ = info.name.partition("_")
        if number.isdigit():
            found.append((int(number), importlib.import_module(f"{migrations.__name__}.{info.name}")))
    return sorted(found, key=lambda pair: pair[0])


def latest_version():
    modules = migration_modules()
    return modules[-1][0] if modules else 0


def current_version():
    from .models import SchemaVersion

    if not SchemaVersion.table_exists():
        return 0
    row = SchemaVersion.select().order_by(SchemaVersion.version.desc()).first()
    return row.version if row else 0


def migrate():
    """Bring the schema up to the latest migration; returns the list of versions applied.

    Each migration runs in its own transaction with its version stamp, so a failure leaves the
    database at the last version that completed.
    """
    from .models import SchemaVersion

    applied = []
    database.create_tables([SchemaVersion], safe=True)
    version = current_version()
    for number, module in migration_modules():
        if number <= version:
            continue
        with database.atomic():
            module.up(database)
            SchemaVersion.create(version=number, name=module.__name__.rsplit(".", 1)[-1])
        applied.append(number)
    return applied


def init_db():
    """Build the latest schema and load the default catalogs (safe to run again)."""
    from . import catalog

    applied = migrate()
    loaded = catalog.load_defaults()
    return applied, loaded


def create_on_first_run():
    """The embedded SQLite database is created, with its catalogs, the first time the app starts.
    (PostgreSQL deployments run `flask --app tracker init-db` / `migrate` as a release step.)"""
    with database.connection_context():
        if current_version_or_zero() == 0:
            init_db()


def current_version_or_zero():
    try:
        return current_version()
    except Exception:  # noqa: BLE001 - an unreadable database is reported by the first request
        return -1


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database schema (latest version) and load the default catalogs."""
    applied, loaded = init_db()
    url = current_app.config["DATABASE_URL"]
    if applied:
        click.echo(f"Database ready at schema version {applied[-1]} ({url}).")
    else:
        click.echo(f"Database already at schema version {current_version()} ({url}).")
    if loaded:
        click.echo("Loaded default catalogs: " + ", ".join(f"{n} {what}" for what, n in loaded.items()) + ".")


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Apply the numbered migrations that this database has not had yet."""
    applied = migrate()
    if applied:
        click.echo("Applied migrations: " + ", ".join(f"{n:04d}" for n in applied) + ".")
    else:
        click.echo(f"Nothing to migrate: schema version {current_version()} is the latest.")
