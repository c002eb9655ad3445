"""How progress moved (issue 18): the date → position arithmetic (journey.Axis), the stage journeys of the
portfolio (sorted by unit or stage, revisits, long stays, paged) and one engagement's timeline (stage
bands, benchmarks, goal status changes, feedback only where the feedback report shows it).

The data set, as of 10 Apr 2026:
- Engagement A (Unit A): Exploration 5 Jan 2026 → Installation 15 Feb → Exploration again 1 Mar →
  Installation again 11 Mar (30 days so far). Benchmarks completed 20, 21, 22 Jan and 20 Mar; goal
  changes 10 Feb (in progress), 20 Feb (in progress), 15 Mar (achieved); a deleted goal's change (1 Mar).
- Engagement B (Unit B): not staged.
- Engagement C (Unit C, another funder): Exploration since 1 Mar (40 days).
- Engagement D (Unit B): Installation from 1 May 2025 until it closed on 10 Apr 2026: 344 days, a long
  stay (> 180).
Admin's window: 1 May 2025 (month of D's first entry) to 30 Apr 2026 (end of today's month): 364 days;
today is day 344 of it: 94.51 %.
"""

import datetime as dt

import pytest

from tests import factories
from tests.feedback_helpers import full, respond
from tracker.models import Benchmark, Stage
from tracker.reports import journey
from tracker.reports.filters import ReportFilters

D = dt.date
AS_OF = D(2026, 4, 10)


def stage(key):
    return Stage.get(Stage.key == key)


# --- the date → position arithmetic ----------------------------------------------------------------


def test_points_close_together_leave_their_text_to_the_hover_and_the_table():
    axis = journey.Axis(D(2026, 1, 1), D(2026, 12, 31))  # 364 days: 9 % is about 33 days
    points = [{"on": D(2026, 1, 5)}, {"on": D(2026, 1, 20)}, {"on": D(2026, 2, 10)}, {"on": D(2026, 8, 1)}]
    placed = journey._placed(points + [{"on": D(2027, 1, 5)}], axis)  # the last is outside the window
    assert [p["labelled"] for p in placed] == [True, False, True, True]  # 10 Feb is 36 days after 5 Jan


def test_axis_places_start_end_and_today():
    axis = journey.Axis(D(2026, 1, 1), D(2026, 1, 11))  # 10 days
    assert axis.at(D(2026, 1, 1)) == 0
    assert axis.at(D(2026, 1, 11)) == 100
    assert axis.at(D(2026, 1, 4)) == 30
    assert axis.band(D(2026, 1, 2), D(2026, 1, 7)) == {"left": 10, "width": 50, "cut_start": False, "cut_end": False}
    assert axis.marks(D(2026, 1, 6))["today"] == 50
    assert axis.marks(D(2026, 2, 1))["today"] is None  # today after the window: no line


def test_axis_cuts_a_band_crossing_the_window_edge():
    axis = journey.Axis(D(2026, 1, 1), D(2026, 1, 11))
    assert axis.band(D(2025, 12, 20), D(2026, 1, 3)) == {"left": 0, "width": 20, "cut_start": True, "cut_end": False}
    assert axis.band(D(2026, 1, 9), D(2026, 3, 1)) == {"left": 80, "width": 20, "cut_start": False, "cut_end": True}
    assert axis.band(D(2025, 1, 1), D(2025, 12, 31)) is None  # wholly before
    assert axis.band(D(2026, 1, 12), D(2026, 1, 20)) is None  # wholly after
    assert axis.at(D(2024, 1, 1)) == 0 and axis.at(D(2030, 1, 1)) == 100


def test_axis_of_a_zero_length_engagement():
    day = D(2026, 3, 5)
    axis = journey.Axis(day, day)
    assert axis.at(day) == 0
    assert axis.band(day, day) == {"left": 0, "width": 0, "cut_start": False, "cut_end": False}
    assert journey.window(day, day) == journey.Axis(D(2026, 3, 1), D(2026, 3, 31))


def test_month_ticks_thin_out_on_a_long_window():
    axis = journey.Axis(D(2026, 1, 15), D(2026, 4, 30))
    assert [t["label"] for t in axis.ticks()] == ["Feb 2026", "Mar 2026", "Apr 2026"]
    long = journey.Axis(D(2020, 1, 1), D(2025, 12, 31))  # 72 months: every 6th
    assert [t["label"] for t in long.ticks()][:3] == ["Jan 2020", "Jul 2020", "Jan 2021"]
    assert len(long.ticks()) == journey.MAX_TICKS


# --- the stage journeys --------------------------------------------------------------------------------


@pytest.fixture
def world(demo):
    w = demo
    a, c = w.engagement_a, w.engagement_c
    a.enter_stage(stage("installation"), D(2026, 2, 15))
    a.enter_stage(stage("exploration"), D(2026, 3, 1))
    a.enter_stage(stage("installation"), D(2026, 3, 11))
    c.enter_stage(stage("exploration"), D(2026, 3, 1))
    w.engagement_d = factories.engagement(
        w.unit_b,
        [w.isp_b, w.isp_a2],
        title="Engagement D",
        start=D(2025, 5, 1),
        stage="installation",
        status="closed",
        end_date=AS_OF,  # closed: its days do not grow with the pages' today
        closing_summary="Handed over to the unit.",
    )
    done = list(
        Benchmark.select()
        .where((Benchmark.engagement == a.id) & (Benchmark.stage == stage("exploration").id))
        .order_by(Benchmark.id)
        .limit(3)
    )
    for i, b in enumerate(done):
        b.completed_on = D(2026, 1, 20 + i)
        b.save()
    w.benchmark_texts = [b.text for b in done]
    g1 = factories.goal(a, "Goal one")
    g1.change_status("in_progress", D(2026, 2, 10))
    g2 = factories.goal(a, "Goal two")
    g2.change_status("in_progress", D(2026, 2, 20))
    g2.change_status("achieved", D(2026, 3, 15))
    g4 = factories.goal(a, "Deleted goal")
    g4.change_status("in_progress", D(2026, 3, 1))
    g4.soft_delete()
    return w


def journeys(user, sort="unit", **kw):
    return journey.portfolio_journey(ReportFilters(user=user, **kw), sort, as_of=AS_OF)


def test_rows_sorted_by_unit_or_by_current_stage(world):
    assert [r["title"] for r in journeys(world.admin)["rows"]] == [
        "Engagement A",  # Unit A
        "Engagement B",  # Unit B
        "Engagement D",
        "Engagement C",  # Unit C
    ]
    # Exploration first, then Installation with the longest stay first, not yet staged last.
    assert [r["title"] for r in journeys(world.admin, "stage")["rows"]] == [
        "Engagement C",
        "Engagement D",
        "Engagement A",
        "Engagement B",
    ]
    assert journey.journey_sort("stage") == "stage"
    assert journey.journey_sort("bogus") == journey.journey_sort(None) == "unit"


def test_bands_revisits_long_stays_and_today(world):
    data = journeys(world.admin)
    axis = data["axis"]
    assert (axis["start"], axis["end"], axis["today"]) == (D(2025, 5, 1), D(2026, 4, 30), 94.51)
    a, b, d, _c = data["rows"]
    assert [(v["key"], v["days"], v["revisit"], v["current"]) for v in a["bands"]] == [
        ("exploration", 41, False, False),
        ("installation", 14, False, False),
        ("exploration", 10, True, False),
        ("installation", 30, True, True),
    ]
    first = a["bands"][0]  # 5 Jan 2026 is day 249 of 364; 41 days wide
    assert (first["left"], first["width"]) == (68.41, 11.26)
    assert b["bands"] == [] and b["current_stage"] is None
    assert [(v["name"], v["days"]) for v in d["long_stays"]] == [("Installation", 344)]
    assert d["bands"][0]["long"] and not any(v["long"] for v in a["bands"])
    assert journey.LONG_STAY_DAYS == 180
    assert (a["benchmarks_completed"], a["furthest_stage"]) == (3, "Installation")


def test_date_filters_set_the_window_and_cut_bands(world):
    data = journeys(world.admin, start=D(2026, 2, 1), end=D(2026, 3, 31))
    assert (data["axis"]["start"], data["axis"]["end"], data["axis"]["today"]) == (D(2026, 2, 1), D(2026, 3, 31), None)
    d = next(r for r in data["rows"] if r["title"] == "Engagement D")
    (band,) = d["bands"]
    assert band["cut_start"] and band["cut_end"] and (band["left"], band["width"]) == (0, 100)


def test_scope_follows_the_reader(world):
    assert [r["title"] for r in journeys(world.leader_foundation)["rows"]] == [
        "Engagement A",
        "Engagement B",
        "Engagement D",
    ]
    assert [r["title"] for r in journeys(world.leader_other)["rows"]] == ["Engagement C"]


def test_progress_page_shows_the_journeys(world, as_user):
    html = as_user(world.leader_foundation).get("/reports/progress").get_data(as_text=True)
    assert "Stage journeys" in html
    assert "344 days in Installation" in html  # the long stay, in words beside the engagement
    assert "· revisit</text>" in html  # a revisit band is labelled
    assert 'data-stage="installation"' in html and 'class="today"' in html
    assert 'role="region" aria-label="Stage journeys' in html and 'tabindex="0"' in html
    assert 'id="journey-table"' in html and "journey-views" in html
    assert "Engagement C" not in html
    assert 'href="/reports/progress?journey_sort=stage#journey-h"' in html
    assert ">Unit</a>" in html and 'aria-current="true">Unit</a>' in html
    html = as_user(world.admin).get("/reports/progress?journey_sort=stage").get_data(as_text=True)
    assert 'aria-current="true">Current stage</a>' in html
    c, a, d, b = (html.index(f">Engagement {x}</a>") for x in "CADB")
    assert c < min(a, d) and max(a, d) < b  # Exploration, Installation, not yet staged


def test_many_engagements_are_paged_with_a_count(world, as_user, app):
    app.config["PER_PAGE"] = 2
    html = as_user(world.leader_foundation).get("/reports/progress").get_data(as_text=True)
    assert "Showing 1–2 of 3 engagements." in html
    assert "Show the next 1" in html
    assert 'href="/reports/progress?page=2&amp;journey_sort=unit#journey-h"' in html
    html = as_user(world.leader_foundation).get("/reports/progress?journey_sort=unit&page=2").get_data(as_text=True)
    assert "Showing 3–3 of 3 engagements." in html and ">Engagement D</a>" in html
    assert ">Engagement A</a>" not in html


# --- one engagement's timeline ------------------------------------------------------------------------


def timeline(user, engagement):
    return journey.engagement_timeline(ReportFilters(user=user, engagement=engagement.id), as_of=AS_OF)


def test_timeline_puts_every_kind_of_event_on_one_axis(world):
    t = timeline(world.admin, world.engagement_a)
    assert (t["axis"]["start"], t["axis"]["end"]) == (D(2026, 1, 1), D(2026, 4, 30))
    assert [b["key"] for b in t["bands"]] == ["exploration", "installation", "exploration", "installation"]
    assert [(p["on"], len(p["items"])) for p in t["benchmarks"]] == [(D(2026, 1, 20 + i), 1) for i in range(3)]
    assert [(g["on"], g["goal"], g["status_label"]) for g in t["goals"]] == [
        (D(2026, 2, 10), "Goal one", "In progress"),
        (D(2026, 2, 20), "Goal two", "In progress"),
        (D(2026, 3, 15), "Goal two", "Achieved"),
    ]  # the deleted goal's change is not shown
    assert t["feedback"] == []
    assert [e["on"] for e in t["events"]] == sorted(e["on"] for e in t["events"])
    assert [e["kind"] for e in t["events"]][:2] == ["stage", "benchmark"]
    assert timeline(world.leader_other, world.engagement_a) is None


def test_feedback_points_only_where_the_feedback_report_shows_a_score(world):
    a = world.engagement_a
    respond(a, {**full(aim=4), "aim_4": 5}, on=D(2026, 2, 10))  # a survey's AIM: (4 + 4 + 4 + 5) / 4 = 4.25
    respond(a, full(aim=3), on=D(2026, 2, 11))
    assert timeline(world.admin, a)["feedback"] == []  # two responses: nothing released, nothing shown
    respond(a, full(aim=5), on=D(2026, 2, 12))
    (point,) = timeline(world.admin, a)["feedback"]
    assert (point["label"], point["on"]) == ("2026 Q1", D(2026, 3, 31))
    assert point["scores"] == [{"name": "Acceptability (AIM)", "mean": 4.08, "n": 3}]  # (4.25 + 3 + 5) / 3


def test_engagement_report_shows_the_timeline(world, as_user):
    a = world.engagement_a
    for n, on in enumerate((D(2026, 2, 10), D(2026, 2, 11), D(2026, 2, 12))):
        respond(a, full(aim=3 + n % 2), on=on)
    html = as_user(world.recipient_a).get(f"/reports/engagements/{a.id}").get_data(as_text=True)
    assert '<h2 id="r-timeline-h">Timeline</h2>' in html
    assert 'aria-label="Goal status changes: ' in html and "Goal two: Achieved" in html
    assert world.benchmark_texts[0] in html
    assert "Feedback, 2026 Q1" in html and "Acceptability (AIM) 3.33 (3 responses)" in html
    assert "Deleted goal" not in html
    assert 'id="r-timeline-table"' in html and "r-timeline-views" in html


def test_engagement_report_hides_feedback_below_the_minimum(world, as_user):
    a = world.engagement_a
    respond(a, {"aim_1": 1}, on=D(2026, 2, 10))
    respond(a, {"aim_1": 2}, on=D(2026, 2, 11))
    html = as_user(world.recipient_a).get(f"/reports/engagements/{a.id}").get_data(as_text=True)
    assert "Feedback, " not in html and "Acceptability (AIM) 1" not in html
    assert "Feedback scores: none released in this period" in html


def test_an_engagement_with_nothing_yet_says_so(world, as_user):
    b = world.engagement_b
    html = as_user(world.recipient_b).get(f"/reports/engagements/{b.id}").get_data(as_text=True)
    assert "Nothing to show on a timeline yet." in html


def test_progress_page_of_one_engagement_shows_its_timeline(world, as_user):
    a = world.engagement_a
    html = as_user(world.leader_foundation).get(f"/reports/progress?engagement_id={a.id}").get_data(as_text=True)
    assert '<h2 id="timeline-h">Timeline</h2>' in html and 'id="timeline-table"' in html
    assert html.count("revisit</span>") == 2  # the table names both revisits
    # the table's own CSV: every event the table lists (exports "timeline"), for this engagement
    assert f"/reports/timeline.csv?engagement_id={a.id}" in html


def test_the_window_leaves_room_after_a_date_at_the_end_of_a_month():
    assert journey.window(D(2026, 1, 5), D(2026, 11, 30)) == journey.Axis(D(2026, 1, 1), D(2026, 12, 31))
    assert journey.window(D(2026, 1, 5), D(2026, 11, 23)) == journey.Axis(D(2026, 1, 1), D(2026, 11, 30))


# --- pulse items beside progress ------------------------------------------------------------------------


def _pulses(a):
    """Pulse answers in three months (each pulse asks aim_1 and fim_1; a release needs three answers):
    - January, 5-7 Jan: aim_1 4, 5, 3 and fim_1 3, 3, 4 -> both released on 7 Jan:
      aim_1 (4 + 5 + 3) / 3 = 4.00, fim_1 (3 + 3 + 4) / 3 = 3.33 (n = 3 each).
    - February, 10-11 Feb: aim_1 2, 2 and fim_1 2, 2 -> two pending answers each: nothing released,
      February shows no point.
    - March, 2 Mar: aim_1 5 only -> three aim_1 answers pending (2, 2, 5): released on 2 Mar, in March:
      (2 + 2 + 5) / 3 = 3.00; fim_1 still has two pending: no March point for it."""
    for day, aim, fim in ((5, 4, 3), (6, 5, 3), (7, 3, 4)):
        respond(a, {"aim_1": aim, "fim_1": fim}, on=D(2026, 1, day), kind="pulse")
    for day in (10, 11):
        respond(a, {"aim_1": 2, "fim_1": 2}, on=D(2026, 2, day), kind="pulse")
    respond(a, {"aim_1": 5}, on=D(2026, 3, 2), kind="pulse")


def test_pulse_items_month_by_month_on_the_timeline_axis(world):
    a = world.engagement_a
    _pulses(a)
    t = timeline(world.admin, a)
    # The window is that of the stages and goals: 1 Jan to 30 Apr 2026, 119 days. A month's point sits at
    # its end: 31 Jan is day 30 -> 100 * 30 / 119 = 25.21 %; 31 Mar is day 89 -> 74.79 %.
    assert (t["axis"]["start"], t["axis"]["end"]) == (D(2026, 1, 1), D(2026, 4, 30))
    rows = {r["key"]: r for r in t["pulse"]}
    assert set(rows) == {"aim_1", "fim_1"}
    assert [(p["label"], p["on"], p["left"], p["mean"], p["n"]) for p in rows["aim_1"]["points"]] == [
        ("Jan 2026", D(2026, 1, 31), 25.21, 4.0, 3),
        ("Mar 2026", D(2026, 3, 31), 74.79, 3.0, 3),
    ]  # February: two answers, below the release size: not shown
    assert [(p["label"], p["mean"]) for p in rows["fim_1"]["points"]] == [("Jan 2026", 3.33)]
    pulse_events = [e["pulse"] for e in t["events"] if e["kind"] == "pulse"]
    assert [(p["label"], [(i["mean"], i["n"]) for i in p["items"]]) for p in pulse_events] == [
        ("Jan 2026", [(4.0, 3), (3.33, 3)]),
        ("Mar 2026", [(3.0, 3)]),
    ]
    assert t["feedback"] == []  # pulse answers are never scale scores


def test_engagement_report_shows_pulse_items_in_the_chart_and_the_table(world, as_user):
    a = world.engagement_a
    _pulses(a)
    html = as_user(world.recipient_a).get(f"/reports/engagements/{a.id}").get_data(as_text=True)
    assert html.count('class="point point-pulse"') == 3  # aim_1 in January and March, fim_1 in January
    assert "Pulse items, Jan 2026" in html and "Pulse items, Mar 2026" in html
    assert "Pulse items, Feb 2026" not in html
    assert "4.00 (3 answers)" in html and "3.33 (3 answers)" in html
