"""Limits and malformed input (issue 16): every attack of "500s on input" and "Unbounded request bodies"
replayed, and now answered 4xx with nothing written.

The routes come from app.url_map, so a new route is covered the day it is added: every route with an
id gets a 20-digit one, every page that takes a form gets NUL in its text, every API route that takes a
body gets deeply nested JSON, a lone surrogate and NUL, and every report (page and API) gets '²' as a
filter. One app and one small world per test: a few hundred requests take seconds.
"""

import io
import re

import pytest
from peewee import InternalError, OperationalError

from tracker import MAX_CONTENT_LENGTH
from tracker.models import MODELS, Organization
from tracker.reports.filters import parse_id

from .api_helpers import Api
from .conftest import csrf_token

HUGE_ID = "9" * 20  # beyond 64 bits: SQLite's driver raised OverflowError on it
NESTED = "[" * 100_000 + "]" * 100_000  # Python's parser gave up with RecursionError
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
TEXT_FIELDS = ("title", "name", "email", "notes", "text", "note", "comment", "description", "indicator", "target")


def rows():
    """How many rows each table holds (a refused request writes none)."""
    return {model.__name__: model.select().count() for model in MODELS}


def rules(app, prefix=None, methods=None, with_ids=None):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or (prefix and not rule.rule.startswith(prefix)):
            continue
        if methods and not (rule.methods & methods):
            continue
        has_ids = any(type(c).__name__ == "IdConverter" for c in rule._converters.values())
        if with_ids is not None and has_ids != with_ids:
            continue
        yield rule


def url_of(rule, ids):
    """The rule's path with each <int:…> from `ids` (a name -> id mapping, default 1) and "x" for text."""

    def fill(match):
        converter, _, name = match.group(1).rpartition(":")
        if converter.startswith("int"):
            return str(ids.get(name, 1)) if isinstance(ids, dict) else ids
        return "goals" if name == "kind" else "competencies" if name == "name" else "x"

    return re.sub(r"<([^>]+)>", fill, rule.rule)


@pytest.fixture
def admin_client(demo, as_user):
    return as_user(demo.admin)


def test_id_parsing_takes_ascii_digits_only():
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7
    assert parse_id("²") is None and parse_id("٣") is None and parse_id("-1") is None
    assert parse_id(HUGE_ID) is None and parse_id(str(2**31)) is None and parse_id("") is None
    assert parse_id(str(2**40), maximum=None) == 2**40


def test_a_20_digit_id_is_404_on_every_route_that_takes_an_id(app, demo, admin_client):
    api = Api(app.test_client(), demo.admin)
    before = rows()
    seen = 0
    for rule in rules(app, with_ids=True):
        url = url_of(rule, HUGE_ID)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.rule.startswith("/api/"):
                response = api.send(method, url.removeprefix("/api/v1"), json={"title": "x"})
            else:
                response = admin_client.open(url, method=method, data={"title": "x"})
            assert response.status_code == 404, (method, url, response.status_code)
            seen += 1
    assert seen > 100  # pages and API
    assert rows() == before


def test_nul_in_page_form_text_is_a_400_naming_the_field_on_every_form(app, demo, admin_client):
    ids = {"engagement_id": demo.engagement_a.id}
    token = csrf_token(admin_client, "/engagements/new")
    before = rows()
    seen = 0
    for rule in rules(app, methods={"POST"}):
        if rule.rule.startswith("/api/"):
            continue
        url = url_of(rule, ids)
        for field in TEXT_FIELDS:
            data = {"csrf_token": token, **{name: "ok" for name in TEXT_FIELDS}, field: "a\x00b"}
            response = admin_client.post(url, data=data)
            assert response.status_code == 400, (url, field, response.status_code)
            assert f"“{field}”" in response.get_data(as_text=True)
            seen += 1
    # The sign-in form and the anonymous answer page too, and NUL in the address (a report filter).
    response = app.test_client().post("/login", data={"email": "admin@example.org\x00", "password": "x"})
    assert response.status_code == 400 and "“email”" in response.get_data(as_text=True)
    assert admin_client.get("/engagements?q=a%00b").status_code == 400
    assert seen > 40
    assert rows() == before


def api_write_rules(app):
    return [r for r in rules(app, prefix="/api/", methods={"POST", "PATCH", "PUT"})]


@pytest.mark.parametrize(
    "raw, field",
    [
        (NESTED, None),
        ('{"title": ' + "[" * 50 + "]" * 50 + "}", "title"),
        ('{"title": "\\ud800", "name": "\\ud800", "email": "\\ud800", "password": "\\ud800"}', None),
        ('{"\\udfff": 1}', "\udfff"),
        ('{"title": "a\\u0000b", "name": "a\\u0000b", "email": "a\\u0000b", "password": "a\\u0000b"}', None),
    ],
    ids=["nested-100000", "nested-50", "lone-surrogate", "surrogate-key", "nul"],
)
def test_malformed_json_is_a_400_on_every_api_route_that_takes_a_body(app, demo, raw, field):
    api = Api(app.test_client(), demo.admin)
    ids = {"engagement_id": demo.engagement_a.id}
    before = rows()
    routes = api_write_rules(app)
    assert len(routes) >= 20
    for rule in routes:
        url = url_of(rule, ids).removeprefix("/api/v1")
        for method in sorted(rule.methods & {"POST", "PATCH", "PUT"}):
            response = api.send(method, url, data=raw)
            assert 400 <= response.status_code < 500, (method, url, response.status_code)
            assert response.is_json and "error" in response.get_json()
            if "<int:" not in rule.rule.removeprefix("/api/v1/engagements/<int:engagement_id>"):
                assert response.status_code == 400, (method, url, response.get_json())  # the body itself
                if field:
                    assert field in response.get_json()["error"]["fields"], (url, response.get_json())
    assert rows() == before


def test_the_token_endpoint_refuses_a_lone_surrogate_without_a_token(client, demo):
    before = rows()
    for raw, field in (
        ('{"email": "\\ud800@example.org", "password": "x"}', "email"),
        ('{"email": "admin@example.org", "password": "\\ud800"}', "password"),
        ('{"email": "admin@example.org", "password": "a\\u0000"}', "password"),
    ):
        response = client.post("/api/v1/tokens", data=raw, content_type="application/json")
        assert response.status_code == 400, raw
        assert field in response.get_json()["error"]["fields"]
    assert rows() == before


def test_a_unicode_digit_in_a_report_filter_is_refused_on_pages_and_api(app, demo, admin_client, as_user):
    api = Api(app.test_client(), demo.admin)
    isp_client = as_user(demo.isp_a1)  # an ISP's own pages (their competency profile) refuse the admin
    query = "engagement_id=%C2%B2&unit_id=%C2%B2&isp_id=%C2%B2&stage=%C2%B2"
    before = rows()
    pages = [r for r in rules(app, prefix="/reports", methods={"GET"})]
    assert len(pages) >= 5
    for rule in pages:
        url = url_of(rule, {"engagement_id": demo.engagement_a.id})
        reader = isp_client if rule.endpoint == "reports.my_competencies" else admin_client
        response = reader.get(f"{url}?{query}")
        # a GET form: 400, the value is not used, and the page says so (reports/filters.py)
        expected = (200, 404) if "/engagements/" in url else (400,)  # one engagement's page takes no filter
        if rule.endpoint == "reports.my_competencies":  # always the reader's own sessions: no engagement filters
            expected = (200,)
        assert response.status_code in expected, (url, response.status_code)
        if response.mimetype == "text/html" and response.status_code == 400:
            assert "Choose from the list." in response.get_data(as_text=True), url
    for rule in rules(app, prefix="/api/v1/reports", methods={"GET"}):
        if rule.rule == "/api/v1/reports/workload":  # takes dates only (start, end): no id filter to misread
            continue
        response = api.client.get(f"{rule.rule}?{query}", headers=api.headers())
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert "engagement_id" in response.get_json()["error"]["fields"]
    assert api.client.get("/api/v1/engagements?page=%C2%B2", headers=api.headers()).status_code == 400
    assert rows() == before


def test_a_body_over_the_limit_is_413_on_pages_and_api(app, client, demo):
    before = rows()
    big = "x" * (MAX_CONTENT_LENGTH + 1)
    response = client.post("/login", data={"email": "a@example.org", "password": big})
    assert response.status_code == 413
    # 50 MB of multipart is refused from its Content-Length, before anything is parsed
    multipart = client.post(
        "/login", data={"email": "a@example.org", "file": (io.BytesIO(b"x" * (50 * 1024 * 1024)), "big.bin")}
    )
    assert multipart.status_code == 413
    api = client.post("/api/v1/tokens", data=big, content_type="application/json")
    assert api.status_code == 413 and api.get_json()["error"]["code"] == "request_entity_too_large"
    assert rows() == before


class CountingStream(io.RawIOBase):
    """An endless chunked body: counts what the app reads of it."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        size = len(buffer)
        buffer[:size] = b"a" * size
        self.read_bytes += size
        return size


@pytest.mark.parametrize(
    "url, content_type", [("/api/v1/tokens", "application/json"), ("/login", "application/x-www-form-urlencoded")]
)
def test_a_chunked_body_without_content_length_is_cut_at_the_limit(app, demo, url, content_type):
    stream = CountingStream()
    environ = {
        "wsgi.input": io.BufferedReader(stream),
        "wsgi.input_terminated": True,  # what gunicorn and werkzeug's server set for a chunked body
        "HTTP_TRANSFER_ENCODING": "chunked",
        "CONTENT_TYPE": content_type,
    }
    before = rows()
    response = app.test_client().post(url, environ_overrides=environ)
    assert "CONTENT_LENGTH" not in response.request.environ
    assert response.status_code == 413
    assert stream.read_bytes <= MAX_CONTENT_LENGTH + 64 * 1024  # at most the limit and one buffer
    if url.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "request_entity_too_large"
    assert rows() == before


@pytest.mark.parametrize(
    "fault",
    [
        OperationalError("attempt to write a readonly database"),
        OperationalError("database or disk is full"),
        InternalError("cannot execute INSERT in a read-only transaction"),
    ],
    ids=["read-only", "disk-full", "postgres-read-only"],
)
def test_a_storage_fault_on_the_api_is_a_503_in_json(app, demo, monkeypatch, fault):
    api = Api(app.test_client(), demo.admin)
    before = rows()

    def failing(*args, **kwargs):
        raise fault

    monkeypatch.setattr(Organization, "save", failing)
    response = api.post("/organizations", json={"name": "Unsaved Org", "kind": "recipient"})
    assert response.status_code == 503
    body = response.get_json()["error"]
    assert body["code"] == "service_unavailable" and "Nothing was saved" in body["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    assert rows() == before
    assert Organization.select().where(Organization.name == "Unsaved Org").count() == 0


def test_ids_within_range_still_reach_their_pages(demo, admin_client):
    assert admin_client.get(f"/engagements/{demo.engagement_a.id}").status_code == 200
    assert admin_client.get(f"/engagements/{2**31 - 1}").status_code == 404
