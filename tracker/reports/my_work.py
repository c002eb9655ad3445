"""My work (issue 23): what waits for each person, the landing section of their home page, the /my-work page
and the count in the navigation.

One function per section, each taking the user and giving a `Section` (its items, bounded by `limit` and
`offset`, and its total). Which sections a user has is asked of the policy (`sections_for`): drafts to
finish and logs returned to their author (those who log sessions), logs waiting for the user's review
(policy.reviewable_logs), overdue next steps and deliverables on an ISP's engagements, requests waiting for
triage (those who triage) or for the user's answer (recipients), feedback asked of the user, and, for
administrators, reviews running late: logs submitted more than `on_time_days` working days ago and not yet
reviewed. `waiting_total` is the navigation's count: every section's total in one query.

Logs are meetings and activities: each log section is one UNION ALL of the two (kind, id, date), paged in
SQL, then the page's records are loaded (a query per kind and one for the people named).
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from peewee import SQL, Select, Value, fn

from .. import policy
from ..dates import add_working_days
from ..db import database
from ..models import (
    Activity,
    Deliverable,
    Engagement,
    FeedbackInvitation,
    Meeting,
    Setting,
    SupportRequest,
    User,
    today,
)
from . import open_next_steps
from .cache import cached_per_user

ON_HOME = 5  # items of each section on the home page (the section's link shows them all)
PER_PAGE = 25  # items of a section on a page of /my-work
LOG_KINDS = (("meeting", Meeting, "Meeting log"), ("activity", Activity, "Activity"))
FEEDBACK_NAMES = {"pulse": "Three quick questions", "survey": "Feedback survey"}


@dataclass
class Item:
    """One thing waiting: what it is (kind, the engagement's or request's readable id and title, a date and
    what that date is), why it is here, and the page it is done on (an endpoint and its arguments)."""

    kind: str
    ref: str
    title: str
    date: dt.date
    date_label: str
    why: str
    endpoint: str
    args: dict = field(default_factory=dict)


@dataclass
class Section:
    key: str
    title: str
    total: int
    items: list


class _Reader:
    """The settings a user's sections read, each read once."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def review_by(self):
        return Setting.value_of("review_by")

    @cached_property
    def on_time_days(self):
        return Setting.value_of("on_time_days")

    @cached_property
    def visible_ids(self):
        return policy.visible_engagements(self.user).select(Engagement.id)


# --- the queries of each section (rows to count and to page) ---------------------------------------------


def _logs(where):
    """The live logs (meetings and activities) for which `where(model)` holds, as one UNION ALL of
    (log_kind, log_id, log_date), oldest first."""
    parts = [
        model.select(Value(kind).alias("log_kind"), model.id.alias("log_id"), model.date.alias("log_date")).where(
            where(model) & model.deleted_at.is_null()
        )
        for kind, model, _label in LOG_KINDS
    ]
    return (parts[0] + parts[1]).order_by(SQL("log_date"), SQL("log_kind"), SQL("log_id"))


def _own_logs(reader, state):
    user = reader.user
    return _logs(lambda m: (m.logged_by == user.id) & (m.review_state == state) & m.engagement.in_(reader.visible_ids))


def _drafts_query(reader):
    return _own_logs(reader, "draft")


def _returned_query(reader):
    return _own_logs(reader, "returned")


def _to_review_query(reader):
    """policy.reviewable_logs of both kinds (its query, with the columns of a log row)."""
    parts = [
        policy.reviewable_logs(reader.user, model, reader.review_by).select(
            Value(kind).alias("log_kind"), model.id.alias("log_id"), model.date.alias("log_date")
        )
        for kind, model, _label in LOG_KINDS
    ]
    return (parts[0] + parts[1]).order_by(SQL("log_date"), SQL("log_kind"), SQL("log_id"))


def _late_query(reader):
    cutoff = add_working_days(today(), -reader.on_time_days)
    since = dt.datetime.combine(cutoff, dt.time())
    return _logs(
        lambda m: (m.review_state == "submitted") & (m.submitted_at < since) & m.engagement.in_(reader.visible_ids)
    )


def _next_steps_query(reader):
    return open_next_steps(policy.visible_engagements(reader.user), today() - dt.timedelta(days=1))


def _deliverables_query(reader):
    return Deliverable.overdue(reader.visible_ids, today()).select_extend(Engagement).join(Engagement)


def _triage_query(reader):
    """The queue's requests that wait for a decision (not those waiting for the requester's answer)."""
    waiting = SupportRequest.in_queue(policy.visible_requests(reader.user))
    return waiting.where(SupportRequest.status == "submitted")


def _questions_query(reader):
    return SupportRequest.questions_waiting(policy.visible_requests(reader.user))


def _feedback_query(reader):
    return FeedbackInvitation.open_for(reader.user.email)


# --- items ------------------------------------------------------------------------------------------------


def _names(ids):
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(User.select(User.id, User.name).where(User.id.in_(ids)).tuples())


def _log_items(rows, why, author_page=False):
    """The records of a page of log rows, in the rows' order, as items; `why(log, names)` says why each
    is here. The author's own logs open their edit page (activities have no page of their own)."""
    loaded = {}
    for kind, model, _label in LOG_KINDS:
        ids = [row_id for row_kind, row_id, _date in rows if row_kind == kind]
        if ids:
            for log in model.select(model, Engagement).join(Engagement).where(model.id.in_(ids)):
                loaded[kind, log.id] = log
    names = _names(n for log in loaded.values() for n in (log.logged_by_id, log.reviewed_by_id))
    items = []
    for kind, log_id, _date in rows:
        log = loaded[kind, log_id]
        e = log.engagement
        if kind == "meeting":
            endpoint, args = "meetings.detail", {"engagement_id": e.id, "meeting_id": log.id}
        elif author_page:
            endpoint, args = "activities.edit", {"engagement_id": e.id, "activity_id": log.id}
        else:
            endpoint, args = "activities.index", {"engagement_id": e.id}
        label = dict((k, lbl) for k, _m, lbl in LOG_KINDS)[kind]
        items.append(Item(label, e.ref or "", e.title, log.date, "Held", why(log, names), endpoint, args))
    return items


def _page(query, limit, offset):
    return query.limit(limit).offset(offset) if limit else []


def _log_section(key, title, query, limit, offset, why, author_page=False):
    rows = list(_page(query, limit, offset).tuples()) if limit else []
    return Section(key, title, query.count(), _log_items(rows, why, author_page))


def drafts(user, limit=ON_HOME, offset=0, reader=None):
    return _log_section(
        "drafts",
        "Drafts to finish",
        _drafts_query(reader or _Reader(user)),
        limit,
        offset,
        lambda log, names: "Saved as a draft: not counted until you submit it.",
        author_page=True,
    )


def returned(user, limit=ON_HOME, offset=0, reader=None):
    def why(log, names):
        who = names.get(log.reviewed_by_id, "the reviewer")
        return f"Returned by {who}: {log.review_note}" if log.review_note else f"Returned by {who}."

    return _log_section(
        "returned", "Returned to you", _returned_query(reader or _Reader(user)), limit, offset, why, True
    )


def to_review(user, limit=ON_HOME, offset=0, reader=None):
    def why(log, names):
        return f"Submitted by {names.get(log.logged_by_id, 'a former user')}: return it with a note or approve it."

    return _log_section(
        "to_review", "Waiting for your review", _to_review_query(reader or _Reader(user)), limit, offset, why
    )


def late_reviews(user, limit=ON_HOME, offset=0, reader=None):
    reader = reader or _Reader(user)
    days = reader.on_time_days

    def why(log, names):
        author = names.get(log.logged_by_id, "a former user")
        return f"Submitted by {author} more than {days} working days ago and not reviewed yet."

    return _log_section("late_reviews", "Reviews running late", _late_query(reader), limit, offset, why)


def overdue_next_steps(user, limit=ON_HOME, offset=0, reader=None):
    query = _next_steps_query(reader or _Reader(user))
    items = []
    for step in _page(query, limit, offset):
        m, e = step.meeting, step.meeting.engagement
        owner = f" (owner: {step.owner})" if step.owner else ""
        args = {"engagement_id": e.id, "meeting_id": m.id}
        items.append(
            Item(
                "Next step",
                e.ref or "",
                e.title,
                step.due_on,
                "Due",
                f"Overdue: {step.text}{owner}",
                "meetings.detail",
                args,
            )
        )
    return Section("next_steps", "Overdue next steps", query.count(), items)


def overdue_deliverables(user, limit=ON_HOME, offset=0, reader=None):
    query = _deliverables_query(reader or _Reader(user))
    items = [
        Item(
            "Deliverable",
            d.engagement.ref or "",
            d.engagement.title,
            d.due_on,
            "Due",
            f"Overdue, not delivered: {d.title}",
            "deliverables.deliver",
            {"engagement_id": d.engagement_id, "deliverable_id": d.id},
        )
        for d in _page(query, limit, offset)
    ]
    return Section("deliverables", "Overdue deliverables", query.count(), items)


def requests_to_triage(user, limit=ON_HOME, offset=0, reader=None):
    query = _triage_query(reader or _Reader(user))
    items = []
    for r in _page(query, limit, offset):
        if r.answered_waiting:
            why = "The requester answered the team's question: decide what happens next."
        else:
            why = f"New request from {r.unit.name}{' (urgent)' if r.urgent else ''}: accept, decline or ask."
        items.append(
            Item(
                "Support request",
                r.ref or "",
                r.title,
                r.created_at.date(),
                "Received",
                why,
                "requests.detail",
                {"request_id": r.id},
            )
        )
    return Section("triage", "Requests waiting for triage", query.count(), items)


def questions(user, limit=ON_HOME, offset=0, reader=None):
    query = _questions_query(reader or _Reader(user))
    items = [
        Item(
            "Support request",
            r.ref or "",
            r.title,
            r.created_at.date(),
            "Requested",
            f"The team asks: {r.info_question}",
            "requests.detail",
            {"request_id": r.id, "_anchor": "answer"},
        )
        for r in _page(query, limit, offset)
    ]
    return Section("questions", "Questions waiting for your answer", query.count(), items)


def feedback(user, limit=ON_HOME, offset=0, reader=None):
    query = _feedback_query(reader or _Reader(user))
    items = [
        Item(
            "Feedback",
            inv.engagement.ref or "",
            inv.engagement.title,
            inv.expires_at.date(),
            "Open until",
            f"{FEEDBACK_NAMES.get(inv.kind, 'Feedback')} asked of you about {inv.engagement.title}.",
            "feedback.answer_mine",
            {"invitation_id": inv.id},
        )
        for inv in _page(query, limit, offset)
    ]
    return Section("feedback", "Feedback waiting for you", query.count(), items)


# --- which sections, and the navigation's count --------------------------------------------------------------

SECTIONS = {
    "drafts": (drafts, _drafts_query),
    "returned": (returned, _returned_query),
    "to_review": (to_review, _to_review_query),
    "late_reviews": (late_reviews, _late_query),
    "next_steps": (overdue_next_steps, _next_steps_query),
    "deliverables": (overdue_deliverables, _deliverables_query),
    "triage": (requests_to_triage, _triage_query),
    "questions": (questions, _questions_query),
    "feedback": (feedback, _feedback_query),
}


def section_keys(user):
    """The sections `user` has, in the order shown (the policy decides who has which)."""
    return [key for key in SECTIONS if policy.has_work_section(user, key)]


def sections(user, limit=ON_HOME):
    """Every section of `user` with at most `limit` items each, empty ones left out."""
    reader = _Reader(user)
    found = [SECTIONS[key][0](user, limit=limit, reader=reader) for key in section_keys(user)]
    return [s for s in found if s.total]


def section(user, key, limit=PER_PAGE, offset=0):
    """One section in full, a page at a time; None when `user` has no such section."""
    if key not in SECTIONS or not policy.has_work_section(user, key):
        return None
    return SECTIONS[key][0](user, limit=limit, offset=offset)


class _GivenSettings(_Reader):
    """The stand-in's reader: only the settings given (the key of the SQL kept); a section reading another one
    fails loudly instead of baking today's value into SQL kept for days."""

    def __init__(self, user, settings):
        super().__init__(user)
        self.given = dict(settings)

    def _setting(self, name):
        if name not in self.given:
            raise LookupError(f"my_work: a section reads the setting {name!r}: add it to _SETTINGS_READ")
        return self.given[name]

    review_by = property(lambda self: self._setting("review_by"))
    on_time_days = property(lambda self: self._setting("on_time_days"))


# What the count's SQL depends on besides the day and the settings it reads: these fields of the user (the
# policy's visibility and sections read nothing else of them).
_USER_FIELDS = ("id", "role", "email", "organization", "unit", "reads_all_organizations")
_SETTINGS_READ = {"to_review": "review_by", "late_reviews": "on_time_days"}  # section: the setting it reads


@cached_per_user
def waiting_total(user):
    """The sum of the totals of every section of `user`: one query (and the settings it reads), kept
    while the data stand (reports.cache): building its SQL costs more than running it (~15 ms for an ISP),
    and every page's header asks for it, so the SQL itself is kept too, per user, day and settings."""
    keys = section_keys(user)
    if not keys:
        return 0
    who = tuple(user.__data__.get(name) for name in _USER_FIELDS)
    settings = tuple((name, Setting.value_of(name)) for key, name in _SETTINGS_READ.items() if key in keys)
    sql, params = _waiting_sql(type(database.obj), who, today(), settings)
    return sum(database.execute_sql(sql, params).fetchone())


@lru_cache(maxsize=1024)
def _waiting_sql(_database_kind, who, _day, settings):
    """(sql, params) of waiting_total's one query, built from the user's fields alone (`who`, in _USER_FIELDS'
    order) and the settings read: a stand-in user proves the SQL depends on nothing else. Keyed by the kind
    of database (its SQL dialect) and the day too: cutoffs are days before today."""
    reader = _GivenSettings(User(**dict(zip(_USER_FIELDS, who, strict=True))), settings)
    user = reader.user
    counts = [
        Select(from_list=[SECTIONS[key][1](reader).order_by().alias(f"s_{key}")], columns=[fn.COUNT(SQL("*"))])
        for key in section_keys(user)
    ]
    return database.get_sql_context().sql(Select(columns=[c.alias(f"n{i}") for i, c in enumerate(counts)])).query()
