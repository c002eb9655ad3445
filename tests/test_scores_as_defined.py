"""Scores as their sources define them (issue 19): scale scores from full surveys with at least three
of a scale's items, pulse items trended on their own, and the SIC duration beside days in stage.

Hand-worked data sets are in each test's comments."""

import datetime as dt

import pytest

from tests import factories
from tracker.models import Benchmark, FeedbackRelease, Stage
from tracker.reports import feedback as report
from tracker.reports import progress
from tracker.reports.filters import ReportFilters

from .api_helpers import Api
from .feedback_helpers import full, respond

D = dt.date


# --- scale scores: full surveys with at least three items ---------------------------------------------


def test_a_scale_score_counts_surveys_with_three_or_four_items_and_leaves_out_two(demo):
    e = demo.engagement_a
    # AIM (four items), full surveys on 10 Feb 2026:
    #   r1 answers 2 items (5, 5)        -> fewer than 3: does not count for AIM
    #   r2 answers 3 items (4, 3, 2)     -> 9 / 3 = 3.0
    #   r3 answers 4 items (4, 4, 5, 3)  -> 16 / 4 = 4.0
    #   r4 answers 3 items (2, 2, 2)     -> 2.0
    # AIM = (3.0 + 4.0 + 2.0) / 3 = 3.0, n = 3 (r1 would have made it (5 + 9) / 4 = 3.5, n = 4).
    respond(e, {"aim_1": 5, "aim_2": 5})
    respond(e, {"aim_1": 4, "aim_2": 3, "aim_4": 2})
    respond(e, {"aim_1": 4, "aim_2": 4, "aim_3": 5, "aim_4": 3})
    respond(e, {"aim_1": 2, "aim_2": 2, "aim_3": 2})
    assert report.scale_scores([e.id])["aim"] == {"mean": 3.0, "n": 3, "suppressed": False}
    # The two-item survey was never released on AIM (so no later group can subtract it).
    assert FeedbackRelease.get(FeedbackRelease.subject == "aim").size == 3


def test_a_pulse_answer_no_longer_moves_a_scale_score(demo):
    e = demo.engagement_a
    # Three full surveys: FIM (4, 4, 4) each -> FIM = 4.0, n = 3.
    for _ in range(3):
        respond(e, full(fim=4))
    before = report.scale_scores([e.id])["fim"]
    assert before == {"mean": 4.0, "n": 3, "suppressed": False}
    # Three pulses answer fim_1 with 1: before issue 19 they were pooled (FIM (3 x 4 + 3 x 1) / 6 = 2.5).
    for _ in range(3):
        respond(e, {"fim_1": 1, "aim_1": 2}, kind="pulse")
    assert report.scale_scores([e.id])["fim"] == before
    assert "aim" not in report.scale_scores([e.id])  # pulses alone make no scale score
    # ... they are reported as items: fim_1 = 1.0 and aim_1 = 2.0 (n = 3 each) in 2026 Q1.
    pulse = report.pulse_items_over_time(e.id)
    assert {i["key"] for i in pulse["items"]} == {"fim_1", "aim_1"}
    (q1,) = pulse["periods"]
    assert q1["label"] == "2026 Q1"
    assert q1["items"]["fim_1"] == {"mean": 1.0, "n": 3, "suppressed": False}
    assert q1["items"]["aim_1"] == {"mean": 2.0, "n": 3, "suppressed": False}


def test_pulse_items_by_month_keep_the_minimum_count(demo):
    e = demo.engagement_a
    # Jan: three pulses on trust_1 (3, 4, 5) -> released together on 20 Jan: 4.0, n = 3.
    # Mar: two pulses (1, 1) -> not released: the months end with January.
    for value in (3, 4, 5):
        respond(e, {"trust_1": value}, on=D(2026, 1, 20), kind="pulse")
    for value in (1, 1):
        respond(e, {"trust_1": value}, on=D(2026, 3, 5), kind="pulse")
    months = report.pulse_items_over_time(e.id, "month")
    assert [p["label"] for p in months["periods"]] == ["Jan 2026"]
    assert months["periods"][0]["items"]["trust_1"] == {"mean": 4.0, "n": 3, "suppressed": False}
    # A third March pulse releases the three: Feb empty (n = 0, hidden), Mar 1.0 (1, 1, 1).
    respond(e, {"trust_1": 1}, on=D(2026, 3, 6), kind="pulse")
    months = report.pulse_items_over_time(e.id, "month")
    assert [p["label"] for p in months["periods"]] == ["Jan 2026", "Feb 2026", "Mar 2026"]
    assert months["periods"][1]["items"]["trust_1"] == {"mean": None, "n": 0, "suppressed": True}
    assert months["periods"][2]["items"]["trust_1"]["mean"] == pytest.approx(1.0)
    assert report.scale_scores([e.id]) == {}  # and no trust score: pulses only


def test_the_feedback_page_states_the_rule_and_shows_pulse_items(demo, as_user):
    e = demo.engagement_a
    for value in (3, 4, 5):
        respond(e, {"capacity_1": value}, kind="pulse")
    html = as_user(demo.isp_a1).get(f"/engagements/{e.id}/feedback").get_data(as_text=True)
    assert "How a scale is scored: from full surveys only" in html and "at least 3 of the scale" in html
    pulse = html[html.index('id="pulse-h"') :]
    assert "4.00" in pulse and "n = 3" in pulse
    empty = as_user(demo.isp_b).get(f"/engagements/{demo.engagement_b.id}/feedback").get_data(as_text=True)
    assert "No pulse answers released yet." in empty


def test_the_feedback_api_reports_pulse_items(demo, client):
    e = demo.engagement_a
    for value in (2, 3, 4):
        respond(e, {"iam_2": value}, kind="pulse")
    body = Api(client, demo.isp_a1).get("/reports/feedback", engagement_id=e.id).get_json()
    assert body["pulse_items"]["items"][0]["key"] == "iam_2"
    assert body["pulse_items"]["periods"][0]["items"]["iam_2"] == {"mean": 3.0, "n": 3, "suppressed": False}
    assert "iam" not in body["scale_scores"]


# --- SIC duration beside days in stage ------------------------------------------------------------------


def stage(key):
    return Stage.get(Stage.key == key)


def test_sic_duration_against_days_in_stage(demo, as_user):
    e = demo.engagement_a
    # Exploration from 5 Jan 2026, Installation from 1 Mar, as of 31 Mar 2026:
    #   days in stage: Exploration 5 Jan -> 1 Mar = 55 days; Installation 1 Mar -> 31 Mar = 30 days.
    # Activities:
    #   Exploration: meetings 12 Jan and 9 Feb; an exploration benchmark completed 20 Feb
    #                -> first 12 Jan, last 20 Feb: SIC duration 39 days.
    #   Installation: a meeting on 1 Mar (the day of the move: installation's), one deleted on 25 Mar
    #                 (never counts) -> one activity: 0 days.
    #   Initial implementation: not reached, no activity -> None.
    e.enter_stage(stage("installation"), D(2026, 3, 1))
    factories.meeting(e, D(2026, 1, 12))
    factories.meeting(e, D(2026, 2, 9))
    factories.meeting(e, D(2026, 3, 1))
    factories.meeting(e, D(2026, 3, 25)).soft_delete()
    b = Benchmark.select().where((Benchmark.engagement == e.id) & (Benchmark.stage == stage("exploration").id)).first()
    b.completed_on = D(2026, 2, 20)
    b.save()
    data = progress.engagement_progress(ReportFilters(user=demo.admin, engagement=e.id), as_of=D(2026, 3, 31))
    rows = {s["key"]: s for s in data["stages"]}
    exp, ins, later = rows["exploration"], rows["installation"], rows["initial_implementation"]
    assert (exp["days"], exp["sic_duration"]) == (55, 39)
    assert (exp["first_activity_on"], exp["last_activity_on"]) == (D(2026, 1, 12), D(2026, 2, 20))
    assert (ins["days"], ins["sic_duration"], ins["first_activity_on"]) == (30, 0, D(2026, 3, 1))
    assert later["days"] is None and later["sic_duration"] is None
    # Across the portfolio (A only has activity): mean SIC duration of Exploration 39.0, Installation 0.0.
    portfolio = progress.portfolio_progress(ReportFilters(user=demo.admin), as_of=D(2026, 3, 31))
    by_key = {s["key"]: s for s in portfolio["stages"]}
    assert by_key["exploration"]["mean_sic_duration"] == 39.0 and by_key["installation"]["mean_sic_duration"] == 0.0
    # Both labelled on the engagement report.
    html = as_user(demo.admin).get(f"/reports/engagements/{e.id}").get_data(as_text=True)
    assert "Days in stage" in html and "SIC duration (first to last activity)" in html
