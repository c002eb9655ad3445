"""JSON API conformance, checked by independent tools against the app in-process:

- openapi-spec-validator: GET /api/v1/openapi.json is valid OpenAPI 3.1;
- every 2xx answer of every operation has a typed schema (no bare `{"type": "object"}`);
- schemathesis with all its checks, a fixed seed and a bounded number of examples per operation, for an
  administrator and for a recipient, on a seeded database: every operation (examples, coverage and
  fuzzing phases; the recipient's without coverage, see RECIPIENT_CONFIG), then stateful runs that follow
  the response links (a create's answer to its get).

A failure names the operation, the check and a curl line to replay it. Nothing is skipped or expected
to fail: the document is the contract, and what the server does must match it.
"""

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from openapi_spec_validator import validate
from schemathesis.config import SchemathesisConfig

from tracker.api.openapi import document

from . import factories
from .api_helpers import token_for

SEED = 17
MAX_EXAMPLES = 6  # per operation and user: ~75 operations x 2 users stay under three minutes
STATEFUL_STEPS = 10  # calls per stateful scenario

# What schemathesis is told beyond the defaults, each for a reason a schema cannot carry:
SETTINGS_FOR_EVERY_USER = {
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"max-steps": STATEFUL_STEPS}},
    "checks": {
        # Generated Idempotency-Keys repeat across generated requests (the same key with another body is
        # refused with 422 by design, documented on every POST): a valid request may meet a used key.
        "positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]},
    },
    "operations": [
        {
            # Rules the document cannot state, which the model refuses with a 400 naming the field (the
            # same refusal as on the pages): a reference to a record that must exist and fit (a unit, an
            # organization, two co-leads who are active ISPs, the team members who attended, a goal of
            # this engagement), a date relative to another (not before the engagement's start, not
            # after today, an end not before its start), the password policy (strength), a duplicate
            # email. Everything a schema can say is in the document (types, enums, lengths, patterns,
            # required fields with the model's messages, the 1990-2100 date range).
            "include-operation-id": [
                "createUnit",
                "createUser",
                "createRequest",
                "acceptRequest",
                "createEngagement",
                "updateEngagement",
                "createGoal",
                "updateGoal",
                "updateEngagementGoal",
                "correctGoalHistoryEntry",
                "createMeeting",
                "updateMeeting",
                "updateEngagementMeeting",
                "updateBenchmark",
                "updateEngagementBenchmark",
                "enterStage",
                "correctStageEntry",
                "createDeliverable",
                "createContextNote",
                "createFeedbackInvitations",
                "getPortfolioReport",
                "getCompetencyReport",
                "getStrategyReport",
                "getProgressReport",
                "getFeedbackReport",
                "getAdherenceReport",
                "getCostReport",
                "getPathwayReport",
                "getOnTimeReport",
            ],
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429"]
                }
            },
        },
        {
            # A link's questions depend on the link (a pulse asks three of them), and an answer with
            # nothing answered is refused: a body valid by the schema may be a 400. A link answered
            # once (the stateful run answers it, then reads it) is gone: 410.
            "include-operation-id": "answerFeedback",
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "404", "410", "422"]}},
        },
        {
            # A search query must hold a word (letters or digits): "  " or "!?" is a 400 naming `q`, which
            # a schema cannot say without refusing what the tokenizer reads as words in other scripts.
            "include-operation-id": "search",
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "429"]}},
        },
        {
            "include-operation-id": "getFeedback",
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "404", "410"]}},
        },
    ],
}
CONFIG = SchemathesisConfig.from_dict(SETTINGS_FOR_EVERY_USER)
# The recipient's runs leave out the coverage phase (its boundary and invalid values of every field: ~90% of the
# cases, all generated at collection): those exercise the document's validation rules, the same whoever calls,
# and the administrator's runs (who reaches every rule) send them all. What changes with the caller is the
# access answer, which the examples and fuzzing phases check for the recipient on every operation.
RECIPIENT_CONFIG = SchemathesisConfig.from_dict(
    {**SETTINGS_FOR_EVERY_USER, "phases": {**SETTINGS_FOR_EVERY_USER["phases"], "coverage": {"enabled": False}}}
)


class CurrentApp:
    """The WSGI app schemathesis calls: the app of the test running (each test has its own database).
    Every request, and every request a check sends again, goes to it in-process."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


APP = CurrentApp()
SCHEMA = schemathesis.openapi.from_dict(document(), config=CONFIG)
SCHEMA.app = APP
RECIPIENT_SCHEMA = schemathesis.openapi.from_dict(document(), config=RECIPIENT_CONFIG)
RECIPIENT_SCHEMA.app = APP


@RECIPIENT_SCHEMA.auth(refresh_interval=None)
@SCHEMA.auth(refresh_interval=None)
class Bearer:
    """The bearer token of the user the test runs as, given the way schemathesis knows of: a case made to
    test a missing Authorization header is sent without it (and must then answer 401)."""

    token = None

    def get(self, case, context):
        return Bearer.token

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(app, demo):
    """small_world() with one of each part, so generated ids (1 first) name records that exist."""
    factories.goal(demo.engagement_a)
    factories.meeting(demo.engagement_a)
    factories.team_member(demo.engagement_a, email="alex@example.org")
    demo.app = app
    return demo


@pytest.fixture
def api_schema(world):
    APP.app = world.app
    yield SCHEMA
    APP.app = None


@pytest.fixture
def admin(world):
    Bearer.token = token_for(world.admin)
    yield
    Bearer.token = None


@pytest.fixture
def recipient(world):
    Bearer.token = token_for(world.recipient_a)
    yield
    Bearer.token = None


# --- the document ---------------------------------------------------------------------------------------


def test_the_document_is_valid_openapi(client):
    validate(client.get("/api/v1/openapi.json").get_json())


def _resolve(doc, schema):
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def _untyped(doc, schema, where, seen=()):
    """Where `schema` (or a schema inside it) is an untyped object or array."""
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return []
        return _untyped(doc, _resolve(doc, schema), where, (*seen, schema["$ref"]))
    problems = []
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "object" in kinds:
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        if not props and not isinstance(extra, dict):
            problems.append(f"{where}: an object without typed properties")
        for name, prop in (props or {}).items():
            if "type" not in prop and "$ref" not in prop and not any(k in prop for k in ("anyOf", "oneOf", "allOf")):
                problems.append(f"{where}.{name}: no type")
            else:
                problems += _untyped(doc, prop, f"{where}.{name}", seen)
        if isinstance(extra, dict):
            problems += _untyped(doc, extra, f"{where}.*", seen)
    if "array" in kinds:
        items = schema.get("items")
        if not items or ("type" not in items and "$ref" not in items):
            problems.append(f"{where}: an array without typed items")
        else:
            problems += _untyped(doc, items, f"{where}[]", seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for n, sub in enumerate(schema.get(key, [])):
            problems += _untyped(doc, sub, f"{where}/{key}{n}", seen)
    return problems


def test_every_success_answer_has_typed_properties(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    problems = []
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for status, response in op["responses"].items():
                if not status.startswith("2") or status == "204":
                    continue
                content = response.get("content", {})  # a file's answer: its media types share one schema
                schema = content.get("application/json", next(iter(content.values()), {})).get("schema")
                if schema is None:
                    problems.append(f"{method.upper()} {path} {status}: no schema")
                    continue
                problems += _untyped(doc, schema, f"{method.upper()} {path} {status}")
    assert not problems, "\n".join(problems)


# --- schemathesis: every operation, then stateful runs through the links ----------------------------------


# Each operation once per user.


@SCHEMA.parametrize()
@SETTINGS
def test_every_operation_conforms_for_an_administrator(case, api_schema, admin):
    case.call_and_validate()


@RECIPIENT_SCHEMA.parametrize()
@SETTINGS
def test_every_operation_conforms_for_a_recipient(case, api_schema, recipient):
    case.call_and_validate()


def _run_stateful(api_schema):
    api_schema.as_state_machine().run(
        settings=hypothesis.settings(
            max_examples=MAX_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )


def test_stateful_runs_through_the_links_conform_for_an_administrator(api_schema, admin):
    _run_stateful(api_schema)


def test_stateful_runs_through_the_links_conform_for_a_recipient(api_schema, recipient):
    _run_stateful(api_schema)
