"""The database: migrations from an empty database, the schema they build, the default catalogs
that init-db loads, and the connection settings.

Tests that need an empty database get one from `empty_app`: a fresh SQLite file, or on PostgreSQL
(TRACKER_TEST_DATABASE_URL) the shared test database with every table dropped, rebuilt afterwards.
"""

import pytest
from flask.cli import FlaskGroup
from peewee import ForeignKeyField, IntegrityError, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect

from tracker.db import database, is_sqlite, open_database
from tracker.models import (
    MODELS,
    BenchmarkTemplate,
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    FeedbackInstrument,
    FeedbackItem,
    SchemaVersion,
    Stage,
    Strategy,
    StrategyCluster,
    Unit,
    ValidationError,
)
from tracker.schema import init_db, latest_version, migration_modules

from .conftest import PG_URL

STAGE_KEYS = ["exploration", "installation", "initial_implementation", "full_implementation"]


@pytest.fixture
def empty_app(empty_app):
    """conftest's empty database, checked empty."""
    assert database.get_tables() == []
    return empty_app


def flask_cli(app, *args):
    """Run a command the way `flask --app tracker ...` does (FlaskGroup pushes the app context)."""
    cli = FlaskGroup(create_app=lambda: app, load_dotenv=False, set_debug_flag=False)
    return app.test_cli_runner().invoke(cli, args=list(args))


# --- migrations -------------------------------------------------------------------------------


def test_migrate_on_an_empty_database_applies_every_migration_and_stamps_the_versions(empty_app):
    result = flask_cli(empty_app, "migrate")
    assert result.exit_code == 0, result.output
    numbers = [number for number, _ in migration_modules()]
    assert numbers[:2] == [1, 2]
    assert result.output.strip() == "Applied migrations: " + ", ".join(f"{n:04d}" for n in numbers) + "."
    stamps = list(SchemaVersion.select().order_by(SchemaVersion.version))
    assert [(s.version, s.name) for s in stamps][:2] == [(1, "0001_initial"), (2, "0002_user_date_format")]
    assert [s.version for s in stamps] == numbers
    assert all(s.applied_at is not None for s in stamps)
    assert latest_version() == numbers[-1]


def test_second_migrate_has_nothing_to_do(empty_app):
    assert flask_cli(empty_app, "migrate").exit_code == 0
    result = flask_cli(empty_app, "migrate")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Nothing to migrate: schema version {latest_version()} is the latest."
    assert SchemaVersion.select().count() == len(migration_modules())  # numbers may have gaps


def test_migrated_schema_has_every_table_and_column_of_the_models(empty_app):
    result = flask_cli(empty_app, "migrate")
    assert result.exit_code == 0, result.output
    tables = set(database.get_tables())
    missing = []
    for model in MODELS:
        table = model._meta.table_name
        assert table in tables, f"table {table} missing"
        columns = {c.name for c in database.get_columns(table)}
        for field in model._meta.sorted_fields:
            if field.column_name not in columns:
                missing.append(f"{table}.{field.column_name}")
    assert missing == []


def test_migrated_schema_has_the_foreign_keys_of_the_models(empty_app):
    flask_cli(empty_app, "migrate")
    missing = []
    for model in MODELS:
        table = model._meta.table_name
        declared = {
            (f.column_name, f.rel_model._meta.table_name)
            for f in model._meta.sorted_fields
            if isinstance(f, ForeignKeyField)
        }
        present = {(fk.column, fk.dest_table) for fk in database.get_foreign_keys(table)}
        missing += [f"{table}.{col} -> {dest}" for col, dest in declared - present]
    assert missing == []


def test_migrated_schema_has_the_unique_indexes_of_the_models(empty_app):
    """Uniqueness the models rely on (emails, unit names per organization...) is in the database."""
    flask_cli(empty_app, "migrate")
    missing = []
    for model in MODELS:
        table = model._meta.table_name
        unique_sets = {tuple(sorted(i.columns)) for i in database.get_indexes(table) if i.unique}
        wanted = {(f.column_name,) for f in model._meta.sorted_fields if f.unique}
        for fields, unique in model._meta.indexes:
            if unique:
                wanted.add(tuple(sorted(model._meta.fields[n].column_name for n in fields)))
        missing += [f"{table}{cols}" for cols in wanted - unique_sets]
    assert missing == []


def _shape(db, schema=None):
    """{table: (columns, indexes)} as the database reports them: each column's name, type,
    nullability and primary-key flag, each index's name, columns and uniqueness."""
    kw = {"schema": schema} if schema else {}
    shape = {}
    for model in MODELS:
        table = model._meta.table_name
        columns = {(c.name, c.data_type.lower(), c.null, c.primary_key) for c in db.get_columns(table, **kw)}
        indexes = {(i.name, tuple(i.columns), i.unique) for i in db.get_indexes(table, **kw)}
        shape[table] = (columns, indexes)
    return shape


@pytest.fixture
def declared_shape(tmp_path):
    """The shape of the tables the current models declare: built by peewee from the models in a
    database of the same engine beside the test one (on PostgreSQL, a schema of its own)."""
    if not PG_URL:
        reference = SqliteDatabase(str(tmp_path / "declared.sqlite3"))
        with reference.bind_ctx(MODELS):
            reference.create_tables(MODELS)
        yield _shape(reference)
        reference.close()
        return
    reference = connect(PG_URL)
    reference.execute_sql("DROP SCHEMA IF EXISTS declared_by_models CASCADE")
    reference.execute_sql("CREATE SCHEMA declared_by_models")
    reference.execute_sql("SET search_path TO declared_by_models")
    try:
        with reference.bind_ctx(MODELS):
            reference.create_tables(MODELS)
        yield _shape(reference, schema="declared_by_models")
    finally:
        reference.execute_sql("DROP SCHEMA declared_by_models CASCADE")
        reference.close()


def test_migrations_build_exactly_the_tables_the_models_declare(empty_app, declared_shape):
    """0001 is frozen DDL and later migrations add to it: together they must build what models.py
    declares today, column by column (type, nullability) and index by index, or a model change is
    missing its migration."""
    assert flask_cli(empty_app, "migrate").exit_code == 0
    migrated = _shape(database.obj)
    drift = []
    for table, (columns, indexes) in declared_shape.items():
        got_columns, got_indexes = migrated[table]
        drift += [f"{table}: models declare column {c}, migrations do not build it" for c in columns - got_columns]
        drift += [f"{table}: migrations build column {c}, models do not declare it" for c in got_columns - columns]
        drift += [f"{table}: models declare index {i}, migrations do not build it" for i in indexes - got_indexes]
        drift += [f"{table}: migrations build index {i}, models do not declare it" for i in got_indexes - indexes]
    assert drift == []


# --- init-db and the default catalogs -----------------------------------------------------------


def test_init_db_on_an_empty_database_builds_the_schema_and_loads_catalogs(empty_app):
    result = flask_cli(empty_app, "init-db")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"Database ready at schema version {latest_version()} ")
    assert lines[1].startswith("Loaded default catalogs:")
    assert SchemaVersion.select().count() == len(migration_modules())  # numbers may have gaps


def test_competency_frameworks(empty_app):
    init_db()
    frameworks = {f.key: f for f in CompetencyFramework.select()}
    assert set(frameworks) == {"isp_practice_profile_2020", "isp_competencies_2021"}
    counts = {}
    for key, framework in frameworks.items():
        domains = list(
            CompetencyDomain.select().where(CompetencyDomain.framework == framework).order_by(CompetencyDomain.position)
        )
        assert [d.key for d in domains] == ["co_creation_engagement", "ongoing_improvement", "sustaining_change"]
        counts[key] = Competency.in_framework(framework).count()
    assert counts == {"isp_practice_profile_2020": 15, "isp_competencies_2021": 12}
    assert CompetencyFramework.default().key == "isp_practice_profile_2020"
    assert Competency.select().count() == 27


def test_strategies(empty_app):
    init_db()
    clusters = list(StrategyCluster.select().order_by(StrategyCluster.number))
    assert [c.number for c in clusters] == list(range(1, 11))
    eric = Strategy.select().join(StrategyCluster).where(StrategyCluster.number <= 9)
    assert eric.count() == 73
    assert sorted(s.number for s in eric) == list(range(1, 74))
    isp = Strategy.select().join(StrategyCluster).where(StrategyCluster.key == "isp_activities")
    assert isp.count() == 5
    assert all(s.name for s in Strategy.select())


def test_stages_in_order_with_benchmark_templates(empty_app):
    init_db()
    assert [s.key for s in Stage.ordered()] == STAGE_KEYS
    for stage in Stage.ordered():
        templates = list(
            BenchmarkTemplate.select().where(BenchmarkTemplate.stage == stage).order_by(BenchmarkTemplate.position)
        )
        assert len(templates) >= 5, stage.key
        assert all(t.text.strip() for t in templates)


def test_feedback_instrument_items(empty_app):
    init_db()
    instrument = FeedbackInstrument.get(FeedbackInstrument.key == "recipient_feedback")
    assert instrument.version == 1
    by_scale = {}
    for item in FeedbackItem.select().where(FeedbackItem.instrument == instrument):
        by_scale.setdefault(item.scale, []).append(item)
    for scale in ("aim", "iam", "fim"):
        assert len(by_scale[scale]) == 4, scale
        assert all(i.kind == "likert" for i in by_scale[scale])
    assert {"aim", "iam", "fim"} <= {scale["key"] for scale in instrument.spec["scales"]}
    assert instrument.spec["scale_labels"]["1"] and instrument.spec["scale_labels"]["5"]


def test_init_db_again_neither_duplicates_nor_overwrites(app):
    """`app` is already initialised; an admin renames a competency, then init-db runs again."""
    counts = {
        m: m.select().count()
        for m in (
            CompetencyFramework,
            CompetencyDomain,
            Competency,
            Stage,
            BenchmarkTemplate,
            StrategyCluster,
            Strategy,
            FeedbackInstrument,
            FeedbackItem,
        )
    }
    competency = Competency.select().order_by(Competency.id).first()
    competency.name = "Renamed by an administrator"
    competency.save()

    result = flask_cli(app, "init-db")
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith(f"Database already at schema version {latest_version()} ")
    assert "Loaded default catalogs" not in result.output
    assert {m: m.select().count() for m in counts} == counts
    assert Competency.get_by_id(competency.id).name == "Renamed by an administrator"


def test_init_db_adds_a_catalog_entry_that_was_deleted(app):
    """Loading adds missing keys: a default strategy removed by mistake comes back, once."""
    strategy = Strategy.select().order_by(Strategy.id.desc()).first()
    key = strategy.key
    strategy.delete_instance()
    applied, loaded = init_db()
    assert applied == []
    assert loaded == {"strategies": 1}
    assert Strategy.select().where(Strategy.key == key).count() == 1


# --- connection settings ------------------------------------------------------------------------


def test_foreign_keys_are_enforced(app):
    with pytest.raises((ValidationError, IntegrityError)):
        Unit.create(organization=999999, name="Orphan unit")
    assert Unit.select().where(Unit.name == "Orphan unit").count() == 0


def test_app_connection_settings(app):
    if is_sqlite():
        assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 1000
    else:
        assert isinstance(database.obj, PostgresqlDatabase)
        assert app.config["DATABASE_URL"] == PG_URL


def test_open_database_sqlite_settings(tmp_path):
    """Whatever engine the suite runs on, SQLite databases get WAL, foreign keys and a busy timeout."""
    db = open_database(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    db.connect()
    try:
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000
    finally:
        db.close()
