"""Issue 21: the report rollups (tracker/rollups.py) kept on write.

- A property test: random sequences of writes, edits, deletes, restores and imports (meetings, their strategy
  and competency links, stage entries, engagements soft-deleted and restored, a portfolio import that changes
  meetings) leave every rollup row equal to the same aggregate computed from the raw rows, on SQLite and
  PostgreSQL (the suite runs on both).
- The reports read through the rollups give what the raw queries give, for the reader and filters the rollups
  answer; the others (an ISP's view, a part-month range, a unit) still read the raw rows.
- `rebuild-rollups` and generate-data leave them equal too.
- The released feedback scores (rollup_feedback_score) likewise: responses released, answers changed or
  deleted, responses deleted or turned into pulses, releases moved to another day, items moved between scales.
"""

import csv
import datetime as dt

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tracker import rollups
from tracker.db import database, is_sqlite
from tracker.models import (
    MEETING_KINDS,
    MEETING_MODES,
    Competency,
    CompetencyDomain,
    Engagement,
    FeedbackAnswer,
    FeedbackItem,
    FeedbackRelease,
    FeedbackResponse,
    Meeting,
    MeetingAttendee,
    MeetingCompetency,
    MeetingStrategy,
    SchemaVersion,
    Stage,
    StageEntry,
    Strategy,
    StrategyCluster,
    User,
    keys,
    utcnow,
)
from tracker.portfolio import export_portfolio, import_portfolio
from tracker.reports import cache as report_cache
from tracker.reports import competencies as competency_reports
from tracker.reports import feedback as feedback_reports
from tracker.reports import portfolio as portfolio_reports
from tracker.reports import strategies as strategy_reports
from tracker.reports.filters import ReportFilters
from tracker.schema import migrate

from . import factories
from .feedback_helpers import items, respond
from .portfolio_helpers import edit_cell

START = dt.date(2025, 11, 3)
KINDS, MODES = keys(MEETING_KINDS), keys(MEETING_MODES)
STATES = ["draft", "submitted", "returned", "approved"]
STAGES = ["exploration", "installation", "initial_implementation"]
KEY = "dim, tag, item, month, kind, mode, stage, approved"
FIGURES = KEY + ", sessions, minutes, exact"

OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "log",
                "log",
                "log",
                "edit",
                "retag",
                "soft_delete",
                "restore",
                "delete",
                "stage",
                "unstage",
                "drop_engagement",
                "restore_engagement",
                "import",
                "attend",
                "new_competency",
                "recluster",
                "respond",
                "respond",
                "answer",
                "unrespond",
                "redate",
                "rescale",
            ]
        ),  # fmt: skip
        st.integers(0, 10_000),  # which row, date, kind...: read modulo what there is
        st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=8,
)
SETTINGS = settings(
    max_examples=15,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: a failure prints its operations
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def kept():
    """The rollup rows as kept by the triggers: {key: (sessions, minutes, exact)}, empty rows left out."""
    rows = database.execute_sql(f"SELECT {FIGURES} FROM rollup").fetchall()  # nosec B608 # constant columns
    return Rows({r[:8]: (r[8], float(r[9]), r[10]) for r in rows if r[8] or abs(r[9]) > 1e-6 or r[10]})


def from_raw():
    """The same aggregates computed now from the raw rows (meetings, links, stage entries, engagements)."""
    everything = lambda column: "1 = 1"  # noqa: E731
    parts = rollups._parts(everything, rollups.DIMS) + " UNION ALL " + rollups._between(everything)
    rows = database.execute_sql(
        f"SELECT {KEY}, SUM(sessions), SUM(minutes), SUM(exact) FROM ({parts}) p GROUP BY {KEY}"  # nosec B608
    ).fetchall()
    return Rows({r[:8]: (r[8], float(r[9]), r[10]) for r in rows if r[8]})


def kept_scores():
    """The released feedback scores as kept by the triggers: {released id: (engagement, day, scale, score)}."""
    rows = database.execute_sql(
        "SELECT released_id, engagement_id, released_on, scale, score FROM rollup_feedback_score"
    )
    return _scores(rows.fetchall())


def scores_from_raw():
    """The same computed now from the raw rows (reports/feedback.py score_rows)."""
    sql, params = feedback_reports.score_rows().sql()
    return _scores(database.execute_sql(sql, params).fetchall())


def _scores(rows):
    return {r[0]: (r[1], str(r[2])[:10], r[3], round(float(r[4]), 9)) for r in rows}


class Rows(dict):
    """Rollup rows {key: (sessions, minutes, exact)}: equal when the keys, sessions and exact counts are, and the
    minutes (sums of shares such as 40/3, added and subtracted in another order) within a millionth."""

    def __eq__(self, other):
        return set(self) == set(other) and all(
            self[k][0] == other[k][0] and self[k][2] == other[k][2] and abs(self[k][1] - other[k][1]) < 1e-6
            for k in self
        )

    __hash__ = None


def _world():
    unit = factories.unit()
    engagements = [factories.engagement(unit, start=START) for _ in range(2)]
    engagements[0].enter_stage(Stage.get(Stage.key == "exploration"), START)
    return engagements


def _pick(rows, n):
    return rows[n % len(rows)] if rows else None


def _day(n):
    return START + dt.timedelta(days=n % 380)


def _links(meeting, n):
    """Replace a meeting's links as the meeting form does (delete, then insert_many), with a recorded dose on
    some strategies."""
    competencies = list(Competency.select().order_by(Competency.id))
    strategies = list(Strategy.select().order_by(Strategy.id))
    MeetingCompetency.delete().where(MeetingCompetency.meeting == meeting.id).execute()
    MeetingStrategy.delete().where(MeetingStrategy.meeting == meeting.id).execute()
    chosen_c = {competencies[(n * k) % len(competencies)] for k in range(1, 2 + n % 4)}
    chosen_s = {strategies[(n * k + 3) % len(strategies)] for k in range(1, 2 + n % 3)}
    if chosen_c:
        MeetingCompetency.insert_many(
            [{"meeting": meeting.id, "competency": c.id, "label": c.name[:200]} for c in chosen_c]
        ).execute()
    MeetingStrategy.insert_many(
        [
            {
                "meeting": meeting.id,
                "strategy": s.id,
                "label": s.name[:200],
                "minutes": (5 if i == 0 and n % 2 else None),
            }
            for i, s in enumerate(sorted(chosen_s, key=lambda s: s.id))
        ]
    ).execute()


def _apply(op, a, b, engagements, folder):
    meetings = list(Meeting.select().order_by(Meeting.id))
    isps = list(User.select().where(User.role == "isp").order_by(User.id))
    if op == "log":
        m = Meeting.create(
            engagement=_pick(engagements, a),
            date=_day(b),
            kind=KINDS[a % len(KINDS)],
            mode=MODES[b % len(MODES)],
            duration_minutes=15 + b % 120,
            review_state=STATES[a % len(STATES)],
        )
        _links(m, a + b)
    elif op == "edit" and meetings:
        m = _pick(meetings, a)
        m.date, m.kind, m.duration_minutes = _day(b), KINDS[b % len(KINDS)], 10 + a % 200
        m.review_state = STATES[b % len(STATES)]
        m.save()
    elif op == "retag" and meetings:
        _links(_pick(meetings, a), b)
    elif op == "attend" and meetings:  # an ISP added to or taken off the attendees, or made the one who logged it
        m = _pick(meetings, a)
        isp = _pick(isps, b)
        if b % 3 == 0:
            Meeting.update(logged_by=isp).where(Meeting.id == m.id).execute()
        elif MeetingAttendee.select().where((MeetingAttendee.meeting == m.id) & (MeetingAttendee.user == isp)).exists():
            MeetingAttendee.delete().where((MeetingAttendee.meeting == m.id) & (MeetingAttendee.user == isp)).execute()
        else:
            MeetingAttendee.create(meeting=m, user=isp)
    elif op == "soft_delete" and meetings:  # as Meeting.soft_delete() writes it (which refuses approved logs)
        Meeting.update(deleted_at=utcnow()).where(Meeting.id == _pick(meetings, a).id).execute()
    elif op == "restore" and meetings:
        Meeting.update(deleted_at=None).where(Meeting.id == _pick(meetings, a).id).execute()
    elif op == "delete" and meetings:
        Meeting.delete().where(Meeting.id == _pick(meetings, a).id).execute()  # links go by ON DELETE CASCADE
    elif op == "stage":
        _pick(engagements, a).enter_stage(Stage.get(Stage.key == STAGES[b % len(STAGES)]), _day(b))
    elif op == "unstage":
        entry = _pick(list(StageEntry.select().order_by(StageEntry.id)), a)
        if entry is not None:
            StageEntry.delete().where(StageEntry.id == entry.id).execute()
    elif op == "drop_engagement":
        Engagement.update(deleted_at=utcnow()).where(Engagement.id == _pick(engagements, a).id).execute()
    elif op == "restore_engagement":
        Engagement.update(deleted_at=None).where(Engagement.id.in_([e.id for e in engagements])).execute()
    elif op == "recluster":  # an administrator moves a strategy to another cluster (the catalog page)
        strategy = _pick(list(Strategy.select().order_by(Strategy.id)), a)
        cluster = _pick(list(StrategyCluster.select().order_by(StrategyCluster.id)), b)
        Strategy.update(cluster=cluster).where(Strategy.id == strategy.id).execute()
    elif op == "new_competency":  # an administrator adds one to the catalog: meetings may record it at once
        domain = _pick(list(CompetencyDomain.select().order_by(CompetencyDomain.id)), a)
        if not Competency.select().where(Competency.key == f"added-{a}").exists():
            Competency.create(domain=domain, key=f"added-{a}", name=f"Added competency {a}", position=99)
    elif op == "respond":  # three surveys scoring one scale (so released) and one that does not: two items, or a pulse
        scale = _pick(sorted({i.scale for i in items().values() if i.scale}), b)
        keys = sorted(k for k, i in items().items() if i.scale == scale)
        for n in range(4):
            answered = keys[: 2 if n == a % 4 else 3 + (a + n) % 2]
            kind = "pulse" if n == a % 4 and b % 2 else "survey"
            respond(
                _pick(engagements, a), {k: 1 + (b + n + i) % 5 for i, k in enumerate(answered)}, on=_day(b), kind=kind
            )
    elif op == "answer":  # an answer deleted or given another value
        answer = _pick(list(FeedbackAnswer.select().order_by(FeedbackAnswer.id)), a)
        if answer is not None and b % 2:
            FeedbackAnswer.delete().where(FeedbackAnswer.id == answer.id).execute()
        elif answer is not None:
            FeedbackAnswer.update(value=1 + b % 5).where(FeedbackAnswer.id == answer.id).execute()
    elif op == "unrespond":  # a response deleted (its answers and release memberships go with it), or made a pulse
        response = _pick(list(FeedbackResponse.select().order_by(FeedbackResponse.id)), a)
        if response is not None and b % 2:
            FeedbackResponse.delete().where(FeedbackResponse.id == response.id).execute()
        elif response is not None:
            kind = "survey" if response.kind == "pulse" else "pulse"
            FeedbackResponse.update(kind=kind).where(FeedbackResponse.id == response.id).execute()
    elif op == "redate":  # a release moved to another day
        release = _pick(list(FeedbackRelease.select().order_by(FeedbackRelease.id)), a)
        if release is not None:
            FeedbackRelease.update(released_on=_day(b)).where(FeedbackRelease.id == release.id).execute()
    elif op == "rescale":  # an item moved to another scale, or out of every scale: how many items make a full score
        item = _pick(list(FeedbackItem.select().where(FeedbackItem.kind == "likert").order_by(FeedbackItem.id)), a)
        scales = sorted({i.scale for i in FeedbackItem.select() if i.scale}) + [None]
        FeedbackItem.update(scale=_pick(scales, b)).where(FeedbackItem.id == item.id).execute()
    elif op == "import" and meetings:
        # the portfolio exported, one meeting's minutes and date changed in the CSV, imported back: the import
        # updates that meeting (the ids the export wrote find it)
        target = folder / f"portfolio-{a}-{b}"
        export_portfolio(target)
        with open(target / "meetings.csv", encoding="utf-8", newline="") as handle:
            rows = len(list(csv.reader(handle))) - 1  # the header
        if rows:
            edit_cell(target, "meetings", 2 + a % rows, "duration_minutes", str(20 + b % 90))
            edit_cell(target, "meetings", 2 + a % rows, "date", _day(a + b).isoformat())
        import_portfolio(target, dry_run=False, name="changed")


@SETTINGS
@given(ops=OPS)
def test_any_sequence_of_writes_leaves_the_rollups_equal_to_the_raw_aggregates(app, tmp_path, ops):
    engagements = _world()
    for op, a, b in ops:
        _apply(op, a, b, engagements, tmp_path)
        assert kept() == from_raw(), (op, a, b)
        assert kept_scores() == scores_from_raw(), (op, a, b)


def test_rebuild_gives_what_the_triggers_kept_and_the_command_says_so(app, tmp_path):
    engagements = _world()
    for i in range(6):
        _apply("log", i, 7 * i, engagements, tmp_path)
    before = kept()
    assert before and before == from_raw()
    database.execute_sql("DELETE FROM rollup")
    assert kept() == {}
    result = app.test_cli_runner().invoke(args=["rebuild-rollups"])
    assert result.exit_code == 0, result.output
    assert "Report rollups rebuilt:" in result.output
    assert kept() == before


def test_a_block_written_without_the_triggers_is_rebuilt_after_it(app, tmp_path):
    engagements = _world()
    with rollups.bulk_load():
        for i in range(4):
            _apply("log", i, 11 * i, engagements, tmp_path)
        assert kept() == {}  # nothing kept while the triggers are off
    assert kept() == from_raw() != {}
    _apply("log", 9, 9, engagements, tmp_path)  # the triggers are back
    assert kept() == from_raw()


def test_each_refresh_is_written_once_in_the_schema(app):
    """The refresh of each watched table (and of `between`) is stored once: on SQLite in the INSTEAD OF trigger of
    its queue view, which the tables' row triggers insert the changed keys into (SQLite parses every trigger of
    the schema on each new connection); on PostgreSQL in its refresh function, which the statement triggers call."""
    if is_sqlite():
        bodies = database.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    else:
        routines = "SELECT proname, prosrc FROM pg_proc WHERE starts_with(proname, 'rollup_')"
        bodies = database.execute_sql(routines).fetchall()
    refreshes = ("INSERT INTO rollup_part", "INSERT INTO rollup_feedback_score")
    refreshing = sorted(name for name, body in bodies if any(refresh in body for refresh in refreshes))
    assert refreshing == sorted(f"rollup_refresh_{t}" for t in [*(w[0] for w in rollups._watched()), "between"])


def test_migrating_a_database_whose_rollup_triggers_are_older_installs_them_again(app, tmp_path):
    """A database at version 31 (the rollup triggers of that version, no kept feedback scores) with meetings and
    released feedback: migrating installs this version's triggers and fills the scores from the rows there."""
    engagements = _world()
    _apply("log", 1, 3, engagements, tmp_path)
    _apply("respond", 1, 4, engagements, tmp_path)
    rollups.uninstall()
    database.execute_sql("DROP TABLE rollup_feedback_score")
    SchemaVersion.delete().where(SchemaVersion.version >= 32).execute()
    assert migrate() == [32, 33]
    assert kept_scores() == scores_from_raw() != {}
    for i in range(3):
        _apply("log", i, 5 * i, engagements, tmp_path)
        _apply("stage", i, 9 * i, engagements, tmp_path)
        _apply("respond", i, 3 * i, engagements, tmp_path)
    assert kept() == from_raw() != {}
    assert kept_scores() == scores_from_raw()


# --- the reports read through the rollups ------------------------------------------------------------------


def _raw(report, filters):
    """The report computed from the raw rows (the rollups switched off for this call)."""
    report_cache.clear()
    original = ReportFilters.rollup_condition
    ReportFilters.rollup_condition = lambda self, keyed=(), by_month=True: None
    try:
        return report(filters)
    finally:
        ReportFilters.rollup_condition = original
        report_cache.clear()


REPORTS = [
    strategy_reports.strategies_used,
    strategy_reports.dose,
    strategy_reports.dose_by_stage_and_cluster,
    strategy_reports.between_monthly,
    portfolio_reports.hours,
    competency_reports.competencies_used,
    competency_reports.over_time,
    competency_reports.by_isp,
    lambda filters: competency_reports.by_isp(filters, page=2, per_page=2),  # a page of the ISPs
]


def test_the_reports_read_from_the_rollups_equal_the_raw_queries(seeded_demo):
    admin = factories.user("admin")
    isp = factories.user("isp")
    stage = Stage.select().order_by(Stage.position).first().key
    cases = [
        {},
        {"kind": "monthly"},
        {"stage": stage},
        {"start": dt.date(2026, 2, 1), "end": dt.date(2026, 6, 30)},
        {"logs": "approved"},
        {"framework": "isp_practice_profile_2020"},
    ]
    for values in cases:
        filters = ReportFilters(user=admin, **values)
        for report in REPORTS:
            report_cache.clear()
            assert report(filters) == _raw(report, filters), (report, values)
    whole = ReportFilters(user=admin)  # the demo's figures are not empty: the equalities above compare something
    assert strategy_reports.strategies_used(whole)["strategies"] and strategy_reports.dose(whole)["by_stage"]
    assert [d["intervals"] for d in strategy_reports.between_monthly(whole)["distribution"]][1:] != [0, 0, 0]
    assert any(any(isp["counts"].values()) for isp in competency_reports.by_isp(whole)["isps"])
    assert any(c["approximate"] for c in competency_reports.competencies_used(whole)["competencies"])
    # who and what the rollups cannot answer reads the raw rows
    assert ReportFilters(user=admin).rollup_condition() is not None
    assert ReportFilters(user=isp).rollup_condition() is None
    assert ReportFilters(user=admin, isp=isp.id).rollup_condition() is None
    assert ReportFilters(user=admin, unit=1).rollup_condition() is None
    assert ReportFilters(user=admin, start=dt.date(2026, 2, 2)).rollup_condition() is None
    assert ReportFilters(user=admin, end=dt.date(2026, 2, 27)).rollup_condition() is None
    assert ReportFilters(user=admin, kind="monthly").rollup_condition() is None
    assert ReportFilters(user=admin, kind="monthly").rollup_condition(keyed=("kind",)) is not None
    assert ReportFilters(user=admin, start=dt.date(2026, 2, 1)).rollup_condition(by_month=False) is None
