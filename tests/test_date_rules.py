"""The written date policy (docs/date-policy.md), one table of cases run through every path that
accepts the date: the page form, the JSON API and the service or model. Each path gets the same
refusal on the same field, and nothing is written.

Cases reproduce what issue 15 saw: a meeting before the engagement's start and one in 2030 accepted;
a future context note; a benchmark completed in a meeting dated before the start; years 0083 and
0679 accepted through the API; a goal status change dated in the future (which then locked the goal).
"""

import datetime as dt
import pathlib

import pytest

from tracker.dates import format_date
from tracker.models import (
    AuditEntry,
    Benchmark,
    ContextNote,
    Deliverable,
    FeedbackResponse,
    Goal,
    GoalStatusChange,
    Meeting,
    Stage,
    StageEntry,
    SupportRequest,
    ValidationError,
    today,
)
from tracker.services import feedback as feedback_service
from tracker.services import goals as goal_service
from tracker.services import meetings as meeting_service
from tracker.services import stages as stage_service

from .api_helpers import Api
from .conftest import field_error, post_form

TODAY = today()
START = dt.date(2026, 1, 5)  # the start of demo.engagement_a (tests/factories.py)
RANGE = "Date must be between 1 Jan 1990 and 31 Dec 2100."
EVENT = f"Date must be between {format_date(START)} (the engagement's start) and today ({format_date(TODAY)})."

BEFORE_START = START - dt.timedelta(days=1)
TOMORROW = TODAY + dt.timedelta(days=1)
IN_2030 = dt.date(2030, 6, 1)
YEAR_0083 = dt.date(83, 5, 1)
YEAR_0679 = dt.date(679, 3, 14)


def counts():
    return (
        Meeting.select().count(),
        GoalStatusChange.select().count(),
        Goal.select().count(),
        StageEntry.select().count(),
        ContextNote.select().count(),
        Deliverable.select().count(),
        Benchmark.select().where(Benchmark.completed_on.is_null(False)).count(),
        AuditEntry.select().count(),
    )


# --- the parts: how each path sends a date (page form data, API call, service call) ----------------


def meeting_paths(w, day):
    e = w.e
    form = {"date": day.isoformat(), "kind": "monthly", "mode": "in_person", "duration_minutes": "60", "notes": "x"}
    data = {"date": day, "kind": "monthly", "mode": "in_person", "duration_minutes": 60, "notes": "x"}
    return {
        "page": (f"/engagements/{e.id}/meetings/new", form, "date"),
        "api": ("post", f"/engagements/{e.id}/meetings", {**data, "date": day.isoformat()}, "date"),
        "service": (lambda: meeting_service.log_meeting(e, data, w.user), "date"),
    }


def meeting_with_benchmark_paths(w, day):
    """A definition meeting may date from the request's submission, but a benchmark it completes may not
    be completed before the engagement's start."""
    e = w.e
    form = {
        "date": day.isoformat(),
        "kind": "definition",
        "mode": "in_person",
        "duration_minutes": "60",
        "benchmarks": str(w.benchmark.id),
    }
    data = {"date": day, "kind": "definition", "mode": "in_person", "duration_minutes": 60}
    data["benchmarks"] = [w.benchmark.id]
    api = {**data, "date": day.isoformat(), "benchmarks_completed": [w.benchmark.id]}
    del api["benchmarks"]
    return {
        "page": (f"/engagements/{e.id}/meetings/new", form, "benchmarks"),
        "api": ("post", f"/engagements/{e.id}/meetings", api, "benchmarks_completed"),
        "service": (lambda: meeting_service.log_meeting(e, data, w.user), "benchmarks"),
    }


def goal_change_paths(w, day):
    e, goal = w.e, w.goal
    return {
        "page": (
            f"/engagements/{e.id}/goals/{goal.id}/status",
            {"status": "in_progress", "changed_on": day.isoformat(), "note": ""},
            "changed_on",
        ),
        "api": (
            "patch",
            f"/engagements/{e.id}/goals/{goal.id}",
            {"status": "in_progress", "changed_on": day.isoformat()},
            "changed_on",
        ),
        "service": (lambda: goal_service.record_status_change(goal, "in_progress", day), "changed_on"),
    }


def goal_set_on_paths(w, day):
    e = w.e
    return {
        "page": (
            f"/engagements/{e.id}/goals/new",
            {"title": "Backdated goal", "status": "not_started", "set_on": day.isoformat()},
            "set_on",
        ),
        "api": ("post", f"/engagements/{e.id}/goals", {"title": "Backdated goal", "set_on": day.isoformat()}, "set_on"),
        "service": (lambda: goal_service.add_goal(e, {"title": "Backdated goal"}, w.user, day), "set_on"),
    }


def stage_paths(w, day):
    e = w.e
    return {
        "page": (f"/engagements/{e.id}/stage", {"stage": "installation", "entered_on": day.isoformat()}, "entered_on"),
        "api": ("post", f"/engagements/{e.id}/stage", {"stage": "installation", "date": day.isoformat()}, "date"),
        "service": (lambda: stage_service.move_to_stage(e, "installation", day), "entered_on"),
    }


def benchmark_paths(w, day):
    e, b = w.e, w.benchmark
    return {
        "page": (f"/engagements/{e.id}/benchmarks/{b.id}", {"completed_on": day.isoformat()}, "completed_on"),
        "api": ("patch", f"/engagements/{e.id}/benchmarks/{b.id}", {"completed_on": day.isoformat()}, "completed_on"),
        "service": (lambda: stage_service.check_off(b, e, day), "completed_on"),
    }


def context_note_paths(w, day):
    e = w.e
    data = {"kind": "barrier", "domain": "process", "text": "Staff turnover"}
    return {
        "page": (f"/engagements/{e.id}/context-notes/new", {**data, "noted_on": day.isoformat()}, "noted_on"),
        "api": ("post", f"/engagements/{e.id}/context-notes", {**data, "noted_on": day.isoformat()}, "noted_on"),
        "service": (lambda: ContextNote.create(engagement=e, noted_on=day, **data), "noted_on"),
    }


def deliverable_paths(w, field, day):
    e = w.e
    return {
        "page": (
            f"/engagements/{e.id}/deliverables/new",
            {"title": "Practice profile", "kind": "other", field: day.isoformat()},
            field,
        ),
        "api": (
            "post",
            f"/engagements/{e.id}/deliverables",
            {"title": "Practice profile", field: day.isoformat()},
            field,
        ),
        "service": (lambda: Deliverable.create(engagement=e, title="Practice profile", **{field: day}), field),
    }


CASES = {
    "meeting before the engagement's start": (meeting_paths, BEFORE_START, EVENT),
    "meeting in 2030": (meeting_paths, IN_2030, EVENT),
    "meeting tomorrow": (meeting_paths, TOMORROW, EVENT),
    "meeting in year 0083": (meeting_paths, YEAR_0083, RANGE),
    "benchmark completed in a definition meeting before the start": (
        meeting_with_benchmark_paths,
        BEFORE_START,
        "A benchmark is completed on the meeting's date. " + EVENT,
    ),
    "goal change next year": (goal_change_paths, TODAY.replace(year=TODAY.year + 1), EVENT),
    "goal change before the start": (goal_change_paths, BEFORE_START, EVENT),
    "goal change in year 0679": (goal_change_paths, YEAR_0679, RANGE),
    "goal set before the start": (goal_set_on_paths, BEFORE_START, EVENT),
    "goal set tomorrow": (goal_set_on_paths, TOMORROW, EVENT),
    "stage entered tomorrow": (stage_paths, TOMORROW, EVENT),
    "stage entered before the start": (stage_paths, BEFORE_START, EVENT),
    "benchmark completed before the start": (benchmark_paths, BEFORE_START, EVENT),
    "benchmark completed tomorrow": (benchmark_paths, TOMORROW, EVENT),
    "context note in the future": (context_note_paths, TOMORROW, EVENT),
    "context note in year 0083": (context_note_paths, YEAR_0083, RANGE),
    "deliverable delivered tomorrow": (lambda w, d: deliverable_paths(w, "delivered_on", d), TOMORROW, EVENT),
    "deliverable due in year 0679": (lambda w, d: deliverable_paths(w, "due_on", d), YEAR_0679, RANGE),
}


@pytest.fixture
def w(demo):
    e = demo.engagement_a
    if e.current_stage_id is None:
        e.enter_stage(Stage.get(Stage.key == "exploration"), START)
    goal = goal_service.add_goal(e, {"title": "Core components written down"}, demo.isp_a1.id, START)
    benchmark = Benchmark.select().where((Benchmark.engagement == e) & Benchmark.completed_on.is_null()).first()
    demo.e, demo.goal, demo.benchmark, demo.user = e, Goal.get_by_id(goal.id), benchmark, demo.isp_a1
    return demo


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("path", ["page", "api", "service"])
def test_every_path_gives_the_same_refusal_and_writes_nothing(w, as_user, client, case, path):
    paths, day, message = CASES[case]
    before = counts()
    route = paths(w, day)[path]
    if path == "page":
        url, data, field = route
        response = post_form(as_user(w.isp_a1), url, data)
        assert response.status_code == 400, (case, response.status_code)
        assert field_error(response.get_data(as_text=True), field) == message, case
    elif path == "api":
        method, url, body, field = route
        response = getattr(Api(client, w.isp_a1), method)(url, body)
        assert response.status_code == 400, (case, response.get_json())
        assert response.get_json()["error"]["fields"].get(field) == message, (case, response.get_json())
    else:
        call, field = route
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.errors.get(field) == message, (case, info.value.errors)
    assert counts() == before, case
    assert Goal.get_by_id(w.goal.id).status == "not_started"


def test_planned_dates_may_be_in_the_future_within_the_range(w, client):
    api = Api(client, w.isp_a1)
    due = TODAY.replace(year=TODAY.year + 2).isoformat()
    response = api.post(f"/engagements/{w.e.id}/deliverables", {"title": "Scaling plan", "due_on": due})
    assert response.status_code == 201 and response.get_json()["due_on"] == due
    bad = api.post(f"/engagements/{w.e.id}/deliverables", {"title": "Scaling plan", "due_on": "2101-01-01"})
    assert bad.get_json()["error"]["fields"]["due_on"] == RANGE


def test_a_definition_meeting_may_date_from_the_request_submission(w, client):
    """Only definition meetings may predate the engagement's start, and not before the request."""
    request = SupportRequest.create(
        unit=w.e.unit, title="Help", created_at=dt.datetime.combine(START - dt.timedelta(days=20), dt.time(9))
    )
    w.e.request = request
    w.e.save()
    api = Api(client, w.isp_a1)
    url = f"/engagements/{w.e.id}/meetings"
    day = (START - dt.timedelta(days=10)).isoformat()
    definition = api.post(url, {"date": day, "kind": "definition", "mode": "virtual", "duration_minutes": 45})
    assert definition.status_code == 201, definition.get_json()
    monthly = api.post(url, {"date": day, "kind": "monthly", "mode": "virtual", "duration_minutes": 45})
    assert monthly.get_json()["error"]["fields"]["date"] == EVENT
    too_early = (START - dt.timedelta(days=21)).isoformat()
    refused = api.post(url, {"date": too_early, "kind": "definition", "mode": "virtual", "duration_minutes": 45})
    submitted = format_date(START - dt.timedelta(days=20))
    assert refused.get_json()["error"]["fields"]["date"] == (
        f"Date must be between {submitted} (the request's submission) and today ({format_date(TODAY)})."
    )


def test_the_page_forms_offer_the_same_range_to_the_browser(w, as_user):
    html = as_user(w.isp_a1).get(f"/engagements/{w.e.id}/goals/new").get_data(as_text=True)
    assert 'min="1990-01-01"' in html and 'max="2100-12-31"' in html


@pytest.mark.parametrize(("day", "message"), [(TOMORROW, EVENT), (BEFORE_START, EVENT), (YEAR_0083, RANGE)])
def test_a_feedback_response_is_an_event_under_the_same_policy(w, day, message):
    """Feedback is an event date: answered through a link it is dated today; any other writer (the
    demo, the generator, a later import) gets the same refusal, and nothing is written."""
    before = FeedbackResponse.select().count()
    with pytest.raises(ValidationError) as info:
        FeedbackResponse.create(
            engagement=w.e, instrument=feedback_service.current_instrument(), kind="survey", submitted_on=day
        )
    assert info.value.errors == {"submitted_on": message}
    assert FeedbackResponse.select().count() == before
    kept = FeedbackResponse.create(
        engagement=w.e, instrument=feedback_service.current_instrument(), kind="survey", submitted_on=START
    )
    assert kept.id is not None


def test_one_today_for_every_rule_and_default():
    """The policy's "today" is one function (models.base.today): every rule, default and report asks
    it, so a per-organization time zone changes one place. No other module reads the system clock's date."""
    root = pathlib.Path(__file__).resolve().parent.parent / "tracker"
    readers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "date.today" in path.read_text() and path.relative_to(root).as_posix() != "models/base.py"
    )
    assert readers == []
