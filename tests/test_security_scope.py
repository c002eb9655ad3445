"""Issue 16, scope: a leader saved with "No organization" silently read everything; every signed-in
user (recipients included) listed every organization and unit through the API; with two intermediaries,
one's ISPs and leaders read the other's request queue. Each attack replayed, on pages and the API."""

import datetime as dt

import pytest

from tracker.db import database
from tracker.models import SupportRequest, User
from tracker.schema import migration_modules

from . import factories
from .api_helpers import Api
from .conftest import post_form


def _request(unit, title, intermediary=None):
    return SupportRequest.create(unit=unit, title=title, description="What", for_whom="Whom", intermediary=intermediary)


# --- a leader's "reads every organization" is an admin's explicit choice ---------------------------


def test_a_leader_with_no_organization_and_no_flag_reads_nothing(client, demo, as_user):
    stray = factories.user("leader", "stray@example.org", "Stray Leader")  # "No organization", no flag
    assert stray.reads_all_organizations is False
    request = _request(demo.unit_a, "Addressed to the centre")
    page = as_user(stray)
    assert page.get(f"/engagements/{demo.engagement_a.id}").status_code == 404
    assert page.get(f"/requests/{request.id}").status_code == 404
    assert "Your account reads no organization yet" in page.get("/engagements").get_data(as_text=True)
    for title in ("Engagement A", "Engagement B", "Engagement C"):
        assert title not in page.get("/engagements").get_data(as_text=True)
        assert title not in page.get("/reports/progress").get_data(as_text=True)
    api = Api(client, stray)
    assert api.get("/engagements").get_json()["total"] == 0
    assert api.get("/requests").get_json()["total"] == 0
    assert api.get(f"/engagements/{demo.engagement_a.id}").status_code == 404
    assert api.get("/organizations").get_json()["total"] == 0
    assert api.get("/units").get_json()["total"] == 0


def test_the_admin_flag_grants_every_organization(client, demo, as_user):
    stray = factories.user("leader", "stray@example.org", "Stray Leader")
    admin = as_user(demo.admin)
    response = post_form(
        admin,
        f"/admin/users/{stray.id}/edit",
        {
            "name": stray.name,
            "role": "leader",
            "reads_all_organizations": "y",
            "is_active": "y",
            "version": stray.version,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    stray = User.get_by_id(stray.id)
    assert stray.reads_all_organizations is True
    assert as_user(stray).get(f"/engagements/{demo.engagement_c.id}").status_code == 200
    api = Api(client, stray)
    assert api.get("/engagements").get_json()["total"] == 3
    assert api.get("/organizations").get_json()["total"] == 3


def test_the_flag_is_for_leaders_only_on_the_admin_form(demo, as_user):
    response = post_form(
        as_user(demo.admin),
        f"/admin/users/{demo.isp_b.id}/edit",
        {
            "name": demo.isp_b.name,
            "role": "isp",
            "organization": str(demo.center.id),
            "reads_all_organizations": "y",
            "is_active": "y",
            "version": demo.isp_b.version,
        },
    )
    assert response.status_code == 400
    assert "Only leaders may read every organization." in response.get_data(as_text=True)
    assert User.get_by_id(demo.isp_b.id).reads_all_organizations is False


@pytest.fixture
def before_0011(empty_app):
    """A database migrated up to, not including, 0011 (on PostgreSQL the shared one, rebuilt after)."""
    modules = dict(migration_modules())
    for number in sorted(n for n in modules if n < 11):
        with database.atomic():
            modules[number].up(database)
    return empty_app, modules[11]


def _insert(table, **values):
    p = database.param
    columns = ", ".join(f'"{c}"' for c in values)
    database.execute_sql(
        f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join([p] * len(values))})', tuple(values.values())
    )
    return database.execute_sql(f'SELECT MAX("id") FROM "{table}"').fetchone()[0]


def test_migration_0011_keeps_existing_org_less_leaders_reading_everything(before_0011):
    """The backfill: a leader who read everything before the upgrade still does, now said explicitly;
    existing requests go to the intermediary (the accepted one's engagement's, else the first)."""
    _, migration = before_0011
    now = dt.datetime(2026, 1, 5, 9, 0)
    centre = _insert("organization", name="Centre", kind="intermediary", created_at=now)
    _insert("organization", name="Later Centre", kind="intermediary", created_at=now)
    funder = _insert("organization", name="Funder", kind="recipient", created_at=now)
    unit = _insert("unit", organization_id=funder, name="Unit", created_at=now)
    people = {}
    for key, organization in (("all", None), ("funder", funder)):
        people[key] = _insert(
            "user",
            email=f"{key}@example.org",
            name=key,
            role="leader",
            password_hash="",
            organization_id=organization,
            is_active=True,
            session_token=f"token-{key}",
            created_at=now,
        )
    text = dict.fromkeys(("description", "for_whom", "urgency_note", "info_question", "info_answer"), "")
    request = _insert(
        "support_request",
        unit_id=unit,
        title="Old",
        on_behalf_of="",
        urgent=False,
        status="submitted",
        decline_reason="",
        created_at=now,
        **text,
    )
    with database.atomic():
        migration.up(database)
    migration.up(database)  # idempotent
    flags = dict(database.execute_sql('SELECT "id", "reads_all_organizations" FROM "user"').fetchall())
    assert bool(flags[people["all"]]) is True and bool(flags[people["funder"]]) is False
    addressed = database.execute_sql(f'SELECT "intermediary_id" FROM "support_request" WHERE "id" = {int(request)}')
    assert addressed.fetchone()[0] == centre


# --- the directory through the API ---------------------------------------------------------------


def _names(api, url):
    response = api.get(url, per_page=100)
    assert response.status_code == 200
    return {row["name"] for row in response.get_json()["items"]}


def test_api_directory_is_scoped_per_role(client, demo):
    every_org = {"Implementation Centre", "Foundation", "Other Funder"}
    every_unit = {"Unit A", "Unit B", "Unit C"}
    assert _names(Api(client, demo.admin), "/organizations") == every_org
    assert _names(Api(client, demo.isp_none), "/units") == every_unit  # ISPs start engagements for any unit
    recipient = Api(client, demo.recipient_a)
    assert _names(recipient, "/organizations") == {"Foundation"}
    assert _names(recipient, "/units") == {"Unit A"}
    assert {r["name"] for r in recipient.get("/units", organization_id=demo.other.id).get_json()["items"]} == set()
    other = Api(client, demo.leader_other)
    assert _names(other, "/organizations") == {"Other Funder"}
    assert _names(other, "/units") == {"Unit C"}
    foundation = Api(client, demo.leader_foundation)
    assert _names(foundation, "/units") == {"Unit A", "Unit B"}
    # the centre's director sees the units it supports, not a unit it has nothing to do with
    director = factories.user("leader", "director@example.org", "Dir Leader", organization=demo.center)
    lone = factories.unit(demo.other, "Unit D")
    assert _names(Api(client, director), "/units") == every_unit
    assert lone.name not in _names(Api(client, director), "/units")
    assert _names(Api(client, director), "/organizations") == every_org


# --- two intermediaries: each reads its own request queue only ------------------------------------


@pytest.fixture
def two_centres(demo):
    rival = factories.organization("Rival Centre", kind="intermediary")
    demo.rival_isp = factories.user("isp", "rival.isp@example.org", "Rex ISP", organization=rival)
    demo.rival_leader = factories.user("leader", "rival.lead@example.org", "Rae Rival", organization=rival)
    demo.center_leader = factories.user("leader", "centre.lead@example.org", "Cy Centre", organization=demo.center)
    demo.rival = rival
    demo.ours = _request(demo.unit_a, "For the centre", intermediary=demo.center)
    demo.theirs = _request(demo.unit_b, "For the rival", intermediary=rival)
    return demo


def test_two_intermediaries_cannot_read_each_others_queue_on_pages(two_centres, as_user):
    w = two_centres
    for reader, mine, other in (
        (w.isp_a1, w.ours, w.theirs),
        (w.center_leader, w.ours, w.theirs),
        (w.rival_isp, w.theirs, w.ours),
        (w.rival_leader, w.theirs, w.ours),
    ):
        page = as_user(reader)
        queue = page.get("/requests?status=all").get_data(as_text=True)
        assert mine.title in queue and other.title not in queue, reader.name
        assert page.get(f"/requests/{mine.id}").status_code == 200
        assert page.get(f"/requests/{other.id}").status_code == 404
    # triage of the other's request: refused as unknown, nothing changes
    response = post_form(
        as_user(w.rival_isp),
        f"/requests/{w.ours.id}/decline",
        {"decline_reason": "Not ours"},
        f"/requests/{w.theirs.id}",
    )
    assert response.status_code == 404
    assert SupportRequest.get_by_id(w.ours.id).status == "submitted"


def test_two_intermediaries_cannot_read_each_others_queue_on_the_api(client, two_centres):
    w = two_centres
    for reader, mine, other in ((w.isp_b, w.ours, w.theirs), (w.rival_isp, w.theirs, w.ours)):
        api = Api(client, reader)
        assert [r["id"] for r in api.get("/requests").get_json()["items"]] == [mine.id]
        assert api.get(f"/requests/{other.id}").status_code == 404
        assert api.post(f"/requests/{other.id}/decline", json={"reason": "Not ours"}).status_code == 404
    assert SupportRequest.get_by_id(w.ours.id).status == "submitted"
    assert SupportRequest.get_by_id(w.theirs.id).status == "submitted"
    assert {r["id"] for r in Api(client, w.admin).get("/requests").get_json()["items"]} == {w.ours.id, w.theirs.id}


def test_a_request_is_addressed_to_one_intermediary(client, two_centres, as_user):
    w = two_centres
    page = as_user(w.recipient_a)
    form = page.get("/requests/new").get_data(as_text=True)
    assert "Rival Centre" in form and "Implementation Centre" in form  # chosen when several exist
    data = {"title": "Needs a centre", "description": "What", "for_whom": "Whom", "on_behalf": "internal"}
    response = post_form(page, "/requests/new", data)
    assert response.status_code == 400
    assert "Choose the intermediary organization the request is addressed to." in response.get_data(as_text=True)
    assert not SupportRequest.select().where(SupportRequest.title == "Needs a centre").exists()
    response = post_form(page, "/requests/new", {**data, "intermediary": str(w.rival.id)})
    assert response.status_code == 302
    assert SupportRequest.get(SupportRequest.title == "Needs a centre").intermediary_id == w.rival.id
    api = Api(client, w.recipient_a)
    body = {"title": "By API", "description": "What", "for_whom": "Whom"}
    response = api.post("/requests", json=body)
    assert response.status_code == 400
    assert "intermediary_id" in response.get_json()["error"]["fields"]
    response = api.post("/requests", json={**body, "intermediary_id": w.foundation.id})  # not an intermediary
    assert response.status_code == 400
    response = api.post("/requests", json={**body, "intermediary_id": w.center.id})
    assert response.status_code == 201 and response.get_json()["intermediary_id"] == w.center.id


def test_with_one_intermediary_requests_go_to_it(client, demo, as_user):
    page = as_user(demo.recipient_a)
    assert "Addressed to" not in page.get("/requests/new").get_data(as_text=True)
    data = {"title": "Defaulted", "description": "What", "for_whom": "Whom", "on_behalf": "internal"}
    assert post_form(page, "/requests/new", data).status_code == 302
    assert SupportRequest.get(SupportRequest.title == "Defaulted").intermediary_id == demo.center.id
