"""Power balance (issue 19): who set each session's agenda and who took its decisions, the shares by
quarter (tracker/reports/power.py) over a hand-worked data set, the "ISP-led co-creation" attention rule,
and the meeting form, page and API that record them.
"""

import datetime as dt
import re

import pytest

from tracker.models import Engagement, Meeting, MeetingAttendee, MeetingDecision, User
from tracker.reports import portfolio
from tracker.reports import power as report
from tracker.reports.filters import ReportFilters
from tracker.tools import demo as demo_data

from . import factories
from .api_helpers import Api
from .conftest import field_error, post_form, sign_in

D = dt.date


def session(e, day, agenda=None, team=(), isps=(), decisions=()):
    m = factories.meeting(e, date=day, agenda_set_by=agenda)
    for member in team:
        MeetingAttendee.create(meeting=m, team_member=member)
    for user in isps:
        MeetingAttendee.create(meeting=m, user=user)
    for by in decisions:
        MeetingDecision.create(meeting=m, text=f"Decided by {by}", decided_by=by)
    return m


def test_shares_by_quarter_worked_by_hand(demo):
    """Engagement A; team members Alex and Sam, ISPs Ada and Ben.

    Q1 2026   12 Jan  Alex, Sam, Ada     agenda ISP      decisions: ISP, joint
              10 Feb  Alex, Ada, Ben     agenda joint    decisions: recipient
               3 Mar  nobody recorded    agenda —        no decisions
              attendees 2+1+0 = 3 of 3+3+0 = 6 → 50%; agendas: joint of {ISP, joint} → 1/2 (3 Mar not
              recorded: in neither); decisions: joint, recipient of {ISP, joint, recipient} → 2/3
    Q2 2026   no session: a row of its own, every share a dash (None)
    Q3 2026    7 Jul  Alex, Sam          agenda recipient no decisions
              attendees 2/2 → 100%; agendas 1/1; decisions 0 of 0 → None
               8 Jul  deleted (Ada, agenda ISP, an ISP decision): counts nowhere
    All       attendees 3+2 = 5 of 6+2 = 8 (62.5%); agendas 2/3; decisions 2/3; 4 sessions
    """
    e = demo.engagement_a
    alex, sam = factories.team_member(e, "Alex Rivera"), factories.team_member(e, "Sam Okafor")
    ada, ben = demo.isp_a1, demo.isp_a2
    session(e, D(2026, 1, 12), "isp", [alex, sam], [ada], ["isp", "joint"])
    session(e, D(2026, 2, 10), "joint", [alex], [ada, ben], ["recipient"])
    session(e, D(2026, 3, 3))
    session(e, D(2026, 7, 7), "recipient", [alex, sam])
    session(e, D(2026, 7, 8), "isp", [], [ada], ["isp"]).soft_delete()

    p = report.engagement_power(e.id)

    def row(r):
        return (r["meetings"], *((r[k]["count"], r[k]["of"]) for k in ("attendees", "agendas", "decisions")))

    assert [r["label"] for r in p["periods"]] == ["Q1 2026", "Q2 2026", "Q3 2026"]
    assert [row(r) for r in p["periods"]] == [
        (3, (3, 6), (1, 2), (2, 3)),
        (0, (0, 0), (0, 0), (0, 0)),
        (1, (2, 2), (1, 1), (0, 0)),
    ]
    q1, q2, q3 = p["periods"]
    assert q1["attendees"]["share"] == 0.5 and q1["agendas"]["share"] == 0.5
    assert q1["decisions"]["share"] == pytest.approx(2 / 3)
    assert q2["attendees"]["share"] is None and q2["agendas"]["share"] is None and q2["decisions"]["share"] is None
    assert q3["attendees"]["share"] == 1 and q3["decisions"]["share"] is None
    assert row(p["total"]) == (4, (5, 8), (2, 3), (2, 3))
    assert p["total"]["attendees"]["share"] == 0.625

    assert report.engagement_power(demo.engagement_b.id) == {
        "periods": [],
        "total": {
            "meetings": 0,
            **{k: {"count": 0, "of": 0, "share": None} for k in ("attendees", "agendas", "decisions")},
        },
    }


def test_three_months_back():
    assert report.months_before(D(2026, 6, 1), 3) == D(2026, 3, 1)
    assert report.months_before(D(2026, 5, 31), 3) == D(2026, 2, 28)  # February has no 31st
    assert report.months_before(D(2026, 2, 15), 3) == D(2025, 11, 15)


def reasons(world, as_of):
    rows = portfolio.needs_attention(ReportFilters(user=world.admin), as_of=as_of)
    return {r["title"]: [x for x in r["reasons"] if x["key"] == "isp_led"] for r in rows}


def test_isp_led_co_creation_needs_attention(demo):
    """As of 1 Jun 2026 the window starts 1 Mar 2026 (three calendar months back, that day included).

    A, co-creation: joint agenda 28 Feb (before the window); ISP 1 Mar and 5 May; not recorded 20 May
        → every recorded agenda in the window is the ISPs' (2 sessions) → listed, with the reason.
    C, push/pull: ISP 10 Mar and 5 May → ISP-led, but not co-creation → not listed for it.
    B, co-creation: ISP 10 Mar, joint 5 May → one joint agenda → not listed for it.
    D, co-creation: one session, 5 May, agenda not recorded → no recorded agenda → not listed for it.
    """
    a, b, c = demo.engagement_a, demo.engagement_b, demo.engagement_c
    for e in (a, b):
        e.support_model = "co_creation"
        e.save()
    d = factories.engagement(demo.unit_b, [demo.isp_b, demo.isp_a1], title="Engagement D", support_model="co_creation")
    session(a, D(2026, 2, 28), "joint")
    session(a, D(2026, 3, 1), "isp")
    session(a, D(2026, 5, 5), "isp")
    session(a, D(2026, 5, 20))
    session(c, D(2026, 3, 10), "isp")
    session(c, D(2026, 5, 5), "isp")
    session(b, D(2026, 3, 10), "isp")
    session(b, D(2026, 5, 5), "joint")
    session(d, D(2026, 5, 5))

    found = reasons(demo, D(2026, 6, 1))
    assert found["Engagement A"] == [
        {
            "key": "isp_led",
            "text": "Co-creation, but the ISPs set the agenda of every session since 1 Mar 2026 (2 sessions).",
        }
    ]
    for title in ("Engagement B", "Engagement C", "Engagement D"):
        assert found.get(title, []) == [], title
    # A day later the window starts 2 Mar: A's one ISP-led session left (5 May) still makes it ISP-led.
    assert [x["text"] for x in reasons(demo, D(2026, 6, 2))["Engagement A"]] == [
        "Co-creation, but the ISPs set the agenda of every session since 2 Mar 2026 (1 session)."
    ]


def form_data(e, member, **extra):
    data = {
        "date": "2026-02-10",
        "kind": "planning",
        "mode": "virtual",
        "duration_minutes": "45",
        "team_members": [str(member.id)],
        "agenda_set_by": "joint",
        "decisions-0-text": "Pilot the checklist in two classrooms",
        "decisions-0-decided_by": "recipient",
        "decisions-1-text": "",
        "decisions-1-decided_by": "",
    }
    return {**data, **extra}


def test_the_meeting_form_records_agenda_and_decisions(client, demo):
    e = demo.engagement_a
    member = factories.team_member(e, "Alex Rivera")
    sign_in(client, demo.isp_a1)
    url = f"/engagements/{e.id}/meetings/new"

    bad = post_form(client, url, form_data(e, member, **{"decisions-1-text": "Meet monthly"}))
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert field_error(html, "decisions-1-decided_by") == "Choose who decided."
    assert 'value="Meet monthly"' in html and 'value="Pilot the checklist in two classrooms"' in html
    assert Meeting.select().count() == 0 and MeetingDecision.select().count() == 0

    assert post_form(client, url, form_data(e, member)).status_code == 302
    m = Meeting.get()
    assert m.agenda_set_by == "joint"
    assert [(d.text, d.decided_by) for d in MeetingDecision.of(m)] == [
        ("Pilot the checklist in two classrooms", "recipient")
    ]
    page = client.get(f"/engagements/{e.id}/meetings/{m.id}").get_data(as_text=True)
    assert "<dt>Agenda set by</dt><dd>Jointly</dd>" in page
    assert "<td>Pilot the checklist in two classrooms</td><td>The recipient team</td>" in page

    edit = f"/engagements/{e.id}/meetings/{m.id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert re.search(r'<input checked id="agenda_set_by-2" name="agenda_set_by" type="radio" value="joint">', form)
    changed = form_data(
        e, member, agenda_set_by="isp", version=str(m.version), **{"decisions-0-text": "", "decisions-0-decided_by": ""}
    )
    assert post_form(client, edit, changed).status_code == 302
    assert Meeting.get_by_id(m.id).agenda_set_by == "isp" and MeetingDecision.select().count() == 0

    detail = client.get(f"/engagements/{e.id}").get_data(as_text=True)
    section = detail[detail.index('id="power-h"') : detail.index("</section>", detail.index('id="power-h"'))]
    assert "Q1 2026" in section and "100%" in section  # the one attendee, a team member
    report_page = client.get(f"/reports/engagements/{e.id}").get_data(as_text=True)
    assert 'id="r-power-h"' in report_page


def test_the_api_takes_and_returns_agenda_and_decisions(client, demo):
    e = demo.engagement_a
    api = Api(client, demo.isp_a1)
    url = f"/engagements/{e.id}/meetings"
    bad = api.post(url, {"date": "2026-02-10", "agenda_set_by": "boss"})
    assert bad.status_code == 400 and "agenda_set_by" in bad.get_json()["error"]["fields"]
    bad = api.post(url, {"date": "2026-02-10", "decisions": [{"text": "x", "decided_by": "funder"}]})
    assert bad.status_code == 400
    assert Meeting.select().count() == 0 and MeetingDecision.select().count() == 0

    made = api.post(
        url,
        {"date": "2026-02-10", "agenda_set_by": "recipient", "decisions": [{"text": "Go", "decided_by": "joint"}]},
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["agenda_set_by"] == "recipient" and body["decisions"] == [{"text": "Go", "decided_by": "joint"}]
    patched = api.patch(f"/meetings/{body['id']}", {"agenda_set_by": None})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["agenda_set_by"] is None and patched.get_json()["decisions"] == body["decisions"]
    assert api.get(url).get_json()["items"][0]["agenda_set_by"] is None


def test_the_demo_shows_the_power_balance(app, seeded_demo):
    """The reference engagements carry agendas and decisions; the co-creation engagement whose ISPs set
    every agenda since July is listed as ISP-led (as of the demo's "today")."""
    admin = User.get(User.email == "sam.whitfield@northbridge.example")
    for e in Engagement.select().where(Engagement.status != "proposed"):
        total = report.engagement_power(e.id)["total"]
        assert total["agendas"]["of"] > 0 and total["decisions"]["of"] > 0, e.title
        assert total["attendees"]["share"] is not None, e.title
    rows = portfolio.needs_attention(ReportFilters(user=admin), as_of=demo_data.ANCHOR)
    led = [r["title"] for r in rows if any(x["key"] == "isp_led" for x in r["reasons"])]
    assert led == [demo_data.ISP_LED_LATELY]
