"""Writes and reads of the admin area: users, the audit log, catalog entries.

Writes raise models.ValidationError({field: message}) and are called inside database.atomic()
(save_form), so nothing is written when any part is refused.
"""

import datetime as dt

from peewee import JOIN, fn

from .. import policy
from ..audit import describe_entries
from ..models import AuditEntry, BenchmarkTemplate, Engagement, Organization, SignInAttempt, Unit, User, ValidationError
from ..models.audit import entity_label
from . import account

# A model's reference field -> the domain's (and the API's) name for the id it takes.
REFERENCE_NAMES = {"unit": "unit_id", "organization": "organization_id"}


def _refuse(errors):
    if errors:
        raise ValidationError({REFERENCE_NAMES.get(key, key): message for key, message in errors.items()})


def _apply_user_fields(user, data):
    """`data` under the domain's names: email (creating only), name, role, unit_id, organization_id, is_active,
    reads_all_organizations (a leader's scope: every organization, an administrator's explicit choice)."""
    for name in ("email", "name", "role", "is_active", "reads_all_organizations"):
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


def update_entry(entry, form):
    """A competency, strategy or principle. Meetings keep the label they were logged with."""
    form.populate_obj(entry)
    entry.name = _check_text(entry.name, "name", "Give it a name.", 200)
    entry.save()
    return entry


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
