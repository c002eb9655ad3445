"""Organizations, their units and the people who use the tracker (accounts, API tokens, sign-in attempts)."""

import secrets

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField
from werkzeug.security import check_password_hash, generate_password_hash

from .base import Audited, BaseModel, ValidationError, email_problem, label, utcnow

# The one password policy of every path (admin pages, own account, API, create-user).
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 500

ROLES = (
    ("admin", "Administrator"),
    ("isp", "Implementation support practitioner"),
    ("recipient", "Recipient"),
    ("leader", "Leader"),
)
# How dates are shown to a person (a preference on their account): key -> an example, for the account
# form. tracker/dates.py writes dates in each style; dates typed into forms stay ISO (<input type=date>).
DATE_FORMATS = (
    ("d_mon_y", "23 Nov 2026"),
    ("iso", "2026-11-23"),
    ("dd_mm_yyyy", "23/11/2026 (day/month/year)"),
    ("mm_dd_yyyy", "11/23/2026 (month/day/year)"),
)
DEFAULT_DATE_FORMAT = "d_mon_y"
ORGANIZATION_KINDS = (("intermediary", "Intermediary organization"), ("recipient", "Recipient organization"))


class Organization(Audited):
    name = CharField(max_length=200, unique=True)
    kind = CharField(max_length=20, choices=ORGANIZATION_KINDS, default="recipient")
    created_at = DateTimeField(default=utcnow)

    required = {"name": "Give the organization a name."}

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
        return errors

    def integrity_message(self, exc):
        return {"email": f"A user with the email {self.email} already exists."}

    @staticmethod
    def password_problems(password):
        """{"password": message} when `password` does not meet the policy, else {} (every path asks this)."""
        password = password or ""
        if not password:
            return {"password": "Enter a password."}
        if len(password) < MIN_PASSWORD_LENGTH:
            return {"password": f"The password must have at least {MIN_PASSWORD_LENGTH} characters."}
        if len(password) > MAX_PASSWORD_LENGTH:
            return {"password": f"The password must have at most {MAX_PASSWORD_LENGTH} characters."}
        return {}

    def change_password(self, password):
        """Set a new password after checking it against the policy (raises ValidationError)."""
        problems = self.password_problems(password)
        if problems:
            raise ValidationError(problems)
        self.set_password(password)

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def rotate_session_token(self):
        self.session_token = secrets.token_urlsafe(32)

    @property
    def role_label(self):
        return label(ROLES, self.role)

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


class SignInAttempt(BaseModel):
    """A failed sign-in, kept in the database so throttling holds across workers and app servers."""

    email = CharField(max_length=254, index=True)
    address = CharField(max_length=64, index=True)

    verbatim = ("email", "address")  # what was sent, recorded whatever it holds (base.BaseModel.verbatim)
    at = DateTimeField(default=utcnow, index=True)
