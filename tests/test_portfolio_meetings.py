"""The meetings sheets of the portfolio workbook (issue 20): meetings with attendees, tags and doses,
decisions, next steps and activities; bad rows reported on their cell with nothing written, a changed row
updating exactly its record, and a round trip through an empty database."""

import datetime as dt

from tracker.models import (
    Activity,
    ActivityISP,
    AuditEntry,
    Competency,
    Meeting,
    MeetingAttendee,
    MeetingDecision,
    MeetingStrategy,
    NextStep,
    Strategy,
    TeamMember,
    today,
)
from tracker.portfolio import export_portfolio, import_portfolio, read_back

from . import factories as f
from .portfolio_helpers import edit_cell, empty_the_portfolio


def _portfolio():
    w = f.small_world()
    alex = f.team_member(w.engagement_a, "Alex Rivera")
    f.team_member(w.engagement_a, "Sam Ortiz")
    f.team_member(w.engagement_b, "Bea Other")
    meetings = []
    for day in (3, 10, 17, 24):
        m = f.meeting(
            w.engagement_a,
            date=dt.date(2026, 2, day),
            competencies=[Competency.select().first().key],
            duration_minutes=90,
            logged_by=w.isp_a1,
        )
        MeetingAttendee.create(meeting=m, team_member=alex)
        MeetingAttendee.create(meeting=m, user=w.isp_a1)
        strategy = Strategy.select().order_by(Strategy.id).first()
        MeetingStrategy.create(meeting=m, strategy=strategy, label=strategy.name, minutes=45)
        meetings.append(m)
    MeetingDecision.create(meeting=meetings[0], text="Pilot in two sites", decided_by="joint")
    NextStep.create(meeting=meetings[0], text="Draft the protocol", owner="Alex", due_on=dt.date(2026, 3, 1))
    activity = Activity.create(
        engagement=w.engagement_a, date=dt.date(2026, 2, 5), kind="outreach", minutes=30, logged_by=w.isp_a1
    )
    ActivityISP.create(activity=activity, user=w.isp_a1)
    return w, meetings


def _snapshot():
    return (
        list(Meeting.select().order_by(Meeting.id).dicts()),
        list(MeetingAttendee.select().order_by(MeetingAttendee.id).dicts()),
        list(Activity.select().order_by(Activity.id).dicts()),
        AuditEntry.select().count(),
    )


def test_bad_meeting_rows_are_reported_on_their_cells_and_nothing_is_written(app, tmp_path):
    w, meetings = _portfolio()
    f.team_member(w.engagement_b, "Other Team")
    folder = tmp_path / "portfolio"
    export_portfolio(folder)
    other_member = TeamMember.get(TeamMember.engagement == w.engagement_b.id).id
    edit_cell(folder, "meetings", 2, "date", (today() + dt.timedelta(days=30)).isoformat())
    edit_cell(folder, "meetings", 3, "competencies", "no-such-competency")
    edit_cell(folder, "meetings", 4, "duration_minutes", "0")
    edit_cell(folder, "meetings", 5, "team_members", str(other_member))
    edit_cell(folder, "activities", 2, "minutes", "0")
    before = _snapshot()

    report = import_portfolio(folder, dry_run=False, name="bad")

    found = {(p.sheet, p.row, p.column): p.message for p in report.problems}
    assert set(found) == {
        ("meetings", 2, "date"),
        ("meetings", 3, "competencies"),
        ("meetings", 4, "duration_minutes"),
        ("meetings", 5, "team_members"),
        ("activities", 2, "minutes"),
    }
    assert "no-such-competency" in found[("meetings", 3, "competencies")]
    assert found[("meetings", 4, "duration_minutes")] == "Enter how many minutes the meeting took (more than 0)."
    assert (
        found[("meetings", 5, "team_members")] == "Only members of this engagement's team can be listed as attending."
    )
    assert not report.committed
    assert _snapshot() == before


def test_an_updated_meeting_row_updates_exactly_that_meeting_with_one_audit_entry(app, tmp_path):
    w, meetings = _portfolio()
    folder = tmp_path / "portfolio"
    export_portfolio(folder)
    edit_cell(folder, "meetings", 3, "notes", "Walked through the fidelity checklist.")
    last = AuditEntry.select().order_by(AuditEntry.id.desc()).first().id
    before = {m.id: m.notes for m in Meeting.select()}

    report = import_portfolio(folder, dry_run=False, name="changed.xlsx")

    assert report.problems == []
    assert (report.counts["meetings"].updated, report.counts["meetings"].unchanged) == (1, 3)
    assert report.totals().created == 0 and report.totals().updated == 1
    after = {m.id: m.notes for m in Meeting.select()}
    assert after == {**before, meetings[1].id: "Walked through the fidelity checklist."}
    entries = list(AuditEntry.select().where(AuditEntry.id > last))
    assert [(e.entity, e.entity_id, e.action) for e in entries] == [("Meeting", meetings[1].id, "update")]
    assert entries[0].change_map["source"] == "import of changed.xlsx"
    assert entries[0].change_map["notes"] == ["", "Walked through the fidelity checklist."]


def test_a_changed_link_column_replaces_the_meetings_links_and_bad_doses_are_refused(app, tmp_path):
    w, meetings = _portfolio()
    folder = tmp_path / "portfolio"
    export_portfolio(folder)
    strategies = [s.key for s in Strategy.select().order_by(Strategy.id).limit(2)]
    edit_cell(folder, "meetings", 2, "strategies", "; ".join(strategies))
    edit_cell(folder, "meetings", 2, "strategy_minutes", f"{strategies[0]}=60; {strategies[1]}=45")
    refused = import_portfolio(folder, dry_run=False, name="too many minutes")
    assert [(p.sheet, p.row, p.column) for p in refused.problems] == [("meetings", 2, "strategy_minutes")]
    assert "more than the meeting's 90" in refused.problems[0].message

    edit_cell(folder, "meetings", 2, "strategy_minutes", f"{strategies[1]}=20")
    last = AuditEntry.select().order_by(AuditEntry.id.desc()).first().id
    report = import_portfolio(folder, dry_run=False, name="tags")
    assert report.problems == [] and report.totals().updated == 1
    links = MeetingStrategy.select().where(MeetingStrategy.meeting == meetings[0].id).order_by(MeetingStrategy.id)
    assert [(link.strategy.key, link.minutes) for link in links] == [(strategies[0], None), (strategies[1], 20)]
    entries = list(AuditEntry.select().where(AuditEntry.id > last))
    assert [(e.entity, e.entity_id) for e in entries] == [("Meeting", meetings[0].id)]
    assert set(entries[0].change_map) == {"strategies", "strategy_minutes", "source"}


def test_the_meetings_sheets_round_trip_through_an_empty_database(app, tmp_path):
    _portfolio()
    first = tmp_path / "first.xlsx"
    written = export_portfolio(first)
    assert {name: written[name] for name in ("meetings", "meeting_decisions", "next_steps", "activities")} == {
        "meetings": 4,
        "meeting_decisions": 1,
        "next_steps": 1,
        "activities": 1,
    }
    empty_the_portfolio()
    report = import_portfolio(first, dry_run=False, name="first.xlsx")
    assert report.problems == []
    assert MeetingAttendee.select().where(MeetingAttendee.team_member.is_null(False)).count() == 4
    second = tmp_path / "second.xlsx"
    export_portfolio(second)
    assert read_back(first) == read_back(second)
    again = import_portfolio(second, dry_run=False, name="second.xlsx")
    assert again.problems == [] and again.totals().created == again.totals().updated == 0
