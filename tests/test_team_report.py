"""The leaders' Team report (issue 22): the hand-worked figures of tests/test_workload.py through the page and
its CSV, who may read it, the admin's monthly capacity, and each ISP's load beside their name at triage."""

import datetime as dt

from tracker.models import AuditEntry, MeetingAttendee, SupportRequest, User, today
from tracker.reports.workload import load_band
from tracker.services.activities import log_activities

from . import factories
from .conftest import field_error, post_form

D = dt.date
WINDOW = {"start": "2026-02-01", "end": "2026-03-31"}


def worked_world():
    """tests/test_workload.py's first world, with capacities: over February and March (two months)
    Ada 150 minutes (two 60-minute meetings + a 30-minute activity), Ben 120, Cai 45 (March)."""
    w = factories.small_world()
    w.engagement_b.set_isps([w.isp_b.id, w.isp_a2.id], [w.isp_a1.id])  # Ada supports B
    for day in (D(2026, 2, 3), D(2026, 2, 17)):
        meeting = factories.meeting(w.engagement_a, date=day, duration_minutes=60)
        for isp in (w.isp_a1, w.isp_a2):
            MeetingAttendee.create(meeting=meeting, user=isp)
    log_activities(
        w.engagement_b, [{"date": D(2026, 2, 10), "kind": "outreach", "minutes": 30, "isps": [w.isp_a1.id]}], w.isp_a1
    )
    factories.meeting(w.engagement_c, date=D(2026, 3, 4), duration_minutes=45, logged_by=w.isp_b)
    # Ada: 40 h a month; 150 / 2 = 75 minutes a month = 3.125% -> "3%", Room.
    # Ben: 1 h a month; 120 / 2 = 60 minutes a month = 100% -> Near capacity (over only above 100%).
    User.update(capacity_minutes=40 * 60).where(User.id == w.isp_a1.id).execute()
    User.update(capacity_minutes=60).where(User.id == w.isp_a2.id).execute()
    w.leader_centre = factories.user("leader", "lead.c@example.org", "Cleo Leader", organization=w.center)
    return w


def test_the_page_shows_the_hand_worked_figures(app, as_user):
    w = worked_world()
    client = as_user(w.leader_centre)
    response = client.get("/reports/team", query_string=WINDOW)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-export="team"' in html and 'data-export="team-by-month"' in html
    assert "/reports/team.csv?start=2026-02-01&amp;end=2026-03-31" in html
    ada = html[html.index('<th scope="row">Ada ISP</th>') :]
    ada = ada[: ada.index("</tr>")]
    # co-leads 2 (A, C), supports 1 (B); 150 min; 75 a month; 40 h; 3% Room; nothing overdue
    cells = ['<td class="num">2</td>', '<td class="num">1</td>', "2 h 30 min", "1 h 15 min", "40 h", "3% "]
    for cell in cells + ["Room</span>"]:
        assert cell in ada, cell
    ben = html[html.index('<th scope="row">Ben ISP</th>') :]
    assert "100% " in ben[: ben.index("</tr>")] and "Near capacity" in ben[: ben.index("</tr>")]
    assert "No capacity set" in html  # Cai, Dee
    assert 'href="/reports/team' in client.get("/reports/").get_data(as_text=True)  # the tab


def test_the_csv_has_the_same_figures(app, as_user):
    w = worked_world()
    csv = as_user(w.leader_centre).get("/reports/team.csv", query_string=WINDOW).get_data(as_text=True)
    # id, name, window, led 2, supporting 1, 150 = 120 meetings + 30 activity, 75 a month, 2,400 capacity, load
    assert f"{w.isp_a1.id},Ada ISP,2026-02-01,2026-03-31,2,1,150,120,30,75,2400,0.0312,Room,0,0" in csv
    assert f"{w.isp_a2.id},Ben ISP,2026-02-01,2026-03-31,2,0,120,120,0,60,60,1.0,Near capacity,0,0" in csv
    by_month = as_user(w.leader_centre).get("/reports/team-by-month.csv", query_string=WINDOW).get_data(as_text=True)
    assert f"{w.isp_b.id},Cai ISP,2026-03,45,\r\n" in by_month and f"{w.isp_a1.id},Ada ISP,2026-02,150,2400" in by_month


def test_who_may_read_it(app, as_user):
    w = worked_world()
    for user in (w.isp_a1, w.recipient_a):
        client = as_user(user)
        assert client.get("/reports/team").status_code == 403
        assert client.get("/reports/team.csv").status_code == 403
        assert client.get("/reports/team-by-month.csv").status_code == 403
        assert 'href="/reports/team' not in client.get("/reports/").get_data(as_text=True)
    # a leader reads their organization's ISPs only: the foundation employs none
    html = as_user(w.leader_foundation).get("/reports/team").get_data(as_text=True)
    assert "No ISPs to show." in html and "Ada ISP" not in html
    assert "Ada ISP" in as_user(w.leader_all).get("/reports/team").get_data(as_text=True)


def test_a_start_after_the_end_is_explained_and_refused_for_the_csv(app, as_user):
    w = worked_world()
    client = as_user(w.admin)
    later = (today() + dt.timedelta(days=40)).isoformat()
    page = client.get("/reports/team", query_string={"start": later})
    assert page.status_code == 400 and "The start date cannot be after the end date" in page.get_data(as_text=True)
    assert client.get("/reports/team.csv", query_string={"start": later}).status_code == 400


def test_load_bands():
    assert [load_band(v) for v in (None, 0, 0.79, 0.8, 1.0, 1.01)] == [None, "room", "room", "near", "near", "over"]


def test_admin_sets_monthly_capacity_in_hours(app, as_user):
    w = factories.small_world()
    admin = as_user(w.admin)
    isps = [w.isp_a1, w.isp_a2, w.isp_b, w.isp_none]
    form = {f"isp_{u.id}": "" for u in isps}
    for typed, message in (
        ("lots", "Enter the monthly capacity as a whole number of hours, such as 80."),
        ("37.5", "Enter the monthly capacity as a whole number of hours, such as 80."),
        ("-5", "A capacity cannot be negative."),
        ("800", "More than 744 hours a month is more hours than a month has."),
    ):
        refused = post_form(admin, "/admin/capacity", {**form, f"isp_{w.isp_a1.id}": typed, f"isp_{w.isp_b.id}": "20"})
        assert refused.status_code == 400
        html = refused.get_data(as_text=True)
        assert field_error(html, f"isp_{w.isp_a1.id}") == message and f'value="{typed}"' in html
        assert User.select().where(User.capacity_minutes.is_null(False)).count() == 0  # all or none
    saved = post_form(admin, "/admin/capacity", {**form, f"isp_{w.isp_a1.id}": "40"})
    assert saved.status_code == 302
    assert User.get_by_id(w.isp_a1.id).capacity_minutes == 2400 and User.get_by_id(w.isp_b.id).capacity_minutes is None
    updates = AuditEntry.select().where(
        (AuditEntry.entity == "User") & (AuditEntry.entity_id == w.isp_a1.id) & (AuditEntry.action == "update")
    )
    assert any("capacity_minutes" in entry.changes for entry in updates)
    assert 'value="40"' in admin.get("/admin/capacity").get_data(as_text=True)


def test_the_triage_picker_shows_each_isps_load(app, as_user):
    w = factories.small_world()
    User.update(capacity_minutes=40 * 60).where(User.id == w.isp_a1.id).execute()
    # This month: a 12-hour meeting Ada attended and a 6-hour activity of hers: 1,080 minutes over the six
    # months of the default window = 180 a month = 3 h a month, of 40 h.
    meeting = factories.meeting(w.engagement_a, date=today(), duration_minutes=720)
    MeetingAttendee.create(meeting=meeting, user=w.isp_a1)
    log_activities(
        w.engagement_a, [{"date": today(), "kind": "tool_development", "minutes": 360, "isps": [w.isp_a1.id]}], None
    )
    req = SupportRequest.create(unit=w.unit_a, requested_by=w.recipient_a, title="Please help")
    html = as_user(w.isp_a2).get(f"/requests/{req.id}/accept").get_data(as_text=True)
    assert "Ada ISP — co-leads 2, supports 0 · 3 h/month of 40 h" in html
    assert "Dee ISP — co-leads 0, supports 0 · 0 h/month, no capacity set" in html
    assert "average hours a month" in html
