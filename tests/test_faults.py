"""Faults: a write that fails half-way leaves nothing behind; a database that cannot be written gives
a clear page; a process killed in the middle of writes leaves a database the app opens cleanly."""

import os
import sqlite3
import subprocess
import sys
import textwrap
import time

from peewee import OperationalError

from tracker.db import database
from tracker.models import AuditEntry, Meeting, MeetingCompetency, NextStep
from tracker.schema import init_db

from . import factories
from .conftest import make_app, post_form


def meeting_form(engagement):
    return {
        "date": "2026-03-02",
        "kind": "monthly",
        "mode": "in_person",
        "duration_minutes": "90",
        "competencies": [],
        "notes": "Half-way failure",
        "next_steps-0-text": "Send the notes",
        "next_steps-0-owner": "Ada",
        "next_steps-0-due_on": "2026-03-09",
    }


def counts():
    return (
        Meeting.select().count(),
        NextStep.select().count(),
        MeetingCompetency.select().count(),
        AuditEntry.select().count(),
    )


def test_a_write_interrupted_half_way_leaves_nothing(demo, as_user, monkeypatch):
    engagement = demo.engagement_a
    client = as_user(demo.isp_a1)
    before = counts()

    def explode(*args, **kwargs):
        raise RuntimeError("the process died between two inserts")

    # the meeting row (and its audit entry) are written first; the next steps after: break those
    monkeypatch.setattr(NextStep, "insert_many", explode)
    url = f"/engagements/{engagement.id}/meetings/new"
    response = post_form(client, url, meeting_form(engagement))
    assert response.status_code == 500
    assert "Nothing you submitted was half-saved" in response.get_data(as_text=True)
    assert counts() == before


def test_a_database_that_cannot_be_written_gives_a_clear_page(demo, as_user, monkeypatch):
    engagement = demo.engagement_a
    client = as_user(demo.isp_a1)
    before = counts()

    def full(*args, **kwargs):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(Meeting, "save", full)
    response = post_form(client, f"/engagements/{engagement.id}/meetings/new", meeting_form(engagement))
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "The database is not available" in html and "Nothing was saved" in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert counts() == before


WRITER = textwrap.dedent("""
    import sys, datetime as dt
    sys.path.insert(0, sys.argv[2])
    from tests.conftest import make_app
    from tracker.db import database
    from tracker.models import Engagement, Meeting
    app = make_app("sqlite:///" + sys.argv[1])
    database.connect()
    engagement = Engagement.select().first()
    print("writing", flush=True)
    while True:
        with database.atomic():
            for i in range(20):
                Meeting.create(engagement=engagement, date=dt.date(2026, 1, 5), notes="killed writer")
""")


def test_the_app_starts_cleanly_after_being_killed_during_writes(tmp_path):
    # About the embedded SQLite file (PostgreSQL's recovery is its server's job), so always on SQLite.
    path = tmp_path / "standalone.sqlite3"

    previous = database.obj
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        init_db()
        factories.engagement(title="Survives the crash")
    database.close()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), root], stdout=subprocess.PIPE)
    try:
        assert writer.stdout.readline().strip() == b"writing"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # wait until some transactions have committed
            conn = sqlite3.connect(path)
            try:
                if conn.execute("SELECT COUNT(*) FROM meeting").fetchone()[0] >= 100:
                    break
            except sqlite3.OperationalError:
                pass
            finally:
                conn.close()
            time.sleep(0.05)
        writer.kill()  # SIGKILL: no cleanup, the WAL holds what was committed
        writer.wait()
        assert os.path.exists(f"{path}-wal")

        app = make_app(f"sqlite:///{path}")
        client = app.test_client()
        assert client.get("/login").status_code == 200
        database.connect(reuse_if_open=True)
        assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = Meeting.select().count()
        assert count >= 100 and count % 20 == 0  # whole transactions only: none half-applied
        database.close()
    finally:
        if writer.poll() is None:
            writer.kill()
        if previous is not None:
            database.initialize(previous)
