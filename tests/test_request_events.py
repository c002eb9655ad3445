"""Support-request events are rows of their own (`RequestEvent`), written by each action in its
transaction, through the pages and the API; the request page's history reads them, never the audit
log's JSON. Withdrawing an open request (its requester, after a confirmation page). The migration's
backfill from the audit log and the request's own fields.

What was seen: the history was rebuilt from the audit log's JSON, so renaming an audited field (or an
audit entry missing) silently broke it.
"""

import datetime as dt
import html as htmllib
import importlib
import re

from tracker.db import database
from tracker.models import AuditEntry, Engagement, RequestEvent, SupportRequest
from tracker.services import requests as service

from .api_helpers import Api
from .conftest import field_error, post_form

migration_0006 = importlib.import_module("tracker.migrations.0006_request_events")

TODAY = dt.date.today()


def text(response):
    return htmllib.unescape(response.get_data(as_text=True))


def history(page):
    """[(label, by)] of the History section of a request page, in order."""
    section = page[page.index('id="history-h"') :]
    return re.findall(r"<strong>([^<]+)</strong>(?: <span class=\"muted\">by ([^<]+)</span>)?", section)


def kinds(req):
    return [(e.kind, e.by_id) for e in RequestEvent.history(req.id)]


def accept_data(demo):
    return {
        "title": "Mentoring at scale",
        "problem_statement": "How to scale mentoring",
        "support_model": "co_creation",
        "start_date": TODAY.isoformat(),
        "end_date": "",
        "co_lead_1": str(demo.isp_a1.id),
        "co_lead_2": str(demo.isp_b.id),
    }


def submit_page(client, title="Scaling the mentoring programme"):
    response = post_form(
        client,
        "/requests/new",
        {
            "title": title,
            "description": "A mentoring programme.",
            "for_whom": "First-year teachers",
            "on_behalf": "internal",
            "partner_name": "",
            "hoped_start": "",
            "urgency_note": "",
        },
    )
    assert response.status_code == 302, text(response)
    return SupportRequest.select().order_by(SupportRequest.id.desc()).get()


def test_each_action_through_the_pages_writes_its_event_and_the_history_reads_them(demo, as_user):
    recipient, isp = as_user(demo.recipient_a), as_user(demo.isp_a1)
    req = submit_page(recipient)
    assert kinds(req) == [("submitted", demo.recipient_a.id)]
    post_form(isp, f"/requests/{req.id}/ask", {"info_question": "Which districts?"})
    post_form(recipient, f"/requests/{req.id}/answer", {"info_answer": "Three in the north."})
    post_form(isp, f"/requests/{req.id}/ask", {"info_question": "And the budget?"})
    post_form(recipient, f"/requests/{req.id}/answer", {"info_answer": "Funded for two years."})
    response = post_form(isp, f"/requests/{req.id}/accept", accept_data(demo))
    assert response.status_code == 302, text(response)
    engagement = Engagement.get(Engagement.request == req.id)

    events = RequestEvent.history(req.id)
    assert [(e.kind, e.by_id, e.text) for e in events] == [
        ("submitted", demo.recipient_a.id, ""),
        ("question", demo.isp_a1.id, "Which districts?"),
        ("answer", demo.recipient_a.id, "Three in the north."),
        ("question", demo.isp_a1.id, "And the budget?"),
        ("answer", demo.recipient_a.id, "Funded for two years."),
        ("accepted", demo.isp_a1.id, ""),
    ]
    assert events[-1].engagement_id == engagement.id
    assert SupportRequest.get_by_id(req.id).decided_at == events[-1].at  # the summary's date is the event's

    # The audit log is not read for the history: with every entry of the request gone it is unchanged.
    AuditEntry.delete().where(AuditEntry.entity == "SupportRequest").execute()
    page = text(isp.get(f"/requests/{req.id}"))
    assert history(page) == [
        ("Submitted", "Rae Recipient"),
        ("Question asked", "Ada ISP"),
        ("Answered", "Rae Recipient"),
        ("Question asked", "Ada ISP"),
        ("Answered", "Rae Recipient"),
        ("Accepted", "Ada ISP"),
    ]
    assert "Which districts?" in page and "Funded for two years." in page


def test_decline_writes_its_event_with_the_reason_and_a_refused_action_writes_none(demo, as_user):
    req = submit_page(as_user(demo.recipient_a))
    isp = as_user(demo.isp_a1)
    post_form(isp, f"/requests/{req.id}/decline", {"decline_reason": "Out of scope for us."})
    assert [(e.kind, e.text) for e in RequestEvent.history(req.id)] == [
        ("submitted", ""),
        ("declined", "Out of scope for us."),
    ]
    before = RequestEvent.select().count()
    refused = post_form(isp, f"/requests/{req.id}/ask", {"info_question": "Too late?"}, token_from="/")
    assert refused.status_code == 302  # "already declined; nothing was changed"
    assert RequestEvent.select().count() == before
    # A question without text is refused by the service: no event.
    other = submit_page(as_user(demo.recipient_a), "Another")
    response = post_form(isp, f"/requests/{other.id}/ask", {"info_question": "  "})
    assert response.status_code == 400
    assert kinds(other) == [("submitted", demo.recipient_a.id)]


def test_the_api_writes_the_same_events(demo, client):
    recipient = Api(client, demo.recipient_a)
    created = recipient.post(
        "/requests", json={"title": "Through the API", "description": "d", "for_whom": "Unit A's teams"}
    )
    assert created.status_code == 201, created.get_json()
    req = SupportRequest.get_by_id(created.get_json()["id"])
    isp = Api(client, demo.isp_a1)
    accepted = isp.post(
        f"/requests/{req.id}/accept",
        json={"co_lead_ids": [demo.isp_a1.id, demo.isp_b.id], "support_model": "push", "start_date": TODAY.isoformat()},
    )
    assert accepted.status_code == 201, accepted.get_json()
    events = RequestEvent.history(req.id)
    assert [(e.kind, e.by_id) for e in events] == [("submitted", demo.recipient_a.id), ("accepted", demo.isp_a1.id)]
    assert events[1].engagement_id == accepted.get_json()["id"]

    second = SupportRequest.get_by_id(
        recipient.post("/requests", json={"title": "Second", "description": "d", "for_whom": "Unit A"}).get_json()["id"]
    )
    declined = isp.post(f"/requests/{second.id}/decline", json={"reason": "Not now."})
    assert declined.status_code == 200
    assert [(e.kind, e.text) for e in RequestEvent.history(second.id)] == [("submitted", ""), ("declined", "Not now.")]


def test_the_requester_withdraws_an_open_request_after_a_confirmation(demo, as_user):
    recipient = as_user(demo.recipient_a)
    req = submit_page(recipient)
    page = text(recipient.get(f"/requests/{req.id}"))
    assert f'href="/requests/{req.id}/withdraw"' in page
    # the ISP's page has no such link, and the action is refused to them
    assert "/withdraw" not in text(as_user(demo.isp_a1).get(f"/requests/{req.id}"))
    assert as_user(demo.isp_a1).get(f"/requests/{req.id}/withdraw").status_code == 403

    confirm = recipient.get(f"/requests/{req.id}/withdraw")
    assert confirm.status_code == 200 and "Withdraw “Scaling the mentoring programme”?" in text(confirm)
    assert RequestEvent.select().where(RequestEvent.kind == "withdrawn").count() == 0  # a GET changes nothing
    long_reason = post_form(recipient, f"/requests/{req.id}/withdraw", {"reason": "x" * 5001})
    assert long_reason.status_code == 400 and field_error(text(long_reason), "reason")
    assert SupportRequest.get_by_id(req.id).status == "submitted"

    done = post_form(recipient, f"/requests/{req.id}/withdraw", {"reason": "We found funding elsewhere."})
    assert done.status_code == 302
    req = SupportRequest.get_by_id(req.id)
    assert req.status == "withdrawn" and req.decided_by_id == demo.recipient_a.id
    assert [(e.kind, e.text) for e in RequestEvent.history(req.id)][-1] == ("withdrawn", "We found funding elsewhere.")
    page = text(recipient.get(f"/requests/{req.id}"))
    assert ("Withdrawn", "Rae Recipient") in history(page) and "/withdraw" not in page
    # no triage on a withdrawn request, and no second withdrawal
    assert (
        post_form(as_user(demo.isp_a1), f"/requests/{req.id}/accept", accept_data(demo), token_from="/").status_code
        == 302
    )
    assert Engagement.select().where(Engagement.request == req.id).count() == 0
    assert recipient.get(f"/requests/{req.id}/withdraw").status_code == 302
    assert RequestEvent.select().where(RequestEvent.request == req.id).count() == 2


def test_only_the_submitter_may_withdraw(demo, as_user):
    req = SupportRequest.create(unit=demo.unit_a, title="By the admin", requested_by=demo.admin)
    assert as_user(demo.recipient_a).get(f"/requests/{req.id}/withdraw").status_code == 403
    assert as_user(demo.admin).get(f"/requests/{req.id}/withdraw").status_code == 403


def test_backfill_tells_the_story_the_audit_log_told(demo, as_user):
    """Migration 0006: existing requests get their events from the audit entries and their fields."""
    recipient, isp = as_user(demo.recipient_a), as_user(demo.isp_a1)
    asked = submit_page(recipient, "Asked")
    post_form(isp, f"/requests/{asked.id}/ask", {"info_question": "Which districts?"})
    post_form(recipient, f"/requests/{asked.id}/answer", {"info_answer": "Three."})
    post_form(isp, f"/requests/{asked.id}/accept", accept_data(demo))
    declined = submit_page(recipient, "Declined")
    post_form(isp, f"/requests/{declined.id}/decline", {"decline_reason": "No capacity."})
    # a request that has no audit entries at all (an old import): its fields tell the story
    bare = SupportRequest.create(
        unit=demo.unit_a,
        title="Bare",
        requested_by=demo.recipient_a,
        status="declined",
        decline_reason="Duplicate.",
        decided_by=demo.isp_b,
        decided_at=dt.datetime(2026, 1, 5, 10),
        created_at=dt.datetime(2026, 1, 2, 9),
    )
    AuditEntry.delete().where((AuditEntry.entity == "SupportRequest") & (AuditEntry.entity_id == bare.id)).execute()
    expected = {
        r.id: [(e.kind, e.by_id, e.text, e.engagement_id) for e in RequestEvent.history(r.id)]
        for r in (asked, declined)
    }

    RequestEvent.delete().execute()
    with database.atomic():
        written = migration_0006.backfill(database)
    got = {
        r: [(e.kind, e.by_id, e.text, e.engagement_id) for e in RequestEvent.history(r)]
        for r in (asked.id, declined.id)
    }
    assert got == expected
    assert [(e.kind, e.by_id, e.text, e.at) for e in RequestEvent.history(bare.id)] == [
        ("submitted", demo.recipient_a.id, "", dt.datetime(2026, 1, 2, 9)),
        ("declined", demo.isp_b.id, "Duplicate.", dt.datetime(2026, 1, 5, 10)),
    ]
    assert written == RequestEvent.select().count()


def test_a_new_request_from_any_path_has_its_submitted_event_at_its_date(app, demo):
    with app.app_context():  # the triage ISPs' mail links to the request (mail.external_url)
        req = service.submit_request(
            demo.unit_a,
            {"title": "Dated", "description": "d", "for_whom": "Unit A"},
            demo.recipient_a,
            at=dt.datetime(2025, 11, 12, 9),
        )
    (event,) = RequestEvent.history(req.id)
    assert (event.kind, event.at, event.by_id) == ("submitted", dt.datetime(2025, 11, 12, 9), demo.recipient_a.id)
