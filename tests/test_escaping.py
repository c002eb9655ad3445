"""User-supplied text containing markup is shown as text on every page that shows it."""

import datetime as dt

from tracker.models import ContextNote, Deliverable, SupportRequest

from . import factories

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_markup_in_user_text_is_escaped_everywhere(demo, as_user):
    engagement = demo.engagement_a
    engagement.title = f"Title {EVIL}"
    engagement.problem_statement = f"Problem {EVIL}"
    engagement.save()
    goal = factories.goal(engagement, title=f"Goal {EVIL}", indicator=f"Indicator {EVIL}")
    factories.team_member(engagement, name=f"Member {EVIL}")
    meeting = factories.meeting(
        engagement, date=dt.date(2026, 2, 3), notes=f"Notes {EVIL}", competencies=["p20_co_learning"]
    )
    ContextNote.create(
        engagement=engagement, kind="barrier", domain="process", text=f"Context {EVIL}", noted_on=dt.date(2026, 2, 4)
    )
    Deliverable.create(engagement=engagement, title=f"Deliverable {EVIL}", kind="other")
    request = SupportRequest.create(
        unit=demo.unit_a, title=f"Request {EVIL}", description=f"Why {EVIL}", requested_by=demo.recipient_a
    )
    assert goal.id and meeting.id

    pages = {
        demo.isp_a1: [
            "/",
            "/engagements",
            f"/engagements/{engagement.id}",
            f"/engagements/{engagement.id}/meetings/{meeting.id}",
            f"/engagements/{engagement.id}/meetings/new",
            "/requests",
            f"/requests/{request.id}",
            f"/reports/engagements/{engagement.id}",
            f"/engagements/{engagement.id}/feedback",
        ],
        demo.recipient_a: ["/", f"/requests/{request.id}", f"/engagements/{engagement.id}"],
        demo.leader_foundation: ["/reports/", "/reports/progress", f"/reports/progress?engagement_id={engagement.id}"],
    }
    shown = 0
    for user, urls in pages.items():
        client = as_user(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.get_data(as_text=True)
            assert "<script>alert" not in html, url
            assert "<img src=x onerror" not in html, url
            if "&lt;script&gt;alert" in html:
                shown += 1
    assert shown >= 12  # the text is really on those pages, escaped
