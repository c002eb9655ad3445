"""Every rule, refused the same way on every path that accepts the input (issue 15, "one home per rule").

Each case is (input, field, message): the input runs through every path that takes it — the page form,
the JSON API, the CLI where there is one, and the service (or the model) itself — and each path refuses
it with the same message under its own name for the field, and writes nothing (rows counted before and
after). A path names a field its own way (the engagement pages show co-lead refusals under their second
select, the account page calls the password new_password); everything else speaks the domain's names.

Date-range rules are tested in tests/test_date_rules.py; here only "end after start".
"""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tracker.db import database
from tracker.models import (
    AuditEntry,
    Engagement,
    EngagementISP,
    FeedbackInvitation,
    OutboxMessage,
    StageEntry,
    SupportRequest,
    TeamMember,
    User,
    ValidationError,
)
from tracker.services import admin as admin_service
from tracker.services import engagements as engagement_service
from tracker.services import feedback as feedback_service
from tracker.services import requests as request_service

from . import factories
from .api_helpers import Api
from .conftest import field_error, post_form

TODAY = dt.date.today()
EMAIL = "Enter a valid email address, like name@example.org."
BAD_EMAILS = ["no-at-sign", "name@example", "two@@example.org", "@example.org", "a b@example.org"]
SHORT_PASSWORD = "The password must have at least 12 characters."
GOOD_PASSWORD = "a long enough passphrase"


def snapshot(demo):
    """What a refused write must leave as it was: row counts, and engagement A with its ISPs."""
    a = Engagement.get_by_id(demo.engagement_a.id)
    return {
        **{
            model.__name__: model.select().count()
            for model in (
                Engagement,
                EngagementISP,
                StageEntry,
                SupportRequest,
                AuditEntry,
                TeamMember,
                User,
                FeedbackInvitation,
                OutboxMessage,
            )
        },
        "accepted": SupportRequest.select().where(SupportRequest.status == "accepted").count(),
        "engagement_a": (a.title, a.start_date, a.end_date, a.support_model),
        "isps_a": sorted((link.user_id, link.role) for link in a.isps()),
        "passwords": sorted(User.select(User.id, User.password_hash).tuples()),
    }


def refusal(call):
    """{field: message} of the ValidationError a service or model raises (nothing else may pass)."""
    with pytest.raises(ValidationError) as caught:
        with database.atomic():
            call()
    return caught.value.errors


def page(response, field_name):
    assert response.status_code == 400, response.status_code
    return field_error(response.get_data(as_text=True), field_name)


def api_error(response, field_name):
    assert response.status_code == 400, response.get_json()
    return response.get_json()["error"]["fields"].get(field_name)


@dataclass
class Path:
    """One way in: `setup(world)` runs before the rows are counted and returns what `send` needs;
    `send(world, ctx, data, field)` returns the message shown under that path's name for `field`."""

    name: str
    send: object
    setup: object = None
    fields: dict = field(default_factory=dict)  # domain name -> this path's name, where they differ


@dataclass
class World:
    demo: object
    app: object

    def client(self, user):
        return self.app.test_client(user=user)


# --- engagements: create page, edit page, accept page, API (3 routes), services (3) ---------------------

ENGAGEMENT_PAGE_FIELDS = {"co_lead_ids": "co_lead_2", "supporting_ids": "supporting"}


def engagement_input(demo, start=None, **overrides):
    data = {
        "title": "Scaling the mentoring program",
        "problem_statement": "Grantees cannot keep the program going.",
        "support_model": "co_creation",
        "start_date": start or TODAY,
        "end_date": (start or TODAY) + dt.timedelta(days=200),
        "co_lead_ids": [demo.isp_a1.id, demo.isp_b.id],
        "supporting_ids": [demo.isp_none.id],
    }
    data.update(overrides)
    return data


def as_form(data):
    co_leads = [str(i) for i in data["co_lead_ids"]] + ["", ""]
    return {
        "title": data["title"],
        "problem_statement": data["problem_statement"],
        "support_model": data["support_model"],
        "start_date": data["start_date"].isoformat() if data["start_date"] else "",
        "end_date": data["end_date"].isoformat() if data["end_date"] else "",
        "co_lead_1": co_leads[0],
        "co_lead_2": co_leads[1],
        "supporting": [str(i) for i in data["supporting_ids"]],
    }


def as_json(data):
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}


def _new_request(world):
    return SupportRequest.create(
        unit=world.demo.unit_a, title="Please help", description="An initiative", for_whom="Grantees"
    )


def _with_api(user_of):
    return lambda world: Api(world.app.test_client(), user_of(world.demo))


ENGAGEMENT_PATHS = [
    Path(
        "create page",
        lambda w, ctx, data, f: page(
            post_form(
                w.client(w.demo.isp_a1),
                "/engagements/new",
                {**as_form(data), "unit": w.demo.unit_b.id, "first_stage": ""},
            ),
            f,
        ),
        fields=ENGAGEMENT_PAGE_FIELDS,
    ),
    Path(
        "edit page",
        lambda w, ctx, data, f: page(
            post_form(w.client(w.demo.isp_a1), f"/engagements/{w.demo.engagement_a.id}/edit", as_form(data)), f
        ),
        fields=ENGAGEMENT_PAGE_FIELDS,
    ),
    Path(
        "accept request page",
        lambda w, req, data, f: page(
            post_form(w.client(w.demo.isp_a1), f"/requests/{req.id}/accept", as_form(data)), f
        ),
        setup=_new_request,
        fields=ENGAGEMENT_PAGE_FIELDS,
    ),
    Path(
        "API POST /engagements",
        lambda w, api, data, f: api_error(api.post("/engagements", {**as_json(data), "unit_id": w.demo.unit_b.id}), f),
        setup=_with_api(lambda d: d.isp_a1),
    ),
    Path(
        "API PATCH /engagements/<id>",
        lambda w, api, data, f: api_error(api.patch(f"/engagements/{w.demo.engagement_a.id}", as_json(data)), f),
        setup=_with_api(lambda d: d.isp_a1),
    ),
    Path(
        "API POST /requests/<id>/accept",
        lambda w, ctx, data, f: api_error(ctx[0].post(f"/requests/{ctx[1].id}/accept", as_json(data)), f),
        setup=lambda w: (Api(w.app.test_client(), w.demo.isp_a1), _new_request(w)),
    ),
    Path(
        "service create_engagement",
        lambda w, ctx, data, f: refusal(
            lambda: engagement_service.create_engagement({**data, "unit_id": w.demo.unit_b.id}, w.demo.isp_a1)
        ).get(f),
    ),
    Path(
        "service update_engagement",
        lambda w, ctx, data, f: refusal(
            lambda: engagement_service.update_engagement(
                Engagement.get_by_id(w.demo.engagement_a.id), data, w.demo.isp_a1
            )
        ).get(f),
    ),
    Path(
        "service accept_request",
        lambda w, req, data, f: _in_app(
            w, lambda: refusal(lambda: request_service.accept_request(req, data, w.demo.isp_a1))
        ).get(f),
        setup=_new_request,
    ),
]


def _in_app(world, write, *args):
    """A service call as the app makes it: in an app context (its mail links come from BASE_URL), pushed
    outside the transaction (leaving the context closes the connection)."""
    with world.app.app_context():
        return write(*args)


def _deactivate(user):
    user.is_active = False
    user.save()
    return user


# name -> (prepare(demo, valid input) -> what the case changes in it, field, message)
ENGAGEMENT_CASES = {
    "inactive ISP as co-lead": (
        lambda d, base: {"co_lead_ids": [d.isp_a1.id, _deactivate(d.isp_none).id], "supporting_ids": []},
        "co_lead_ids",
        "Co-leads must be active ISPs.",
    ),
    "a recipient as co-lead": (
        lambda d, base: {"co_lead_ids": [d.isp_a1.id, d.recipient_a.id]},
        "co_lead_ids",
        "Co-leads must be active ISPs.",
    ),
    "the same person twice as co-lead": (
        lambda d, base: {"co_lead_ids": [d.isp_a1.id, d.isp_a1.id]},
        "co_lead_ids",
        "Choose two different ISPs as co-leads.",
    ),
    "one co-lead only": (lambda d, base: {"co_lead_ids": [d.isp_a1.id]}, "co_lead_ids", "Choose two ISPs as co-leads."),
    "a supporting ISP who is also co-lead": (
        lambda d, base: {"supporting_ids": [d.isp_b.id]},
        "supporting_ids",
        "A co-lead cannot also be a supporting ISP: untick them under supporting ISPs.",
    ),
    "an inactive supporting ISP": (
        lambda d, base: {"supporting_ids": [_deactivate(d.isp_none).id]},
        "supporting_ids",
        "Supporting ISPs must be active ISPs.",
    ),
    "end before start": (
        lambda d, base: {"end_date": base["start_date"] - dt.timedelta(days=1)},
        "end_date",
        "The end date cannot be before the start date.",
    ),
    "a blank title": (lambda d, base: {"title": ""}, "title", "Give the engagement a title."),
    "no model of support": (lambda d, base: {"support_model": ""}, "support_model", "Choose the model of support."),
    "no start date": (lambda d, base: {"start_date": None, "end_date": None}, "start_date", "Enter the start date."),
}


# --- support requests: the request page, the API, the service ----------------------------------------------


def _request_input(**overrides):
    return {"title": "Help with rollout", "description": "A new programme", "for_whom": "Grantees"} | overrides


REQUEST_PATHS = [
    Path(
        "new request page",
        lambda w, ctx, data, f: page(
            post_form(
                w.client(w.demo.admin),
                "/requests/new",
                {"unit": data.get("unit_id") or "", "on_behalf": "internal", **_without(data, "unit_id")},
            ),
            f,
        ),
        fields={"unit_id": "unit"},
    ),
    Path(
        "API POST /requests",
        lambda w, api, data, f: api_error(api.post("/requests", data), f),
        setup=_with_api(lambda d: d.admin),
    ),
    Path(
        "service submit_request",
        lambda w, ctx, data, f: refusal(
            lambda: request_service.submit_request(data.get("unit_id"), _without(data, "unit_id"), w.demo.admin)
        ).get(f),
    ),
]


def _without(data, key):
    return {k: v for k, v in data.items() if k != key}


REQUEST_CASES = {
    "no unit": (lambda d: _request_input(), "unit_id", "Choose the unit the request is for."),
    "a blank title": (lambda d: _request_input(unit_id=d.unit_a.id, title=""), "title", "Give the request a title."),
    "a blank description": (
        lambda d: _request_input(unit_id=d.unit_a.id, description=""),
        "description",
        "Describe the initiative you would like support with.",
    ),
    "nobody it is for": (
        lambda d: _request_input(unit_id=d.unit_a.id, for_whom=" "),
        "for_whom",
        "Say who the initiative is for.",
    ),
}


# --- users: admin page, API, CLI, service; passwords also on the set-password and own-account pages ---------


def _user_form(data):
    """The admin's new-user page invites: no password there (the person sets it through the link)."""
    return {"email": data["email"], "name": data["name"], "role": "isp", "unit": "", "organization": ""}


def _invitation_link(world):
    """An invited person and the path of their set-password link."""
    with world.app.test_request_context():
        person = User.create(email="ivo.invited@example.org", name="Ivo Invited", role="isp")
        invitation = admin_service.send_invitation(person, world.demo.admin)
    return urlsplit(invitation.url).path


def _cli(world, data):
    result = world.app.test_cli_runner().invoke(
        args=["create-user", data["email"], "--name", data["name"], "--role", "isp", "--password", data["password"]]
    )
    assert result.exit_code != 0
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("Error: ")
    return line.removeprefix("Error: ")


USER_PATHS = [
    Path(
        "admin new-user page",
        lambda w, ctx, data, f: page(post_form(w.client(w.demo.admin), "/admin/users/new", _user_form(data)), f),
    ),
    Path(
        "API POST /users",
        lambda w, api, data, f: api_error(api.post("/users", {**data, "role": "isp"}), f),
        setup=_with_api(lambda d: d.admin),
    ),
    Path("CLI create-user", lambda w, ctx, data, f: _cli(w, data)),  # one line: the message alone
    Path(
        "service create_user",
        lambda w, ctx, data, f: refusal(lambda: admin_service.create_user({**data, "role": "isp"})).get(f),
    ),
]

PASSWORD_ONLY_PATHS = [
    Path(
        "invitation link page",
        lambda w, link, data, f: page(
            post_form(
                w.app.test_client(),
                link,
                {"new_password": data["password"], "confirm_password": data["password"]},
            ),
            f,
        ),
        setup=_invitation_link,
        fields={"password": "new_password"},
    ),
    Path(
        "admin set-password page",
        lambda w, ctx, data, f: page(
            post_form(w.client(w.demo.admin), f"/admin/users/{w.demo.isp_none.id}/password", data), f
        ),
    ),
    Path(
        "own account page",
        lambda w, ctx, data, f: page(
            post_form(
                w.client(w.demo.isp_a1),
                "/account/password",
                {
                    "current_password": factories.PASSWORD,
                    "new_password": data["password"],
                    "confirm_password": data["password"],
                },
                token_from="/account/",
            ),
            f,
        ),
        fields={"password": "new_password"},
    ),
    Path(
        "model User.change_password",
        lambda w, ctx, data, f: refusal(
            lambda: User.get_by_id(w.demo.isp_none.id).change_password(data["password"])
        ).get(f),
    ),
]

USER_CASES = {
    **{
        f"bad email {bad!r}": ({"email": bad, "name": "Nia New", "password": GOOD_PASSWORD}, "email", EMAIL)
        for bad in BAD_EMAILS
    },
    "a blank name": (
        {"email": "nia@example.org", "name": "", "password": GOOD_PASSWORD},
        "name",
        "Enter the person's name.",
    ),
    "a short password": (
        {"email": "nia@example.org", "name": "Nia New", "password": "eleven-char"},
        "password",
        SHORT_PASSWORD,
    ),
}


# --- team members: page, API, model; the end of a membership: page and model -------------------------------


def _member_input(**overrides):
    return {
        "name": "Kim Member",
        "position": "manager",
        "email": "kim@example.org",
        "joined_on": "2026-02-01",
    } | overrides


TEAM_PATHS = [
    Path(
        "team page",
        lambda w, ctx, data, f: page(
            post_form(w.client(w.demo.isp_a1), f"/engagements/{w.demo.engagement_a.id}/team/new", data), f
        ),
    ),
    Path(
        "API POST /engagements/<id>/team",
        lambda w, api, data, f: api_error(api.post(f"/engagements/{w.demo.engagement_a.id}/team", data), f),
        setup=_with_api(lambda d: d.isp_a1),
    ),
    Path(
        "model TeamMember.save",
        lambda w, ctx, data, f: refusal(
            lambda: TeamMember(
                engagement=w.demo.engagement_a, **{**data, "joined_on": dt.date.fromisoformat(data["joined_on"])}
            ).save()
        ).get(f),
    ),
]

TEAM_CASES = {
    **{f"bad email {bad!r}": (_member_input(email=bad), "email", EMAIL) for bad in BAD_EMAILS},
    "a blank name": (_member_input(name=""), "name", "Enter the person's name."),
}


def _member(world):
    return factories.team_member(world.demo.engagement_a, joined_on=dt.date(2026, 2, 1))


MEMBERSHIP_END_PATHS = [
    Path(
        "end-membership page",
        lambda w, member, left_on, f: page(
            post_form(
                w.client(w.demo.isp_a1),
                f"/engagements/{w.demo.engagement_a.id}/team/{member.id}/end",
                {"left_on": left_on.isoformat()},
            ),
            f,
        ),
        setup=_member,
    ),
    Path(
        "model TeamMember.save",
        lambda w, member, left_on, f: refusal(
            lambda: setattr(member, "left_on", left_on) or TeamMember.save(member)
        ).get(f),
        setup=_member,
    ),
]


# --- feedback invitations: the invite page and the service --------------------------------------------------

FEEDBACK_PATHS = [
    Path(
        "survey invitation page",
        lambda w, ctx, emails, f: page(
            post_form(
                w.client(w.demo.isp_a1),
                f"/engagements/{w.demo.engagement_a.id}/feedback/survey",
                {"extra_emails": emails},
            ),
            f,
        ),
        fields={"emails": "extra_emails"},
    ),
    Path(
        "service create_invitations",
        lambda w, ctx, emails, f: refusal(
            lambda: feedback_service.create_invitations(
                w.demo.engagement_a, "survey", [(e, None) for e in emails.split()], user=w.demo.isp_a1
            )
        ).get(f),
    ),
]

FEEDBACK_CASES = {
    f"bad recipient {bad!r}": (bad, "emails", f"Not an email address: {bad}. Write one address per line.")
    for bad in ("no-at-sign", "name@example", "two@@example.org")
}


# --- the table ----------------------------------------------------------------------------------------------------


def table():
    rows = []
    for case, (prepare, name, message) in ENGAGEMENT_CASES.items():
        for path in ENGAGEMENT_PATHS:
            rows.append(pytest.param(path, prepare, name, message, id=f"{case} | {path.name}"))
    for case, (prepare, name, message) in REQUEST_CASES.items():
        for path in REQUEST_PATHS:
            rows.append(pytest.param(path, prepare, name, message, id=f"{case} | {path.name}"))
    for case, (data, name, message) in USER_CASES.items():
        for path in USER_PATHS:
            if name == "password" and path.name == "admin new-user page":
                continue  # the admin invites; the invited person's password: PASSWORD_ONLY_PATHS
            rows.append(pytest.param(path, data, name, message, id=f"{case} | {path.name}"))
    for path in PASSWORD_ONLY_PATHS:
        data = {"password": "eleven-char"}
        rows.append(pytest.param(path, data, "password", SHORT_PASSWORD, id=f"a short password | {path.name}"))
    for case, (data, name, message) in TEAM_CASES.items():
        for path in TEAM_PATHS:
            rows.append(pytest.param(path, data, name, message, id=f"{case} | {path.name}"))
    for path in MEMBERSHIP_END_PATHS:
        message = "The end of membership (2026-01-20) cannot be before it started (2026-02-01)."
        rows.append(
            pytest.param(path, dt.date(2026, 1, 20), "left_on", message, id=f"left before joining | {path.name}")
        )
    for case, (emails, name, message) in FEEDBACK_CASES.items():
        for path in FEEDBACK_PATHS:
            rows.append(pytest.param(path, emails, name, message, id=f"{case} | {path.name}"))
    return rows


def _edits(path):
    """The paths that change engagement A rather than create an engagement."""
    return any(word in path.name for word in ("edit", "PATCH", "update"))


@pytest.mark.parametrize("path, given, name, message", table())
def test_the_rule_refuses_the_same_way_on_every_path_and_writes_nothing(app, demo, path, given, name, message):
    world = World(demo, app)
    ctx = path.setup(world) if path.setup else None
    if path in REQUEST_PATHS:
        given = given(demo)
    elif callable(given):  # an engagement case: a valid input (edits keep the engagement's start) changed by the case
        valid = engagement_input(demo, start=demo.engagement_a.start_date if _edits(path) else None)
        given = {**valid, **given(demo, valid)}
    before = snapshot(demo)
    shown = path.send(world, ctx, given, path.fields.get(name, name))
    assert shown == message
    assert snapshot(demo) == before


# --- and the valid input of each family is accepted on every path (the table refuses for the case's reason) ------


@pytest.mark.parametrize("path", ENGAGEMENT_PATHS, ids=lambda p: p.name)
def test_the_valid_engagement_input_is_accepted_on_every_path(app, demo, path):
    world = World(demo, app)
    ctx = path.setup(world) if path.setup else None
    data = engagement_input(demo, start=demo.engagement_a.start_date if _edits(path) else None)
    before = Engagement.select().count()
    if path.name.startswith("service"):
        with app.app_context(), database.atomic():
            if "create" in path.name:
                engagement_service.create_engagement({**data, "unit_id": demo.unit_b.id}, demo.isp_a1)
            elif "update" in path.name:
                engagement_service.update_engagement(Engagement.get_by_id(demo.engagement_a.id), data, demo.isp_a1)
            else:
                request_service.accept_request(ctx, data, demo.isp_a1)
    elif path.name.startswith("API"):
        api = ctx[0] if isinstance(ctx, tuple) else ctx
        if "accept" in path.name:
            response = api.post(f"/requests/{ctx[1].id}/accept", as_json(data))
        elif "PATCH" in path.name:
            response = api.patch(f"/engagements/{demo.engagement_a.id}", as_json(data))
        else:
            response = api.post("/engagements", {**as_json(data), "unit_id": demo.unit_b.id})
        assert response.status_code in (200, 201), response.get_json()
    else:
        client = world.client(demo.isp_a1)
        if "create" in path.name:
            url, form = "/engagements/new", {**as_form(data), "unit": demo.unit_b.id, "first_stage": ""}
        elif "edit" in path.name:
            url, form = f"/engagements/{demo.engagement_a.id}/edit", as_form(data)
        else:
            url, form = f"/requests/{ctx.id}/accept", as_form(data)
        assert post_form(client, url, form).status_code == 302
    changed = _edits(path)
    assert Engagement.select().count() == before + (0 if changed else 1)
    newest = (
        Engagement.get_by_id(demo.engagement_a.id)
        if changed
        else Engagement.select().order_by(Engagement.id.desc()).get()
    )
    links = {(link.user_id, link.role) for link in newest.isps()}
    assert links == {(demo.isp_a1.id, "co_lead"), (demo.isp_b.id, "co_lead"), (demo.isp_none.id, "supporting")}
