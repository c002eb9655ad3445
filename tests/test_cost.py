"""Cost of support (issue 19): the definition in tracker/reports/cost.py over a hand-worked data set,
the rates' rules in the model, and the pages, CSV and API that show it."""

import datetime as dt

import pytest
from playhouse.test_utils import count_queries

from tracker.models import AuditEntry, Goal, Meeting, MeetingAttendee, Organization, Stage, User, ValidationError
from tracker.reports import cost as report
from tracker.reports.filters import ReportFilters

from . import factories
from .api_helpers import Api
from .conftest import field_error, post_form

D = dt.date
AS_OF = D(2026, 6, 30)


def session(e, day, minutes, isps=(), team=(), **kwargs):
    m = factories.meeting(e, date=day, duration_minutes=minutes, **kwargs)
    for user in isps:
        MeetingAttendee.create(meeting=m, user=user)
    for member in team:
        MeetingAttendee.create(meeting=m, team_member=member)
    return m


@pytest.fixture
def world(app):
    """An intermediary whose organization rate is 75 an hour; ISPs Ada (90 an hour), Ben (60) and Cal (no
    rate of his own: the organization's 75); Dee, an ISP of no organization and with no rate (unknown).

    Engagement E: Exploration from 5 Jan 2026, Installation from 2 Mar, back to Exploration on 1 Apr
    (a move back: no advance), Initial implementation from 4 May. Stages advanced: Exploration ->
    Installation and Exploration -> Initial implementation = 2.

      date     stage (visit)       minutes  attending ISPs    cost
      20 Jan   Exploration            60    Ada, Ben          60 x (90 + 60) / 60 = 150
      10 Feb   Exploration            90    Cal               90 x 75 / 60        = 112.50
       2 Mar   Installation           30    Ada, Cal          30 x (90 + 75) / 60 =  82.50  (day of the move)
      16 Mar   Installation           45    none (team only)  0, without a rate
      20 Mar   Installation          120    Ada               deleted: not counted
      10 Apr   Exploration (again)    40    Ben               40 x 60 / 60        =  40
      10 May   Initial implementation 60    Ben, Dee          60 x 60 / 60 = 60 known, without a rate (Dee)

      Exploration: 60 + 90 + 40 = 190 minutes, 150 + 112.50 + 40 = 302.50
      Installation: 30 + 45 = 75 minutes, 82.50 (1 session without a rate)
      Initial implementation: 60 minutes, 60 (1 session without a rate)
      Full implementation: 0, 0
      Total: 325 minutes, 445; sessions without a rate: 2
      Cost per stage advanced: 445 / 2 = 222.50
      Goals: achieved, achieved, in progress, and an achieved one deleted: 2 achieved -> 445 / 2 = 222.50;
      with a third achieved goal, 445 / 3 = 148.33...
    """
    centre = factories.organization("Centre", kind="intermediary")
    centre.hourly_rate = 75
    centre.save()
    ada = factories.user("isp", name="Ada", organization=centre, hourly_rate=90)
    ben = factories.user("isp", name="Ben", organization=centre, hourly_rate=60)
    cal = factories.user("isp", name="Cal", organization=centre)
    dee = factories.user("isp", name="Dee")
    e = factories.engagement(co_leads=[ada, ben], supporting=[cal, dee], start=D(2026, 1, 5), stage="exploration")
    stage = {s.key: s for s in Stage.select()}
    e.enter_stage(stage["installation"], D(2026, 3, 2))
    e.enter_stage(stage["exploration"], D(2026, 4, 1))
    e.enter_stage(stage["initial_implementation"], D(2026, 5, 4))
    member = factories.team_member(e)
    session(e, D(2026, 1, 20), 60, [ada, ben])
    session(e, D(2026, 2, 10), 90, [cal])
    session(e, D(2026, 3, 2), 30, [ada, cal])
    session(e, D(2026, 3, 16), 45, team=[member])
    gone = session(e, D(2026, 3, 20), 120, [ada])
    Meeting.update(deleted_at=dt.datetime(2026, 3, 21)).where(Meeting.id == gone.id).execute()
    session(e, D(2026, 4, 10), 40, [ben])
    session(e, D(2026, 5, 10), 60, [ben, dee])
    for status in ("achieved", "achieved", "in_progress"):
        factories.goal(e, title=f"A goal {status}", status=status)
    factories.goal(e, title="Deleted", status="achieved", deleted_at=dt.datetime(2026, 2, 1))
    return {"e": e, "ada": ada, "ben": ben, "cal": cal, "dee": dee, "centre": centre, "member": member}


def by_key(stages):
    return {s["key"]: s for s in stages}


def test_engagement_cost_worked_by_hand(world):
    data = report.engagement_cost.uncached(world["e"].id, AS_OF)
    stages = by_key(data["stages"])
    assert (stages["exploration"]["minutes"], stages["exploration"]["cost"]) == (190, pytest.approx(302.5))
    assert (stages["installation"]["minutes"], stages["installation"]["cost"]) == (75, pytest.approx(82.5))
    assert stages["installation"]["sessions_without_rate"] == 1
    assert (stages["initial_implementation"]["minutes"], stages["initial_implementation"]["cost"]) == (60, 60)
    assert (stages["full_implementation"]["minutes"], stages["full_implementation"]["cost"]) == (0, 0)
    assert [s["key"] for s in data["stages"]] == [s.key for s in Stage.ordered()]
    assert data["total_minutes"] == 325
    assert data["total_cost"] == pytest.approx(445)
    assert data["sessions"] == 6
    assert data["sessions_without_rate"] == 2
    assert data["stages_advanced"] == 2
    assert data["cost_per_stage_advanced"] == pytest.approx(222.5)
    assert data["goals_achieved"] == 2
    assert data["cost_per_goal_achieved"] == pytest.approx(222.5)
    assert data["unstaged"] == {"minutes": 0, "cost": 0, "sessions_without_rate": 0}

    factories.goal(world["e"], title="A third", status="achieved")
    assert report.engagement_cost.uncached(world["e"].id, AS_OF)["cost_per_goal_achieved"] == pytest.approx(445 / 3)


def test_a_rate_of_their_own_wins_and_the_organization_rate_fills_in(world):
    """Cal takes the organization's 75 until he has his own 80: the 10 Feb session becomes 90 x 80 / 60 = 120
    and the 2 Mar one 30 x (90 + 80) / 60 = 85, so the total is 445 - 112.50 + 120 - 82.50 + 85 = 455."""
    world["cal"].hourly_rate = 80
    world["cal"].save()
    assert report.engagement_cost.uncached(world["e"].id, AS_OF)["total_cost"] == pytest.approx(455)


def test_nothing_to_divide_by_is_none_and_sessions_before_any_stage_are_unstaged(app):
    """An engagement never staged, no goals achieved: one 30-minute session of an ISP at 90 costs 45,
    before any stage; per stage advanced and per goal achieved have nothing to divide by."""
    isp = factories.user("isp", hourly_rate=90)
    e = factories.engagement(co_leads=[isp, factories.user("isp")])
    session(e, D(2026, 2, 1), 30, [isp])
    data = report.engagement_cost.uncached(e.id, AS_OF)
    assert data["unstaged"] == {"minutes": 30, "cost": 45, "sessions_without_rate": 0}
    assert data["total_cost"] == 45 and data["total_minutes"] == 30
    assert data["cost_per_stage_advanced"] is None and data["cost_per_goal_achieved"] is None


def test_portfolio_sums_engagements_in_scope(world):
    """A second engagement F in another unit: one 60-minute session of Ada (90) in Exploration, never
    advanced. Portfolio: 445 + 90 = 535, stages advanced 2 + 0, so 267.50 per stage advanced; goals
    achieved 2 + 0: 267.50 per goal. Filtered to F's unit: F alone, 90 and no advance."""
    admin = factories.user("admin")
    f = factories.engagement(co_leads=[world["ada"], world["ben"]], start=D(2026, 2, 2), stage="exploration")
    session(f, D(2026, 3, 3), 60, [world["ada"]])
    data = report.portfolio_cost.uncached(ReportFilters(user=admin), AS_OF)
    assert {r["id"] for r in data["engagements"]} == {world["e"].id, f.id}
    assert data["total_cost"] == pytest.approx(535)
    assert by_key(data["stages"])["exploration"]["cost"] == pytest.approx(392.5)
    assert data["cost_per_stage_advanced"] == pytest.approx(267.5)
    assert data["cost_per_goal_achieved"] == pytest.approx(267.5)
    assert data["sessions_without_rate"] == 2
    one = report.portfolio_cost.uncached(ReportFilters(user=admin, unit=f.unit_id), AS_OF)
    assert [r["id"] for r in one["engagements"]] == [f.id]
    assert one["total_cost"] == 90 and one["cost_per_stage_advanced"] is None


def test_queries_do_not_grow_with_sessions(world):
    admin = factories.user("admin")
    filters = ReportFilters(user=admin)
    with count_queries() as few:
        report.portfolio_cost.uncached(filters, AS_OF)
    for day in range(1, 20):
        session(world["e"], D(2026, 6, day), 30, [world["ada"], world["cal"]])
    with count_queries() as many:
        report.portfolio_cost.uncached(filters, AS_OF)
    assert many.count == few.count <= 8


@pytest.mark.parametrize(
    ("value", "words"),
    [(-1, "cannot be negative"), (10001, "typing mistake"), (float("nan"), "as a number"), ("85", "as a number")],
)
def test_rates_are_sane_numbers(app, value, words):
    isp = factories.user("isp")
    isp.hourly_rate = value
    with pytest.raises(ValidationError) as refused:
        isp.save()
    assert words in refused.value.errors["hourly_rate"]
    centre = factories.organization(kind="intermediary")
    centre.hourly_rate = value
    with pytest.raises(ValidationError) as refused:
        centre.save()
    assert words in refused.value.errors["hourly_rate"]


def test_goal_count_ignores_other_engagements(world):
    other = factories.engagement()
    factories.goal(other, title="Elsewhere", status="achieved")
    assert report.engagement_cost.uncached(world["e"].id, AS_OF)["goals_achieved"] == 2
    assert Goal.select().where(Goal.status == "achieved").count() == 4


# --- the pages, the CSV and the API ---------------------------------------------------------------------


def test_engagement_page_shows_cost_to_isps_never_to_recipients(app, world, as_user):
    e = world["e"]
    html = as_user(world["ada"]).get(f"/engagements/{e.id}").get_data(as_text=True)
    assert "Cost of support" in html and 'id="cost-table"' in html
    assert "2 sessions" in html and "without a rate" in html
    recipient = factories.user("recipient", unit=e.unit)
    html = as_user(recipient).get(f"/engagements/{e.id}").get_data(as_text=True)
    assert "Cost of support" not in html and "USD" not in html


def test_cost_report_page_csv_and_tab(app, world, as_user):
    leader = factories.user("leader", reads_all_organizations=True)
    client = as_user(leader)
    html = client.get("/reports/cost").get_data(as_text=True)
    assert "Cost of support" in html and world["e"].title in html
    assert "USD 445.00" in html and "USD 222.50" in html
    assert 'href="/reports/cost' in client.get("/reports/").get_data(as_text=True)
    csv = client.get("/reports/cost.csv").get_data(as_text=True)
    assert f"{world['e'].id},{world['e'].title},total,All stages,325,445.0,2,2,222.5,2,222.5" in csv
    recipient = as_user(factories.user("recipient", unit=world["e"].unit))
    assert recipient.get("/reports/cost").status_code == 403
    assert recipient.get("/reports/cost.csv").status_code == 403
    assert 'href="/reports/cost' not in recipient.get("/reports/").get_data(as_text=True)


def test_api_cost_of_one_engagement_and_the_portfolio(app, world, client):
    api = Api(client, world["ada"])
    one = api.get("/reports/cost", engagement=world["e"].id)
    assert one.status_code == 200, one.get_json()
    body = one.get_json()
    assert body["total_cost"] == pytest.approx(445) and body["cost_per_stage_advanced"] == pytest.approx(222.5)
    assert {"key": "installation", "minutes": 75} == {
        k: by_key(body["stages"])["installation"][k] for k in ("key", "minutes")
    }
    assert body["currency"] == "USD"
    portfolio = api.get("/reports/cost").get_json()
    assert [r["id"] for r in portfolio["items"]] == [world["e"].id] and portfolio["total"] == 1
    assert api.get("/reports/cost", engagement="x").status_code == 400
    recipient = Api(client, factories.user("recipient", unit=world["e"].unit))
    assert recipient.get("/reports/cost", engagement=world["e"].id).status_code == 403


def test_admin_sets_rates_refused_input_kept_and_audited(app, world, as_user):
    admin = as_user(factories.user("admin"))
    ben = world["ben"]
    url = f"/admin/users/{ben.id}/edit"
    form = {
        "name": ben.name,
        "role": "isp",
        "organization": str(world["centre"].id),
        "is_active": "y",
        "version": str(User.get_by_id(ben.id).version),
    }
    refused = post_form(admin, url, {**form, "hourly_rate": "-5"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert field_error(html, "hourly_rate") == "An hourly rate cannot be negative." and 'value="-5"' in html
    assert post_form(admin, url, {**form, "hourly_rate": "65.5"}).status_code == 302
    assert User.get_by_id(ben.id).hourly_rate == 65.5
    updates = AuditEntry.select().where(
        (AuditEntry.entity == "User") & (AuditEntry.entity_id == ben.id) & (AuditEntry.action == "update")
    )
    assert any("hourly_rate" in entry.changes for entry in updates)

    centre = world["centre"]
    page = admin.get("/admin/cost-rates").get_data(as_text=True)
    assert "Ben" in page and "65.50" in page and 'value="75"' in page
    refused = post_form(admin, "/admin/cost-rates", {f"org_{centre.id}": "lots"})
    assert refused.status_code == 400
    assert "as a number" in field_error(refused.get_data(as_text=True), f"org_{centre.id}")
    assert 'value="lots"' in refused.get_data(as_text=True)
    assert post_form(admin, "/admin/cost-rates", {f"org_{centre.id}": "70"}).status_code == 302
    assert Organization.get_by_id(centre.id).hourly_rate == 70
    assert (
        AuditEntry.select()
        .where(
            (AuditEntry.entity == "Organization")
            & (AuditEntry.entity_id == centre.id)
            & (AuditEntry.action == "update")
        )
        .exists()
    )
