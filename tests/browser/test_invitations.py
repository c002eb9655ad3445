"""Invitations end to end in Chromium (issue 18): Ari (an administrator) invites Nia without typing a
password; the invitation lands in the outbox (the stored copy hides the link), Nia opens the link from
her mail, chooses her password and signs in with it; the link then no longer works."""

import re

from playwright.sync_api import expect

from tracker import mail
from tracker.models import OutboxMessage, User

from .helpers import check_a11y, sign_in

STRONG = "Lantern-orbit kestrel 47"
LINK = re.compile(r"http://\S+/invite/\S+")


def test_an_invited_person_sets_their_own_password_and_signs_in(site, browser_context, monkeypatch):
    delivered = []  # the mails as sent (full text, link included)
    site.app.config["MAIL_SERVER"] = "smtp.example.org"
    monkeypatch.setattr(mail, "_smtp_send", lambda to, subject, body: delivered.append((to, body)))
    w = site.world

    ari = browser_context.first.new_page()
    sign_in(ari, w.admin)
    ari.goto(site.url("/admin/users"))
    ari.get_by_role("link", name="New user").click()
    expect(ari.locator("#password")).to_have_count(0)  # no password to type for someone else
    ari.get_by_label("Email", exact=True).fill("nia.new@example.org")
    ari.get_by_label("Name", exact=True).fill("Nia New")
    ari.get_by_label("Role", exact=True).select_option("isp")
    check_a11y(ari, "the new-user form")
    ari.get_by_role("button", name="Invite user").click()
    expect(ari.get_by_text("Invited Nia New <nia.new@example.org>")).to_be_visible()
    row = ari.get_by_role("row").filter(has_text="nia.new@example.org")
    expect(row).to_contain_text("Invited, not yet signed in")
    check_a11y(ari, "the user list with an invited user")

    # the invitation is in the outbox; the stored copy hides the link, the mail sent carries it
    (stored,) = OutboxMessage.select().where(OutboxMessage.to_email == "nia.new@example.org")
    assert stored.subject == "You are invited to the Engagement Tracker" and "[link hidden]" in stored.body
    (body,) = [text for to, text in delivered if to == "nia.new@example.org"]
    link = LINK.search(body).group(0)
    assert link.startswith(site.url("/invite/"))

    nia = browser_context().new_page()
    nia.goto(link)
    expect(nia.get_by_role("heading", level=1, name="Choose your password")).to_be_visible()
    check_a11y(nia, "the set-password page")
    nia.locator("#new_password").fill(STRONG)
    nia.locator("#confirm_password").fill(STRONG + " typo")
    nia.get_by_role("button", name="Set my password").click()
    expect(nia.locator("#confirm_password-error")).to_have_text("The two passwords are not the same. Type them again.")
    nia.locator("#new_password").fill(STRONG)
    nia.locator("#confirm_password").fill(STRONG)
    nia.get_by_role("button", name="Set my password").click()
    expect(nia.get_by_text("Your password is set.")).to_be_visible()
    sign_in(nia, User.get(User.email == "nia.new@example.org"), password=STRONG)
    expect(nia.get_by_text("Signed in as Nia New.")).to_be_visible()

    # used once: the link says so
    again = browser_context().new_page()
    again.goto(link)
    expect(again.get_by_role("heading", level=1, name="This link was already used")).to_be_visible()
    ari.reload()
    expect(ari.get_by_role("row").filter(has_text="nia.new@example.org")).not_to_contain_text("Invited")
