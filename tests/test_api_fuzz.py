"""JSON API: generated bad bodies never cause a 500, and a refused request writes nothing."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.models import MODELS, SchemaVersion, SupportRequest

from .api_helpers import Api

FIELD_NAMES = [
    "name",
    "email",
    "password",
    "role",
    "unit_id",
    "organization_id",
    "title",
    "description",
    "on_behalf_of",
    "co_lead_ids",
    "supporting_ids",
    "support_model",
    "start_date",
    "end_date",
    "reason",
    "position",
    "indicator",
    "target",
    "status",
    "note",
    "date",
    "kind",
    "mode",
    "duration_minutes",
    "attendee_ids",
    "isp_ids",
    "competencies",
    "strategies",
    "notes",
    "next_steps",
    "goal_updates",
    "benchmarks_completed",
    "stage",
    "domain",
    "text",
    "due_on",
    "link",
    "completed_on",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["2026-02-30", "x" * 5000, "push", "monthly", "", " "])
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
objects = st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=10), values, max_size=8)
raw_bodies = (
    objects.map(json.dumps)
    | values.map(json.dumps)
    | st.binary(max_size=60).map(lambda b: b.decode("latin-1"))
    | st.just('{"name": ')
)

FUZZ_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _counts():
    return [m.select().count() for m in MODELS if m is not SchemaVersion]


def _post_targets(demo):
    request = SupportRequest.create(
        unit=demo.unit_a, requested_by=demo.recipient_a, title="Help", description="D", for_whom="F"
    )
    e = f"/engagements/{demo.engagement_a.id}"
    return [
        "/tokens",
        "/organizations",
        "/units",
        "/users",
        "/requests",
        "/engagements",
        f"/requests/{request.id}/accept",
        f"/requests/{request.id}/decline",
        e + "/team",
        e + "/goals",
        e + "/meetings",
        e + "/stage",
        e + "/deliverables",
        e + "/context-notes",
    ]


def _check(api, method, url, raw):
    before = _counts()
    response = api.send(method, url, data=raw)
    assert response.status_code < 500, (url, raw, response.get_data(as_text=True)[:300])
    assert response.is_json or response.status_code == 204
    if response.status_code >= 400:
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}
        assert _counts() == before, (url, raw)


def test_generated_post_bodies(app, client, demo):
    api = Api(client, demo.admin)
    targets = _post_targets(demo)

    @FUZZ_SETTINGS
    @given(url=st.sampled_from(targets), raw=raw_bodies)
    def run(url, raw):
        _check(api, "POST", url, raw)

    run()


def test_generated_patch_bodies(app, client, demo):
    api = Api(client, demo.isp_a1)
    e = f"/engagements/{demo.engagement_a.id}"
    goal = api.post(e + "/goals", {"title": "G"}).get_json()["id"]
    meeting = api.post(e + "/meetings", {"date": "2026-02-02"}).get_json()["id"]
    benchmark = api.get(e + "/benchmarks").get_json()["items"][0]["id"]
    targets = [e, f"{e}/goals/{goal}", f"{e}/meetings/{meeting}", f"{e}/benchmarks/{benchmark}"]

    @FUZZ_SETTINGS
    @given(url=st.sampled_from(targets), raw=raw_bodies)
    def run(url, raw):
        _check(api, "PATCH", url, raw)

    run()


def test_huge_ids_and_nul_characters_are_refused_not_a_500(client, demo):
    api = Api(client, demo.admin)
    big = 2**70
    e = f"/engagements/{demo.engagement_a.id}"
    before = _counts()
    for url, payload, field in (
        ("/units", {"organization_id": big, "name": "x"}, "organization_id"),
        (
            "/engagements",
            {"unit_id": 1, "title": "t", "co_lead_ids": [big, 1], "start_date": "2026-01-01"},
            "co_lead_ids",
        ),
        (e + "/meetings", {"date": "2026-02-02", "attendee_ids": [big]}, "attendee_ids"),
        (
            e + "/meetings",
            {"date": "2026-02-02", "goal_updates": [{"goal_id": big, "status": "achieved"}]},
            "goal_updates-0-goal_id",
        ),
        (e + "/meetings", {"date": "2026-02-02", "competencies": ["a\x00"]}, "competencies"),
        (e + "/goals", {"title": "a\x00b"}, "title"),
        ("/tokens", {"email": "a\x00@example.org", "password": "x"}, "email"),
    ):
        response = api.post(url, payload)
        assert response.status_code == 400, (url, response.get_json())
        named = response.get_json()["error"]["fields"]  # the field, or the row of a list (`co_lead_ids-0`)
        assert any(name == field or name.startswith(field + "-") for name in named), (field, named)
    assert api.get(f"/engagements/{big}").status_code == 404
    assert api.get("/engagements", unit_id=str(big)).status_code == 400
    assert api.get("/requests", status="a\x00").status_code == 400
    assert _counts() == before
