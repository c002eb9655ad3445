"""GET /api/v1/search (issue 23): the search page's results as JSON, through tracker/search.py's one
interface, on SQLite (FTS5) and PostgreSQL (tsvector). The world is factories.small_world() (see
tests/test_search.py): engagement A is seen by its co-leads isp_a1 and isp_a2, unit A's recipient and the
foundation's leader, never by isp_b, isp_none, recipient_b or the other funder's leader. Each test types a
made-up word nobody else uses.

    /work/main/.venv/bin/python -m pytest -q tests/test_api_search.py
    bin/with-postgres /work/main/.venv/bin/python -m pytest -q tests/test_api_search.py
"""

import datetime as dt

from tracker.api.search import plain
from tracker.db import is_sqlite
from tracker.search import MAX_QUERY_LENGTH

from . import factories
from .api_helpers import Api


def test_a_meeting_note_word_is_found_by_who_may_see_the_engagement_and_never_by_who_may_not(client, demo):
    e = demo.engagement_a
    notes = "We agreed the fidelity checklist with the zorbanite team."
    m = factories.meeting(e, notes=notes)
    for user in (demo.isp_a1, demo.isp_a2, demo.recipient_a, demo.leader_foundation, demo.admin):
        answer = Api(client, user).get("/search", q="Zorbanite")
        assert answer.status_code == 200, user.email
        body = answer.get_json()
        assert (body["total"], body["page"], body["per_page"]) == (1, 1, 25), user.email
        (hit,) = body["items"]
        assert (hit["kind"], hit["record_id"], hit["engagement_id"], hit["meeting_id"]) == ("meeting", m.id, e.id, m.id)
        assert hit["url"] == f"/engagements/{e.id}/meetings/{m.id}"
        assert (hit["context"], hit["date"]) == ("Engagement A", "2026-02-03")
        # plain text with the match's offsets; the passage is the database's (PostgreSQL's ts_headline trims
        # it to whole words); SQLite's snippet is the whole note, where "We agreed the fidelity checklist
        # with the " is 3 + 7 + 4 + 9 + 10 + 5 + 4 = 42 characters
        ((start, end),) = hit["snippet_matches"]
        assert hit["snippet"][start:end] == "zorbanite" and hit["snippet"] in notes
        if is_sqlite():
            assert (hit["snippet"], start, end) == (notes, 42, 51)
    for user in (demo.isp_b, demo.isp_none, demo.recipient_b, demo.leader_other):
        body = Api(client, user).get("/search", q="zorbanite").get_json()
        assert (body["items"], body["total"]) == ([], 0), user.email


def test_snippets_are_plain_text_with_offsets():
    # escaped text and marks as tracker.search gives them; "R&D <ok> for " is 13 characters
    assert plain("R&amp;D &lt;ok&gt; for <mark>quokka</mark>.") == ("R&D <ok> for quokka.", [[13, 19]])
    assert plain("&lt;mark&gt;x") == ("<mark>x", [])  # a user's own "<mark>" is text, never a mark


def test_paging_like_every_list(client, demo):
    for day in (3, 4, 5):
        factories.meeting(demo.engagement_a, date=dt.date(2026, 2, day), notes=f"vexillum review {day}")
    api = Api(client, demo.isp_a1)
    first, second = (api.get("/search", q="vexillum", per_page="2", page=str(n)).get_json() for n in (1, 2))
    assert (len(first["items"]), len(second["items"]), first["total"], second["total"]) == (2, 1, 3, 3)
    ids = {h["record_id"] for h in first["items"] + second["items"]}
    assert len(ids) == 3  # three meetings, each once
    past = api.get("/search", q="vexillum", per_page="2", page="3").get_json()
    assert (past["items"], past["total"], past["page"]) == ([], 3, 3)  # a page past the end is empty
    assert api.get("/search", q="vexillum", per_page="101").status_code == 400


def test_a_readable_id_answers_the_record_it_names(client, demo):
    e = demo.engagement_a
    body = Api(client, demo.recipient_a).get("/search", q=f" {e.ref.lower()} ").get_json()
    assert [(h["kind"], h["record_id"], h["title"], h["url"]) for h in body["items"]] == [
        ("engagement", e.id, "Engagement A", f"/engagements/{e.id}")
    ]
    assert body["total"] == 1
    assert Api(client, demo.recipient_b).get("/search", q=e.ref).get_json()["total"] == 0  # not visible: text


def test_a_query_that_cannot_be_searched_is_refused_with_the_pages_message(client, demo):
    api = Api(client, demo.isp_a1)
    for q, message in [("  ?! ", "Type a word to search for."), ("a" * (MAX_QUERY_LENGTH + 1), "at most 200")]:
        answer = api.get("/search", q=q)
        assert answer.status_code == 400, q
        assert message in answer.get_json()["error"]["fields"]["q"]
    assert api.get("/search").get_json()["error"]["fields"] == {"q": "This field is required."}
    assert Api(client).get("/search", q="x").status_code == 401
