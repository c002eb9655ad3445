"""CSV exports: UTF-8 with BOM and a header, filters applied, scoped to the user, formula injection
escaped, every registered export downloadable."""

import csv
import datetime as dt
import io
import zipfile

import pytest

from tests import factories
from tracker import exports
from tracker.models import AuditEntry, ContextNote, Deliverable, FeedbackInstrument, FeedbackInvitation, NextStep
from tracker.reports.filters import ReportFilters

D = dt.date
BOM = "\ufeff"


def rows_of(response):
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :])))


@pytest.fixture
def world(demo):
    w = demo
    factories.meeting(w.engagement_a, D(2026, 2, 3), ["p20_co_learning", "p20_brokering"], kind="monthly")
    factories.meeting(w.engagement_a, D(2026, 2, 9), ["p20_co_learning"], kind="coaching")
    factories.meeting(w.engagement_b, D(2026, 3, 3), ["p20_facilitation"], kind="monthly")
    factories.meeting(w.engagement_c, D(2026, 3, 4), ["p20_facilitation"], kind="monthly")
    factories.meeting(w.engagement_a, D(2026, 2, 20), ["p20_facilitation"]).soft_delete()
    return w


def test_cells_are_escaped_against_formula_injection():
    assert exports.cell("=SUM(A1)") == "'=SUM(A1)"
    assert exports.cell("+1") == "'+1"
    assert exports.cell("-cmd") == "'-cmd"
    assert exports.cell("@import") == "'@import"
    assert exports.cell("\t=1") == "'\t=1"
    assert exports.cell("Plain text") == "Plain text"
    assert exports.cell(-3) == -3 and exports.cell(0.25) == 0.25  # numbers stay numbers
    assert exports.cell(None) == "" and exports.cell(D(2026, 1, 2)) == "2026-01-02"
    data = exports.to_csv(["name", "n"], [["=SUM(A1)", 2], ["Café", 1]])
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")[1:]
    assert text == "name,n\r\n'=SUM(A1),2\r\nCafé,1\r\n"


def test_competencies_csv(world, as_user):
    response = as_user(world.admin).get("/reports/competencies.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=competencies-")
    rows = rows_of(response)
    assert rows[0] == [
        "framework",
        "level",
        "key",
        "name",
        "domain",
        "meetings",
        "total_meetings",
        "share",
        "activities",
    ]
    by_key = {r[2]: r for r in rows[1:]}
    assert by_key["p20_co_learning"][5:] == ["2", "4", "0.5", "0"]
    assert by_key["p20_facilitation"][5:] == ["2", "4", "0.5", "0"]  # not the deleted meeting
    assert by_key["co_creation_engagement"][1] == "domain" and by_key["co_creation_engagement"][5:8] == [
        "2",
        "4",
        "0.5",
    ]
    assert len(rows) == 1 + 3 + 15


def test_filters_apply_to_the_csv(world, as_user):
    client = as_user(world.admin)
    rows = rows_of(client.get(f"/reports/competencies.csv?unit_id={world.unit_b.id}"))
    by_key = {r[2]: r for r in rows[1:]}
    assert by_key["p20_facilitation"][5:8] == ["1", "1", "1.0"] and by_key["p20_co_learning"][5] == "0"
    rows = rows_of(client.get("/reports/dose.csv?kind=monthly&start=2026-03-01&end=2026-03-31"))
    assert rows[0] == ["by", "key", "name", "meetings", "minutes", "activities", "activity_minutes"]
    assert ["month", "2026-03", "Mar 2026", "2", "120", "0", "0"] in rows
    assert rows[-1] == ["total", "", "All sessions and the work between meetings", "2", "120", "0", "0"]
    rows = rows_of(client.get("/reports/competencies.csv?start=2025-01-01&end=2025-01-31"))
    assert {r[6] for r in rows[1:]} == {"0"}


def test_csv_is_scoped_to_the_user(world, as_user):
    rows = rows_of(as_user(world.leader_other).get("/reports/competencies.csv"))
    assert {r[6] for r in rows[1:]} == {"1"}  # C's one meeting, nothing of A or B
    rows = rows_of(as_user(world.leader_other).get("/reports/sessions-between-monthly.csv"))
    assert [r[0] for r in rows[1:]] == ["Engagement C", "All engagements"]
    rows = rows_of(as_user(world.recipient_a).get("/reports/sessions-between-monthly.csv"))
    assert [r[0] for r in rows[1:]] == ["Engagement A", "All engagements"]


def test_a_formula_in_the_data_is_exported_as_text(world, as_user):
    e = factories.engagement(world.unit_a, title="=SUM(A1)")
    factories.meeting(e, D(2026, 4, 1), kind="monthly")
    rows = rows_of(as_user(world.admin).get("/reports/sessions-between-monthly.csv"))
    assert ["'=SUM(A1)", "1", "0", "0.0"] in rows


def test_every_export_downloads(world, as_user):
    leader, e = world.leader_foundation, world.engagement_a
    client = as_user(leader)
    goal = factories.measured_goal(e)  # the goal page's values: goal_id (other exports ignore it)
    for name in exports.EXPORTS:
        rule = exports.engagement_rule(name)
        for query in ("", f"?engagement_id={e.id}", "?start=2025-01-01&end=2025-01-02"):
            response = client.get(f"/reports/{name}.csv{query}&goal_id={goal.id}".replace(".csv&", ".csv?"))
            if not exports.may_download(name, leader):  # the next steps: an ISP's list; admin pages
                assert response.status_code == 403, name
                continue
            if rule is not None and "engagement_id" not in query:  # one engagement's table: name it
                assert response.status_code == 404, name
                continue
            if rule not in (None, True) and not rule(leader, e):  # as its page: the leader may not see it
                assert response.status_code == 403, name
                continue
            assert response.status_code == 200, name
            rows = rows_of(response)
            assert rows and rows[0], name
    assert client.get("/reports/nope.csv").status_code == 404


def test_every_page_links_its_csv_with_the_filters(world, as_user):
    client = as_user(world.admin)
    query = f"unit_id={world.unit_a.id}&kind=monthly"
    for page, name in (
        ("/reports/", "dashboard"),
        ("/reports/competencies", "competencies"),
        ("/reports/strategies", "strategies"),
        ("/reports/progress", "progress"),
    ):
        html = client.get(f"{page}?{query}").get_data(as_text=True)
        assert f"/reports/{name}.csv?" in html, page
        link = html[html.index(f"/reports/{name}.csv?") :].split('"')[0].replace("&amp;", "&")
        assert f"unit_id={world.unit_a.id}" in link and "kind=monthly" in link, page


def test_export_functions_take_filters(world):
    header, rows = exports.EXPORTS["competencies-by-isp"]["rows"](ReportFilters(user=world.admin))
    assert header == ["isp", "isp_meetings", "competency_key", "competency", "meetings_used"]
    assert rows == []  # no ISP attended or logged these meetings


def test_plain_csv_response_writes_the_rows_through_the_one_writer_as_an_attachment():
    """The engagement feedback CSV's writer: no byte-order mark, formula escaping as every CSV (issue 16)."""
    response = exports.plain_csv_response([["period", "score"], ["2026 Q1", 4.5], ["=sum", None]], "x-feedback.csv")
    assert response.get_data(as_text=True) == "period,score\r\n2026 Q1,4.5\r\n'=sum,\r\n"
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="x-feedback.csv"'


# --- issue 22: every table downloadable -----------------------------------------------------------------

CSV_TYPE = "text/csv; charset=utf-8"


def test_every_csv_response_sends_one_content_type(world, as_user, app):
    admin, e = as_user(world.admin), world.engagement_a  # the admin sees every table but an ISP's own lists
    goal = factories.measured_goal(e)
    isp_only = {"next-steps", "my-competencies"}  # an ISP's next steps due, an ISP's own competency profile
    for name in exports.EXPORTS:
        response = admin.get(f"/reports/{name}.csv?engagement_id={e.id}&goal_id={goal.id}")
        assert response.status_code == (403 if name in isp_only else 200), name
        if response.status_code == 200:
            assert response.headers["Content-Type"] == CSV_TYPE, name
    with app.test_request_context():
        plain = exports.plain_csv_response([["a"], [1]], "x.csv")
    assert plain.headers["Content-Type"] == CSV_TYPE
    feedback = as_user(world.isp_a1).get(f"/engagements/{world.engagement_a.id}/feedback.csv")
    assert feedback.headers["Content-Type"] == CSV_TYPE


def test_deliverables_and_context_notes_csv_are_scoped(world, as_user):
    e = world.engagement_a
    Deliverable.create(engagement=e, kind="tool_resource", title="Coaching guide", due_on=D(2026, 6, 1))
    Deliverable.create(engagement=world.engagement_b, kind="other", title="Elsewhere")
    ContextNote.create(engagement=e, kind="barrier", domain="process", text="Staff rotate", noted_on=D(2026, 2, 1))
    ContextNote.create(
        engagement=e, kind="facilitator", domain="process", text="Kept inside", noted_on=D(2026, 2, 2), internal=True
    )
    isp = as_user(world.isp_a1)
    rows = rows_of(isp.get(f"/reports/deliverables.csv?engagement_id={e.id}"))
    assert rows == [
        ["engagement", "deliverable", "kind", "due_on", "delivered_on"],
        [e.title, "Coaching guide", "tool_resource", "2026-06-01", ""],
    ]
    notes = rows_of(isp.get(f"/reports/context-notes.csv?engagement_id={e.id}"))
    assert [r[5] for r in notes[1:]] == ["Staff rotate", "Kept inside"]  # an ISP on it sees internal notes
    recipient = rows_of(as_user(world.recipient_a).get(f"/reports/context-notes.csv?engagement_id={e.id}"))
    assert [r[5] for r in recipient[1:]] == ["Staff rotate"]  # internal notes stay inside the support team
    outsider = as_user(world.isp_none)
    assert outsider.get(f"/reports/deliverables.csv?engagement_id={e.id}").status_code == 404
    assert outsider.get(f"/reports/context-notes.csv?engagement_id={e.id}").status_code == 404
    assert rows_of(outsider.get("/reports/deliverables.csv")) == [rows[0]]  # portfolio-wide: none of theirs


def test_next_steps_and_modifications_csv(world, as_user):
    meeting = factories.meeting(world.engagement_a, D(2026, 2, 3))
    NextStep.create(meeting=meeting, text="Send the checklist", owner="Ana", due_on=D(2026, 2, 10))
    NextStep.create(meeting=meeting, text="Done already", due_on=D(2026, 2, 10), done_on=D(2026, 2, 9))
    rows = rows_of(as_user(world.isp_a1).get("/reports/next-steps.csv"))
    # the open step only, past due on the home page's list (due long before today)
    assert rows == [
        ["due_on", "overdue", "next_step", "owner", "engagement"],
        ["2026-02-10", "yes", "Send the checklist", "Ana", world.engagement_a.title],
    ]
    assert as_user(world.recipient_a).get("/reports/next-steps.csv").status_code == 403
    header = rows_of(as_user(world.isp_a1).get(f"/reports/modifications.csv?engagement_id={world.engagement_a.id}"))
    assert header == [
        ["decided_on", "strategy", "nature", "fidelity", "modified", "reason_level", "decided_by", "prompted"]
    ]


def test_engagements_and_requests_csv(world, as_user):
    rows = rows_of(as_user(world.leader_foundation).get("/reports/engagements.csv"))
    assert rows[0][:4] == ["engagement_id", "ref", "engagement", "unit"]
    # the foundation's leader sees units A and B: engagements A and B (C belongs to another funder)
    assert sorted(r[2] for r in rows[1:]) == sorted([world.engagement_a.title, world.engagement_b.title])
    assert {r[10] for r in rows[1:] if r[2] == world.engagement_a.title} == {"2"}  # two live sessions
    requests = as_user(world.admin).get("/reports/requests.csv?status=all")
    assert rows_of(requests)[0][:4] == ["request_id", "ref", "submitted", "request"]


def test_the_printable_reports_tables_in_one_zip(world, as_user):
    e = world.engagement_a
    response = as_user(world.isp_a1).get(f"/reports/engagements/{e.id}/tables.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.namelist() == [f"{name}.csv" for name in exports.REPORT_TABLES]
    competencies = archive.read("competencies.csv").decode("utf-8")
    assert competencies.startswith(BOM + "framework,level,key")
    assert as_user(world.isp_none).get(f"/reports/engagements/{e.id}/tables.zip").status_code == 404


def test_users_cost_rates_and_audit_csv_are_the_admins(world, as_user):
    admin = as_user(world.admin)
    world.center.hourly_rate = 60
    world.center.save()
    world.isp_a1.hourly_rate = 80
    world.isp_a1.save()
    rows = rows_of(admin.get("/reports/users.csv?role=isp&q=ada"))  # the user list's filters
    assert rows == [
        ["user_id", "name", "email", "role", "unit", "organization", "active", "invited_not_signed_in"],
        [
            str(world.isp_a1.id),
            "Ada ISP",
            "isp.a1@example.org",
            "Implementation support practitioner",
            "",
            "Implementation Centre",
            "yes",
            "no",
        ],
    ]
    rates = {r[0]: r for r in rows_of(admin.get("/reports/cost-rates.csv"))[1:]}
    # Ada: her own 80 is used; Ben: none of his own, the centre's 60
    assert rates["Ada ISP"] == ["Ada ISP", "yes", "Implementation Centre", "80.0", "60.0", "80.0", "own"]
    assert rates["Ben ISP"] == ["Ben ISP", "yes", "Implementation Centre", "", "60.0", "60.0", "organization"]
    AuditEntry.create(
        user=world.admin,
        action="update",
        entity="Engagement",
        entity_id=world.engagement_b.id,
        engagement_id=world.engagement_b.id,
        changes='{"title": "Engagement B"}',
    )
    rows = rows_of(
        admin.get(f"/reports/audit.csv?engagement={world.engagement_b.id}&action=update&user={world.admin.id}")
    )
    assert rows[0] == [
        "at_utc",
        "who",
        "action",
        "record_type",
        "record_id",
        "record",
        "engagement_id",
        "engagement",
        "change",
    ]
    assert len(rows) == 2 and rows[1][1:8] == [
        "Ari Admin",
        "update",
        "Engagement",
        str(world.engagement_b.id),
        "Engagement B",
        str(world.engagement_b.id),
        "Engagement B",
    ]
    for name in ("users", "cost-rates", "audit"):  # as their pages: administrators only
        assert as_user(world.leader_all).get(f"/reports/{name}.csv").status_code == 403, name
        assert as_user(world.isp_a1).get(f"/reports/{name}.csv").status_code == 403, name


def test_deleted_lists_csv_are_for_those_who_restore(world, as_user):
    e = world.engagement_a
    goal = factories.goal(e, title="Dropped goal", indicator="Sites")
    goal.soft_delete()
    meeting = factories.meeting(e, D(2026, 1, 5), kind="monthly", duration_minutes=45)
    meeting.soft_delete()
    world.engagement_c.soft_delete()
    admin = as_user(world.admin)
    goals = rows_of(admin.get(f"/reports/deleted-goals.csv?engagement_id={e.id}"))
    assert goals[0] == ["goal_id", "goal", "indicator", "status", "deleted_at"]
    assert goals[1][:4] == [str(goal.id), "Dropped goal", "Sites", goal.status]
    meetings = rows_of(admin.get(f"/reports/deleted-meetings.csv?engagement_id={e.id}"))
    # most recently deleted first: this one, then the world's meeting of 20 February (deleted when made)
    assert [r[:4] for r in meetings[1:]][0] == [str(meeting.id), "2026-01-05", meeting.kind_label, "45"]
    assert [r[1] for r in meetings[1:]] == ["2026-01-05", "2026-02-20"]
    parts = rows_of(admin.get(f"/reports/deleted-parts.csv?engagement_id={e.id}"))
    assert {(r[1], r[2]) for r in parts[1:]} >= {(str(goal.id), "Dropped goal")}
    engagements = rows_of(admin.get("/reports/deleted-engagements.csv"))
    assert [r[:2] for r in engagements[1:]] == [[str(world.engagement_c.id), "Engagement C"]]
    assert admin.get("/reports/deleted-goals.csv").status_code == 404  # one engagement's: name it
    isp = as_user(world.isp_a1)  # on the engagement, but does not restore
    for name in ("deleted-goals", "deleted-meetings", "deleted-parts", "deleted-feedback-responses"):
        assert isp.get(f"/reports/{name}.csv?engagement_id={e.id}").status_code == 403, name
    assert isp.get("/reports/deleted-engagements.csv").status_code == 403


def test_goal_values_plan_items_and_feedback_tables_csv(world, as_user):
    e = world.engagement_a
    goal = factories.measured_goal(e)
    isp = as_user(world.isp_a1)
    values = rows_of(isp.get(f"/reports/goal-values.csv?engagement_id={e.id}&goal_id={goal.id}"))
    start = e.start_date
    # no value recorded: the baseline (40 on the start) and the target (80 a year later), as the goal page
    assert values == [
        ["goal", "date", "value", "unit", "row", "logged_with_meeting"],
        [goal.title, start.isoformat(), "40.0", "% of sites", "baseline", ""],
        [goal.title, (start + dt.timedelta(days=365)).isoformat(), "80.0", "% of sites", "target", ""],
    ]
    other = factories.measured_goal(world.engagement_b)
    assert isp.get(f"/reports/goal-values.csv?engagement_id={e.id}&goal_id={other.id}").status_code == 404
    item = factories.plan_item(e, world.isp_a1)
    plan = rows_of(isp.get(f"/reports/plan-items.csv?engagement_id={e.id}"))
    assert plan[1][0] == item.strategy.name and plan[1][4:8] == ["1.0", "60", start.isoformat(), ""]
    assert plan[1][8] == "Ada ISP"
    FeedbackInvitation.create(
        engagement=e,
        instrument=FeedbackInstrument.select().first(),
        kind="survey",
        email="tl@example.org",
        token_hash="x" * 64,
        expires_at=dt.datetime(2026, 5, 1),
    )
    invitations = rows_of(isp.get(f"/reports/feedback-invitations.csv?engagement_id={e.id}"))
    assert invitations[0] == ["sent_on", "kind", "name", "email", "link_until", "mail_status", "mail_error"]
    assert invitations[1][1:5] == ["Full survey", "", "tl@example.org", "2026-05-01"]
    pulse = rows_of(isp.get(f"/reports/feedback-pulse.csv?engagement_id={e.id}"))
    assert pulse == [["period", "period_start", "period_end", "item", "question", "scale", "mean", "n"]]
    recipient = as_user(world.recipient_a)  # reads the feedback page, sees neither invitations nor responses
    assert recipient.get(f"/reports/feedback-invitations.csv?engagement_id={e.id}").status_code == 403
    assert isp.get(f"/reports/feedback-responses.csv?engagement_id={e.id}").status_code == 403  # admins only
    assert as_user(world.admin).get(f"/reports/feedback-responses.csv?engagement_id={e.id}").status_code == 200
    outsider = as_user(world.isp_none)
    for name in ("goal-values", "plan-items", "feedback-invitations", "feedback-pulse"):
        assert outsider.get(f"/reports/{name}.csv?engagement_id={e.id}&goal_id={goal.id}").status_code == 404, name
