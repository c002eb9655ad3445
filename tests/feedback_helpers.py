"""Helpers shared by the test_feedback_*.py files: instrument items, responses and invitations."""

import datetime as dt
import json
import re
from html import unescape

from tracker.models import (
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackItem,
    FeedbackRelease,
    FeedbackResponse,
    MeetingAttendee,
    OutboxMessage,
)
from tracker.services import feedback as service

from . import factories

LINK_RE = re.compile(r'value="(http://localhost/feedback/[^"]+)"')


def items():
    return {i.key: i for i in FeedbackItem.select().where(FeedbackItem.instrument == service.current_instrument())}


def full(**scales):
    """A full survey's answers: the first three items of each scale at the given value (a survey scores
    a scale from three answered items, reports/feedback.py), so the scale's score is that value."""
    return {f"{scale}_{i}": value for scale, value in scales.items() for i in (1, 2, 3)}


def respond(engagement, answers, on=dt.date(2026, 2, 10), comments=None, kind="survey", anonymous=True):
    """A stored response with the given {item_key: value} (what submit() writes, without a link,
    releases included: it is released with the others once three are pending)."""
    by_key = items()
    response = FeedbackResponse.create(
        engagement=engagement,
        instrument=service.current_instrument(),
        kind=kind,
        anonymous=anonymous,
        submitted_on=on,
        comments=json.dumps(comments or {}),
    )
    for key, value in answers.items():
        if value is not None:
            FeedbackAnswer.create(response=response, item=by_key[key], value=value)
    FeedbackRelease.release_due(response.engagement_id, on)
    return response


def invite(app, engagement, kind="survey", emails=("alex@example.org",), meeting=None, days=None):
    """Create invitations through the service; returns the tokens (in the order of `emails`)."""
    with app.test_request_context():
        sent = service.create_invitations(engagement, kind, [(e, None) for e in emails], meeting=meeting, days=days)
    return [s["token"] for s in sent]


def links(html):
    return [unescape(u) for u in LINK_RE.findall(html)]


def path_of(url):
    return url.replace("http://localhost", "")


def team_with_meeting(engagement, with_email=2, without_email=1):
    """A meeting attended by `with_email` team members with an email and `without_email` without."""
    meeting = factories.meeting(engagement)
    members = []
    for n in range(with_email):
        members.append(factories.team_member(engagement, name=f"Member {n + 1}", email=f"member{n + 1}@example.org"))
    for n in range(without_email):
        members.append(factories.team_member(engagement, name=f"No Mail {n + 1}"))
    for member in members:
        MeetingAttendee.create(meeting=meeting, team_member=member)
    return meeting, members


def counts():
    return {
        "invitations": FeedbackInvitation.select().count(),
        "responses": FeedbackResponse.select().count(),
        "answers": FeedbackAnswer.select().count(),
        "outbox": OutboxMessage.select().count(),
    }
