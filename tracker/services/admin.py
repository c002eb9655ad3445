"""Writes and reads of the admin area: users, the audit log, catalog entries.

Writes raise models.ValidationError({field: message}) and are called inside database.atomic()
(save_form), so nothing is written when any part is refused.
"""

import datetime as dt
import re
import secrets

from flask import current_app
from peewee import JOIN, fn

from .. import mail, policy
from ..audit import describe_entries
from ..forms.admin import AuditFilterForm
from ..models import (
    AuditEntry,
    BenchmarkTemplate,
    Competency,
    Engagement,
    FeedbackInstrument,
    GoalTemplate,
    Organization,
    SignInAttempt,
    Strategy,
    Unit,
    User,
    UserInvitation,
    ValidationError,
    capacity_problem,
    utcnow,
)
from ..models.audit import entity_label
from . import account
from .feedback import TOKEN_RE, hash_token

# How long an invitation (or reset) link works, in days: the INVITATION_DAYS setting, this by default.
INVITATION_DAYS = 7

# A model's reference field -> the domain's (and the API's) name for the id it takes.
REFERENCE_NAMES = {"unit": "unit_id", "organization": "organization_id"}


def _refuse(errors):
    if errors:
        raise ValidationError({REFERENCE_NAMES.get(key, key): message for key, message in errors.items()})


def _apply_user_fields(user, data):
    """`data` under the domain's names: email (creating only), name, role, unit_id, organization_id, is_active,
    reads_all_organizations (a leader's scope: every organization, an administrator's explicit choice)."""
    for name in ("email", "name", "role", "is_active", "reads_all_organizations", "hourly_rate"):
        if name in data:
            setattr(user, name, data[name])
    user.unit = data.get("unit_id")
    user.organization = data.get("organization_id")
    if user.organization_id is None and user.unit_id is not None:
        unit = Unit.get_or_none(Unit.id == user.unit_id)
        user.organization = unit.organization_id if unit else None  # as create-user does


def create_user(data):
    """A new account from `data` (email, name, role, unit_id, organization_id, password): the admin page,
    the API and `flask create-user` all come here, so every rule (the model's, the password policy) holds
    on each. Refusals are keyed by those names, all at once."""
    user = User()
    _apply_user_fields(user, data)
    errors = user.validate()
    for key, message in user.password_problems(data.get("password")).items():
        errors.setdefault(key, message)
    _refuse(errors)
    user.set_password(data["password"])
    user.save()
    return user


def invite_user(data, invited_by):
    """The admin page's new account (`data` as create_user, without a password): the person gets no
    password and cannot sign in until they set their own through the emailed link (send_invitation).
    Returns (user, invitation)."""
    user = User()
    _apply_user_fields(user, data)
    _refuse(user.validate())
    user.save()
    return user, send_invitation(user, invited_by)


class LinkRefused(Exception):
    """A set-password link that does not work: `reason` is "invalid" (unknown, mistyped or replaced by
    a newer link), "used" or "expired"."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def send_invitation(user, invited_by):
    """A new one-time link for `user` to set their password, mailed through the outbox (the stored copy
    of the mail hides the link; the database keeps only the token's sha256). Any earlier link of theirs
    that was not used stops working (it is kept, for the audit log, and refused as replaced). An invited
    person gets an invitation; someone who has a password a link to set a new one. Returns the
    UserInvitation, its link in `.url` (in memory only: for the caller's tests and tools, never stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    days = int(current_app.config.get("INVITATION_DAYS", INVITATION_DAYS))
    invitation = UserInvitation.create(
        user=user.id,
        token_hash=hash_token(token),
        invited_by=getattr(invited_by, "id", invited_by),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    url = mail.external_url("auth.set_password", token=token)
    who = invited_by.name if getattr(invited_by, "name", None) else "An administrator"
    if user.is_invited:
        subject = "You are invited to the Engagement Tracker"
        text = (
            f"{who} invited you to the Engagement Tracker as {user.role_label.lower()}.\n\n"
            f"Choose your password here to start (the link works once, for {days} days):"
        )
    else:
        subject = "Set a new password for the Engagement Tracker"
        text = (
            f"{who} sent you a link to set a new password for the Engagement Tracker.\n\n"
            f"Choose your new password here (the link works once, for {days} days):"
        )
    body = f"Hello {user.name},\n\n{text}\n\n{url}\n\nYour email to sign in: {user.email}\n\n— Engagement Tracker\n"
    mail.queue(user.email, subject, body, redact=[token])
    invitation.url = url
    return invitation


def invitation_for_token(token):
    """The invitation a set-password link opens, or LinkRefused."""
    if not token or not TOKEN_RE.match(token):
        raise LinkRefused("invalid")
    invitation = UserInvitation.get_or_none(UserInvitation.token_hash == hash_token(token))
    if invitation is None or not invitation.user.is_active:
        raise LinkRefused("invalid")
    if invitation.used_at is not None:
        raise LinkRefused("used")
    if invitation.replaced():
        raise LinkRefused("invalid")
    if invitation.expires_at <= utcnow():
        raise LinkRefused("expired")
    return invitation


def accept_invitation(token, password):
    """The person of a set-password link chooses a password (the policy of every path:
    User.password_problems, reported as "password"); the link is used up. Someone who had a password
    already is signed out everywhere else and told (as when they change it on their account page).
    Returns the user."""
    invitation = invitation_for_token(token)
    user = User.get_by_id(invitation.user_id)
    had_password = not user.is_invited
    user.change_password(password)
    invitation.used_at = utcnow()
    invitation.save()
    if had_password:
        account.end_sessions(user, "password_changed")
    else:
        user.save()
    SignInAttempt.clear(user.email)
    return user


def update_user(user, data, acting_user):
    _apply_user_fields(user, data)
    errors = user.validate()
    if user.id == acting_user.id:
        if not user.is_active:
            errors.setdefault("is_active", "You cannot deactivate your own account; ask another administrator.")
        if not policy.is_admin(user):
            errors.setdefault("role", "You cannot take away your own administrator role; ask another administrator.")
    _refuse(errors)
    user.save()
    return user


def rate_settings():
    """(intermediary organizations by name, ISPs by name with their organization): the Cost rates page."""
    organizations = list(Organization.select().where(Organization.kind == "intermediary").order_by(Organization.name))
    isps = (
        User.select(User, Organization)
        .join(Organization, JOIN.LEFT_OUTER, on=(User.organization == Organization.id))
        .where(User.role == "isp")
        .order_by(User.name, User.id)
    )
    return organizations, list(isps)


def set_organization_rates(rates):
    """The intermediary organizations' hourly rates (issue 19): {organization id: rate or None}, each checked
    by the model (rate_problem) and audited; refusals keyed org_<id>, all at once, nothing written then."""
    organizations = {o.id: o for o in Organization.select().where(Organization.id.in_(list(rates)))}
    errors = {}
    for oid, rate in rates.items():
        organizations[oid].hourly_rate = rate
        problem = organizations[oid].validate().get("hourly_rate")
        if problem:
            errors[f"org_{oid}"] = problem
    _refuse(errors)
    for organization in organizations.values():
        if organization.is_dirty():
            organization.save()
    return list(organizations.values())


def capacity_settings():
    """The active ISPs by name with their organization: the Capacity page (issue 22)."""
    return list(
        User.select(User, Organization)
        .join(Organization, JOIN.LEFT_OUTER, on=(User.organization == Organization.id))
        .where((User.role == "isp") & User.is_active)
        .order_by(User.name, User.id)
    )


def set_capacities(capacities):
    """The ISPs' monthly capacities (issue 22): {user id: minutes or None}, each checked by the model
    (capacity_problem) and audited; refusals keyed isp_<id>, all at once, nothing written then."""
    isps = {u.id: u for u in User.select().where(User.id.in_(list(capacities)) & (User.role == "isp"))}
    errors = {f"isp_{uid}": capacity_problem(minutes) for uid, minutes in capacities.items()}
    _refuse({key: problem for key, problem in errors.items() if problem})
    changed = [isps[uid] for uid, minutes in capacities.items() if isps[uid].capacity_minutes != minutes]
    for isp in changed:
        isp.capacity_minutes = capacities[isp.id]
        isp.save()
    return changed


def set_password(user, password):
    """An administrator's password reset: the policy (User.password_problems), then every session and
    API token of the user ends, the sign-in lock of the account is lifted and the owner is told.
    Returns (user, API tokens revoked)."""
    user.change_password(password)
    revoked = account.end_sessions(user, "password_reset")
    SignInAttempt.clear(user.email)
    return user, revoked


def sign_out_everywhere(user):
    """Every session and API token of the user ends; the owner is told. Returns (user, tokens revoked)."""
    revoked = account.end_sessions(user, "signed_out")
    return user, revoked


def users_query(filters):
    query = (
        User.select(User, Unit, Organization)
        .join(Unit, JOIN.LEFT_OUTER, on=(User.unit == Unit.id))
        .switch(User)
        .join(Organization, JOIN.LEFT_OUTER, on=(User.organization == Organization.id))
    )
    if "role" in filters:
        query = query.where(User.role == filters["role"])
    if "q" in filters:
        needle = filters["q"].lower()
        query = query.where(fn.LOWER(User.name).contains(needle) | fn.LOWER(User.email).contains(needle))
    return query.order_by(User.name, User.id)


# --- audit log ------------------------------------------------------------------------------


def audit_query(filters):
    query = AuditEntry.select(AuditEntry, User).join(User, JOIN.LEFT_OUTER, on=(AuditEntry.user == User.id))
    if "entity" in filters:
        query = query.where(AuditEntry.entity == filters["entity"])
    if "action" in filters:
        query = query.where(AuditEntry.action == filters["action"])
    if "user" in filters:
        query = query.where(AuditEntry.user == filters["user"])
    if "engagement" in filters:
        query = query.where(AuditEntry.engagement_id == filters["engagement"])
    if "date_from" in filters:
        query = query.where(AuditEntry.at >= filters["date_from"])
    if "date_to" in filters:
        query = query.where(AuditEntry.at < filters["date_to"] + dt.timedelta(days=1))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def audit_rows(page_query):
    """The entries of one page in readable words (as the engagement page's Activity section), each with its
    record type as a label, the record's name today ("record": {"name", "exists", "deleted"}, or None when
    it is gone) and its engagement's title. A fixed number of queries: the page, the names of users and
    stages, and one per record type on the page."""
    entries = list(page_query)
    rows = describe_entries(entries)
    names = AuditEntry.record_names(entries)
    for row in rows:
        row["entity_label"] = entity_label(row["entity"])
        row["record"] = names.get((row["entity"], row["entity_id"]))
        row["engagement"] = names.get(("Engagement", row["engagement_id"]))
    return rows


AUDIT_CSV_MAX = 10_000  # the audit log's CSV: the newest matching changes, at most this many


def audit_filter_form(args):
    """The audit log's filter form read from `args`: what the page shows and its CSV holds."""
    people = User.select(User.id, User.name).order_by(User.name)
    return AuditFilterForm(args, audit_entities(), list(people), audit_engagements())


def audit_entities():
    """The record types in the log, as (entity, label) sorted by label."""
    entities = [row.entity for row in AuditEntry.select(AuditEntry.entity).distinct()]
    return sorted(((e, entity_label(e)) for e in entities), key=lambda pair: pair[1])


def audit_engagements():
    """Every engagement the log may mention, deleted ones included, for the engagement picker."""
    return list(Engagement.select(Engagement.id, Engagement.title, Engagement.deleted_at).order_by(Engagement.title))


# --- catalog --------------------------------------------------------------------------------


def _check_text(value, field, message, max_length):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > max_length:
        raise ValidationError({field: f"At most {max_length} characters."})
    return value


WORDING = ("name", "help")  # what a version is about: a change of either makes a new version


def _free_key(model, wanted):
    """`wanted` (a key made from a name or an earlier key), or it with the first free suffix -2, -3, ..."""
    base = (re.sub(r"[^a-z0-9]+", "_", wanted.lower()).strip("_") or "entry")[:70]
    taken = {k for (k,) in model.select(model.key).where(model.key.startswith(base)).tuples()}
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def replacement(entry):
    """The newer version that replaced `entry`, or None when it is current."""
    model = type(entry)
    return model.get_or_none(model.replaces == entry.id)


def update_entry(entry, form):
    """A competency, strategy or principle. A new wording (name or help text) makes a new version: a new
    entry that replaces this one, which is retired and stays on the records logged with it; new forms
    offer the new one only. Retiring (or offering again) changes the entry itself.
    Returns (the current entry, its earlier name when the name changed, else None)."""
    if replacement(entry) is not None:
        raise ValidationError({"name": "A newer version replaced this entry: edit that one."})
    name = _check_text(form.name.data, "name", "Give it a name.", 200)
    help_ = (form.help.data or "").strip()
    retired = bool(form.retired.data)
    if (name, help_) == (entry.name, entry.help):
        if retired != entry.retired:
            entry.retired = retired
            entry.save()
        return entry, None
    model = type(entry)
    fields = {f: v for f, v in entry.__data__.items() if f not in ("id", "version", "updated_at")}
    key = _free_key(model, f"{re.sub(r'_v[0-9]+(-[0-9]+)?$', '', entry.key)}_v{_version_number(entry) + 1}")
    entry.retired = True
    entry.save()
    current = model.create(
        **{**fields, "key": key, "name": name, "help": help_, "retired": retired, "replaces": entry.id}
    )
    return current, (entry.name if name != entry.name else None)


def _version_number(entry):
    """1 for an entry that replaces none, else one more than the entry it replaces."""
    n, seen = 1, entry
    while seen.replaces_id:
        n += 1
        seen = type(entry).get_by_id(seen.replaces_id)
    return n


def add_entry(model, form, parent=None):
    """A new competency (in a domain), strategy (in a cluster) or principle, placed last."""
    name = _check_text(form.name.data, "name", "Give it a name.", 200)
    fields = {"name": name, "help": (form.help.data or "").strip(), "key": _free_key(model, name)}
    if model is Competency:
        fields["domain"] = parent
        fields["position"] = (model.select(fn.MAX(model.position)).where(model.domain == parent).scalar() or 0) + 1
    elif model is Strategy:
        fields["cluster"] = parent
        fields["number"] = (model.select(fn.MAX(model.number)).scalar() or 0) + 1
    else:
        fields["position"] = (model.select(fn.MAX(model.position)).scalar() or 0) + 1
    return model.create(**fields)


def update_benchmark_template(template, form):
    form.populate_obj(template)
    template.text = _check_text(template.text, "text", "Describe the benchmark.", 300)
    template.save()
    return template


def add_benchmark_template(stage, form):
    text = _check_text(form.text.data, "text", "Describe the benchmark.", 300)
    last = (
        BenchmarkTemplate.select(fn.MAX(BenchmarkTemplate.position)).where(BenchmarkTemplate.stage == stage.id).scalar()
    )
    return BenchmarkTemplate.create(stage=stage, text=text, position=(last or 0) + 1)


# --- goal templates (issue 23) --------------------------------------------------------------------------


def goal_templates():
    """Every goal template: those offered first, then the retired, each by title."""
    return GoalTemplate.select().order_by(GoalTemplate.retired, GoalTemplate.title, GoalTemplate.id)


def retire_goal_template(template, retired=True):
    """Retire a goal template (no longer offered when adding a goal) or offer it again; audited."""
    template.retired = retired
    template.save()
    return template


# --- feedback items: each change is a new version of the instrument (FeedbackInstrument) ----------------


def feedback_instruments():
    """The current version of each feedback instrument with its items in order: [(instrument, items)]."""
    return [(instrument, instrument.ordered_items()) for instrument in FeedbackInstrument.latest_versions()]


def reword_feedback_item(item, form):
    """Version N+1 of the item's instrument asking `form.text`; audited as an update of the question.
    Returns (new instrument, old item, new item)."""
    earlier = item.instrument
    instrument, old, new = earlier.reword_item(item.key, form.text.data)
    changes = {"text": [old.text, new.text], "instrument_version": [earlier.version, instrument.version]}
    AuditEntry.record("update", new, changes)
    return instrument, old, new


def add_feedback_item(instrument, form):
    """Version N+1 of `instrument` with a new question; audited as its creation. Returns (new instrument, item)."""
    new_instrument, item = instrument.add_item(form.text.data, form.kind.data, form.scale.data or None)
    changes = {"text": item.text, "kind": item.kind, "scale": item.scale, "instrument_version": new_instrument.version}
    AuditEntry.record("create", item, changes)
    return new_instrument, item


def retire_feedback_item(item):
    """Version N+1 of the item's instrument without it; audited as its removal (the item itself stays on
    the earlier versions, with the answers given to it). Returns (new instrument, retired item)."""
    earlier = item.instrument
    instrument, old = earlier.retire_item(item.key)
    AuditEntry.record("delete", old, {"instrument_version": [earlier.version, instrument.version]})
    return instrument, old
