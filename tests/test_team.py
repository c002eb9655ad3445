"""The implementation team of an engagement: add, edit and end membership, through the browser.

On factories.small_world(): engagement A is co-led by isp_a1 and isp_a2; isp_b is on B and C only;
recipient_a belongs to A's unit, recipient_b to B's.
"""

import datetime as dt
import re

import pytest

from tracker.models import AuditEntry, TeamMember

from . import factories
from .conftest import field_error, post_form


def team_url(engagement, tail="new"):
    return f"/engagements/{engagement.id}/team/{tail}"


def page(client, engagement):
    response = client.get(f"/engagements/{engagement.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- add --------------------------------------------------------------------------------------


def test_add_form_defaults_to_today_and_has_the_positions(demo, as_user):
    client = as_user(demo.isp_a1)
    response = client.get(team_url(demo.engagement_a))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Add a team member</h1>" in html
    assert f'value="{dt.date.today().isoformat()}"' in html
    for label in ("Senior leader", "Manager", "Support staff", "Partner", "Other"):
        assert f">{label}</option>" in html
    assert f'href="/engagements/{demo.engagement_a.id}"' in html  # breadcrumb back to the engagement
    assert "autofocus" in html


def test_add_member_is_stored_and_shown_on_the_engagement_page(demo, as_user):
    client = as_user(demo.isp_a1)
    response = post_form(
        client,
        team_url(demo.engagement_a),
        {
            "name": "Maya Chen",
            "position": "senior_leader",
            "email": "Maya.Chen@Example.org ",
            "joined_on": "2026-01-12",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/engagements/{demo.engagement_a.id}#team-h")
    member = TeamMember.get(TeamMember.name == "Maya Chen")
    assert member.engagement_id == demo.engagement_a.id
    assert member.position == "senior_leader"
    assert member.email == "maya.chen@example.org"
    assert member.joined_on == dt.date(2026, 1, 12)
    assert member.left_on is None and member.is_current
    audit = AuditEntry.get((AuditEntry.entity == "TeamMember") & (AuditEntry.entity_id == member.id))
    assert audit.action == "create" and audit.user_id == demo.isp_a1.id

    html = page(client, demo.engagement_a)
    assert "Maya Chen added to the implementation team." in html
    assert "<strong>Maya Chen</strong> · Senior leader" in html
    assert "mailto:maya.chen@example.org" in html
    assert f'href="/engagements/{demo.engagement_a.id}/team/{member.id}/edit"' in html
    assert f'href="/engagements/{demo.engagement_a.id}/team/{member.id}/end"' in html


def test_email_is_optional(demo, as_user):
    client = as_user(demo.isp_a2)
    response = post_form(
        client, team_url(demo.engagement_a), {"name": "Sam Okafor", "position": "partner", "email": "", "joined_on": ""}
    )
    assert response.status_code == 302
    member = TeamMember.get(TeamMember.name == "Sam Okafor")
    assert member.email == "" and member.joined_on is None and member.position == "partner"


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"name": "  ", "position": "manager", "email": "kept@example.org", "joined_on": "2026-02-01"},
            "name",
            "Enter the person's name.",
        ),
        (
            {"name": "Kept Name", "position": "manager", "email": "not-an-email", "joined_on": "2026-02-01"},
            "email",
            "Enter a valid email address, like name@example.org.",
        ),
        (
            {"name": "Kept Name", "position": "ceo", "email": "kept@example.org", "joined_on": "2026-02-01"},
            "position",
            "Not a valid choice.",
        ),
        (
            {"name": "Kept Name", "position": "manager", "email": "kept@example.org", "joined_on": "2026-02-30"},
            "joined_on",
            "Enter a date as YYYY-MM-DD.",
        ),
    ],
)
def test_add_refuses_invalid_input_next_to_the_field(demo, as_user, data, field, message):
    client = as_user(demo.isp_a1)
    before = TeamMember.select().count()
    response = post_form(client, team_url(demo.engagement_a), data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in (field_error(html, field) or "")
    assert f'id="{field}"' in html and 'aria-invalid="true"' in html
    for key, value in data.items():  # the typed input is still there
        if key != "position" and value.strip():
            assert f'value="{value}"' in html
    assert TeamMember.select().count() == before


# --- edit -------------------------------------------------------------------------------------


def test_edit_member(demo, as_user):
    member = factories.team_member(
        demo.engagement_a, name="Alex Rivera", position="manager", joined_on=dt.date(2026, 1, 10)
    )
    client = as_user(demo.isp_a2)
    form = client.get(team_url(demo.engagement_a, f"{member.id}/edit")).get_data(as_text=True)
    assert 'value="Alex Rivera"' in form and 'value="2026-01-10"' in form
    assert '<option selected value="manager">' in form

    response = post_form(
        client,
        team_url(demo.engagement_a, f"{member.id}/edit"),
        {
            "name": "Alex Rivera-Stone",
            "position": "support_staff",
            "email": "alex@example.org",
            "joined_on": "2026-01-15",
        },
    )
    assert response.status_code == 302
    member = TeamMember.get_by_id(member.id)
    assert (member.name, member.position, member.email, member.joined_on) == (
        "Alex Rivera-Stone",
        "support_staff",
        "alex@example.org",
        dt.date(2026, 1, 15),
    )
    html = page(client, demo.engagement_a)
    assert "<strong>Alex Rivera-Stone</strong> · Support staff" in html


def test_edit_refuses_joining_after_leaving(demo, as_user):
    member = factories.team_member(demo.engagement_a, joined_on=dt.date(2026, 1, 10), left_on=dt.date(2026, 3, 1))
    client = as_user(demo.isp_a1)
    response = post_form(
        client,
        team_url(demo.engagement_a, f"{member.id}/edit"),
        {"name": "Changed", "position": "manager", "email": "", "joined_on": "2026-04-01"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be before it started (2026-04-01)" in field_error(html, "joined_on")
    assert 'value="Changed"' in html and 'value="2026-04-01"' in html
    assert TeamMember.get_by_id(member.id).name == "Alex Rivera"


# --- end membership ---------------------------------------------------------------------------


def test_end_membership_keeps_the_member_listed_but_not_current(demo, as_user):
    member = factories.team_member(demo.engagement_a, name="Jo Park", joined_on=dt.date(2026, 1, 10))
    client = as_user(demo.isp_a1)
    form = client.get(team_url(demo.engagement_a, f"{member.id}/end"))
    form_html = form.get_data(as_text=True)
    assert form.status_code == 200
    assert "End membership of Jo Park" in form_html
    assert f'value="{dt.date.today().isoformat()}"' in form_html

    response = post_form(client, team_url(demo.engagement_a, f"{member.id}/end"), {"left_on": "2026-03-02"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#team-h")
    member = TeamMember.get_by_id(member.id)
    assert member.left_on == dt.date(2026, 3, 2)
    assert member.is_current is False  # no longer offered as an attendee
    html = page(client, demo.engagement_a)
    assert re.search(r'<li class="muted"><strong>Jo Park</strong>.*?until 2 Mar 2026', html, re.S)
    assert "Change end date" in html


def test_end_before_joining_is_refused(demo, as_user):
    member = factories.team_member(demo.engagement_a, joined_on=dt.date(2026, 2, 10))
    client = as_user(demo.isp_a1)
    response = post_form(client, team_url(demo.engagement_a, f"{member.id}/end"), {"left_on": "2026-02-09"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be before it started" in field_error(html, "left_on")
    assert 'value="2026-02-09"' in html
    assert TeamMember.get_by_id(member.id).left_on is None


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Enter the date the person left the team."),
        ("2026-13-01", "Enter a date as YYYY-MM-DD."),
        ("1890-01-01", "Date must be between 1 Jan 1990 and 31 Dec 2100."),
    ],
)
def test_end_without_a_valid_date_is_refused(demo, as_user, typed, message):
    member = factories.team_member(demo.engagement_a)
    response = post_form(as_user(demo.isp_a1), team_url(demo.engagement_a, f"{member.id}/end"), {"left_on": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "left_on") == message
    assert f'value="{typed}"' in html
    assert TeamMember.get_by_id(member.id).left_on is None


def test_member_of_another_engagement_is_404(demo, as_user):
    other = factories.team_member(demo.engagement_c, name="Not Yours")
    client = as_user(demo.isp_a1)  # edits both A and C, but the member belongs to C
    for tail in (f"{other.id}/edit", f"{other.id}/end"):
        assert client.get(team_url(demo.engagement_a, tail)).status_code == 404
        response = post_form(
            client,
            team_url(demo.engagement_a, tail),
            {"name": "Hijacked", "position": "manager", "left_on": "2026-03-01"},
            token_from="/",
        )
        assert response.status_code == 404
    other = TeamMember.get_by_id(other.id)
    assert other.name == "Not Yours" and other.left_on is None
    assert client.get(team_url(demo.engagement_a, "999999/edit")).status_code == 404


# --- access -----------------------------------------------------------------------------------


def test_read_only_page_has_no_team_links(demo, as_user):
    factories.team_member(demo.engagement_a, name="Jo Park")
    html = page(as_user(demo.recipient_a), demo.engagement_a)
    assert "<strong>Jo Park</strong>" in html
    assert "Add a team member" not in html and "/team/" not in html


def test_empty_state_tells_editors_how_to_start(demo, as_user):
    html = page(as_user(demo.isp_a1), demo.engagement_a)
    assert "No team members recorded yet." in html and "decides, plans and monitors" in html
    assert f'href="/engagements/{demo.engagement_a.id}/team/new"' in html


@pytest.mark.parametrize(
    "who, engagement, status",
    [
        ("recipient_a", "engagement_a", 403),  # own unit: may see, may not change
        ("recipient_a", "engagement_b", 404),  # another unit
        ("isp_b", "engagement_a", 404),  # an ISP not on the engagement
        ("isp_none", "engagement_a", 404),
        ("leader_foundation", "engagement_a", 403),
        ("leader_all", "engagement_a", 403),
    ],
)
def test_access(demo, as_user, who, engagement, status):
    engagement = getattr(demo, engagement)
    member = factories.team_member(engagement)
    client = as_user(getattr(demo, who))
    before = TeamMember.select().count()
    for tail in ("new", f"{member.id}/edit", f"{member.id}/end"):
        assert client.get(team_url(engagement, tail)).status_code == status
        response = post_form(
            client,
            team_url(engagement, tail),
            {"name": "Intruder", "position": "manager", "left_on": "2026-03-01"},
            token_from="/",
        )
        assert response.status_code == status
    assert TeamMember.select().count() == before
    assert TeamMember.get_by_id(member.id).left_on is None


def test_anonymous_is_sent_to_sign_in(demo, client):
    member = factories.team_member(demo.engagement_a)
    for tail in ("new", f"{member.id}/edit", f"{member.id}/end"):
        response = client.get(team_url(demo.engagement_a, tail))
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_may_add_to_any_engagement(demo, as_user):
    response = post_form(
        as_user(demo.admin), team_url(demo.engagement_c), {"name": "Ira Admin-Added", "position": "other"}
    )
    assert response.status_code == 302
    assert TeamMember.get(TeamMember.name == "Ira Admin-Added").engagement_id == demo.engagement_c.id
