"""Stages and benchmarks: moving between implementation stages (revisits kept in the stage path),
checking benchmarks off and undoing it, adding engagement-specific benchmarks, and who may do it.

The engagement under test is co-led by isp_a1 and isp_a2 in unit A, started 120 days ago and in
Exploration since its start (7 default benchmarks).
"""

import datetime as dt
import re

import pytest

from tracker.models import AuditEntry, Benchmark, BenchmarkTemplate, Engagement, Stage, StageEntry

from . import factories
from .conftest import field_error, post_form

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=120)


@pytest.fixture
def eng(demo):
    return factories.engagement(
        demo.unit_a,
        [demo.isp_a1, demo.isp_a2],
        title="Coaching rollout",
        start=START,
        intermediary=demo.center,
        stage="exploration",
    )


@pytest.fixture
def isp(demo, as_user):
    return as_user(demo.isp_a1)


def stage(key):
    return Stage.get(Stage.key == key)


def counts():
    return {
        "entries": StageEntry.select().count(),
        "benchmarks": Benchmark.select().count(),
        "completed": Benchmark.select().where(Benchmark.completed_on.is_null(False)).count(),
        "audit": AuditEntry.select().count(),
    }


def day(n):
    return (START + dt.timedelta(days=n)).isoformat()


def benchmarks_of(engagement, key):
    return list(
        Benchmark.select()
        .where((Benchmark.engagement == engagement) & (Benchmark.stage == stage(key)))
        .order_by(Benchmark.position, Benchmark.id)
    )


def detail(client, engagement):
    return client.get(f"/engagements/{engagement.id}").get_data(as_text=True)


# --- moving between stages --------------------------------------------------------------------------


def test_move_form_offers_every_stage_marks_the_current_one_and_defaults_to_today(eng, isp):
    page = isp.get(f"/engagements/{eng.id}/stage").get_data(as_text=True)
    assert "<h1>Move to a stage</h1>" in page
    for name in ("Exploration", "Installation", "Initial Implementation", "Full Implementation"):
        assert name in page
    assert "current stage" in page
    assert re.search(r'value="installation" checked', page)  # the next stage is proposed
    assert f'value="{TODAY.isoformat()}"' in page


def test_move_to_installation_records_history_current_stage_and_its_benchmarks_once(eng, isp):
    installation_templates = (
        BenchmarkTemplate.select()
        .where((BenchmarkTemplate.stage == stage("installation")) & ~BenchmarkTemplate.retired)
        .count()
    )
    response = post_form(
        isp,
        f"/engagements/{eng.id}/stage",
        {"stage": "installation", "entered_on": day(30), "note": "Decision to adopt taken"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/engagements/{eng.id}#stages-h")

    eng = Engagement.get_by_id(eng.id)
    assert eng.current_stage.key == "installation"
    history = eng.stage_history()
    assert [(h.stage.key, h.entered_on.isoformat()) for h in history] == [
        ("exploration", START.isoformat()),
        ("installation", day(30)),
    ]
    assert history[-1].created_by_id is not None
    assert len(benchmarks_of(eng, "installation")) == installation_templates == 7

    page = isp.get(response.headers["Location"]).get_data(as_text=True)
    assert "entered Installation on" in page
    assert "30 days" in page  # Exploration lasted from the start to day 30
    assert "90 days so far" in page  # Installation, until today
    assert "Decision to adopt taken" in page


def test_revisit_exploration_with_a_note_keeps_history_and_adds_no_duplicate_benchmarks(eng, isp):
    post_form(isp, f"/engagements/{eng.id}/stage", {"stage": "installation", "entered_on": day(30)})
    before = Benchmark.select().where(Benchmark.engagement == eng).count()
    assert before == 14

    response = post_form(
        isp,
        f"/engagements/{eng.id}/stage",
        {"stage": "exploration", "entered_on": day(60), "note": "Funding fell through; refit"},
    )
    assert response.status_code == 302

    eng = Engagement.get_by_id(eng.id)
    assert eng.current_stage.key == "exploration"
    assert [h.stage.key for h in eng.stage_history()] == ["exploration", "installation", "exploration"]
    assert Benchmark.select().where(Benchmark.engagement == eng).count() == before
    page = detail(isp, eng)
    assert "revisit" in page
    assert "Funding fell through; refit" in page


def test_revisit_without_a_note_is_refused_and_nothing_is_written(eng, isp):
    post_form(isp, f"/engagements/{eng.id}/stage", {"stage": "installation", "entered_on": day(30)})
    before = counts()
    response = post_form(
        isp, f"/engagements/{eng.id}/stage", {"stage": "exploration", "entered_on": day(61), "note": "  "}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "why revisit?" in field_error(page, "note")
    assert f'value="{day(61)}"' in page  # the typed date is kept
    assert re.search(r'value="exploration" checked', page)
    assert counts() == before
    assert Engagement.get_by_id(eng.id).current_stage.key == "installation"


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"stage": "installation", "entered_on": (START - dt.timedelta(days=1)).isoformat()},
            "entered_on",
            "(the engagement's start) and today",
        ),
        ({"stage": "installation", "entered_on": ""}, "entered_on", "Enter the date the stage was entered."),
        ({"stage": "installation", "entered_on": "2026-02-31"}, "entered_on", "YYYY-MM-DD"),
        ({"stage": "weather", "entered_on": "TODAY"}, "stage", "Choose one of the four stages."),
        ({"stage": "", "entered_on": "TODAY"}, "stage", "Choose one of the four stages."),
        ({"stage": "exploration", "entered_on": "TODAY"}, "stage", "already in Exploration"),
    ],
)
def test_invalid_moves_are_refused_next_to_the_field(eng, isp, data, field, message):
    data = {k: (TODAY.isoformat() if v == "TODAY" else v) for k, v in data.items()}
    before = counts()
    response = post_form(isp, f"/engagements/{eng.id}/stage", data)
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    assert counts() == before


def test_a_backdated_move_takes_its_place_in_the_history_without_becoming_current(eng, isp):
    """No date locks the stage path: an entry dated before the latest one is inserted in its place."""
    post_form(isp, f"/engagements/{eng.id}/stage", {"stage": "initial_implementation", "entered_on": day(30)})
    response = post_form(isp, f"/engagements/{eng.id}/stage", {"stage": "installation", "entered_on": day(29)})
    assert response.status_code == 302
    eng = Engagement.get_by_id(eng.id)
    assert eng.current_stage.key == "initial_implementation"  # the latest-dated entry
    assert [h.stage.key for h in eng.stage_history()] == ["exploration", "installation", "initial_implementation"]


# --- benchmarks ------------------------------------------------------------------------------------


def test_check_off_page_is_fast_date_autofocused_and_defaulting_to_today(eng, isp):
    b = benchmarks_of(eng, "exploration")[0]
    page = isp.get(f"/engagements/{eng.id}/benchmarks/{b.id}").get_data(as_text=True)
    assert "<h1>Check off a benchmark</h1>" in page
    assert b.text in page
    date_input = re.search(r'<input[^>]*id="completed_on"[^>]*>', page).group(0)
    assert "autofocus" in date_input and f'value="{TODAY.isoformat()}"' in date_input
    assert "Mark not completed" not in page  # nothing to undo yet


def test_check_off_stores_the_date_and_shows_the_proportion_then_undo(eng, isp):
    b = benchmarks_of(eng, "exploration")[0]
    page = detail(isp, eng)
    assert "0 of 7" in page
    assert f'/engagements/{eng.id}/benchmarks/{b.id}">Check off' in page

    response = post_form(
        isp, f"/engagements/{eng.id}/benchmarks/{b.id}", {"completed_on": day(10), "evidence": "Kick-off minutes"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#stages-h")
    b = Benchmark.get_by_id(b.id)
    assert b.completed_on.isoformat() == day(10) and b.evidence == "Kick-off minutes"
    page = detail(isp, eng)
    assert "1 of 7" in page and "Kick-off minutes" in page

    page = isp.get(f"/engagements/{eng.id}/benchmarks/{b.id}").get_data(as_text=True)
    assert f'value="{day(10)}"' in page and "Mark not completed" in page
    audits = AuditEntry.select().count()
    response = post_form(
        isp,
        f"/engagements/{eng.id}/benchmarks/{b.id}/reopen",
        {},
        token_from=f"/engagements/{eng.id}/benchmarks/{b.id}",
    )
    assert response.status_code == 302
    assert Benchmark.get_by_id(b.id).completed_on is None
    assert AuditEntry.select().count() == audits + 1
    last = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert (last.action, last.entity, last.entity_id) == ("update", "Benchmark", b.id)
    assert last.change_map["completed_on"] == [day(10), None]
    assert "0 of 7" in detail(isp, eng)


@pytest.mark.parametrize(
    "value, message",
    [
        ((TODAY + dt.timedelta(days=1)).isoformat(), "(the engagement's start) and today"),
        ((START - dt.timedelta(days=1)).isoformat(), "(the engagement's start) and today"),
        ("0083-05-01", "Date must be between 1 Jan 1990 and 31 Dec 2100."),
        ("", "Enter the date the benchmark was completed."),
        ("yesterday", "YYYY-MM-DD"),
    ],
)
def test_invalid_check_off_is_refused_and_nothing_is_written(eng, isp, value, message):
    b = benchmarks_of(eng, "exploration")[0]
    before = counts()
    response = post_form(
        isp, f"/engagements/{eng.id}/benchmarks/{b.id}", {"completed_on": value, "evidence": "Typed evidence"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in field_error(page, "completed_on")
    assert "Typed evidence" in page
    assert counts() == before


def test_add_a_custom_benchmark_to_a_stage(eng, isp):
    page = isp.get(f"/engagements/{eng.id}/benchmarks/new?stage=installation").get_data(as_text=True)
    assert "<h1>Add a benchmark</h1>" in page
    assert re.search(r'<option selected value="installation">', page)
    assert f'/engagements/{eng.id}/benchmarks/new?stage=exploration">Add a benchmark' in detail(isp, eng)

    response = post_form(
        isp, f"/engagements/{eng.id}/benchmarks/new", {"text": "  Board briefed on the pilot  ", "stage": "exploration"}
    )
    assert response.status_code == 302
    custom = benchmarks_of(eng, "exploration")[-1]
    assert custom.text == "Board briefed on the pilot"
    assert custom.template_id is None
    assert custom.position > max(b.position for b in benchmarks_of(eng, "exploration")[:-1])
    page = detail(isp, eng)
    assert "Board briefed on the pilot" in page and "0 of 8" in page


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"text": "", "stage": "exploration"}, "text", "Describe the benchmark."),
        ({"text": "Typed benchmark", "stage": "weather"}, "stage", "Choose one of the four stages."),
        ({"text": "x" * 301, "stage": "exploration"}, "text", "At most 300 characters."),
    ],
)
def test_invalid_custom_benchmark_is_refused(eng, isp, data, field, message):
    before = counts()
    response = post_form(isp, f"/engagements/{eng.id}/benchmarks/new", data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in field_error(page, field)
    if data["text"] == "Typed benchmark":
        assert 'value="Typed benchmark"' in page
    assert counts() == before


def test_a_benchmark_of_another_engagement_is_not_found(demo, eng, isp):
    other = benchmarks_of(demo.engagement_a, "exploration")[0]  # isp_a1 co-leads A too: still 404 here
    before = counts()
    assert isp.get(f"/engagements/{eng.id}/benchmarks/{other.id}").status_code == 404
    token_page = f"/engagements/{eng.id}/benchmarks/new"
    assert (
        post_form(
            isp, f"/engagements/{eng.id}/benchmarks/{other.id}", {"completed_on": day(5)}, token_from=token_page
        ).status_code
        == 404
    )
    assert (
        post_form(isp, f"/engagements/{eng.id}/benchmarks/{other.id}/reopen", {}, token_from=token_page).status_code
        == 404
    )
    assert isp.get(f"/engagements/{eng.id}/benchmarks/999999").status_code == 404
    assert counts() == before


def test_read_only_users_see_the_stage_path_without_edit_links(demo, eng, as_user):
    page = detail(as_user(demo.recipient_a), eng)
    assert "Stages and benchmarks" in page and "0 of 7" in page
    assert "Check off" not in page and "Move to a stage" not in page and "Add a benchmark" not in page


# --- access ----------------------------------------------------------------------------------------


def write_requests(eng):
    b = benchmarks_of(eng, "exploration")[0]
    return [
        (f"/engagements/{eng.id}/stage", {"stage": "installation", "entered_on": day(30)}),
        (f"/engagements/{eng.id}/benchmarks/{b.id}", {"completed_on": day(10)}),
        (f"/engagements/{eng.id}/benchmarks/{b.id}/reopen", {}),
        (f"/engagements/{eng.id}/benchmarks/new", {"text": "Sneaky", "stage": "exploration"}),
    ]


@pytest.mark.parametrize(
    "who, status",
    [("recipient_a", 403), ("leader_foundation", 403), ("recipient_b", 404), ("isp_none", 404), ("isp_b", 404)],
)
def test_only_the_engagements_isps_may_change_stages_and_benchmarks(demo, eng, as_user, who, status):
    client = as_user(getattr(demo, who))
    before = counts()
    for url, data in write_requests(eng):
        if not url.endswith("/reopen"):
            assert client.get(url).status_code == status, url
        assert post_form(client, url, data, token_from="/").status_code == status, url
    assert counts() == before


def test_anonymous_users_are_sent_to_sign_in(eng, client):
    before = counts()
    for url, data in write_requests(eng):
        response = client.post(url, data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        if not url.endswith("/reopen"):
            response = client.get(url)
            assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert counts() == before


def test_admin_may_move_stages_on_any_engagement(demo, eng, as_user):
    response = post_form(
        as_user(demo.admin), f"/engagements/{eng.id}/stage", {"stage": "installation", "entered_on": day(30)}
    )
    assert response.status_code == 302
    assert Engagement.get_by_id(eng.id).current_stage.key == "installation"


def test_stage_entries_are_corrected_and_removed_audited_and_the_current_stage_follows(eng, isp):
    post_form(isp, f"/engagements/{eng.id}/stage", {"stage": "installation", "entered_on": day(30)})
    entries = Engagement.get_by_id(eng.id).stage_history()
    move_page = isp.get(f"/engagements/{eng.id}/stage").get_data(as_text=True)
    assert f"/engagements/{eng.id}/stage/{entries[1].id}/remove" in move_page

    # correct Installation's date: it stays the latest-dated entry, so it stays current
    response = post_form(
        isp,
        f"/engagements/{eng.id}/stage/{entries[1].id}",
        {"stage": "installation", "entered_on": day(40), "note": "Date typo"},
    )
    assert response.status_code == 302
    assert [(h.stage.key, h.entered_on.isoformat()) for h in Engagement.get_by_id(eng.id).stage_history()] == [
        ("exploration", day(0)),
        ("installation", day(40)),
    ]
    audit = AuditEntry.select().where(AuditEntry.entity == "StageEntry").order_by(AuditEntry.id)
    assert [(a.action, a.entity_id, a.engagement_id) for a in audit] == [("update", entries[1].id, eng.id)]

    assert "Remove this stage entry?" in isp.get(f"/engagements/{eng.id}/stage/{entries[1].id}/remove").get_data(
        as_text=True
    )
    assert post_form(isp, f"/engagements/{eng.id}/stage/{entries[1].id}/remove", {}).status_code == 302
    assert Engagement.get_by_id(eng.id).current_stage.key == "exploration"
    assert AuditEntry.select().where((AuditEntry.entity == "StageEntry") & (AuditEntry.action == "delete")).count()


def test_a_correction_that_repeats_the_stage_before_it_is_refused(eng, isp):
    post_form(isp, f"/engagements/{eng.id}/stage", {"stage": "installation", "entered_on": day(30)})
    entry = Engagement.get_by_id(eng.id).stage_history()[1]
    before = counts()
    response = post_form(
        isp, f"/engagements/{eng.id}/stage/{entry.id}", {"stage": "exploration", "entered_on": day(30), "note": "x"}
    )
    assert response.status_code == 400
    assert "already in Exploration" in field_error(response.get_data(as_text=True), "stage")
    assert counts() == before
