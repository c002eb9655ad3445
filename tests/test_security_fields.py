"""Issue 16, fields: a 450 KB goal indicator was accepted by the page form; CR/LF was accepted in titles
and team emails (they reach mail headers). Every text field's limit and the one-line rule are the model
layer's (BaseModel.validate), so a page form and the API refuse the same input with the same message
and write nothing."""

import datetime as dt

from tracker.models import (
    MODELS,
    ContextNote,
    Goal,
    SignInAttempt,
    SupportRequest,
    TeamMember,
    text_problem,
)
from tracker.models.base import ONE_LINE_MESSAGE, LimitedTextField, length_message
from tracker.models.people import Organization

from .api_helpers import Api
from .conftest import field_error, post_form

HUGE = "x" * 450_000  # the 450 KB seen in the attack
INJECTED = "Quarterly review\r\nBcc: everyone@evil.example"
TODAY = dt.date.today().isoformat()


def cases(w):
    """(name, writer, page url, page form, api url, api body, field, attack, model, expected message)."""
    e = w.engagement_a.id
    goal = {"title": "A goal", "indicator": "", "target": "", "status": "not_started", "set_on": TODAY}
    member = {"name": "Sam Lee", "position": "manager", "email": "sam@example.org"}
    note = {"kind": "barrier", "domain": "process", "text": "Staff turnover", "noted_on": TODAY}
    request = {"title": "Help", "description": "What", "for_whom": "Whom"}
    page_request = {**request, "on_behalf": "internal"}
    return [
        ("goal indicator", w.isp_a1, f"/engagements/{e}/goals/new", goal, f"/engagements/{e}/goals", goal,
         "indicator", HUGE, Goal, length_message(5000)),
        ("goal target", w.isp_a1, f"/engagements/{e}/goals/new", goal, f"/engagements/{e}/goals", goal,
         "target", HUGE, Goal, length_message(5000)),
        ("goal title", w.isp_a1, f"/engagements/{e}/goals/new", goal, f"/engagements/{e}/goals", goal,
         "title", INJECTED, Goal, ONE_LINE_MESSAGE),
        ("team member name", w.isp_a1, f"/engagements/{e}/team/new", member, f"/engagements/{e}/team", member,
         "name", "Sam\r\nBcc: x@evil.example", TeamMember, ONE_LINE_MESSAGE),
        ("team member email", w.isp_a1, f"/engagements/{e}/team/new", member, f"/engagements/{e}/team", member,
         "email", "sam@example.org\r\nBcc: x@evil.example", TeamMember, ONE_LINE_MESSAGE),
        ("context note", w.isp_a1, f"/engagements/{e}/context-notes/new", note, f"/engagements/{e}/context-notes",
         note, "text", HUGE, ContextNote, length_message(5000)),
        ("request title", w.recipient_a, "/requests/new", page_request, "/requests", request,
         "title", INJECTED, SupportRequest, ONE_LINE_MESSAGE),
        ("request description", w.recipient_a, "/requests/new", page_request, "/requests", request,
         "description", HUGE, SupportRequest, length_message(5000)),
    ]  # fmt: skip


def test_each_attack_is_refused_with_the_same_message_on_form_and_api(client, demo, as_user):
    for name, writer, page_url, form, api_url, body, field, attack, model, expected in cases(demo):
        before = model.select().count()
        page = as_user(writer)
        response = post_form(page, page_url, {**form, field: attack})
        assert response.status_code == 400, name
        assert field_error(response.get_data(as_text=True), field) == expected, name
        response = Api(client, writer).post(api_url, json={**body, field: attack})
        assert response.status_code == 400, name
        assert response.get_json()["error"]["fields"][field] == expected, name
        assert model.select().count() == before, name  # nothing written, on either path
        # the same input without the attack goes through: the refusal was the attack's
        assert post_form(page, page_url, form).status_code == 302, name


def test_the_attack_on_an_edit_changes_nothing(client, demo, as_user):
    goal = Goal.create(engagement=demo.engagement_a, title="Kept", indicator="Kept")
    api = Api(client, demo.isp_a1)
    response = api.patch(f"/engagements/{demo.engagement_a.id}/goals/{goal.id}", json={"indicator": HUGE})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]["indicator"] == length_message(5000)
    response = post_form(
        as_user(demo.isp_a1),
        f"/engagements/{demo.engagement_a.id}/goals/{goal.id}/edit",
        {"title": "Kept\nBcc: x@evil.example", "indicator": "Kept", "target": "", "version": goal.version},
    )
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "title") == ONE_LINE_MESSAGE
    stored = Goal.get_by_id(goal.id)
    assert (stored.title, stored.indicator, stored.version) == ("Kept", "Kept", goal.version)


def test_every_text_field_of_every_model_has_a_limit():
    """The rule behind the table: a limit on every text field a person writes (None only where the app
    writes the text itself), and line breaks refused in every one-line field."""
    unbounded = {
        (model.__name__, name)
        for model in MODELS
        for name, field in model._meta.fields.items()
        if isinstance(field, LimitedTextField) and field.max_length is None
    }
    assert unbounded == {
        ("AuditEntry", "changes"),
        ("OutboxMessage", "body"),
        ("OutboxMessage", "error"),
        ("PendingNotification", "body"),  # written by the app (services/notifications.py)
        ("FeedbackResponse", "comments"),
    }
    assert text_problem(Organization.name, "Centre\rBcc: x") == ONE_LINE_MESSAGE
    assert text_problem(Organization.name, "Centre\u2028Bcc: x") == ONE_LINE_MESSAGE
    assert text_problem(Organization.name, "x" * 201) == length_message(200)
    assert text_problem(Goal.indicator, "line one\nline two") is None  # a TextField may have lines
    assert text_problem(Goal.indicator, "x" * 5001) == length_message(5000)


def test_a_failed_sign_in_with_a_line_break_is_still_recorded(client, demo):
    """The one-line rule is for what reaches a mail header; a failed sign-in's email is recorded as sent,
    so a CR/LF cannot slip an attempt past the throttle (nor make a 500)."""
    before = SignInAttempt.select().count()
    response = post_form(client, "/login", {"email": "isp.a1@example.org\r\nX: y", "password": "wrong password"})
    assert response.status_code in (400, 401)
    assert SignInAttempt.select().count() == before + 1
