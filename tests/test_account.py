"""Your account: how dates are shown to each person, and changing one's own password."""

import datetime as dt
import importlib

import pytest
from flask import render_template_string

from tracker.db import database
from tracker.models import SchemaVersion, User
from tracker.schema import migrate

from . import factories
from .conftest import csrf_token, field_error, post_form

NEW_PASSWORD = "a much longer new passphrase"


def set_format(client, key):
    return post_form(client, "/account/", {"date_format": key})


def change_password(client, current=factories.PASSWORD, new=NEW_PASSWORD, confirm=None):
    return post_form(
        client,
        "/account/password",
        {"current_password": current, "new_password": new, "confirm_password": new if confirm is None else confirm},
        token_from="/account/",
    )


def fresh(user):
    return User.get_by_id(user.id)


# --- the page ---------------------------------------------------------------------------------------


def test_the_name_in_the_header_leads_to_the_account_page(demo, as_user):
    client = as_user(demo.recipient_a)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/account/"' in home
    page = client.get("/account/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Your account" in html and "rec.a@example.org" in html
    assert '<option selected value="d_mon_y">23 Nov 2026</option>' in html


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302 and "/login" in response.location


# --- date format --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, shown",
    [("iso", "2026-01-05"), ("dd_mm_yyyy", "05/01/2026"), ("mm_dd_yyyy", "01/05/2026"), ("d_mon_y", "5 Jan 2026")],
)
def test_the_chosen_format_is_how_dates_look_on_the_engagement_page(demo, as_user, key, shown):
    client = as_user(demo.isp_a1)
    response = set_format(client, key)
    assert response.status_code == 302
    assert "Dates are now shown the way you chose" in client.get("/account/").get_data(as_text=True)
    assert fresh(demo.isp_a1).date_format == key
    page = client.get(f"/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    assert f"{shown} – open" in page  # the engagement's start date (5 January 2026), no end date
    # someone else still sees the default
    other = as_user(demo.isp_a2).get(f"/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    assert "5 Jan 2026 – open" in other


def test_meeting_messages_use_the_chosen_format(demo, as_user):
    meeting = factories.meeting(demo.engagement_a, date=dt.date(2026, 2, 3))
    client = as_user(demo.isp_a1)
    set_format(client, "iso")
    html = client.get(f"/engagements/{demo.engagement_a.id}/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert "Edit the meeting of 2026-02-03" in html
    html = (
        as_user(demo.isp_a2)
        .get(f"/engagements/{demo.engagement_a.id}/meetings/{meeting.id}/edit")
        .get_data(as_text=True)
    )
    assert "Edit the meeting of 3 Feb 2026" in html


def test_date_inputs_stay_iso_whatever_the_format(demo, as_user):
    client = as_user(demo.isp_a1)
    set_format(client, "mm_dd_yyyy")
    html = client.get(f"/engagements/{demo.engagement_a.id}/edit").get_data(as_text=True)
    assert 'type="date"' in html and 'value="2026-01-05"' in html


def test_an_unknown_format_is_refused_next_to_the_field_and_nothing_changes(demo, as_user):
    client = as_user(demo.isp_a1)
    response = set_format(client, "%Y%Y<script>")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "date_format") == "Choose one of the date formats in the list."
    assert fresh(demo.isp_a1).date_format == "d_mon_y"
    assert "<script>" not in html


def test_an_empty_format_is_refused(demo, as_user):
    response = set_format(as_user(demo.isp_a1), "")
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "date_format") == "Choose how dates are shown."


def test_pages_without_a_signed_in_person_use_the_site_default(app):
    with app.test_request_context("/"):
        assert render_template_string("{{ d | date }}", d=dt.date(2026, 11, 3)) == "3 Nov 2026"


# --- password ---------------------------------------------------------------------------------------


def test_changing_the_password_keeps_this_session_and_signs_out_the_others(demo, as_user, app):
    here, elsewhere = as_user(demo.isp_a1), as_user(demo.isp_a1)
    old_token = demo.isp_a1.session_token
    response = change_password(here)
    assert response.status_code == 302 and response.location.endswith("/account/")
    html = here.get("/account/").get_data(as_text=True)
    assert "Your password is changed" in html and "Ada ISP" in html
    assert here.get(f"/engagements/{demo.engagement_a.id}").status_code == 200
    assert "/login" in elsewhere.get("/").location  # the other browser is signed out
    user = fresh(demo.isp_a1)
    assert user.session_token != old_token
    assert user.check_password(NEW_PASSWORD) and not user.check_password(factories.PASSWORD)
    # and the new password signs in on a new browser
    browser = app.test_client()
    assert post_form(browser, "/login", {"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_a_kept_signed_in_browser_gets_a_renewed_cookie(demo, app):
    client = app.test_client()
    post_form(client, "/login", {"email": demo.isp_a1.email, "password": factories.PASSWORD, "remember": "y"})
    old_cookie = client.get_cookie("remember_token").value
    response = change_password(client)
    assert response.status_code == 302
    new_cookie = client.get_cookie("remember_token").value
    assert new_cookie != old_cookie
    assert fresh(demo.isp_a1).session_token in new_cookie


def test_a_wrong_current_password_is_refused_next_to_the_field(demo, as_user):
    client = as_user(demo.isp_a1)
    set_format(client, "iso")
    response = change_password(client, current="not my password at all")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "current_password") == "That is not your current password."
    assert fresh(demo.isp_a1).check_password(factories.PASSWORD)
    assert NEW_PASSWORD not in html and "not my password at all" not in html  # passwords are never echoed
    assert '<option selected value="iso">' in html  # the rest of the page keeps what was chosen
    assert client.get("/account/").status_code == 200  # still signed in


@pytest.mark.parametrize(
    "new, confirm, field, message",
    [
        ("short pass", None, "new_password", "The password must have at least 12 characters."),
        ("", None, "new_password", "Enter a new password."),
        (
            NEW_PASSWORD,
            "a different passphrase",
            "confirm_password",
            "The two new passwords are not the same. Type them again.",
        ),
        (factories.PASSWORD, None, "new_password", "Choose a new password that differs from the current one."),
    ],
)
def test_new_password_rules(demo, as_user, new, confirm, field, message):
    client = as_user(demo.isp_a1)
    token = demo.isp_a1.session_token
    response = change_password(client, new=new, confirm=confirm)
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), field) == message
    user = fresh(demo.isp_a1)
    assert user.check_password(factories.PASSWORD) and user.session_token == token


def test_an_empty_current_password_is_asked_for(demo, as_user):
    response = change_password(as_user(demo.isp_a1), current="")
    assert field_error(response.get_data(as_text=True), "current_password") == "Enter your current password."


def test_guessing_the_current_password_is_throttled_like_sign_in(demo, as_user, app):
    client = as_user(demo.isp_a1)
    for _ in range(app.config["SIGNIN_MAX_FAILURES_ACCOUNT"]):
        change_password(client, current="a wrong guess here")
    response = change_password(client)  # even the right password waits now
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "current_password").startswith("Too many wrong passwords.")
    assert fresh(demo.isp_a1).check_password(factories.PASSWORD)


def test_the_password_form_needs_its_csrf_token(demo, as_user):
    client = as_user(demo.isp_a1)
    response = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "csrf_token": "forged",
        },
    )
    assert response.status_code == 400
    assert fresh(demo.isp_a1).check_password(factories.PASSWORD)
    assert csrf_token(client, "/account/")


# --- migration 0002 --------------------------------------------------------------------------------


def test_migration_0002_adds_the_column_to_an_older_database(app):
    user = factories.user("isp")
    database.execute_sql('ALTER TABLE "user" DROP COLUMN "date_format"')
    SchemaVersion.delete().where(SchemaVersion.version >= 2).execute()
    applied = migrate()
    assert applied[0] == 2
    assert "date_format" in {c.name for c in database.get_columns("user")}
    assert fresh(user).date_format == "d_mon_y"  # existing people keep the default


def test_migration_0002_leaves_a_fresh_database_alone(app):
    module = importlib.import_module("tracker.migrations.0002_user_date_format")
    before = [c.name for c in database.get_columns("user")]
    module.up(database)
    assert [c.name for c in database.get_columns("user")] == before
