"""Internal notes (issue 19): an ISP marks a session's notes or a context note internal; recipients never
see it (engagement page, meeting page, printable report, context report and its CSV, the API), those who
see internal notes see an "Internal" badge. Each path is read as a recipient and as an ISP."""

import datetime as dt

import pytest

from tracker import policy
from tracker.models import ContextNote, Meeting

from . import factories
from .api_helpers import Api
from .conftest import post_form

TODAY = dt.date.today()
SHARED_MEETING = "Agreed the coaching rota with the team."
SECRET_MEETING = "Team lead seems overstretched; raise with the director privately."
SHARED_NOTE = "The new state funding helps"
SECRET_NOTE = "The principal resists the plan"


@pytest.fixture
def world(demo):
    e = demo.engagement_a
    demo.shared_meeting = factories.meeting(e, date=TODAY - dt.timedelta(days=20), notes=SHARED_MEETING)
    demo.secret_meeting = factories.meeting(
        e, date=TODAY - dt.timedelta(days=10), notes=SECRET_MEETING, notes_internal=True
    )
    common = {"engagement": e, "domain": "inner_setting", "noted_on": TODAY - dt.timedelta(days=5)}
    demo.shared_note = ContextNote.create(kind="facilitator", text=SHARED_NOTE, **common)
    demo.secret_note = ContextNote.create(kind="barrier", text=SECRET_NOTE, internal=True, **common)
    return demo


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_rule_is_one_policy_function(world):
    assert not policy.can_see_internal_notes(world.recipient_a)
    assert all(
        policy.can_see_internal_notes(u) for u in (world.isp_a1, world.leader_foundation, world.leader_all, world.admin)
    )


def test_engagement_page(world, as_user):
    e = world.engagement_a
    recipient = page(as_user(world.recipient_a), f"/engagements/{e.id}")
    assert SHARED_MEETING in recipient and SHARED_NOTE in recipient
    assert SECRET_MEETING not in recipient and SECRET_NOTE not in recipient
    assert "badge-internal" not in recipient
    isp = page(as_user(world.isp_a1), f"/engagements/{e.id}")
    assert SECRET_MEETING in isp and SECRET_NOTE in isp
    assert isp.count('class="badge badge-internal"') == 2  # the session's notes and the context note
    leader = page(as_user(world.leader_foundation), f"/engagements/{e.id}")
    assert SECRET_MEETING in leader and SECRET_NOTE in leader


def test_meeting_page(world, as_user):
    url = f"/engagements/{world.engagement_a.id}/meetings/{world.secret_meeting.id}"
    recipient = page(as_user(world.recipient_a), url)
    assert SECRET_MEETING not in recipient and "No notes." in recipient and "badge-internal" not in recipient
    isp = page(as_user(world.isp_a1), url)
    assert SECRET_MEETING in isp and 'class="badge badge-internal"' in isp


def test_printable_report(world, as_user):
    url = f"/reports/engagements/{world.engagement_a.id}"
    recipient = page(as_user(world.recipient_a), url)
    assert SHARED_NOTE in recipient and SECRET_NOTE not in recipient
    isp = page(as_user(world.isp_a1), url)
    assert SECRET_NOTE in isp and "badge-internal" in isp


def test_context_report_and_csv(world, as_user):
    recipient, isp = as_user(world.recipient_a), as_user(world.isp_a1)
    assert SECRET_NOTE not in page(recipient, "/reports/context")
    assert SECRET_NOTE in page(isp, "/reports/context")

    def all_row(client):  # the CSV's first row: all units, the inner setting is the third CFIR domain
        lines = page(client, "/reports/context.csv").lstrip("\ufeff").splitlines()
        return next(line for line in lines if line.startswith("all,inner_setting"))

    assert all_row(recipient).endswith(",0,1,1")  # the facilitator only: the internal barrier is not counted
    assert all_row(isp).endswith(",1,1,2")


def test_api_meetings(world, client):
    e = world.engagement_a
    recipient, isp = Api(client, world.recipient_a), Api(client, world.isp_a1)
    listed = {m["id"]: m for m in recipient.get(f"/engagements/{e.id}/meetings").get_json()["items"]}
    assert listed[world.secret_meeting.id]["notes"] == "" and not listed[world.secret_meeting.id]["notes_internal"]
    assert listed[world.shared_meeting.id]["notes"] == SHARED_MEETING
    one = recipient.get(f"/meetings/{world.secret_meeting.id}").get_json()
    assert one["notes"] == "" and one["notes_internal"] is False
    one = isp.get(f"/meetings/{world.secret_meeting.id}").get_json()
    assert one["notes"] == SECRET_MEETING and one["notes_internal"] is True


def test_api_context_notes(world, client):
    e = world.engagement_a
    base = f"/engagements/{e.id}/context-notes"
    recipient, isp = Api(client, world.recipient_a), Api(client, world.isp_a1)
    assert [n["text"] for n in recipient.get(base).get_json()["items"]] == [SHARED_NOTE]
    assert recipient.get(f"{base}/{world.secret_note.id}").status_code == 404
    assert {n["text"] for n in isp.get(base).get_json()["items"]} == {SHARED_NOTE, SECRET_NOTE}
    assert isp.get(f"{base}/{world.secret_note.id}").get_json()["internal"] is True


def test_api_writes_the_flag_and_refuses_a_non_boolean(world, client):
    e = world.engagement_a
    isp = Api(client, world.isp_a1)
    before = ContextNote.select().count()
    bad = isp.post(
        f"/engagements/{e.id}/context-notes",
        json={"kind": "barrier", "domain": "process", "text": "Slow approvals", "internal": "yes"},
    )
    assert bad.status_code == 400 and "internal" in bad.get_json()["error"]["fields"]
    assert ContextNote.select().count() == before  # nothing written
    made = isp.post(
        f"/engagements/{e.id}/context-notes",
        json={"kind": "barrier", "domain": "process", "text": "Slow approvals", "internal": True},
    )
    assert made.status_code == 201 and ContextNote.get_by_id(made.get_json()["id"]).internal
    logged = isp.post(
        f"/engagements/{e.id}/meetings",
        json={"date": (TODAY - dt.timedelta(days=1)).isoformat(), "notes": "Private", "notes_internal": True},
    )
    assert logged.status_code == 201 and Meeting.get_by_id(logged.get_json()["id"]).notes_internal
    patched = isp.patch(f"/meetings/{logged.get_json()['id']}", json={"notes_internal": False})
    assert patched.status_code == 200 and patched.get_json()["notes_internal"] is False


def test_forms_offer_the_checkbox_and_keep_it(world, as_user):
    e = world.engagement_a
    isp = as_user(world.isp_a1)
    label = "Internal: ISPs and leaders only, never shown to the recipient"
    assert label in page(isp, f"/engagements/{e.id}/context-notes/new")
    assert label in page(isp, f"/engagements/{e.id}/meetings/new")
    response = post_form(
        isp,
        f"/engagements/{e.id}/context-notes/new",
        {"kind": "barrier", "domain": "process", "text": "", "internal": "y", "noted_on": TODAY.isoformat()},
    )
    assert response.status_code == 400  # no text: refused, the ticked box kept
    assert 'checked id="internal" name="internal" type="checkbox"' in response.get_data(as_text=True)
    response = post_form(
        isp,
        f"/engagements/{e.id}/context-notes/new",
        {
            "kind": "barrier",
            "domain": "process",
            "text": "Slow approvals",
            "internal": "y",
            "noted_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    assert ContextNote.get(ContextNote.text == "Slow approvals").internal
