"""backup and restore of the embedded SQLite database, through the CLI.

These tests always use their own SQLite app, also when the suite runs on PostgreSQL (where the
commands only point to pg_dump, which the last test checks)."""

import sqlite3

import pytest

from tracker.backup import PG_HINT
from tracker.db import database, is_sqlite
from tracker.models import Engagement, Meeting

from . import factories
from .conftest import PG_URL, make_app


@pytest.fixture
def app(sqlite_app):
    """Overrides conftest's app: a SQLite app whatever database the suite runs on."""
    return sqlite_app


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_backup_and_restore_round_trip(app, runner, tmp_path):
    engagement = factories.engagement(title="Kept in the backup")
    factories.meeting(engagement, competencies=["p20_co_learning"])
    target = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Backed up to {target}" in result.output

    # things change after the backup...
    Meeting.delete().execute()
    factories.engagement(title="Added after the backup")
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    # ...and the restore brings back the state of the backup exactly
    assert [e.title for e in Engagement.select()] == ["Kept in the backup"]
    assert Meeting.select().count() == 1


def test_backup_refuses_to_overwrite(app, runner, tmp_path):
    target = tmp_path / "exists.sqlite3"
    target.write_text("precious")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert target.read_text() == "precious"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"this is not a database", "is not a SQLite database"),
        (None, "No file at"),
    ],
)
def test_restore_refuses_a_bad_file_and_changes_nothing(app, runner, tmp_path, content, message):
    factories.engagement(title="Still here")
    path = tmp_path / "bad.sqlite3"
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code != 0
    assert message in result.output and "Nothing was changed." in result.output
    assert [e.title for e in Engagement.select()] == ["Still here"]


def test_restore_refuses_a_sqlite_file_of_another_application(app, runner, tmp_path):
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (id INTEGER)")
    conn.commit()
    conn.close()
    result = runner.invoke(args=["restore", str(other), "--yes"])
    assert result.exit_code != 0
    assert "not an Engagement Tracker backup" in result.output
    assert is_sqlite()


def test_on_postgresql_backup_points_to_pg_dump(tmp_path):
    previous = database.obj
    pg_app = make_app(PG_URL or "postgresql://nobody@127.0.0.1:9/none")  # never connects for this command
    try:
        result = pg_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.dump")])
    finally:
        if previous is not None:
            database.initialize(previous)
    assert result.exit_code != 0
    assert PG_HINT in result.output
    assert not (tmp_path / "x.dump").exists()
