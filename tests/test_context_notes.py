"""Context notes: barriers and facilitators with their CFIR domain; add, edit, delete (confirmed), the
domain help on the form, grouping on the engagement page, and who may change them."""

import datetime as dt
import html
import re

import pytest

from tracker.catalog import cfir_domains
from tracker.models import AuditEntry, ContextNote

from . import factories
from .conftest import field_error, post_form

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=120)


@pytest.fixture
def eng(demo):
    return factories.engagement(
        demo.unit_a, [demo.isp_a1, demo.isp_a2], title="Data culture", start=START, intermediary=demo.center
    )


@pytest.fixture
def isp(demo, as_user):
    return as_user(demo.isp_a1)


def make(eng, **kwargs):
    kwargs.setdefault("kind", "barrier")
    kwargs.setdefault("domain", "inner_setting")
    kwargs.setdefault("text", "No protected time for the team")
    kwargs.setdefault("noted_on", TODAY - dt.timedelta(days=5))
    return ContextNote.create(engagement=eng, **kwargs)


def counts():
    return {"notes": ContextNote.select().count(), "audit": AuditEntry.select().count()}


def detail(client, eng):
    return client.get(f"/engagements/{eng.id}").get_data(as_text=True)


VALID = {
    "kind": "facilitator",
    "domain": "outer_setting",
    "text": "New state funding for coaching",
    "noted_on": (TODAY - dt.timedelta(days=2)).isoformat(),
}


def test_empty_state_explains_barriers_and_facilitators(eng, isp, demo, as_user):
    page = detail(isp, eng)
    assert "No barriers or facilitators noted yet." in page
    assert "Barriers are what in the context hinders the work" in page
    assert f'href="/engagements/{eng.id}/context-notes/new">Add a context note' in page
    assert "Add a context note" not in detail(as_user(demo.recipient_a), eng)


def test_the_form_explains_each_cfir_domain_and_defaults_to_today(eng, isp):
    page = html.unescape(isp.get(f"/engagements/{eng.id}/context-notes/new").get_data(as_text=True))
    assert "<h1>Add a context note</h1>" in page
    for key, name, help_text in cfir_domains():
        assert f'value="{key}"' in page and name in page and help_text in page
    assert re.search(r'<input[^>]*id="noted_on"[^>]*value="' + TODAY.isoformat(), page)
    assert re.search(r'<input autofocus[^>]*value="barrier"', page)


def test_add_a_note(eng, isp, demo):
    response = post_form(isp, f"/engagements/{eng.id}/context-notes/new", VALID)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/engagements/{eng.id}#context-h")
    note = ContextNote.get(ContextNote.engagement == eng)
    assert (note.kind, note.domain, note.text, note.noted_on.isoformat(), note.created_by_id) == (
        "facilitator",
        "outer_setting",
        "New state funding for coaching",
        VALID["noted_on"],
        demo.isp_a1.id,
    )
    page = isp.get(response.headers["Location"]).get_data(as_text=True)
    assert "Facilitator noted (Outer setting)." in page
    assert "New state funding for coaching" in page and "Outer setting" in page


def test_the_page_groups_notes_by_kind_and_shows_the_domain(eng, isp):
    make(eng, text="Turnover of the program manager", domain="process")
    make(eng, kind="facilitator", domain="individuals", text="Champions on the team")
    page = detail(isp, eng)
    section = page[page.index('id="context-h"') :]
    barriers, facilitators = section.index("Barriers"), section.index("Facilitators")
    assert barriers < section.index("Turnover of the program manager") < facilitators
    assert facilitators < section.index("Champions on the team")
    assert "Process" in section and "Individuals" in section


def test_edit_a_note(eng, isp):
    note = make(eng)
    page = isp.get(f"/engagements/{eng.id}/context-notes/{note.id}/edit").get_data(as_text=True)
    assert "<h1>Edit the context note</h1>" in page
    assert re.search(r'checked id="kind-0"[^>]*value="barrier"|id="kind-0"[^>]*checked', page)
    assert "No protected time for the team" in page
    response = post_form(
        isp,
        f"/engagements/{eng.id}/context-notes/{note.id}/edit",
        dict(VALID, kind="barrier", domain="inner_setting", text="Protected time cut to 1 h/week"),
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#context-h")
    note = ContextNote.get_by_id(note.id)
    assert (note.text, note.domain, note.noted_on.isoformat()) == (
        "Protected time cut to 1 h/week",
        "inner_setting",
        VALID["noted_on"],
    )


def test_delete_asks_for_confirmation_then_soft_deletes_and_audits(eng, isp):
    note = make(eng)
    url = f"/engagements/{eng.id}/context-notes/{note.id}/delete"
    assert f'href="{url}">Delete' in detail(isp, eng)
    page = html.unescape(isp.get(url).get_data(as_text=True))
    assert "Delete this barrier?" in page and "No protected time for the team" in page
    assert f'action="{url}"' in page
    assert ContextNote.select().count() == 1

    response = post_form(isp, url, {})
    assert response.status_code == 302 and response.headers["Location"].endswith("#context-h")
    assert ContextNote.live().count() == 0  # kept, soft-deleted: an administrator can restore it
    assert ContextNote.get_by_id(note.id).deleted_at is not None
    assert (
        AuditEntry.select()
        .where(
            (AuditEntry.entity == "ContextNote") & (AuditEntry.entity_id == note.id) & (AuditEntry.action == "delete")
        )
        .count()
        == 1
    )


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"domain": "weather"}, "domain", "Choose one of the five CFIR domains."),
        ({"domain": ""}, "domain", "Choose one of the five CFIR domains."),
        ({"kind": "weather"}, "kind", "Choose barrier or facilitator."),
        ({"kind": ""}, "kind", "Choose barrier or facilitator."),
        ({"text": "   "}, "text", "Write the note."),
        ({"noted_on": ""}, "noted_on", "Enter a date."),
        ({"noted_on": "20-11-2026"}, "noted_on", "YYYY-MM-DD"),
    ],
)
def test_invalid_notes_are_refused_next_to_the_field(eng, isp, changes, field, message):
    before = counts()
    response = post_form(isp, f"/engagements/{eng.id}/context-notes/new", dict(VALID, **changes))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_error(page, field) == message or message in field_error(page, field)
    if field != "text":
        assert "New state funding for coaching" in page  # the typed note is kept
    assert counts() == before


def test_an_invalid_edit_changes_nothing(eng, isp):
    note = make(eng)
    before = counts()
    response = post_form(isp, f"/engagements/{eng.id}/context-notes/{note.id}/edit", dict(VALID, domain="weather"))
    assert response.status_code == 400
    assert counts() == before
    assert ContextNote.get_by_id(note.id).domain == "inner_setting"


def test_a_note_of_another_engagement_is_not_found(demo, eng, isp):
    other = make(demo.engagement_a)
    before = counts()
    for action in ("edit", "delete"):
        url = f"/engagements/{eng.id}/context-notes/{other.id}/{action}"
        assert isp.get(url).status_code == 404
        assert post_form(isp, url, VALID, token_from=f"/engagements/{eng.id}/context-notes/new").status_code == 404
    assert counts() == before


@pytest.mark.parametrize(
    "who, status",
    [("recipient_a", 403), ("leader_foundation", 403), ("recipient_b", 404), ("isp_none", 404), ("isp_b", 404)],
)
def test_only_the_engagements_isps_may_change_context_notes(demo, eng, as_user, who, status):
    note = make(eng)
    client = as_user(getattr(demo, who))
    before = counts()
    for url in (
        f"/engagements/{eng.id}/context-notes/new",
        f"/engagements/{eng.id}/context-notes/{note.id}/edit",
        f"/engagements/{eng.id}/context-notes/{note.id}/delete",
    ):
        assert client.get(url).status_code == status, url
        assert post_form(client, url, VALID, token_from="/").status_code == status, url
    assert counts() == before


def test_anonymous_users_are_sent_to_sign_in(eng, client):
    note = make(eng)
    for url in (f"/engagements/{eng.id}/context-notes/new", f"/engagements/{eng.id}/context-notes/{note.id}/delete"):
        for response in (client.get(url), client.post(url, data=VALID)):
            assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert ContextNote.select().count() == 1
