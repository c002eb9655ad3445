"""Fixtures: an app on a fresh database per test, clients signed in per role, and a CSRF helper.

Databases: SQLite by default (a copy of a template file built once per run); PostgreSQL when
TRACKER_TEST_DATABASE_URL is set (schema built once, every table emptied before each test).
"""

import html as htmllib
import os
import re
import shutil
import sqlite3
from types import SimpleNamespace

import pytest
from flask_login import FlaskLoginClient
from jinja2 import BytecodeCache
from werkzeug.routing import Rule

from tracker import create_app
from tracker.db import close_all, database
from tracker.models import MODELS, DataVersion, SchemaVersion
from tracker.portfolio import export_portfolio
from tracker.reports import cache as report_cache
from tracker.schema import init_db
from tracker.tools.demo import seed as seed_demo

from . import factories

PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")
SECRET = "test-secret-key"


def _share_url_builders():
    """Each test builds its own app, and building one spends ~95% of its time (~0.2 s of CPU, ~1,900 tests
    on each database) in werkzeug generating and compiling the Python source of two URL builders for each
    of ~190 rules. A builder depends only on the rule's parsed parts (its trace; `self`, and so the
    converters, is bound at each call), so it is compiled once per run and shared by every app the tests
    create. A rule whose defaults are folded into its builder as constants is compiled as werkzeug does."""
    compile_builder = Rule._compile_builder
    builders = {}

    def shared_builder(self, append_unknown=True):
        if self.defaults and any(dynamic and part in self.defaults for dynamic, part in self._trace):
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), tuple(self.defaults or ()), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = shared_builder


_share_url_builders()


def _share_rule_parsing():
    """The other half of building an app's ~190 rules (~40% of a test's setup): werkzeug parses each rule's
    string into its parts, trace and converters. The result depends on the string alone (a converter keeps
    its map but never reads it), so it is parsed once per run and its effects replayed on each new rule."""
    parse = Rule._parse_rule
    parsed = {}

    def shared_parse(self, rule):
        if rule not in parsed:
            trace, converters, arguments = len(self._trace), set(self._converters), set(self.arguments)
            parts = list(parse(self, rule))
            parsed[rule] = (
                parts,
                self._trace[trace:],
                {name: c for name, c in self._converters.items() if name not in converters},
                self.arguments - arguments,
            )
            return iter(parts)
        parts, trace, converters, arguments = parsed[rule]
        self._trace.extend(trace)
        self._converters.update(converters)
        self.arguments.update(arguments)
        return iter(parts)

    Rule._parse_rule = shared_parse


_share_rule_parsing()


class _SharedTemplateCode(BytecodeCache):
    """Jinja's bytecode cache, kept in memory for the run: each template is compiled once, not once per
    test app (compiling the templates a page uses costs more than rendering it). Jinja checks each
    entry against the template source's checksum."""

    def __init__(self):
        self.entries = {}

    def load_bytecode(self, bucket):
        checksum, code = self.entries.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket):
        self.entries[bucket.key] = (bucket.checksum, bucket.code)


TEMPLATE_CODE = _SharedTemplateCode()


def make_app(database_url, **extra):
    # BASE_URL (TRACKER_BASE_URL) writes the links in pages and mail: the test client's host here
    config = {"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": database_url, "PER_PAGE": 25}
    config["BASE_URL"] = "http://localhost"
    config.update(extra)
    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    app.test_client_class = FlaskLoginClient  # app.test_client(user=...) starts signed in
    return app


def drop_all_tables():
    tables = [m for m in MODELS]
    database.drop_tables(tables, safe=True, cascade=not database.obj.__class__.__name__.startswith("Sqlite"))
    database.execute_sql("DROP TABLE IF EXISTS search_entry")  # the search index (not a model)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """SQLite: the path of a file with the latest schema and catalogs. PostgreSQL: the URL, built once."""
    if PG_URL:
        app = make_app(PG_URL)
        with app.app_context():
            database.connect(reuse_if_open=True)
            drop_all_tables()
            init_db()
            _snapshot_postgres()
            close_all()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "tracker.sqlite3"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        init_db()
        close_all()  # really closed: the WAL is checkpointed into the file the tests copy
    return path


SEED = "test_seed"  # PostgreSQL: a copy of the tables as init_db leaves them (the default catalogs)
_reset_sql = None


def _snapshot_postgres():
    """Copy every table that init_db filled into schema test_seed, and keep the one SQL batch that
    brings the database back to that state before each test. TRUNCATE of ~35 tables and reloading the
    catalogs through the ORM cost ~0.5 s a test; deleting and copying back costs a few milliseconds."""
    global _reset_sql
    _reset_sql = _postgres_copy(SEED)


def _postgres_copy(schema):
    """Copy every table of the database as it is now (all of public but the schema and data versions,
    so the search index and any table kept by triggers too) into `schema`; return the one SQL batch that
    brings the database back to this state: every table emptied, the copies loaded (without firing
    triggers), every id sequence just past its table's largest id, the data version bumped."""
    database.execute_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    kept = {SchemaVersion._meta.table_name, DataVersion._meta.table_name}
    tables = [
        t
        for (t,) in database.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).fetchall()
        if t not in kept
    ]
    # every name put into SQL here comes from the database's own catalog (information_schema)
    exists = 'SELECT EXISTS (SELECT 1 FROM "{}")'  # nosec B608
    filled = [t for t in tables if database.execute_sql(exists.format(t)).fetchone()[0]]
    columns = {}  # a generated column (search_entry.document) is computed again, never inserted
    for table in filled:
        names = database.execute_sql(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
            "AND is_generated = 'NEVER' ORDER BY ordinal_position",
            (table,),
        ).fetchall()
        columns[table] = ", ".join(f'"{name}"' for (name,) in names)
        copy = f'CREATE TABLE {schema}."{table}" AS SELECT {columns[table]} FROM "{table}"'  # nosec B608
        database.execute_sql(copy)
    # The tables with an id column first, then each one's sequence: in one query the planner may call
    # pg_get_serial_sequence on a catalog's row before filtering it out ("column id of pg_statistic").
    with_id = database.execute_sql(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id'"
    ).fetchall()
    sequences = []
    for (table,) in with_id:
        sequence = database.execute_sql("SELECT pg_get_serial_sequence(%s, 'id')", (f'public."{table}"',)).fetchone()[0]
        if sequence:
            sequences.append((table, sequence))
    statements = ["SET session_replication_role = replica"]  # no foreign-key or data-version triggers
    statements += [f'DELETE FROM "{t}"' for t in tables]  # nosec B608
    load = 'INSERT INTO "{0}" ({1}) SELECT {1} FROM {2}."{0}"'  # nosec B608
    statements += [load.format(t, columns[t], schema) for t in filled]
    statements += [
        f"SELECT setval('{seq}', COALESCE((SELECT MAX(id) FROM \"{t}\"), 0) + 1, false)"  # nosec B608
        for t, seq in sequences
    ]
    statements += ["SET session_replication_role = DEFAULT", "UPDATE data_version SET token = token + 1 WHERE id = 1"]
    return ";\n".join(statements)


def _reset_postgres():
    """Back to the state init_db left (default catalogs, fresh ids), in one round trip."""
    database.execute_sql(_reset_sql)


def _snapshot_database(template_database, folder, **config):
    """A database of its own for a snapshot, as init_db left it, bound and connected: on SQLite a copy of the
    template file in `folder`, on PostgreSQL the shared database reset. Returns (its app, the SQLite file's path
    or None)."""
    path = None
    if PG_URL:
        url = PG_URL
    else:
        path = folder / "tracker.sqlite3"
        shutil.copyfile(template_database, path)
        url = f"sqlite:///{path}"
    app = make_app(url, **config)
    database.connect(reuse_if_open=True)
    if PG_URL:
        _reset_postgres()
    return app, path


class _WorldSnapshot:
    """factories.small_world() built once per run in a database of its own (building it costs ~0.15 s on
    SQLite and more on PostgreSQL, and ~600 tests start from it). A test that uses `demo` starts from a
    copy: the SQLite file, or on PostgreSQL the SQL batch that loads schema test_world's copy of the
    tables, so its database holds the world before any fixture writes; `objects()` then reads the
    world's rows again as fresh instances (a test may change anything)."""

    def __init__(self, template_database, folder):
        previous = database.obj
        _app, self.path = _snapshot_database(template_database, folder)
        first = next(factories._seq)
        world = factories.small_world()
        self.names_used = next(factories._seq) - first - 1  # factories' counter, advanced as the build did
        self.rows = {name: (type(row), row.id) for name, row in vars(world).items()}
        if PG_URL:
            self.load_sql = _postgres_copy("test_world")
            _reset_postgres()
        close_all()  # SQLite: the WAL checkpointed into the file the tests copy
        if previous is not None:
            database.initialize(previous)

    def objects(self):
        for _ in range(self.names_used):
            next(factories._seq)
        ids = {}
        for model, id_ in self.rows.values():
            ids.setdefault(model, []).append(id_)
        read = {model: {row.id: row for row in model.select().where(model.id.in_(ids_))} for model, ids_ in ids.items()}
        return SimpleNamespace(**{name: read[model][id_] for name, (model, id_) in self.rows.items()})


@pytest.fixture(scope="session")
def world_snapshot(template_database, tmp_path_factory):
    return _WorldSnapshot(template_database, tmp_path_factory.mktemp("world"))


def _world(request):
    """The world snapshot when the test uses `demo` (directly or through another fixture), else None."""
    return request.getfixturevalue("world_snapshot") if "demo" in request.fixturenames else None


@pytest.fixture
def database_url(template_database, tmp_path, request):
    if PG_URL:
        return PG_URL
    world = _world(request)
    target = tmp_path / "tracker.sqlite3"
    shutil.copyfile(world.path if world else template_database, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(database_url, tmp_path, request):
    """The app on a fresh database (holding the small world when the test uses `demo`). No app context
    stays pushed during the test: each test-client request gets its own, as in production (a shared one
    would carry `g`, and so the signed-in user, from one request to the next). Model calls in the test
    talk to the database directly. Attachments are stored in the test's own folder."""
    world = _world(request) if PG_URL else None  # built before this test's app (it makes an app of its own)
    app = make_app(database_url, ATTACHMENT_DIR=str(tmp_path / "attachments"))
    database.connect(reuse_if_open=True)
    if world:
        database.execute_sql(world.load_sql)
    elif PG_URL:
        _reset_postgres()
    report_cache.clear()  # every test starts cold (results cached by an earlier test are not its data)
    yield app
    close_all()


@pytest.fixture
def empty_app(tmp_path):
    """An app on an empty database (no tables): a fresh SQLite file, or on PostgreSQL the shared
    database emptied, and brought back to the latest schema afterwards, as the other tests expect it.
    For the migration tests."""
    app = make_app(PG_URL or f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    database.connect(reuse_if_open=True)
    if PG_URL:
        drop_all_tables()
    yield app
    database.connect(reuse_if_open=True)
    if PG_URL:
        drop_all_tables()
        init_db()
    if not database.is_closed():
        database.close()


@pytest.fixture
def sqlite_app(tmp_path):
    """A SQLite app whatever database the suite runs on (backup and restore are SQLite's)."""
    previous = database.obj
    app = make_app(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    with app.app_context():
        init_db()
    database.connect(reuse_if_open=True)
    yield app
    database.close()
    if previous is not None:
        database.initialize(previous)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app, world_snapshot):
    """A small world: one intermediary with ISPs, a foundation with two units, one engagement each
    (factories.small_world(), loaded from its snapshot into the test's database by `app`)."""
    return world_snapshot.objects()


class _DemoSnapshot:
    """The demo (tracker.tools.demo.seed()) seeded once per run in a database of its own: seeding costs
    ~10-40 s, loading a copy into a test's database well under a second. `seeded` is what seed() returned
    there, (created, accounts). SQLite: the file; PostgreSQL: the SQL batch that loads schema `schema`'s
    copy of the tables. `files`: the attachments' folder, when the demo was seeded with its files."""

    def __init__(self, template_database, folder, schema, with_files):
        previous = database.obj
        files = folder / "attachments"
        app, self.path = _snapshot_database(template_database, folder, ATTACHMENT_DIR=str(files))
        if with_files:
            with app.app_context():  # as seed-demo runs it: the demo's files need the app's storage
                self.seeded = seed_demo()
        else:
            self.seeded = seed_demo()  # as most tests call it: outside an app context, without files
        if PG_URL:
            self.load_sql = _postgres_copy(schema)
            _reset_postgres()
        close_all()  # SQLite: the WAL checkpointed into the file the tests copy
        if previous is not None:
            database.initialize(previous)
        self.files = files if with_files else None

    def load(self, app):
        """Replace everything in the test's database (and attachment folder) with the demo."""
        if PG_URL:
            database.execute_sql(self.load_sql)
        else:
            source = sqlite3.connect(self.path)
            try:
                source.backup(database.connection())
            finally:
                source.close()
        if self.files is not None:
            shutil.copytree(self.files, app.config["ATTACHMENT_DIR"], dirs_exist_ok=True)
        report_cache.clear()
        return self.seeded

    def exported(self, target):
        """The demo exported once to `target` (a .xlsx workbook, or a CSV folder), as export_portfolio()
        writes it from a test's copy of the demo (same rows, same ids): exporting costs ~10-20 s, copying the
        result well under one. Written from a database of its own; the test's database is untouched."""
        previous = database.obj
        if PG_URL:
            url = PG_URL
        else:
            copy = target.parent / f"{target.stem}.sqlite3"
            shutil.copyfile(self.path, copy)
            url = f"sqlite:///{copy}"
        make_app(url, ATTACHMENT_DIR=str(target.parent / "attachments"))
        database.connect(reuse_if_open=True)
        if PG_URL:
            database.execute_sql(self.load_sql)
        export_portfolio(target)  # as the tests call it: outside an app context
        if PG_URL:
            _reset_postgres()
        close_all()
        if previous is not None:
            database.initialize(previous)
        return target


@pytest.fixture(scope="session")
def demo_snapshot(template_database, tmp_path_factory):
    return _DemoSnapshot(template_database, tmp_path_factory.mktemp("demo"), "test_demo", with_files=False)


@pytest.fixture(scope="session")
def demo_snapshot_with_files(template_database, tmp_path_factory):
    return _DemoSnapshot(template_database, tmp_path_factory.mktemp("demo_files"), "test_demo_files", with_files=True)


@pytest.fixture
def seeded_demo(app, demo_snapshot):
    """The demo data in this test's database, as `seed()` called in the test leaves it (no files);
    returns what that call returns, (created, accounts). A copy: the test may change anything."""
    return demo_snapshot.load(app)


@pytest.fixture
def seeded_demo_with_files(app, demo_snapshot_with_files):
    """The demo data with its files, as `flask seed-demo` leaves it; returns (created, accounts)."""
    return demo_snapshot_with_files.load(app)


@pytest.fixture(scope="session")
def demo_workbook(demo_snapshot, tmp_path_factory):
    """The path of the demo's portfolio workbook (.xlsx), exported once per run from `seeded_demo`'s data.
    Read it only (copy it to change it)."""
    return demo_snapshot.exported(tmp_path_factory.mktemp("demo_workbook") / "portfolio.xlsx")


@pytest.fixture(scope="session")
def demo_csv_folder(demo_snapshot, tmp_path_factory):
    """The path of the demo's portfolio as a CSV folder, exported once per run from `seeded_demo`'s data.
    Read it only (copy it to change it)."""
    return demo_snapshot.exported(tmp_path_factory.mktemp("demo_csv") / "portfolio")


def sign_in(client, user):
    """Sign a test client in as `user`: the session flask-login's FlaskLoginClient starts with (it keys
    the session by user.get_id(), the user's session token, which the app's user_loader reads), copied
    into this client. Tests of the sign-in form itself post to /login instead. The user is read again
    first: signing out (POST /logout) renews the session token an older copy of the user still holds."""
    user = type(user).get_by_id(user.id)
    signed_in = FlaskLoginClient(client.application, client.response_wrapper, user=user)
    name = client.application.config["SESSION_COOKIE_NAME"]
    client.set_cookie(name, signed_in.get_cookie(name).value)
    return client


@pytest.fixture
def as_user(app):
    """as_user(user) -> a new test client signed in as that user."""
    return lambda user: app.test_client(user=user)


def field_error(html, field_id):
    """The message the render_field macro shows next to a field (<p class="error" id="FIELD-error">),
    unescaped, or None when the field has no error."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return htmllib.unescape(match.group(1)).strip() if match else None


TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url="/login"):
    """A valid CSRF token for this client's session, read from a page that has a form (following a
    redirect: a leader's home is the dashboard)."""
    html = client.get(url, follow_redirects=True).get_data(as_text=True)
    match = TOKEN_RE.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client, url, data, token_from=None):
    """POST a form the way a browser does: with the CSRF token of the page it came from."""
    data = dict(data)
    data.setdefault("csrf_token", csrf_token(client, token_from or url))
    return client.post(url, data=data)
