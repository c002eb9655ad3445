"""The review of logs (issue 23): the states and moves of tracker/models/review.py, who may make each move
(policy.can_move_log), the lock on approved logs, and the organization's settings that steer them."""

import datetime as dt

import pytest

from tracker import policy
from tracker.models import Activity, AuditEntry, Conflict, Meeting, Setting, ValidationError
from tracker.services.activities import log_activities, update_activity
from tracker.services.meetings import log_meeting, update_meeting
from tracker.services.review import move_log

from . import factories

DAY = dt.date(2026, 2, 3)


def _meeting(world, by, **kwargs):
    return factories.meeting(world.engagement_a, date=DAY, logged_by=by.id, **kwargs)


def test_a_new_log_is_submitted_and_stamped_and_a_draft_is_not(app):
    w = factories.small_world()
    submitted = _meeting(w, w.isp_a1)
    draft = _meeting(w, w.isp_a1, review_state="draft")
    assert submitted.review_state == "submitted" and submitted.submitted_at is not None
    assert draft.review_state == "draft" and draft.submitted_at is None
    data = {"date": DAY, "kind": "monthly", "mode": "virtual", "duration_minutes": 60}
    assert log_meeting(w.engagement_a, data, w.isp_a1, draft=True).review_state == "draft"
    assert log_meeting(w.engagement_a, data, w.isp_a1).review_state == "submitted"


def test_the_review_cycle_keeps_the_first_submission_and_the_notes(app):
    w = factories.small_world()
    log = _meeting(w, w.isp_a1, review_state="draft")
    move_log(log, "submit", w.isp_a1)
    first = log.submitted_at
    assert first is not None
    with pytest.raises(ValidationError) as refused:
        move_log(log, "return", w.isp_a2, note="  ")
    assert refused.value.errors == {"note": "Say what the author should change."}
    assert Meeting.get_by_id(log.id).review_state == "submitted"  # nothing saved
    move_log(log, "return", w.isp_a2, note="Add the next steps.")
    assert (log.review_state, log.review_note, log.reviewed_by_id) == ("returned", "Add the next steps.", w.isp_a2.id)
    move_log(log, "submit", w.isp_a1)
    assert log.submitted_at == first  # on time is judged on the first submission
    assert log.review_note == ""
    move_log(log, "approve", w.isp_a2)
    stored = Meeting.get_by_id(log.id)
    assert (stored.review_state, stored.reviewed_by_id) == ("approved", w.isp_a2.id)
    with pytest.raises(ValidationError):
        move_log(stored, "approve", w.isp_a2)  # approve starts from submitted only
    states = [
        e.change_map["review_state"][1]
        for e in AuditEntry.select().where((AuditEntry.entity == "Meeting") & (AuditEntry.entity_id == log.id))
        if "review_state" in e.change_map and e.action == "update"
    ]
    assert states == ["submitted", "returned", "submitted", "approved"]


def test_an_approved_log_is_locked_until_an_admin_reopens_it_with_a_reason(app):
    w = factories.small_world()
    log = _meeting(w, w.isp_a1)
    move_log(log, "approve", w.isp_a2)
    data = {"date": DAY, "kind": "monthly", "mode": "virtual", "duration_minutes": 90}
    with pytest.raises(Conflict):
        update_meeting(log, data, w.isp_a1)
    with pytest.raises(Conflict):
        log.soft_delete()
    assert Meeting.get_by_id(log.id).duration_minutes == 60 and Meeting.get_by_id(log.id).deleted_at is None
    assert not policy.can_change_log(w.isp_a1, log, w.engagement_a)
    assert not policy.can_move_log(w.isp_a2, log, "reopen", w.engagement_a)
    assert policy.can_move_log(w.admin, log, "reopen", w.engagement_a)
    with pytest.raises(ValidationError) as refused:
        move_log(log, "reopen", w.admin)
    assert "reason" in refused.value.errors["note"]
    move_log(log, "reopen", w.admin, note="The date was wrong.")
    assert (log.review_state, log.review_note) == ("returned", "The date was wrong.")
    assert policy.can_change_log(w.isp_a1, log, w.engagement_a)
    update_meeting(log, data, w.isp_a1)
    assert Meeting.get_by_id(log.id).duration_minutes == 90


def test_activities_go_through_the_same_review(app):
    w = factories.small_world()
    row = {"date": DAY, "kind": "outreach", "minutes": 30, "isps": [w.isp_a1.id]}
    (activity,) = log_activities(w.engagement_a, [row], w.isp_a1, draft=True)
    assert activity.review_state == "draft"
    assert policy.can_move_log(w.isp_a1, activity, "submit", w.engagement_a)
    move_log(activity, "submit", w.isp_a1)
    assert policy.can_move_log(w.isp_a2, activity, "approve", w.engagement_a)
    move_log(activity, "approve", w.isp_a2)
    with pytest.raises(Conflict):
        update_activity(Activity.get_by_id(activity.id), {**row, "minutes": 45}, w.isp_a1)


@pytest.mark.parametrize(
    "who, review_by, expected",
    [
        # review_by=co_lead: Ben (the other co-lead of A) reviews Ada's log; Ada never reviews her own.
        ("isp_a2", "co_lead", True),
        ("isp_a1", "co_lead", False),
        ("isp_b", "co_lead", False),  # an ISP not on the engagement
        ("leader_foundation", "co_lead", False),  # a co-lead is there to review
        ("admin", "co_lead", False),  # administrators reopen; they do not review
        ("recipient_a", "co_lead", False),
        # review_by=leader: a leader who sees the engagement reviews; co-leads no longer do.
        ("leader_foundation", "leader", True),
        ("leader_other", "leader", False),  # a leader of another organization does not see it
        ("isp_a2", "leader", False),
    ],
)
def test_who_returns_or_approves_a_submitted_log(app, who, review_by, expected):
    w = factories.small_world()
    Setting.choose("review_by", review_by)
    log = _meeting(w, w.isp_a1)
    user = getattr(w, who)
    assert policy.can_move_log(user, log, "approve", w.engagement_a) is expected
    assert policy.can_move_log(user, log, "return", w.engagement_a) is expected
    assert not policy.can_move_log(user, log, "submit", w.engagement_a)  # already submitted


def test_a_log_written_by_an_administrator_is_reviewed_by_either_co_lead(app):
    w = factories.small_world()
    log = _meeting(w, w.admin)
    assert policy.log_reviewers(w.engagement_a, log) == ("co_lead", {w.isp_a1.id, w.isp_a2.id})
    assert policy.can_move_log(w.isp_a1, log, "approve", w.engagement_a)
    assert not policy.can_move_log(w.admin, log, "approve", w.engagement_a)


def test_settings_refuse_bad_values_and_fall_back_to_their_defaults(app):
    assert Setting.value_of("on_time_days") == 5 and Setting.value_of("review_by") == "co_lead"
    with pytest.raises(ValidationError) as refused:
        Setting.choose("on_time_days", "0")
    assert refused.value.errors == {"on_time_days": "Enter a number from 1 to 30."}
    with pytest.raises(ValidationError):
        Setting.choose("review_by", "anyone")
    assert Setting.select().count() == 0  # nothing stored
    assert Setting.choose("on_time_days", " 3 ") == 3
    assert Setting.value_of("on_time_days") == 3
    assert AuditEntry.select().where(AuditEntry.entity == "Setting").count() == 1
