"""The meeting log: logging, editing, deleting and restoring meetings, through the pages.

Walks each flow as the right role and checks both what the user sees and the rows stored.
"""

import datetime as dt
import re

import pytest
from playhouse.test_utils import count_queries

from tracker.models import (
    AuditEntry,
    Benchmark,
    Competency,
    CompetencyFramework,
    Goal,
    GoalStatusChange,
    Meeting,
    MeetingAttendee,
    MeetingCompetency,
    MeetingPrinciple,
    MeetingStrategy,
    NextStep,
    Principle,
    Stage,
    Strategy,
    ValidationError,
)
from tracker.services import meetings as service

from . import factories
from .conftest import post_form

DAY = dt.date.today() - dt.timedelta(days=10)


def shown(date):
    return date.strftime("%-d %b %Y")


def new_url(e, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/engagements/{e.id}/meetings/new" + (f"?{query}" if query else "")


def meeting_url(e, m, action=""):
    return f"/engagements/{e.id}/meetings/{m.id}" + (f"/{action}" if action else "")


def competency(key):
    return Competency.get(Competency.key == key)


def strategy(key):
    return Strategy.get(Strategy.key == key)


@pytest.fixture
def w(demo):
    """The small world plus a team, goals and open benchmarks on engagement A (and B, as the 'other')."""
    e = demo.engagement_a
    demo.alex = factories.team_member(e, "Alex Rivera", "manager")
    demo.sam = factories.team_member(e, "Sam Okafor", "senior_leader")
    demo.gone = factories.team_member(
        e, "Gil Former", "partner", joined_on=dt.date(2026, 1, 5), left_on=dt.date(2026, 1, 20)
    )
    demo.goal = factories.goal(e, "Core components written down")
    demo.goal2 = factories.goal(e, "Fidelity measure chosen")
    demo.benchmark = Benchmark.select().where(Benchmark.engagement == e).order_by(Benchmark.position).first()
    other = demo.engagement_b
    demo.other_member = factories.team_member(other, "Olu Elsewhere")
    demo.other_goal = factories.goal(other, "A goal of engagement B")
    other.enter_stage(Stage.get(Stage.key == "exploration"), dt.date(2026, 1, 5))
    demo.other_benchmark = Benchmark.select().where(Benchmark.engagement == other).first()
    demo.c1 = competency("p20_co_learning")
    demo.c2 = competency("p20_brokering")
    demo.c3 = competency("p20_co_design")
    demo.s1 = strategy("audit_and_provide_feedback")
    demo.s2 = strategy("assess_readiness_barriers_facilitators")
    demo.principle = Principle.select().order_by(Principle.position).first()
    return demo


def full_data(w, **overrides):
    """A monthly meeting as a co-lead would log it; override or drop (None) any field."""
    data = {
        "date": DAY.isoformat(),
        "kind": "monthly",
        "mode": "in_person",
        "duration_minutes": "90",
        "team_members": [str(w.alex.id), str(w.sam.id)],
        "isps": [str(w.isp_a1.id)],
        "competencies": [str(w.c1.id), str(w.c2.id)],
        "strategies": [str(w.s1.id)],
        "principles": [str(w.principle.id)],
        "goal_changes-0-goal_id": str(w.goal.id),
        "goal_changes-0-status": "in_progress",
        "goal_changes-0-note": "Drafting has started",
        "goal_changes-1-goal_id": str(w.goal2.id),
        "goal_changes-1-status": "",
        "goal_changes-1-note": "",
        "benchmarks": [str(w.benchmark.id)],
        "notes": "Walked through the fidelity checklist together.",
        "next_steps-0-text": "Draft the core components",
        "next_steps-0-owner": "Alex",
        "next_steps-0-due_on": (DAY + dt.timedelta(days=20)).isoformat(),
        "next_steps-1-text": "",
        "next_steps-1-owner": "",
        "next_steps-1-due_on": "",
        "next_steps-7-text": "Book the next monthly meeting",
        "next_steps-7-owner": "",
        "next_steps-7-due_on": "",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def counts():
    return {
        "meetings": Meeting.select().count(),
        "competencies": MeetingCompetency.select().count(),
        "strategies": MeetingStrategy.select().count(),
        "attendees": MeetingAttendee.select().count(),
        "goal_changes": GoalStatusChange.select().count(),
        "next_steps": NextStep.select().count(),
        "benchmarks_done": Benchmark.select().where(Benchmark.completed_on.is_null(False)).count(),
    }


def timeline(client, e):
    """The meetings part of the engagement page (the page also has an activity feed quoting old values)."""
    html = client.get(f"/engagements/{e.id}").get_data(as_text=True)
    start = html.index('id="meetings-h"')
    return html[start : html.index("</section>", start)]


def error_next_to(html, error_id, message):
    """The message is in the error paragraph of that field."""
    match = re.search(rf'<p class="error" id="{re.escape(error_id)}">([^<]*)</p>', html)
    assert match, f"no error shown for {error_id}"
    assert message in match.group(1), match.group(1)


# --- logging ---------------------------------------------------------------------------------------


def test_form_offers_what_the_engagement_has(w, as_user):
    client = as_user(w.isp_a1)
    response = client.get(new_url(w.engagement_a))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Log a meeting</h1>" in html
    assert re.search(r'<input [^>]*autofocus[^>]*name="date"[^>]*value="' + dt.date.today().isoformat(), html)
    assert re.search(r'<input checked[^>]*value="monthly"', html)
    assert re.search(r'name="duration_minutes"[^>]*value="90"', html)
    # attendees: current team members and the engagement's ISPs; not a former member, not another team
    assert "Alex Rivera" in html and "Sam Okafor" in html and "Ada ISP" in html and "Ben ISP" in html
    assert "Gil Former" not in html and "Olu Elsewhere" not in html
    # competencies of the default framework, grouped by domain, with their help text
    assert "Co-creation and engagement" in html and "Sustaining change" in html
    assert w.c1.name in html and w.c1.help in html
    assert competency("s21_co_learning").help not in html
    # strategies grouped by cluster (no "recently used" yet), principles tucked in a <details>
    assert w.s1.name in html and "Use evaluative and iterative strategies" in html
    assert "Recently used here" not in html
    assert '<details class="principles"' in html and w.principle.name in html
    # goals with a status select, open benchmarks of the current stage
    assert "Core components written down" in html and 'name="goal_changes-0-status"' in html
    assert w.benchmark.text in html and "(current stage)" in html
    assert f'id="benchmarks-{w.benchmark.id}"' in html and f'id="benchmarks-{w.other_benchmark.id}"' not in html
    # three next-step rows, the script (no inline script), the save button last
    assert 'name="next_steps-2-text"' in html and 'name="next_steps-3-text"' not in html
    assert 'src="/static/js/meeting-form.js" defer' in html and "<script>" not in html
    assert 'id="add-next-step" hidden' in html and '<div class="strategy-filter" hidden>' in html
    assert html.rindex('type="submit" class="button primary"') > html.rindex('name="next_steps-2-due_on"')


def test_kind_and_framework_from_the_query_string(w, as_user):
    client = as_user(w.isp_a1)
    html = client.get(new_url(w.engagement_a, kind="coaching")).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="coaching"|value="coaching"[^>]*checked', html)
    assert re.search(r'name="duration_minutes"[^>]*value="45"|value="45"[^>]*name="duration_minutes"', html)
    alt = CompetencyFramework.select().where(~CompetencyFramework.is_default).first()
    html = client.get(new_url(w.engagement_a, framework=alt.key)).get_data(as_text=True)
    assert competency("s21_co_learning").help in html
    assert w.c1.help not in html


def test_isp_co_lead_logs_a_meeting_with_everything(w, as_user):
    e = w.engagement_a
    client = as_user(w.isp_a1)
    response = post_form(client, new_url(e), full_data(w))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/engagements/{e.id}#meetings-h")

    meeting = Meeting.get()
    assert (meeting.engagement_id, meeting.date, meeting.kind, meeting.mode, meeting.duration_minutes) == (
        e.id,
        DAY,
        "monthly",
        "in_person",
        90,
    )
    assert meeting.notes == "Walked through the fidelity checklist together."
    assert meeting.logged_by_id == w.isp_a1.id
    attendees = list(MeetingAttendee.select().where(MeetingAttendee.meeting == meeting))
    assert sorted(a.team_member_id for a in attendees if a.team_member_id) == sorted([w.alex.id, w.sam.id])
    assert [a.user_id for a in attendees if a.user_id] == [w.isp_a1.id]
    links = {(c.competency_id, c.label) for c in MeetingCompetency.select().where(MeetingCompetency.meeting == meeting)}
    assert links == {(w.c1.id, w.c1.name), (w.c2.id, w.c2.name)}
    assert [(s.strategy_id, s.label) for s in MeetingStrategy.select()] == [(w.s1.id, w.s1.name)]
    assert [p.principle_id for p in MeetingPrinciple.select()] == [w.principle.id]
    change = GoalStatusChange.get(GoalStatusChange.meeting_id == meeting.id)
    assert (change.goal_id, change.status, change.changed_on, change.note, change.changed_by_id) == (
        w.goal.id,
        "in_progress",
        DAY,
        "Drafting has started",
        w.isp_a1.id,
    )
    assert Goal.get_by_id(w.goal.id).status == "in_progress"
    assert Goal.get_by_id(w.goal2.id).status == "not_started"  # "no change" changes nothing
    benchmark = Benchmark.get_by_id(w.benchmark.id)
    assert (benchmark.completed_on, benchmark.completed_in_meeting_id) == (DAY, meeting.id)
    steps = list(NextStep.select().where(NextStep.meeting == meeting).order_by(NextStep.id))
    assert [(s.text, s.owner, s.due_on) for s in steps] == [
        ("Draft the core components", "Alex", DAY + dt.timedelta(days=20)),
        ("Book the next monthly meeting", "", None),
    ]  # the blank row is ignored
    assert AuditEntry.select().where((AuditEntry.entity == "Meeting") & (AuditEntry.action == "create")).count() == 1

    page = client.get(f"/engagements/{e.id}")
    html = page.get_data(as_text=True)
    assert f"Monthly team meeting of {shown(DAY)} logged." in html
    for text in (
        "Walked through the fidelity checklist together.",
        w.c1.name,
        w.c2.name,
        w.s1.name,
        "Draft the core components",
        "3 attending",
        meeting_url(e, meeting),
    ):
        assert text in html

    html = client.get(meeting_url(e, meeting)).get_data(as_text=True)
    for text in (
        "Monthly team meeting",
        shown(DAY),
        "Alex Rivera",
        "Sam Okafor",
        "Ada ISP",
        w.c1.name,
        w.s1.name,
        w.principle.name,
        "Core components written down",
        "Drafting has started",
        w.benchmark.text,
        "Draft the core components",
        "1 h 30 min",
        meeting_url(e, meeting, "edit"),
        meeting_url(e, meeting, "delete"),
    ):
        assert text in html, text


def test_recently_used_strategies_come_first(w, as_user):
    e = w.engagement_a
    factories.meeting(e, date=DAY, strategies=["conduct_educational_meetings"])
    html = as_user(w.isp_a1).get(new_url(e)).get_data(as_text=True)
    recent = html.index("Recently used here")
    name = strategy("conduct_educational_meetings").name
    assert recent < html.index(name) < html.index("Use evaluative and iterative strategies")
    assert html.count(f'value="{strategy("conduct_educational_meetings").id}"') == 1  # listed once


def test_engagement_page_links_for_editors_only(w, as_user):
    e = w.engagement_a
    m = factories.meeting(e, date=DAY, notes="Planning the pilot")
    html = as_user(w.isp_a1).get(f"/engagements/{e.id}").get_data(as_text=True)
    assert "Log a monthly meeting" in html and "Log another session" in html
    assert meeting_url(e, m) in html and meeting_url(e, m, "edit") in html
    html = as_user(w.recipient_a).get(f"/engagements/{e.id}").get_data(as_text=True)
    assert "Planning the pilot" in html and meeting_url(e, m) in html
    assert "Log a monthly meeting" not in html and meeting_url(e, m, "edit") not in html
    page = as_user(w.recipient_a).get(meeting_url(e, m))
    assert page.status_code == 200 and "Planning the pilot" in page.get_data(as_text=True)
    assert meeting_url(e, m, "edit") not in page.get_data(as_text=True)


# --- editing ----------------------------------------------------------------------------------------


def test_edit_changes_links_without_duplicates_and_keeps_history(w, as_user):
    e = w.engagement_a
    client = as_user(w.isp_a1)
    assert post_form(client, new_url(e), full_data(w)).status_code == 302
    meeting = Meeting.get()
    step = NextStep.get(NextStep.text == "Draft the core components")
    step.done_on = DAY + dt.timedelta(days=3)
    step.save()

    edit_url = meeting_url(e, meeting, "edit")
    html = client.get(edit_url).get_data(as_text=True)
    assert "Drafting has started" in html and "(recorded in this meeting)" in html  # shown as done
    assert "completed in this meeting" in html
    assert 'value="Draft the core components"' in html and f'value="{step.id}"' in html
    assert re.search(rf'value="{w.c1.id}"\s+id="competencies-{w.c1.id}" checked', html)

    later = DAY + dt.timedelta(days=1)
    data = {
        "date": later.isoformat(),
        "kind": "monthly",
        "mode": "virtual",
        "duration_minutes": "75",
        "team_members": [str(w.alex.id)],
        "isps": [str(w.isp_a1.id), str(w.isp_a2.id)],
        "competencies": [str(w.c2.id), str(w.c3.id)],
        "strategies": [str(w.s1.id), str(w.s2.id)],
        "goal_changes-0-goal_id": str(w.goal2.id),
        "goal_changes-0-status": "",
        "goal_changes-0-note": "",
        "notes": "Edited notes",
        "next_steps-0-step_id": str(step.id),
        "next_steps-0-text": "Draft the core components (v2)",
        "next_steps-0-owner": "Alex",
        "next_steps-0-due_on": "",
    }
    response = post_form(client, edit_url, data)
    assert response.status_code == 302
    meeting = Meeting.get_by_id(meeting.id)
    assert (meeting.date, meeting.mode, meeting.duration_minutes, meeting.notes) == (
        later,
        "virtual",
        75,
        "Edited notes",
    )
    assert sorted(c.competency_id for c in MeetingCompetency.select()) == sorted([w.c2.id, w.c3.id])
    assert sorted(s.strategy_id for s in MeetingStrategy.select()) == sorted([w.s1.id, w.s2.id])
    assert MeetingPrinciple.select().count() == 0
    assert {(a.team_member_id, a.user_id) for a in MeetingAttendee.select()} == {
        (w.alex.id, None),
        (None, w.isp_a1.id),
        (None, w.isp_a2.id),
    }
    assert MeetingAttendee.select().count() == 3
    # the goal change of the meeting stays (not re-applied), and follows the meeting's date
    changes = list(GoalStatusChange.select().where(GoalStatusChange.meeting_id == meeting.id))
    assert [(c.goal_id, c.status, c.changed_on) for c in changes] == [(w.goal.id, "in_progress", later)]
    assert Benchmark.get_by_id(w.benchmark.id).completed_on == later
    # the kept next step keeps its done date; the dropped one is gone (soft-deleted: restorable)
    steps = list(NextStep.live().where(NextStep.meeting == meeting))
    assert [(s.id, s.text, s.done_on) for s in steps] == [(step.id, "Draft the core components (v2)", step.done_on)]
    entry = (
        AuditEntry.select()
        .where(
            (AuditEntry.entity == "Meeting")
            & (AuditEntry.action == "update")
            & (AuditEntry.changes.contains("competencies"))
        )
        .get()
    )
    assert entry.change_map["competencies"] == [sorted([w.c1.id, w.c2.id]), sorted([w.c2.id, w.c3.id])]
    assert entry.user_id == w.isp_a1.id

    # saving the same form again changes nothing and duplicates nothing
    before = counts()
    assert post_form(client, edit_url, data).status_code == 302
    assert counts() == before

    html = timeline(client, e)
    assert "Edited notes" in html and w.c3.name in html and "Walked through" not in html


def test_edit_can_record_a_new_goal_change(w, as_user):
    e = w.engagement_a
    meeting = factories.meeting(e, date=DAY)
    client = as_user(w.isp_a2)
    html = client.get(meeting_url(e, meeting, "edit")).get_data(as_text=True)
    assert 'name="goal_changes-1-status"' in html
    data = {
        "date": DAY.isoformat(),
        "kind": "planning",
        "mode": "virtual",
        "duration_minutes": "30",
        "goal_changes-0-goal_id": str(w.goal.id),
        "goal_changes-0-status": "achieved",
        "goal_changes-0-reason": "as_planned",  # issue 23: achieving a goal says why
        "goal_changes-0-note": "Done",
    }
    assert post_form(client, meeting_url(e, meeting, "edit"), data).status_code == 302
    assert Goal.get_by_id(w.goal.id).status == "achieved"
    assert GoalStatusChange.get(GoalStatusChange.meeting_id == meeting.id).note == "Done"


# --- deleting and restoring -----------------------------------------------------------------------


def test_delete_asks_first_then_soft_deletes_and_admin_restores(w, as_user):
    e = w.engagement_a
    m = factories.meeting(e, date=DAY, notes="A session to remove")
    isp = as_user(w.isp_a1)
    page = isp.get(meeting_url(e, m, "delete"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Delete this meeting?" in html and shown(DAY) in html
    assert Meeting.get_by_id(m.id).deleted_at is None  # GET changes nothing

    response = post_form(isp, meeting_url(e, m, "delete"), {})
    assert response.status_code == 302 and response.headers["Location"].endswith("#meetings-h")
    assert Meeting.get_by_id(m.id).deleted_at is not None
    assert (
        AuditEntry.select()
        .where((AuditEntry.entity == "Meeting") & (AuditEntry.entity_id == m.id) & (AuditEntry.action == "delete"))
        .count()
        == 1
    )
    html = timeline(isp, e)
    assert "A session to remove" not in html and meeting_url(e, m) not in html
    assert isp.get(meeting_url(e, m)).status_code == 404

    # an ISP of the engagement may not see or use the deleted list
    assert isp.get(f"/engagements/{e.id}/meetings/deleted").status_code == 403
    assert post_form(isp, meeting_url(e, m, "restore"), {}, token_from=f"/engagements/{e.id}").status_code == 403
    assert Meeting.get_by_id(m.id).deleted_at is not None

    admin = as_user(w.admin)
    html = admin.get(f"/engagements/{e.id}").get_data(as_text=True)
    assert f"/engagements/{e.id}/meetings/deleted" in html
    html = admin.get(f"/engagements/{e.id}/meetings/deleted").get_data(as_text=True)
    assert shown(DAY) in html and meeting_url(e, m, "restore") in html and "Restore" in html
    response = post_form(admin, meeting_url(e, m, "restore"), {}, token_from=f"/engagements/{e.id}/meetings/deleted")
    assert response.status_code == 302
    assert Meeting.get_by_id(m.id).deleted_at is None
    assert AuditEntry.select().where((AuditEntry.entity == "Meeting") & (AuditEntry.action == "restore")).count() == 1
    assert "A session to remove" in timeline(admin, e)


def test_delete_and_restore_need_csrf(w, as_user):
    e = w.engagement_a
    m = factories.meeting(e, date=DAY)
    assert as_user(w.isp_a1).post(meeting_url(e, m, "delete")).status_code == 400
    assert Meeting.get_by_id(m.id).deleted_at is None
    m.soft_delete()
    assert as_user(w.admin).post(meeting_url(e, m, "restore")).status_code == 400
    assert Meeting.get_by_id(m.id).deleted_at is not None


# --- refused input -----------------------------------------------------------------------------------

INVALID = {
    "missing date": ({"date": ""}, "date-error", "Enter the date of the meeting."),
    "no date at all": ({"date": None}, "date-error", "Enter the date of the meeting."),
    "bad date": ({"date": "2026-02-31"}, "date-error", "Enter a date as YYYY-MM-DD."),
    "future date": (
        {"date": (dt.date.today() + dt.timedelta(days=3)).isoformat()},
        "date-error",
        "and today (",
    ),
    "duration 0": ({"duration_minutes": "0"}, "duration_minutes-error", "Enter between 1 and 960 minutes."),
    "duration 10000": ({"duration_minutes": "10000"}, "duration_minutes-error", "Enter between 1 and 960 minutes."),
    "duration abc": ({"duration_minutes": "abc"}, "duration_minutes-error", "Enter a whole number of minutes."),
    "unknown kind": ({"kind": "party"}, "kind-error", "Not a valid choice"),
    "unknown competency": ({"competencies": ["999999"]}, "competencies-error", "not available here"),
    "unknown strategy": ({"strategies": ["999999"]}, "strategies-error", "not available here"),
    "goal of another engagement": (
        {"goal_changes-0-goal_id": "OTHER_GOAL"},
        "goal_changes-error",
        "not a goal of this engagement",
    ),
    "bad goal status": ({"goal_changes-0-status": "finished"}, "goal_changes-0-status-error", "Not a valid choice"),
    "team member of another engagement": (
        {"team_members": ["OTHER_MEMBER"]},
        "team_members-error",
        "not available here",
    ),
    "benchmark of another engagement": ({"benchmarks": ["OTHER_BENCHMARK"]}, "benchmarks-error", "not available here"),
    "next step with owner but no text": (
        {"next_steps-1-owner": "Sam"},
        "next_steps-1-text-error",
        "Describe the next step",
    ),
    "next step with due date but no text": (
        {"next_steps-1-due_on": DAY.isoformat()},
        "next_steps-1-text-error",
        "Describe the next step",
    ),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_input_is_refused_and_kept(w, as_user, case):
    overrides, error_id, message = INVALID[case]
    swap = {
        "OTHER_GOAL": str(w.other_goal.id),
        "OTHER_MEMBER": str(w.other_member.id),
        "OTHER_BENCHMARK": str(w.other_benchmark.id),
    }
    overrides = {
        k: ([swap.get(x, x) for x in v] if isinstance(v, list) else swap.get(v, v)) for k, v in overrides.items()
    }
    client = as_user(w.isp_a1)
    before = counts()
    goal_status = Goal.get_by_id(w.goal.id).status
    response = post_form(client, new_url(w.engagement_a), full_data(w, **overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 400, case
    error_next_to(html, error_id, message)
    # what was typed is still there
    assert "Walked through the fidelity checklist together.</textarea>" in html
    assert 'value="Draft the core components"' in html
    assert re.search(rf'value="{w.c1.id}"\s+id="competencies-{w.c1.id}" checked', html) or case == "unknown competency"
    assert "Nothing was saved" in html
    # nothing written
    assert counts() == before
    assert Goal.get_by_id(w.goal.id).status == goal_status


def test_service_checks_ids_against_the_engagement(w):
    """The form offers only this engagement's rows; the service refuses the others on its own too."""
    e = w.engagement_a
    base = {"date": DAY, "kind": "monthly", "mode": "in_person", "duration_minutes": 60, "notes": "x"}
    cases = {
        "team_members": {"team_members": [w.other_member.id]},
        "isps": {"isps": [w.isp_b.id]},
        "competencies": {"competencies": [999999]},
        "strategies": {"strategies": [999999]},
        "benchmarks": {"benchmarks": [w.other_benchmark.id]},
        "goal_changes": {"goal_changes": [{"goal_id": w.other_goal.id, "status": "achieved", "note": ""}]},
        "next_steps-0-text": {"next_steps": [{"text": "", "owner": "Sam", "due_on": None}]},
        "duration_minutes": {"duration_minutes": 0},
    }
    before = counts()
    for field, extra in cases.items():
        with pytest.raises(ValidationError) as info:
            service.log_meeting(e, {**base, "competencies": [w.c1.id], **extra}, w.isp_a1)
        assert field in info.value.errors, (field, info.value.errors)
        assert counts() == before
    done = Benchmark.get_by_id(w.benchmark.id)
    done.completed_on = DAY
    done.save()
    with pytest.raises(ValidationError) as info:
        service.log_meeting(e, dict(base, benchmarks=[done.id]), w.isp_a1)
    assert "already completed" in info.value.errors["benchmarks"]


def test_missing_csrf_is_refused(w, as_user):
    client = as_user(w.isp_a1)
    before = counts()
    response = client.post(new_url(w.engagement_a), data=full_data(w))
    assert response.status_code == 400
    data = dict(full_data(w), csrf_token="forged")
    assert client.post(new_url(w.engagement_a), data=data).status_code == 400
    assert counts() == before


# --- access -----------------------------------------------------------------------------------------


def test_access_to_the_form(w, as_user, client):
    a, b = w.engagement_a, w.engagement_b
    m = factories.meeting(a, date=DAY)
    cases = [
        (w.recipient_a, a, 403),
        (w.recipient_a, b, 404),
        (w.isp_none, a, 404),
        (w.isp_b, a, 404),
        (w.leader_foundation, a, 403),
        (w.leader_all, a, 403),
        (w.leader_other, a, 404),
    ]
    for user, e, status in cases:
        c = as_user(user)
        assert c.get(new_url(e)).status_code == status, (user.email, e.title)
        assert c.post(new_url(e), data=full_data(w)).status_code == status, (user.email, e.title)
        if e is a:
            assert c.get(meeting_url(a, m, "edit")).status_code == status
            assert c.get(meeting_url(a, m, "delete")).status_code == status
            assert c.post(meeting_url(a, m, "delete")).status_code == status
    assert Meeting.select().count() == 1 and Meeting.get_by_id(m.id).deleted_at is None
    # readers see the meeting page; outsiders get 404
    assert as_user(w.recipient_a).get(meeting_url(a, m)).status_code == 200
    assert as_user(w.leader_foundation).get(meeting_url(a, m)).status_code == 200
    assert as_user(w.isp_none).get(meeting_url(a, m)).status_code == 404
    assert as_user(w.recipient_b).get(meeting_url(a, m)).status_code == 404
    # a meeting of another engagement is not reachable through this one
    assert as_user(w.isp_a2).get(meeting_url(b, m)).status_code == 404
    assert as_user(w.isp_a2).get(meeting_url(b, m, "edit")).status_code == 404
    # anonymous: sign in first
    for url in (new_url(a), meeting_url(a, m), meeting_url(a, m, "edit"), f"/engagements/{a.id}/meetings/deleted"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    # the supporting co-lead of both may log on either; a team page link for the admin list
    assert as_user(w.isp_a2).get(new_url(b)).status_code == 200
    assert as_user(w.admin).get(new_url(a)).status_code == 200
    assert as_user(w.recipient_a).get(f"/engagements/{a.id}/meetings/deleted").status_code == 403
    assert as_user(w.isp_none).get(f"/engagements/{a.id}/meetings/deleted").status_code == 404


# --- query counts -------------------------------------------------------------------------------------


def _grow(w, start, n):
    e = w.engagement_a
    comps = ["p20_co_learning", "p20_brokering", "p20_co_design"]
    strats = ["audit_and_provide_feedback", "assess_readiness_barriers_facilitators", "conduct_educational_meetings"]
    for i in range(start, start + n):
        m = factories.meeting(
            e,
            date=DAY - dt.timedelta(days=i),
            competencies=comps[: 1 + i % 3],
            strategies=strats[: 1 + (i + 1) % 3],
            notes=f"Meeting {i}",
        )
        MeetingAttendee.create(meeting=m, team_member=w.alex)
        MeetingAttendee.create(meeting=m, user=w.isp_a1)
        NextStep.create(meeting=m, text=f"Step {i}", owner="Alex", due_on=DAY)
        g = factories.goal(e, f"Goal {i}")
        g.change_status("in_progress", DAY, "moving", meeting=m)
        factories.team_member(e, f"Member {i}")


def _queries(client, url):
    client.get(url)  # warm up (session, first-request work)
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_query_counts_do_not_grow_with_data(w, as_user):
    e = w.engagement_a
    client = as_user(w.isp_a1)
    _grow(w, 0, 3)
    pages = [new_url(e), f"/engagements/{e.id}"]
    small = [_queries(client, url) for url in pages]
    m = Meeting.select().where(Meeting.engagement == e).first()
    small += [_queries(client, meeting_url(e, m, "edit")), _queries(client, meeting_url(e, m))]
    _grow(w, 3, 27)
    assert Meeting.select().where(Meeting.engagement == e).count() == 30
    large = [_queries(client, url) for url in pages]
    large += [_queries(client, meeting_url(e, m, "edit")), _queries(client, meeting_url(e, m))]
    assert small == large, (small, large)
    html = client.get(f"/engagements/{e.id}?meetings_page=3").get_data(as_text=True)  # the oldest ten
    assert "Meeting 29" in html and "Step 29" in html


# --- at a glance (issue 18): the error summary, the unsaved-changes warning, switching framework, the kind --


def error_summary(html):
    match = re.search(r'<div class="error-summary" role="alert" tabindex="-1"[^>]*>(.*?)</div>', html, re.S)
    assert match, "no error summary"
    return match.group(1)


@pytest.mark.parametrize("case", list(INVALID))
def test_error_summary_links_each_message_to_its_field(w, as_user, case):
    overrides, error_id, message = INVALID[case]
    swap = {"OTHER_GOAL": w.other_goal.id, "OTHER_MEMBER": w.other_member.id, "OTHER_BENCHMARK": w.other_benchmark.id}
    overrides = {
        k: ([str(swap.get(x, x)) for x in v] if isinstance(v, list) else v if v is None else str(swap.get(v, v)))
        for k, v in overrides.items()
    }
    html = post_form(as_user(w.isp_a1), new_url(w.engagement_a), full_data(w, **overrides)).get_data(as_text=True)
    summary = error_summary(html)
    assert '<h2 id="error-summary-title">There is a problem</h2>' in summary and "Nothing was saved" in summary
    links = re.findall(r'<li><a href="#([^"]+)">([^<]*)</a></li>', summary)
    assert any(message in text for _target, text in links), links
    for target, _text in links:
        assert f'id="{target}"' in html.replace(summary, ""), f"the summary links to #{target}, not on the page"
    assert html.index("error-summary") < html.index('<form method="post" class="meeting-form"')  # at the top


def test_error_summary_lists_every_invalid_field_in_form_order(w, as_user):
    data = full_data(w, date="", kind=None, duration_minutes="0", **{"next_steps-1-owner": "Sam"})
    html = post_form(as_user(w.isp_a1), new_url(w.engagement_a), data).get_data(as_text=True)
    links = re.findall(r'<li><a href="#([^"]+)">([^<]*)</a></li>', error_summary(html))
    assert [target for target, _ in links] == ["date", "kind-0", "duration_minutes", "next_steps-1-text"]
    assert links[0][1] == "Enter the date of the meeting."
    assert links[1][1] == "Choose the kind of meeting."
    assert links[3][1].startswith("Next step 2: Describe the next step")
    assert 'id="kind-0"' in html and 'id="next_steps-1-text"' in html
    assert "autofocus" not in html  # the focus goes to the summary, not to the date


def test_a_fresh_form_has_no_summary_and_warns_only_once_something_is_typed(w, as_user):
    client = as_user(w.isp_a1)
    html = client.get(new_url(w.engagement_a)).get_data(as_text=True)
    assert "error-summary" not in html
    assert re.search(r'<form method="post" class="meeting-form" id="meeting-form" data-warn-unsaved>', html)
    assert 'src="/static/js/form-care.js" defer' in html
    # a refused form holds values that are not saved: leaving it warns even before anything is changed again
    html = post_form(client, new_url(w.engagement_a), full_data(w, date="")).get_data(as_text=True)
    assert "data-warn-unsaved data-unsaved" in html


def test_switching_framework_keeps_everything_typed_and_ticked(w, as_user):
    e = w.engagement_a
    client = as_user(w.isp_a1)
    alt = CompetencyFramework.select().where(~CompetencyFramework.is_default).first()
    html = client.get(new_url(e, kind="coaching")).get_data(as_text=True)
    assert re.search(
        rf'<button type="submit" class="as-link" name="switch_framework" value="{alt.key}" formnovalidate', html
    )
    assert f'formaction="/engagements/{e.id}/meetings/new?kind=coaching#competencies-h"' in html
    before = counts()

    data = full_data(w, kind="coaching", switch_framework=alt.key)
    response = post_form(client, new_url(e, kind="coaching"), data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and counts() == before  # nothing saved, nothing refused
    assert "error-summary" not in html and "Now showing the" in html
    assert competency("s21_co_learning").help in html  # the other framework's competencies
    assert f'<input type="hidden" name="framework" value="{alt.key}">' in html
    # everything typed and ticked is still there, the default framework's ticks included
    assert "Walked through the fidelity checklist together.</textarea>" in html
    assert 'value="Draft the core components"' in html and 'value="Book the next monthly meeting"' in html
    assert re.search(r'<input[^>]*checked[^>]*value="coaching"|value="coaching"[^>]*checked', html)
    assert "Ticked in another framework" in html
    for ticked in (w.c1, w.c2):
        assert f'value="{ticked.id}" id="competencies-{ticked.id}" checked' in html
    assert f'value="{w.alex.id}" id="team_members-{w.alex.id}" checked' in html
    assert f'value="{w.s1.id}" id="strategies-{w.s1.id}" checked' in html
    assert "autofocus" not in html.split('name="date"')[0].rsplit("<input", 1)[-1]  # opens at the competencies
    assert "data-warn-unsaved data-unsaved" in html

    # saving now keeps the ticks of both frameworks
    other = competency("s21_co_learning")
    data = full_data(w, kind="coaching", framework=alt.key, competencies=[str(w.c1.id), str(other.id)])
    response = post_form(client, new_url(e, kind="coaching"), data)
    assert response.status_code == 302
    meeting = Meeting.select().order_by(Meeting.id.desc()).first()
    assert {c.competency_id for c in MeetingCompetency.select().where(MeetingCompetency.meeting == meeting)} == {
        w.c1.id,
        other.id,
    }


def test_the_confirmation_names_the_kind_and_the_next_session_offers_it_again(w, as_user):
    e = w.engagement_a
    client = as_user(w.isp_a1)
    response = post_form(client, new_url(e, kind="coaching"), full_data(w, kind="coaching"))
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'<p class="flash flash-success">Coaching session of {shown(DAY)} logged.</p>' in html
    assert f'href="/engagements/{e.id}/meetings/new?kind=coaching">Log another session' in html
    form = client.get(new_url(e, kind="coaching")).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="coaching"|value="coaching"[^>]*checked', form)
