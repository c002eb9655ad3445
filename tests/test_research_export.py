"""The research export of the demo data: read back, checked against its codebook, and free of
names, emails and notes."""

import csv
import re

import pytest

from tracker.models import ContextNote, Meeting, NextStep, Organization, TeamMember, User
from tracker.research import CODEBOOK

from .export_helpers import assert_values_match


@pytest.fixture
def exported(app, runner, tmp_path, seeded_demo):
    out = tmp_path / "export"
    result = runner.invoke(args=["export-research", str(out)])
    assert result.exit_code == 0, result.output
    return out


def read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_file_matches_its_codebook(exported):
    codebook = read(exported / "codebook.csv")
    by_file = {}
    for entry in codebook:
        by_file.setdefault(entry["file"], []).append(entry)
    assert sorted(by_file) == sorted(f"{name}.csv" for name in CODEBOOK)
    for file, columns in by_file.items():
        rows = read(exported / file)
        assert rows, f"{file} is empty on the demo data"
        assert list(rows[0].keys()) == [c["column"] for c in columns], file
        for c in columns:
            allowed = set(c["allowed_values"].split("|")) if c["allowed_values"] else None
            assert_values_match(file, c, rows, allowed)


def test_rows_add_up(exported):
    meetings = read(exported / "meetings.csv")
    assert len(meetings) == Meeting.live().count()
    meeting_ids = {r["meeting_id"] for r in meetings}
    assert {r["competency_meeting_id"] for r in read(exported / "meeting_competencies.csv")} <= meeting_ids
    assert {r["step_meeting_id"] for r in read(exported / "next_steps.csv")} <= meeting_ids
    stages = read(exported / "stage_history.csv")
    assert any(r["visit"] == "2" for r in stages)  # the demo's revisit is kept
    assert {r["scale"] for r in read(exported / "feedback_items.csv")} >= {"aim", "iam", "fim"}
    dictionary = read(exported / "data_dictionary.csv")
    # one field per column, the record identifier (engagement_id) defined once
    assert len(dictionary) == sum(len(columns) for columns in CODEBOOK.values()) - (len(CODEBOOK) - 1)
    assert {r["Field Type"] for r in dictionary} >= {"text", "dropdown", "yesno"}


def test_no_names_emails_or_notes(exported):
    text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in exported.glob("*.csv")
        if p.name not in ("codebook.csv", "data_dictionary.csv")
    )
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text)
    people = [u.name for u in User.select()] + [t.name for t in TeamMember.select()]
    leaked = [name for name in people if name in text]
    assert leaked == []
    notes = [x.notes for x in Meeting.select() if len(x.notes) > 20] + [n.text for n in ContextNote.select()]
    notes += [s.text for s in NextStep.select() if len(s.text) > 20]
    owners = [s.owner for s in NextStep.select() if len(s.owner) > 3]
    assert owners and not [o for o in owners if o in text]
    assert notes and not [n for n in notes if n[:40] in text]


def test_pseudonyms_are_stable_and_notes_come_only_on_request(app, runner, tmp_path, seeded_demo):
    first, second, noted = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, extra in ((first, []), (second, []), (noted, ["--include-notes"])):
        assert runner.invoke(args=["export-research", str(out), *extra]).exit_code == 0
    assert read(first / "engagements.csv") == read(second / "engagements.csv")
    assert all(re.fullmatch(r"P-[0-9a-f]{10}", r["co_lead_1"]) for r in read(first / "engagements.csv"))
    assert all(r["notes"] == "" for r in read(first / "meetings.csv"))
    assert any(r["notes"] for r in read(noted / "meetings.csv"))
    for file, column in (("context_notes", "context_text"), ("next_steps", "step_text")):
        assert all(r[column] == "" for r in read(first / f"{file}.csv")), file
        assert any(r[column] for r in read(noted / f"{file}.csv")), file


def test_filters_and_bad_input(app, runner, tmp_path, seeded_demo):
    out = tmp_path / "q"
    result = runner.invoke(args=["export-research", str(out), "--from", "2026-01-01", "--to", "2026-03-31"])
    assert result.exit_code == 0, result.output
    dates = [r["date"] for r in read(out / "meetings.csv")]
    assert dates and all("2026-01-01" <= d <= "2026-03-31" for d in dates)
    other = Organization.create(name="Nobody's Foundation")
    out2 = tmp_path / "org"
    assert runner.invoke(args=["export-research", str(out2), "--organization", other.name]).exit_code == 0
    assert read(out2 / "engagements.csv") == []
    for args, message in (
        (["--organization", "Nope"], "Unknown organization"),
        (["--from", "2026-05-01", "--to", "2026-01-01"], "--to is before --from"),
        (["--from", "yesterday"], "Invalid value"),
    ):
        target = tmp_path / f"bad{len(message)}"
        result = runner.invoke(args=["export-research", str(target), *args])
        assert result.exit_code != 0 and message in result.output
        assert not target.exists()
    result = runner.invoke(args=["export-research", str(out)])  # not empty any more
    assert result.exit_code != 0 and "is not empty" in result.output
