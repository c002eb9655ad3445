"""The ISPs' workload, worked by hand (issue 22): minutes from meetings taken part in plus activities
between meetings, each meeting counted once for each ISP in it; co-led and supported engagements apart;
activities logged several at once, all or none.
"""

import datetime as dt

import pytest

from tracker.models import Activity, ActivityISP, Deliverable, MeetingAttendee, NextStep, ValidationError
from tracker.reports.workload import default_window, workload
from tracker.services.activities import log_activities

from . import factories

D = dt.date


def _row(report, isp):
    return next(row for row in report["isps"] if row["id"] == isp.id)


def test_two_meetings_and_an_activity_make_150_minutes_and_count_for_each_isp(app):
    w = factories.small_world()
    # Ada co-leads A (with Ben) and C (with Cai); she supports B.
    w.engagement_b.set_isps([w.isp_b.id, w.isp_a2.id], [w.isp_a1.id])
    # February: two 60-minute meetings of A that Ada and Ben both attended  -> 120 each.
    for day in (D(2026, 2, 3), D(2026, 2, 17)):
        meeting = factories.meeting(w.engagement_a, date=day, duration_minutes=60)
        for isp in (w.isp_a1, w.isp_a2):
            MeetingAttendee.create(meeting=meeting, user=isp)
    # One 30-minute activity of Ada's on B (outreach)                      -> Ada 150, Ben 120.
    log_activities(
        w.engagement_b,
        [{"date": D(2026, 2, 10), "kind": "outreach", "minutes": 30, "isps": [w.isp_a1.id]}],
        w.isp_a1,
    )
    # March: a 45-minute meeting of C logged by Cai (taking part: logged)  -> Cai 45 in March.
    factories.meeting(w.engagement_c, date=D(2026, 3, 4), duration_minutes=45, logged_by=w.isp_b)

    report = workload(w.admin, start=D(2026, 2, 1), end=D(2026, 3, 31))
    assert report["months"] == ["2026-02", "2026-03"]
    ada, ben, cai = _row(report, w.isp_a1), _row(report, w.isp_a2), _row(report, w.isp_b)
    assert ada["minutes_by_month"] == {"2026-02": 150, "2026-03": 0}
    assert (ada["minutes"], ada["meeting_minutes"], ada["activity_minutes"]) == (150, 120, 30)
    assert ben["minutes_by_month"] == {"2026-02": 120, "2026-03": 0}
    assert cai["minutes_by_month"] == {"2026-02": 0, "2026-03": 45}
    # Ada co-leads A and C, supports B; Ben co-leads A and B; Cai co-leads B and C.
    assert (ada["engagements_led"], ada["engagements_supporting"]) == (2, 1)
    assert (ben["engagements_led"], ben["engagements_supporting"]) == (2, 0)
    assert _row(report, w.isp_none)["minutes"] == 0


def test_capacity_and_load(app):
    w = factories.small_world()
    w.isp_a1.capacity_minutes = 40 * 60
    w.isp_a1.save()
    meeting = factories.meeting(w.engagement_a, date=D(2026, 2, 3), duration_minutes=600)
    MeetingAttendee.create(meeting=meeting, user=w.isp_a1)
    report = workload(w.admin, start=D(2026, 2, 1), end=D(2026, 3, 31))
    ada = _row(report, w.isp_a1)
    # 600 minutes over two months = 300 a month, against 2,400: an eighth of her capacity.
    assert (ada["capacity_minutes"], ada["average_minutes"], ada["load"]) == (2400, 300, 0.125)
    assert _row(report, w.isp_a2)["load"] is None  # no capacity set


def test_overdue_next_steps_and_deliverables_count_on_each_isp_of_the_engagement(app):
    w = factories.small_world()
    meeting = factories.meeting(w.engagement_a, date=D(2026, 2, 3))
    NextStep.create(meeting=meeting, text="Send the fidelity tool", due_on=D(2026, 2, 20))
    NextStep.create(meeting=meeting, text="Done already", due_on=D(2026, 2, 20), done_on=D(2026, 2, 19))
    Deliverable.create(engagement=w.engagement_a, title="Coaching guide", due_on=D(2026, 3, 1))
    report = workload(w.admin, start=D(2026, 2, 1), end=D(2026, 3, 31))
    for isp in (w.isp_a1, w.isp_a2):
        assert (_row(report, isp)["overdue_next_steps"], _row(report, isp)["overdue_deliverables"]) == (1, 1)
    assert _row(report, w.isp_b)["overdue_next_steps"] == 0


def test_soft_deleted_meetings_and_activities_do_not_count(app):
    w = factories.small_world()
    meeting = factories.meeting(w.engagement_a, date=D(2026, 2, 3), duration_minutes=60)
    MeetingAttendee.create(meeting=meeting, user=w.isp_a1)
    (activity,) = log_activities(
        w.engagement_a, [{"date": D(2026, 2, 4), "kind": "data_collection", "minutes": 90, "isps": [w.isp_a1.id]}], None
    )
    meeting.soft_delete()
    activity.soft_delete()
    assert _row(workload(w.admin, start=D(2026, 2, 1), end=D(2026, 2, 28)), w.isp_a1)["minutes"] == 0


def test_who_reads_whose_workload(app):
    w = factories.small_world()
    center_isps = {w.isp_a1.id, w.isp_a2.id, w.isp_b.id, w.isp_none.id}
    assert {r["id"] for r in workload(w.admin)["isps"]} >= center_isps
    assert {r["id"] for r in workload(w.isp_a1)["isps"]} == center_isps  # colleagues of the same centre
    assert workload(w.recipient_a)["isps"] == []
    assert workload(w.leader_foundation)["isps"] == []  # the foundation employs no ISP


def test_default_window_is_six_calendar_months():
    assert default_window(D(2026, 3, 14)) == (D(2025, 10, 1), D(2026, 3, 14))


def test_several_activities_at_once_all_or_none(app):
    w = factories.small_world()
    good = {"date": D(2026, 2, 4), "kind": "outreach", "minutes": 20, "isps": [w.isp_a1.id]}
    with pytest.raises(ValidationError) as refused:
        log_activities(
            w.engagement_a,
            [
                good,
                {"date": D(2026, 2, 5), "kind": "outreach", "minutes": 0, "isps": [w.isp_a1.id]},
                {"date": D(2026, 2, 6), "kind": "tool_development", "minutes": 30, "isps": [w.isp_b.id]},
            ],
            w.isp_a1,
        )
    assert set(refused.value.errors) == {"rows-1-minutes", "rows-2-isps"}
    assert Activity.select().count() == 0 and ActivityISP.select().count() == 0
    blank = {"date": None, "kind": "", "minutes": None, "notes": ""}
    logged = log_activities(w.engagement_a, [good, blank, {**good, "kind": "other", "minutes": 15}], w.isp_a1)
    assert [a.minutes for a in logged] == [20, 15]
    assert Activity.select().where(Activity.logged_by == w.isp_a1.id).count() == 2
