"""The research export's REDCap data dictionary checked against REDCap's documented rules, on one
export of a small world that fills every file: REDCap's 18 columns in order; valid, unique variable
names equal to the exported columns; choices coded with the codes the files hold; integer and date
validation, 1-5 ranges on scored answers; free text flagged as identifiers. Every file is read back
with csv and checked against the codebook."""

import csv
import datetime as dt
import re

import pytest

from tests import factories
from tests.export_helpers import assert_values_match
from tests.feedback_helpers import items, respond
from tracker.models import (
    Activity,
    ActivityISP,
    Competency,
    ContextNote,
    Deliverable,
    Engagement,
    GoalMeasurement,
    MeetingDecision,
    MeetingPrinciple,
    Modification,
    NextStep,
    Principle,
    Strategy,
    SupportRequest,
    User,
)

# REDCap's data dictionary columns (A to R), exactly as REDCap names them, in its order.
REDCAP_COLUMNS = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
]
NAME = re.compile(r"^[a-z][a-z0-9_]{0,25}$")  # lowercase, starts with a letter, at most 26 characters
CODE = re.compile(r"^[a-z0-9_]+$")  # a choice's raw coded value
CATEGORICAL = {"dropdown", "radio", "checkbox"}
FREE_TEXT = {"notes", "context_text", "step_text", "mod_description", "activity_notes"}  # may name people
PERSON = "Alex Rivera"


@pytest.fixture
def exported(app, runner, tmp_path):
    """One export (with --include-notes) of the small world, with a row in every file."""
    w = factories.small_world()
    e = w.engagement_a
    request = SupportRequest.create(
        unit=w.unit_a, requested_by=w.recipient_a, title="Help", on_behalf_of="A partner", urgent=True
    )
    SupportRequest.create(unit=w.unit_b, requested_by=w.recipient_b, title="Another")  # became nothing
    Engagement.update(request=request).where(Engagement.id == e.id).execute()
    factories.team_member(e, name=PERSON, email="alex@example.org", position="manager", joined_on=dt.date(2026, 1, 6))
    factories.team_member(w.engagement_b, name="Sam Okafor", position="senior_leader")
    meeting = factories.meeting(
        e,
        competencies=[Competency.select().first().key],
        strategies=[Strategy.select().first().key],
        notes=f"{PERSON} will bring the draft.",
        duration_minutes=60,
    )
    MeetingPrinciple.create(meeting=meeting, principle=Principle.select().first())
    MeetingDecision.create(meeting=meeting, text="Pilot the routine in two clinics", decided_by="joint")
    NextStep.create(meeting=meeting, text=f"{PERSON} circulates the plan", owner=PERSON, due_on=dt.date(2026, 3, 1))
    factories.goal(e).change_status("in_progress", dt.date(2026, 2, 3), meeting=meeting)
    GoalMeasurement.create(goal=factories.measured_goal(e, outcome="adoption"), date=dt.date(2026, 2, 3), value=60)
    Modification.create(
        engagement=e,
        strategy=Strategy.select().first(),
        decided_on=dt.date(2026, 2, 3),
        description=f"{PERSON} asked for shorter sessions",
        modified="context_format",
        nature="shortening",
        goal="aaf",
        reason_level="recipient",
        participants="isp,team",
    )
    factories.plan_item(e, w.isp_a1)  # plan_items.csv and plan_versions.csv
    Deliverable.create(engagement=e, kind="tool_resource", title="Toolkit", due_on=dt.date(2026, 4, 1))
    activity = Activity.create(
        engagement=e, date=dt.date(2026, 2, 4), kind="outreach", minutes=30, notes=f"Calls with {PERSON}"
    )
    ActivityISP.create(activity=activity, user=w.isp_a1)  # activities.csv
    ContextNote.create(
        engagement=e, kind="barrier", domain="inner_setting", text=f"{PERSON} leaves", noted_on=dt.date(2026, 2, 1)
    )
    likert = [key for key, item in items().items() if item.kind == "likert"]
    for value in (1, 4, 5):
        respond(e, dict.fromkeys(likert, value))
    out = tmp_path / "export"
    result = runner.invoke(args=["export-research", str(out), "--include-notes"])
    assert result.exit_code == 0, result.output
    return out


def read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def data_files(out):
    return {p.stem: read(p) for p in sorted(out.glob("*.csv")) if p.stem not in ("codebook", "data_dictionary")}


def test_header_is_redcaps_eighteen_columns_in_order(exported):
    header, fields = read(exported / "data_dictionary.csv")
    assert header == REDCAP_COLUMNS
    assert len(header) == 18 and fields


def test_variable_names_are_valid_unique_and_the_record_id_comes_first(exported):
    _, fields = read(exported / "data_dictionary.csv")
    names = [f["Variable / Field Name"] for f in fields]
    assert [n for n in names if not NAME.match(n)] == []
    assert len(names) == len(set(names))
    assert names[0] == "engagement_id" and fields[0]["Form Name"] == "engagements"
    assert all(NAME.match(f["Form Name"]) for f in fields)
    forms = [f["Form Name"] for f in fields]
    assert forms == sorted(forms, key=forms.index)  # each form's fields together


def test_dictionary_variables_are_the_exported_columns(exported):
    _, fields = read(exported / "data_dictionary.csv")
    files = data_files(exported)
    assert sorted(files) == sorted({f["Form Name"] for f in fields})  # one form per file
    columns = {c for header, _ in files.values() for c in header}
    assert {f["Variable / Field Name"] for f in fields} == columns
    for f in fields[1:]:  # each field is a column of its form's file; every file names its record
        assert f["Variable / Field Name"] in files[f["Form Name"]][0]
    assert all("engagement_id" in header for header, _ in files.values())
    assert all(rows for _, rows in files.values()), [name for name, (_, rows) in files.items() if not rows]


def test_choices_are_coded_as_the_data_and_values_validate(exported):
    _, fields = read(exported / "data_dictionary.csv")
    values = {}
    for header, rows in data_files(exported).values():
        for column in header:
            values.setdefault(column, []).extend(r[column] for r in rows if r[column] != "")
    categorical = 0
    for f in fields:
        name, kind, choices = f["Variable / Field Name"], f["Field Type"], f["Choices, Calculations, OR Slider Labels"]
        seen = values[name]
        if kind in CATEGORICAL:
            categorical += 1
            pairs = [choice.split(", ", 1) for choice in choices.split(" | ")]
            codes = [code for code, _ in pairs]
            assert all(CODE.match(code) for code in codes) and all(label.strip() for _, label in pairs), name
            assert len(codes) == len(set(codes)), name
            assert set(seen) <= set(codes), (name, set(seen) - set(codes))
        elif kind == "yesno":
            assert choices == "" and set(seen) <= {"0", "1"}, name
        else:
            assert choices == "", name
        validation = f["Text Validation Type OR Show Slider Number"]
        low, high = f["Text Validation Min"], f["Text Validation Max"]
        for value in seen:
            if validation == "integer":
                number = int(value)
                assert (not low or number >= int(low)) and (not high or number <= int(high)), (name, value)
            elif validation == "date_ymd":
                dt.date.fromisoformat(value)
    assert categorical >= 10
    by_name = {f["Variable / Field Name"]: f for f in fields}
    assert by_name["support_model"]["Choices, Calculations, OR Slider Labels"].startswith("push, Push | push_pull,")
    assert {by_name[n]["Text Validation Type OR Show Slider Number"] for n in ("meeting_id", "date")} == {
        "integer",
        "date_ymd",
    }


def test_scored_items_are_integers_from_one_to_five(exported):
    _, fields = read(exported / "data_dictionary.csv")
    value = next(f for f in fields if f["Variable / Field Name"] == "value")
    assert value["Form Name"] == "feedback_items" and value["Field Type"] == "text"
    assert (value["Text Validation Type OR Show Slider Number"], value["Text Validation Min"]) == ("integer", "1")
    assert value["Text Validation Max"] == "5"
    _, answers = read(exported / "feedback_items.csv")
    assert {a["value"] for a in answers} == {"1", "4", "5"}


def test_free_text_is_flagged_as_identifying_and_people_are_pseudonyms(exported):
    _, fields = read(exported / "data_dictionary.csv")
    flagged = {f["Variable / Field Name"] for f in fields if f["Identifier?"] == "y"}
    assert flagged == FREE_TEXT
    assert all(f["Field Type"] == "notes" for f in fields if f["Variable / Field Name"] in FREE_TEXT)
    assert {f["Identifier?"] for f in fields} <= {"", "y"}
    files = data_files(exported)
    for name, column in (
        ("meetings", "notes"),
        ("context_notes", "context_text"),
        ("next_steps", "step_text"),
        ("modifications", "mod_description"),
        ("activities", "activity_notes"),
    ):
        assert any(PERSON in r[column] for r in files[name][1]), name  # present: asked with --include-notes
    others = "\n".join(r[c] for header, rows in files.values() for r in rows for c in header if c not in FREE_TEXT)
    people = [u.name for u in User.select()] + [PERSON, "Sam Okafor"]
    assert [p for p in people if p in others] == []
    assert "@" not in others and "A partner" not in others
    assert {r["team_member"][:2] for r in files["team_positions"][1]} == {"M-"}


def test_every_file_reads_back_with_its_codebook(exported):
    _, codebook = read(exported / "codebook.csv")
    _, fields = read(exported / "data_dictionary.csv")
    choices = {
        f["Variable / Field Name"]: [
            c.split(", ", 1)[0] for c in f["Choices, Calculations, OR Slider Labels"].split(" | ")
        ]
        for f in fields
        if f["Field Type"] in CATEGORICAL
    }
    files = data_files(exported)
    assert sorted(files) == sorted({c["file"][: -len(".csv")] for c in codebook})
    for name, (header, rows) in files.items():
        entries = [c for c in codebook if c["file"] == f"{name}.csv"]
        assert header == [c["column"] for c in entries], name
        for c in entries:
            allowed = c["allowed_values"].split("|") if c["allowed_values"] else None
            if c["column"] in choices:
                assert allowed == choices[c["column"]], c["column"]  # codebook and dictionary agree
            assert_values_match(name, c, rows, allowed)
    _, requests = read(exported / "support_requests.csv")
    assert sorted((r["engagement_id"] != "", r["for_partner"], r["urgent"]) for r in requests) == [
        (False, "0", "0"),
        (True, "1", "1"),
    ]
