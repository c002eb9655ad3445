"""Telling people by email when something needs them (issue 18).

Events, each told from the service that writes it, inside that write's transaction (an outbox row or a
kept notification commits with the event; a refused event writes neither):
- a support request arrives: the triage ISPs of the intermediary it is addressed to (policy.triage_isps);
- the ISP team asks the requester a question: the requester;
- the requester answers: the person who asked;
- a request is accepted or declined: the requester;
- feedback is asked of someone with an account (tracker/services/feedback.py): that person. Someone
  without an account gets the invitation as before, whatever happens.

Each person chooses on "Your account" (`User.notification_choice`): "immediate" (one email per event,
through the outbox, tracker/mail.py), "digest" (the event is kept as a `PendingNotification` and
`send-digests` sends one digest a day) or "none" (no email; the home page shows everything anyway).
Nobody is told about their own action, nor is a deactivated account.

`send_digests` (the `send-digests` command, for cron) sends each person's pending items in one mail and
marks them sent in the same transaction, so running it twice sends nothing new; on Mondays (or when
asked) it also sends each ISP the weekly summary (overdue next steps, engagements needing attention,
unanswered questions), at most once a week each.
"""

import datetime as dt

from .. import mail, policy
from ..dates import format_date
from ..db import database
from ..models import PendingNotification, RequestEvent, SupportRequest, User, today, utcnow
from ..reports import next_steps_due
from ..reports.filters import ReportFilters
from ..reports.portfolio import needs_attention

IMMEDIATE, DIGEST, NONE = "immediate", "digest", "none"
WEEKLY = "weekly_summary"
SIGNATURE = "— Engagement Tracker"


def _footer(choice):
    how = "one email for each event" if choice == IMMEDIATE else "one digest a day"
    return f"\n\n{SIGNATURE}\nYou get {how}. To change this, open Your account: {mail.external_url('account.index')}\n"


def _people(people, actor=None):
    """Each active person once, in the order given, without the actor and without missing people."""
    actor_id = getattr(actor, "id", actor)
    seen, out = set(), []
    for person in people:
        if person is None or person.id in seen or person.id == actor_id or not person.is_active:
            continue
        seen.add(person.id)
        out.append(person)
    return out


def tell(person, kind, subject, text, link, redact=(), **outbox):
    """Tell one person of one event the way they chose; call inside the event's transaction.
    Returns "immediate" (an outbox mail was queued), "digest" (kept for the digest) or "none"."""
    choice = person.notification_choice
    if choice == NONE:
        return NONE
    if choice == DIGEST:
        PendingNotification.create(
            user=person.id, kind=kind, subject=subject[:300], body=text, link=link[:500], created_at=utcnow()
        )
        return DIGEST
    body = f"Hello {person.name},\n\n{text}\n\n{link}{_footer(IMMEDIATE)}"
    mail.queue(person.email, subject, body, redact=redact, **outbox)
    return IMMEDIATE


def notify(people, kind, subject, text, link, actor=None):
    """Tell each of `people` (users) of one event, the actor excepted. Returns how many were told."""
    told = 0
    for person in _people(people, actor):
        told += tell(person, kind, subject, text, link) != NONE
    return told


def _request_url(req):
    return mail.external_url("requests.detail", request_id=req.id)


def _named(req):
    """A request as mail names it: its title and readable id."""
    return f"{req.title} ({req.ref})" if req.ref else req.title


def _requester(req):
    return User.get_or_none(User.id == req.requested_by_id) if req.requested_by_id else None


# --- the events of a support request -------------------------------------------------------------


def request_submitted(req, actor=None):
    """A new request: its intermediary's triage ISPs."""
    unit = req.unit.name if req.unit_id else "A unit"
    urgent = " It is marked urgent." if req.urgent else ""
    text = f"{unit} asked for support: “{req.title}”.{urgent}\n\nRead the request and decide what happens next:"
    return notify(
        policy.triage_isps(req),
        "request_submitted",
        f"New support request: {_named(req)}",
        text,
        _request_url(req),
        actor,
    )


def question_asked(req, question, actor):
    """The ISP team asked a question: the requester."""
    text = (
        f"The implementation support team has a question about your request “{req.title}”:\n\n{question}\n\n"
        "The request waits for your answer. Answer it here:"
    )
    return notify(
        [_requester(req)],
        "question_asked",
        f"A question about your request: {_named(req)}",
        text,
        _request_url(req),
        actor,
    )


def question_answered(req, answer, actor):
    """The requester answered: the person who asked the question."""
    asker_id = RequestEvent.last_asker_id(req.id)
    asker = User.get_or_none(User.id == asker_id) if asker_id else None
    who = getattr(actor, "name", None) or "The requester"
    text = f"{who} answered your question about “{req.title}”:\n\n{answer}\n\nThe request is back in the request queue:"
    return notify(
        [asker], "question_answered", f"Your question was answered: {_named(req)}", text, _request_url(req), actor
    )


def request_accepted(req, engagement, actor):
    """The request was accepted: the requester."""
    text = (
        f"Your request “{req.title}” was accepted: the engagement “{engagement.title}” ({engagement.ref}) starts on "
        f"{format_date(engagement.start_date)}. The implementation support team will be in touch. See it here:"
    )
    link = mail.external_url("engagements.detail", engagement_id=engagement.id)
    return notify([_requester(req)], "request_accepted", f"Your request was accepted: {_named(req)}", text, link, actor)


def request_declined(req, reason, actor):
    """The request was declined: the requester, with the reason."""
    text = (
        f"Your request “{req.title}” was declined. The implementation support team wrote:\n\n{reason}\n\nSee it here:"
    )
    return notify(
        [_requester(req)],
        "request_declined",
        f"Your request was declined: {_named(req)}",
        text,
        _request_url(req),
        actor,
    )


# --- feedback -----------------------------------------------------------------------------------


def account_for(email):
    """The active account with this email, or None (feedback is often asked of people without one)."""
    return User.get_or_none((User.email == (email or "").strip().lower()) & User.is_active)


def feedback_requested(email, subject, body, redact, invitation_id, engagement_id):
    """A feedback invitation to `email`: its mail (with the one-time link) as before when nobody or a
    person who chose "immediate" has that email; kept for the digest of one who chose a digest (with
    the link of their home page's copy, no token); nothing for one who chose "none" (their home page
    lists the invitation). Returns the choice applied."""
    person = account_for(email)
    choice = person.notification_choice if person is not None else IMMEDIATE
    if choice == IMMEDIATE:
        mail.queue(email, subject, body, redact=redact, engagement_id=engagement_id, invitation_id=invitation_id)
        return IMMEDIATE
    if choice == DIGEST:
        link = mail.external_url("feedback.answer_mine", invitation_id=invitation_id)
        text = "The implementation support team would value your feedback. Answer it here:"
        return tell(person, "feedback_requested", subject, text, link)
    return NONE


# --- the digest and the weekly summary --------------------------------------------------------------


def pending_people():
    """The people with notifications waiting for their digest, by name."""
    waiting = PendingNotification.select(PendingNotification.user).where(
        PendingNotification.sent_at.is_null() & (PendingNotification.kind != WEEKLY)
    )
    return list(User.select().where(User.id.in_(waiting)).order_by(User.name, User.id))


def _plural(count, word):
    return f"{count} {word}{'s' if count != 1 else ''}"


def send_digest(person, now=None):
    """One person's digest: every pending item in one mail, the items marked sent in the same
    transaction. Returns the number of items sent (0: nothing was pending, or the person chose "none"
    or was deactivated since, whose items are dropped)."""
    now = now or utcnow()
    with database.atomic():
        items = list(
            PendingNotification.select()
            .where(
                (PendingNotification.user == person.id)
                & PendingNotification.sent_at.is_null()
                & (PendingNotification.kind != WEEKLY)
            )
            .order_by(PendingNotification.created_at, PendingNotification.id)
        )
        if not items:
            return 0
        PendingNotification.update(sent_at=now).where(PendingNotification.id.in_([i.id for i in items])).execute()
        if person.notification_choice == NONE or not person.is_active:
            return 0
        parts = [f"{i.subject}\n{i.body}\n{i.link}" for i in items]
        body = (
            f"Hello {person.name},\n\nHere is what needed you since your last digest:\n\n"
            + "\n\n".join(f"{n}. {part}" for n, part in enumerate(parts, 1))
            + _footer(DIGEST)
        )
        mail.queue(person.email, f"Your daily digest: {_plural(len(items), 'thing')} for you", body)
    return len(items)


def week_start(day):
    return day - dt.timedelta(days=day.weekday())


def is_summary_day(day):
    """The weekly summary goes out on Mondays."""
    return day.weekday() == 0


def weekly_summary(person, day):
    """The week's summary for one ISP, as data: {"overdue": [NextStep], "attention": [rows],
    "questions": [SupportRequest]} (queries of the reports and the policy, as the pages use)."""
    visible = policy.visible_engagements(person)
    overdue = next_steps_due(visible, until=day - dt.timedelta(days=1))
    attention = needs_attention(ReportFilters(user=person), as_of=day)
    questions = list(
        policy.visible_requests(person)
        .where(SupportRequest.status == "info_requested")
        .order_by(SupportRequest.created_at, SupportRequest.id)
    )
    return {"overdue": overdue, "attention": attention, "questions": questions}


def _summary_text(person, summary):
    sections = []
    if summary["overdue"]:
        lines = [
            f"- {s.text} (due {format_date(s.due_on)}; {s.meeting.engagement.title}): "
            + mail.external_url("engagements.detail", engagement_id=s.meeting.engagement.id)
            for s in summary["overdue"]
        ]
        sections.append("Next steps overdue:\n" + "\n".join(lines))
    if summary["attention"]:
        lines = [
            f"- {row['title']} ({row['unit']}): {' '.join(r['text'] for r in row['reasons'])} "
            + mail.external_url("engagements.detail", engagement_id=row["id"])
            for row in summary["attention"]
        ]
        sections.append("Engagements needing attention:\n" + "\n".join(lines))
    if summary["questions"]:
        lines = [f"- {r.title}: {r.info_question} {_request_url(r)}" for r in summary["questions"]]
        sections.append("Questions still waiting for the requester's answer:\n" + "\n".join(lines))
    return f"Hello {person.name},\n\nYour week at a glance.\n\n" + "\n\n".join(sections)


def send_weekly_summary(person, day=None, now=None):
    """The weekly summary to one ISP unless they had it this week, chose "none", or nothing needs them.
    Returns True when it was queued."""
    day = day or today()
    now = now or utcnow()
    if person.notification_choice == NONE:
        return False
    since = dt.datetime.combine(week_start(day), dt.time())
    with database.atomic():
        already = (
            PendingNotification.select()
            .where(
                (PendingNotification.user == person.id)
                & (PendingNotification.kind == WEEKLY)
                & (PendingNotification.created_at >= since)
            )
            .exists()
        )
        if already:
            return False
        summary = weekly_summary(person, day)
        if not any(summary.values()):
            return False
        subject = f"Your week: {summary_words(summary)}"
        body = _summary_text(person, summary) + _footer(person.notification_choice)
        PendingNotification.create(
            user=person.id, kind=WEEKLY, subject=subject[:300], body="", link="", created_at=now, sent_at=now
        )
        mail.queue(person.email, subject, body)
    return True


def summary_words(summary):
    parts = []
    if summary["overdue"]:
        parts.append(_plural(len(summary["overdue"]), "overdue next step"))
    if summary["attention"]:
        parts.append(_plural(len(summary["attention"]), "engagement") + " needing attention")
    if summary["questions"]:
        parts.append(_plural(len(summary["questions"]), "unanswered question"))
    return ", ".join(parts)
