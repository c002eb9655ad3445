"""The organization's settings page (issue 23): /admin/settings, one form built from models.settings.SETTINGS."""

import datetime as dt

from tracker.models import AuditEntry, Setting
from tracker.reports.coverage import coverage_days

from . import factories
from .conftest import field_error, post_form

GOOD = {"review_by": "co_lead", "report_logs": "all", "on_time_days": "5", "coverage_days": "90"}


def test_the_form_shows_every_setting_with_its_value(app, as_user):
    w = factories.small_world()
    page = as_user(w.admin).get("/admin/settings")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for label in (
        "Who reviews meeting logs and activities",
        "Logs the reports count by default",
        "Working days to log a meeting on time",
        "Days without support before a unit is listed as uncovered",
    ):
        assert label in html
    assert '<option selected value="all">All logs</option>' in html
    assert 'name="on_time_days"' in html and 'value="5"' in html
    assert 'href="/admin/settings"' in as_user(w.admin).get("/admin/").get_data(as_text=True)  # the admin menu


def test_a_refused_value_is_shown_next_to_its_field_and_nothing_is_stored(app, as_user):
    w = factories.small_world()
    admin = as_user(w.admin)
    refused = post_form(
        admin,
        "/admin/settings",
        {**GOOD, "report_logs": "approved", "on_time_days": "five", "coverage_days": "3", "review_by": "anyone"},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert field_error(html, "on_time_days") == "Enter a whole number."
    assert field_error(html, "coverage_days") == "Enter a number from 7 to 730."
    assert field_error(html, "review_by") == "Choose one of the options."
    assert field_error(html, "report_logs") is None
    assert 'value="five"' in html and 'value="3"' in html  # the typed input kept
    assert '<option selected value="approved">' in html
    assert Setting.select().count() == 0  # all or none: the valid report_logs was not stored either


def test_a_saved_value_changes_the_reports_default_and_is_audited(app, as_user):
    w = factories.small_world()
    factories.meeting(w.engagement_a, date=dt.date(2026, 2, 3), duration_minutes=60, review_state="submitted")
    admin = as_user(w.admin)
    html = admin.get("/reports/").get_data(as_text=True)
    assert "of support in 1 sessions" in html  # all logs: the submitted one counts
    saved = post_form(admin, "/admin/settings", {**GOOD, "report_logs": "approved", "coverage_days": "30"})
    assert saved.status_code == 302
    assert "Saved the settings (2 changed)." in admin.get(saved.headers["Location"]).get_data(as_text=True)
    assert Setting.value_of("report_logs") == "approved" and Setting.value_of("coverage_days") == 30
    assert Setting.select().count() == 2  # only the settings that changed from their defaults
    html = admin.get("/reports/").get_data(as_text=True)
    assert "of support in 0 sessions" in html  # approved only now, by default
    assert '<option value="approved" selected>Approved logs only</option>' in html
    assert "of support in 1 sessions" in admin.get("/reports/?logs=all").get_data(as_text=True)
    with app.app_context():
        assert coverage_days() == 30  # the setting over the COVERAGE_DAYS config
    entries = AuditEntry.select().where((AuditEntry.entity == "Setting") & (AuditEntry.action == "create"))
    assert entries.count() == 2 and all(e.user_id == w.admin.id for e in entries)


def test_only_administrators(app, as_user):
    w = factories.small_world()
    assert as_user(w.leader_all).get("/admin/settings").status_code == 403
    assert as_user(w.isp_a1).post("/admin/settings", data=GOOD).status_code == 403
    assert Setting.select().count() == 0
