"""The domain model (names from shared/design/domain.md) and the queries that belong to one model.

Conventions
- Every model validates itself on save (`validate()` returns {field: message}); a failure raises
  `ValidationError`, which forms and the CLI show next to the field or as one line.
- Models that users change are `Audited`: each create, update and delete writes an `AuditEntry`
  (who, when, what changed). Link rows (a meeting's competencies, attendees...) are recorded in the
  audit entry of the meeting that owns them.
- Engagements, meetings, goals and feedback responses are soft-deleted (`deleted_at`); `live()`
  leaves them out.
- Catalog rows (competencies, strategies, stages, ...) are data. A meeting keeps the label of each
  competency and strategy as it was when logged, so renaming a catalog entry never rewrites history;
  used entries are retired, not deleted.
"""

import datetime as dt
import json
import secrets

from flask import g, has_request_context
from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    IntegrityError,
    Model,
    TextField,
)
from werkzeug.security import check_password_hash, generate_password_hash

from .db import database


def utcnow():
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --- enumerations: (key, label) -----------------------------------------------------------

ROLES = (
    ("admin", "Administrator"),
    ("isp", "Implementation support practitioner"),
    ("recipient", "Recipient"),
    ("leader", "Leader"),
)
# How dates are shown to a person (a preference on their account): key -> (example, strftime pattern).
# Dates typed into forms stay ISO (<input type=date>); this is only how they are displayed.
DATE_FORMAT_PATTERNS = {
    "d_mon_y": "%-d %b %Y",
    "iso": "%Y-%m-%d",
    "dd_mm_yyyy": "%d/%m/%Y",
    "mm_dd_yyyy": "%m/%d/%Y",
}
DATE_FORMATS = (
    ("d_mon_y", "23 Nov 2026"),
    ("iso", "2026-11-23"),
    ("dd_mm_yyyy", "23/11/2026 (day/month/year)"),
    ("mm_dd_yyyy", "11/23/2026 (month/day/year)"),
)
DEFAULT_DATE_FORMAT = "d_mon_y"
ORGANIZATION_KINDS = (("intermediary", "Intermediary organization"), ("recipient", "Recipient organization"))
SUPPORT_MODELS = (("push", "Push"), ("push_pull", "Push/pull"), ("co_creation", "Co-creation"))
ENGAGEMENT_STATUSES = (("proposed", "Proposed"), ("active", "Active"), ("paused", "Paused"), ("closed", "Closed"))
ISP_ROLES = (("co_lead", "Co-lead"), ("supporting", "Supporting"))
POSITIONS = (
    ("senior_leader", "Senior leader"),
    ("manager", "Manager"),
    ("support_staff", "Support staff"),
    ("partner", "Partner"),
    ("other", "Other"),
)
GOAL_STATUSES = (
    ("not_started", "Not started"),
    ("in_progress", "In progress"),
    ("achieved", "Achieved"),
    ("revised", "Revised"),
    ("dropped", "Dropped"),
)
MEETING_KINDS = (
    ("definition", "Definition meeting"),
    ("monthly", "Monthly team meeting"),
    ("planning", "Planning meeting"),
    ("debrief", "Debrief"),
    ("coaching", "Coaching session"),
    ("other", "Other session"),
)
MEETING_MODES = (("in_person", "In person"), ("virtual", "Virtual"))
DELIVERABLE_KINDS = (
    ("core_components", "Operationalized core components"),
    ("scaling_approach", "Recommended scaling approach"),
    ("stage_guidance", "Stage-based implementation guidance"),
    ("tool_resource", "Tool or resource"),
    ("other", "Other"),
)
CONTEXT_KINDS = (("barrier", "Barrier"), ("facilitator", "Facilitator"))
CFIR_DOMAINS = (
    ("intervention", "Intervention (the ISP role)"),
    ("individuals", "Individuals"),
    ("inner_setting", "Inner setting"),
    ("outer_setting", "Outer setting"),
    ("process", "Process"),
)
REQUEST_STATUSES = (
    ("submitted", "Submitted"),
    ("info_requested", "More information requested"),
    ("accepted", "Accepted"),
    ("declined", "Declined"),
)
FEEDBACK_KINDS = (("pulse", "Pulse"), ("survey", "Full survey"))

MAX_MEETING_MINUTES = 16 * 60  # a session longer than a working day is a typing error


def label(choices, key):
    return dict(choices).get(key, key or "")


def keys(choices):
    return [k for k, _ in choices]


class ValidationError(ValueError):
    """Raised by save() when a row is not valid; `errors` maps field names to messages."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))


# --- base classes -----------------------------------------------------------------------------


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False

    # Fields that must be given (beyond what null=False enforces in the database), with messages.
    required = {}

    def validate(self):
        """Return {field: message} for what is wrong with this row; subclasses extend it."""
        errors = {}
        for name, message in self.required.items():
            field = self._meta.fields[name]
            value = self.__data__.get(field.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                errors[name] = message
        for name, field in self._meta.fields.items():
            value = self.__data__.get(name)
            if isinstance(field, CharField) and isinstance(value, str) and len(value) > field.max_length:
                errors.setdefault(name, f"At most {field.max_length} characters.")
            choices = getattr(field, "choices", None)
            if choices and value is not None and value not in keys(choices):
                errors.setdefault(name, "Choose one of: " + ", ".join(keys(choices)) + ".")
        return errors

    def save(self, *args, **kwargs):
        errors = self.validate()
        if errors:
            raise ValidationError(errors)
        try:
            with database.atomic():
                return super().save(*args, **kwargs)
        except IntegrityError as exc:
            raise ValidationError(self.integrity_message(exc)) from exc

    def integrity_message(self, exc):
        """Turn a database constraint failure into {field: message}; subclasses add specific ones."""
        return {"__all__": "This record conflicts with an existing one or refers to a missing one."}


def _audit_actor_id():
    if has_request_context():
        user = getattr(g, "audit_user", None)
        if user is None:
            from flask_login import current_user

            user = current_user if getattr(current_user, "is_authenticated", False) else None
        return user.id if user is not None else None
    return getattr(g, "audit_user_id", None) if _has_app_g() else None


def _has_app_g():
    from flask import has_app_context

    return has_app_context()


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Model):
        return value._pk  # not get_id(): User.get_id() is the session token (flask-login)
    return value


class Audited(BaseModel):
    """A model whose creates, updates and deletes are written to the audit log."""

    audit_exclude = ("password_hash", "session_token")

    def audit_engagement_id(self):
        engagement_id = self.__data__.get("engagement")
        return engagement_id

    def save(self, *args, **kwargs):
        creating = self._pk is None or kwargs.get("force_insert")
        changes = {}
        if not creating:
            dirty = [self._meta.fields[n] for n in self.dirty_fields_names() if n not in self.audit_exclude]
            if dirty:
                old = (type(self).select(*dirty).where(type(self)._meta.primary_key == self._pk).dicts().first()) or {}
                for field in dirty:
                    before, after = old.get(field.name), self.__data__.get(field.name)
                    if _jsonable(before) != _jsonable(after):
                        changes[field.name] = [_jsonable(before), _jsonable(after)]
        with database.atomic():
            result = super().save(*args, **kwargs)
            if creating:
                changes = {
                    name: _jsonable(value)
                    for name, value in self.__data__.items()
                    if name not in self.audit_exclude and name != "id" and value not in (None, "")
                }
                AuditEntry.record("create", self, changes)
            elif changes:
                AuditEntry.record("update", self, changes)
        return result

    def dirty_fields_names(self):
        return [f.name if hasattr(f, "name") else f for f in self.dirty_fields]

    def delete_instance(self, *args, **kwargs):
        with database.atomic():
            AuditEntry.record("delete", self, {})
            return super().delete_instance(*args, **kwargs)

    def soft_delete(self):
        self.deleted_at = utcnow()
        self.save()

    def restore(self):
        self.deleted_at = None
        self.save()

    @classmethod
    def live(cls):
        return cls.select().where(cls.deleted_at.is_null())


class SchemaVersion(BaseModel):
    version = IntegerField(primary_key=True)
    name = CharField()
    applied_at = DateTimeField(default=utcnow)


class DataVersion(BaseModel):
    """One row whose token changes, inside the same transaction, whenever a row of a table that
    reports read is inserted, updated or deleted (database triggers installed by migration 0003:
    tracker/reports/cache.py). Equal tokens mean equal data, so a report computed at one token can
    be served again while the token stands."""

    token = BigIntegerField(default=0)

    class Meta:
        table_name = "data_version"


# --- organizations, units, people ---------------------------------------------------------


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
            if self.email and ("@" not in self.email or self.email.startswith("@") or self.email.endswith("@")):
                errors.setdefault("email", "Enter a valid email address.")
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
        return errors

    def integrity_message(self, exc):
        return {"email": f"A user with the email {self.email} already exists."}

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def rotate_session_token(self):
        self.session_token = secrets.token_urlsafe(32)

    @property
    def role_label(self):
        return label(ROLES, self.role)

    @property
    def date_pattern(self):
        """The strftime pattern of this person's date format (the default one for an unknown key)."""
        return DATE_FORMAT_PATTERNS.get(self.date_format, DATE_FORMAT_PATTERNS[DEFAULT_DATE_FORMAT])

    @classmethod
    def isps(cls):
        return cls.select().where((cls.role == "isp") & cls.is_active).order_by(cls.name)

    def __str__(self):
        return self.name


# --- catalogs (data, editable by admins) ----------------------------------------------------


class CompetencyFramework(BaseModel):
    key = CharField(max_length=80, unique=True)
    name = CharField(max_length=200)
    short_name = CharField(max_length=80)
    source = TextField(default="")
    is_default = BooleanField(default=False)

    @classmethod
    def default(cls):
        return cls.select().order_by(cls.is_default.desc(), cls.id).first()


class CompetencyDomain(BaseModel):
    framework = ForeignKeyField(CompetencyFramework, backref="domains", on_delete="CASCADE")
    key = CharField(max_length=80)
    name = CharField(max_length=200)
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("framework", "key"), True),)


class Competency(BaseModel):
    domain = ForeignKeyField(CompetencyDomain, backref="competencies", on_delete="RESTRICT")
    key = CharField(max_length=80, unique=True)
    name = CharField(max_length=200)
    help = TextField(default="")
    position = IntegerField(default=0)
    retired = BooleanField(default=False)

    @classmethod
    def in_framework(cls, framework):
        """Active competencies of a framework with their domains, in display order (one query)."""
        return (
            cls.select(cls, CompetencyDomain)
            .join(CompetencyDomain)
            .where((CompetencyDomain.framework == framework) & ~cls.retired)
            .order_by(CompetencyDomain.position, cls.position)
        )


class Principle(BaseModel):
    key = CharField(max_length=80, unique=True)
    name = CharField(max_length=200)
    help = TextField(default="")
    source = CharField(max_length=20, default="")
    position = IntegerField(default=0)
    retired = BooleanField(default=False)


class Stage(BaseModel):
    key = CharField(max_length=80, unique=True)
    name = CharField(max_length=200)
    help = TextField(default="")
    position = IntegerField(default=0)

    @classmethod
    def ordered(cls):
        return cls.select().order_by(cls.position)

    def __str__(self):
        return self.name


class BenchmarkTemplate(BaseModel):
    stage = ForeignKeyField(Stage, backref="benchmark_templates", on_delete="CASCADE")
    text = CharField(max_length=300)
    position = IntegerField(default=0)
    retired = BooleanField(default=False)


class StrategyCluster(BaseModel):
    key = CharField(max_length=80, unique=True)
    number = IntegerField()
    name = CharField(max_length=200)
    help = TextField(default="")


class Strategy(BaseModel):
    cluster = ForeignKeyField(StrategyCluster, backref="strategies", on_delete="RESTRICT")
    key = CharField(max_length=80, unique=True)
    number = IntegerField()
    name = CharField(max_length=200)
    help = TextField(default="")
    retired = BooleanField(default=False)

    @classmethod
    def with_clusters(cls):
        return (
            cls.select(cls, StrategyCluster)
            .join(StrategyCluster)
            .where(~cls.retired)
            .order_by(StrategyCluster.number, cls.number)
        )


class FeedbackInstrument(BaseModel):
    key = CharField(max_length=80)
    version = IntegerField(default=1)
    name = CharField(max_length=200)
    definition = TextField(default="{}")  # scales, scale labels and pathway, as JSON

    class Meta:
        indexes = ((("key", "version"), True),)

    @property
    def spec(self):
        return json.loads(self.definition or "{}")


class FeedbackItem(BaseModel):
    instrument = ForeignKeyField(FeedbackInstrument, backref="items", on_delete="CASCADE")
    key = CharField(max_length=80)
    scale = CharField(max_length=40, null=True)  # None for open questions
    kind = CharField(max_length=20, choices=(("likert", "Agreement 1-5"), ("text", "Open answer")))
    text = TextField()
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("instrument", "key"), True),)


# --- requests and engagements ------------------------------------------------------------------


class SupportRequest(Audited):
    unit = ForeignKeyField(Unit, backref="requests", on_delete="RESTRICT")
    requested_by = ForeignKeyField(User, null=True, backref="requests", on_delete="SET NULL")
    title = CharField(max_length=200)
    description = TextField(default="")  # what the initiative is
    for_whom = TextField(default="")
    on_behalf_of = CharField(max_length=200, default="")  # partner or grantee name; empty = internal
    hoped_start = DateField(null=True)
    urgent = BooleanField(default=False)
    urgency_note = TextField(default="")
    status = CharField(max_length=20, choices=REQUEST_STATUSES, default="submitted", index=True)
    info_question = TextField(default="")
    info_answer = TextField(default="")
    decline_reason = TextField(default="")
    decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    decided_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow, index=True)

    required = {"unit": "Choose the unit the request is for.", "title": "Give the request a title."}

    def validate(self):
        errors = super().validate()
        if self.status == "declined" and not (self.decline_reason or "").strip():
            errors.setdefault("decline_reason", "Say why the request is declined.")
        return errors

    @property
    def is_internal(self):
        return not (self.on_behalf_of or "").strip()

    @property
    def status_label(self):
        return label(REQUEST_STATUSES, self.status)


class Engagement(Audited):
    unit = ForeignKeyField(Unit, backref="engagements", on_delete="RESTRICT")
    intermediary = ForeignKeyField(Organization, null=True, backref="engagements_supported", on_delete="RESTRICT")
    request = ForeignKeyField(SupportRequest, null=True, unique=True, backref="engagements", on_delete="SET NULL")
    title = CharField(max_length=200)
    problem_statement = TextField(default="")
    support_model = CharField(max_length=20, choices=SUPPORT_MODELS, default="push_pull")
    start_date = DateField()
    end_date = DateField(null=True)  # planned end while running, actual end once closed
    status = CharField(max_length=20, choices=ENGAGEMENT_STATUSES, default="proposed", index=True)
    current_stage = ForeignKeyField(Stage, null=True, on_delete="RESTRICT")  # kept by enter_stage()
    closing_summary = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)

    required = {
        "unit": "Choose the unit this engagement supports.",
        "title": "Give the engagement a title.",
        "start_date": "Enter the start date.",
    }

    def audit_engagement_id(self):
        return self._pk

    def validate(self):
        errors = super().validate()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors.setdefault("end_date", "The end date cannot be before the start date.")
        if self.status == "closed" and not (self.closing_summary or "").strip():
            errors.setdefault("closing_summary", "Write a closing summary before closing the engagement.")
        return errors

    # -- derived
    @property
    def length_months(self):
        end = self.end_date or dt.date.today()
        return max(0.0, (end - self.start_date).days / 30.44) if self.start_date else 0.0

    @property
    def engagement_length(self):
        """'limited' (6-12 months, or shorter) or 'high' (12 months and more), from the dates."""
        return "high" if self.length_months >= 12 else "limited"

    @property
    def engagement_length_label(self):
        return (
            "High engagement (12+ months)"
            if self.engagement_length == "high"
            else "Limited engagement (up to 12 months)"
        )

    @property
    def status_label(self):
        return label(ENGAGEMENT_STATUSES, self.status)

    @property
    def support_model_label(self):
        return label(SUPPORT_MODELS, self.support_model)

    # -- people
    def isps(self):
        """[(EngagementISP with .user)], co-leads first."""
        return Engagement.isps_of(self.id)

    @staticmethod
    def isps_of(engagement_id):
        """isps() by the engagement's id, for a caller that loads the links before the engagement (the
        engagement page: one load for the access checks and the co-leads)."""
        return list(
            EngagementISP.select(EngagementISP, User)
            .join(User)
            .where(EngagementISP.engagement == engagement_id)
            .order_by(EngagementISP.role, User.name)
        )

    def set_isps(self, co_lead_ids, supporting_ids=()):
        """Replace the ISPs: exactly two distinct co-leads, plus any supporting ISPs."""
        co_lead_ids = [int(i) for i in co_lead_ids]
        supporting_ids = [int(i) for i in supporting_ids if int(i) not in co_lead_ids]
        if len(set(co_lead_ids)) != 2:
            raise ValidationError({"co_leads": "Choose two different ISPs as co-leads."})
        wanted = set(co_lead_ids) | set(supporting_ids)
        found = {u.id for u in User.select(User.id).where(User.id.in_(list(wanted)) & (User.role == "isp"))}
        if found != wanted:
            raise ValidationError({"co_leads": "Co-leads and supporting ISPs must be ISP users."})
        with database.atomic():
            EngagementISP.delete().where(EngagementISP.engagement == self).execute()
            EngagementISP.insert_many(
                [{"engagement": self.id, "user": uid, "role": "co_lead"} for uid in co_lead_ids]
                + [{"engagement": self.id, "user": uid, "role": "supporting"} for uid in supporting_ids]
            ).execute()
            AuditEntry.record("update", self, {"co_leads": co_lead_ids, "supporting": supporting_ids})

    # -- stages
    def enter_stage(self, stage, entered_on, note="", user=None):
        """Move into a stage (an earlier one may be revisited); adds its default benchmarks once."""
        if entered_on is None:
            raise ValidationError({"entered_on": "Enter the date the stage was entered."})
        with database.atomic():
            entry = StageEntry.create(
                engagement=self, stage=stage, entered_on=entered_on, note=note or "", created_by=user
            )
            self.current_stage = StageEntry.current_for(self).stage
            self.save()
            if not Benchmark.select().where((Benchmark.engagement == self) & (Benchmark.stage == stage)).exists():
                templates = (
                    BenchmarkTemplate.select()
                    .where((BenchmarkTemplate.stage == stage) & ~BenchmarkTemplate.retired)
                    .order_by(BenchmarkTemplate.position)
                )
                Benchmark.insert_many(
                    [
                        {
                            "engagement": self.id,
                            "stage": stage.id,
                            "template": t.id,
                            "text": t.text,
                            "position": t.position,
                        }
                        for t in templates
                    ]
                ).execute()
        return entry

    def stage_history(self):
        return list(
            StageEntry.select(StageEntry, Stage)
            .join(Stage)
            .where(StageEntry.engagement == self)
            .order_by(StageEntry.entered_on, StageEntry.id)
        )

    @classmethod
    def filtered(cls, query, unit=None, status=None, stage=None, model=None, isp=None, q=None):
        """Narrow an engagement query (already limited by the access policy) by the list filters."""
        if unit is not None:
            query = query.where(cls.unit == unit)
        if status is not None:
            query = query.where(cls.status == status)
        if stage is not None:
            query = query.where(cls.current_stage == stage)
        if model is not None:
            query = query.where(cls.support_model == model)
        if isp is not None:
            query = query.where(
                cls.id.in_(EngagementISP.select(EngagementISP.engagement).where(EngagementISP.user == isp))
            )
        if q:
            query = query.where(cls.title.contains(q))
        return query

    def __str__(self):
        return self.title


class EngagementISP(BaseModel):
    engagement = ForeignKeyField(Engagement, backref="isp_links", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="engagement_links", on_delete="RESTRICT")
    role = CharField(max_length=20, choices=ISP_ROLES)

    class Meta:
        indexes = ((("engagement", "user"), True),)

    @property
    def role_label(self):
        return label(ISP_ROLES, self.role)


class EngagementStatusChange(BaseModel):
    """One change of an engagement's status (activate, pause, resume, close), dated, with the reason."""

    engagement = ForeignKeyField(Engagement, backref="status_changes", on_delete="CASCADE")
    from_status = CharField(max_length=20, choices=ENGAGEMENT_STATUSES)
    to_status = CharField(max_length=20, choices=ENGAGEMENT_STATUSES)
    changed_on = DateField()
    reason = TextField(default="")
    changed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    @property
    def from_label(self):
        return label(ENGAGEMENT_STATUSES, self.from_status)

    @property
    def to_label(self):
        return label(ENGAGEMENT_STATUSES, self.to_status)


class TeamMember(Audited):
    engagement = ForeignKeyField(Engagement, backref="team", on_delete="CASCADE")
    name = CharField(max_length=200)
    email = CharField(max_length=254, default="")
    position = CharField(max_length=20, choices=POSITIONS, default="other")
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    joined_on = DateField(null=True)
    left_on = DateField(null=True)

    required = {"engagement": "A team member belongs to an engagement.", "name": "Enter the person's name."}

    def validate(self):
        errors = super().validate()
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            errors.setdefault("left_on", "The end of membership cannot be before it started.")
        return errors

    @property
    def position_label(self):
        return label(POSITIONS, self.position)

    @property
    def is_current(self):
        return self.left_on is None or self.left_on >= dt.date.today()


class Goal(Audited):
    engagement = ForeignKeyField(Engagement, backref="goals", on_delete="CASCADE")
    title = CharField(max_length=300)
    indicator = TextField(default="")  # indicator of implementation progress
    target = TextField(default="")
    status = CharField(max_length=20, choices=GOAL_STATUSES, default="not_started")
    created_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)

    required = {"engagement": "A goal belongs to an engagement.", "title": "Give the goal a title."}

    @property
    def status_label(self):
        return label(GOAL_STATUSES, self.status)

    def change_status(self, status, changed_on, note="", meeting=None, user=None):
        """Set a new status and keep it, dated, in the goal's history (one transaction)."""
        if status not in keys(GOAL_STATUSES):
            raise ValidationError({"status": "Choose a goal status."})
        if changed_on is None:
            raise ValidationError({"changed_on": "Enter the date of the change."})
        with database.atomic():
            change = GoalStatusChange.create(
                goal=self,
                status=status,
                changed_on=changed_on,
                note=note or "",
                meeting_id=meeting.id if meeting else None,
                changed_by=user,
            )
            self.status = status
            self.save()
        return change


class GoalStatusChange(BaseModel):
    goal = ForeignKeyField(Goal, backref="history", on_delete="CASCADE")
    status = CharField(max_length=20, choices=GOAL_STATUSES)
    changed_on = DateField()
    note = TextField(default="")
    meeting_id = IntegerField(null=True, index=True)  # the meeting where the change was logged
    changed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    @property
    def status_label(self):
        return label(GOAL_STATUSES, self.status)


class StageEntry(BaseModel):
    engagement = ForeignKeyField(Engagement, backref="stage_entries", on_delete="CASCADE")
    stage = ForeignKeyField(Stage, on_delete="RESTRICT")
    entered_on = DateField()
    note = TextField(default="")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    @classmethod
    def current_for(cls, engagement):
        return cls.select().where(cls.engagement == engagement).order_by(cls.entered_on.desc(), cls.id.desc()).first()


class Benchmark(Audited):
    engagement = ForeignKeyField(Engagement, backref="benchmarks", on_delete="CASCADE")
    stage = ForeignKeyField(Stage, on_delete="RESTRICT")
    template = ForeignKeyField(BenchmarkTemplate, null=True, on_delete="SET NULL")  # None: engagement-specific
    text = CharField(max_length=300)
    position = IntegerField(default=0)
    completed_on = DateField(null=True)
    evidence = TextField(default="")
    completed_in_meeting_id = IntegerField(null=True)  # when checked off while logging a meeting

    required = {
        "engagement": "A benchmark belongs to an engagement.",
        "stage": "Choose a stage.",
        "text": "Describe the benchmark.",
    }


# --- meetings ---------------------------------------------------------------------------------


class Meeting(Audited):
    engagement = ForeignKeyField(Engagement, backref="meetings", on_delete="CASCADE")
    date = DateField(index=True)
    kind = CharField(max_length=20, choices=MEETING_KINDS, default="monthly")
    mode = CharField(max_length=20, choices=MEETING_MODES, default="in_person")
    duration_minutes = IntegerField(default=60)
    notes = TextField(default="")
    logged_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)

    required = {
        "engagement": "A meeting belongs to an engagement.",
        "date": "Enter the date of the meeting.",
        "kind": "Choose the kind of meeting.",
        "mode": "Choose in person or virtual.",
    }

    class Meta:
        indexes = ((("engagement", "date"), False),)

    def validate(self):
        errors = super().validate()
        minutes = self.duration_minutes
        if minutes is None or not isinstance(minutes, int) or minutes <= 0:
            errors.setdefault("duration_minutes", "Enter how many minutes the meeting took (more than 0).")
        elif minutes > MAX_MEETING_MINUTES:
            errors.setdefault(
                "duration_minutes",
                f"A session of more than {MAX_MEETING_MINUTES // 60} hours is not plausible; log each day separately.",
            )
        return errors

    @property
    def kind_label(self):
        return label(MEETING_KINDS, self.kind)

    @property
    def mode_label(self):
        return label(MEETING_MODES, self.mode)


class MeetingAttendee(BaseModel):
    meeting = ForeignKeyField(Meeting, backref="attendees", on_delete="CASCADE")
    team_member = ForeignKeyField(TeamMember, null=True, on_delete="CASCADE")
    user = ForeignKeyField(User, null=True, on_delete="CASCADE")  # an ISP who attended


class MeetingCompetency(BaseModel):
    meeting = ForeignKeyField(Meeting, backref="competency_links", on_delete="CASCADE")
    competency = ForeignKeyField(Competency, on_delete="RESTRICT")
    label = CharField(max_length=200)  # the name when logged

    class Meta:  # (competency, meeting): the reports count meetings per competency from the index alone
        indexes = ((("meeting", "competency"), True), (("competency", "meeting"), False))


class MeetingStrategy(BaseModel):
    meeting = ForeignKeyField(Meeting, backref="strategy_links", on_delete="CASCADE")
    strategy = ForeignKeyField(Strategy, on_delete="RESTRICT")
    label = CharField(max_length=200)
    minutes = IntegerField(null=True)  # dose given to this strategy, when known

    class Meta:  # (strategy, meeting): the reports count meetings per strategy from the index alone
        indexes = ((("meeting", "strategy"), True), (("strategy", "meeting"), False))


class MeetingPrinciple(BaseModel):
    meeting = ForeignKeyField(Meeting, backref="principle_links", on_delete="CASCADE")
    principle = ForeignKeyField(Principle, on_delete="RESTRICT")

    class Meta:
        indexes = ((("meeting", "principle"), True),)


class NextStep(BaseModel):
    meeting = ForeignKeyField(Meeting, backref="next_steps", on_delete="CASCADE")
    text = TextField()
    owner = CharField(max_length=200, default="")
    due_on = DateField(null=True, index=True)
    done_on = DateField(null=True)


# --- deliverables, context, feedback -----------------------------------------------------------


class Deliverable(Audited):
    engagement = ForeignKeyField(Engagement, backref="deliverables", on_delete="CASCADE")
    kind = CharField(max_length=30, choices=DELIVERABLE_KINDS, default="other")
    title = CharField(max_length=300)
    due_on = DateField(null=True)
    delivered_on = DateField(null=True)
    link = CharField(max_length=500, default="")
    note = TextField(default="")

    required = {"engagement": "A deliverable belongs to an engagement.", "title": "Name the deliverable."}

    @property
    def kind_label(self):
        return label(DELIVERABLE_KINDS, self.kind)


class ContextNote(Audited):
    engagement = ForeignKeyField(Engagement, backref="context_notes", on_delete="CASCADE")
    kind = CharField(max_length=20, choices=CONTEXT_KINDS)
    domain = CharField(max_length=20, choices=CFIR_DOMAINS)
    text = TextField()
    noted_on = DateField()
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    required = {
        "engagement": "A note belongs to an engagement.",
        "kind": "Barrier or facilitator?",
        "domain": "Choose the CFIR domain.",
        "text": "Write the note.",
        "noted_on": "Enter a date.",
    }

    @property
    def kind_label(self):
        return label(CONTEXT_KINDS, self.kind)

    @property
    def domain_label(self):
        return label(CFIR_DOMAINS, self.domain)


class FeedbackInvitation(BaseModel):
    engagement = ForeignKeyField(Engagement, backref="feedback_invitations", on_delete="CASCADE")
    meeting = ForeignKeyField(Meeting, null=True, on_delete="SET NULL")
    instrument = ForeignKeyField(FeedbackInstrument, on_delete="RESTRICT")
    kind = CharField(max_length=10, choices=FEEDBACK_KINDS)
    email = CharField(max_length=254, default="", index=True)
    team_member = ForeignKeyField(TeamMember, null=True, on_delete="SET NULL")  # who was invited, if on the team
    sent_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    token_hash = CharField(max_length=128, unique=True)
    item_keys = TextField(default="")  # the items asked (a pulse asks a few), comma-separated
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)  # the day it was answered (midnight: coarse, so it cannot be matched)


class FeedbackResponse(Audited):
    engagement = ForeignKeyField(Engagement, backref="feedback_responses", on_delete="CASCADE")
    instrument = ForeignKeyField(FeedbackInstrument, on_delete="RESTRICT")
    kind = CharField(max_length=10, choices=FEEDBACK_KINDS)
    meeting = ForeignKeyField(Meeting, null=True, on_delete="SET NULL")
    respondent = ForeignKeyField(User, null=True, on_delete="SET NULL")  # None when anonymous
    respondent_email = CharField(max_length=254, default="")  # named answer without an account; "" when anonymous
    anonymous = BooleanField(default=True)
    submitted_on = DateField(index=True)
    comments = TextField(default="{}")  # open answers, JSON {item_key: text}
    created_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)

    @property
    def comment_map(self):
        return json.loads(self.comments or "{}")


class FeedbackAnswer(BaseModel):
    response = ForeignKeyField(FeedbackResponse, backref="answers", on_delete="CASCADE")
    item = ForeignKeyField(FeedbackItem, on_delete="RESTRICT")
    value = IntegerField()

    class Meta:
        indexes = ((("response", "item"), True),)

    def validate(self):
        errors = super().validate()
        if not isinstance(self.value, int) or not 1 <= self.value <= 5:
            errors["value"] = "Answers are on the 1-5 agreement scale."
        return errors


class OutboxMessage(BaseModel):
    """An outgoing email as recorded by tracker/mail.py (links with tokens are stored redacted)."""

    to_email = CharField(max_length=254)
    subject = CharField(max_length=300)
    body = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    error = TextField(default="")


# --- sign-in throttling -----------------------------------------------------------------------


class SignInAttempt(BaseModel):
    """A failed sign-in, kept in the database so throttling holds across workers and app servers."""

    email = CharField(max_length=254, index=True)
    address = CharField(max_length=64, index=True)
    at = DateTimeField(default=utcnow, index=True)


# --- audit log --------------------------------------------------------------------------------


class AuditEntry(BaseModel):
    at = DateTimeField(default=utcnow, index=True)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="audit_entries")
    action = CharField(max_length=10)  # create / update / delete / restore
    entity = CharField(max_length=60)
    entity_id = IntegerField(null=True)
    engagement_id = IntegerField(null=True, index=True)
    changes = TextField(default="{}")

    @classmethod
    def record(cls, action, instance, changes):
        if action == "update" and list(changes) == ["deleted_at"]:
            action = "delete" if changes["deleted_at"][1] else "restore"
        return cls.insert(
            at=utcnow(),
            user=_audit_actor_id(),
            action=action,
            entity=type(instance).__name__,
            entity_id=instance._pk,
            engagement_id=instance.audit_engagement_id(),
            changes=json.dumps(changes, default=str, sort_keys=True),
        ).execute()

    @property
    def change_map(self):
        return json.loads(self.changes or "{}")


class ApiToken(BaseModel):
    """A bearer token for the JSON API; only its sha256 is stored (the token is shown once)."""

    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    name = CharField(max_length=100, default="")
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)


MODELS = [
    SchemaVersion,
    DataVersion,
    Organization,
    Unit,
    User,
    CompetencyFramework,
    CompetencyDomain,
    Competency,
    Principle,
    Stage,
    BenchmarkTemplate,
    StrategyCluster,
    Strategy,
    FeedbackInstrument,
    FeedbackItem,
    SupportRequest,
    Engagement,
    EngagementISP,
    EngagementStatusChange,
    TeamMember,
    Goal,
    GoalStatusChange,
    StageEntry,
    Benchmark,
    Meeting,
    MeetingAttendee,
    MeetingCompetency,
    MeetingStrategy,
    MeetingPrinciple,
    NextStep,
    Deliverable,
    ContextNote,
    FeedbackInvitation,
    FeedbackResponse,
    FeedbackAnswer,
    OutboxMessage,
    AuditEntry,
    SignInAttempt,
    ApiToken,
]
