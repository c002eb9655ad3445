"""Recipient feedback: invitations (pulse and full survey), single-use links, and storing answers.

Links: the token (secrets.token_urlsafe(32)) is only in the link; the database keeps its sha256.
Anonymity: an anonymous response has no link to the invitation or the person: respondent None, no
invitation id, created_at coarsened to midnight of the day, and its audit entry written without an
actor and at that midnight. The invitation's used_at is coarsened to the same midnight, so neither
time nor actor can match a response to the person who was invited.
Disclosure (docs/disclosure.md): a response becomes visible only in a release of at least three
(models FeedbackRelease.release_due, called by every write that adds or restores a response).
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets

from flask import current_app
from peewee import JOIN, fn

from .. import mail
from ..dates import format_date
from ..db import database
from ..models import (
    AuditEntry,
    Engagement,
    FeedbackAnswer,
    FeedbackInstrument,
    FeedbackInvitation,
    FeedbackItem,
    FeedbackRelease,
    FeedbackResponse,
    MeetingAttendee,
    TeamMember,
    User,
    ValidationError,
    email_problem,
    utcnow,
)
from ..models import today as todays_date
from . import notifications

INSTRUMENT_KEY = "recipient_feedback"
PULSE_ITEMS = 3
PULSE_COMMENT_KEY = "comment"  # the pulse's one optional open comment
LINK_DAYS = 14
SURVEY_DAYS = 91
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
MAX_COMMENT = 4000

UNKNOWN_ITEM_MESSAGE = "The answers include a question that is not in this survey; reload the link and answer again."
CLOSED_MESSAGE = "This engagement has closed: feedback can no longer be collected for it."


class LinkRefused(Exception):
    """An invitation that cannot be answered: `reason` is invalid, expired, used or closed."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(reason)


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def midnight(day):
    return dt.datetime.combine(day, dt.time(0, 0))


def current_instrument(key=INSTRUMENT_KEY):
    """The latest version of the instrument (new invitations use it; answers keep theirs)."""
    return (
        FeedbackInstrument.select()
        .where(FeedbackInstrument.key == key)
        .order_by(FeedbackInstrument.version.desc())
        .first()
    )


def instrument_items(instrument):
    return list(FeedbackItem.select().where(FeedbackItem.instrument == instrument).order_by(FeedbackItem.position))


def rotation_order(items):
    """Likert items interleaved across scales (aim_1, iam_1, fim_1, ..., aim_2, ...), so that a pulse
    asks about several scales and the whole instrument comes round in turn."""
    likert = [i for i in items if i.kind == "likert"]
    scales = list(dict.fromkeys(i.scale for i in likert))
    within = {}
    rank = {}
    for item in likert:
        within[item.scale] = within.get(item.scale, 0) + 1
        rank[item.key] = (within[item.scale], scales.index(item.scale))
    return sorted(likert, key=lambda i: rank[i.key])


def pulse_items(engagement, instrument, count=PULSE_ITEMS):
    """The `count` likert items of this engagement's pulses asked least recently (never asked first),
    ties broken by the rotation order: deterministic, and every item comes round regularly. Pulses sent
    with earlier versions of the instrument count too (an item keeps its key across versions)."""
    ordered = rotation_order(instrument_items(instrument))
    last_asked = {}
    pulses = (
        FeedbackInvitation.select(FeedbackInvitation.id, FeedbackInvitation.item_keys)
        .join(FeedbackInstrument)
        .where(
            (FeedbackInvitation.engagement == engagement.id)
            & (FeedbackInstrument.key == instrument.key)
            & (FeedbackInvitation.kind == "pulse")
        )
        .order_by(FeedbackInvitation.id)
        .tuples()
    )
    for invitation_id, keys_ in pulses:
        for key in (keys_ or "").split(","):
            last_asked[key] = invitation_id
    position = {item.key: n for n, item in enumerate(ordered)}
    ordered.sort(key=lambda i: (last_asked.get(i.key, 0), position[i.key]))
    return ordered[:count]


def bad_emails_message(bad):
    return "Not an email address: " + ", ".join(bad) + ". Write one address per line."


def parse_emails(text):
    """Emails typed one per line or separated by commas: (emails, [bad ones])."""
    found, bad = [], []
    for part in re.split(r"[\s,;]+", text or ""):
        part = part.strip().strip("<>").lower()
        if not part:
            continue
        (bad if email_problem(part) else found).append(part)  # the one email rule (models)
    return list(dict.fromkeys(found)), bad


def pulse_candidates(meeting):
    """The meeting's attendees who are team members with an email."""
    return list(
        TeamMember.select()
        .join(MeetingAttendee, on=(MeetingAttendee.team_member == TeamMember.id))
        .where((MeetingAttendee.meeting == meeting.id) & (TeamMember.email != "") & TeamMember.deleted_at.is_null())
        .order_by(TeamMember.name)
    )


def survey_candidates(engagement, today=None):
    """The engagement's current team members with an email."""
    today = today or todays_date()
    return list(
        TeamMember.select()
        .where(
            (TeamMember.engagement == engagement.id)
            & TeamMember.deleted_at.is_null()
            & (TeamMember.email != "")
            & (TeamMember.left_on.is_null() | (TeamMember.left_on >= today))
        )
        .order_by(TeamMember.name)
    )


def answer_url(token):
    return mail.external_url("feedback.answer", token=token)  # from BASE_URL, never the Host header


def _message(engagement, kind, url, expires_at):
    ask = (
        "three quick questions (under a minute)" if kind == "pulse" else "the full feedback survey (about five minutes)"
    )
    return (
        f"Hello,\n\nThe implementation support team for “{engagement.title}” would value your view: "
        f"{ask}.\n\nAnswer here (no account needed, the link works once): {url}\n\n"
        f"Your answers are anonymous unless you choose otherwise. The link expires on "
        f"{format_date(expires_at)}.\n\nThank you.\n"
    )


def link_token(batch_key, email):
    """The token of `email`'s link in the batch sent with `batch_key` (a secret of 32 random bytes, kept
    by the sender's session): the sent page shows the links again after its redirect, and on a reload,
    without the database ever holding more than their hashes."""
    digest = hmac.new(batch_key.encode("ascii"), email.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def new_batch_key():
    return secrets.token_urlsafe(32)


def create_invitations(engagement, kind, recipients, user=None, meeting=None, items=None, days=None, batch_key=None):
    """Create one invitation per recipient and queue its email in the outbox, in one transaction (a
    recipient with an account who chose a digest or no email is told their way: services/notifications.py).
    The mail is sent after commit (tracker/mail.py: after the request, or by `send-mail`): no network
    I/O happens here.

    `recipients`: [(email, team_member or None)]; duplicate emails are asked once. `items`: the items
    asked (default: every item for a survey, the pulse rotation for a pulse). Returns
    [{"invitation", "token", "url", "email", "name"}]; the tokens exist only in this return value
    and the emails sent, or with `batch_key` (new_batch_key()) are derived from it (link_token), so that
    whoever holds the key can show them again (sent_links).
    """
    if engagement.status == "closed" or engagement.deleted_at is not None:
        raise ValidationError({"__all__": CLOSED_MESSAGE})
    if kind not in ("pulse", "survey"):
        raise ValidationError({"kind": "Choose a pulse or a full survey."})
    seen, unique = set(), []
    for email, member in recipients:
        email = (email or "").strip().lower()
        if email and email not in seen:
            seen.add(email)
            unique.append((email, member))
    if not unique:
        raise ValidationError({"recipients": "Choose at least one person to ask, or type an email address."})
    bad = [email for email, _member in unique if email_problem(email)]  # the one email rule (models)
    if bad:
        raise ValidationError({"emails": bad_emails_message(bad)})
    instrument = current_instrument()
    if instrument is None:
        raise ValidationError({"__all__": "The feedback instrument is missing: run `flask init-db` first."})
    if items is None:
        items = instrument_items(instrument) if kind == "survey" else pulse_items(engagement, instrument)
    item_keys = ",".join(i.key for i in items)
    days = days or current_app.config.get("FEEDBACK_LINK_DAYS", LINK_DAYS)
    now = utcnow()
    expires_at = now + dt.timedelta(days=days)
    sent = []
    with database.atomic():
        for email, member in unique:
            token = link_token(batch_key, email) if batch_key else secrets.token_urlsafe(32)
            invitation = FeedbackInvitation.create(
                engagement=engagement.id,
                meeting=meeting.id if meeting else None,
                instrument=instrument.id,
                kind=kind,
                email=email,
                team_member=member.id if member else None,
                sent_by=user.id if user else None,
                token_hash=hash_token(token),
                item_keys=item_keys,
                created_at=now,
                expires_at=expires_at,
            )
            url = answer_url(token)
            subject = ("Three quick questions" if kind == "pulse" else "Feedback survey") + f": {engagement.title}"
            notifications.feedback_requested(  # the invitation mail, or as the invited account chose
                email,
                subject,
                _message(engagement, kind, url, expires_at),
                redact=[token],
                invitation_id=invitation.id,
                engagement_id=engagement.id,
            )
            sent.append(
                {
                    "invitation": invitation,
                    "token": token,
                    "url": url,
                    "email": email,
                    "name": member.name if member else "",
                }
            )
    return sent


def sent_links(engagement, batch_key, invitation_ids):
    """The links of a batch sent with `batch_key`, as create_invitations returned them (without
    "token" and in the same order): the invitations of `engagement` among `invitation_ids` whose stored
    hash the key still opens; nothing for a key that is not theirs."""
    invitations = (
        FeedbackInvitation.select(FeedbackInvitation, TeamMember)
        .join(TeamMember, on=(FeedbackInvitation.team_member == TeamMember.id), join_type=JOIN.LEFT_OUTER)
        .where(
            (FeedbackInvitation.engagement == engagement.id) & FeedbackInvitation.id.in_(list(invitation_ids) or [0])
        )
        .order_by(FeedbackInvitation.id)
    )
    out = []
    for invitation in invitations:
        token = link_token(batch_key, invitation.email)
        if hmac.compare_digest(hash_token(token), invitation.token_hash):
            member = invitation.team_member if invitation.team_member_id else None
            out.append(
                {
                    "invitation": invitation,
                    "url": answer_url(token),
                    "email": invitation.email,
                    "name": member.name if member else "",
                }
            )
    return out


# --- answering ------------------------------------------------------------------------------------


def _check(invitation):
    """Raise LinkRefused unless the invitation can be answered now."""
    if invitation is None:
        raise LinkRefused("invalid")
    engagement = Engagement.get_or_none(Engagement.id == invitation.engagement_id)
    if engagement is None or engagement.deleted_at is not None:
        raise LinkRefused("invalid")
    if invitation.used_at is not None:
        raise LinkRefused("used")
    if engagement.status == "closed":
        raise LinkRefused("closed")
    if invitation.expires_at <= utcnow():
        raise LinkRefused("expired")
    invitation.engagement = engagement
    return invitation


def invitation_for_token(token):
    """The invitation a link's token opens, or LinkRefused (tampered/unknown: invalid)."""
    if not token or not TOKEN_RE.match(token):
        raise LinkRefused("invalid")
    return _check(FeedbackInvitation.get_or_none(FeedbackInvitation.token_hash == hash_token(token)))


def invitation_for_user(invitation_id, user):
    """An invitation addressed to a signed-in user's email (answered from their home page)."""
    invitation = FeedbackInvitation.get_or_none(
        (FeedbackInvitation.id == invitation_id) & (FeedbackInvitation.email == (user.email or "").lower())
    )
    return _check(invitation)


def asked_items(invitation):
    """The items of this invitation, in the instrument's order, from the version it was sent with."""
    keys_ = [k for k in (invitation.item_keys or "").split(",") if k]
    return list(
        FeedbackItem.select()
        .where((FeedbackItem.instrument == invitation.instrument_id) & FeedbackItem.key.in_(keys_))
        .order_by(FeedbackItem.position)
    )


def open_invitations_for(user, today=None):
    """Unanswered, unexpired invitations addressed to this user's email, on live, not closed engagements."""
    if not getattr(user, "email", None):
        return []
    return list(FeedbackInvitation.open_for(user.email))


def submit(invitation, values, comments, anonymous=True, user=None, today=None):
    """Store one response for an invitation, once.

    `values` {item_key: 1..5}, `comments` {key: text}. Anonymous (the default): nothing ties the response
    to the invitation or the person. Named: the respondent is the signed-in user, else the user with the
    invitation's email, else the email itself. Raises ValidationError for bad answers and LinkRefused
    when the link was used (also by a concurrent submit), has expired or the engagement closed.
    """
    items = {i.key: i for i in asked_items(invitation)}
    likert = {k for k, i in items.items() if i.kind == "likert"}
    texts = {k for k, i in items.items() if i.kind == "text"}
    if invitation.kind == "pulse":
        texts.add(PULSE_COMMENT_KEY)
    errors = {}
    clean_values = {}
    for key, value in values.items():
        if key not in likert:
            errors[key] = UNKNOWN_ITEM_MESSAGE  # named: the API says which key (the page never sends one)
        elif value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                errors[key] = "Choose a value from 1 (completely disagree) to 5 (completely agree)."
            else:
                clean_values[key] = value
    clean_comments = {}
    for key, text in comments.items():
        if key not in texts:
            errors[key] = UNKNOWN_ITEM_MESSAGE  # named: the API says which key (the page never sends one)
        elif text and text.strip():
            if len(text) > MAX_COMMENT:
                errors[key] = f"At most {MAX_COMMENT} characters."
            clean_comments[key] = text.strip()
    if not errors and not clean_values and not clean_comments:
        errors["__all__"] = "Answer at least one question or write a comment before sending."
    if errors:
        raise ValidationError(errors)

    today = today or todays_date()
    day = midnight(today)
    with database.atomic():
        # Single use, atomically: of two concurrent submits only one sees used_at still empty.
        claimed = (
            FeedbackInvitation.update(used_at=day)
            .where(
                (FeedbackInvitation.id == invitation.id)
                & FeedbackInvitation.used_at.is_null()
                & (FeedbackInvitation.expires_at > utcnow())
            )
            .execute()
        )
        if claimed != 1:
            raise LinkRefused("used" if FeedbackInvitation.get_by_id(invitation.id).used_at else "expired")
        engagement = Engagement.get_by_id(invitation.engagement_id)
        if engagement.status == "closed" or engagement.deleted_at is not None:
            raise LinkRefused("closed")
        fields = {
            "engagement": invitation.engagement_id,
            "instrument": invitation.instrument_id,
            "kind": invitation.kind,
            "meeting": invitation.meeting_id,
            "submitted_on": today,
            "comments": json.dumps(clean_comments, sort_keys=True),
        }
        if anonymous:
            fields.update(anonymous=True, respondent=None, created_at=day)
            response_id = FeedbackResponse.insert(**fields).execute()
            AuditEntry.insert(
                at=day,
                user=None,
                action="create",
                entity="FeedbackResponse",
                entity_id=response_id,
                engagement_id=invitation.engagement_id,
                changes=json.dumps(
                    {"kind": invitation.kind, "anonymous": True, "submitted_on": today.isoformat()}, sort_keys=True
                ),
            ).execute()
            response = FeedbackResponse.get_by_id(response_id)
        else:
            respondent = user or User.get_or_none(User.email == invitation.email)
            response = FeedbackResponse.create(
                anonymous=False,
                respondent=respondent.id if respondent else None,
                respondent_email="" if respondent else invitation.email,
                **fields,
            )
        if clean_values:
            FeedbackAnswer.insert_many(
                [{"response": response.id, "item": items[k].id, "value": v} for k, v in clean_values.items()]
            ).execute()
        FeedbackRelease.release_due(invitation.engagement_id, today)
    return response


# --- deleting and restoring a response (a duplicate or a test answer) ----------------------------------


def responses_for(engagement, deleted=False):
    """The engagement's live (or deleted) responses, newest first, for choosing one to delete or
    restore: [{"response", "kind", "from", "answers", "comments"}]. Two queries.

    What identifies a response is kept to what the engagement page's activity log already shows (its
    day) plus its kind and how many questions it answered; for an anonymous response never its scores,
    comments or meeting, which could tie it to the person invited."""
    query = (
        FeedbackResponse.select(FeedbackResponse, User)
        .join(User, JOIN.LEFT_OUTER, on=(FeedbackResponse.respondent == User.id))
        .where((FeedbackResponse.engagement == engagement.id) & FeedbackResponse.deleted_at.is_null(not deleted))
    )
    order = ((FeedbackResponse.deleted_at.desc(),) if deleted else ()) + (
        FeedbackResponse.submitted_on.desc(),
        FeedbackResponse.id.desc(),
    )
    responses = list(query.order_by(*order))
    answered = {}
    if responses:
        answered = dict(
            FeedbackAnswer.select(FeedbackAnswer.response, fn.COUNT(FeedbackAnswer.id))
            .where(FeedbackAnswer.response.in_([r.id for r in responses]))
            .group_by(FeedbackAnswer.response)
            .tuples()
        )
    rows = []
    for r in responses:
        if r.anonymous:
            who = "Anonymous"
        elif r.respondent_id and r.respondent is not None:
            who = r.respondent.name
        else:
            who = r.respondent_email or "Named, without an account"
        rows.append(
            {
                "response": r,
                "kind": "Pulse" if r.kind == "pulse" else "Full survey",
                "from": who,
                "answers": answered.get(r.id, 0),
                "comments": len([t for t in r.comment_map.values() if t]),
            }
        )
    return rows


def delete_response(response):
    """Soft-delete one response (administrators: policy.can_delete_feedback_response): it is never
    released from now on, and stays counted in the releases it is already in, so the figures shown
    do not change and no before/after comparison isolates it (docs/disclosure.md). The invitation it
    answered stays used. Audited as "delete" (by the person deleting, never the respondent)."""
    with database.atomic():
        response.soft_delete()
    return response


def restore_response(response):
    """Count a deleted response again: pending again, released with the next release of at least
    three. Audited as "restore"."""
    with database.atomic():
        response.restore()
        FeedbackRelease.release_due(response.engagement_id, todays_date())
    return response


# --- periodic surveys (the send-surveys command) ------------------------------------------------------


def surveys_due(today=None, days=None):
    """[(engagement, last survey date or None)] of active engagements whose last survey (or, without
    one, whose start) is at least `days` old."""
    today = today or todays_date()
    days = days or current_app.config.get("FEEDBACK_SURVEY_DAYS", SURVEY_DAYS)
    cutoff = today - dt.timedelta(days=days)
    last = {
        row[0]: row[1]
        for row in FeedbackInvitation.select(FeedbackInvitation.engagement, FeedbackInvitation.created_at)
        .where(FeedbackInvitation.kind == "survey")
        .order_by(FeedbackInvitation.created_at)
        .tuples()
    }
    due = []
    for engagement in Engagement.live().where(Engagement.status == "active").order_by(Engagement.id):
        sent = last.get(engagement.id)
        if isinstance(sent, str):
            sent = dt.datetime.fromisoformat(sent)
        reference = sent.date() if sent else engagement.start_date
        if reference <= cutoff:
            due.append((engagement, sent.date() if sent else None))
    return due


def send_survey(engagement, dry_run=False, today=None):
    """Create one due engagement's survey (one transaction); returns (number of invitations, note).
    Raises ValidationError when it cannot be sent (the `send-surveys` command reports it, goes on)."""
    members = survey_candidates(engagement, today)
    if not members:
        return 0, "no current team member with an email"
    if dry_run:
        return len(members), "would send (dry run)"
    return len(create_invitations(engagement, "survey", [(m.email, m) for m in members])), "sent"
