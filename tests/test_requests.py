"""Support requests: a recipient asks for support, ISPs triage (accept into an engagement, ask for
more information, decline with a reason), the requester follows the status and answers questions.

The world is factories.small_world(): units A and B of the Foundation, unit C of the Other Funder,
ISPs of the Implementation Centre, recipients of units A and B, leaders, an admin.
"""

import datetime as dt
import html as htmllib
import re
from urllib.parse import urlsplit

import pytest
from playhouse.test_utils import count_queries

from tracker.models import (
    AuditEntry,
    Engagement,
    EngagementISP,
    StageEntry,
    SupportRequest,
    ValidationError,
)
from tracker.services import requests as service

from .conftest import csrf_token, field_error, post_form

TODAY = dt.date.today()
FUTURE = TODAY + dt.timedelta(days=40)

VALID = {
    "title": "Scaling the mentoring programme",
    "description": "A mentoring programme for first-year teachers, ready to grow to ten districts.",
    "for_whom": "First-year teachers and their mentors",
    "on_behalf": "internal",
    "partner_name": "",
    "hoped_start": FUTURE.isoformat(),
    "urgency_note": "",
}


def text(response):
    return htmllib.unescape(response.get_data(as_text=True))


def error_next_to(response, field_id):
    return field_error(text(response), field_id)


def location(response):
    return urlsplit(response.headers["Location"]).path


def make_request(unit, title="Request", by=None, **kwargs):
    kwargs.setdefault("description", "An initiative")
    kwargs.setdefault("for_whom", "Grantees")
    return SupportRequest.create(unit=unit, title=title, requested_by=by, **kwargs)


def counts():
    return (
        SupportRequest.select().count(),
        Engagement.select().count(),
        EngagementISP.select().count(),
        StageEntry.select().count(),
    )


def accept_data(demo, **overrides):
    data = {
        "title": "Mentoring at scale",
        "problem_statement": "How to scale mentoring",
        "support_model": "co_creation",
        "start_date": FUTURE.isoformat(),
        "end_date": "",
        "co_lead_1": str(demo.isp_a1.id),
        "co_lead_2": str(demo.isp_b.id),
        "supporting": [str(demo.isp_none.id)],
    }
    data.update(overrides)
    return data


# --- submitting ---------------------------------------------------------------------------------


def test_recipient_submits_a_request_listed_for_them_and_in_the_isp_queue(demo, as_user):
    client = as_user(demo.recipient_a)
    form = client.get("/requests/new")
    assert form.status_code == 200
    page = text(form)
    assert "<h1>Request support</h1>" in page
    assert 'id="unit-readonly" value="Unit A · Foundation" readonly' in page  # own unit, not a choice
    assert 'name="unit"' not in page

    response = post_form(client, "/requests/new", VALID)
    assert response.status_code == 302
    req = SupportRequest.get()
    assert location(response) == f"/requests/{req.id}"
    assert (req.unit_id, req.requested_by_id, req.status) == (demo.unit_a.id, demo.recipient_a.id, "submitted")
    assert req.title == VALID["title"] and req.description == VALID["description"]
    assert req.for_whom == VALID["for_whom"] and req.is_internal and req.hoped_start == FUTURE
    assert not req.urgent and req.urgency_note == ""

    detail = text(client.get(location(response)))
    assert "Your request was submitted" in detail
    assert VALID["title"] in detail and "Submitted" in detail and "Internal initiative" in detail

    mine = text(client.get("/requests"))
    assert VALID["title"] in mine and 'badge-submitted">Submitted' in mine
    assert "Request support" in mine

    queue = text(as_user(demo.isp_none).get("/requests"))
    row = re.search(rf'<tr>\s*<td><a href="/requests/{req.id}">.*?</tr>', queue, re.S).group(0)
    assert VALID["title"] in row and "Unit A" in row and "Rae Recipient" in row and "Internal" in row
    assert FUTURE.strftime("%-d %b %Y") in row and '<td class="num">0</td>' in row

    assert VALID["title"] not in text(as_user(demo.recipient_b).get("/requests"))


def test_request_on_behalf_of_a_partner_and_urgent(demo, as_user):
    client = as_user(demo.recipient_a)
    response = post_form(
        client,
        "/requests/new",
        dict(
            VALID, on_behalf="partner", partner_name="Hope Grantee", urgent="y", urgency_note="The grant starts in May."
        ),
    )
    assert response.status_code == 302
    req = SupportRequest.get()
    assert req.on_behalf_of == "Hope Grantee" and not req.is_internal
    assert req.urgent and req.urgency_note == "The grant starts in May."
    assert "On behalf of Hope Grantee" in text(client.get("/requests"))
    queue = text(as_user(demo.isp_a1).get("/requests"))
    assert "Hope Grantee" in queue and "Urgent" in queue


def test_internal_request_drops_a_typed_partner_name_and_unticked_urgency_note(demo, as_user):
    response = post_form(
        as_user(demo.recipient_a),
        "/requests/new",
        dict(VALID, partner_name="Typed then changed mind", urgency_note="not urgent after all"),
    )
    assert response.status_code == 302
    req = SupportRequest.get()
    assert req.on_behalf_of == "" and not req.urgent and req.urgency_note == ""


def test_empty_state_says_what_a_request_is(demo, as_user):
    page = text(as_user(demo.recipient_a).get("/requests"))
    assert "Your unit has not requested support yet." in page
    assert "A support request asks the implementation support team" in page
    assert 'class="button primary" href="/requests/new">Request support' in page


def test_admin_submits_for_any_unit(demo, as_user):
    client = as_user(demo.admin)
    page = text(client.get("/requests/new"))
    assert "<select" in page and "Other Funder — Unit C" in page
    response = post_form(client, "/requests/new", dict(VALID, unit=str(demo.unit_c.id)))
    assert response.status_code == 302
    req = SupportRequest.get()
    assert req.unit_id == demo.unit_c.id and req.requested_by_id == demo.admin.id


@pytest.mark.parametrize(
    "unit_value, message",
    [
        ("", "Choose the unit the request is for."),
        ("999999", "Choose a unit from the list."),
        ("abc", "Choose a unit from the list."),
    ],
)
def test_admin_must_choose_a_known_unit(demo, as_user, unit_value, message):
    response = post_form(as_user(demo.admin), "/requests/new", dict(VALID, unit=unit_value))
    assert response.status_code == 400
    assert error_next_to(response, "unit") == message
    assert VALID["description"] in text(response)
    assert SupportRequest.select().count() == 0


@pytest.mark.parametrize(
    "overrides, field, message, kept",
    [
        ({"title": "  "}, "title", "Give the request a title.", VALID["description"]),
        (
            {"on_behalf": "partner", "partner_name": ""},
            "partner_name",
            "Enter the name of the partner or grantee.",
            VALID["title"],
        ),
        ({"urgent": "y", "urgency_note": ""}, "urgency_note", "Say what makes the request urgent.", VALID["for_whom"]),
        (
            {"hoped_start": (TODAY - dt.timedelta(days=400)).isoformat()},
            "hoped_start",
            "The hoped-for start cannot be more than a year in the past.",
            VALID["title"],
        ),
        ({"hoped_start": "31/12/2026"}, "hoped_start", "Enter a date as YYYY-MM-DD.", "31/12/2026"),
        ({"description": ""}, "description", "Describe the initiative you would like support with.", VALID["title"]),
    ],
)
def test_new_request_refused_with_the_message_next_to_the_field(demo, as_user, overrides, field, message, kept):
    response = post_form(as_user(demo.recipient_a), "/requests/new", dict(VALID, **overrides))
    assert response.status_code == 400
    assert error_next_to(response, field) == message
    assert kept in text(response)
    assert SupportRequest.select().count() == 0
    assert AuditEntry.select().where(AuditEntry.entity == "SupportRequest").count() == 0


def test_partner_choice_is_kept_when_refused(demo, as_user):
    response = post_form(
        as_user(demo.recipient_a),
        "/requests/new",
        dict(VALID, on_behalf="partner", partner_name="", urgent="y", urgency_note="Board in June"),
    )
    page = text(response)
    assert response.status_code == 400
    assert re.search(r'<input checked id="on_behalf-1" name="on_behalf" required type="radio" value="partner">', page)
    assert "Board in June" in page and re.search(r'<input[^>]*checked[^>]*name="urgent"', page)


@pytest.mark.parametrize("who", ["isp_a1", "leader_foundation", "leader_all"])
def test_isps_and_leaders_cannot_submit(demo, as_user, who):
    client = as_user(getattr(demo, who))
    assert client.get("/requests/new").status_code == 403
    token = csrf_token(client, "/requests")
    assert client.post("/requests/new", data=dict(VALID, csrf_token=token)).status_code == 403
    assert SupportRequest.select().count() == 0
    assert "Request support" not in text(client.get("/requests"))


# --- the triage queue -----------------------------------------------------------------------------


def test_queue_shows_open_requests_urgent_first_then_newest(demo, as_user):
    old = make_request(demo.unit_a, "Old plain", created_at=dt.datetime(2026, 1, 1))
    new = make_request(demo.unit_b, "New plain", created_at=dt.datetime(2026, 3, 1))
    urgent = make_request(
        demo.unit_c, "Old urgent", urgent=True, urgency_note="Deadline", created_at=dt.datetime(2025, 12, 1)
    )
    asked = make_request(
        demo.unit_a, "Waiting", status="info_requested", info_question="Who?", created_at=dt.datetime(2026, 2, 1)
    )
    make_request(demo.unit_a, "Done", status="declined", decline_reason="No capacity")
    page = text(as_user(demo.isp_a1).get("/requests"))
    order = [m for m in re.findall(r"<strong>(Old plain|New plain|Old urgent|Waiting|Done)</strong>", page)]
    assert order == ["Old urgent", "New plain", "Waiting", "Old plain"]
    assert 'aria-current="page">Open <span class="count">4</span>' in page

    declined = text(as_user(demo.isp_a1).get("/requests?status=declined"))
    assert re.findall(r"<strong>(Old plain|New plain|Old urgent|Waiting|Done)</strong>", declined) == ["Done"]
    waiting = text(as_user(demo.isp_a1).get("/requests?status=info_requested"))
    assert re.findall(r"<strong>(Old plain|New plain|Old urgent|Waiting|Done)</strong>", waiting) == ["Waiting"]
    everything = text(as_user(demo.admin).get("/requests?status=all"))
    assert len(re.findall(r"<strong>(Old plain|New plain|Old urgent|Waiting|Done)</strong>", everything)) == 5
    age = (TODAY - dt.date(2025, 12, 1)).days
    assert f'<td class="num">{age}</td>' in page
    assert {old.id, new.id, urgent.id, asked.id}  # all rows exist


def test_queue_unknown_tab_falls_back_to_open_and_empty_state(demo, as_user):
    page = text(as_user(demo.isp_a1).get("/requests?status=bogus"))
    assert "No open requests: nothing is waiting for triage." in page


def test_queue_is_paginated(app, demo, as_user):
    for n in range(app.config["PER_PAGE"] + 2):
        make_request(demo.unit_a, f"Numbered {n:02d}", created_at=dt.datetime(2026, 1, 1) + dt.timedelta(hours=n))
    client = as_user(demo.isp_a1)
    first, second = text(client.get("/requests")), text(client.get("/requests?page=2"))
    assert "Numbered 26" in first and "Numbered 00" not in first
    assert "Numbered 00" in second and "Numbered 01" in second and "Numbered 26" not in second
    assert "Page 2 of 2" in second and 'href="/requests?page=1"' in second


# --- accept ---------------------------------------------------------------------------------------


def test_accept_form_is_prefilled_from_the_request(demo, as_user):
    req = make_request(demo.unit_a, "Prefilled", hoped_start=FUTURE, description="What it is", for_whom="Teachers")
    page = text(as_user(demo.isp_a1).get(f"/requests/{req.id}/accept"))
    assert 'name="title" required type="text" value="Prefilled"' in page
    assert "What it is\n\nFor whom: Teachers" in page
    assert '<option selected value="push_pull">' in page
    assert f'name="start_date" required type="date" value="{FUTURE.isoformat()}"' in page
    assert f'<option selected value="{demo.isp_a1.id}">Ada ISP' in page  # the accepting ISP first
    past = make_request(demo.unit_a, "Past", hoped_start=TODAY - dt.timedelta(days=10))
    page = text(as_user(demo.isp_a1).get(f"/requests/{past.id}/accept"))
    assert f'value="{TODAY.isoformat()}"' in page


def test_accept_creates_the_engagement(demo, as_user):
    req = make_request(demo.unit_a, "Mentoring", by=demo.recipient_a, on_behalf_of="Hope Grantee")
    client = as_user(demo.isp_a1)
    response = post_form(client, f"/requests/{req.id}/accept", accept_data(demo, end_date="2099-12-31"))
    assert response.status_code == 302
    engagement = Engagement.get(Engagement.request == req.id)
    assert location(response) == f"/engagements/{engagement.id}"
    landing = client.get(location(response))
    assert landing.status_code == 200
    assert "Request accepted: the engagement “Mentoring at scale” has started." in text(landing)
    assert "<h1>Mentoring at scale</h1>" in text(landing) and "Exploration" in text(landing)
    assert engagement.unit_id == demo.unit_a.id and engagement.intermediary_id == demo.center.id
    assert engagement.title == "Mentoring at scale" and engagement.problem_statement == "How to scale mentoring"
    assert engagement.support_model == "co_creation" and engagement.status == "active"
    assert engagement.start_date == FUTURE and engagement.end_date == dt.date(2099, 12, 31)
    links = {(link.user_id, link.role) for link in EngagementISP.select().where(EngagementISP.engagement == engagement)}
    assert links == {(demo.isp_a1.id, "co_lead"), (demo.isp_b.id, "co_lead"), (demo.isp_none.id, "supporting")}
    # a stage entry is an event (docs/date-policy.md): an engagement starting in 40 days enters its
    # first stage once it has started
    assert engagement.current_stage is None and engagement.stage_history() == []

    req = SupportRequest.get_by_id(req.id)
    assert req.status == "accepted" and req.decided_by_id == demo.isp_a1.id and req.decided_at is not None

    # the requester sees the status and the engagement link
    requester = as_user(demo.recipient_a)
    mine = text(requester.get("/requests"))
    assert 'badge-accepted">Accepted' in mine and f'href="/engagements/{engagement.id}"' in mine
    page = text(requester.get(f"/requests/{req.id}"))
    assert f'href="/engagements/{engagement.id}"' in page and "Accepted" in page and "by Ada ISP" in page
    assert "Accept and start an engagement" not in page
    # no more triage actions for the ISP either; the history tells the decision
    isp_page = text(client.get(f"/requests/{req.id}"))
    assert "Accept and start an engagement" not in isp_page
    assert re.search(r"<strong>Accepted</strong> <span class=\"muted\">by Ada ISP</span>", isp_page)


def test_admin_accepts_without_an_intermediary(demo, as_user):
    req = make_request(demo.unit_b, "By admin")
    response = post_form(as_user(demo.admin), f"/requests/{req.id}/accept", accept_data(demo))
    assert response.status_code == 302
    engagement = Engagement.get(Engagement.request == req.id)
    assert engagement.intermediary_id is None and engagement.unit_id == demo.unit_b.id


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"co_lead_2": "ISP A1"}, "co_lead_2", "Choose two different ISPs as co-leads."),
        ({"co_lead_2": "RECIPIENT"}, "co_lead_2", "Co-leads must be active ISPs."),
        ({"co_lead_1": "999999"}, "co_lead_2", "Co-leads must be active ISPs."),  # one field for co-lead refusals
        ({"co_lead_2": ""}, "co_lead_2", "Choose two ISPs as co-leads."),
        (
            {"supporting": ["RECIPIENT"]},
            "supporting",
            "Supporting ISPs must be active ISPs.",
        ),
        (
            {"end_date": "2020-01-01", "start_date": "2026-05-01"},
            "end_date",
            "The end date cannot be before the start date.",
        ),
        ({"start_date": ""}, "start_date", "Enter the start date."),
        ({"title": ""}, "title", "Give the engagement a title."),
        ({"support_model": "pull_only"}, "support_model", "Not a valid choice."),
    ],
)
def test_accept_refused_with_the_message_next_to_the_field(demo, as_user, overrides, field, message):
    ids = {"ISP A1": str(demo.isp_a1.id), "RECIPIENT": str(demo.recipient_a.id)}
    overrides = {
        k: ([ids.get(x, x) for x in v] if isinstance(v, list) else ids.get(v, v)) for k, v in overrides.items()
    }
    req = make_request(demo.unit_a, "To accept")
    before = counts()
    response = post_form(
        as_user(demo.isp_a1),
        f"/requests/{req.id}/accept",
        accept_data(demo, problem_statement="Typed problem text", **overrides),
    )
    assert response.status_code == 400
    assert error_next_to(response, field) == message
    assert "Typed problem text" in text(response)
    assert counts() == before
    assert SupportRequest.get_by_id(req.id).status == "submitted"


def test_inactive_isp_is_not_offered_nor_accepted(demo, as_user):
    demo.isp_b.is_active = False
    demo.isp_b.save()
    req = make_request(demo.unit_a, "To accept")
    client = as_user(demo.isp_a1)
    assert "Cai ISP" not in text(client.get(f"/requests/{req.id}/accept"))
    before = counts()
    response = post_form(client, f"/requests/{req.id}/accept", accept_data(demo))
    assert response.status_code == 400 and error_next_to(response, "co_lead_2") == "Co-leads must be active ISPs."
    assert counts() == before


def test_accepting_twice_is_refused(demo, as_user):
    req = make_request(demo.unit_a, "Once only")
    client = as_user(demo.isp_a1)
    assert post_form(client, f"/requests/{req.id}/accept", accept_data(demo)).status_code == 302
    before = counts()
    again = post_form(
        as_user(demo.isp_b), f"/requests/{req.id}/accept", accept_data(demo), token_from=f"/requests/{req.id}"
    )
    assert again.status_code == 302 and location(again) == f"/requests/{req.id}"
    assert counts() == before
    page = text(as_user(demo.isp_b).get(f"/requests/{req.id}/accept", follow_redirects=True))
    assert "This request has already been accepted; nothing was changed." in page
    # nor can it be declined or sent back for information afterwards
    for action in ("decline", "ask"):
        response = post_form(
            client,
            f"/requests/{req.id}/{action}",
            {"decline_reason": "x", "info_question": "y"},
            token_from=f"/requests/{req.id}",
        )
        assert response.status_code == 302
    assert SupportRequest.get_by_id(req.id).status == "accepted"
    assert counts() == before


def test_service_refuses_a_stale_second_accept(app, demo):
    """Two ISPs on the accept form at once: the second, holding the old row, creates nothing."""
    req = make_request(demo.unit_a, "Race")
    stale = SupportRequest.get_by_id(req.id)
    data = {
        "title": "E",
        "problem_statement": "",
        "support_model": "push",
        "start_date": TODAY,
        "end_date": None,
        "co_lead_ids": [demo.isp_a1.id, demo.isp_b.id],
        "supporting_ids": [],
    }
    with app.app_context():  # the requester's mail links to the engagement (mail.external_url)
        service.accept_request(req, data, demo.isp_a1)
    before = counts()
    with pytest.raises(ValidationError) as exc, app.app_context():
        service.accept_request(stale, data, demo.isp_b)
    assert "already been accepted" in exc.value.errors["__all__"]
    assert counts() == before


# --- decline ---------------------------------------------------------------------------------------


def test_decline_needs_a_reason_and_the_requester_sees_it(demo, as_user):
    req = make_request(demo.unit_a, "Too big", by=demo.recipient_a)
    client = as_user(demo.isp_a1)
    page = text(client.get(f"/requests/{req.id}/decline"))
    assert "<h1>Decline “Too big”</h1>" in page and "autofocus" in page

    refused = post_form(client, f"/requests/{req.id}/decline", {"decline_reason": "   "})
    assert refused.status_code == 400
    assert error_next_to(refused, "decline_reason") == "Say why the request is declined."
    assert SupportRequest.get_by_id(req.id).status == "submitted"

    reason = "Our team is fully booked until next year; the state TA centre may help sooner."
    response = post_form(client, f"/requests/{req.id}/decline", {"decline_reason": reason})
    assert response.status_code == 302 and location(response) == f"/requests/{req.id}"
    req = SupportRequest.get_by_id(req.id)
    assert (req.status, req.decline_reason, req.decided_by_id) == ("declined", reason, demo.isp_a1.id)
    assert Engagement.select().where(Engagement.request == req.id).count() == 0

    requester = as_user(demo.recipient_a)
    assert reason in text(requester.get("/requests"))
    detail = text(requester.get(f"/requests/{req.id}"))
    assert reason in detail and 'badge-declined">Declined' in detail
    assert "Too big" not in text(client.get("/requests"))  # left the open queue
    assert "Too big" in text(client.get("/requests?status=declined"))


# --- ask and answer --------------------------------------------------------------------------------


def test_ask_and_answer_round_trip(demo, as_user):
    req = make_request(demo.unit_a, "Unclear", by=demo.recipient_a)
    isp = as_user(demo.isp_a1)
    refused = post_form(isp, f"/requests/{req.id}/ask", {"info_question": ""})
    assert refused.status_code == 400
    assert error_next_to(refused, "info_question") == "Write the question for the requester."
    assert SupportRequest.get_by_id(req.id).status == "submitted"

    question = "Which districts would take part first?"
    assert post_form(isp, f"/requests/{req.id}/ask", {"info_question": question}).status_code == 302
    req = SupportRequest.get_by_id(req.id)
    assert (req.status, req.info_question) == ("info_requested", question)

    requester = as_user(demo.recipient_a)
    assert "Answer the question" in text(requester.get("/requests"))
    page = text(requester.get(f"/requests/{req.id}"))
    assert question in page and f'action="/requests/{req.id}/answer"' in page

    empty = post_form(requester, f"/requests/{req.id}/answer", {"info_answer": " "}, token_from=f"/requests/{req.id}")
    assert empty.status_code == 400
    assert error_next_to(empty, "info_answer") == "Write your answer to the question."
    assert question in text(empty)
    assert SupportRequest.get_by_id(req.id).status == "info_requested"

    answer = "North and East districts, from September."
    response = post_form(
        requester, f"/requests/{req.id}/answer", {"info_answer": answer}, token_from=f"/requests/{req.id}"
    )
    assert response.status_code == 302
    req = SupportRequest.get_by_id(req.id)
    assert (req.status, req.info_answer) == ("submitted", answer)

    isp_page = text(isp.get(f"/requests/{req.id}"))
    assert answer in isp_page and question in isp_page
    assert "Accept and start an engagement" in isp_page
    assert "Answer received" in text(isp.get("/requests"))

    # a second round keeps the first question and answer in the history
    post_form(isp, f"/requests/{req.id}/ask", {"info_question": "And the budget?"})
    history = text(isp.get(f"/requests/{req.id}"))
    assert history.count("<strong>Question asked</strong>") == 2 and history.count("<strong>Answered</strong>") == 1
    assert question in history and answer in history and "And the budget?" in history
    assert "<strong>Submitted</strong>" in history


def test_answer_only_while_a_question_waits(demo, as_user):
    req = make_request(demo.unit_a, "Nothing asked")
    response = post_form(
        as_user(demo.recipient_a),
        f"/requests/{req.id}/answer",
        {"info_answer": "Unprompted"},
        token_from=f"/requests/{req.id}",
    )
    assert response.status_code == 302
    assert SupportRequest.get_by_id(req.id).info_answer == ""


# --- access --------------------------------------------------------------------------------------

ACTIONS = ("accept", "decline", "ask")


def test_recipient_of_another_unit_gets_404(demo, as_user):
    req = make_request(demo.unit_a, "Unit A secret", status="info_requested", info_question="Q?")
    client = as_user(demo.recipient_b)
    assert "Unit A secret" not in text(client.get("/requests"))
    assert client.get(f"/requests/{req.id}").status_code == 404
    token = csrf_token(client, "/requests")
    for action in ACTIONS:
        assert client.get(f"/requests/{req.id}/{action}").status_code == 404
    for action in ACTIONS + ("answer",):
        assert (
            client.post(f"/requests/{req.id}/{action}", data={"csrf_token": token, "info_answer": "x"}).status_code
            == 404
        )
    assert SupportRequest.get_by_id(req.id).info_answer == ""


def test_recipient_cannot_triage(demo, as_user):
    req = make_request(demo.unit_a, "Own request")
    client = as_user(demo.recipient_a)
    page = text(client.get(f"/requests/{req.id}"))
    assert "Accept and start an engagement" not in page and "/decline" not in page
    token = csrf_token(client, "/requests")
    before = counts()
    for action in ACTIONS:
        assert client.get(f"/requests/{req.id}/{action}").status_code == 403
        data = dict(accept_data(demo), decline_reason="no", info_question="q", csrf_token=token)
        assert client.post(f"/requests/{req.id}/{action}", data=data).status_code == 403
    assert counts() == before and SupportRequest.get_by_id(req.id).status == "submitted"


def test_isp_cannot_answer_for_the_requester(demo, as_user):
    req = make_request(demo.unit_a, "Asked", status="info_requested", info_question="Q?")
    client = as_user(demo.isp_a1)
    response = post_form(
        client, f"/requests/{req.id}/answer", {"info_answer": "Made up"}, token_from=f"/requests/{req.id}"
    )
    assert response.status_code == 403
    assert SupportRequest.get_by_id(req.id).info_answer == ""


def test_leader_reads_requests_in_scope_only(demo, as_user):
    in_scope = make_request(demo.unit_a, "Foundation request")
    out_of_scope = make_request(demo.unit_c, "Other funder request")
    client = as_user(demo.leader_foundation)
    listing = text(client.get("/requests"))
    assert "Foundation request" in listing and "Other funder request" not in listing
    assert "(read only)" in listing
    page = text(client.get(f"/requests/{in_scope.id}"))
    assert "Foundation request" in page and "Accept and start an engagement" not in page
    assert client.get(f"/requests/{out_of_scope.id}").status_code == 404
    token = csrf_token(client, "/requests")
    before = counts()
    for action in ACTIONS:
        assert client.get(f"/requests/{in_scope.id}/{action}").status_code == 403
        data = dict(accept_data(demo), decline_reason="no", info_question="q", csrf_token=token)
        assert client.post(f"/requests/{in_scope.id}/{action}", data=data).status_code == 403
    assert counts() == before and SupportRequest.get_by_id(in_scope.id).status == "submitted"


ANONYMOUS_ROUTES = [
    ("get", "/requests"),
    ("get", "/requests/new"),
    ("post", "/requests/new"),
    ("get", "/requests/{id}"),
    ("get", "/requests/{id}/accept"),
    ("post", "/requests/{id}/accept"),
    ("get", "/requests/{id}/decline"),
    ("post", "/requests/{id}/decline"),
    ("get", "/requests/{id}/ask"),
    ("post", "/requests/{id}/ask"),
    ("post", "/requests/{id}/answer"),
]


def test_anonymous_is_sent_to_sign_in(demo, client):
    req = make_request(demo.unit_a, "Anon")
    for method, path in ANONYMOUS_ROUTES:
        response = getattr(client, method)(path.format(id=req.id))
        assert response.status_code == 302 and location(response) == "/login", (method, path)
    assert SupportRequest.select().count() == 1
    assert SupportRequest.get_by_id(req.id).status == "submitted"


def test_list_queries_do_not_grow_with_rows(app, demo, as_user):
    def queries(client, url):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    isp, recipient = as_user(demo.isp_a1), as_user(demo.recipient_a)
    for n in range(2):
        make_request(demo.unit_a, f"Few {n}", by=demo.recipient_a)
    accepted = make_request(demo.unit_a, "Accepted one", by=demo.recipient_a)
    with app.app_context():
        service.accept_request(
            accepted,
            {
                "title": "E",
                "support_model": "push",
                "start_date": TODAY,
                "co_lead_ids": [demo.isp_a1.id, demo.isp_b.id],
            },
            demo.isp_a1,
        )
    few = (queries(isp, "/requests?status=all"), queries(recipient, "/requests"))
    for n in range(6):
        make_request(demo.unit_a, f"More {n}", by=demo.recipient_a)
    assert min(few) > 0
    assert (queries(isp, "/requests?status=all"), queries(recipient, "/requests")) == few
