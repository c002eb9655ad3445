"""Generated bad input to the HTML forms: huge strings, control characters, unicode, wrong types,
dates far out of range. No answer is a 500, and a refused submission writes nothing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.models import MODELS, SchemaVersion, SignInAttempt

from .conftest import csrf_token

# what a person (or a broken script) can type into any field
junk = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=10),  # control characters
    st.text(alphabet="𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ü ß ✓ 中文 ‮", max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e9",
            "NaN",
            "null",
            "[]",
            "{}",
            "true",
            "0000-00-00",
            "9999-12-31",
            "1900-01-01",
            "2026-02-30",
            "2026-13-01",
            "../../etc/passwd",
            "' OR 1=1 --",
        ]
    ),
    st.just("x" * 100_000),
)

FORMS = {  # url template -> field names it takes
    "/engagements/{e}/meetings/new": [
        "date",
        "kind",
        "mode",
        "duration_minutes",
        "notes",
        "competencies",
        "strategies",
        "team_members",
        "isps",
        "benchmarks",
        "next_steps-0-text",
        "next_steps-0-owner",
        "next_steps-0-due_on",
        "goal_changes-0-goal_id",
        "goal_changes-0-status",
    ],
    "/engagements/{e}/goals/new": ["title", "indicator", "target", "status"],
    "/engagements/{e}/team/new": ["name", "email", "position", "joined_on"],
    "/engagements/{e}/deliverables/new": ["title", "kind", "due_on", "link", "note"],
    "/engagements/{e}/context-notes/new": ["kind", "domain", "text", "noted_on"],
    "/engagements/{e}/stage": ["stage", "entered_on", "note"],
    "/engagements/{e}/edit": [
        "title",
        "problem_statement",
        "support_model",
        "start_date",
        "end_date",
        "co_lead_1",
        "co_lead_2",
        "supporting",
    ],
    "/engagements/new": [
        "unit",
        "title",
        "problem_statement",
        "support_model",
        "start_date",
        "end_date",
        "co_lead_1",
        "co_lead_2",
        "first_stage",
    ],
}
RECIPIENT_FORMS = {
    "/requests/new": [
        "title",
        "description",
        "for_whom",
        "on_behalf",
        "on_behalf_of",
        "hoped_start",
        "urgent",
        "urgency_note",
    ]
}

COUNTED = [m for m in MODELS if m not in (SchemaVersion, SignInAttempt)]


def snapshot():
    return {m.__name__: m.select().count() for m in COUNTED}


def fuzz(client, url, fields, data):
    form = {name: data.draw(junk, label=name) for name in fields if data.draw(st.booleans(), label=f"send {name}")}
    form["csrf_token"] = csrf_token(client, url)
    before = snapshot()
    response = client.post(url, data=form)
    assert response.status_code < 500, (url, form)
    if response.status_code == 400:
        assert snapshot() == before, (url, form)


FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("template", sorted(FORMS))
@FUZZ
@given(data=st.data())
def test_isp_forms_survive_generated_input(demo, as_user, template, data):
    client = as_user(demo.isp_a1)
    fuzz(client, template.format(e=demo.engagement_a.id), FORMS[template], data)


@pytest.mark.parametrize("template", sorted(RECIPIENT_FORMS))
@FUZZ
@given(data=st.data())
def test_recipient_forms_survive_generated_input(demo, as_user, template, data):
    fuzz(as_user(demo.recipient_a), template, RECIPIENT_FORMS[template], data)


@FUZZ
@given(email=junk, password=junk)
def test_sign_in_survives_generated_input(client, email, password):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    assert response.status_code in (400, 401, 429)  # refused with a message; never signed in, never a 500
