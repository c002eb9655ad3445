"""Engagement-level pages: the list with filters, creating an engagement directly, editing its
summary and ISPs, status changes with their history, and the activity log of the engagement page."""

import datetime as dt
import re

import pytest
from playhouse.test_utils import count_queries

from tracker.audit import acting_as
from tracker.models import (
    AuditEntry,
    Benchmark,
    Engagement,
    EngagementISP,
    EngagementStatusChange,
    Stage,
    StageEntry,
    SupportRequest,
)
from tracker.reports import cache as report_cache

from . import factories
from .conftest import csrf_token, post_form

ROW_RE = re.compile(r'<a href="/engagements/(\d+)"><strong>(.*?)</strong></a>')


def listed(response):
    """The engagement titles in the list's table, in order."""
    assert response.status_code == 200
    return [title for _id, title in ROW_RE.findall(response.get_data(as_text=True))]


def counts():
    return {
        "engagements": Engagement.select().count(),
        "isps": EngagementISP.select().count(),
        "audit": AuditEntry.select().count(),
        "stages": StageEntry.select().count(),
        "status": EngagementStatusChange.select().count(),
    }


def exploration():
    return Stage.get(Stage.key == "exploration")


# --- the list -------------------------------------------------------------------------------------


def test_list_shows_the_engagements_with_their_facts(demo, as_user):
    factories.meeting(demo.engagement_a, date=dt.date(2026, 3, 9))
    factories.meeting(demo.engagement_a, date=dt.date(2026, 2, 2))
    html = as_user(demo.admin).get("/engagements").get_data(as_text=True)
    assert "<h1>Engagements</h1>" in html
    assert set(ROW_RE.findall(html)) == {
        (str(demo.engagement_a.id), "Engagement A"),
        (str(demo.engagement_b.id), "Engagement B"),
        (str(demo.engagement_c.id), "Engagement C"),
    }
    row_a = html[html.index("<strong>Engagement A</strong>") :].split("</tr>")[0]
    assert "Unit A" in row_a and "Active" in row_a and "Exploration" in row_a and "Push/pull" in row_a
    assert "Ada ISP, Ben ISP" in row_a
    assert '<td class="num">2</td>' in row_a and "9 Mar 2026" in row_a
    assert "New engagement" in html


def test_list_sorts_newest_start_first(demo, as_user):
    factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], title="Newest", start=dt.date(2026, 6, 1))
    factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], title="Oldest", start=dt.date(2025, 1, 1))
    titles = listed(as_user(demo.admin).get("/engagements"))
    assert titles[0] == "Newest" and titles[-1] == "Oldest"


def test_filter_by_unit(demo, as_user):
    client = as_user(demo.admin)
    assert listed(client.get(f"/engagements?unit={demo.unit_b.id}")) == ["Engagement B"]


def test_filter_by_status(demo, as_user):
    demo.engagement_b.status = "paused"
    demo.engagement_b.save()
    client = as_user(demo.admin)
    assert listed(client.get("/engagements?status=paused")) == ["Engagement B"]
    assert sorted(listed(client.get("/engagements?status=active"))) == ["Engagement A", "Engagement C"]


def test_filter_by_current_stage(demo, as_user):
    client = as_user(demo.admin)
    assert listed(client.get(f"/engagements?stage={exploration().id}")) == ["Engagement A"]


def test_filter_by_isp_co_lead_or_supporting(demo, as_user):
    factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], supporting=[demo.isp_none], title="Supported")
    client = as_user(demo.admin)
    assert sorted(listed(client.get(f"/engagements?isp={demo.isp_b.id}"))) == ["Engagement B", "Engagement C"]
    assert listed(client.get(f"/engagements?isp={demo.isp_none.id}")) == ["Supported"]


def test_filter_by_support_model(demo, as_user):
    demo.engagement_c.support_model = "co_creation"
    demo.engagement_c.save()
    assert listed(as_user(demo.admin).get("/engagements?model=co_creation")) == ["Engagement C"]


def test_search_on_title_ignores_case(demo, as_user):
    assert listed(as_user(demo.admin).get("/engagements?q=engagement+b")) == ["Engagement B"]


def test_filters_combine_and_are_kept_in_the_form(demo, as_user):
    html = as_user(demo.admin).get(f"/engagements?unit={demo.unit_a.id}&status=active&q=A")
    assert listed(html) == ["Engagement A"]
    text = html.get_data(as_text=True)
    assert f'<option selected value="{demo.unit_a.id}">' in text
    assert '<option selected value="active">' in text
    assert 'value="A"' in text


def test_bad_filter_values_are_ignored(demo, as_user):
    client = as_user(demo.admin)
    for query in [
        "status=zzz",
        "unit=abc",
        "stage=-1",
        "isp=x",
        "model=pull",
        "unit=99999",
        "page=abc",
        "unit=1e3&status=&q=",
    ]:
        assert sorted(listed(client.get("/engagements?" + query))) == [
            "Engagement A",
            "Engagement B",
            "Engagement C",
        ], query
    assert listed(client.get("/engagements?q=%25")) == []  # a wildcard is searched for literally


def test_empty_result_says_so_and_offers_to_clear_the_filters(demo, as_user):
    html = as_user(demo.admin).get("/engagements?q=nothing+like+this").get_data(as_text=True)
    assert "No engagements match these filters." in html
    assert '<a href="/engagements">Clear the filters</a>' in html


def test_recipient_list_has_only_their_unit_even_when_asking_for_another(demo, as_user):
    client = as_user(demo.recipient_a)
    assert listed(client.get("/engagements")) == ["Engagement A"]
    assert listed(client.get(f"/engagements?unit={demo.unit_b.id}")) == ["Engagement A"]
    html = client.get("/engagements").get_data(as_text=True)
    assert "Unit B" not in html and "Unit C" not in html  # filter options: only units in scope
    assert "New engagement" not in html


def test_isp_and_leader_lists_follow_the_policy(demo, as_user):
    assert sorted(listed(as_user(demo.isp_a1).get("/engagements"))) == ["Engagement A", "Engagement C"]
    assert listed(as_user(demo.isp_none).get("/engagements")) == []
    leader = as_user(demo.leader_foundation)
    assert sorted(listed(leader.get("/engagements"))) == ["Engagement A", "Engagement B"]
    assert sorted(listed(leader.get(f"/engagements?unit={demo.unit_c.id}"))) == ["Engagement A", "Engagement B"]
    assert "New engagement" not in leader.get("/engagements").get_data(as_text=True)


def test_pagination_keeps_the_filters(demo, as_user):
    for i in range(27):
        factories.engagement(
            demo.unit_a,
            [demo.isp_a1, demo.isp_a2],
            title=f"Paged {i:02d}",
            start=dt.date(2025, 1, 1) + dt.timedelta(days=i),
        )
    client = as_user(demo.admin)
    first = client.get(f"/engagements?unit={demo.unit_a.id}")
    assert len(listed(first)) == 25
    text = first.get_data(as_text=True)
    assert "Page 1 of 2" in text and f"unit_id={demo.unit_a.id}&" in text.split('rel="next"')[1].split(">")[0]
    second = listed(client.get(f"/engagements?unit={demo.unit_a.id}&page=2"))
    assert len(second) == 3  # 28 engagements in unit A: 25 + 3
    assert not set(second) & set(listed(first))
    assert len(listed(client.get(f"/engagements?unit={demo.unit_a.id}&page=99"))) == 3  # past the end: last page


def test_list_query_count_does_not_grow_with_the_engagements(app, as_user):
    admin = factories.user("admin")
    isps = [factories.user("isp"), factories.user("isp")]
    unit = factories.unit()

    def add(n):
        for _ in range(n):
            e = factories.engagement(unit, isps, stage="exploration")
            factories.meeting(e)

    client = as_user(admin)
    add(5)
    client.get("/engagements")  # warm up
    with count_queries() as few:
        assert len(listed(client.get("/engagements"))) == 5
    add(35)
    client.get("/my-work")  # the header's "My work" count, kept until the next write, as in the first count
    with count_queries() as many:
        assert len(listed(client.get("/engagements"))) == 25
    assert few.count == many.count


def test_list_requires_sign_in(client):
    response = client.get("/engagements")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- create directly ---------------------------------------------------------------------------------


def new_data(demo, **overrides):
    data = {
        "unit": demo.unit_b.id,
        "title": "Scaling the mentoring program",
        "problem_statement": "Grantees cannot keep the program going after the pilot.",
        "support_model": "co_creation",
        "start_date": "2026-02-01",
        "end_date": "2026-12-31",
        "co_lead_1": demo.isp_a1.id,
        "co_lead_2": demo.isp_b.id,
        "supporting": [demo.isp_none.id],
        "first_stage": exploration().id,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_new_form_has_sensible_defaults(demo, as_user):
    html = as_user(demo.isp_a1).get("/engagements/new").get_data(as_text=True)
    assert "<h1>New engagement</h1>" in html
    assert f'value="{dt.date.today().isoformat()}"' in html
    assert f'<option selected value="{exploration().id}">Exploration</option>' in html
    assert f'<option selected value="{demo.isp_a1.id}">Ada ISP</option>' in html  # the ISP co-leads by default
    assert "Foundation · Unit A" in html and "autofocus" in html


def test_isp_creates_an_engagement_directly(demo, as_user):
    response = post_form(as_user(demo.isp_a1), "/engagements/new", new_data(demo))
    assert response.status_code == 302
    e = Engagement.get(Engagement.title == "Scaling the mentoring program")
    assert response.headers["Location"].endswith(f"/engagements/{e.id}")
    assert e.unit_id == demo.unit_b.id and e.support_model == "co_creation"
    assert e.start_date == dt.date(2026, 2, 1) and e.end_date == dt.date(2026, 12, 31)
    assert e.problem_statement.startswith("Grantees")
    assert e.intermediary_id == demo.center.id and e.request_id is None
    roles = {(link.user_id, link.role) for link in e.isps()}
    assert roles == {(demo.isp_a1.id, "co_lead"), (demo.isp_b.id, "co_lead"), (demo.isp_none.id, "supporting")}
    assert e.current_stage_id == exploration().id
    entry = StageEntry.get(StageEntry.engagement == e)
    assert entry.entered_on == dt.date(2026, 2, 1) and entry.created_by_id == demo.isp_a1.id
    assert Benchmark.select().where(Benchmark.engagement == e).count() > 0
    assert (
        AuditEntry.select()
        .where(
            (AuditEntry.engagement_id == e.id) & (AuditEntry.action == "create") & (AuditEntry.user == demo.isp_a1.id)
        )
        .exists()
    )
    page = as_user(demo.isp_a1).get(f"/engagements/{e.id}").get_data(as_text=True)
    assert "Scaling the mentoring program" in page and "Exploration" in page


def test_admin_creates_without_stage_and_future_start_is_proposed(demo, as_user):
    start = dt.date.today() + dt.timedelta(days=30)
    response = post_form(
        as_user(demo.admin),
        "/engagements/new",
        new_data(demo, first_stage="", start_date=start.isoformat(), end_date="", supporting=None),
    )
    assert response.status_code == 302
    e = Engagement.get(Engagement.title == "Scaling the mentoring program")
    assert e.status == "proposed" and e.current_stage_id is None and e.end_date is None
    assert e.intermediary_id is None  # the admin belongs to no intermediary
    assert StageEntry.select().where(StageEntry.engagement == e).count() == 0
    assert sorted(link.role for link in e.isps()) == ["co_lead", "co_lead"]


@pytest.mark.parametrize(
    "overrides, field, message, typed",
    [
        ({"unit": ""}, "unit", "Choose the unit this engagement supports.", "Grantees cannot keep"),
        ({"title": "  "}, "title", "Give the engagement a title.", "Grantees cannot keep"),
        ({"co_lead_2": "SAME"}, "co_lead_2", "Choose two different ISPs as co-leads.", "Scaling the mentoring"),
        ({"end_date": "2026-01-15"}, "end_date", "The end date cannot be before the start date.", "2026-01-15"),
        ({"unit": "99999"}, "unit", "That choice is not available", "Scaling the mentoring"),
        ({"start_date": "2026-13-45"}, "start_date", "Enter a date as YYYY-MM-DD.", "2026-13-45"),
        ({"start_date": ""}, "start_date", "Enter the start date.", "Scaling the mentoring"),
        ({"co_lead_1": "abc"}, "co_lead_1", "That choice is not available", "Scaling the mentoring"),
        ({"supporting": ["99999"]}, "supporting", "Supporting ISPs must be active ISPs.", "Scaling the mentoring"),
        ({"support_model": "pull"}, "support_model", "Not a valid choice", "Scaling the mentoring"),
        ({"first_stage": "99999"}, "first_stage", "That choice is not available", "Scaling the mentoring"),
    ],
)
def test_invalid_create_is_refused_with_messages_next_to_the_fields(demo, as_user, overrides, field, message, typed):
    if overrides.get("co_lead_2") == "SAME":
        overrides = {"co_lead_2": demo.isp_a1.id}
    before = counts()
    response = post_form(as_user(demo.isp_a1), "/engagements/new", new_data(demo, **overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert error and message in error.group(1)
    assert typed in html
    assert counts() == before


def test_inactive_isp_cannot_be_chosen_as_co_lead(demo, as_user):
    demo.isp_none.is_active = False
    demo.isp_none.save()
    before = counts()
    response = post_form(
        as_user(demo.admin), "/engagements/new", new_data(demo, co_lead_2=demo.isp_none.id, supporting=None)
    )
    assert response.status_code == 400 and 'id="co_lead_2-error"' in response.get_data(as_text=True)
    assert counts() == before


@pytest.mark.parametrize("who", ["recipient_a", "leader_foundation", "leader_all"])
def test_recipients_and_leaders_cannot_create(demo, as_user, who):
    client = as_user(getattr(demo, who))
    assert client.get("/engagements/new").status_code == 403
    before = counts()
    token = csrf_token(client, "/engagements")  # any page of the session carries its token
    assert client.post("/engagements/new", data={**new_data(demo), "csrf_token": token}).status_code == 403
    assert counts() == before


def test_create_requires_sign_in_and_a_csrf_token(demo, client, as_user):
    response = client.get("/engagements/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    before = counts()
    assert as_user(demo.admin).post("/engagements/new", data=new_data(demo)).status_code == 400
    assert counts() == before


# --- edit --------------------------------------------------------------------------------------------


def edit_data(demo, **overrides):
    data = {
        "title": "Engagement A, revised",
        "problem_statement": "Clearer problem.",
        "support_model": "push",
        "start_date": "2026-01-05",
        "end_date": "2026-09-30",
        "co_lead_1": demo.isp_a1.id,
        "co_lead_2": demo.isp_b.id,
        "supporting": [demo.isp_a2.id],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_form_shows_the_current_values(demo, as_user):
    html = as_user(demo.isp_a1).get(f"/engagements/{demo.engagement_a.id}/edit").get_data(as_text=True)
    assert "<h1>Edit engagement</h1>" in html
    assert 'value="Engagement A"' in html and 'value="2026-01-05"' in html
    assert f'<option selected value="{demo.isp_a1.id}">Ada ISP</option>' in html
    assert f'<option selected value="{demo.isp_a2.id}">Ben ISP</option>' in html
    assert 'name="unit"' not in html


def test_isp_edits_summary_and_isps(demo, as_user):
    e = demo.engagement_a
    response = post_form(as_user(demo.isp_a1), f"/engagements/{e.id}/edit", edit_data(demo))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/engagements/{e.id}")
    e = Engagement.get_by_id(e.id)
    assert (e.title, e.problem_statement, e.support_model, e.end_date) == (
        "Engagement A, revised",
        "Clearer problem.",
        "push",
        dt.date(2026, 9, 30),
    )
    assert {(link.user_id, link.role) for link in e.isps()} == {
        (demo.isp_a1.id, "co_lead"),
        (demo.isp_b.id, "co_lead"),
        (demo.isp_a2.id, "supporting"),
    }
    audit = AuditEntry.select().where(
        (AuditEntry.engagement_id == e.id) & (AuditEntry.action == "update") & (AuditEntry.user == demo.isp_a1.id)
    )
    changed = set()
    for entry in audit:
        changed |= set(entry.change_map)
    assert {"title", "support_model", "co_leads"} <= changed


def test_edit_without_isp_changes_writes_no_isp_audit_entry(demo, as_user):
    e = demo.engagement_a
    data = edit_data(demo, co_lead_2=demo.isp_a2.id, supporting=None)
    assert post_form(as_user(demo.admin), f"/engagements/{e.id}/edit", data).status_code == 302
    assert not any(
        "co_leads" in entry.change_map
        for entry in AuditEntry.select().where((AuditEntry.engagement_id == e.id) & (AuditEntry.user == demo.admin.id))
    )


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"end_date": "2025-12-31"}, "end_date", "The end date cannot be before the start date."),
        ({"title": ""}, "title", "Give the engagement a title."),
        ({"co_lead_2": "SAME"}, "co_lead_2", "Choose two different ISPs as co-leads."),
        ({"start_date": "5 Jan"}, "start_date", "Enter a date as YYYY-MM-DD."),
    ],
)
def test_invalid_edit_is_refused(demo, as_user, overrides, field, message):
    if overrides.get("co_lead_2") == "SAME":
        overrides = {"co_lead_2": demo.isp_a1.id}
    e = demo.engagement_a
    before = counts()
    response = post_form(as_user(demo.isp_a1), f"/engagements/{e.id}/edit", edit_data(demo, **overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', html)
    assert "Clearer problem." in html
    assert counts() == before
    assert Engagement.get_by_id(e.id).title == "Engagement A"


# --- status changes ----------------------------------------------------------------------------------


def status_post(client, e, action, **fields):
    return post_form(
        client,
        f"/engagements/{e.id}/status",
        {"action": action, **fields},
        token_from=f"/engagements/{e.id}/status?action={action}",
    )


def test_status_page_offers_the_actions_of_the_current_status(demo, as_user):
    html = as_user(demo.isp_a1).get(f"/engagements/{demo.engagement_a.id}/status").get_data(as_text=True)
    assert "Pause the engagement" in html and "Close the engagement" in html
    assert "Resume the engagement" not in html and "Activate the engagement" not in html


def test_pause_with_reason_then_resume(demo, as_user):
    client, e = as_user(demo.isp_a1), demo.engagement_a
    page = client.get(f"/engagements/{e.id}/status?action=pause").get_data(as_text=True)
    assert "<h1>Pause the engagement</h1>" in page and 'name="reason"' in page
    response = status_post(client, e, "pause", reason="The director is leaving.")
    assert response.status_code == 302
    assert Engagement.get_by_id(e.id).status == "paused"
    change = EngagementStatusChange.get(EngagementStatusChange.engagement == e.id)
    assert (change.from_status, change.to_status, change.reason, change.changed_by_id, change.changed_on) == (
        "active",
        "paused",
        "The director is leaving.",
        demo.isp_a1.id,
        dt.date.today(),
    )
    assert (
        AuditEntry.select()
        .where(
            (AuditEntry.engagement_id == e.id)
            & (AuditEntry.entity == "Engagement")
            & AuditEntry.changes.contains('"status": ["active", "paused"]')
        )
        .exists()
    )

    assert status_post(client, e, "resume").status_code == 302
    assert Engagement.get_by_id(e.id).status == "active"
    html = client.get(f"/engagements/{e.id}").get_data(as_text=True)
    history = html.split("Status history")[1].split("</ul>")[0]
    assert "The director is leaving." in history and "by Ada ISP" in history
    assert history.index('badge-paused">Paused</span> → <span class="badge badge-active') < history.index(
        'Active</span> → <span class="badge badge-paused'
    )  # newest first


def test_activate_a_proposed_engagement(demo, as_user):
    e = factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], status="proposed")
    client = as_user(demo.isp_a2)
    assert "Activate" in client.get(f"/engagements/{e.id}").get_data(as_text=True)
    assert status_post(client, e, "activate").status_code == 302
    assert Engagement.get_by_id(e.id).status == "active"


def test_close_without_summary_is_refused(demo, as_user):
    client, e = as_user(demo.isp_a1), demo.engagement_a
    before = counts()
    response = status_post(client, e, "close", closing_summary="  ", end_date="2026-10-01")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="closing_summary-error">Write a closing summary before closing the engagement.', html)
    assert 'value="2026-10-01"' in html
    assert Engagement.get_by_id(e.id).status == "active" and counts() == before


def test_close_with_summary(demo, as_user):
    client, e = as_user(demo.isp_a1), demo.engagement_a
    page = client.get(f"/engagements/{e.id}/status?action=close").get_data(as_text=True)
    assert f'value="{dt.date.today().isoformat()}"' in page  # the end date defaults to today
    response = status_post(
        client,
        e,
        "close",
        closing_summary="Core components written; unit carries on.",
        end_date=dt.date.today().isoformat(),
    )
    assert response.status_code == 302
    e = Engagement.get_by_id(e.id)
    assert e.status == "closed" and e.end_date == dt.date.today()
    assert e.closing_summary == "Core components written; unit carries on."
    html = client.get(f"/engagements/{e.id}").get_data(as_text=True)
    assert "Closing summary" in html and "Core components written" in html
    assert 'badge-closed">Closed</span>' in html.split("Status history")[1]
    assert "/status?action=" not in html  # a closed engagement offers no status action


def test_close_end_before_start_is_refused(demo, as_user):
    before = counts()
    response = status_post(
        as_user(demo.isp_a1), demo.engagement_a, "close", closing_summary="Done.", end_date="2025-01-01"
    )
    assert response.status_code == 400
    assert re.search(
        r'id="end_date-error">The end date cannot be before the start date', response.get_data(as_text=True)
    )
    assert counts() == before


@pytest.mark.parametrize("action", ["resume", "activate", "reopen", ""])
def test_action_not_open_to_the_current_status_is_refused(demo, as_user, action):
    before = counts()
    response = status_post(as_user(demo.isp_a1), demo.engagement_a, action)
    assert response.status_code == 400
    assert "The engagement is active" in response.get_data(as_text=True)
    assert counts() == before and Engagement.get_by_id(demo.engagement_a.id).status == "active"


# --- access to the writing pages -----------------------------------------------------------------------

WRITE_PAGES = ["/edit", "/status", "/status?action=pause"]


@pytest.mark.parametrize(
    "who, letter, code",
    [
        ("recipient_a", "a", 403),
        ("recipient_a", "b", 404),
        ("isp_none", "a", 404),
        ("isp_b", "a", 404),
        ("leader_foundation", "a", 403),
        ("leader_all", "c", 403),
    ],
)
def test_write_pages_access(demo, as_user, who, letter, code):
    e = getattr(demo, f"engagement_{letter}")
    client = as_user(getattr(demo, who))
    token = csrf_token(client, "/engagements")
    before = counts()
    for suffix in WRITE_PAGES:
        assert client.get(f"/engagements/{e.id}{suffix}").status_code == code, suffix
        data = {**edit_data(demo), "action": "pause", "csrf_token": token}
        assert client.post(f"/engagements/{e.id}{suffix.split('?')[0]}", data=data).status_code == code, suffix
    assert counts() == before


def test_write_pages_send_anonymous_to_sign_in(demo, client):
    for suffix in WRITE_PAGES:
        response = client.get(f"/engagements/{demo.engagement_a.id}{suffix}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    before = counts()
    response = client.post(f"/engagements/{demo.engagement_a.id}/status", data={"action": "pause"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert counts() == before


def test_supporting_isp_and_admin_may_change_status(demo, as_user):
    e = factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], supporting=[demo.isp_none])
    assert status_post(as_user(demo.isp_none), e, "pause").status_code == 302
    assert status_post(as_user(demo.admin), e, "resume").status_code == 302
    assert Engagement.get_by_id(e.id).status == "active"


# --- the engagement page: summary links, request, activity ------------------------------------------------


def test_summary_shows_edit_and_status_actions_to_editors_only(demo, as_user):
    e = demo.engagement_a
    html = as_user(demo.isp_a2).get(f"/engagements/{e.id}").get_data(as_text=True)
    assert f'href="/engagements/{e.id}/edit"' in html
    assert f'href="/engagements/{e.id}/status?action=pause"' in html
    assert f'href="/engagements/{e.id}/status?action=close"' in html
    for who in ("recipient_a", "leader_foundation"):
        html = as_user(getattr(demo, who)).get(f"/engagements/{e.id}").get_data(as_text=True)
        assert f"/engagements/{e.id}/edit" not in html and "/status" not in html


def test_engagement_from_a_request_links_to_it(demo, as_user):
    req = SupportRequest.create(unit=demo.unit_a, title="Help with replication", status="accepted")
    e = factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], request=req)
    html = as_user(demo.recipient_a).get(f"/engagements/{e.id}").get_data(as_text=True)
    assert f'From request: <a href="/requests/{req.id}">Help with replication</a>' in html
    assert "From request" not in as_user(demo.recipient_a).get(f"/engagements/{demo.engagement_a.id}").get_data(
        as_text=True
    )


def test_activity_lists_changes_in_readable_words(app, demo, as_user):
    e = demo.engagement_a
    goal = factories.goal(e)
    with acting_as(demo.isp_a2):
        goal.status = "in_progress"
        goal.save()
    html = as_user(demo.isp_a1).get(f"/engagements/{e.id}").get_data(as_text=True)
    activity = html.split('id="activity-h"')[1]
    assert "<strong>Ben ISP</strong> updated goal: status Not started → In progress" in activity
    assert "added goal “Core components written down”" in activity
    assert "co-leads: Ada ISP, Ben ISP" in activity
    assert "current stage — → Exploration" in activity
    assert activity.index("Ben ISP</strong> updated goal") < activity.index("added goal")  # newest first


def test_activity_shows_the_latest_twenty(demo, as_user):
    e = demo.engagement_a
    for i in range(25):
        factories.goal(e, title=f"Goal number {i:02d}")
    activity = as_user(demo.admin).get(f"/engagements/{e.id}").get_data(as_text=True).split('id="activity-h"')[1]
    assert activity.count("<li>") == 20
    assert "Goal number 24" in activity and "Goal number 04" not in activity


@pytest.mark.parametrize(
    "who, visible", [("recipient_a", False), ("leader_foundation", True), ("isp_a1", True), ("admin", True)]
)
def test_activity_hidden_from_recipients(demo, as_user, who, visible):
    html = as_user(getattr(demo, who)).get(f"/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    assert ('id="activity-h"' in html) is visible
    assert ("created the engagement" in html) is visible


def test_engagement_page_query_count_is_fixed(demo, as_user):
    e = demo.engagement_a
    factories.goal(e)  # one goal from the start: 1 and 31 goals with their histories
    client = as_user(demo.isp_a1)
    client.get(f"/engagements/{e.id}")
    report_cache.clear()  # both counts with the feedback glance computed afresh, as after a change
    with count_queries() as few:
        assert client.get(f"/engagements/{e.id}").status_code == 200
    for i in range(30):
        goal = factories.goal(e, title=f"Goal {i}")
        goal.status = "achieved"
        goal.save()
    e.set_isps([demo.isp_a1.id, demo.isp_b.id], [demo.isp_none.id])
    status_post(client, e, "pause", reason="Summer break")
    report_cache.clear()
    with count_queries() as many:
        assert client.get(f"/engagements/{e.id}").status_code == 200
    assert few.count == many.count


def test_isp_who_takes_themselves_off_goes_back_to_the_list(demo, as_user):
    e = demo.engagement_a
    data = edit_data(demo, co_lead_1=demo.isp_a2.id, co_lead_2=demo.isp_b.id, supporting=None)
    response = post_form(as_user(demo.isp_a1), f"/engagements/{e.id}/edit", data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/engagements")
    assert demo.isp_a1.id not in [link.user_id for link in Engagement.get_by_id(e.id).isps()]


def test_engagement_page_shows_meetings_ten_at_a_time_newest_first(demo, as_user):
    e = demo.engagement_a
    for i in range(12):  # 5 Jan (the start) .. 16 Jan 2026
        factories.meeting(e, dt.date(2026, 1, 5 + i), notes=f"Session note {i + 1:02d}")
    client = as_user(demo.isp_a1)
    first = client.get(f"/engagements/{e.id}").get_data(as_text=True)
    notes = re.findall(r"Session note (\d\d)", first)
    assert notes == [f"{n:02d}" for n in range(12, 2, -1)]  # the ten newest, newest first
    assert "Page 1 of 2" in first and "meetings_page=2#meetings-h" in first
    second = client.get(f"/engagements/{e.id}?meetings_page=2").get_data(as_text=True)
    assert re.findall(r"Session note (\d\d)", second) == ["02", "01"]
    assert "← Previous" in second and "Page 2 of 2" in second
    # a page number out of range or unreadable falls back to the nearest page, never an error
    assert re.findall(
        r"Session note (\d\d)", client.get(f"/engagements/{e.id}?meetings_page=99").get_data(as_text=True)
    ) == ["02", "01"]
    assert client.get(f"/engagements/{e.id}?meetings_page=abc").status_code == 200
