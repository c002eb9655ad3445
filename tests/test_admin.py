"""The admin area: users, the audit log and the catalog (administrators only)."""

import datetime as dt

import pytest
from playhouse.test_utils import count_queries

from tracker.models import (
    AuditEntry,
    BenchmarkTemplate,
    Competency,
    Goal,
    MeetingCompetency,
    Principle,
    Stage,
    Strategy,
    User,
)

from . import factories
from .conftest import field_error, post_form


def html(response):
    return response.get_data(as_text=True)


@pytest.fixture
def admin(demo, as_user):
    return as_user(demo.admin)


# --- access ---------------------------------------------------------------------------------------


def admin_urls(demo):
    competency = Competency.select().first()
    strategy = Strategy.select().first()
    principle = Principle.select().first()
    template = BenchmarkTemplate.select().first()
    stage = Stage.select().first()
    uid = demo.isp_a1.id
    return [
        ("get", "/admin/"),
        ("get", "/admin/users"),
        ("get", "/admin/users/new"),
        ("post", "/admin/users/new"),
        ("get", f"/admin/users/{uid}/edit"),
        ("post", f"/admin/users/{uid}/edit"),
        ("get", f"/admin/users/{uid}/password"),
        ("post", f"/admin/users/{uid}/password"),
        ("get", f"/admin/users/{uid}/sign-out-everywhere"),
        ("post", f"/admin/users/{uid}/sign-out-everywhere"),
        ("get", "/admin/audit"),
        ("get", "/admin/catalog"),
        ("get", "/admin/catalog/competencies/new"),
        ("post", "/admin/catalog/strategies/new"),
        ("post", f"/admin/users/{uid}/send-link"),
        ("get", f"/admin/catalog/competencies/{competency.id}/edit"),
        ("post", f"/admin/catalog/competencies/{competency.id}/edit"),
        ("get", f"/admin/catalog/strategies/{strategy.id}/edit"),
        ("post", f"/admin/catalog/strategies/{strategy.id}/edit"),
        ("get", f"/admin/catalog/principles/{principle.id}/edit"),
        ("get", f"/admin/catalog/benchmarks/{template.id}/edit"),
        ("post", f"/admin/catalog/benchmarks/{template.id}/edit"),
        ("get", f"/admin/catalog/stages/{stage.id}/benchmarks/new"),
        ("post", f"/admin/catalog/stages/{stage.id}/benchmarks/new"),
    ]


@pytest.mark.parametrize("who", ["isp_a1", "leader_all", "leader_foundation", "recipient_a"])
def test_non_admins_get_403_everywhere(demo, as_user, who):
    client = as_user(getattr(demo, who))
    for method, url in admin_urls(demo):
        assert getattr(client, method)(url).status_code == 403, (method, url)
    assert ">Admin</a>" not in html(client.get("/"))


def test_anonymous_is_sent_to_sign_in(demo, client):
    for method, url in admin_urls(demo):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)


def test_admin_sees_nav_link_and_index(admin):
    page = html(admin.get("/"))
    assert ">Admin</a>" in page
    index = html(admin.get("/admin/"))
    assert "/admin/users" in index and "/admin/audit" in index and "/admin/catalog" in index


# --- users ----------------------------------------------------------------------------------------


def test_user_list_shows_role_unit_and_filters(demo, admin):
    page = html(admin.get("/admin/users"))
    assert "Rae Recipient" in page and "Unit A" in page and "Implementation support practitioner" in page
    only_recipients = html(admin.get("/admin/users?role=recipient"))
    assert "Rae Recipient" in only_recipients and "Ada ISP" not in only_recipients
    search = html(admin.get("/admin/users?q=ADA"))
    assert "Ada ISP" in search and "Ben ISP" not in search
    assert "No users match" in html(admin.get("/admin/users?q=nobody-at-all"))
    assert admin.get("/admin/users?role=zzz&page=abc").status_code == 200


def test_user_list_is_paginated(demo, admin):
    for i in range(30):
        factories.user("isp", f"extra{i:02d}@example.org", f"Zed Extra {i:02d}")
    first = html(admin.get("/admin/users"))
    assert "Page 1 of 2" in first
    second = html(admin.get("/admin/users?page=2"))
    assert "Zed Extra 29" in second and "Zed Extra 29" not in first


def test_create_user(demo, admin):
    """The admin invites: no password on the form; the person has none until they set theirs."""
    assert 'name="password"' not in html(admin.get("/admin/users/new"))
    response = post_form(
        admin,
        "/admin/users/new",
        {
            "email": "New.Person@Example.org",
            "name": "Nia New",
            "role": "recipient",
            "unit": str(demo.unit_b.id),
            "organization": "",
        },
    )
    assert response.status_code == 302
    user = User.get(User.email == "new.person@example.org")
    assert user.name == "Nia New" and user.unit_id == demo.unit_b.id
    assert user.organization_id == demo.foundation.id  # from the unit, as create-user does
    assert user.password_hash == "" and not user.check_password("")
    assert "Nia New" in html(admin.get("/admin/users"))


def test_create_user_refused_keeps_input(demo, admin):
    before = User.select().count()
    response = post_form(
        admin,
        "/admin/users/new",
        {"email": "no-at-sign", "name": "", "role": "recipient", "unit": "", "organization": ""},
    )
    assert response.status_code == 400
    page = html(response)
    assert field_error(page, "email") == "Enter a valid email address, like name@example.org."
    assert field_error(page, "name") == "Enter the person's name."
    assert field_error(page, "unit") == "A recipient belongs to a unit."
    assert 'value="no-at-sign"' in page
    assert User.select().count() == before


def test_create_user_duplicate_email_and_unknown_ids(demo, admin):
    before = User.select().count()
    response = post_form(
        admin,
        "/admin/users/new",
        {
            "email": "isp.a1@example.org",
            "name": "Copy",
            "role": "isp",
            "unit": str(demo.unit_a.id),
            "organization": "",
        },
    )
    assert response.status_code == 400
    assert field_error(html(response), "email") == "A user with the email isp.a1@example.org already exists."
    assert field_error(html(response), "unit") == "Only recipients belong to a unit."
    response = post_form(
        admin,
        "/admin/users/new",
        {
            "email": "x@example.org",
            "name": "X",
            "role": "wizard",
            "unit": "99999",
            "organization": "abc",
        },
        token_from="/admin/users/new",
    )
    assert response.status_code == 400
    page = html(response)
    for field in ("role", "unit", "organization"):
        assert field_error(page, field), field
    assert User.select().count() == before


def test_edit_user(demo, admin):
    url = f"/admin/users/{demo.isp_b.id}/edit"
    assert "Cai ISP" in html(admin.get(url))
    response = post_form(
        admin, url, {"name": "Cai Leader", "role": "leader", "unit": "", "organization": str(demo.foundation.id)}
    )  # is_active unticked
    assert response.status_code == 302
    user = User.get_by_id(demo.isp_b.id)
    assert (user.name, user.role, user.organization_id, user.is_active) == (
        "Cai Leader",
        "leader",
        demo.foundation.id,
        False,
    )
    entry = (
        AuditEntry.select()
        .where((AuditEntry.entity == "User") & (AuditEntry.entity_id == user.id) & (AuditEntry.action == "update"))
        .get()
    )
    assert entry.user_id == demo.admin.id


def test_edit_user_refused(demo, admin):
    url = f"/admin/users/{demo.isp_b.id}/edit"
    response = post_form(
        admin, url, {"name": "", "role": "recipient", "unit": "", "organization": "", "is_active": "y"}
    )
    assert response.status_code == 400
    assert field_error(html(response), "name") == "Enter the person's name."
    assert field_error(html(response), "unit") == "A recipient belongs to a unit."
    assert User.get_by_id(demo.isp_b.id).name == "Cai ISP"


def test_admin_cannot_deactivate_themselves(demo, admin):
    url = f"/admin/users/{demo.admin.id}/edit"
    response = post_form(admin, url, {"name": "Ari Admin", "role": "admin", "unit": "", "organization": ""})
    assert response.status_code == 400
    assert "cannot deactivate your own account" in field_error(html(response), "is_active")
    assert User.get_by_id(demo.admin.id).is_active


def test_deactivated_user_cannot_use_their_session(demo, admin, as_user):
    other = as_user(demo.isp_a1)
    assert other.get("/").status_code == 200
    post_form(
        admin,
        f"/admin/users/{demo.isp_a1.id}/edit",
        {"name": "Ada ISP", "role": "isp", "unit": "", "organization": str(demo.center.id)},
    )
    assert other.get("/").status_code == 302


def test_sign_out_everywhere(demo, admin, as_user):
    victim = as_user(demo.isp_a1)
    assert victim.get("/engagements").status_code == 200
    url = f"/admin/users/{demo.isp_a1.id}/sign-out-everywhere"
    confirm = admin.get(url)
    assert confirm.status_code == 200 and "Sign Ada ISP out everywhere?" in html(confirm)
    old_token = User.get_by_id(demo.isp_a1.id).session_token
    response = post_form(admin, url, {})
    assert response.status_code == 302
    assert User.get_by_id(demo.isp_a1.id).session_token != old_token
    after = victim.get("/engagements")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    assert admin.get("/admin/users").status_code == 200  # the admin is still signed in


def test_sign_out_everywhere_needs_csrf(demo, admin):
    old_token = User.get_by_id(demo.isp_a1.id).session_token
    response = admin.post(f"/admin/users/{demo.isp_a1.id}/sign-out-everywhere", data={})
    assert response.status_code == 400
    assert User.get_by_id(demo.isp_a1.id).session_token == old_token


def test_set_password(demo, admin):
    url = f"/admin/users/{demo.isp_a1.id}/password"
    response = post_form(admin, url, {"password": "too-short"})
    assert response.status_code == 400
    assert field_error(html(response), "password") == "The password must have at least 12 characters."
    assert not User.get_by_id(demo.isp_a1.id).check_password("too-short")
    response = post_form(admin, url, {"password": "a-brand-new-password"})
    assert response.status_code == 302
    assert User.get_by_id(demo.isp_a1.id).check_password("a-brand-new-password")


def test_unknown_user_is_404(admin):
    assert admin.get("/admin/users/999999/edit").status_code == 404


# --- audit log ------------------------------------------------------------------------------------


def test_audit_log_lists_changes_readably(demo, admin):
    goal = factories.goal(demo.engagement_a, title="Write the manual")
    goal.title = "Write the practice manual"
    goal.save()
    page = html(admin.get("/admin/audit"))
    assert "Write the manual → Write the practice manual" in page
    newest = AuditEntry.select().order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).first()
    assert newest.entity == "Goal" and newest.action == "update"
    # filters
    goals_only = html(admin.get("/admin/audit?entity=Goal&action=update"))
    assert "Write the practice manual" in goals_only and "Unit A" not in goals_only
    by_engagement = html(admin.get(f"/admin/audit?engagement={demo.engagement_b.id}&entity=Goal"))
    assert "No changes match" in by_engagement
    future = html(admin.get("/admin/audit?start=2100-01-01"))
    assert "No changes match" in future
    today = dt.date.today().isoformat()
    assert "Write the practice manual" in html(admin.get(f"/admin/audit?date_from={today}&date_to={today}"))


def test_audit_log_user_filter_and_bad_filters(demo, admin):
    post_form(
        admin,
        f"/admin/users/{demo.isp_b.id}/edit",
        {"name": "Cai Renamed", "role": "isp", "unit": "", "organization": "", "is_active": "y"},
    )
    mine = html(admin.get(f"/admin/audit?user={demo.admin.id}"))
    assert "Cai ISP → Cai Renamed" in mine and "Ari Admin" in mine
    response = admin.get("/admin/audit?engagement=abc&date_from=2026-13-01&user=zzz&entity=Nope")
    assert response.status_code == 200
    page = html(response)
    assert '<option selected value="">Any engagement</option>' in page  # not an engagement offered: ignored
    assert field_error(page, "start") == "Enter a date as YYYY-MM-DD."
    reversed_range = html(admin.get("/admin/audit?date_from=2026-05-01&date_to=2026-04-01"))
    assert field_error(reversed_range, "end") == "The end date cannot be before the start date."


def _audit_entries(n, engagement):
    for i in range(n):
        g = Goal.create(engagement=engagement, title=f"Goal {i}")
        g.title = f"Goal {i} renamed"
        g.save()


def _count_audit_page(admin):
    with count_queries() as counter:
        response = admin.get("/admin/audit")
    assert response.status_code == 200
    return counter.count


def test_audit_log_query_count_is_constant(demo, admin):
    AuditEntry.delete().execute()
    _audit_entries(3, demo.engagement_a)  # 6 entries
    few = _count_audit_page(admin)
    _audit_entries(25, demo.engagement_b)  # 56 entries: a full page of 25
    many = _count_audit_page(admin)
    assert few == many


def test_audit_log_is_paginated_newest_first(demo, admin):
    AuditEntry.delete().execute()
    for i in range(30):
        Goal.create(engagement=demo.engagement_a, title=f"Numbered goal {i:02d}")
    first = html(admin.get("/admin/audit"))
    assert "Numbered goal 29" in first and "Numbered goal 00" not in first
    assert "Numbered goal 00" in html(admin.get("/admin/audit?page=2"))


# --- catalog --------------------------------------------------------------------------------------


def test_catalog_lists_everything(demo, admin):
    page = html(admin.get("/admin/catalog"))
    competency = Competency.select().first()
    strategy = Strategy.select().first()
    principle = Principle.select().first()
    template = BenchmarkTemplate.select().first()
    for text in (competency.name, strategy.name, principle.name, template.text):
        assert text.replace("'", "&#39;") in page or text in page


def test_renaming_a_competency_keeps_old_meeting_labels(demo, admin):
    competency = Competency.select().where(~Competency.retired).first()
    old_name = competency.name
    meeting = factories.meeting(demo.engagement_a, competencies=[competency.key])
    response = post_form(
        admin,
        f"/admin/catalog/competencies/{competency.id}/edit",
        {"name": "A brand new competency name", "help": "New help"},
    )
    assert response.status_code == 302
    # a new version replaces it; the old entry is kept, retired, with its name (tests/test_catalog_versions.py)
    assert Competency.get(Competency.replaces == competency.id).name == "A brand new competency name"
    assert Competency.get_by_id(competency.id).name == old_name
    assert MeetingCompetency.get(MeetingCompetency.meeting == meeting.id).label == old_name
    admin.get("/admin/catalog")  # shows (and so clears) the "Renamed to" message that names the new name
    page = html(admin.get(f"/engagements/{demo.engagement_a.id}/meetings/{meeting.id}"))
    assert old_name.replace("'", "&#39;") in page or old_name in page
    assert "A brand new competency name" not in page


def test_retired_strategy_not_offered_but_kept_on_old_meetings(demo, admin):
    strategy = Strategy.select().where(~Strategy.retired).first()
    meeting = factories.meeting(demo.engagement_a, strategies=[strategy.key])
    response = post_form(
        admin,
        f"/admin/catalog/strategies/{strategy.id}/edit",
        {"name": strategy.name, "help": strategy.help, "retired": "y"},
    )
    assert response.status_code == 302
    assert Strategy.get_by_id(strategy.id).retired
    admin.get("/admin/catalog")  # shows (and so clears) the "Saved" message that names the strategy
    form_page = html(admin.get(f"/engagements/{demo.engagement_a.id}/meetings/new"))
    assert 'id="strategy-list"' in form_page
    assert strategy.name not in form_page
    other = Strategy.select().where(~Strategy.retired).first()
    assert other.name in form_page
    meeting_page = html(admin.get(f"/engagements/{demo.engagement_a.id}/meetings/{meeting.id}"))
    assert strategy.name in meeting_page


def test_catalog_entry_refused(demo, admin):
    principle = Principle.select().first()
    response = post_form(admin, f"/admin/catalog/principles/{principle.id}/edit", {"name": "  ", "help": "x"})
    assert response.status_code == 400
    assert field_error(html(response), "name") == "Give it a name."
    assert Principle.get_by_id(principle.id).name == principle.name
    assert admin.get("/admin/catalog/widgets/1/edit").status_code == 404
    assert admin.get("/admin/catalog/competencies/999999/edit").status_code == 404


def test_edit_principle(demo, admin):
    principle = Principle.select().first()
    response = post_form(
        admin,
        f"/admin/catalog/principles/{principle.id}/edit",
        {"name": "Renamed principle", "help": "Help", "retired": "y"},
    )
    assert response.status_code == 302
    assert Principle.get_by_id(principle.id).retired  # the earlier version
    saved = Principle.get(Principle.replaces == principle.id)
    assert saved.name == "Renamed principle" and saved.retired


def test_benchmark_templates(demo, admin):
    stage = Stage.ordered().first()
    before = BenchmarkTemplate.select().count()
    url = f"/admin/catalog/stages/{stage.id}/benchmarks/new"
    refused = post_form(admin, url, {"text": ""})
    assert refused.status_code == 400 and field_error(html(refused), "text") == "Describe the benchmark."
    refused = post_form(admin, url, {"text": "x" * 301})
    assert refused.status_code == 400 and field_error(html(refused), "text") == "At most 300 characters."
    assert BenchmarkTemplate.select().count() == before
    assert post_form(admin, url, {"text": "Readiness checked with the team"}).status_code == 302
    added = BenchmarkTemplate.get(BenchmarkTemplate.text == "Readiness checked with the team")
    assert added.stage_id == stage.id and not added.retired
    assert "Readiness checked with the team" in html(admin.get("/admin/catalog"))
    edit = f"/admin/catalog/benchmarks/{added.id}/edit"
    assert post_form(admin, edit, {"text": "Readiness checked", "retired": "y"}).status_code == 302
    saved = BenchmarkTemplate.get_by_id(added.id)
    assert saved.text == "Readiness checked" and saved.retired
