"""An ISP's home page: the requests waiting in the queue, the next steps due with a "Mark done" button
(the same service and policy as everywhere), and a short list of their engagements (all of them are on
/engagements?mine=1). A recipient's home keeps their unit's list."""

import datetime as dt
import re

from tracker.dates import format_date
from tracker.models import AuditEntry, NextStep, SupportRequest, today

from . import factories
from .conftest import csrf_token, post_form


def open_request(demo, title, status="submitted", unit=None, urgent=False, days_ago=1, intermediary=None):
    return SupportRequest.create(
        unit=unit or demo.unit_a,
        intermediary=intermediary or demo.center,
        title=title,
        description="Please help.",
        requested_by=demo.recipient_a,
        status=status,
        urgent=urgent,
        info_question="For whom?" if status == "info_requested" else "",
        created_at=dt.datetime.combine(today() - dt.timedelta(days=days_ago), dt.time(9)),
    )


def step_due(engagement, text="Send the plan", days=-3):
    meeting = factories.meeting(engagement)
    return NextStep.create(meeting=meeting, text=text, owner="Sam", due_on=today() + dt.timedelta(days=days))


def done_url(step):
    return f"/engagements/{step.meeting.engagement_id}/next-steps/{step.id}/done"


def queue_section(html):
    return re.search(r'<section class="card home-queue".*?</section>', html, re.S).group(0)


# --- the queue -----------------------------------------------------------------------------------------


def test_the_home_shows_the_requests_waiting_in_the_queue(demo, as_user):
    open_request(demo, "Coaching for managers", days_ago=3)
    open_request(demo, "Scale the pilot", status="info_requested", unit=demo.unit_b, urgent=True, days_ago=5)
    open_request(demo, "Already accepted", status="accepted")
    other = factories.organization("Other Centre", kind="intermediary")
    open_request(demo, "Addressed elsewhere", intermediary=other)
    queue = queue_section(as_user(demo.isp_a1).get("/").get_data(as_text=True))
    assert re.search(r'Waiting in the request queue <span class="count">2</span>', queue)
    assert queue.index("Scale the pilot") < queue.index("Coaching for managers")  # urgent first, as the queue
    assert "Already accepted" not in queue and "Addressed elsewhere" not in queue
    assert "Unit A" in queue and "Unit B" in queue and "Urgent" in queue
    assert "Submitted</span>" in queue and "More information requested</span>" in queue
    assert "Waiting for the requester" in queue
    assert format_date(today() - dt.timedelta(days=3)) in queue  # the day it was received
    coaching = SupportRequest.get(SupportRequest.title == "Coaching for managers")
    assert f'href="/requests/{coaching.id}"' in queue and 'href="/requests">See the queue</a>' in queue


def test_the_home_shows_five_requests_and_how_many_wait(demo, as_user):
    for n in range(7):
        open_request(demo, f"Request number {n}", days_ago=n + 1)
    queue = queue_section(as_user(demo.isp_a1).get("/").get_data(as_text=True))
    assert '<span class="count">7</span>' in queue and queue.count("Request number") == 5
    assert "Request number 0" in queue and "Request number 6" not in queue  # newest first
    assert 'href="/requests">See all 7 requests in the queue</a>' in queue


def test_an_empty_queue_says_so_and_recipients_have_no_queue(demo, as_user):
    queue = queue_section(as_user(demo.isp_a1).get("/").get_data(as_text=True))
    assert '<span class="count">0</span>' in queue and "Nothing is waiting in the queue." in queue
    open_request(demo, "Coaching for managers")
    assert "Waiting in the request queue" not in as_user(demo.recipient_a).get("/").get_data(as_text=True)


# --- ticking off a next step ------------------------------------------------------------------------------


def test_an_overdue_next_step_is_marked_done_from_the_home_page(demo, as_user):
    step = step_due(demo.engagement_a, "Send the plan to the unit")
    isp = as_user(demo.isp_a1)
    html = isp.get("/").get_data(as_text=True)
    assert "Send the plan to the unit" in html and "overdue" in html
    assert f'action="{done_url(step)}"' in html
    assert 'Mark done<span class="visually-hidden">: Send the plan to the unit</span>' in html

    response = post_form(isp, done_url(step), {}, token_from="/")
    assert response.status_code == 302 and response.location == "/#next-steps-h"
    assert NextStep.get_by_id(step.id).done_on == today()
    [entry] = AuditEntry.select().where((AuditEntry.entity == "NextStep") & (AuditEntry.entity_id == step.id))
    assert entry.action == "update" and entry.user_id == demo.isp_a1.id
    assert entry.engagement_id == demo.engagement_a.id
    home = isp.get("/").get_data(as_text=True)
    assert "Next step “Send the plan to the unit” marked done." in home
    assert f'action="{done_url(step)}"' not in home  # no longer due
    # Done once: a second post (another tab) keeps the date and says so.
    post_form(isp, done_url(step), {}, token_from="/")
    assert "was already done" in isp.get("/").get_data(as_text=True)
    assert AuditEntry.select().where(AuditEntry.entity == "NextStep").count() == 1


def test_only_those_who_change_the_engagement_tick_off_its_steps(demo, as_user):
    step = step_due(demo.engagement_a)
    for who, status in (("recipient_a", 403), ("leader_foundation", 403), ("isp_b", 404), ("recipient_b", 404)):
        response = post_form(as_user(getattr(demo, who)), done_url(step), {}, token_from="/account/")
        assert response.status_code == status, who
    isp = as_user(demo.isp_a1)
    # a step of another engagement through this engagement's address; a deleted step
    other = step_due(demo.engagement_c)
    token = csrf_token(isp, "/")
    wrong = f"/engagements/{demo.engagement_a.id}/next-steps/{other.id}/done"
    assert isp.post(wrong, data={"csrf_token": token}).status_code == 404
    assert isp.post(done_url(step), data={"csrf_token": "forged"}).status_code == 400
    assert NextStep.select().where(NextStep.done_on.is_null(False)).count() == 0


# --- engagements: a short list, not the engagement list again ------------------------------------------------


def test_the_home_shows_five_of_the_isps_engagements_and_links_to_all(demo, as_user):
    for n in range(6):
        factories.engagement(
            demo.unit_a, [demo.isp_a1, demo.isp_a2], title=f"Extra engagement {n}", start=dt.date(2026, 2, n + 1)
        )
    html = as_user(demo.isp_a1).get("/").get_data(as_text=True)
    section = re.search(r'<section class="card" aria-labelledby="engagements-h">.*?</section>', html, re.S).group(0)
    assert re.search(r'Your engagements <span class="count">8</span>', section)
    assert section.count('<a href="/engagements/') == 5 and "Extra engagement 5" in section  # latest first
    assert 'href="/engagements?mine=1">All your engagements</a>' in section
    assert "Model of support" not in html  # the engagement list's table is on /engagements


def test_a_recipients_home_keeps_their_units_engagement_list(demo, as_user):
    html = as_user(demo.recipient_a).get("/").get_data(as_text=True)
    assert "Engagement A" in html and "Model of support" in html and "All your engagements" not in html
    assert "Mark done" not in html
