"""Deliverables of an engagement: add, edit, mark delivered, delete (with confirmation), safe links,
overdue badges, and who may change them."""

import datetime as dt
import re

import pytest

from tracker.models import AuditEntry, Deliverable

from . import factories
from .conftest import field_error, post_form

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=120)


@pytest.fixture
def eng(demo):
    return factories.engagement(
        demo.unit_a, [demo.isp_a1, demo.isp_a2], title="Scaling study", start=START, intermediary=demo.center
    )


@pytest.fixture
def isp(demo, as_user):
    return as_user(demo.isp_a1)


def make(eng, **kwargs):
    kwargs.setdefault("title", "Core components written up")
    kwargs.setdefault("kind", "core_components")
    return Deliverable.create(engagement=eng, **kwargs)


def counts():
    return {"deliverables": Deliverable.select().count(), "audit": AuditEntry.select().count()}


def detail(client, eng):
    return client.get(f"/engagements/{eng.id}").get_data(as_text=True)


VALID = {
    "title": "Stage-based guidance for the pilot",
    "kind": "stage_guidance",
    "due_on": "",
    "delivered_on": "",
    "link": "https://docs.example.org/guide",
    "note": "Draft shared in March",
}


def test_empty_state_and_add_link_for_editors(eng, isp, demo, as_user):
    page = detail(isp, eng)
    assert "No deliverables agreed yet." in page
    assert f'href="/engagements/{eng.id}/deliverables/new">Add a deliverable' in page
    assert "Add a deliverable" not in detail(as_user(demo.recipient_a), eng)


def test_add_a_deliverable(eng, isp):
    page = isp.get(f"/engagements/{eng.id}/deliverables/new").get_data(as_text=True)
    assert "<h1>Add a deliverable</h1>" in page
    assert "Operationalized core components" in page  # the kinds are offered

    due = (TODAY + dt.timedelta(days=30)).isoformat()
    response = post_form(isp, f"/engagements/{eng.id}/deliverables/new", dict(VALID, due_on=due))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/engagements/{eng.id}#deliverables-h")
    d = Deliverable.get(Deliverable.engagement == eng)
    assert (d.title, d.kind, d.due_on.isoformat(), d.delivered_on, d.link, d.note) == (
        VALID["title"],
        "stage_guidance",
        due,
        None,
        VALID["link"],
        "Draft shared in March",
    )

    page = isp.get(response.headers["Location"]).get_data(as_text=True)
    assert "Deliverable added" in page
    link = re.search(r'<a href="https://docs.example.org/guide"[^>]*>', page).group(0)
    assert 'target="_blank"' in link and "noopener" in link
    assert "Overdue" not in page


def test_edit_a_deliverable(eng, isp):
    d = make(eng)
    page = isp.get(f"/engagements/{eng.id}/deliverables/{d.id}/edit").get_data(as_text=True)
    assert "<h1>Edit the deliverable</h1>" in page and 'value="Core components written up"' in page
    response = post_form(
        isp,
        f"/engagements/{eng.id}/deliverables/{d.id}/edit",
        dict(VALID, title="Core components, version 2", kind="core_components", link=""),
    )
    assert response.status_code == 302
    d = Deliverable.get_by_id(d.id)
    assert (d.title, d.link) == ("Core components, version 2", "")
    entry = AuditEntry.select().where((AuditEntry.entity == "Deliverable") & (AuditEntry.action == "update")).get()
    assert entry.change_map["title"] == ["Core components written up", "Core components, version 2"]


def test_overdue_deliverables_get_a_badge_until_marked_delivered(eng, isp):
    d = make(eng, due_on=TODAY - dt.timedelta(days=3))
    page = detail(isp, eng)
    assert 'class="overdue"' in page and "badge-overdue" in page and "Overdue" in page

    form = isp.get(f"/engagements/{eng.id}/deliverables/{d.id}/deliver").get_data(as_text=True)
    assert "<h1>Mark delivered</h1>" in form
    date_input = re.search(r'<input[^>]*id="delivered_on"[^>]*>', form).group(0)
    assert f'value="{TODAY.isoformat()}"' in date_input and "autofocus" in date_input

    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    response = post_form(
        isp,
        f"/engagements/{eng.id}/deliverables/{d.id}/deliver",
        {"delivered_on": yesterday, "link": "http://intranet.example.org/cc"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#deliverables-h")
    d = Deliverable.get_by_id(d.id)
    assert d.delivered_on.isoformat() == yesterday and d.link == "http://intranet.example.org/cc"
    page = detail(isp, eng)
    assert "Overdue" not in page and "Mark delivered" not in page


def test_delete_asks_for_confirmation_then_soft_deletes_and_audits(eng, isp):
    d = make(eng)
    url = f"/engagements/{eng.id}/deliverables/{d.id}/delete"
    assert f'href="{url}">Delete' in detail(isp, eng)
    page = isp.get(url).get_data(as_text=True)
    assert "Delete this deliverable?" in page and "Core components written up" in page
    assert f'action="{url}"' in page and "Delete the deliverable" in page
    assert Deliverable.select().count() == 1  # the GET changes nothing

    response = post_form(isp, url, {})
    assert response.status_code == 302 and response.headers["Location"].endswith("#deliverables-h")
    assert Deliverable.live().where(Deliverable.id == d.id).count() == 0
    assert Deliverable.get_by_id(d.id).deleted_at is not None  # kept: an administrator can restore it
    entry = (
        AuditEntry.select()
        .where((AuditEntry.entity == "Deliverable") & (AuditEntry.entity_id == d.id) & (AuditEntry.action == "delete"))
        .get()
    )
    assert entry.engagement_id == eng.id
    assert "No deliverables agreed yet." in detail(isp, eng)


def test_delete_without_a_valid_token_is_refused(eng, isp):
    d = make(eng)
    response = isp.post(f"/engagements/{eng.id}/deliverables/{d.id}/delete", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert Deliverable.select().count() == 1


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        " JavaScript:alert(document.cookie)",
        "data:text/html,<b>x</b>",
        "ftp://files.example.org/a",
        "https://",
        "//evil.example.org",
        "www.example.org",
        "https://exa mple.org",
    ],
)
def test_unsafe_or_non_web_links_are_refused(eng, isp, link):
    before = counts()
    response = post_form(isp, f"/engagements/{eng.id}/deliverables/new", dict(VALID, link=link))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "starting with http:// or https://" in field_error(page, "link")
    assert 'value="Stage-based guidance for the pilot"' in page  # the typed input is kept
    assert counts() == before


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"title": "  "}, "title", "Name the deliverable."),
        ({"kind": "weather"}, "kind", "Choose one of the kinds"),
        ({"due_on": "2026-02-30"}, "due_on", "YYYY-MM-DD"),
        ({"delivered_on": (TODAY + dt.timedelta(days=2)).isoformat()}, "delivered_on", "and today ("),
        ({"title": "x" * 301}, "title", "At most 300 characters."),
    ],
)
def test_invalid_deliverables_are_refused_next_to_the_field(eng, isp, changes, field, message):
    before = counts()
    response = post_form(isp, f"/engagements/{eng.id}/deliverables/new", dict(VALID, **changes))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in field_error(page, field)
    assert "Draft shared in March" in page
    assert counts() == before


def test_invalid_edit_and_delivery_write_nothing(eng, isp):
    d = make(eng, link="https://example.org/cc")
    before = counts()
    response = post_form(
        isp, f"/engagements/{eng.id}/deliverables/{d.id}/edit", dict(VALID, link="javascript:alert(1)")
    )
    assert response.status_code == 400 and "javascript:alert(1)" in response.get_data(as_text=True)
    response = post_form(isp, f"/engagements/{eng.id}/deliverables/{d.id}/deliver", {"delivered_on": ""})
    assert response.status_code == 400
    assert "Enter the date it was delivered." in field_error(response.get_data(as_text=True), "delivered_on")
    assert counts() == before
    d = Deliverable.get_by_id(d.id)
    assert (d.title, d.link, d.delivered_on) == ("Core components written up", "https://example.org/cc", None)


def test_a_deliverable_of_another_engagement_is_not_found(demo, eng, isp):
    other = make(demo.engagement_a)  # isp_a1 may edit engagement A too, but not through this engagement
    before = counts()
    token_from = f"/engagements/{eng.id}/deliverables/new"
    for action in ("edit", "deliver", "delete"):
        url = f"/engagements/{eng.id}/deliverables/{other.id}/{action}"
        assert isp.get(url).status_code == 404
        assert (
            post_form(isp, url, dict(VALID, delivered_on=TODAY.isoformat()), token_from=token_from).status_code == 404
        )
    assert counts() == before


@pytest.mark.parametrize(
    "who, status",
    [("recipient_a", 403), ("leader_foundation", 403), ("recipient_b", 404), ("isp_none", 404), ("isp_b", 404)],
)
def test_only_the_engagements_isps_may_change_deliverables(demo, eng, as_user, who, status):
    d = make(eng)
    client = as_user(getattr(demo, who))
    before = counts()
    for url in (
        f"/engagements/{eng.id}/deliverables/new",
        f"/engagements/{eng.id}/deliverables/{d.id}/edit",
        f"/engagements/{eng.id}/deliverables/{d.id}/deliver",
        f"/engagements/{eng.id}/deliverables/{d.id}/delete",
    ):
        assert client.get(url).status_code == status, url
        assert post_form(client, url, dict(VALID, delivered_on=TODAY.isoformat()), token_from="/").status_code == status
    assert counts() == before


def test_anonymous_users_are_sent_to_sign_in(eng, client):
    d = make(eng)
    for url in (f"/engagements/{eng.id}/deliverables/new", f"/engagements/{eng.id}/deliverables/{d.id}/delete"):
        for response in (client.get(url), client.post(url, data=VALID)):
            assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert Deliverable.select().count() == 1
