"""My work (issue 23, tracker/reports/my_work.py): each person's sections list exactly what waits for them,
policy.reviewable_logs agrees with policy.can_review_log, and the navigation's count is their sum, in a
fixed number of queries."""

import datetime as dt
import html as htmllib

import pytest
from playhouse.test_utils import count_queries

from tracker import policy
from tracker.dates import add_working_days
from tracker.models import (
    Activity,
    Deliverable,
    EngagementISP,
    Meeting,
    NextStep,
    Setting,
    SupportRequest,
    today,
    utcnow,
)
from tracker.reports import my_work
from tracker.services.review import move_log

from . import factories
from .feedback_helpers import invite

HELD = dt.date(2026, 2, 3)


def _request(unit, title, **kwargs):
    return SupportRequest.create(unit=unit, title=title, description="An initiative", for_whom="Grantees", **kwargs)


def listed(user):
    """{section key: [(kind, title, why)]} of every non-empty section."""
    return {s.key: [(i.kind, i.title, i.why) for i in s.items] for s in my_work.sections(user)}


SURVEY = ("Feedback", "Engagement A", "Feedback survey asked of you about Engagement A.")
DRAFT = ("Meeting log", "Engagement A", "Saved as a draft: not counted until you submit it.")


def test_each_person_sees_exactly_what_waits_for_them(app):
    w = _world(app)
    ada = listed(w.isp_a1)
    assert ada == {
        "drafts": [DRAFT],
        "next_steps": [("Next step", "Engagement A", "Overdue: Send the fidelity tool (owner: Ada)")],
        "deliverables": [("Deliverable", "Engagement C", "Overdue, not delivered: Coaching plan")],
        "triage": [("Support request", "Help with onboarding", "New request from Unit A: accept, decline or ask.")],
    }  # her own submitted meeting waits for Ben, not for her
    ben = listed(w.isp_a2)
    assert ben["to_review"] == [
        ("Meeting log", "Engagement A", "Submitted by Ada ISP: return it with a note or approve it.")
    ]
    assert "returned" not in ben and "drafts" not in ben  # he returned Cai's log; his activity waits for Cai
    cai = listed(w.isp_b)
    assert cai["returned"] == [("Meeting log", "Engagement B", "Returned by Ben ISP: Add the next steps.")]
    assert cai["to_review"] == [
        ("Activity", "Engagement B", "Submitted by Ben ISP: return it with a note or approve it.")
    ]
    assert listed(w.isp_none) == {"triage": ada["triage"]}  # on no engagement, but triages the centre's queue
    assert listed(w.recipient_a) == {
        "questions": [("Support request", "Data use", "The team asks: Which sites?")],
        "feedback": [SURVEY],
    }
    assert listed(w.recipient_b) == {}
    for leader in (w.leader_foundation, w.leader_other, w.leader_all):
        assert listed(leader) == {}  # every engagement has a second co-lead: co-leads review
    assert listed(w.admin) == {"triage": ada["triage"]}  # nothing submitted long ago


def test_when_leaders_review_the_submitted_logs_move_to_them(app):
    w = _world(app)
    Setting.choose("review_by", "leader")
    meeting_a = ("Meeting log", "Engagement A", "Submitted by Ada ISP: return it with a note or approve it.")
    activity_b = ("Activity", "Engagement B", "Submitted by Ben ISP: return it with a note or approve it.")
    # Units A and B, both held on 3 Feb: oldest first, then by kind (activity before meeting).
    assert listed(w.leader_foundation) == {"to_review": [activity_b, meeting_a]}
    assert listed(w.leader_all) == {"to_review": [activity_b, meeting_a]}
    assert listed(w.leader_other) == {}  # Unit C only: nothing submitted there
    assert "to_review" not in listed(w.isp_a2) and "to_review" not in listed(w.isp_b)


def test_a_log_whose_author_is_the_only_co_lead_goes_to_a_leader(app):
    w = _world(app)
    # Ben supports A instead (written directly: the engagement form asks for two co-leads, older data may not)
    EngagementISP.update(role="supporting").where(
        (EngagementISP.engagement == w.engagement_a.id) & (EngagementISP.user == w.isp_a2.id)
    ).execute()
    assert "to_review" not in listed(w.isp_a2)
    assert listed(w.leader_foundation)["to_review"][0][:2] == ("Meeting log", "Engagement A")


def test_reviewable_logs_agrees_with_can_review_log_for_everyone(app):
    w = _world(app)
    users = [getattr(w, name) for name in vars(w) if hasattr(getattr(w, name), "role")]
    for setting in ("co_lead", "leader"):
        Setting.choose("review_by", setting)
        for model in (Meeting, Activity):
            logs = list(model.live())
            assert len(logs) == {Meeting: 4, Activity: 1}[model]
            for user in users:
                expected = {log.id for log in logs if policy.can_review_log(user, log, log.engagement)}
                assert {log.id for log in policy.reviewable_logs(user, model)} == expected, (user.name, setting)


def test_reviews_running_late_for_administrators(app):
    w = _world(app)
    # Setting on_time_days = 5 (default). Today minus 5 working days is the cut-off: a log first submitted
    # 8 calendar days ago (at least 5 working days) is late; one submitted today is not.
    Meeting.update(submitted_at=utcnow() - dt.timedelta(days=8)).where(Meeting.id == w.submitted.id).execute()
    late = listed(w.admin)["late_reviews"]
    assert late == [
        ("Meeting log", "Engagement A", "Submitted by Ada ISP more than 5 working days ago and not reviewed yet.")
    ]
    assert "late_reviews" not in listed(w.isp_a2)


def test_working_days_before_skips_weekends():
    # Monday 9 Feb 2026: 5 working days before is Monday 2 Feb; 1 before is Friday 6 Feb.
    assert add_working_days(dt.date(2026, 2, 9), -5) == dt.date(2026, 2, 2)
    assert add_working_days(dt.date(2026, 2, 9), -1) == dt.date(2026, 2, 6)


def test_the_navigation_counts_the_sections_totals(app, as_user):
    w = _world(app)
    # Ada: 1 draft + 1 next step + 1 deliverable + 1 request = 4; Ben: 1 log to review + 1 next step + 1 request.
    assert my_work.waiting_total(w.isp_a1) == 4
    assert my_work.waiting_total(w.isp_a2) == 3
    assert my_work.waiting_total(w.recipient_b) == 0
    page = htmllib.unescape(as_user(w.isp_a1).get("/").get_data(as_text=True))
    assert '<span class="visually-hidden">My work, 4 waiting</span>' in page
    assert "Send the fidelity tool" in page and "Nothing waits for you." not in page
    empty = htmllib.unescape(as_user(w.recipient_b).get("/").get_data(as_text=True))
    assert "Nothing waits for you." in empty and 'class="count">0' not in empty


def test_the_page_lists_each_section_in_full_and_pages_it(app, as_user):
    w = _world(app)
    for i in range(30):
        factories.meeting(w.engagement_a, date=HELD - dt.timedelta(days=i), logged_by=w.isp_a1.id, review_state="draft")
    client = as_user(w.isp_a1)
    first = client.get("/my-work").get_data(as_text=True)
    # 31 drafts, 25 a page: the first page ends at 25, the second has the remaining 6.
    assert "Page 1 of 2 (1–25 of 31)" in first
    second = client.get("/my-work?drafts_page=2").get_data(as_text=True)
    assert "Page 2 of 2 (26–31 of 31)" in second
    assert "Page 2 of 2 (26–31 of 31)" in client.get("/my-work?drafts_page=9").get_data(as_text=True)
    assert client.get("/my-work?drafts_page=x").status_code == 200
    assert f"/engagements/{w.engagement_a.id}/meetings/{w.draft.id}" in first
    assert "Nothing waits for you." in as_user(w.recipient_b).get("/my-work").get_data(as_text=True)


def _add_logs(w, n):
    for _ in range(n):
        factories.meeting(w.engagement_a, date=HELD, logged_by=w.isp_a1.id)
        factories.meeting(w.engagement_b, date=HELD, logged_by=w.isp_b.id, review_state="draft")


def test_the_count_and_the_page_take_the_same_queries_with_2_and_20_logs(app, as_user):
    w = _world(app)
    client = as_user(w.isp_a2)

    def queries():
        with count_queries() as total:
            my_work.waiting_total.uncached(w.isp_a2)
        client.get("/my-work")
        with count_queries() as page:
            assert client.get("/my-work").status_code == 200
        return total.count, page.count

    _add_logs(w, 2)
    few = queries()
    _add_logs(w, 18)
    assert my_work.waiting_total(w.isp_a2) == 3 + 20  # 20 more of Ada's meetings wait for Ben
    assert queries() == few
    assert few[0] == 2  # the review setting, then every section's total in one query


def test_the_count_is_kept_until_the_next_write(app):
    """The count every page's header shows is computed once per data version (reports.cache): a page
    after no write reads the data version only; a write counts afresh."""
    w = _world(app)
    first = my_work.waiting_total(w.isp_a2)
    with count_queries() as kept:
        assert my_work.waiting_total(w.isp_a2) == first
    assert kept.count == 1  # the data version
    _add_logs(w, 1)
    assert my_work.waiting_total(w.isp_a2) == first + 1


def test_the_count_follows_a_change_of_role_unit_or_settings(app):
    """The count's SQL is kept per user's fields, day and settings read (my_work._waiting_sql): a change of
    any of them is counted afresh, never with the SQL built for the old values."""
    w = _world(app)
    assert my_work.waiting_total(w.isp_a2) == 3  # Ada's log to review, a next step, a request to triage
    Setting.choose_all({"review_by": "leader"})
    assert my_work.waiting_total(w.isp_a2) == 2  # leaders review: not Ben
    w.isp_a2.role, w.isp_a2.unit = "recipient", w.unit_a.id
    w.isp_a2.save()
    assert my_work.waiting_total(w.isp_a2) == 1  # Unit A's question waits for its recipients
    assert sum(s.total for s in my_work.sections(w.isp_a2)) == 1


def test_a_setting_the_kept_sql_would_not_be_keyed_by_is_refused(app, monkeypatch):
    """The count's SQL is kept per the settings in my_work._SETTINGS_READ; a section reading one not listed
    there fails loudly rather than keeping SQL built with today's value."""
    w = _world(app)
    monkeypatch.setattr(my_work, "_SETTINGS_READ", {})
    my_work._waiting_sql.cache_clear()
    with pytest.raises(LookupError, match="review_by"):
        my_work.waiting_total.uncached(w.isp_a2)
    my_work._waiting_sql.cache_clear()


def _world(app):
    """small_world plus:
    - Ada's submitted meeting on A (Ben, the other co-lead, reviews it) with a next step due yesterday;
    - Ada's draft meeting on A;
    - Cai's meeting on B, returned by Ben with the note "Add the next steps.";
    - Ben's submitted activity on B (Cai reviews it);
    - an approved meeting of Ada's on C (waits for nobody);
    - a deliverable of C due yesterday (Ada and Cai are on C);
    - a new request of Unit A in the queue, and one of Unit A whose question waits for Rae;
    - a feedback survey asked of Rae on A."""
    w = factories.small_world()
    w.app = app
    yesterday = today() - dt.timedelta(days=1)
    w.submitted = factories.meeting(w.engagement_a, date=HELD, logged_by=w.isp_a1.id)
    w.step = NextStep.create(meeting=w.submitted, text="Send the fidelity tool", owner="Ada", due_on=yesterday)
    w.draft = factories.meeting(w.engagement_a, date=HELD, logged_by=w.isp_a1.id, review_state="draft")
    w.returned = factories.meeting(w.engagement_b, date=HELD, logged_by=w.isp_b.id)
    move_log(w.returned, "return", w.isp_a2, note="Add the next steps.")
    w.activity = Activity.create(
        engagement=w.engagement_b, date=HELD, kind="outreach", minutes=30, logged_by=w.isp_a2.id
    )
    w.approved = factories.meeting(w.engagement_c, date=HELD, logged_by=w.isp_a1.id)
    move_log(w.approved, "approve", w.isp_b)
    w.deliverable = Deliverable.create(engagement=w.engagement_c, title="Coaching plan", due_on=yesterday)
    w.new_request = _request(w.unit_a, "Help with onboarding", intermediary=w.center)
    w.asked = _request(
        w.unit_a, "Data use", intermediary=w.center, status="info_requested", info_question="Which sites?"
    )
    invite(app, w.engagement_a, "survey", emails=[w.recipient_a.email])
    return w
