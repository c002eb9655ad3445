"""generate-data: a deterministic synthetic portfolio proportional to --scale (issue 8)."""

import datetime as dt
from collections import Counter

from tracker.models import (
    Engagement,
    FeedbackResponse,
    Goal,
    GoalStatusChange,
    Meeting,
    MeetingCompetency,
    MeetingStrategy,
    StageEntry,
    Unit,
)
from tracker.tools.generate import ANCHOR, BIG_ENGAGEMENT_MEETINGS, counts_for, digest

from .conftest import make_app

SCALE = "0.05"


def _generate(app, scale=SCALE, seed=None):
    args = ["generate-data", "--scale", scale] + (["--seed", str(seed)] if seed is not None else [])
    return app.test_cli_runner().invoke(args=args)


def test_generates_the_proportions(app):
    result = _generate(app)
    assert result.exit_code == 0, result.output
    assert "Generated the synthetic portfolio at scale 0.05" in result.output
    want = counts_for(0.05)
    assert want["engagements"] == 10 and want["units"] == 2 and want["meetings"] == 200
    assert Engagement.select().count() == 10
    assert Unit.select().count() == 2
    assert Meeting.select().count() == 200
    assert MeetingCompetency.select().count() == 1500
    assert MeetingStrategy.select().count() == 1250
    assert FeedbackResponse.select().count() == 100
    assert Goal.select().count() == 40
    assert GoalStatusChange.select().count() >= 2 * 40  # every goal has a history
    per_engagement = Counter(m.engagement_id for m in Meeting.select(Meeting.engagement))
    first = Engagement.select().order_by(Engagement.id).first()
    assert per_engagement[first.id] == BIG_ENGAGEMENT_MEETINGS  # the benchmark's engagement page
    assert sum(per_engagement.values()) == 200
    # tags per meeting stay close to the mean (7.5 competencies, 6.25 strategies)
    tags = Counter(t.meeting_id for t in MeetingCompetency.select(MeetingCompetency.meeting))
    assert set(tags.values()) <= {7, 8}
    # every engagement is in some unit, and both units are used
    assert {e.unit_id for e in Engagement.select()} == {u.id for u in Unit.select()}


def test_some_engagements_stall_and_some_revisit_a_stage(app):
    result = _generate(app, scale="0.5")
    assert result.exit_code == 0, result.output
    statuses = Counter(e.status for e in Engagement.select())
    assert statuses["paused"] > 0 and statuses["active"] > 0 and statuses["closed"] > 0
    # a stalled engagement: paused, and no meeting in the last 80 days

    for e in Engagement.select().where(Engagement.status == "paused"):
        last = Meeting.select().where(Meeting.engagement == e).order_by(Meeting.date.desc()).first()
        assert last is None or last.date < ANCHOR - dt.timedelta(days=80)
    revisits = 0
    for e in Engagement.select():
        stages = [
            s.stage_id
            for s in StageEntry.select()
            .where(StageEntry.engagement == e)
            .order_by(StageEntry.entered_on, StageEntry.id)
        ]
        if len(stages) != len(set(stages)):
            revisits += 1
            assert e.current_stage_id == stages[-1]
    assert revisits > 0


def test_same_data_twice(app, tmp_path):
    one = make_app(f"sqlite:///{tmp_path / 'one.sqlite3'}")  # SQLite for all three, whatever the suite runs on
    assert _generate(one).exit_code == 0
    first = digest()
    other = make_app(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    assert _generate(other).exit_code == 0
    assert digest() == first
    # another seed gives other data
    third = make_app(f"sqlite:///{tmp_path / 'third.sqlite3'}")
    assert _generate(third, seed=99).exit_code == 0
    assert digest() != first


def test_refuses_a_database_with_data(app, demo):
    before = Engagement.select().count()
    result = _generate(app)
    assert result.exit_code != 0
    assert "generate-data only fills a fresh database" in result.output
    assert Engagement.select().count() == before


def test_refuses_a_bad_scale(app):
    result = _generate(app, scale="0")
    assert result.exit_code != 0
    assert "The scale must be more than 0." in result.output
    assert Engagement.select().count() == 0


def test_engagements_get_readable_ids_as_the_app_gives_them(app):
    assert _generate(app).exit_code == 0
    engagements = list(Engagement.select().order_by(Engagement.created_at, Engagement.id))
    # numbered within the year each was created, in order of creation: ENG-<year>-001, -002, ...
    seen = Counter()
    for e in engagements:
        seen[e.created_at.year] += 1
        assert e.ref == f"ENG-{e.created_at.year}-{seen[e.created_at.year]:03d}", e.id
    assert len({e.ref for e in engagements}) == 10
