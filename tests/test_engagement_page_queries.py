"""The engagement page's queries: a fixed number whatever the data (pinned per role), what they show,
and the prepared queries it is built from (tracker/reports: SQL built once, run with new values)."""

import datetime as dt
import re

import pytest
from peewee import SQL
from playhouse.test_utils import count_queries

from tracker import policy
from tracker.models import (
    Benchmark,
    ContextNote,
    Deliverable,
    Engagement,
    Meeting,
    MeetingAttendee,
    NextStep,
    Stage,
)
from tracker.reports import cache as report_cache
from tracker.reports import engagement_overview, prepared

from . import factories

DAY = dt.date(2026, 3, 2)

# The page's queries for a co-lead: the signed-in user; the ISP links (one load for the access checks
# and the co-leads); the engagement; its unit with organization, team, goals, goal histories, stages,
# stage path, benchmarks, meeting totals, the page of meetings (with attendee counts), their
# competencies, strategies and next steps, deliverables and context notes (14); status history; the
# activity (entries, ISP names, stage names); the feedback glance, a cached report (the data version;
# computed afresh: instrument, scores, responses; served again while the data stand: none of those three);
# the power balance, another cached report (the data version; computed afresh: meetings, attendance,
# decisions); the kind of session the user logged last ("Log another session" offers it); plan and delivery
# (issue 19): the plan items, the latest plan version, the team lead, the modifications (the agreements and
# the lapse check's last-logged dates only once the engagement has a plan).
# The cost of support (issue 19), a cached report: the data version; computed afresh: the stages, the sessions
# summed by stage in one query, the stage entries, the goals achieved. Never for recipients.
COST_QUERIES = 5
# Between meetings (issue 22): the count and minutes of this month and last, the latest five, their ISPs,
# strategies and competencies; for an ISP, whether they may log work there (policy.can_log_activities).
BETWEEN_QUERIES = 5
# The navigation's "My work" count (issue 23, reports/my_work.waiting_total), kept per data version: the data
# version, the review setting and one query of every section's total; a recipient reviews nothing, so reads
# no setting.
NAV_QUERIES = 3
CO_LEAD_QUERIES = 34 + COST_QUERIES + BETWEEN_QUERIES + 1 + NAV_QUERIES
# A recipient sees no activity (three fewer), no meeting buttons (one fewer), no cost and is not asked
# whether they log work; a leader with an organization reads the unit's organization for the access check
# (one more) and has no meeting buttons, nor the question.
RECIPIENT_QUERIES = CO_LEAD_QUERIES - 4 - COST_QUERIES - 1 - 1
LEADER_QUERIES = CO_LEAD_QUERIES - 1


def add_meetings(e, start, n, member):
    for i in range(start, start + n):
        m = factories.meeting(
            e,
            date=DAY - dt.timedelta(days=i),
            competencies=["p20_co_learning"][: i % 2],
            strategies=["audit_and_provide_feedback"][: (i + 1) % 2],
            notes=f"Meeting {i}",
            duration_minutes=30,
        )
        for _ in range(1 + i % 3):
            MeetingAttendee.create(meeting=m, team_member=member)
        NextStep.create(meeting=m, text=f"Step {i}", owner="Alex", due_on=DAY)
        goal = factories.goal(e, f"Goal {i}")
        goal.change_status("in_progress", DAY, f"moving {i}", meeting=m)
        Deliverable.create(engagement=e, title=f"Deliverable {i}", due_on=DAY)
        ContextNote.create(engagement=e, kind="barrier", domain="inner_setting", text=f"Note {i}", noted_on=DAY)


def page_queries(client, url):
    client.get(url)  # warm up (session, first-request work)
    report_cache.clear()  # the feedback glance is a cached report: count the page as after a change
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


def test_page_makes_the_same_few_queries_with_3_and_30_meetings(demo, as_user):
    e = demo.engagement_a
    member = factories.team_member(e, "Alex Rivera")
    url = f"/engagements/{e.id}"
    clients = {
        "co-lead": as_user(demo.isp_a1),
        "recipient": as_user(demo.recipient_a),
        "leader": as_user(demo.leader_foundation),
    }
    add_meetings(e, 0, 3, member)
    few = {who: page_queries(client, url)[0] for who, client in clients.items()}
    add_meetings(e, 3, 27, member)
    assert Meeting.select().where(Meeting.engagement == e).count() == 30
    many = {who: page_queries(client, url)[0] for who, client in clients.items()}
    oldest = {who: page_queries(client, url + "?meetings_page=3")[0] for who, client in clients.items()}
    assert (
        few == many == oldest == {"co-lead": CO_LEAD_QUERIES, "recipient": RECIPIENT_QUERIES, "leader": LEADER_QUERIES}
    )


def test_page_shows_each_meeting_with_its_own_tags_attendees_and_next_steps(demo, as_user):
    e = demo.engagement_a
    member = factories.team_member(e, "Alex Rivera")
    add_meetings(e, 0, 12, member)
    client = as_user(demo.isp_a1)
    _, html = page_queries(client, f"/engagements/{e.id}")
    items = re.findall(r'<li class="kind-monthly">(.*?)</li>\s*(?=<li class="kind-|</ol>)', html, re.S)
    assert len(items) == 10  # newest first: meetings 0..9
    for i, item in enumerate(items):
        assert f"Meeting {i}<" in item and f"Step {i}" in item
        assert f"{1 + i % 3} attending" in item
        assert ("tag-competency" in item) is bool(i % 2) and ("tag-strategy" in item) is bool((i + 1) % 2)
    assert "Sessions logged</dt><dd>12 (6 h of support)" in html
    for text in (
        "Unit A · Foundation",
        "Current stage</dt><dd>Exploration",
        "Ada ISP, Ben ISP",
        "moving 11",
        "Deliverable 11",
        "Note 11",
        "Alex Rivera",
        "Page 1 of 2",
    ):
        assert text in html
    _, html = page_queries(client, f"/engagements/{e.id}?meetings_page=2")
    assert "Meeting 11<" in html and "Step 10" in html and "Meeting 9<" not in html


def test_page_lists_stage_path_and_benchmarks_by_stage(demo, as_user):
    e = demo.engagement_a
    installation = Stage.get(Stage.key == "installation")
    e.enter_stage(installation, DAY)
    Benchmark.create(engagement=e, stage=installation, text="Staff trained", completed_on=DAY, position=99)
    o = engagement_overview(e)
    assert [entry.stage.key for entry in o["stage_path"]] == ["exploration", "installation"]
    assert o["current_stage"].key == "installation"
    assert "Staff trained" in [b.text for b in o["benchmarks"][installation.id]]
    assert (o["unit"].name, o["unit"].organization.name) == ("Unit A", "Foundation")


def test_loaded_isp_links_answer_the_access_checks_like_the_database(demo):
    e = demo.engagement_a
    links = Engagement.isps_of(e.id)
    assert [(link.user.name, link.role) for link in links] == [("Ada ISP", "co_lead"), ("Ben ISP", "co_lead")]
    for user in (demo.isp_a1, demo.isp_a2, demo.isp_b, demo.admin, demo.recipient_a):
        assert policy.can_view_engagement(user, e, links) == policy.can_view_engagement(user, e)
        assert policy.can_edit_engagement(user, e, links) == policy.can_edit_engagement(user, e)
    e.set_isps([demo.isp_a2.id, demo.isp_b.id])  # nothing remembered: a check after a change sees it
    assert not policy.is_on_engagement(demo.isp_a1, e)
    assert not policy.is_on_engagement(demo.isp_a1, e, Engagement.isps_of(e.id))


# --- prepared queries ---------------------------------------------------------------------------------


def test_prepared_query_gives_what_the_query_gives(demo):
    e = demo.engagement_a
    meetings = [factories.meeting(e, date=DAY - dt.timedelta(days=i)) for i in range(4)]

    def build(engagement_id, ids, limit):
        return (
            Meeting.select(Meeting.id, Meeting.date)
            .where((Meeting.engagement == engagement_id) & Meeting.id.in_(ids))
            .order_by(Meeting.date)
            .limit(limit)
        )

    run = prepared(build)
    for args in (
        (e.id, [m.id for m in meetings], 3),
        (e.id, [meetings[0].id], 5),
        (demo.engagement_b.id, [m.id for m in meetings], 3),
        (e.id, [m.id for m in meetings[1:]], 1),
    ):
        with count_queries() as counter:
            got = [(m.id, m.date) for m in run(*args)]
        assert counter.count == 1
        assert got == [(m.id, m.date) for m in build(*args)]


@pytest.mark.parametrize(
    "build",
    [
        lambda n: Meeting.select().paginate(n, 10),  # n turned into another value (the offset)
        lambda n: Meeting.select().where(SQL(f"id = {int(n)}")),  # n written into the SQL
        lambda n: Meeting.select().where((Meeting.id == n) | (Meeting.engagement == n)),  # n twice
    ],
)
def test_prepared_query_refuses_a_query_whose_shape_depends_on_its_arguments(app, build):
    with pytest.raises(ValueError):
        prepared(build)(3)
