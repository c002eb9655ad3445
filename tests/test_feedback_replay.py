"""FeedbackRelease.replay, set-based (issue 21: it was ~60% of generate-data's time): the releases it makes
are those release_due makes when called day by day in submission order, engagement by engagement (what
replay was written as, and what the portfolio import and the migration rely on), in fewer queries."""

import datetime as dt
import json

from playhouse.test_utils import count_queries

from tracker.db import database
from tracker.models import Engagement, FeedbackAnswer, FeedbackRelease, FeedbackReleased, FeedbackResponse
from tracker.models.base import utcnow
from tracker.models.feedback import RELEASE_COMMENTS, RELEASE_ITEM, RELEASE_RESPONSES
from tracker.tools.generate import generate

from .feedback_helpers import full, items


def _releases():
    """Every release in the order made: (engagement, subject, day, size, its responses in the order added)."""
    members = {}
    query = FeedbackReleased.select(FeedbackReleased.release, FeedbackReleased.response)
    for release, response in query.order_by(FeedbackReleased.id).tuples():
        members.setdefault(release, []).append(response)
    return [
        (r.engagement_id, r.subject, r.released_on, r.size, members[r.id])
        for r in FeedbackRelease.select().order_by(FeedbackRelease.id)
    ]


def _day_by_day(engagement_ids):
    """Replay as release_due, one engagement and one day at a time (four queries a day)."""
    days = (
        FeedbackResponse.select(FeedbackResponse.engagement, FeedbackResponse.submitted_on)
        .where(FeedbackResponse.deleted_at.is_null() & FeedbackResponse.engagement.in_(engagement_ids))
        .distinct()
        .tuples()
    )
    for engagement_id, day in sorted(set(days)):
        FeedbackRelease.release_due(engagement_id, day)


def _response(engagement, on, answers, kind="survey", comments=None):
    by_key = items()
    response = FeedbackResponse.create(
        engagement=engagement,
        instrument=next(iter(by_key.values())).instrument,
        kind=kind,
        submitted_on=on,
        comments=json.dumps(comments or {}),
    )
    for key, value in answers.items():
        FeedbackAnswer.create(response=response, item=by_key[key], value=value)
    return response


def _world():
    """A generated portfolio (surveys and pulses), its releases cleared, with what generate-data does not
    write: open comments, deleted responses, responses stored out of date order, releases made before."""
    generate(0.05, batch=4)
    FeedbackReleased.delete().execute()
    FeedbackRelease.delete().execute()
    engagements = [e.id for e in Engagement.select(Engagement.id).order_by(Engagement.id)]
    first = (
        FeedbackResponse.select(FeedbackResponse.engagement, FeedbackResponse.submitted_on)
        .order_by(FeedbackResponse.submitted_on, FeedbackResponse.id)
        .first()
    )
    late = first.submitted_on - dt.timedelta(days=3)  # stored last, submitted before every other response
    for i in range(4):
        _response(first.engagement_id, late, full(aim=4), comments={"strengths": f"Clear plans {i}" if i else ""})
    pulse = [k for k in items() if k.startswith("fim_")][:1]
    for i in range(2):
        _response(first.engagement_id, late + dt.timedelta(days=i), dict.fromkeys(pulse, 3), kind="pulse")
    deleted = FeedbackResponse.select().order_by(FeedbackResponse.id)[::7]
    FeedbackResponse.update(deleted_at=utcnow()).where(FeedbackResponse.id.in_([r.id for r in deleted])).execute()
    FeedbackRelease.release_due(first.engagement_id, late)  # released before the replay: left as they are
    return engagements


def test_replay_makes_the_releases_release_due_makes_day_by_day(app):
    engagements = _world()
    before = _releases()
    assert before and {s for _, s, *_ in before} >= {RELEASE_RESPONSES, "aim"}
    with database.atomic() as txn:
        FeedbackRelease.replay()
        replayed = _releases()
        txn.rollback()
    assert _releases() == before
    _day_by_day(engagements)
    assert replayed == _releases()
    subjects = {s for _, s, *_ in replayed}
    assert {RELEASE_RESPONSES, RELEASE_COMMENTS, "aim"} <= subjects
    assert any(s.startswith(RELEASE_ITEM) for s in subjects)  # pulses' items
    assert len(replayed) > len(before)
    # a second replay finds nothing left to release of three or more
    FeedbackRelease.replay()
    assert _releases() == replayed


def test_replay_of_some_engagements_releases_theirs_only_in_queries_that_do_not_grow_with_days(app):
    engagements = _world()
    some = engagements[: len(engagements) // 2]
    before = _releases()
    with database.atomic() as txn:
        _day_by_day(some)
        wanted = _releases()
        txn.rollback()
    with count_queries() as counter:
        FeedbackRelease.replay(some)
    assert _releases() == wanted
    assert len(wanted) > len(before)
    assert [r for r in wanted if r[0] not in some] == [r for r in before if r[0] not in some]
    days = FeedbackResponse.select(FeedbackResponse.engagement, FeedbackResponse.submitted_on).distinct().count()
    assert days > 20
    # responses, scale sizes, answers, released, the max id, the releases' inserts, their ids and the
    # members' inserts: a handful per 500 engagements, not four a day
    assert counter.count <= 10
