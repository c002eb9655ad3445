"""The review of logs on the pages (issue 23): the meeting form's "Submit for review" and "Save as draft", the
review panel's moves (approve, return with a note, reopen with a confirmed reason, submit), the history of
moves, and the lock on an approved log's edit and delete; the same for an activity."""

import datetime as dt
import re

from tracker.dates import format_date
from tracker.models import LOCKED, Activity, Meeting

from . import factories
from .conftest import post_form, sign_in

DAY = dt.date(2026, 2, 3)


def _client(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def _meeting_url(e, m, action=""):
    return f"/engagements/{e.id}/meetings/{m.id}" + (f"/{action}" if action else "")


def _move(client, e, log, move, note="", version=None, kind="meetings", **extra):
    data = {"move": move, "note": note, "version": str(log.version if version is None else version), **extra}
    return post_form(
        client, f"/engagements/{e.id}/{kind}/{log.id}/review", data, f"/engagements/{e.id}/{kind}/{log.id}"
    )


def _state(log):
    return type(log).get_by_id(log.id).review_state


def test_the_meeting_form_saves_a_draft_keeps_it_a_draft_and_submits_it(app):
    w = factories.small_world()
    e = w.engagement_a
    ada = _client(app, w.isp_a1)
    new = f"/engagements/{e.id}/meetings/new"
    assert ">Save as draft</button>" in ada.get(new).get_data(as_text=True)
    data = {"date": DAY.isoformat(), "kind": "monthly", "mode": "virtual", "duration_minutes": "60", "notes": "First"}
    assert post_form(ada, new, {**data, "save": "draft"}).status_code == 302
    m = Meeting.get(Meeting.engagement == e.id)
    assert (m.review_state, m.submitted_at) == ("draft", None)
    edit = _meeting_url(e, m, "edit")
    page = ada.get(edit).get_data(as_text=True)
    assert ">Submit for review</button>" in page and ">Save as draft</button>" in page
    # "Save as draft" on a draft keeps it a draft; the notes change (version 1 -> 2)
    assert post_form(ada, edit, {**data, "notes": "Second", "version": "1", "save": "draft"}).status_code == 302
    m = Meeting.get_by_id(m.id)
    assert (m.review_state, m.notes, m.version) == ("draft", "Second", 2)
    # "Submit for review" submits it (the edit, then the move: version 4)
    assert post_form(ada, edit, {**data, "notes": "Third", "version": "2", "save": "submit"}).status_code == 302
    m = Meeting.get_by_id(m.id)
    assert (m.review_state, m.notes, m.version) == ("submitted", "Third", 4) and m.submitted_at is not None
    # a submitted log is edited with "Save changes" and stays submitted
    page = ada.get(edit).get_data(as_text=True)
    assert ">Save changes</button>" in page and "Save as draft" not in page
    assert post_form(ada, edit, {**data, "notes": "Fourth", "version": "4"}).status_code == 302
    assert _state(m) == "submitted"


def test_the_review_panel_returns_with_a_note_and_approves_and_the_lock_holds(app):
    w = factories.small_world()
    e = w.engagement_a
    m = factories.meeting(e, date=DAY, logged_by=w.isp_a1.id)  # submitted, by Ada; Ben (other co-lead) reviews
    ada, ben = _client(app, w.isp_a1), _client(app, w.isp_a2)
    detail = _meeting_url(e, m)
    assert ">Approve</button>" not in ada.get(detail).get_data(as_text=True)  # never the author's own move
    page = ben.get(detail).get_data(as_text=True)
    assert ">Approve</button>" in page and ">Return with a note</button>" in page and ">Reopen</button>" not in page

    refused = _move(ben, e, m, "return", "   ")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and _state(m) == "submitted"
    assert '<p class="error" id="review-note-return-error">Say what the author should change.</p>' in html
    too_long = "x" * 1001
    refused = _move(ben, e, m, "return", too_long)
    assert refused.status_code == 400 and f">{too_long}</textarea>" in refused.get_data(as_text=True)  # kept

    assert _move(ben, e, m, "return", "Add the next steps.").status_code == 302
    stored = Meeting.get_by_id(m.id)
    page = ada.get(detail).get_data(as_text=True)
    when = format_date(stored.reviewed_at)
    assert f"Returned by Ben ISP on {when}:</strong> Add the next steps." in page
    assert ">Submit for review</button>" in page
    assert _move(ada, e, stored, "submit").status_code == 302
    stale = Meeting.get_by_id(m.id)
    assert _move(ben, e, stale, "approve", version=stale.version - 1).status_code == 409  # an older page
    assert _move(_client(app, w.leader_foundation), e, stale, "approve").status_code == 403
    assert _move(ben, e, stale, "approve").status_code == 302 and _state(m) == "approved"
    assert _move(ben, e, stale, "approve").status_code == 409  # no longer submitted

    page = ada.get(detail).get_data(as_text=True)
    assert "Approved</span>" in page and f'href="{detail}/edit"' not in page and f'href="{detail}/delete"' not in page
    # the history: submitted (created), returned with the note, submitted, approved
    history = page.split('class="plain-list review-history"')[1].split("</ol>")[0]
    states = re.findall(r'<strong class="review-history-state">([^<]+)</strong>', history)
    assert states == ["Submitted for review", "Returned", "Submitted for review", "Approved"]
    assert "<q>Add the next steps.</q>" in history
    for action in ("edit", "delete"):
        answer = ada.get(_meeting_url(e, m, action))
        assert answer.status_code == 302 and answer.location.endswith(detail)
    answer = post_form(ada, _meeting_url(e, m, "delete"), {}, detail)
    assert answer.status_code == 302 and Meeting.get_by_id(m.id).deleted_at is None
    assert LOCKED in ada.get(detail).get_data(as_text=True)


def test_an_administrator_reopens_with_a_reason_after_a_confirmation(app):
    w = factories.small_world()
    e = w.engagement_a
    m = factories.meeting(e, date=DAY, logged_by=w.isp_a1.id, review_state="approved")
    admin = _client(app, w.admin)
    assert ">Reopen</button>" in admin.get(_meeting_url(e, m)).get_data(as_text=True)
    refused = _move(admin, e, m, "reopen", "")
    assert refused.status_code == 400 and "Give the reason for reopening an approved log." in refused.get_data(
        as_text=True
    )
    confirm = _move(admin, e, m, "reopen", "The date is wrong.")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and ">Reopen the log</button>" in html and _state(m) == "approved"
    assert _move(admin, e, m, "reopen", "The date is wrong.", confirmed="yes").status_code == 302
    stored = Meeting.get_by_id(m.id)
    assert (stored.review_state, stored.review_note) == ("returned", "The date is wrong.")
    assert _move(_client(app, w.isp_a1), e, stored, "reopen", "x").status_code == 409  # returned now


def test_activities_are_saved_as_drafts_submitted_approved_and_locked(app):
    w = factories.small_world()
    e = w.engagement_a
    ada, ben = _client(app, w.isp_a1), _client(app, w.isp_a2)
    new = f"/engagements/{e.id}/activities/new"
    row = {
        "rows-0-date": DAY.isoformat(),
        "rows-0-kind": "outreach",
        "rows-0-minutes": "30",
        "rows-0-isps": str(w.isp_a1.id),
    }
    assert post_form(ada, new, {**row, "save": "draft"}).status_code == 302
    a = Activity.get(Activity.engagement == e.id)
    assert a.review_state == "draft"
    detail = f"/engagements/{e.id}/activities/{a.id}"
    page = ada.get(detail).get_data(as_text=True)
    assert "Draft</span>" in page and ">Submit for review</button>" in page
    assert _move(ada, e, a, "submit", kind="activities").status_code == 302
    a = Activity.get_by_id(a.id)
    assert _move(ben, e, a, "approve", kind="activities").status_code == 302 and _state(a) == "approved"
    listing = ada.get(f"/engagements/{e.id}/activities").get_data(as_text=True)
    assert "Approved</span>" in listing and f"/activities/{a.id}/edit" not in listing
    assert ada.get(f"{detail}/edit").status_code == 302
    # a second activity submitted straight away (the primary button)
    assert post_form(ada, new, {**row, "save": "submit"}).status_code == 302
    assert [x.review_state for x in Activity.select().order_by(Activity.id)] == ["approved", "submitted"]
