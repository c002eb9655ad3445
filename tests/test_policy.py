"""The access policy, role by role, on the small world of factories.small_world():

engagement A (unit A, Foundation): co-led by isp_a1 + isp_a2
engagement B (unit B, Foundation): co-led by isp_b + isp_a2
engagement C (unit C, Other Funder): co-led by isp_b + isp_a1
isp_none is on nothing; recipients of units A and B; leaders scoped to the Foundation, to the
Other Funder, and unscoped; an admin. All three engagements are supported by the Implementation
Centre (the intermediary).
"""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import Forbidden, NotFound

from tracker import policy
from tracker.models import Engagement, SupportRequest

from . import factories

# who sees which engagements (by letter)
VISIBLE = {
    "admin": "ABC",
    "leader_all": "ABC",
    "leader_foundation": "AB",
    "leader_other": "C",
    "recipient_a": "A",
    "recipient_b": "B",
    "isp_a1": "AC",
    "isp_a2": "AB",
    "isp_b": "BC",
    "isp_none": "",
}

# who may change which engagements
EDITABLE = {
    "admin": "ABC",
    "leader_all": "",
    "leader_foundation": "",
    "leader_other": "",
    "recipient_a": "",
    "recipient_b": "",
    "isp_a1": "AC",
    "isp_a2": "AB",
    "isp_b": "BC",
    "isp_none": "",
}


def engagements_by_letter(demo):
    return {"A": demo.engagement_a, "B": demo.engagement_b, "C": demo.engagement_c}


def letters(demo, engagements):
    by_id = {e.id: letter for letter, e in engagements_by_letter(demo).items()}
    return "".join(sorted(by_id[e.id] for e in engagements))


# --- visibility -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_visible_engagements(demo, who):
    user = getattr(demo, who)
    assert letters(demo, policy.visible_engagements(user)) == VISIBLE[who]


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_can_view_agrees_with_visible_engagements(demo, who):
    user = getattr(demo, who)
    for letter, engagement in engagements_by_letter(demo).items():
        assert policy.can_view_engagement(user, engagement) == (letter in VISIBLE[who]), (who, letter)


def test_visible_engagements_filters_a_given_query(demo):
    query = Engagement.live().where(Engagement.title != "Engagement A")
    assert letters(demo, policy.visible_engagements(demo.isp_a1, query)) == "C"
    assert letters(demo, policy.visible_engagements(demo.admin, query)) == "BC"


def test_soft_deleted_engagements_are_visible_to_nobody(demo):
    demo.engagement_b.soft_delete()
    for who in ("admin", "leader_all", "leader_foundation", "recipient_b", "isp_b"):
        assert "B" not in letters(demo, policy.visible_engagements(getattr(demo, who))), who


def test_leader_of_the_intermediary_sees_the_engagements_it_supports(demo):
    leader = factories.user("leader", organization=demo.center)
    assert letters(demo, policy.visible_engagements(leader)) == "ABC"
    assert all(policy.can_view_engagement(leader, e) for e in engagements_by_letter(demo).values())
    assert not any(policy.can_edit_engagement(leader, e) for e in engagements_by_letter(demo).values())


def test_supporting_isp_sees_and_edits(demo):
    demo.engagement_a.set_isps([demo.isp_a1.id, demo.isp_a2.id], [demo.isp_none.id])
    assert letters(demo, policy.visible_engagements(demo.isp_none)) == "A"
    assert policy.can_edit_engagement(demo.isp_none, demo.engagement_a)


def test_isp_removed_from_an_engagement_loses_access(demo):
    demo.engagement_a.set_isps([demo.isp_a2.id, demo.isp_b.id])
    assert letters(demo, policy.visible_engagements(demo.isp_a1)) == "C"
    assert not policy.can_edit_engagement(demo.isp_a1, demo.engagement_a)


# --- editing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", sorted(EDITABLE))
def test_can_edit(demo, who):
    user = getattr(demo, who)
    for letter, engagement in engagements_by_letter(demo).items():
        assert policy.can_edit_engagement(user, engagement) == (letter in EDITABLE[who]), (who, letter)


# --- get_engagement: 404 when not visible, 403 when visible but not editable ----------------------


def test_get_engagement_returns_the_visible_engagement(demo):
    assert policy.get_engagement(demo.engagement_a.id, user=demo.recipient_a).id == demo.engagement_a.id
    assert policy.get_engagement(demo.engagement_a.id, edit=True, user=demo.isp_a1).id == demo.engagement_a.id
    assert policy.get_engagement(demo.engagement_c.id, edit=True, user=demo.admin).id == demo.engagement_c.id


@pytest.mark.parametrize(
    "who,letter",
    [
        ("recipient_a", "B"),
        ("recipient_b", "A"),
        ("isp_none", "A"),
        ("isp_a1", "B"),
        ("leader_foundation", "C"),
        ("leader_other", "A"),
    ],
)
def test_get_engagement_not_visible_is_404(demo, who, letter):
    engagement = engagements_by_letter(demo)[letter]
    with pytest.raises(NotFound):
        policy.get_engagement(engagement.id, user=getattr(demo, who))
    with pytest.raises(NotFound):  # asking to edit does not reveal it either
        policy.get_engagement(engagement.id, edit=True, user=getattr(demo, who))


@pytest.mark.parametrize("who", ["recipient_a", "leader_foundation", "leader_all"])
def test_get_engagement_visible_but_not_editable_is_403(demo, who):
    with pytest.raises(Forbidden):
        policy.get_engagement(demo.engagement_a.id, edit=True, user=getattr(demo, who))


def test_get_engagement_missing_or_deleted_is_404_even_for_admin(demo):
    with pytest.raises(NotFound):
        policy.get_engagement(999999, user=demo.admin)
    demo.engagement_a.soft_delete()
    with pytest.raises(NotFound):
        policy.get_engagement(demo.engagement_a.id, user=demo.admin)


# --- through HTTP -----------------------------------------------------------------------------


def test_recipient_sees_own_unit_engagement_page_only(demo, as_user):
    client = as_user(demo.recipient_a)
    page = client.get(f"/engagements/{demo.engagement_a.id}")
    assert page.status_code == 200
    assert "Engagement A" in page.get_data(as_text=True)
    hidden = client.get(f"/engagements/{demo.engagement_b.id}")
    assert hidden.status_code == 404
    assert "Engagement B" not in hidden.get_data(as_text=True)


def test_isp_not_on_an_engagement_gets_404(demo, as_user):
    assert as_user(demo.isp_none).get(f"/engagements/{demo.engagement_a.id}").status_code == 404
    assert as_user(demo.isp_b).get(f"/engagements/{demo.engagement_a.id}").status_code == 404
    assert as_user(demo.isp_b).get(f"/engagements/{demo.engagement_b.id}").status_code == 200


def test_missing_engagement_page_is_404(demo, as_user):
    assert as_user(demo.admin).get("/engagements/999999").status_code == 404


@pytest.mark.parametrize("who", ["admin", "leader_all", "leader_foundation", "isp_a1", "isp_a2"])
def test_engagement_page_for_those_who_may_see_it(demo, as_user, who):
    response = as_user(getattr(demo, who)).get(f"/engagements/{demo.engagement_a.id}")
    assert response.status_code == 200


def test_anonymous_is_sent_to_sign_in_with_next(demo, client):
    path = f"/engagements/{demo.engagement_a.id}"
    response = client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [path]
    assert "Engagement A" not in response.get_data(as_text=True)


def test_anonymous_home_is_sent_to_sign_in(demo, client):
    response = client.get("/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_home_lists_exactly_the_visible_engagements(demo, as_user, who):
    client = as_user(getattr(demo, who))
    response = client.get("/")
    if who.startswith("leader"):  # a leader's home is the dashboard; their engagements are on the list page
        assert urlsplit(response.headers["Location"]).path == "/reports/"
    if not who.startswith("recipient"):  # an ISP's home shows a few (tests/test_home_isp.py), the list all
        response = client.get("/engagements")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    listed = "".join(letter for letter in "ABC" if f"Engagement {letter}" in html)
    assert listed == VISIBLE[who]
    for letter, engagement in engagements_by_letter(demo).items():
        link = f'href="/engagements/{engagement.id}"'
        assert (link in html) == (letter in VISIBLE[who]), (who, letter)


# --- support requests -------------------------------------------------------------------------


@pytest.fixture
def requests(demo):
    return {
        letter: SupportRequest.create(unit=unit, title=f"Request {letter}", requested_by=None)
        for letter, unit in (("A", demo.unit_a), ("B", demo.unit_b), ("C", demo.unit_c))
    }


VISIBLE_REQUESTS = {
    "admin": "ABC",
    "leader_all": "ABC",
    "leader_foundation": "AB",
    "leader_other": "C",
    "recipient_a": "A",
    "recipient_b": "B",
    "isp_a1": "ABC",  # ISPs triage every request
    "isp_none": "ABC",
}


@pytest.mark.parametrize("who", sorted(VISIBLE_REQUESTS))
def test_visible_requests(demo, requests, who):
    by_id = {r.id: letter for letter, r in requests.items()}
    seen = "".join(sorted(by_id[r.id] for r in policy.visible_requests(getattr(demo, who))))
    assert seen == VISIBLE_REQUESTS[who]


def test_intermediary_leader_reads_every_request(demo, requests):
    director = factories.user("leader", organization=demo.center)
    seen = {r.id for r in policy.visible_requests(director)}
    assert seen == {r.id for r in requests.values()}


def test_get_request_404_when_not_visible(demo, requests):
    assert policy.get_request(requests["A"].id, user=demo.recipient_a).id == requests["A"].id
    with pytest.raises(NotFound):
        policy.get_request(requests["A"].id, user=demo.recipient_b)
    with pytest.raises(NotFound):
        policy.get_request(requests["A"].id, user=demo.leader_other)
    with pytest.raises(NotFound):
        policy.get_request(999999, user=demo.admin)


@pytest.mark.parametrize(
    "who,allowed", [("admin", True), ("isp_none", True), ("leader_all", False), ("recipient_a", False)]
)
def test_who_triages_requests(demo, who, allowed):
    assert policy.can_triage_requests(getattr(demo, who)) is allowed


# --- rules by role: every "may this user ..." that depends on the role only -------------------------

EVERYONE = ("admin", "leader_all", "leader_foundation", "leader_other", "recipient_a", "isp_a1", "isp_none")

# rule -> the users (of the small world) for whom it holds
RULES = {
    "is_admin": {"admin"},
    "can_administer": {"admin"},
    "can_manage_users": {"admin"},
    "can_restore": {"admin"},
    "can_see_invitations": {"admin"},
    "can_create_engagement": {"admin", "isp_a1", "isp_none"},
    "can_triage_requests": {"admin", "isp_a1", "isp_none"},
    "can_log_sessions": {"admin", "isp_a1", "isp_none"},
    "can_co_lead": {"isp_a1", "isp_none"},
    "sees_next_steps": {"isp_a1", "isp_none"},
    "can_submit_request": {"admin", "recipient_a"},
    "asks_for_own_unit": {"recipient_a"},
    "can_see_activity": set(EVERYONE) - {"recipient_a"},
    "can_browse_engagements": set(EVERYONE) - {"recipient_a"},
    "can_read_reports": set(EVERYONE) - {"recipient_a"},
    "can_list_directory": set(EVERYONE),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rules_by_role(demo, rule):
    allowed = {who for who in EVERYONE if getattr(policy, rule)(getattr(demo, who))}
    assert allowed == RULES[rule]


def test_only_a_recipient_of_the_requests_unit_answers_its_question(demo, requests):
    may = {who for who in VISIBLE_REQUESTS if policy.can_answer(getattr(demo, who), requests["A"])}
    assert may == {"recipient_a"}
    assert policy.can_answer(demo.recipient_b, requests["B"])


def test_home_lists_a_recipients_unit_requests_newest_first(demo, requests):
    newer = SupportRequest.create(
        unit=demo.unit_a, title="Newer", requested_by=None, created_at=requests["A"].created_at + dt.timedelta(days=1)
    )
    assert [r.id for r in policy.home_requests(demo.recipient_a)] == [newer.id, requests["A"].id]
    assert [r.id for r in policy.home_requests(demo.recipient_a, limit=1)] == [newer.id]
    for who in ("admin", "isp_a1", "leader_foundation"):
        assert policy.home_requests(getattr(demo, who)) is None, who


SCOPES = {
    "admin": ("all", None),
    "leader_all": ("all", None),
    "leader_foundation": ("organization", "Foundation"),
    "leader_other": ("organization", "Other Funder"),
    "recipient_a": ("unit", "Unit A"),
    "recipient_b": ("unit", "Unit B"),
    "isp_a1": ("own", None),
}


@pytest.mark.parametrize("who", sorted(SCOPES))
def test_scope_names_what_the_lists_cover(demo, who):
    assert tuple(policy.scope(getattr(demo, who))) == SCOPES[who]


def test_home_label_in_the_menu(demo):
    labels = {who: policy.home_label(getattr(demo, who)) for who in EVERYONE}
    assert labels["recipient_a"] == "My unit"
    # One engagement list ("Engagements", with its "Mine" filter): an ISP's home is not a second one.
    assert {labels[who] for who in ("isp_a1", "isp_none", "admin", "leader_all", "leader_foundation")} == {"Home"}


def test_one_name_for_the_request_list(demo):
    labels = {who: policy.requests_label(getattr(demo, who)) for who in EVERYONE}
    assert labels["recipient_a"] == "Your requests"
    assert {labels[who] for who in ("isp_a1", "admin", "leader_all", "leader_foundation")} == {"Request queue"}


def test_a_token_is_revoked_by_its_owner_or_an_admin(demo):
    class Token:
        user_id = demo.isp_a1.id

    assert policy.can_revoke_token(demo.isp_a1, Token)
    assert policy.can_revoke_token(demo.admin, Token)
    assert not policy.can_revoke_token(demo.isp_a2, Token)
    assert not policy.can_revoke_token(demo.leader_all, Token)


@pytest.mark.parametrize("who", EVERYONE)
def test_can_in_templates_asks_the_same_rules(demo, who):
    user = getattr(demo, who)
    can = policy.Can(user)
    for attribute, rule in {
        "administer": "can_administer",
        "ask_for_own_unit": "asks_for_own_unit",
        "browse_engagements": "can_browse_engagements",
        "create_engagement": "can_create_engagement",
        "log_sessions": "can_log_sessions",
        "manage_users": "can_manage_users",
        "read_reports": "can_read_reports",
        "restore": "can_restore",
        "see_activity": "can_see_activity",
        "see_invitations": "can_see_invitations",
        "submit_request": "can_submit_request",
        "triage_requests": "can_triage_requests",
    }.items():
        assert getattr(can, attribute) == (who in RULES[rule]), (who, attribute)
    assert can.edit(demo.engagement_a) == policy.can_edit_engagement(user, demo.engagement_a)
    assert can.home_label == policy.home_label(user)
    assert can.scope == policy.scope(user)
    assert can.role_label == user.role_short_label  # shown beside the name in the header
    assert can.role_title == user.role_label  # in full, as its title
    assert can.requests_label == policy.requests_label(user)


def test_can_for_an_anonymous_visitor_allows_nothing(app):
    can = policy.Can(AnonymousUserMixin())
    assert not any(getattr(can, name) for name in ("administer", "restore", "triage_requests", "read_reports"))
    assert can.home_label == "Home"
    assert can.scope.kind == "none"
    assert can.role_label == ""
