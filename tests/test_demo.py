"""The demo data (`flask seed-demo`): the reference setting, deterministic, idempotent, usable."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from markupsafe import escape
from peewee import fn

from tracker import policy
from tracker.db import database
from tracker.models import (
    MODELS,
    Attachment,
    AuditEntry,
    Benchmark,
    Engagement,
    EngagementISP,
    FeedbackAnswer,
    FeedbackResponse,
    Goal,
    GoalStatusChange,
    GoalTemplate,
    Meeting,
    MeetingAttendee,
    MeetingCompetency,
    MeetingStrategy,
    NextStep,
    Organization,
    PlanItem,
    RollupPart,
    StageEntry,
    StrategyCluster,
    SupportRequest,
    TeamMember,
    Unit,
    User,
    plan_agreement,
)
from tracker.reports import cost as cost_report
from tracker.schema import init_db
from tracker.tools.demo import ANCHOR, DEMO_PASSWORD, INTERMEDIARY, seed

from .conftest import make_app, post_form

ROLE_ORDER = ["admin", "leader", "isp", "recipient"]


@pytest.fixture
def seeded(seeded_demo_with_files):
    """The demo as `flask seed-demo` leaves it: a copy of the one seeded per run (the command itself is
    run by test_seed_demo_prints_accounts_and_password)."""
    return seeded_demo_with_files


def counts():
    # rollup_part is each counted meeting's share of the rollups (bookkeeping the triggers keep): its size follows
    # which meetings have which links, which the seed does not yet make the same on SQLite and PostgreSQL (5,656
    # against 5,670 parts for the same 207 sessions: see issue 21's closing note); the rollups themselves count
    return {m.__name__: m.select().count() for m in MODELS if m not in (AuditEntry, RollupPart)}


def _plain(row):
    """The same text for a row on SQLite and PostgreSQL (SUM is Decimal there, int here)."""
    return repr(tuple(int(v) if isinstance(v, Decimal) else str(v) for v in row)).encode()


def digest():
    """A fingerprint of the demo's content that does not depend on ids, the clock or the database."""
    h = hashlib.sha256()
    for row in (
        Meeting.select(
            Engagement.title, Meeting.date, Meeting.kind, Meeting.mode, Meeting.duration_minutes, Meeting.notes
        )
        .join(Engagement)
        .order_by(Engagement.title, Meeting.date, Meeting.kind, Meeting.id)
        .tuples()
    ):
        h.update(_plain(row))
    for model, label in ((MeetingCompetency, MeetingCompetency.label), (MeetingStrategy, MeetingStrategy.label)):
        for row in (
            model.select(Meeting.date, label).join(Meeting).order_by(Meeting.date, Meeting.id, model.id).tuples()
        ):
            h.update(_plain(row))
    for row in (
        FeedbackResponse.select(FeedbackResponse.submitted_on, FeedbackResponse.kind, fn.SUM(FeedbackAnswer.value))
        .join(FeedbackAnswer)
        .group_by(FeedbackResponse.id)
        .order_by(FeedbackResponse.submitted_on, FeedbackResponse.id)
        .tuples()
    ):
        h.update(_plain(row))
    for row in (
        GoalStatusChange.select(GoalStatusChange.status, GoalStatusChange.changed_on)
        .order_by(GoalStatusChange.id)
        .tuples()
    ):
        h.update(_plain(row))
    return h.hexdigest()


def test_seed_demo_prints_accounts_and_password(runner):
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    out = seeded.output
    assert "Demo data created." in out
    assert DEMO_PASSWORD in out
    users = list(User.select())
    assert users
    for user in users:
        assert user.email in out


def test_accounts_cover_every_role_in_order(app, seeded_demo):
    created, accounts = seeded_demo
    assert created
    roles = [role for role, _, _ in accounts]
    assert roles == sorted(roles, key=ROLE_ORDER.index)
    assert roles.count("admin") >= 1 and roles.count("leader") >= 2
    assert roles.count("isp") >= 2 and roles.count("recipient") >= 2
    leaders = User.select().where(User.role == "leader")
    assert {u.organization.kind for u in leaders} == {"intermediary", "recipient"}
    assert {email for _, email, _ in accounts} == {u.email for u in User.select()}


def test_reference_setting(seeded):
    centre = Organization.get(Organization.kind == "intermediary")
    assert Organization.select().where(Organization.kind == "intermediary").count() == 1
    assert centre.name == INTERMEDIARY
    assert User.select().where((User.role == "isp") & (User.organization == centre)).count() == 5
    assert Unit.select().count() == 6
    recipient_units = {u.unit_id for u in User.select().where(User.role == "recipient")}
    assert len(recipient_units) >= 2

    engagements = list(Engagement.select())
    assert 7 <= len(engagements) <= 9
    assert {e.status for e in engagements} == {"active", "paused", "closed", "proposed"}
    assert {e.support_model for e in engagements} == {"push", "push_pull", "co_creation"}
    assert {e.engagement_length for e in engagements} == {"limited", "high"}
    assert all(e.intermediary_id == centre.id for e in engagements)
    assert all(e.closing_summary for e in engagements if e.status == "closed")
    assert any(e.request_id for e in engagements)
    statuses = {r.status for r in SupportRequest.select()}
    assert {"accepted", "submitted", "declined"} <= statuses
    for e in engagements:
        co_leads = EngagementISP.select().where((EngagementISP.engagement == e) & (EngagementISP.role == "co_lead"))
        assert co_leads.count() == 2, e.title
        assert 3 <= len(list(e.team)) <= 6, e.title
        assert 2 <= Goal.select().where(Goal.engagement == e).count() <= 4, e.title
        assert e.start_date <= ANCHOR
        monthly = Meeting.select().where((Meeting.engagement == e) & (Meeting.kind == "monthly")).count()
        if e.status == "proposed":  # still in definition meetings: no monthly team meetings yet
            assert monthly == 0
            assert Meeting.select().where((Meeting.engagement == e) & (Meeting.kind == "definition")).exists()
        else:
            assert 6 <= monthly <= 18, e.title

    # meetings: dated up to the anchor, tagged, attended; planning/debrief/coaching around them
    assert Meeting.select().where(Meeting.date > ANCHOR).count() == 0
    kinds = {m.kind for m in Meeting.select(Meeting.kind).distinct()}
    assert {"monthly", "planning", "debrief", "coaching", "definition"} <= kinds
    for meeting in Meeting.select():
        n_comp = MeetingCompetency.select().where(MeetingCompetency.meeting == meeting).count()
        n_strat = MeetingStrategy.select().where(MeetingStrategy.meeting == meeting).count()
        assert 2 <= n_comp <= 5 and 1 <= n_strat <= 4
        assert MeetingAttendee.select().where(MeetingAttendee.meeting == meeting).exists()
        if meeting.kind == "monthly":
            assert 60 <= meeting.duration_minutes <= 120
        if meeting.kind in ("planning", "debrief"):
            assert meeting.mode == "virtual" and 30 <= meeting.duration_minutes <= 45

    # the paused engagement has gone quiet for 8+ weeks
    paused = Engagement.get(Engagement.status == "paused")
    last = Meeting.select(fn.MAX(Meeting.date)).where(Meeting.engagement == paused).scalar()
    last = dt.date.fromisoformat(last) if isinstance(last, str) else last
    assert last < ANCHOR - dt.timedelta(weeks=8)

    # progress: a stage revisit, completed benchmarks, goals moved, next steps open and done
    revisits = 0
    for e in engagements:
        keys = [entry.stage_id for entry in e.stage_history()]
        revisits += any(keys[i] in keys[:i] for i in range(len(keys)))
    assert revisits >= 1
    assert StageEntry.select().count() > len(engagements)
    assert Benchmark.select().where(Benchmark.completed_on.is_null(False)).count() > 20
    assert GoalStatusChange.select().where(GoalStatusChange.status == "achieved").exists()
    assert NextStep.select().where(NextStep.done_on.is_null(False)).exists()
    assert NextStep.select().where(NextStep.done_on.is_null() & (NextStep.due_on > ANCHOR)).exists()

    # cost of support (issue 19): three ISP rates and the centre's; every session of the demo has a cost
    assert len({u.hourly_rate for u in User.select().where(User.role == "isp")} - {None}) == 3
    assert centre.hourly_rate
    for e in engagements:
        cost = cost_report.engagement_cost.uncached(e.id)
        assert cost["total_cost"] > 0 and cost["sessions_without_rate"] == 0, e.title
        if e.status != "proposed":
            assert cost["cost_per_stage_advanced"] is not None, e.title

    # feedback: anonymous, on the 1-5 scale, improving over time
    assert FeedbackResponse.select().count() >= 10
    assert FeedbackResponse.select().where(~FeedbackResponse.anonymous).count() == 0
    values = [a.value for a in FeedbackAnswer.select()]
    assert values and min(values) >= 1 and max(values) <= 5
    early = (
        FeedbackAnswer.select(fn.AVG(FeedbackAnswer.value))
        .join(FeedbackResponse)
        .where(FeedbackResponse.submitted_on < dt.date(2026, 1, 1))
        .scalar()
    )
    late = (
        FeedbackAnswer.select(fn.AVG(FeedbackAnswer.value))
        .join(FeedbackResponse)
        .where(FeedbackResponse.submitted_on >= dt.date(2026, 1, 1))
        .scalar()
    )
    assert late > early


def test_demo_files_and_goal_templates(app, seeded):
    # three files on each of the first three engagements: the first meeting's agenda, the latest monthly
    # meeting's scores, the first delivered deliverable's PDF (9 in all)
    files = list(Attachment.select().order_by(Attachment.id))
    assert len(files) == 9
    assert sorted({a.kind for a in files}) == ["csv", "pdf", "txt"]
    assert len([a for a in files if a.deliverable_id]) == 3
    assert all(a.created_at.date() <= ANCHOR for a in files)
    created = AuditEntry.select().where((AuditEntry.entity == "Attachment") & (AuditEntry.action == "create"))
    assert [e.at for e in created.order_by(AuditEntry.entity_id)] == [a.created_at for a in files]  # dated alike
    pdf = next(a for a in files if a.kind == "pdf")
    isp = EngagementISP.select().where(EngagementISP.engagement == pdf.engagement_id).first().user
    got = app.test_client(user=isp).get(f"/engagements/{pdf.engagement_id}/attachments/{pdf.id}")
    assert got.status_code == 200 and got.data.startswith(b"%PDF-1.4") and got.data.endswith(b"%%EOF\n")
    assert hashlib.sha256(got.data).hexdigest() == pdf.sha256
    assert GoalTemplate.offered().count() == 4


def test_seed_demo_twice_changes_nothing(runner, seeded):
    before = counts()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "already present" in again.output
    assert DEMO_PASSWORD in again.output
    assert "sam.whitfield@northbridge.example" in again.output
    assert counts() == before
    assert seed()[0] is False


def test_seed_is_deterministic(app, tmp_path, seeded_demo_with_files):
    assert seeded_demo_with_files[0]  # seeded (once per run, in a database of its own) as seed-demo runs it
    first = digest()
    first_counts = counts()
    other = make_app(f"sqlite:///{tmp_path / 'second.sqlite3'}", ATTACHMENT_DIR=str(tmp_path / "second-files"))
    try:
        with other.app_context():
            database.connect(reuse_if_open=True)
            init_db()
            assert seed()[0]
            second = digest()
            second_counts = counts()
            database.close()
    finally:
        database.initialize(app.extensions["peewee"])  # back to the fixture's database
        database.connect(reuse_if_open=True)
    assert second == first
    assert second_counts == first_counts


def test_each_demo_account_can_sign_in(app, seeded):
    users = list(User.select())
    expected = {u.id: [str(escape(e.title)) for e in policy.visible_engagements(u)] for u in users}
    for user in users:
        assert expected[user.id], f"{user.email} sees no engagement"
        client = app.test_client()
        response = post_form(client, "/login", {"email": user.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, (user.email, response.status_code)
        home = client.get("/", follow_redirects=True)  # a leader's home is the dashboard
        assert home.status_code == 200, user.email
        html = client.get("/engagements").get_data(as_text=True)
        assert any(title in html for title in expected[user.id]), user.email


def test_reference_plans(seeded):
    """Issue 19: plans on the active reference engagements, a team lead on each engagement, one plan agreed by
    all three, one changed after its agreement (awaiting agreement again), items monthly and quarterly, an ISP
    activity and an item a team member is responsible for."""
    for e in Engagement.select():
        assert TeamMember.lead_of(e.id) is not None, e.title
    planned = {item.engagement_id for item in PlanItem.select()}
    assert len(planned) >= 3
    states = {e_id: plan_agreement(e_id) for e_id in planned}
    assert any(s["agreed"] for s in states.values())
    assert any(not s["agreed"] and s["version"].number > 1 for s in states.values())
    items = list(PlanItem.of(e_id) for e_id in planned)
    # 3 to 5 items agreed at the start; the lapse-prompt story (MODIFICATIONS) adds two more to two of them
    assert all(3 <= len(rows) <= 7 for rows in items)
    rows = [i for group in items for i in group]
    assert {i.frequency_label for i in rows} >= {"monthly", "quarterly"}
    assert any(i.strategy.cluster.key == StrategyCluster.ISP_ACTIVITIES for i in rows)
    assert any(i.responsible_member_id for i in rows)
