"""Cached reports (tracker/reports/cache.py): a result is served again only while the data it was
computed from stand unchanged (the data version token, kept by database triggers) and only to users
who see the same engagements; whatever path changes the data, the next report shows the change."""

import csv
import datetime as dt
import io

import pytest
from playhouse.test_utils import count_queries

from tests import factories
from tests.feedback_helpers import items, respond
from tracker import data_version, policy
from tracker.db import database, is_sqlite
from tracker.models import MODELS, Meeting, MeetingCompetency
from tracker.reports import cache, competencies, feedback, portfolio
from tracker.reports.filters import ReportFilters

D = dt.date


def co_learning(user, **filters):
    data = competencies.competencies_used(ReportFilters(user=user, **filters))
    return next(c["meetings"] for c in data["competencies"] if c["key"] == "p20_co_learning")


@pytest.fixture
def world(demo):
    factories.meeting(demo.engagement_a, D(2026, 2, 3), ["p20_co_learning"], kind="monthly")
    factories.meeting(demo.engagement_b, D(2026, 2, 9), ["p20_co_learning"], kind="monthly")
    return demo


def test_every_table_reports_read_has_triggers(app):
    watched = set(data_version.watched_tables())
    assert {
        "meeting",
        "meeting_competency",
        "engagement",
        "engagement_isp",
        "stage_entry",
        "goal",
        "goal_status_change",
        "feedback_answer",
        "user",
        "unit",
        "competency",
    } <= watched
    assert watched == {m._meta.table_name for m in MODELS} - data_version.unwatched()
    if is_sqlite():
        rows = database.execute_sql("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        expected = {(t, data_version.trigger_name(t, e)) for t in watched for e in data_version.SQLITE_EVENTS}
    else:
        rows = database.execute_sql(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
        ).fetchall()
        expected = {(t, data_version.trigger_name(t)) for t in watched}
    assert expected <= set(rows)


def test_a_write_changes_the_token_and_a_rollback_takes_it_back(world):
    before = data_version.token()
    assert before is not None
    with database.atomic() as txn:
        factories.meeting(world.engagement_a, D(2026, 3, 1))
        inside = data_version.token()
        assert inside != before
        txn.rollback()
    assert data_version.token() == before
    factories.meeting(world.engagement_a, D(2026, 3, 1))
    assert data_version.token() != before


def test_a_second_call_is_one_query_and_gives_the_same_numbers(world):
    filters = ReportFilters(user=world.admin)
    with count_queries() as first:
        cold = competencies.report(filters)
    with count_queries() as second:
        warm = competencies.report(filters)
    assert warm == cold
    assert first.count > 1 and second.count == 1  # only the data version is read


def test_every_way_of_changing_the_data_shows_in_the_next_report(world):
    admin = world.admin
    assert co_learning(admin) == 2
    m = factories.meeting(world.engagement_c, D(2026, 2, 10), ["p20_co_learning"])  # ORM insert
    assert co_learning(admin) == 3
    m.soft_delete()  # an update
    assert co_learning(admin) == 2
    database.execute_sql(
        "DELETE FROM meeting_competency WHERE meeting_id = "  # raw SQL, as an operator would
        f"(SELECT MIN(id) FROM meeting WHERE engagement_id = {world.engagement_b.id})"
    )
    assert co_learning(admin) == 1
    Meeting.update(date=D(2025, 12, 1)).where(Meeting.engagement == world.engagement_a).execute()
    assert co_learning(admin, start=D(2026, 1, 1)) == 0


def test_users_who_see_different_engagements_never_share_a_result(world):
    # recipient A sees engagement A only, recipient B engagement B only: same filters, same token
    assert co_learning(world.recipient_a) == 1
    factories.meeting(world.engagement_b, D(2026, 2, 20), ["p20_co_learning"])
    assert co_learning(world.recipient_b) == 2
    assert co_learning(world.recipient_a) == 1
    assert co_learning(world.isp_a1) == 1  # co-leads A and C
    assert co_learning(world.isp_a2) == 3  # co-leads A and B
    assert co_learning(world.leader_other) == 0  # Other Funder: unit C only


def test_users_with_the_same_visibility_share_results(world):
    colleague = factories.user("recipient", unit=world.unit_a, organization=world.foundation)
    assert policy.visibility_key(colleague) == policy.visibility_key(world.recipient_a)
    assert policy.visibility_key(world.isp_a1) != policy.visibility_key(world.isp_a2)
    co_learning(world.recipient_a)
    with count_queries() as counter:
        assert co_learning(colleague) == 1
    assert counter.count == 1


def test_users_with_one_visibility_key_see_the_same_engagements(world):
    people = [
        world.admin,
        world.leader_all,
        world.leader_foundation,
        world.leader_other,
        world.recipient_a,
        world.recipient_b,
        world.isp_a1,
        world.isp_a2,
        world.isp_b,
        world.isp_none,
        factories.user("recipient", unit=world.unit_a),
        factories.user("leader", organization=world.foundation),
    ]
    seen = {}
    for person in people:
        engagements = frozenset(e.id for e in policy.visible_engagements(person))
        requests = frozenset(r.id for r in policy.visible_requests(person))
        seen.setdefault(policy.visibility_key(person), set()).add((engagements, requests))
    assert all(len(views) == 1 for views in seen.values())


def test_a_caller_that_changes_its_result_does_not_change_the_next_one(world):
    filters = ReportFilters(user=world.admin)
    first, _monthly = competencies.report(filters)
    first.pop("framework")
    first["competencies"].clear()
    again, _monthly = competencies.report(filters)
    assert again["framework"]["key"] and co_learning(world.admin) == 2
    assert next(c["meetings"] for c in again["competencies"] if c["key"] == "p20_co_learning") == 2


def test_a_result_of_yesterday_is_not_served_today(world, monkeypatch):
    """Reports count days up to today (engagements needing attention): the date is part of the key."""
    filters = ReportFilters(user=world.admin)
    portfolio.needs_attention(filters)
    with count_queries() as same_day:
        portfolio.needs_attention(filters)
    monkeypatch.setattr(cache, "_today", lambda: dt.date.today() + dt.timedelta(days=1))
    with count_queries() as next_day:
        portfolio.needs_attention(filters)
    assert same_day.count == 1 and next_day.count > 1
    # an explicit date is an argument, so a part of the key too: a week after A's meeting, all is well
    assert [r["title"] for r in portfolio.needs_attention(filters)] == ["Engagement A", "Engagement B", "Engagement C"]
    assert portfolio.needs_attention(filters, as_of=D(2026, 2, 10)) == []


def test_the_csv_a_leader_downloads_follows_a_meeting_logged_since(world, as_user):
    leader = as_user(world.leader_all)

    def count():
        text = leader.get("/reports/competencies.csv").get_data().decode("utf-8").lstrip("\ufeff")
        return next(int(r[5]) for r in csv.reader(io.StringIO(text)) if r[2] == "p20_co_learning")

    assert count() == 2
    factories.meeting(world.engagement_c, D(2026, 2, 11), ["p20_co_learning"])
    assert count() == 3
    MeetingCompetency.delete().execute()
    assert count() == 0


def test_the_feedback_glance_of_an_engagement_follows_new_responses(world):
    """cached_by_arguments: one engagement's figures, the same for every reader allowed to see them."""
    assert feedback.glance(world.engagement_a.id)["responses"] == 0
    with count_queries() as counter:
        feedback.glance(world.engagement_a.id)
    assert counter.count == 1
    respond(world.engagement_a, {key: 4 for key, item in items().items() if item.scale})
    assert feedback.glance(world.engagement_a.id)["responses"] == 1
    assert feedback.glance(world.engagement_b.id)["responses"] == 0


def test_the_store_is_bounded_in_bytes_and_forgets_the_least_recently_used(world, monkeypatch):
    filters = ReportFilters(user=world.admin)
    size = len(cache.pickle.dumps(competencies.report.uncached(filters), cache.pickle.HIGHEST_PROTOCOL))
    monkeypatch.setattr(cache, "_store", cache.LRUCache(maxsize=size * 2, getsizeof=len))
    competencies.report(filters)
    competencies.report(ReportFilters(user=world.admin, kind="monthly"))
    competencies.report(filters)  # used again: the most recent
    competencies.report(ReportFilters(user=world.admin, kind="coaching"))  # the monthly one makes room
    with count_queries() as kept:
        competencies.report(filters)
    with count_queries() as forgotten:
        competencies.report(ReportFilters(user=world.admin, kind="monthly"))
    assert kept.count == 1 and forgotten.count > 1
    assert cache._store.currsize <= size * 2
