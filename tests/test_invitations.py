"""New users are invited by an email link to set their own password (issue 18).

The admin's new-user page asks no password; the invitation goes through the outbox with a one-time link
/invite/<token> (only its sha256 stored, the stored mail hides it) that expires; the invited person
cannot sign in until they choose a password on that page (the same policy as every path). A used,
expired, unknown or replaced link shows a page that says so; the admin resends from the user's page."""

import datetime as dt
import hashlib
import re

import pytest

from tracker import mail
from tracker.models import AuditEntry, OutboxMessage, User, UserInvitation
from tracker.services import admin as admin_service

from . import factories
from .conftest import field_error, post_form

STRONG = "Lantern-orbit kestrel 47"
LINK = re.compile(r"http://\S+/invite/(\S+)")


def html(response):
    return response.get_data(as_text=True)


@pytest.fixture
def sent(app, monkeypatch):
    """The mails as delivered (full text, link included): [(to, body)]."""
    delivered = []
    app.config["MAIL_SERVER"] = "smtp.example.org"
    monkeypatch.setattr(mail, "_smtp_send", lambda to, subject, body: delivered.append((to, body)))
    return delivered


@pytest.fixture
def admin(demo, as_user):
    return as_user(demo.admin)


def invite(admin, demo, email="nia.new@example.org", name="Nia New"):
    return post_form(
        admin,
        "/admin/users/new",
        {"email": email, "name": name, "role": "isp", "unit": "", "organization": str(demo.center.id)},
    )


def link_in(sent, email):
    (body,) = [body for to, body in sent if to == email][-1:]
    return "/invite/" + LINK.search(body).group(1)


def test_the_admin_invites_and_the_mail_carries_a_one_time_link(demo, admin, sent):
    response = invite(admin, demo)
    assert response.status_code == 302
    flashed = html(admin.get("/admin/users"))
    assert "Invited Nia New &lt;nia.new@example.org&gt; as implementation support practitioner" in flashed
    assert "Invited, not yet signed in" in flashed

    user = User.get(User.email == "nia.new@example.org")
    assert user.password_hash == "" and user.is_invited
    (message,) = OutboxMessage.select().where(OutboxMessage.to_email == "nia.new@example.org")
    assert message.subject == "You are invited to the Engagement Tracker"
    assert message.status == "sent"
    link = link_in(sent, user.email)
    token = link.rsplit("/", 1)[1]
    assert token not in message.body and "[link hidden]" in message.body  # the stored copy hides it
    invitation = UserInvitation.get(UserInvitation.user == user.id)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=admin_service.INVITATION_DAYS)
    # through the audit log, without the token's hash
    entry = AuditEntry.get((AuditEntry.entity == "UserInvitation") & (AuditEntry.action == "create"))
    assert entry.user_id == demo.admin.id and "token_hash" not in entry.change_map


def test_the_invited_person_cannot_sign_in_until_they_set_a_password(app, demo, admin, sent):
    invite(admin, demo)
    client = app.test_client()
    for password in ("", STRONG):
        response = post_form(client, "/login", {"email": "nia.new@example.org", "password": password})
        assert response.status_code in (400, 401)

    link = link_in(sent, "nia.new@example.org")
    page = html(client.get(link))
    assert "Choose your password" in page and "nia.new@example.org" in page

    # refused: next to the field, nothing typed sent back, nothing written
    response = post_form(
        client, link, {"new_password": "nia.new@example.org", "confirm_password": "nia.new@example.org"}
    )
    assert response.status_code == 400
    assert field_error(html(response), "new_password").startswith("Do not build the password")
    response = post_form(client, link, {"new_password": STRONG, "confirm_password": STRONG + "x"})
    assert field_error(html(response), "confirm_password") == "The two passwords are not the same. Type them again."
    assert 'value="Lantern' not in html(response)
    assert User.get(User.email == "nia.new@example.org").is_invited

    response = post_form(client, link, {"new_password": STRONG, "confirm_password": STRONG})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "Your password is set. Sign in with your email and the new password." in html(client.get("/login"))
    response = post_form(client, "/login", {"email": "nia.new@example.org", "password": STRONG})
    assert response.status_code == 302
    assert "Signed in as Nia New" in html(client.get("/", follow_redirects=True))

    # the link worked once
    again = app.test_client().get(link)
    assert again.status_code == 410 and "This link was already used" in html(again)
    users = html(admin.get("/admin/users?q=nia.new"))
    assert "Invited, not yet signed in" not in users and "Active" in users


def test_an_expired_or_unknown_link_says_so(app, demo, admin, sent):
    invite(admin, demo)
    link = link_in(sent, "nia.new@example.org")
    UserInvitation.update(expires_at=dt.datetime(2020, 1, 1)).execute()
    response = app.test_client().get(link)
    assert response.status_code == 410 and "This link has expired" in html(response)
    assert "Ask an administrator to send you a new one." in html(response)
    assert post_form(app.test_client(), link, {}, token_from="/login").status_code == 410
    unknown = app.test_client().get("/invite/" + "x" * 43)
    assert unknown.status_code == 404 and "This link does not work" in html(unknown)
    # the admin sees it on the person's page
    user = User.get(User.email == "nia.new@example.org")
    assert "Their invitation link has expired or was used up" in html(admin.get(f"/admin/users/{user.id}/edit"))


def test_resending_replaces_the_old_link(app, demo, admin, sent):
    invite(admin, demo)
    user = User.get(User.email == "nia.new@example.org")
    old = link_in(sent, user.email)
    edit = f"/admin/users/{user.id}/edit"
    assert "Resend invitation" in html(admin.get(edit))
    response = post_form(admin, f"/admin/users/{user.id}/send-link", {}, token_from=edit)
    assert response.status_code == 302
    assert "Sent a new invitation to Nia New" in html(admin.get(edit))
    new = link_in(sent, user.email)
    assert new != old
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(new).status_code == 200
    # the old link is kept (its audit entry points at it) but only the newest works
    assert [i.replaced() for i in UserInvitation.select().where(UserInvitation.user == user.id)] == [True, False]


def test_a_resend_needs_the_csrf_token(demo, admin):
    response = admin.post(f"/admin/users/{demo.isp_a1.id}/send-link", data={})
    assert response.status_code == 400
    assert not UserInvitation.select().exists()


def test_a_reset_link_for_someone_with_a_password_signs_them_out_elsewhere(app, demo, admin, sent):
    isp = demo.isp_a1
    edit = f"/admin/users/{isp.id}/edit"
    assert "Email a link to set a new password" in html(admin.get(edit))
    post_form(admin, f"/admin/users/{isp.id}/send-link", {}, token_from=edit)
    assert "Sent a link to set a new password to Ada ISP" in html(admin.get(edit))
    elsewhere = app.test_client(user=isp)
    link = link_in(sent, isp.email)
    response = post_form(app.test_client(), link, {"new_password": STRONG, "confirm_password": STRONG})
    assert response.status_code == 302
    assert User.get_by_id(isp.id).check_password(STRONG)
    assert elsewhere.get("/").status_code == 302  # signed out there
    assert [m.subject for m in OutboxMessage.select().order_by(OutboxMessage.id)][-1].startswith(
        "Your password was changed"
    )


def test_the_demo_path_still_writes_users_who_can_sign_in(app, demo):
    user = factories.user("isp", "direct@example.org", "Dee Direct")
    assert not user.is_invited and user.check_password(factories.PASSWORD)
