"""Organizations, their units and the people who use the tracker (accounts, API tokens, sign-in attempts)."""

import functools
import math
import re
import secrets

from peewee import BooleanField, CharField, DateTimeField, FloatField, ForeignKeyField, IntegerField, PostgresqlDatabase
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from ..db import database
from .base import Audited, BaseModel, ValidationError, email_problem, label, utcnow

# The one password policy of every path (admin pages, own account, API, create-user, set-password):
# User.password_problems. Long enough, and hard to guess by zxcvbn's estimate (score 0-4): not a common
# password or pattern, and not made of the person's own email or name.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 500
MIN_PASSWORD_SCORE = 3  # zxcvbn: "safely unguessable" (about 10^8 guesses and more)
PASSWORD_HINT = f"at least {MIN_PASSWORD_LENGTH} characters, hard to guess"
WEAK_PASSWORD = (
    "This password is too easy to guess. Use several uncommon words, or mix in numbers and symbols "
    "in unexpected places."
)
OWN_DETAILS_PASSWORD = "Do not build the password from your email address or name: those are the first guesses."


@functools.cache
def dummy_password_hash():
    """A hash computed once, checked when there is no real one (an unknown email, an account without a
    password), so every sign-in attempt costs the same hashing work."""
    return generate_password_hash(secrets.token_urlsafe(16))


ROLES = (
    ("admin", "Administrator"),
    ("isp", "Implementation support practitioner"),
    ("recipient", "Recipient"),
    ("leader", "Leader"),
)
# The role beside a person's name in the page header: short, so the header keeps to one line.
ROLE_SHORT_LABELS = {"admin": "Admin", "isp": "ISP", "recipient": "Recipient", "leader": "Leader"}
# How dates are shown to a person (a preference on their account): key -> an example, for the account
# form. tracker/dates.py writes dates in each style; dates typed into forms stay ISO (<input type=date>).
DATE_FORMATS = (
    ("d_mon_y", "23 Nov 2026"),
    ("iso", "2026-11-23"),
    ("dd_mm_yyyy", "23/11/2026 (day/month/year)"),
    ("mm_dd_yyyy", "11/23/2026 (month/day/year)"),
)
DEFAULT_DATE_FORMAT = "d_mon_y"
# How a person is told by email when something needs them (a request arrives, a question waits, a
# decision is made, feedback is asked): a choice on their account, migration 0014. "none" sends no
# mail; the home page shows everything whatever the choice (tracker/services/notifications.py).
NOTIFICATION_CHOICES = (
    ("immediate", "One email for each event, right away"),
    ("digest", "One daily digest"),
    ("none", "No email (your home page still shows everything)"),
)
DEFAULT_NOTIFICATION = "immediate"
ORGANIZATION_KINDS = (("intermediary", "Intermediary organization"), ("recipient", "Recipient organization"))
# Hourly rates (issue 19, migration 0022): an ISP's cost of an hour of support, or their intermediary
# organization's rate for ISPs without their own; a business setting administrators keep. The currency is
# the one label COST_CURRENCY (app config). reports/cost.py turns them into the cost of support.
MAX_HOURLY_RATE = 10000


def rate_problem(value):
    """The refusal of an hourly rate (None: no rate, allowed), or None when it is a sane one."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "Enter the hourly rate as a number, such as 85 or 72.50."
    if value < 0:
        return "An hourly rate cannot be negative."
    if value > MAX_HOURLY_RATE:
        return f"An hourly rate above {MAX_HOURLY_RATE:,} is surely a typing mistake."
    return None


MAX_CAPACITY_HOURS = 744  # every hour of a 31-day month


def capacity_problem(minutes):
    """The refusal of a monthly capacity in minutes (None: not set, allowed), or None when it is sane."""
    if minutes is None:
        return None
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        return "Enter the monthly capacity as a whole number of hours, such as 80."
    if minutes < 0:
        return "A capacity cannot be negative."
    if minutes > MAX_CAPACITY_HOURS * 60:
        return f"More than {MAX_CAPACITY_HOURS} hours a month is more hours than a month has."
    return None


def _rate_errors(row):
    problem = rate_problem(row.hourly_rate)
    return {"hourly_rate": problem} if problem else {}


class Organization(Audited):
    name = CharField(max_length=200, unique=True)
    kind = CharField(max_length=20, choices=ORGANIZATION_KINDS, default="recipient")
    created_at = DateTimeField(default=utcnow)
    hourly_rate = FloatField(null=True)  # an intermediary's rate for its ISPs without their own (0022)

    required = {"name": "Give the organization a name."}

    def validate(self):
        return {**_rate_errors(self), **super().validate()}

    def integrity_message(self, exc):
        return {"name": f"An organization named “{self.name}” already exists."}

    def __str__(self):
        return self.name


class Unit(Audited):
    organization = ForeignKeyField(Organization, backref="units", on_delete="RESTRICT")
    name = CharField(max_length=200)
    created_at = DateTimeField(default=utcnow)

    required = {"organization": "A unit belongs to an organization.", "name": "Give the unit a name."}

    class Meta:
        indexes = ((("organization", "name"), True),)

    def integrity_message(self, exc):
        return {"name": f"This organization already has a unit named “{self.name}”."}

    def __str__(self):
        return self.name


class User(Audited):
    email = CharField(max_length=254, unique=True)
    name = CharField(max_length=200)
    role = CharField(max_length=20, choices=ROLES)
    password_hash = CharField(max_length=255, default="")
    unit = ForeignKeyField(Unit, null=True, backref="users", on_delete="RESTRICT")
    organization = ForeignKeyField(Organization, null=True, backref="users", on_delete="RESTRICT")
    is_active = BooleanField(default=True)
    session_token = CharField(max_length=64, unique=True, default=lambda: secrets.token_urlsafe(32))
    created_at = DateTimeField(default=utcnow)
    date_format = CharField(max_length=20, default=DEFAULT_DATE_FORMAT, choices=DATE_FORMATS)  # migration 0002
    # A leader who reads every organization: an administrator's explicit choice (policy.py), migration 0011.
    reads_all_organizations = BooleanField(default=False)
    notification_choice = CharField(max_length=20, default=DEFAULT_NOTIFICATION, choices=NOTIFICATION_CHOICES)  # 0014
    hourly_rate = FloatField(null=True)  # an ISP's hourly cost; None: their organization's rate (0022)
    capacity_minutes = IntegerField(null=True)  # an ISP's monthly capacity set by an admin; None: not set (0024)

    required = {"email": "Enter an email address.", "name": "Enter the person's name.", "role": "Choose a role."}

    # flask-login: the session stores session_token, so rotating it signs the user out everywhere.
    is_authenticated = True
    is_anonymous = False

    def get_id(self):
        return self.session_token

    def validate(self):
        errors = super().validate()
        if self.email is not None:
            self.email = self.email.strip().lower()
            if self.email and email_problem(self.email):
                errors.setdefault("email", email_problem(self.email))
            elif self.email:
                clash = User.select().where(User.email == self.email)
                if self._pk is not None:
                    clash = clash.where(User.id != self._pk)
                if clash.exists():
                    errors.setdefault("email", f"A user with the email {self.email} already exists.")
        if self.role == "recipient" and self.__data__.get("unit") is None:
            errors.setdefault("unit", "A recipient belongs to a unit.")
        if self.role != "recipient" and self.__data__.get("unit") is not None:
            errors.setdefault("unit", "Only recipients belong to a unit.")
        if self.reads_all_organizations and self.role != "leader":
            errors.setdefault("reads_all_organizations", "Only leaders may read every organization.")
        for name, problem in _rate_errors(self).items():
            errors.setdefault(name, problem)
        problem = capacity_problem(self.capacity_minutes)
        if problem:
            errors.setdefault("capacity_minutes", problem)
        return errors

    def integrity_message(self, exc):
        return {"email": f"A user with the email {self.email} already exists."}

    def password_problems(self, password):
        """{"password": message} when `password` does not meet the policy for this person, else {}
        (every path asks this: the admin pages, the own account page, the API, the CLI)."""
        password = password or ""
        if not password:
            return {"password": "Enter a password."}
        if len(password) < MIN_PASSWORD_LENGTH:
            return {"password": f"The password must have at least {MIN_PASSWORD_LENGTH} characters."}
        if len(password) > MAX_PASSWORD_LENGTH:
            return {"password": f"The password must have at most {MAX_PASSWORD_LENGTH} characters."}
        own = [self.email or "", self.name or ""]
        own += [part for text in own for part in re.split(r"\W+", text) if len(part) >= 3]
        # zxcvbn looks at the first 100 characters (its cost grows with the length; 100 is plenty).
        estimate = zxcvbn(password[:100], user_inputs=[o.lower() for o in own if o], max_length=100)
        own_chars = sum(len(m["token"]) for m in estimate["sequence"] if m.get("dictionary_name") == "user_inputs")
        # Mostly the person's own details is refused even when the estimate passes (NiaNewcomb2026):
        # whoever knows the person guesses those first.
        if own_chars and (estimate["score"] < MIN_PASSWORD_SCORE or 2 * own_chars >= len(password[:100])):
            return {"password": OWN_DETAILS_PASSWORD}
        if estimate["score"] >= MIN_PASSWORD_SCORE:
            return {}
        hint = estimate["feedback"]["warning"]
        return {"password": f"{WEAK_PASSWORD} ({hint.rstrip('.')}.)" if hint else WEAK_PASSWORD}

    def change_password(self, password):
        """Set a new password after checking it against the policy (raises ValidationError)."""
        problems = self.password_problems(password)
        if problems:
            raise ValidationError(problems)
        self.set_password(password)

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        """True when `password` is this account's. The same hashing work is done for an account without
        a password (and for an unsaved User(), which sign-in checks for an unknown email)."""
        matches = check_password_hash(self.password_hash or dummy_password_hash(), password or "")
        return matches and bool(self.password_hash)

    def rotate_session_token(self):
        """A new session token: every browser session and "keep me signed in" cookie of the user (they
        carry the old one) stops working."""
        self.session_token = secrets.token_urlsafe(32)

    def end_sessions(self):
        """Sign the user out everywhere and revoke their API tokens; saves the user (with any other change
        made before, such as a new password). Call it inside a transaction. Returns how many API tokens
        were revoked."""
        self.rotate_session_token()
        self.save()
        return ApiToken.delete().where(ApiToken.user == self.id).execute()

    @property
    def is_invited(self):
        """Invited and not yet signed in: no password of their own yet (an administrator's invitation)."""
        return not self.password_hash

    @property
    def role_label(self):
        return label(ROLES, self.role)

    @property
    def role_short_label(self):
        return ROLE_SHORT_LABELS.get(self.role, self.role_label)

    @classmethod
    def isps(cls):
        return cls.select().where((cls.role == "isp") & cls.is_active).order_by(cls.name)

    def __str__(self):
        return self.name


class ApiToken(BaseModel):
    """A bearer token for the JSON API; only its sha256 is stored (the token is shown once)."""

    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    name = CharField(max_length=100, default="")
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)


class UserInvitation(Audited):
    """A one-time link to set one's own password: an administrator's invitation of a new user, or a reset
    link (migration 0016). Only the token's sha256 is stored (the token is in the emailed link only); it
    expires, works once, and a new link for the same person replaces the old (services/admin.py)."""

    user = ForeignKeyField(User, backref="invitations", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    invited_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)

    audit_exclude = ("token_hash",)

    def replaced(self):
        """Whether a newer link was sent to the same person (only the newest works)."""
        return (
            UserInvitation.select()
            .where((UserInvitation.user == self.user_id) & (UserInvitation.id > self.id))
            .exists()
        )

    @classmethod
    def open_for(cls, user):
        """The user's invitation that can still be used (not used, not expired), or None."""
        return (
            cls.select()
            .where((cls.user == user) & cls.used_at.is_null() & (cls.expires_at > utcnow()))
            .order_by(cls.id.desc())
            .first()
        )


class SignInAttempt(BaseModel):
    """A failed sign-in, kept in the database so throttling holds across workers and app servers.

    An attempt is recorded *before* its password is checked (`reserve`), counted and inserted in one
    locking transaction, and removed again when the password was right (`clear`). So parallel attempts
    cannot all pass the count before any of them is recorded: of N parallel wrong passwords, no more
    than the limit get to check a password."""

    email = CharField(max_length=254, index=True)
    address = CharField(max_length=64, index=True)

    verbatim = ("email", "address")  # what was sent, recorded whatever it holds (base.BaseModel.verbatim)
    at = DateTimeField(default=utcnow, index=True)

    @classmethod
    def reserve(cls, email, address, max_account, max_address, window, now=None):
        """Record one attempt unless the account or the address already has its limit of failures
        within `window` (a timedelta). Returns 0 when the attempt was recorded, else the seconds to wait."""
        now = now or utcnow()
        since = now - window
        with database.atomic():  # SQLite: BEGIN IMMEDIATE, one writer at a time
            if isinstance(database.obj, PostgresqlDatabase):  # one reservation at a time (reads go on)
                database.execute_sql(f'LOCK TABLE "{cls._meta.table_name}" IN EXCLUSIVE MODE')
            cls.delete().where(cls.at < since).execute()  # aged out: nothing counts them any more
            wait = 0
            for field, value, limit in ((cls.email, email, max_account), (cls.address, address, max_address)):
                recent = list(
                    cls.select(cls.at).where((field == value) & (cls.at >= since)).order_by(cls.at.desc()).limit(limit)
                )
                if len(recent) >= limit:  # the oldest of the last `limit` failures ages out first
                    wait = max(wait, math.ceil((recent[-1].at + window - now).total_seconds()), 1)
            if not wait:
                cls.create(email=email, address=address, at=now)
            return wait

    @classmethod
    def clear(cls, email):
        """Forget the account's failures (a right password; an administrator's password reset)."""
        return cls.delete().where(cls.email == email).execute()
