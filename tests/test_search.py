"""Search (issue 23): one box over what the user may see, on SQLite (FTS5) and PostgreSQL (tsvector).

The world is factories.small_world(): isp_a1 and isp_a2 co-lead engagement A (unit A), isp_b co-leads B
(unit B) and C (unit C); recipient_a belongs to unit A, recipient_b to unit B; leader_foundation reads
units A and B, leader_other unit C. Each test types a made-up word nobody else uses, so a hit can only
come from the record under test. Run on both databases:

    /work/main/.venv/bin/python -m pytest -q tests/test_search.py
    bin/with-postgres /work/main/.venv/bin/python -m pytest -q tests/test_search.py
"""

import datetime as dt

import pytest

from tracker import search
from tracker.db import database, is_sqlite
from tracker.models import ContextNote, Deliverable, NextStep, SupportRequest
from tracker.services.parts import delete_part, restore_part

from . import factories
from .conftest import sign_in


@pytest.fixture
def world(app, demo):
    return demo


def found(user, text):
    return [(h.kind, h.values) for h in search.query(user, text).hits]


def test_a_word_in_a_meeting_note_is_found_by_who_may_see_the_engagement_and_never_by_who_may_not(world, app):
    w = world
    m = factories.meeting(w.engagement_a, notes="We agreed the fidelity checklist with the zorbanite team.")
    hit = [("meeting", {"engagement_id": w.engagement_a.id, "meeting_id": m.id})]
    # may see engagement A: its co-leads, unit A's recipient, the foundation's leader, the admin
    for user in (w.isp_a1, w.isp_a2, w.recipient_a, w.leader_foundation, w.leader_all, w.admin):
        assert found(user, "zorbanite") == hit, user.email
    # may not: an ISP on other engagements, another unit's recipient, another funder's leader
    for user in (w.isp_b, w.isp_none, w.recipient_b, w.leader_other):
        assert found(user, "Zorbanite") == [], user.email
    # the page: a link to the meeting, the word marked
    page = sign_in(app.test_client(), w.recipient_a).get("/search?q=zorbanite").get_data(as_text=True)
    assert f'href="/engagements/{w.engagement_a.id}/meetings/{m.id}"' in page
    assert "<mark>zorbanite</mark>" in page and "1 result for" in page
    page = sign_in(app.test_client(), w.isp_b).get("/search?q=zorbanite").get_data(as_text=True)
    assert "No results for" in page and "/meetings/" not in page


def test_an_internal_note_is_not_found_by_a_recipient(world):
    w = world
    factories.meeting(w.engagement_a, notes="Tension with the quillwort director.", notes_internal=True)
    ContextNote.create(
        engagement=w.engagement_a,
        kind="barrier",
        domain="inner_setting",
        text="quillwort budget freeze",
        internal=True,
        noted_on=dt.date(2026, 2, 3),
    )
    assert sorted(kind for kind, _ in found(w.isp_a1, "quillwort")) == ["context_note", "meeting"]
    assert len(found(w.leader_foundation, "quillwort")) == 2
    assert found(w.recipient_a, "quillwort") == []


def test_a_soft_deleted_meeting_is_not_found_and_is_found_again_after_restore(world):
    w = world
    m = factories.meeting(w.engagement_a, notes="The plinthery pilot starts in March.")
    NextStep.create(meeting=m, text="Send the plinthery protocol", owner="Ada")
    assert sorted(k for k, _ in found(w.isp_a1, "plinthery")) == ["meeting", "next_step"]
    delete_part(m)  # the meeting's next step goes with it
    assert found(w.isp_a1, "plinthery") == []
    restore_part(type(m).get_by_id(m.id))
    assert sorted(k for k, _ in found(w.isp_a1, "plinthery")) == ["meeting", "next_step"]
    w.engagement_a.soft_delete()  # a deleted engagement hides its parts
    assert found(w.admin, "plinthery") == []


def test_every_kind_is_found_by_its_words_and_opens_its_page(world, app):
    w = world
    e = w.engagement_a
    e.problem_statement = "Scaling the gravelwing model"
    e.save()
    req = SupportRequest.create(unit=w.unit_a, title="Help with gravelwing", intermediary=w.center, status="submitted")
    goal = factories.goal(e, title="Gravelwing sites trained")
    Deliverable.create(engagement=e, title="Gravelwing guide", due_date=dt.date(2026, 6, 1))
    ContextNote.create(
        engagement=e,
        kind="facilitator",
        domain="outer_setting",
        text="State gravelwing grant",
        noted_on=dt.date(2026, 2, 3),
    )
    m = factories.meeting(e)
    NextStep.create(meeting=m, text="Draft the gravelwing survey")
    kinds = {kind: values for kind, values in found(w.isp_a1, "gravelwing")}
    assert set(kinds) == {"engagement", "request", "goal", "deliverable", "context_note", "next_step"}
    assert kinds["request"] == {"request_id": req.id}
    assert kinds["goal"] == {"engagement_id": e.id, "goal_id": goal.id}
    assert kinds["deliverable"] == {"engagement_id": e.id, "_anchor": "deliverables"}
    client = sign_in(app.test_client(), w.isp_a1)
    page = client.get("/search?q=gravelwing").get_data(as_text=True)
    assert "6 results for" in page and f'href="/engagements/{e.id}/goals/{goal.id}"' in page
    assert client.get(f"/engagements/{e.id}/goals/{goal.id}").status_code == 200
    # stemming: "trains" finds "trained"; every word must match
    assert [k for k, _ in found(w.isp_a1, "gravelwing trains")] == ["goal"]


def test_what_the_user_typed_is_shown_escaped(world, app):
    w = world
    factories.meeting(w.engagement_a, notes='<script>alert(1)</script> the snorkelwort "plan": 2 < 3 & more')
    client = sign_in(app.test_client(), w.isp_a1)
    page = client.get("/search", query_string={"q": '"snorkelwort" <>'}).get_data(as_text=True)
    # PostgreSQL's headline leaves HTML-like tags out of the snippet; SQLite's keeps them (escaped)
    assert "<script>alert" not in page and "snorkelwort</mark> &#34;plan&#34;: 2 &lt; 3 &amp; more" in page
    assert "<mark>snorkelwort</mark>" in page and "&#34;snorkelwort&#34; &lt;&gt;" in page


def test_an_empty_or_too_long_query_gets_a_clear_message(world, app):
    client = sign_in(app.test_client(), world.isp_a1)
    assert client.get("/search").status_code == 200  # the box alone
    for q in ("", "  ", "?!*"):
        response = client.get("/search", query_string={"q": q})
        assert response.status_code == 400 and "Type a word to search for." in response.get_data(as_text=True)
    response = client.get("/search", query_string={"q": "word " * 41})  # 205 characters > 200
    assert response.status_code == 400 and "at most 200 characters" in response.get_data(as_text=True)
    assert 'value="word word' in response.get_data(as_text=True)  # what was typed is kept


def test_results_are_paged_twenty_at_a_time(world, app):
    for n in range(23):
        factories.goal(world.engagement_a, title=f"Cobblewick goal {n}")
    first = search.query(world.isp_a1, "cobblewick", 1)
    second = search.query(world.isp_a1, "cobblewick", "2")
    assert (first.page.total, len(first.hits), len(second.hits), second.page.first_item) == (23, 20, 3, 21)
    page = sign_in(app.test_client(), world.isp_a1).get("/search?q=cobblewick&page=9").get_data(as_text=True)
    assert "Page 2 of 2 (21–23 of 23)" in page  # past the end: the last page


def test_rebuild_search_rebuilds_an_emptied_index(world, app):
    factories.meeting(world.engagement_a, notes="The marrowfen review")
    database.execute_sql("DELETE FROM search_entry")
    assert found(world.isp_a1, "marrowfen") == []
    result = app.test_cli_runner().invoke(args=["rebuild-search"])
    assert result.exit_code == 0, result.output
    assert "Meeting notes: 1 indexed" in result.output and "Engagement: 3 indexed" in result.output
    assert len(found(world.isp_a1, "marrowfen")) == 1


def test_every_source_table_has_its_search_triggers(app):
    tables = {table for table, _values, _source in search.KINDS.values()}
    if is_sqlite():
        rows = database.execute_sql("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        wanted = {(t, search.trigger_name(t, e)) for t in tables for e in ("insert", "update", "delete")}
    else:
        rows = database.execute_sql(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
        ).fetchall()
        wanted = {(t, search.trigger_name(t)) for t in tables}
    assert wanted <= set(rows)


def test_a_readable_id_opens_its_record_for_who_may_see_it(world, app):
    w = world
    ref = w.engagement_a.ref  # ENG-<year>-<nnn>, assigned on create
    assert ref and ref.startswith("ENG-")
    response = sign_in(app.test_client(), w.recipient_a).get(f"/search?q={ref.lower()}")
    assert response.status_code == 302 and response.location.endswith(f"/engagements/{w.engagement_a.id}")
    # another unit's recipient: the id names nothing they may see, so it is searched as text (no hit)
    page = sign_in(app.test_client(), w.recipient_b).get(f"/search?q={ref}")
    assert page.status_code == 200 and f"/engagements/{w.engagement_a.id}" not in page.get_data(as_text=True)
    request_ = SupportRequest.create(unit=w.unit_a, requested_by=w.recipient_a, title="Coaching help")
    assert search.by_readable_id(w.recipient_a, request_.ref).values == {"request_id": request_.id}
    assert search.by_readable_id(w.recipient_b, request_.ref) is None
