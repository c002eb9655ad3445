"""Readable ids (issue 23): ENG-<year>-<nnn> / REQ-<year>-<nnn>, assigned on create in the model layer,
backfilled by migration 0026 in creation order, shown on pages and in CSVs, found by the API's `ref`
filter and by models.find_by_ref."""

import datetime as dt
import importlib

import pytest

from tracker.db import database
from tracker.models import Engagement, SupportRequest, find_by_ref

from . import factories
from .api_helpers import Api
from .test_reports_exports import rows_of

backfill_refs = importlib.import_module("tracker.migrations.0026_ids_and_goal_hygiene").backfill_refs


def created(year, month, day):
    return dt.datetime(year, month, day, 9, 0)


def test_ids_count_per_year_of_creation_zero_padded_and_unique(demo):
    # Years no other row of the small world was created in: 2019 twice, then 2020, then 2019 again.
    # Expected numbers: 2019 -> 001, 002, 003; 2020 -> 001 (each year counts on its own).
    first = factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], created_at=created(2019, 3, 1))
    second = factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], created_at=created(2019, 3, 2))
    other_year = factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], created_at=created(2020, 1, 1))
    third = factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], created_at=created(2019, 12, 31))
    assert [e.ref for e in (first, second, other_year, third)] == [
        "ENG-2019-001",
        "ENG-2019-002",
        "ENG-2020-001",
        "ENG-2019-003",
    ]
    request = SupportRequest.create(unit=demo.unit_a, title="Help", created_at=created(2019, 6, 1))
    assert request.ref == "REQ-2019-001"  # requests count on their own
    refs = [e.ref for e in Engagement.select()]
    assert None not in refs and len(refs) == len(set(refs))
    assert demo.engagement_a.ref.startswith(f"ENG-{demo.engagement_a.created_at.year}-")
    # a save of an existing row keeps its id
    first.title = "Renamed"
    first.save()
    assert Engagement.get_by_id(first.id).ref == "ENG-2019-001"


def test_the_migration_backfills_in_creation_order_after_the_numbers_a_year_already_has(demo):
    # ids in creation order c (2021-01-10), a (2021-02-01), b (2021-02-01, larger id), d (2022-05-05);
    # `kept` already holds ENG-2021-004, so 2021's new numbers start at 005:
    # c -> 005, a -> 006, b -> 007; d -> ENG-2022-001.
    a, b, c, d, kept = (
        factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], created_at=created(2030, 1, 1)) for _ in range(5)
    )
    when = {a: created(2021, 2, 1), b: created(2021, 2, 1), c: created(2021, 1, 10), d: created(2022, 5, 5)}
    for row, at in when.items():
        Engagement.update(created_at=at, ref=None).where(Engagement.id == row.id).execute()
    Engagement.update(created_at=created(2021, 3, 1), ref="ENG-2021-004").where(Engagement.id == kept.id).execute()
    backfill_refs(database, "engagement", "ENG")
    refs = {e.id: e.ref for e in Engagement.select()}
    assert [refs[row.id] for row in (c, a, b, d, kept)] == [
        "ENG-2021-005",
        "ENG-2021-006",
        "ENG-2021-007",
        "ENG-2022-001",
        "ENG-2021-004",
    ]
    backfill_refs(database, "engagement", "ENG")  # idempotent: nothing left to number
    assert {e.id: e.ref for e in Engagement.select()} == refs


def test_find_by_ref_reads_any_case_and_leaves_out_deleted_engagements(demo):
    e = demo.engagement_a
    request = SupportRequest.create(unit=demo.unit_a, title="Help")
    assert find_by_ref(e.ref) == e
    assert find_by_ref(f"  {e.ref.lower()} ") == e
    assert find_by_ref(request.ref) == request
    for text in ("", "ENG-20-1", "ENG-2026-", "nonsense", None, "ENG-1999-999"):
        assert find_by_ref(text) is None, text
    e.soft_delete()
    assert find_by_ref(e.ref) is None


def test_ids_are_shown_on_the_pages_that_name_engagements_and_requests(demo, as_user):
    e = demo.engagement_a
    request = SupportRequest.create(unit=demo.unit_a, title="Help with coaching", requested_by=demo.recipient_a)
    client = as_user(demo.isp_a1)
    for url, ref in (
        (f"/engagements/{e.id}", e.ref),
        ("/engagements", e.ref),
        (f"/requests/{request.id}", request.ref),
        ("/requests", request.ref),
    ):
        html = client.get(url).get_data(as_text=True)
        assert f'<span class="ref">{ref}</span>' in html or f'<div class="muted small ref">{ref}</div>' in html, url


def test_the_engagement_and_request_csvs_have_a_ref_column(demo, as_user):
    request = SupportRequest.create(unit=demo.unit_a, title="Help", requested_by=demo.recipient_a)
    client = as_user(demo.leader_all)
    rows = rows_of(client.get("/reports/engagements.csv"))
    assert rows[0][:3] == ["engagement_id", "ref", "engagement"]
    assert {(r[0], r[1]) for r in rows[1:]} >= {(str(demo.engagement_a.id), demo.engagement_a.ref)}
    rows = rows_of(as_user(demo.isp_a1).get("/reports/requests.csv"))
    assert rows[0][:2] == ["request_id", "ref"]
    assert [str(request.id), request.ref] in [r[:2] for r in rows[1:]]


def test_the_api_finds_an_engagement_or_request_by_its_ref_within_what_the_caller_may_see(demo, client):
    e = demo.engagement_a
    api = Api(client, demo.isp_a1)
    answer = api.get("/engagements", ref=e.ref.lower())
    assert answer.status_code == 200
    assert [item["id"] for item in answer.get_json()["items"]] == [e.id]
    assert answer.get_json()["items"][0]["ref"] == e.ref
    assert api.get(f"/engagements/{e.id}").get_json()["ref"] == e.ref
    # engagement C is isp_a1's too, B is not: isp_none finds neither
    assert Api(client, demo.isp_none).get("/engagements", ref=e.ref).get_json()["items"] == []
    refused = api.get("/engagements", ref="14")
    assert refused.status_code == 400 and "ENG-2026-014" in str(refused.get_json())

    request = SupportRequest.create(unit=demo.unit_a, title="Help", requested_by=demo.recipient_a)
    items = api.get("/requests", ref=request.ref).get_json()["items"]
    assert [(i["id"], i["ref"]) for i in items] == [(request.id, request.ref)]


@pytest.mark.parametrize("kind", ["engagement", "request"])
def test_a_new_row_gets_its_id_in_the_same_transaction_as_its_insert(demo, kind):
    """A refused insert leaves no number taken: the next row gets the number the refused one would have."""
    year_rows = created(2018, 4, 1)
    if kind == "engagement":
        make = lambda: factories.engagement(demo.unit_a, [demo.isp_a1, demo.isp_a2], created_at=year_rows)  # noqa: E731
    else:
        make = lambda: SupportRequest.create(unit=demo.unit_a, title="Help", created_at=year_rows)  # noqa: E731
    first = make()
    with pytest.raises(Exception), database.atomic():  # noqa: B017 (the integrity error of either engine)
        model = type(first)
        model.create(**{**{f: getattr(first, f) for f in ("unit", "title")}, "ref": first.ref, "created_at": year_rows})
    assert make().ref.endswith("-2018-002")
