"""Drafts of the meeting form and "someone else is editing" (issue 23), through the routes autosave.js calls
and the meeting form's pages.

The world: engagement A co-led by Ada ISP (isp_a1) and Ben ISP (isp_a2); Cai ISP (isp_b) is not on it;
Lee Leader (leader_foundation) may read it, not log its meetings.
"""

import datetime as dt
import json

from tracker.models import DRAFT_DAYS, MAX_DRAFT_BYTES, PRESENCE_SECONDS, EditingPresence, FormDraft, Meeting, utcnow
from tracker.services import drafts as service

from . import factories
from .conftest import csrf_token, post_form, sign_in

DAY = dt.date.today() - dt.timedelta(days=3)
JSON = {"Accept": "application/json"}


def new_url(e):
    return f"/engagements/{e.id}/meetings/new"


def save_url(e, m=None):
    return f"/engagements/{e.id}/meetings" + (f"/{m.id}" if m else "") + "/draft"


def post_draft(client, e, data, m=None):
    form_page = new_url(e) if m is None else f"/engagements/{e.id}/meetings/{m.id}/edit"
    data = dict(data, csrf_token=csrf_token(client, form_page))
    return client.post(save_url(e, m), data=data, headers=JSON)


def test_saving_keeps_one_draft_per_form_and_the_form_offers_it(client, demo):
    e = demo.engagement_a
    sign_in(client, demo.isp_a1)
    first = post_draft(client, e, {"notes": "Half a thought", "competencies": ["3", "5"]})
    assert first.status_code == 200
    assert first.get_json()["saved"]["label"].endswith(" UTC")
    second = post_draft(client, e, {"notes": "Half a thought, and more", "competencies": ["3", "5"]})
    assert second.status_code == 200

    # one row for (Ada, engagement A, a new meeting): the second save replaced the first
    drafts = list(FormDraft.select())
    assert len(drafts) == 1
    assert (drafts[0].user_id, drafts[0].engagement_id, drafts[0].meeting_id) == (demo.isp_a1.id, e.id, None)
    # both ticked boxes kept, in order; the CSRF token is not what Ada typed
    assert drafts[0].pairs == [["notes", "Half a thought, and more"], ["competencies", "3"], ["competencies", "5"]]

    html = client.get(new_url(e)).get_data(as_text=True)
    assert "You have a draft of this new meeting, not saved yet" in html
    island = html.split('<script type="application/json" id="draft-data">')[1].split("</script>")[0]
    assert json.loads(island) == drafts[0].pairs
    assert ">Restore</button>" in html and ">Discard</button>" in html


def test_each_person_reads_and_writes_only_their_own_draft(app, demo):
    e = demo.engagement_a
    ada = app.test_client()
    sign_in(ada, demo.isp_a1)
    assert post_draft(ada, e, {"notes": "Ada's private thought"}).status_code == 200

    ben = app.test_client()  # the other co-lead: no banner, nothing of Ada's in his page
    sign_in(ben, demo.isp_a2)
    html = ben.get(new_url(e)).get_data(as_text=True)
    assert "You have a draft" not in html and "Ada&#39;s private thought" not in html
    # Ben's discard forgets his own draft (none), never Ada's
    assert post_form(ben, save_url(e) + "/discard", {}, token_from=new_url(e)).status_code == 302
    assert FormDraft.select().count() == 1

    # a leader reads engagement A but logs no meeting (403); an ISP not on it does not see it (404)
    for user, code in ((demo.leader_foundation, 403), (demo.isp_b, 404)):
        other = app.test_client()
        sign_in(other, user)
        token = csrf_token(other, "/account/")
        answer = other.post(save_url(e), data={"csrf_token": token, "notes": "x"}, headers=JSON)
        assert answer.status_code == code, user.name
    assert [d.user_id for d in FormDraft.select()] == [demo.isp_a1.id]


def test_a_draft_over_the_limit_is_refused_with_413_and_nothing_written(client, demo):
    e = demo.engagement_a
    sign_in(client, demo.isp_a1)
    assert post_draft(client, e, {"notes": "Kept"}).status_code == 200
    # 210 KB of notes: over the 200 KB (204,800 bytes) a draft may hold
    answer = post_draft(client, e, {"notes": "x" * (210 * 1024)})
    assert MAX_DRAFT_BYTES == 204_800
    assert answer.status_code == 413
    assert answer.get_json()["error"]["message"] == (
        "This draft is too large to keep (more than 200 KB); save the meeting instead."
    )
    assert [d.pairs for d in FormDraft.select()] == [[["notes", "Kept"]]]  # the draft before is untouched
    # without the CSRF token: 400, nothing written
    assert client.post(save_url(e), data={"notes": "no token"}).status_code == 400
    assert [d.pairs for d in FormDraft.select()] == [[["notes", "Kept"]]]


def test_discard_forgets_the_draft(client, demo):
    e = demo.engagement_a
    sign_in(client, demo.isp_a1)
    post_draft(client, e, {"notes": "Never mind"})
    answer = post_form(client, save_url(e) + "/discard", {}, token_from=new_url(e))
    assert answer.status_code == 302 and answer.location.endswith(new_url(e))
    assert FormDraft.select().count() == 0
    html = client.get(new_url(e)).get_data(as_text=True)
    assert "Draft discarded." in html and "You have a draft" not in html


def test_saving_the_meeting_deletes_the_draft_of_its_form(client, demo):
    e = demo.engagement_a
    sign_in(client, demo.isp_a1)
    post_draft(client, e, {"notes": "Half written"})
    meeting = {
        "date": DAY.isoformat(),
        "kind": "coaching",
        "mode": "virtual",
        "duration_minutes": "30",
        "isps": [str(demo.isp_a1.id)],
        "notes": "Coached the team lead.",
    }
    answer = post_form(client, new_url(e), meeting)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    assert FormDraft.select().count() == 0

    # an edit's draft goes with the saved edit; a draft of another form (a new meeting) stays
    logged = Meeting.get()
    edit = f"/engagements/{e.id}/meetings/{logged.id}/edit"
    post_draft(client, e, {"notes": "Edit in progress"}, m=logged)
    post_draft(client, e, {"notes": "Another new meeting"})
    assert FormDraft.select().count() == 2
    answer = post_form(client, edit, dict(meeting, notes="Coached the team lead twice.", version=str(logged.version)))
    assert answer.status_code == 302
    assert [(d.meeting_id, d.pairs) for d in FormDraft.select()] == [(None, [["notes", "Another new meeting"]])]


def test_a_draft_older_than_30_days_is_not_offered(client, demo):
    e = demo.engagement_a
    now = utcnow()
    # 31 days old: kept in the table but not offered; 29 days old: offered
    FormDraft.keep(demo.isp_a1, e, None, '[["notes", "Too old"]]', now=now - dt.timedelta(days=DRAFT_DAYS + 1))
    assert FormDraft.find(demo.isp_a1, e, None, now=now) is None
    sign_in(client, demo.isp_a1)
    assert "You have a draft" not in client.get(new_url(e)).get_data(as_text=True)
    FormDraft.keep(demo.isp_a1, e, None, '[["notes", "Recent"]]', now=now - dt.timedelta(days=DRAFT_DAYS - 1))
    assert "You have a draft" in client.get(new_url(e)).get_data(as_text=True)
    assert [d.pairs for d in FormDraft.select()] == [[["notes", "Recent"]]]  # the 31-day-old one went on saving


def test_the_edit_page_says_who_else_is_editing(app, demo):
    e = demo.engagement_a
    m = factories.meeting(e, date=DAY)
    edit = f"/engagements/{e.id}/meetings/{m.id}/edit"
    ada, ben = app.test_client(), app.test_client()
    sign_in(ada, demo.isp_a1)
    sign_in(ben, demo.isp_a2)

    # Ada alone, twice: never told about herself
    for _ in range(2):
        assert "editing this meeting too" not in ada.get(edit).get_data(as_text=True)
    # Ben opens it: his page names Ada, and Ada's next ping names Ben
    html = ben.get(edit).get_data(as_text=True)
    ada_since = EditingPresence.get(EditingPresence.user == demo.isp_a1.id).since.strftime("%H:%M")
    assert (
        f"Ada ISP is editing this meeting too (since {ada_since} UTC). Your changes may conflict; "
        "the later save is refused if it started from an older version."
    ) in html
    token = csrf_token(ada, edit)
    ping = ada.post(edit.replace("/edit", "/editing"), data={"csrf_token": token}, headers=JSON).get_json()
    assert [p["name"] for p in ping["editing"]] == ["Ben ISP"]
    assert ping["message"].startswith("Ben ISP is editing this meeting too (since ")

    # 91 s after Ben's last ping (the notice lasts 90 s) Ada is alone again
    EditingPresence.update(seen_at=utcnow() - dt.timedelta(seconds=PRESENCE_SECONDS + 1)).where(
        EditingPresence.user == demo.isp_a2.id
    ).execute()
    assert "editing this meeting too" not in ada.get(edit).get_data(as_text=True)


def test_presence_starts_a_new_stretch_after_90_seconds_of_silence(demo):
    m = factories.meeting(demo.engagement_a, date=DAY)
    t0 = dt.datetime(2026, 11, 30, 14, 2)
    # Ben pings at 14:02:00 and 14:03:30 (90 s later: still the same stretch), then at 14:05:01 (91 s of silence)
    service.editing(demo.isp_a2, m, now=t0)
    service.editing(demo.isp_a2, m, now=t0 + dt.timedelta(seconds=90))
    assert [
        (p.user.name, p.since) for p in EditingPresence.others(demo.isp_a1, m, now=t0 + dt.timedelta(seconds=90))
    ] == [("Ben ISP", t0)]
    later = t0 + dt.timedelta(seconds=181)
    assert EditingPresence.others(demo.isp_a1, m, now=later) == []  # 91 s since his last ping
    service.editing(demo.isp_a2, m, now=later)
    assert [p.since for p in EditingPresence.others(demo.isp_a1, m, now=later)] == [later]
    assert EditingPresence.others(demo.isp_a2, m, now=later) == []  # never oneself
