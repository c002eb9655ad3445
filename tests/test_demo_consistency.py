"""The demo agrees with itself: read as an administrator, every request page's history has the dates
its summary shows, every engagement page's activity is dated within the demo's story (never the day
it was seeded), and feedback responses come from recorded invitations.

What was seen: the demo request said "Submitted 12 Nov" while its history said the seeding day, and an
engagement showed "No invitations sent yet" beside 24 feedback responses.
"""

import datetime as dt
import html as htmllib
import re

import pytest

from tracker.models import AuditEntry, Engagement, FeedbackInvitation, FeedbackResponse, SupportRequest, User
from tracker.tools.demo import ANCHOR

MONTHS = {m: n for n, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
DATE = r"(\d{1,2} [A-Z][a-z]{2} \d{4})"


def day(text):
    d, m, y = text.split()
    return dt.date(int(y), MONTHS[m], int(d))


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r"\s+", " ", htmllib.unescape(response.get_data(as_text=True)))


@pytest.fixture
def admin(app, seeded_demo):
    created, _ = seeded_demo
    assert created
    return app.test_client(user=User.get(User.role == "admin"))


def test_every_request_history_agrees_with_the_dates_its_page_shows(admin):
    requests = list(SupportRequest.select().order_by(SupportRequest.id))
    assert len(requests) >= 10
    for req in requests:
        html = page(admin, f"/requests/{req.id}")
        submitted = day(re.search(r"<dt>Submitted</dt><dd>" + DATE, html).group(1))
        history = html[html.index('id="history-h"') :]
        events = [(day(d), label) for d, label in re.findall(r'class="when">' + DATE + r".*?<strong>([^<]+)", history)]
        assert events, req.title
        assert events[0] == (submitted, "Submitted"), req.title
        assert [d for d, _ in events] == sorted(d for d, _ in events), req.title
        assert all(d <= ANCHOR for d, _ in events), req.title
        if req.status in ("accepted", "declined", "withdrawn"):
            decided = day(re.search(r"The request was \w+(?: by [^<]*?)? on " + DATE, html).group(1))
            assert events[-1] == (decided, req.status.capitalize()), req.title
        if req.status == "info_requested":
            assert events[-1][1] == "Question asked" and req.info_question in history, req.title


def test_every_engagement_page_is_dated_within_the_demo(admin):
    engagements = list(Engagement.live().order_by(Engagement.id))
    assert len(engagements) >= 7
    for e in engagements:
        html = page(admin, f"/engagements/{e.id}")
        start = day(re.search(r"<dt>Dates</dt><dd>" + DATE, html).group(1))
        assert start == e.start_date
        activity = html[html.index('class="plain-list activity"') :]
        stamps = [dt.date.fromisoformat(s) for s in re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)T', activity)]
        assert stamps, e.title
        assert all(s <= ANCHOR for s in stamps), (e.title, max(stamps))
        # the whole log of the engagement, not only the latest 20 shown: created on its start date, nothing later
        # than the demo's today
        created = AuditEntry.get(
            (AuditEntry.entity == "Engagement") & (AuditEntry.entity_id == e.id) & (AuditEntry.action == "create")
        )
        assert created.at.date() == start and created.user_id is not None, e.title
        assert (
            AuditEntry.select()
            .where((AuditEntry.engagement_id == e.id) & (AuditEntry.at > dt.datetime.combine(ANCHOR, dt.time.max)))
            .count()
            == 0
        ), e.title


def test_feedback_responses_come_from_recorded_invitations(admin):
    with_responses = 0
    for e in Engagement.live().order_by(Engagement.id):
        responses = (
            FeedbackResponse.select()
            .where((FeedbackResponse.engagement == e.id) & FeedbackResponse.deleted_at.is_null())
            .count()
        )
        html = page(admin, f"/engagements/{e.id}/feedback")
        invited = int(re.search(r'Invitations <span class="count">(\d+)</span>', html).group(1))
        if not responses:
            continue
        with_responses += 1
        assert "No invitations sent yet" not in html, e.title
        assert invited >= responses, e.title
        answered, of = map(int, re.search(r"(\d+) of (\d+) invitations answered", html).groups())
        assert (answered, of) == (responses, invited), e.title
        # each answered invitation was used on the day a response was submitted, after it was sent
        used = FeedbackInvitation.select().where(
            (FeedbackInvitation.engagement == e.id) & FeedbackInvitation.used_at.is_null(False)
        )
        assert all(i.created_at.date() <= i.used_at.date() < i.expires_at.date() for i in used), e.title
        assert "mail-delivery" not in html  # the demo's invitations were sent, none waits in the outbox
    assert with_responses >= 5
