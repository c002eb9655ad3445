"""Model rules: validation with clear, per-field errors, the engagement's stages and goals, the audit
log and soft delete, derived values, and history that catalog edits never rewrite."""

import datetime as dt

import flask_login
import pytest

from tracker.audit import acting_as
from tracker.models import (
    MAX_MEETING_MINUTES,
    AuditEntry,
    Benchmark,
    BenchmarkTemplate,
    Competency,
    Engagement,
    EngagementISP,
    Goal,
    GoalStatusChange,
    Meeting,
    MeetingCompetency,
    Stage,
    StageEntry,
    Unit,
    User,
    ValidationError,
)

from . import factories

START = dt.date(2026, 1, 5)


def errors_of(make):
    """Run `make()`, expecting a ValidationError; return its errors dict."""
    with pytest.raises(ValidationError) as info:
        make()
    assert isinstance(info.value.errors, dict) and info.value.errors
    for field, message in info.value.errors.items():
        assert isinstance(message, str) and message.strip(), field
    return info.value.errors


def stage(key):
    return Stage.get(Stage.key == key)


# --- engagements ------------------------------------------------------------------------------


def test_engagement_needs_a_unit(app):
    errors = errors_of(lambda: Engagement.create(title="No unit", start_date=START))
    assert "unit" in errors
    assert Engagement.select().count() == 0


def test_engagement_needs_a_title(app):
    unit = factories.unit()
    assert "title" in errors_of(lambda: Engagement.create(unit=unit, start_date=START))
    assert "title" in errors_of(lambda: Engagement.create(unit=unit, title="   ", start_date=START))
    assert Engagement.select().count() == 0


def test_engagement_needs_a_start_date(app):
    unit = factories.unit()
    assert "start_date" in errors_of(lambda: Engagement.create(unit=unit, title="No start"))


def test_engagement_end_cannot_be_before_start(app):
    unit = factories.unit()
    errors = errors_of(
        lambda: Engagement.create(unit=unit, title="Backwards", start_date=START, end_date=START - dt.timedelta(days=1))
    )
    assert list(errors) == ["end_date"]
    same_day = Engagement.create(unit=unit, title="One day", start_date=START, end_date=START)
    assert same_day.id


def test_engagement_errors_are_all_reported_together(app):
    errors = errors_of(lambda: Engagement.create())
    assert {"unit", "title", "start_date"} <= set(errors)


def test_engagement_status_must_be_a_known_one(app):
    unit = factories.unit()
    assert "status" in errors_of(lambda: Engagement.create(unit=unit, title="x", start_date=START, status="finished"))


def test_closing_an_engagement_requires_a_closing_summary(app):
    engagement = factories.engagement(title="To close")
    engagement.status = "closed"
    engagement.end_date = dt.date(2026, 12, 1)
    assert list(errors_of(engagement.save)) == ["closing_summary"]
    assert Engagement.get_by_id(engagement.id).status == "active"

    engagement.closing_summary = "   "
    assert "closing_summary" in errors_of(engagement.save)

    engagement.closing_summary = "Core components written and handed over."
    engagement.save()
    assert Engagement.get_by_id(engagement.id).status == "closed"


def test_engagement_length_limited_or_high(app):
    unit = factories.unit()
    six_months = Engagement.create(unit=unit, title="Six", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 7, 1))
    assert six_months.engagement_length == "limited"
    assert "Limited" in six_months.engagement_length_label
    just_under = Engagement.create(
        unit=unit, title="Under", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 15)
    )
    assert just_under.engagement_length == "limited"
    year = Engagement.create(unit=unit, title="Year", start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 1, 2))
    assert year.engagement_length == "high"
    assert "High" in year.engagement_length_label
    two_years = Engagement.create(unit=unit, title="Two", start_date=dt.date(2024, 3, 1), end_date=dt.date(2026, 3, 1))
    assert two_years.engagement_length == "high"
    assert 23.5 < two_years.length_months < 24.5


def test_open_engagement_length_runs_to_today(app):
    unit = factories.unit()
    today = dt.date.today()
    running_long = Engagement.create(unit=unit, title="Long", start_date=today - dt.timedelta(days=400))
    running_short = Engagement.create(unit=unit, title="Short", start_date=today - dt.timedelta(days=60))
    assert running_long.engagement_length == "high"
    assert running_short.engagement_length == "limited"


# --- ISPs on an engagement --------------------------------------------------------------------


def test_set_isps_needs_two_different_co_leads(app):
    a, b = factories.user("isp"), factories.user("isp")
    engagement = factories.engagement(co_leads=[a, b])
    c = factories.user("isp")
    assert "co_lead_ids" in errors_of(lambda: engagement.set_isps([c.id]))
    assert "co_lead_ids" in errors_of(lambda: engagement.set_isps([c.id, c.id]))
    assert "co_lead_ids" in errors_of(lambda: engagement.set_isps([a.id, b.id, c.id]))
    # the refusals left the engagement as it was
    assert {
        (link.user_id, link.role) for link in EngagementISP.select().where(EngagementISP.engagement == engagement)
    } == {(a.id, "co_lead"), (b.id, "co_lead")}


def test_set_isps_refuses_users_who_are_not_isps(app):
    a, b = factories.user("isp"), factories.user("isp")
    engagement = factories.engagement(co_leads=[a, b])
    leader = factories.user("leader")
    recipient = factories.user("recipient", unit=factories.unit())
    assert "co_lead_ids" in errors_of(lambda: engagement.set_isps([a.id, leader.id]))
    assert "supporting_ids" in errors_of(lambda: engagement.set_isps([a.id, b.id], [recipient.id]))
    assert "co_lead_ids" in errors_of(lambda: engagement.set_isps([a.id, 999999]))
    assert {link.user_id for link in EngagementISP.select().where(EngagementISP.engagement == engagement)} == {
        a.id,
        b.id,
    }


def test_set_isps_replaces_the_team_with_co_leads_first(app):
    a, b, c, d = (factories.user("isp", name=n) for n in ("Ann", "Bea", "Cas", "Dan"))
    engagement = factories.engagement(co_leads=[a, b])
    assert "supporting_ids" in errors_of(lambda: engagement.set_isps([c.id, d.id], [a.id, c.id]))  # c co-leads
    engagement.set_isps([c.id, d.id], [a.id])
    links = engagement.isps()
    assert [(link.user.name, link.role) for link in links] == [
        ("Cas", "co_lead"),
        ("Dan", "co_lead"),
        ("Ann", "supporting"),
    ]


# --- stages and benchmarks --------------------------------------------------------------------


def _benchmarks(engagement, stage_):
    return list(
        Benchmark.select()
        .where((Benchmark.engagement == engagement) & (Benchmark.stage == stage_))
        .order_by(Benchmark.position)
    )


def test_enter_stage_adds_the_stage_benchmarks_once(app):
    engagement = factories.engagement()
    exploration, installation = stage("exploration"), stage("installation")
    templates = list(
        BenchmarkTemplate.select().where(BenchmarkTemplate.stage == exploration).order_by(BenchmarkTemplate.position)
    )
    assert templates

    engagement.enter_stage(exploration, START)
    assert [b.text for b in _benchmarks(engagement, exploration)] == [t.text for t in templates]
    assert Engagement.get_by_id(engagement.id).current_stage_id == exploration.id

    engagement.enter_stage(installation, dt.date(2026, 3, 1))
    assert (
        len(_benchmarks(engagement, installation))
        == BenchmarkTemplate.select().where(BenchmarkTemplate.stage == installation).count()
    )

    engagement.enter_stage(exploration, dt.date(2026, 5, 1), note="Back to exploring: new leadership")
    assert len(_benchmarks(engagement, exploration)) == len(templates)


def test_revisiting_an_earlier_stage_keeps_history(app):
    engagement = factories.engagement()
    engagement.enter_stage(stage("exploration"), START)
    engagement.enter_stage(stage("installation"), dt.date(2026, 3, 1))
    engagement.enter_stage(stage("exploration"), dt.date(2026, 5, 1), note="Funding changed")

    history = Engagement.get_by_id(engagement.id).stage_history()
    assert [(e.stage.key, e.entered_on) for e in history] == [
        ("exploration", START),
        ("installation", dt.date(2026, 3, 1)),
        ("exploration", dt.date(2026, 5, 1)),
    ]
    assert history[-1].note == "Funding changed"
    assert Engagement.get_by_id(engagement.id).current_stage.key == "exploration"


def test_checked_benchmarks_survive_a_revisit(app):
    engagement = factories.engagement()
    engagement.enter_stage(stage("exploration"), START)
    first = _benchmarks(engagement, stage("exploration"))[0]
    first.completed_on = dt.date(2026, 2, 1)
    first.save()
    engagement.enter_stage(stage("installation"), dt.date(2026, 3, 1))
    engagement.enter_stage(stage("exploration"), dt.date(2026, 5, 1))
    assert Benchmark.get_by_id(first.id).completed_on == dt.date(2026, 2, 1)


def test_enter_stage_needs_a_date(app):
    engagement = factories.engagement()
    assert "entered_on" in errors_of(lambda: engagement.enter_stage(stage("exploration"), None))
    assert StageEntry.select().where(StageEntry.engagement == engagement).count() == 0
    assert Engagement.get_by_id(engagement.id).current_stage_id is None


def test_retired_benchmark_templates_are_not_added(app):
    exploration = stage("exploration")
    retired = BenchmarkTemplate.select().where(BenchmarkTemplate.stage == exploration).first()
    retired.retired = True
    retired.save()
    engagement = factories.engagement()
    engagement.enter_stage(exploration, START)
    assert retired.text not in [b.text for b in _benchmarks(engagement, exploration)]


# --- goals ------------------------------------------------------------------------------------


def test_goal_change_status_writes_dated_history(app):
    isp = factories.user("isp")
    engagement = factories.engagement(co_leads=[isp, factories.user("isp")])
    goal = factories.goal(engagement)
    assert goal.status == "not_started"

    goal.change_status("in_progress", dt.date(2026, 2, 1), note="Kick-off held", user=isp)
    goal.change_status("achieved", dt.date(2026, 6, 1))

    assert Goal.get_by_id(goal.id).status == "achieved"
    history = list(GoalStatusChange.select().where(GoalStatusChange.goal == goal).order_by(GoalStatusChange.changed_on))
    assert [(h.status, h.changed_on, h.note) for h in history] == [
        ("in_progress", dt.date(2026, 2, 1), "Kick-off held"),
        ("achieved", dt.date(2026, 6, 1), ""),
    ]
    assert history[0].changed_by_id == isp.id


def test_goal_change_status_refuses_bad_input(app):
    goal = factories.goal(factories.engagement())
    assert "status" in errors_of(lambda: goal.change_status("finished", dt.date(2026, 2, 1)))
    assert "changed_on" in errors_of(lambda: goal.change_status("achieved", None))
    assert GoalStatusChange.select().count() == 0
    assert Goal.get_by_id(goal.id).status == "not_started"


def test_goal_needs_a_title(app):
    engagement = factories.engagement()
    assert "title" in errors_of(lambda: Goal.create(engagement=engagement, title=""))


# --- meetings ---------------------------------------------------------------------------------


def test_meeting_needs_a_date(app):
    engagement = factories.engagement()
    assert "date" in errors_of(lambda: Meeting.create(engagement=engagement))
    assert Meeting.select().count() == 0


@pytest.mark.parametrize("minutes", [0, -30, MAX_MEETING_MINUTES + 1, 24 * 60, None])
def test_meeting_duration_must_be_plausible(app, minutes):
    engagement = factories.engagement()
    errors = errors_of(lambda: Meeting.create(engagement=engagement, date=START, duration_minutes=minutes))
    assert list(errors) == ["duration_minutes"]
    assert Meeting.select().count() == 0


def test_meeting_duration_limits_are_inclusive(app):
    engagement = factories.engagement()
    assert Meeting.create(engagement=engagement, date=START, duration_minutes=1).id
    assert Meeting.create(engagement=engagement, date=START, duration_minutes=MAX_MEETING_MINUTES).id
    assert MAX_MEETING_MINUTES == 16 * 60


def test_meeting_kind_and_mode_must_be_known(app):
    engagement = factories.engagement()
    errors = errors_of(lambda: Meeting.create(engagement=engagement, date=START, kind="party", mode="telepathy"))
    assert {"kind", "mode"} <= set(errors)


# --- people and units -------------------------------------------------------------------------


def test_duplicate_email_is_refused_whatever_the_case(app):
    first = factories.user("isp", email="Ana.Lopez@Example.org")
    assert first.email == "ana.lopez@example.org"
    errors = errors_of(lambda: factories.user("leader", email="  ANA.LOPEZ@example.ORG "))
    assert "email" in errors and "ana.lopez@example.org" in errors["email"]
    assert User.select().where(User.email == "ana.lopez@example.org").count() == 1


def test_changing_email_to_an_existing_one_is_refused(app):
    factories.user("isp", email="taken@example.org")
    other = factories.user("isp", email="other@example.org")
    other.email = "Taken@example.org"
    assert "email" in errors_of(other.save)
    # saving a user again under its own email is fine
    again = User.get_by_id(other.id)
    again.name = "Renamed"
    again.save()


def test_email_must_look_like_one(app):
    assert "email" in errors_of(lambda: factories.user("isp", email="not-an-email"))
    assert "email" in errors_of(lambda: factories.user("isp", email="@example.org"))


def test_recipient_needs_a_unit(app):
    errors = errors_of(lambda: factories.user("recipient"))
    assert "unit" in errors
    assert User.select().where(User.role == "recipient").count() == 0


def test_only_recipients_belong_to_a_unit(app):
    assert "unit" in errors_of(lambda: factories.user("isp", unit=factories.unit()))


def test_unknown_role_is_refused(app):
    assert "role" in errors_of(lambda: factories.user("superuser"))


def test_unit_name_is_unique_per_organization(app):
    org, other_org = factories.organization(), factories.organization()
    factories.unit(org, "Child Welfare")
    errors = errors_of(lambda: factories.unit(org, "Child Welfare"))
    assert "name" in errors and "Child Welfare" in errors["name"]
    assert Unit.select().where(Unit.organization == org).count() == 1
    # the same name in another organization is fine
    assert factories.unit(other_org, "Child Welfare").id


def test_organization_name_is_unique(app):
    factories.organization("Same Name")
    assert "name" in errors_of(lambda: factories.organization("Same Name"))


# --- audit log and soft delete ----------------------------------------------------------------


def audit_entries(instance):
    return list(
        AuditEntry.select()
        .where((AuditEntry.entity == type(instance).__name__) & (AuditEntry.entity_id == instance.id))
        .order_by(AuditEntry.id)
    )


def test_audit_records_create_with_values(app):
    unit = factories.unit()
    engagement = Engagement.create(unit=unit, title="Audited", start_date=START)
    [entry] = audit_entries(engagement)
    assert entry.action == "create"
    assert entry.engagement_id == engagement.id
    assert entry.change_map["title"] == "Audited"
    assert entry.change_map["start_date"] == "2026-01-05"
    assert entry.change_map["unit"] == unit.id
    assert entry.user_id is None  # no request: nobody acting
    assert entry.at is not None


def test_audit_records_update_with_old_and_new_values(app):
    engagement = factories.engagement(title="Old title")
    engagement.title = "New title"
    engagement.end_date = dt.date(2026, 9, 1)
    engagement.save()
    entry = audit_entries(engagement)[-1]
    assert entry.action == "update"
    assert entry.change_map == {
        "title": ["Old title", "New title"],
        "end_date": [None, "2026-09-01"],
        "version": [1, 2],  # each update raises the version (no lost update)
    }


def test_audit_skips_saves_that_change_nothing(app):
    engagement = factories.engagement()
    before = len(audit_entries(engagement))
    same = Engagement.get_by_id(engagement.id)
    same.title = engagement.title
    same.save()
    assert len(audit_entries(engagement)) == before


def test_audit_never_records_password_or_session_token_changes(app):
    user = factories.user("isp")
    original_name = user.name
    user.set_password("a brand new password")
    user.rotate_session_token()
    user.name = "Renamed"
    user.save()
    entries = list(AuditEntry.select().where(AuditEntry.entity == "User"))
    assert [e.action for e in entries] == ["create", "update"]
    for entry in entries:
        assert "password_hash" not in entry.change_map
        assert "session_token" not in entry.change_map
        assert user.password_hash not in entry.changes
    assert entries[1].change_map == {"name": [original_name, "Renamed"], "version": [1, 2]}


def test_audit_entry_of_a_user_refers_to_the_user_by_id(app):
    """Not by get_id(), which for a User is the session token (a secret, and text in an integer column)."""
    user = factories.user("isp")
    [entry] = audit_entries(user)
    assert entry.action == "create"
    assert entry.entity_id == user.id
    assert user.session_token not in str(entry.entity_id)


def test_soft_delete_and_restore_are_audited(app):
    engagement = factories.engagement(title="Soon gone")
    engagement.soft_delete()
    assert Engagement.get_by_id(engagement.id).deleted_at is not None  # the row is kept
    assert engagement.id not in [e.id for e in Engagement.live()]
    assert audit_entries(engagement)[-1].action == "delete"

    engagement.restore()
    assert Engagement.get_by_id(engagement.id).deleted_at is None
    assert engagement.id in [e.id for e in Engagement.live()]
    assert audit_entries(engagement)[-1].action == "restore"


def test_soft_deleted_meetings_and_goals_leave_live(app):
    engagement = factories.engagement()
    meeting = factories.meeting(engagement)
    goal = factories.goal(engagement)
    meeting.soft_delete()
    goal.soft_delete()
    assert Meeting.live().where(Meeting.id == meeting.id).count() == 0
    assert Goal.live().where(Goal.id == goal.id).count() == 0
    assert Meeting.select().where(Meeting.id == meeting.id).count() == 1
    assert audit_entries(meeting)[-1].engagement_id == engagement.id


def test_audit_records_the_user_named_by_acting_as_even_in_a_request(app):
    admin = factories.user("admin")
    with app.test_request_context("/"), acting_as(admin):
        engagement = factories.engagement(title="By admin")
        engagement.title = "Renamed by admin"
        engagement.save()
    entries = audit_entries(engagement)
    assert [e.action for e in entries] == ["create", "update", "update"]  # create, set_isps, rename
    assert {e.user_id for e in entries} == {admin.id}


def test_audit_records_the_signed_in_user(app):
    isp = factories.user("isp")
    engagement = factories.engagement(co_leads=[isp, factories.user("isp")])
    with app.test_request_context("/"):
        flask_login.login_user(isp)
        engagement.title = "Renamed by an ISP"
        engagement.save()
        engagement.soft_delete()
    entries = audit_entries(engagement)
    assert [(e.action, e.user_id) for e in entries[-2:]] == [("update", isp.id), ("delete", isp.id)]


def test_audit_has_no_user_for_anonymous_requests(app):
    with app.test_request_context("/"):
        unit = factories.unit()
    assert audit_entries(unit)[0].user_id is None


# --- history is not rewritten by catalog edits -------------------------------------------------


def test_renaming_a_competency_keeps_the_label_on_old_meetings(app):
    engagement = factories.engagement()
    competency = Competency.select().order_by(Competency.id).first()
    original = competency.name
    meeting = factories.meeting(engagement, competencies=[competency.key])

    competency.name = "A brand new name"
    competency.save()

    link = MeetingCompetency.get((MeetingCompetency.meeting == meeting) & (MeetingCompetency.competency == competency))
    assert link.label == original
    assert Competency.get_by_id(competency.id).name == "A brand new name"
