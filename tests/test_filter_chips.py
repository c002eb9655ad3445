"""One filter vocabulary (issue 23): every list and report page with a filter shows the filters in use as
removable chips ("Unit: Unit A", never an id), each a link to the same page without that one filter; the
URL names are the API's where the page has an API twin (read from the OpenAPI document), and the older
names a page used still filter (bookmarks keep working).

The world is tests/factories.small_world(): Engagement A (Unit A, Foundation; Ada and Ben ISP; stage
Exploration), Engagement B (Unit B; Cai and Ben), Engagement C (Unit C, Other Funder; Cai and Ada); all
active, push/pull by default."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tracker.models import Engagement, Stage

CHIP = re.compile(r'<a class="chip" href="([^"]*)" aria-label="([^"]*)">([^<]*)<')


def chips(html):
    """[(the chip's link as {parameter: value}, its accessible name, its words)]"""
    return [
        ({k: v[0] for k, v in parse_qs(urlsplit(href.replace("&amp;", "&")).query).items()}, name, text)
        for href, name, text in CHIP.findall(html)
    ]


def listed(html):
    """The engagement titles of the engagement list's table."""
    return sorted(set(re.findall(r'href="/engagements/\d+"><strong>([^<]+)</strong>', html)))


# The pages, who reads them, the filters put in the URL {parameter: (value, the chip's words)}, the API
# operation with the same filters (None: no API twin) and the page's own filters the API has no use for.
def pages(w):
    unit_a, ada = str(w.unit_a.id), str(w.isp_a1.id)
    report = {
        "unit_id": (unit_a, "Unit: Unit A"),
        "isp_id": (ada, "ISP: Ada ISP"),
        "support_model": ("push_pull", "Model of support: Push/pull"),
        "stage": ("exploration", "Stage: Exploration"),
        "start": ("2026-01-01", "From 1 Jan 2026"),
        "end": ("2026-03-31", "To 31 Mar 2026"),
    }
    return [
        (
            "/engagements",
            w.leader_all,
            {
                "q": ("Engagement", "Title contains: “Engagement”"),
                "unit_id": (unit_a, "Unit: Unit A (Foundation)"),
                "status": ("active", "Status: Active"),
                "stage": ("exploration", "Stage: Exploration"),
                "isp_id": (ada, "ISP: Ada ISP"),
                "support_model": ("push_pull", "Model: Push/pull"),
            },
            "/engagements",
            {"q"},
        ),
        (
            "/admin/users",
            w.admin,
            {
                "q": ("ISP", "Name or email contains: “ISP”"),
                "role": ("isp", "Role: Implementation support practitioner"),
            },
            "/users",
            {"q"},
        ),
        (
            "/admin/audit",
            w.admin,
            {
                "entity": ("Engagement", "Record type: Engagement"),
                "action": ("create", "Action: Created"),
                "engagement_id": (str(w.engagement_a.id), "Engagement: Engagement A"),
                "start": ("2026-01-01", "From 1 Jan 2026"),
            },
            None,
            set(),
        ),
        ("/reports/", w.admin, report, "/reports/portfolio", set()),
        ("/reports/pathway", w.admin, report, "/reports/pathway", set()),
        ("/reports/progress", w.admin, report, "/reports/progress", set()),
        ("/reports/team", w.admin, {k: report[k] for k in ("start", "end")}, "/reports/workload", set()),
    ]


@pytest.fixture
def w(demo):
    return demo


def _api_parameters(client, path):
    doc = client.get("/api/v1/openapi.json").get_json()
    return {p["name"] for p in doc["paths"][path]["get"].get("parameters", []) if p.get("in") == "query"}


def test_every_filter_in_use_is_one_chip_that_removes_only_itself(w, as_user):
    for path, reader, filters, _api, _own in pages(w):
        client = as_user(reader)
        args = {name: value for name, (value, _text) in filters.items()}
        response = client.get(path, query_string=args)
        assert response.status_code == 200, path
        found = chips(response.get_data(as_text=True))
        # (a) one chip per filter, in words ("Unit: Unit A", never an id), named for what it does
        assert sorted(text for _link, _name, text in found) == sorted(text for _v, text in filters.values()), path
        assert [name for _l, name, _t in found] == [f"Remove filter {text}" for _l, _n, text in found], path
        # (b) each chip's link keeps every other filter and drops its own
        by_text = {text: link for link, _name, text in found}
        for parameter, (_value, text) in filters.items():
            assert by_text[text] == {k: v for k, v in args.items() if k != parameter}, (path, parameter)
        # no filter: no chip row
        assert 'class="filter-chips"' not in client.get(path).get_data(as_text=True), path


def test_the_names_are_the_apis(w, as_user):
    client = as_user(w.admin)
    for path, _reader, filters, api, own in pages(w):
        if api is None:  # no API twin: the report vocabulary's names (or the page's own record type, action)
            assert set(filters) <= {"entity", "action", "engagement_id", "user_id", "start", "end"}
            continue
        assert set(filters) - own <= _api_parameters(client, api), path


def test_the_engagement_list_reads_its_old_names(w, as_user):
    """unit, isp, model and a stage's id (the list's names before issue 23) filter as their new names do."""
    client = as_user(w.leader_all)
    exploration = Stage.get(Stage.key == "exploration").id
    Engagement.update(support_model="co_creation").where(Engagement.id == w.engagement_c.id).execute()

    def page(query):
        return client.get("/engagements?" + query).get_data(as_text=True)

    pairs = [
        (f"unit={w.unit_b.id}", f"unit_id={w.unit_b.id}", ["Engagement B"]),
        (f"isp={w.isp_b.id}", f"isp_id={w.isp_b.id}", ["Engagement B", "Engagement C"]),
        ("model=co_creation", "support_model=co_creation", ["Engagement C"]),
        (f"stage={exploration}", "stage=exploration", ["Engagement A"]),
    ]
    for old, new, expected in pairs:
        old_page, new_page = page(old), page(new)
        assert listed(old_page) == listed(new_page) == expected, old
        assert chips(old_page) == chips(new_page), old  # and the chips link by the new name
    # both given: the new name wins
    assert listed(page(f"unit={w.unit_b.id}&unit_id={w.unit_a.id}")) == ["Engagement A"]


def test_the_audit_log_reads_its_old_names(w, as_user):
    client = as_user(w.admin)
    old = client.get(f"/admin/audit?engagement={w.engagement_b.id}&date_from=2000-01-01").get_data(as_text=True)
    new = client.get(f"/admin/audit?engagement_id={w.engagement_b.id}&start=2000-01-01").get_data(as_text=True)
    assert [text for _l, _n, text in chips(old)] == ["Engagement: Engagement B", "From 1 Jan 2000"]
    assert chips(old) == chips(new)
    assert 'name="engagement_id"' in old and "Download CSV" in old
    csv_link = re.search(r'href="(/reports/audit\.csv[^"]*)"', old).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(csv_link).query) == {"engagement_id": [str(w.engagement_b.id)], "start": ["2000-01-01"]}
