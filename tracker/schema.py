"""The schema: numbered migrations (tracker/migrations) applied in order, and init-db.

Each migration runs in its own transaction with its version stamp (a `schema_version` row), so a
failure leaves the database at the last version that completed. `init_db` is `migrate` plus the
default catalogs; the embedded SQLite database gets both the first time the app starts.
"""

import importlib
import pkgutil

from . import catalog, migrations, rollups, search
from .db import database
from .models import SchemaVersion


def migration_modules():
    """The numbered migrations in tracker/migrations, in order: [(number, module), ...]."""
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
    """The highest migration applied to this database; 0 for an empty database."""
    if not SchemaVersion.table_exists():
        return 0
    row = SchemaVersion.select().order_by(SchemaVersion.version.desc()).first()
    return row.version if row else 0


def migrate():
    """Bring the schema up to the latest migration; returns the list of versions applied.

    Each migration runs in its own transaction with its version stamp, so a failure leaves the
    database at the last version that completed.
    """
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
    if applied:  # a migration that rebuilt a SQLite table dropped its search and rollup triggers (idempotent)
        with database.atomic():
            search.install(database)
            rollups.install(database)
            rollups.rebuild(database)
    return applied


def init_db():
    """Build the latest schema and load the default catalogs (safe to run again)."""
    applied = migrate()
    loaded = catalog.load_defaults()
    if loaded:  # new competencies: the crosswalk's links between them (rollups)
        rollups.rebuild(database)
    return applied, loaded


def create_on_first_run():
    """The embedded SQLite database is created, with its catalogs, the first time the app starts.
    (PostgreSQL deployments run `flask --app tracker init-db` / `migrate` as a release step.)"""
    with database.connection_context():
        if current_version_or_zero() == 0:
            init_db()


def current_version_or_zero():
    """current_version(), or -1 when the database cannot be read (then nothing is created here: the
    first request reports the problem). 0 means an empty database, which create_on_first_run builds."""
    try:
        return current_version()
    except Exception:  # noqa: BLE001 - an unreadable database is reported by the first request
        return -1
