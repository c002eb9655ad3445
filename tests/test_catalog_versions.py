"""Catalog entries are added and retired as new versions, and a rename confirms with the new name
(issue 18): a new wording is a new entry that replaces the old one (kept, retired), so meetings logged
before still show what was recorded and new forms offer only the current entries."""

import pytest

from tracker.models import AuditEntry, Competency, CompetencyDomain, MeetingCompetency, Principle, Strategy

from . import factories
from .conftest import field_error, post_form


def html(response):
    return response.get_data(as_text=True)


@pytest.fixture
def admin(demo, as_user):
    return as_user(demo.admin)


def new_meeting_page(client, demo):
    return html(client.get(f"/engagements/{demo.engagement_a.id}/meetings/new"))


def test_a_rename_makes_a_new_version_and_confirms_with_the_new_name(demo, admin):
    old = Competency.select().where(~Competency.retired).order_by(Competency.id).first()
    meeting = factories.meeting(demo.engagement_a, competencies=[old.key])
    url = f"/admin/catalog/competencies/{old.id}/edit"
    response = post_form(admin, url, {"name": "Facilitation of teams", "help": "Guiding a group's work."})
    assert response.status_code == 302
    catalog = html(admin.get(response.location))
    assert f"Renamed to “Facilitation of teams” (a new version; records logged as “{old.name}” keep that name)." in (
        catalog.replace("&#39;", "'")
    )
    assert "replaced by “Facilitation of teams”" in catalog and "Earlier version" in catalog

    new = Competency.get(Competency.replaces == old.id)
    kept = Competency.get_by_id(old.id)
    assert (kept.name, kept.retired) == (old.name, True)
    assert (new.name, new.help, new.retired, new.domain_id, new.position) == (
        "Facilitation of teams",
        "Guiding a group's work.",
        False,
        old.domain_id,
        old.position,
    )
    # the meeting logged before still shows (and points at) what was recorded
    assert MeetingCompetency.get(MeetingCompetency.meeting == meeting.id).competency_id == old.id
    meeting_page = html(admin.get(f"/engagements/{demo.engagement_a.id}/meetings/{meeting.id}"))
    assert old.name.replace("'", "&#39;") in meeting_page and "Facilitation of teams" not in meeting_page
    # a new meeting offers the current version only
    form = new_meeting_page(admin, demo)
    assert "Facilitation of teams" in form
    assert f'name="competencies" value="{new.id}"' in form and f'name="competencies" value="{old.id}"' not in form
    # both through the audit log
    entries = {(e.action, e.entity_id) for e in AuditEntry.select().where(AuditEntry.entity == "Competency")}
    assert {("update", old.id), ("create", new.id)} <= entries


def test_the_earlier_version_points_at_the_newer_one_and_cannot_be_edited(demo, admin):
    old = Strategy.select().where(~Strategy.retired).order_by(Strategy.id).first()
    post_form(admin, f"/admin/catalog/strategies/{old.id}/edit", {"name": "Audit and feedback, monthly", "help": ""})
    new = Strategy.get(Strategy.replaces == old.id)
    page = html(admin.get(f"/admin/catalog/strategies/{old.id}/edit"))
    assert "A newer version replaced this one" in page
    assert f'href="/admin/catalog/strategies/{new.id}/edit"' in page and "<form" not in page.split("<main")[-1]
    response = post_form(
        admin, f"/admin/catalog/strategies/{old.id}/edit", {"name": "Again", "help": ""}, token_from="/admin/"
    )
    assert response.status_code == 400
    assert Strategy.select().where(Strategy.replaces == old.id).count() == 1
    # the newer version says which one it replaced; a second rename makes a third version
    assert f"This version replaced “{old.name}”" in html(admin.get(f"/admin/catalog/strategies/{new.id}/edit"))
    post_form(admin, f"/admin/catalog/strategies/{new.id}/edit", {"name": "Audit and feedback", "help": ""})
    third = Strategy.get(Strategy.replaces == new.id)
    assert third.key != new.key != old.key and not third.retired


def test_retiring_changes_the_entry_itself(demo, admin):
    entry = Principle.select().where(~Principle.retired).order_by(Principle.id).first()
    url = f"/admin/catalog/principles/{entry.id}/edit"
    response = post_form(admin, url, {"name": entry.name, "help": entry.help, "retired": "y"})
    assert response.status_code == 302
    assert f"Saved the principle “{entry.name}”." in html(admin.get(response.location)).replace("&#39;", "'")
    assert Principle.get_by_id(entry.id).retired
    assert not Principle.select().where(Principle.replaces == entry.id).exists()
    assert "Retired" in html(admin.get("/admin/catalog"))


def test_an_admin_adds_a_competency_that_new_meetings_offer(demo, admin):
    domain = CompetencyDomain.select().order_by(CompetencyDomain.id).first()
    catalog = html(admin.get("/admin/catalog"))
    add = f"/admin/catalog/competencies/new?in={domain.id}"
    assert add.replace("?", "?") in catalog.replace("&amp;", "&")
    page = html(admin.get(add))
    assert "New competency" in page and f'<option selected value="{domain.id}">' in page

    # refused: next to the field, typed input kept
    response = post_form(admin, "/admin/catalog/competencies/new", {"parent": "", "name": "Storytelling"}, add)
    assert response.status_code == 400
    assert field_error(html(response), "parent") == "Choose the domain it belongs to."
    assert 'value="Storytelling"' in html(response)

    response = post_form(
        admin,
        "/admin/catalog/competencies/new",
        {"parent": str(domain.id), "name": "Storytelling", "help": "Using stories to make data speak."},
        add,
    )
    assert response.status_code == 302
    assert "Added the competency “Storytelling”: new forms offer it from now on." in html(admin.get(response.location))
    added = Competency.get(Competency.name == "Storytelling")
    assert added.domain_id == domain.id and added.key == "storytelling" and not added.retired
    assert "Storytelling" in new_meeting_page(admin, demo)
    assert AuditEntry.select().where((AuditEntry.entity == "Competency") & (AuditEntry.entity_id == added.id)).exists()


def test_an_admin_adds_a_strategy_and_a_principle(demo, admin):
    strategy = Strategy.select().first()
    response = post_form(
        admin,
        "/admin/catalog/strategies/new",
        {"parent": str(strategy.cluster_id), "name": "Peer learning circles", "help": ""},
    )
    assert response.status_code == 302
    added = Strategy.get(Strategy.name == "Peer learning circles")
    assert added.cluster_id == strategy.cluster_id
    assert added.number == max(s.number for s in Strategy.select())
    response = post_form(admin, "/admin/catalog/principles/new", {"name": "Be humble", "help": ""})
    assert response.status_code == 302 and Principle.get(Principle.name == "Be humble").key == "be_humble"
    response = post_form(admin, "/admin/catalog/principles/new", {"name": " ", "help": ""})
    assert response.status_code == 400 and field_error(html(response), "name") == "Give it a name."
    assert admin.get("/admin/catalog/widgets/new").status_code == 404
