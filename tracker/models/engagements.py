"""Support requests and engagements with their parts: ISPs, status changes, team, goals, stages,
benchmarks, deliverables and context notes.

Engagements and all their parts (team memberships, goals, benchmarks, deliverables, context notes)
are soft-deleted (`deleted_at`); `live()` leaves them out, `deleted_of(engagement)` lists them.
"""

import math
import re

from peewee import JOIN, BooleanField, CharField, DateField, DateTimeField, FloatField, ForeignKeyField, IntegerField

from ..db import database
from .audit import AuditEntry
from .base import (
    Audited,
    BaseModel,
    LimitedTextField,
    ValidationError,
    check_event_date,
    check_planned_date,
    email_problem,
    keys,
    label,
    today,
    utcnow,
)
from .catalog import BenchmarkTemplate, Stage
from .people import Organization, Unit, User

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
# Why a goal was achieved, dropped or revised (issue 23): asked with every such change, a note beside it
# ("other" requires the note).
GOAL_REASONS = (
    ("as_planned", "Achieved as planned"),
    ("not_a_priority", "No longer a priority"),
    ("replaced", "Replaced by another goal"),
    ("lacking_capacity", "Capacity or resources lacking"),
    ("other", "Other"),
)
REASON_REQUIRED = ("achieved", "dropped", "revised")  # the goal statuses that ask for a reason
REF_PATTERN = re.compile(r"^\s*(ENG|REQ)-(\d{4})-(\d{3,})\s*$", re.IGNORECASE)
# A measured indicator: which way is better (issue 19).
MEASURE_DIRECTIONS = (("up", "Up is better"), ("down", "Down is better"))
# Implementation outcomes (Proctor et al. 2011, domain.md) an indicator may be tagged with.
IMPLEMENTATION_OUTCOMES = (
    ("acceptability", "Acceptability"),
    ("adoption", "Adoption"),
    ("appropriateness", "Appropriateness"),
    ("feasibility", "Feasibility"),
    ("fidelity", "Fidelity"),
    ("implementation_cost", "Implementation cost"),
    ("penetration", "Penetration"),
    ("sustainability", "Sustainability"),
)
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
    ("withdrawn", "Withdrawn"),
)
# A request waiting in the triage queue: not yet decided (the queue's "Open" tab, an ISP's home page).
OPEN_REQUEST_STATUSES = ("submitted", "info_requested")
REQUEST_EVENT_KINDS = (
    ("submitted", "Submitted"),
    ("question", "Question asked"),
    ("answer", "Answered"),
    ("accepted", "Accepted"),
    ("declined", "Declined"),
    ("withdrawn", "Withdrawn"),
)


def engagement_of(row, field="engagement"):
    """The engagement a part belongs to (its id, start date and request), for the date policy; the
    related object when it is already loaded, else one query. None when the part has none yet."""
    cached = row.__rel__.get(field)
    if cached is not None:
        return cached
    engagement_id = row.__data__.get(field)
    if engagement_id is None:
        return None
    return (
        Engagement.select(Engagement.id, Engagement.start_date, Engagement.request)
        .where(Engagement.id == engagement_id)
        .first()
    )


def assign_ref(row, prefix):
    """Give a new engagement or request its readable id, `<prefix>-<year>-<nnn>`: the year it is created
    and the next number of that year (zero-padded to 3). Called by save() on create, in its transaction;
    the column's unique index refuses a duplicate from a concurrent create."""
    if row.ref:
        return
    if row.created_at is None:
        row.created_at = utcnow()
    start = f"{prefix}-{row.created_at.year}-"
    model = type(row)
    taken = model.select(model.ref).where(model.ref.startswith(start)).tuples()
    number = max((int(ref[len(start) :]) for (ref,) in taken if ref[len(start) :].isdigit()), default=0) + 1
    row.ref = format_ref(prefix, row.created_at.year, number)


def format_ref(prefix, year, number):
    """The readable id `<prefix>-<year>-<nnn>` (the number zero-padded to 3): ENG-2026-014."""
    return f"{prefix.upper()}-{year}-{int(number):03d}"


def check_part_event_date(row, errors, field):
    """An event date of a part of an engagement: between the engagement's start and today."""
    value = row.__data__.get(field)
    if value is None:
        return
    engagement = engagement_of(row)
    check_event_date(errors, field, value, engagement.start_date if engagement else None)


class SupportRequest(Audited):
    unit = ForeignKeyField(Unit, backref="requests", on_delete="RESTRICT")
    requested_by = ForeignKeyField(User, null=True, backref="requests", on_delete="SET NULL")
    # The intermediary organization the request is addressed to: only its people (ISPs, leaders) see it
    # (policy.visible_requests). Chosen when several exist, else the only one (migration 0011).
    intermediary = ForeignKeyField(Organization, null=True, backref="requests_received", on_delete="RESTRICT")
    title = CharField(max_length=200)
    description = LimitedTextField(default="", max_length=5000)  # what the initiative is
    for_whom = LimitedTextField(default="", max_length=2000)
    on_behalf_of = CharField(max_length=200, default="")  # partner or grantee name; empty = internal
    hoped_start = DateField(null=True)
    urgent = BooleanField(default=False)
    urgency_note = LimitedTextField(default="", max_length=2000)
    status = CharField(max_length=20, choices=REQUEST_STATUSES, default="submitted", index=True)
    info_question = LimitedTextField(default="", max_length=5000)
    info_answer = LimitedTextField(default="", max_length=5000)
    decline_reason = LimitedTextField(default="", max_length=5000)
    decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    decided_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow, index=True)
    ref = CharField(max_length=20, null=True, unique=True)  # REQ-<year>-<nnn>, assigned on create

    required = {"unit": "Choose the unit the request is for.", "title": "Give the request a title."}
    not_edited = (*Audited.not_edited, "ref")
    # what a request must also say when it is submitted (a draft of one need not yet)
    submission_required = {
        "description": "Describe the initiative you would like support with.",
        "for_whom": "Say who the initiative is for.",
    }

    def validate(self):
        errors = super().validate()
        if self.status == "declined" and not (self.decline_reason or "").strip():
            errors.setdefault("decline_reason", "Say why the request is declined.")
        check_planned_date(errors, "hoped_start", self.hoped_start)
        return errors

    @staticmethod
    def intermediaries():
        """The intermediary organizations a request may be addressed to, by name."""
        return Organization.select().where(Organization.kind == "intermediary").order_by(Organization.name)

    def address_to_the_only_intermediary(self):
        """A request addressed to nobody goes to the intermediary when there is only one."""
        if self.__data__.get("intermediary") is None:
            only = list(self.intermediaries().limit(2))
            if len(only) == 1:
                self.intermediary = only[0]

    def save(self, *args, **kwargs):
        """A new request records its "submitted" event (at created_at, by requested_by) in the same
        transaction, whatever path creates it (page, API, demo, an import); one addressed to nobody goes
        to the only intermediary."""
        creating = self._pk is None or kwargs.get("force_insert")
        if creating:
            self.address_to_the_only_intermediary()
        with database.atomic():
            if creating:
                assign_ref(self, "REQ")
            result = super().save(*args, **kwargs)
            if creating:
                RequestEvent.record(self, "submitted", by=self.requested_by_id, at=self.created_at)
        return result

    @property
    def submitted_on(self):
        """The day the request was submitted (definition meetings may date from it)."""
        return self.created_at.date() if self.created_at else None

    def submission_problems(self):
        """{field: message} for what a request must say when it is submitted (page and API alike), on top
        of validate(): the intermediary it is addressed to (the only one by default), what the
        initiative is, for whom, and why when it is urgent."""
        self.address_to_the_only_intermediary()
        errors = self.validate()
        intermediary = self.__data__.get("intermediary")
        if intermediary is None and self.intermediaries().exists():
            errors.setdefault("intermediary", "Choose the intermediary organization the request is addressed to.")
        elif intermediary is not None and not self.intermediaries().where(Organization.id == intermediary).exists():
            errors.setdefault("intermediary", "Choose an intermediary organization from the list.")
        for name, message in self.submission_required.items():
            if not (getattr(self, name) or "").strip():
                errors.setdefault(name, message)
        if self.urgent and not (self.urgency_note or "").strip():
            errors.setdefault("urgency_note", "Say what makes the request urgent.")
        return errors

    @property
    def is_internal(self):
        return not (self.on_behalf_of or "").strip()

    @property
    def answered_waiting(self):
        """The requester answered the team's question and the request waits for the ISP team again."""
        return self.status == "submitted" and bool((self.info_answer or "").strip())

    @classmethod
    def questions_waiting(cls, query):
        """The requests of `query` (already limited to what the reader may see) whose question waits for
        an answer, oldest question first (a query): a recipient's My work."""
        return query.where(cls.status == "info_requested").order_by(cls.created_at, cls.id)

    @classmethod
    def in_queue(cls, query):
        """The requests of `query` (already limited to what the reader may see) waiting in the triage queue,
        with their unit: urgent first, then newest, as the queue's "Open" tab lists them."""
        return (
            query.select_extend(Unit)
            .join(Unit, on=(cls.unit == Unit.id))
            .where(cls.status.in_(OPEN_REQUEST_STATUSES))
            .order_by(*cls.queue_order())
        )

    @classmethod
    def queue_order(cls):
        """The order of requests waiting for a decision: urgent first, then newest."""
        return (cls.urgent.desc(), cls.created_at.desc(), cls.id.desc())

    @property
    def status_label(self):
        return label(REQUEST_STATUSES, self.status)


class Engagement(Audited):
    unit = ForeignKeyField(Unit, backref="engagements", on_delete="RESTRICT")
    intermediary = ForeignKeyField(Organization, null=True, backref="engagements_supported", on_delete="RESTRICT")
    request = ForeignKeyField(SupportRequest, null=True, unique=True, backref="engagements", on_delete="SET NULL")
    title = CharField(max_length=200)
    problem_statement = LimitedTextField(default="", max_length=10000)
    support_model = CharField(max_length=20, choices=SUPPORT_MODELS, default="push_pull")
    start_date = DateField()
    end_date = DateField(null=True)  # planned end while running, actual end once closed
    status = CharField(max_length=20, choices=ENGAGEMENT_STATUSES, default="proposed", index=True)
    current_stage = ForeignKeyField(Stage, null=True, on_delete="RESTRICT")  # kept by enter_stage()
    closing_summary = LimitedTextField(default="")
    created_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)
    ref = CharField(max_length=20, null=True, unique=True)  # ENG-<year>-<nnn>, assigned on create
    not_edited = (*Audited.not_edited, "ref")

    required = {
        "unit": "Choose the unit this engagement supports.",
        "title": "Give the engagement a title.",
        "support_model": "Choose the model of support.",
        "start_date": "Enter the start date.",
    }

    def audit_engagement_id(self):
        return self._pk

    def save(self, *args, **kwargs):
        """A new engagement gets its readable id (assign_ref) in the same transaction."""
        if self._pk is None or kwargs.get("force_insert"):
            with database.atomic():
                assign_ref(self, "ENG")
                return super().save(*args, **kwargs)
        return super().save(*args, **kwargs)

    def validate(self):
        errors = super().validate()
        check_planned_date(errors, "start_date", self.start_date)
        check_planned_date(errors, "end_date", self.end_date)
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors.setdefault("end_date", "The end date cannot be before the start date.")
        if self.status == "closed" and not (self.closing_summary or "").strip():
            errors.setdefault("closing_summary", "Write a closing summary before closing the engagement.")
        return errors

    # -- derived
    @property
    def length_months(self):
        end = self.end_date or today()
        return max(0.0, (end - self.start_date).days / 30.44) if self.start_date else 0.0

    @property
    def starts_later(self):
        """The start date is still ahead: the page says "Starts on <date>" rather than a status and a
        length of 0 days (an engagement may be set up, even activated, before the work begins)."""
        return bool(self.start_date) and self.status != "closed" and self.start_date > today()

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

    @staticmethod
    def isp_problems(co_lead_ids, supporting_ids=(), keep=()):
        """{field: message} for what is wrong with these ISPs, keyed by the domain's names (co_lead_ids,
        supporting_ids); {} when they may lead the engagement. The one rule of every path (create page,
        accepting a request, edit page, API): exactly two different co-leads, each an active ISP; supporting
        ISPs are active ISPs and not co-leads as well. `keep`: ids already on the engagement, who may stay
        on it after their account was deactivated."""
        co_lead_ids = [int(i) for i in co_lead_ids or ()]
        supporting_ids = [int(i) for i in supporting_ids or ()]
        errors = {}
        if len(co_lead_ids) != 2:
            errors["co_lead_ids"] = "Choose two ISPs as co-leads."
        elif co_lead_ids[0] == co_lead_ids[1]:
            errors["co_lead_ids"] = "Choose two different ISPs as co-leads."
        wanted = set(co_lead_ids) | set(supporting_ids)
        allowed = set()
        if wanted:
            may_lead = (User.is_active | User.id.in_(list(keep))) if keep else User.is_active
            query = User.select(User.id).where(User.id.in_(list(wanted)) & (User.role == "isp") & may_lead)
            allowed = {u.id for u in query}
        if set(co_lead_ids) - allowed:
            errors.setdefault("co_lead_ids", "Co-leads must be active ISPs.")
        if set(supporting_ids) - allowed:
            errors["supporting_ids"] = "Supporting ISPs must be active ISPs."
        elif set(supporting_ids) & set(co_lead_ids):
            errors["supporting_ids"] = "A co-lead cannot also be a supporting ISP: untick them under supporting ISPs."
        return errors

    def set_isps(self, co_lead_ids, supporting_ids=()):
        """Replace the ISPs after checking them (isp_problems; raises ValidationError)."""
        co_lead_ids = [int(i) for i in co_lead_ids]
        supporting_ids = [int(i) for i in supporting_ids]
        keep = [link.user_id for link in self.isps()] if self._pk is not None else []
        errors = self.isp_problems(co_lead_ids, supporting_ids, keep=keep)
        if errors:
            raise ValidationError(errors)
        with database.atomic():
            EngagementISP.delete().where(EngagementISP.engagement == self).execute()
            EngagementISP.insert_many(
                [{"engagement": self.id, "user": uid, "role": "co_lead"} for uid in co_lead_ids]
                + [{"engagement": self.id, "user": uid, "role": "supporting"} for uid in supporting_ids]
            ).execute()
            AuditEntry.record("update", self, {"co_leads": co_lead_ids, "supporting": supporting_ids})

    # -- stages
    def enter_stage(self, stage, entered_on, note="", user=None, default_benchmarks=True):
        """Move into a stage (an earlier one may be revisited); adds its default benchmarks once
        (`default_benchmarks=False`: a portfolio import, whose benchmarks sheet brings them)."""
        if entered_on is None:
            raise ValidationError({"entered_on": "Enter the date the stage was entered."})
        with database.atomic():
            entry = StageEntry.create(
                engagement=self, stage=stage, entered_on=entered_on, note=note or "", created_by=user
            )
            self.recompute_stage()
            if (
                default_benchmarks
                and not Benchmark.select().where((Benchmark.engagement == self) & (Benchmark.stage == stage)).exists()
            ):
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

    def recompute_stage(self):
        """current_stage = the stage of the latest-dated entry (ties: the latest entered), or None."""
        latest = StageEntry.current_for(self)
        stage_id = latest.stage_id if latest is not None else None
        stored = Engagement.select(Engagement.current_stage).where(Engagement.id == self.id).scalar()
        self.current_stage = stage_id
        if stored != stage_id:  # the stored row decides: this object may be older than it
            self.save(only=[Engagement.current_stage, Engagement.version])  # a change like any other: versioned

    def stage_history(self):
        return list(
            StageEntry.select(StageEntry, Stage)
            .join(Stage)
            .where(StageEntry.engagement == self)
            .order_by(StageEntry.entered_on, StageEntry.id)
        )

    @classmethod
    def filtered(cls, query, unit=None, status=None, stage=None, model=None, isp=None, q=None, mine=None):
        """Narrow an engagement query (already limited by the access policy) by the list filters. `isp` and
        `mine` are user ids: the engagements that user co-leads or supports ("Mine" is the reader's own id)."""
        if unit is not None:
            query = query.where(cls.unit == unit)
        if status is not None:
            query = query.where(cls.status == status)
        if stage is not None:
            query = query.where(cls.current_stage == stage)
        if model is not None:
            query = query.where(cls.support_model == model)
        for user_id in (isp, mine):
            if user_id is not None:
                query = query.where(
                    cls.id.in_(EngagementISP.select(EngagementISP.engagement).where(EngagementISP.user == user_id))
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


class RequestEvent(BaseModel):
    """One event of a support request's story, a row of its own: submitted, question (asked),
    answer, accepted (with the engagement it started), declined (with the reason), withdrawn.

    Written by tracker/services/requests.py in the transaction of the action; the request page's
    history reads these rows (`history`), never the audit log. `at` is when it happened (the demo and
    imports give their own)."""

    request = ForeignKeyField(SupportRequest, backref="events", on_delete="CASCADE")
    kind = CharField(max_length=20, choices=REQUEST_EVENT_KINDS)
    at = DateTimeField(default=utcnow)
    by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    text = LimitedTextField(default="", max_length=5000)  # the question, the answer, the reason
    engagement = ForeignKeyField(Engagement, null=True, on_delete="SET NULL")

    class Meta:
        table_name = "request_event"

    @property
    def kind_label(self):
        return label(REQUEST_EVENT_KINDS, self.kind)

    @classmethod
    def record(cls, req, kind, by=None, text="", engagement=None, at=None):
        if kind not in keys(REQUEST_EVENT_KINDS):
            raise ValueError(f"unknown request event kind {kind!r}")
        return cls.create(
            request=req,
            kind=kind,
            at=at or utcnow(),
            by=getattr(by, "id", by),
            text=text or "",
            engagement=getattr(engagement, "id", engagement),
        )

    @classmethod
    def last_asker_id(cls, request_id):
        """The id of the person who asked the request's latest question (None: nobody known)."""
        return (
            cls.select(cls.by)
            .where((cls.request == request_id) & (cls.kind == "question"))
            .order_by(cls.at.desc(), cls.id.desc())
            .scalar()
        )

    @classmethod
    def history(cls, request_id):
        """The request's events, oldest first, with who made each (one query)."""
        return list(
            cls.select(cls, User)
            .join(User, JOIN.LEFT_OUTER, on=(cls.by == User.id))
            .where(cls.request == request_id)
            .order_by(cls.at, cls.id)
        )


class EngagementStatusChange(BaseModel):
    """One change of an engagement's status (activate, pause, resume, close), dated, with the reason."""

    engagement = ForeignKeyField(Engagement, backref="status_changes", on_delete="CASCADE")
    from_status = CharField(max_length=20, choices=ENGAGEMENT_STATUSES)
    to_status = CharField(max_length=20, choices=ENGAGEMENT_STATUSES)
    changed_on = DateField()
    reason = LimitedTextField(default="", max_length=2000)
    changed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    def validate(self):
        errors = super().validate()
        check_planned_date(errors, "changed_on", self.changed_on)
        return errors

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
    # The recipient team lead (issue 19): agrees to the implementation plan with the two co-leads.
    is_lead = BooleanField(default=False)
    deleted_at = DateTimeField(null=True)

    required = {
        "engagement": "A team member belongs to an engagement.",
        "name": "Enter the person's name.",
        "position": "Choose the person's position.",
    }

    def validate(self):
        errors = super().validate()
        check_planned_date(errors, "joined_on", self.joined_on)
        check_planned_date(errors, "left_on", self.left_on)
        if self.email is not None:
            self.email = self.email.strip().lower()
            if self.email and email_problem(self.email):
                errors.setdefault("email", email_problem(self.email))
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            errors.setdefault(
                "left_on",
                f"The end of membership ({self.left_on.isoformat()}) cannot be before it started "
                f"({self.joined_on.isoformat()}).",
            )
        return errors

    def save(self, *args, **kwargs):
        """At most one live team lead per engagement: marking a member as lead unmarks the one marked before
        (each an audited change), so the plan's agreement always asks one recipient team lead."""
        with database.atomic():
            result = super().save(*args, **kwargs)
            if self.is_lead and self.deleted_at is None:
                others = TeamMember.live().where(
                    (TeamMember.engagement == self.engagement_id) & TeamMember.is_lead & (TeamMember.id != self.id)
                )
                for other in others:
                    other.is_lead = False
                    other.save()
        return result

    @classmethod
    def lead_of(cls, engagement_id):
        """The engagement's recipient team lead (live, marked lead), or None."""
        return cls.live().where((cls.engagement == engagement_id) & cls.is_lead).order_by(cls.id).first()

    @property
    def position_label(self):
        return label(POSITIONS, self.position)

    @property
    def is_current(self):
        return self.left_on is None or self.left_on >= today()


class Goal(Audited):
    engagement = ForeignKeyField(Engagement, backref="goals", on_delete="CASCADE")
    title = CharField(max_length=300)
    indicator = LimitedTextField(default="", max_length=5000)  # indicator of implementation progress
    target = LimitedTextField(default="", max_length=5000)
    status = CharField(max_length=20, choices=GOAL_STATUSES, default="not_started")
    created_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)

    # The indicator's measure (issue 19), all optional: a goal has a measure once its direction,
    # baseline and target are set; its values over time are GoalMeasurement rows.
    measure_unit = CharField(max_length=60, default="")
    measure_direction = CharField(max_length=10, choices=MEASURE_DIRECTIONS, null=True)
    baseline_value = FloatField(null=True)
    baseline_on = DateField(null=True)
    target_value = FloatField(null=True)
    target_on = DateField(null=True)
    outcome = CharField(max_length=30, choices=IMPLEMENTATION_OUTCOMES, null=True)  # Proctor et al.

    required = {"engagement": "A goal belongs to an engagement.", "title": "Give the goal a title."}
    MEASURE_FIELDS = ("measure_direction", "baseline_value", "baseline_on", "target_value", "target_on")

    def validate(self):
        errors = super().validate()
        given = {name: getattr(self, name) for name in self.MEASURE_FIELDS}
        if any(value is not None for value in given.values()) or self.measure_unit:
            missing = {
                "measure_direction": "Say whether up or down is better.",
                "baseline_value": "Enter the baseline value.",
                "baseline_on": "Enter the date of the baseline.",
                "target_value": "Enter the target value.",
                "target_on": "Enter the date the target should be reached.",
            }
            for name, message in missing.items():
                if given[name] is None:
                    errors.setdefault(name, message)
        for name in ("baseline_value", "target_value"):
            problem = number_problem(given[name])
            if problem:
                errors.setdefault(name, problem)
        check_part_event_date(self, errors, "baseline_on")
        check_planned_date(errors, "target_on", self.target_on)
        if self.baseline_on and self.target_on and "target_on" not in errors and self.target_on <= self.baseline_on:
            errors.setdefault("target_on", "The target date comes after the baseline's date.")
        baseline, target = given["baseline_value"], given["target_value"]
        if not errors.get("baseline_value") and not errors.get("target_value") and None not in (baseline, target):
            if target == baseline:
                errors.setdefault(
                    "target_value", "The target differs from the baseline: else there is nothing to reach."
                )
            elif self.measure_direction == "up" and target < baseline:
                errors.setdefault("target_value", "Up is better: the target is above the baseline.")
            elif self.measure_direction == "down" and target > baseline:
                errors.setdefault("target_value", "Down is better: the target is below the baseline.")
        return errors

    @property
    def status_label(self):
        return label(GOAL_STATUSES, self.status)

    @property
    def has_measure(self):
        return None not in (self.measure_direction, self.baseline_value, self.target_value)

    @property
    def direction_label(self):
        return label(MEASURE_DIRECTIONS, self.measure_direction)

    @property
    def outcome_label(self):
        return label(IMPLEMENTATION_OUTCOMES, self.outcome)

    def measurements(self):
        """The goal's live recorded values in date order (ties: in the order entered)."""
        return list(
            GoalMeasurement.live()
            .where(GoalMeasurement.goal == self.id)
            .order_by(GoalMeasurement.date, GoalMeasurement.id)
        )

    def latest_measurement(self):
        """The latest-dated live value (ties: the latest entered), or None."""
        return (
            GoalMeasurement.live()
            .where(GoalMeasurement.goal == self.id)
            .order_by(GoalMeasurement.date.desc(), GoalMeasurement.id.desc())
            .first()
        )

    @property
    def measure_summary(self):
        """The measure with its latest value and progress toward target (the API's), or None."""
        if not self.has_measure:
            return None
        latest = self.latest_measurement()
        fields = ("measure_unit", "measure_direction", "baseline_value", "baseline_on", "target_value", "target_on")
        return {**{name: getattr(self, name) for name in fields}, "latest": latest, "progress": self.progress(latest)}

    def progress(self, latest=None):
        """Progress toward target of the latest value (`progress_toward_target`), or None without a
        measure or a value. `latest`: the latest GoalMeasurement when the caller already has it."""
        if not self.has_measure:
            return None
        latest = latest if latest is not None else self.latest_measurement()
        return progress_toward_target(self.baseline_value, self.target_value, latest.value if latest else None)

    def open_items(self):
        """The live open benchmarks (not completed) and deliverables (not delivered) tied to this goal:
        marking it achieved asks to confirm while there are some."""
        benchmarks = Benchmark.live().where((Benchmark.goal == self.id) & Benchmark.completed_on.is_null())
        deliverables = Deliverable.live().where((Deliverable.goal == self.id) & Deliverable.delivered_on.is_null())
        return list(benchmarks.order_by(Benchmark.id)) + list(deliverables.order_by(Deliverable.id))

    def change_status(self, status, changed_on, note="", meeting=None, user=None, reason=""):
        """Add a dated entry to the goal's history and recompute the status from it (one transaction).
        A backdated entry takes its place in the history; it becomes the status only when it is the
        latest-dated. The checks of a change (services/goals.py) come before this."""
        if status not in keys(GOAL_STATUSES):
            raise ValidationError({"status": "Choose a goal status."})
        if changed_on is None:
            raise ValidationError({"changed_on": "Enter the date of the change."})
        with database.atomic():
            change = GoalStatusChange(
                goal=self,
                status=status,
                changed_on=changed_on,
                note=note or "",
                reason=reason or None,
                meeting_id=getattr(meeting, "id", meeting),
                changed_by=user,
            )
            change.goal_engagement_id = self.engagement_id
            change.save()
            self.recompute_status()
        return change

    def dated_history(self):
        """The status history in date order (ties: in the order entered)."""
        return list(
            GoalStatusChange.select()
            .where(GoalStatusChange.goal == self.id)
            .order_by(GoalStatusChange.changed_on, GoalStatusChange.id)
        )

    def recompute_status(self):
        """status = the status of the latest-dated entry of the history (ties: the latest entered)."""
        latest = (
            GoalStatusChange.select(GoalStatusChange.status)
            .where(GoalStatusChange.goal == self.id)
            .order_by(GoalStatusChange.changed_on.desc(), GoalStatusChange.id.desc())
            .first()
        )
        if latest is None:
            return
        stored = Goal.select(Goal.status).where(Goal.id == self.id).scalar()
        self.status = latest.status
        if stored != latest.status:  # the stored row decides: this object may be older than it
            self.save(only=[Goal.status, Goal.version])  # a change like any other: versioned


class GoalStatusChange(BaseModel):
    goal = ForeignKeyField(Goal, backref="history", on_delete="CASCADE")
    status = CharField(max_length=20, choices=GOAL_STATUSES)
    changed_on = DateField()
    note = LimitedTextField(default="", max_length=500)
    reason = CharField(max_length=30, choices=GOAL_REASONS, null=True)  # why achieved, dropped or revised
    meeting_id = IntegerField(null=True, index=True)  # the meeting where the change was logged
    changed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    updated_at = DateTimeField(null=True, default=utcnow)  # written or last corrected (NULL: before 0015)

    goal_engagement_id = None  # set by whoever already knows it; else looked up

    def audit_engagement_id(self):
        if self.goal_engagement_id is None:
            self.goal_engagement_id = Goal.select(Goal.engagement).where(Goal.id == self.goal_id).scalar()
        return self.goal_engagement_id

    def validate(self):
        errors = super().validate()
        if self.changed_on is not None and self.goal_id is not None:
            start = (
                Engagement.select(Engagement.start_date)
                .join(Goal, on=(Goal.engagement == Engagement.id))
                .where(Goal.id == self.goal_id)
                .tuples()
                .first()
            )
            check_event_date(errors, "changed_on", self.changed_on, start[0] if start else None)
        return errors

    @property
    def status_label(self):
        return label(GOAL_STATUSES, self.status)

    @property
    def reason_label(self):
        return label(GOAL_REASONS, self.reason) if self.reason else ""

    @classmethod
    def made_in(cls, meeting_id):
        """The goal status changes a meeting recorded, with their goals, in the order entered."""
        return cls.select(cls, Goal).join(Goal).where(cls.meeting_id == meeting_id).order_by(cls.id)


def reason_problems(status, reason, note, reason_field="reason", note_field="note"):
    """{field: message} for the reason of a goal's change (issue 23): achieving, dropping or revising a goal
    takes a reason from GOAL_REASONS, and "other" a note; other statuses take none. The goal page, the
    meeting log and the API all ask this through services/goals.check_change."""
    errors = {}
    if status in REASON_REQUIRED:
        if not reason:
            errors[reason_field] = f"Choose why the goal is {label(GOAL_STATUSES, status).lower()}."
        elif reason not in keys(GOAL_REASONS):
            errors[reason_field] = "Choose a reason from the list."
        elif reason == "other" and not (note or "").strip():
            errors[note_field] = "Say why in the note: the reason is “Other”."
    elif reason:
        errors[reason_field] = f"A goal {label(GOAL_STATUSES, status).lower()} takes no reason: leave it empty."
    return errors


def check_goal_of_engagement(row, errors):
    """A benchmark or deliverable may be tied to a live goal of its own engagement (issue 23)."""
    goal_id = row.__data__.get("goal")
    if goal_id is None:
        return
    if not Goal.live().where((Goal.id == goal_id) & (Goal.engagement == row.__data__.get("engagement"))).exists():
        errors.setdefault("goal_id", "Choose one of this engagement's goals.")


def number_problem(value):
    """The refusal for a measured value that is not a finite number, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "Enter a number, like 42 or 3.5."
    return None


def progress_toward_target(baseline, target, latest):
    """Progress toward target = (latest − baseline) / (target − baseline), capped to [0, 1].

    A value past the target counts as 1 (100 %), a value worse than the baseline as 0. The formula
    serves both directions: for a "down is better" measure the target is below the baseline, so
    both differences are negative when the value improves (baseline 40, target 10, latest 25:
    (25 − 40) / (10 − 40) = 0.5). None without a latest value (or when target equals baseline, which
    the model refuses)."""
    if latest is None or baseline is None or target is None or target == baseline:
        return None
    return min(1.0, max(0.0, (latest - baseline) / (target - baseline)))


MEASURE_DUE_DAYS = 31  # about a month: the cadence of the monthly meeting where values are usually logged


def measure_due(latest_on, on):
    """Whether a measured indicator is due a value on `on`: none recorded yet, or its latest value
    (dated `latest_on`) more than MEASURE_DUE_DAYS before. The meeting form opens its "Measured
    indicators" when one is due."""
    return latest_on is None or (on - latest_on).days > MEASURE_DUE_DAYS


class GoalMeasurement(Audited):
    """One recorded value of a goal's measured indicator, on a date (issue 19)."""

    goal = ForeignKeyField(Goal, backref="measurement_rows", on_delete="CASCADE")
    date = DateField()
    value = FloatField()
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    meeting_id = IntegerField(null=True, index=True)  # the meeting where the value was logged
    created_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)

    required = {"goal": "A value belongs to a goal.", "date": "Enter the date of the value.", "value": "Enter a value."}
    not_edited = (*Audited.not_edited, "goal", "recorded_by")
    goal_engagement_id = None  # set by whoever already knows it; else looked up

    def audit_engagement_id(self):
        if self.goal_engagement_id is None:
            self.goal_engagement_id = Goal.select(Goal.engagement).where(Goal.id == self.goal_id).scalar()
        return self.goal_engagement_id

    def validate(self):
        errors = super().validate()
        problem = number_problem(self.value)
        if problem:
            errors.setdefault("value", problem)
        if self.date is not None and self.goal_id is not None:
            row = (
                Goal.select(Goal.measure_direction, Goal.baseline_value, Goal.target_value, Engagement.start_date)
                .join(Engagement)
                .where(Goal.id == self.goal_id)
                .tuples()
                .first()
            )
            check_event_date(errors, "date", self.date, row[3] if row else None)
            if row and None in row[:3]:
                errors.setdefault("__all__", "Set the goal's measure (direction, baseline and target) first.")
        return errors


class StageEntry(BaseModel):
    engagement = ForeignKeyField(Engagement, backref="stage_entries", on_delete="CASCADE")
    stage = ForeignKeyField(Stage, on_delete="RESTRICT")
    entered_on = DateField()
    note = LimitedTextField(default="", max_length=5000)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    updated_at = DateTimeField(null=True, default=utcnow)  # written or last corrected (NULL: before 0015)

    def audit_engagement_id(self):
        return self.__data__.get("engagement")

    def validate(self):
        errors = super().validate()
        check_part_event_date(self, errors, "entered_on")
        return errors

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
    evidence = LimitedTextField(default="", max_length=5000)
    completed_in_meeting_id = IntegerField(null=True)  # when checked off while logging a meeting
    deleted_at = DateTimeField(null=True)
    goal = ForeignKeyField(Goal, null=True, backref="+", on_delete="SET NULL")  # the goal it serves (issue 23)

    required = {
        "engagement": "A benchmark belongs to an engagement.",
        "stage": "Choose a stage.",
        "text": "Describe the benchmark.",
    }

    def validate(self):
        errors = super().validate()
        check_part_event_date(self, errors, "completed_on")
        check_goal_of_engagement(self, errors)
        return errors

    @classmethod
    def completed_in(cls, meeting_id):
        """The live benchmarks a meeting completed, with their stages, in stage order."""
        return (
            cls.select(cls, Stage)
            .join(Stage)
            .where((cls.completed_in_meeting_id == meeting_id) & cls.deleted_at.is_null())
            .order_by(Stage.position, cls.position, cls.id)
        )


class Deliverable(Audited):
    engagement = ForeignKeyField(Engagement, backref="deliverables", on_delete="CASCADE")
    kind = CharField(max_length=30, choices=DELIVERABLE_KINDS, default="other")
    title = CharField(max_length=300)
    due_on = DateField(null=True)
    delivered_on = DateField(null=True)
    link = CharField(max_length=500, default="")
    note = LimitedTextField(default="", max_length=5000)
    deleted_at = DateTimeField(null=True)
    goal = ForeignKeyField(Goal, null=True, backref="+", on_delete="SET NULL")  # the goal it serves (issue 23)

    required = {"engagement": "A deliverable belongs to an engagement.", "title": "Name the deliverable."}

    def validate(self):
        errors = super().validate()
        check_planned_date(errors, "due_on", self.due_on)
        check_part_event_date(self, errors, "delivered_on")
        check_goal_of_engagement(self, errors)
        return errors

    @property
    def kind_label(self):
        return label(DELIVERABLE_KINDS, self.kind)

    @classmethod
    def overdue(cls, engagement_ids, as_of):
        """The live deliverables of these engagements (ids or a query of ids) not delivered and due before
        `as_of`, the longest overdue first: the portfolio's attention list, My work."""
        return (
            cls.live()
            .where(cls.engagement.in_(engagement_ids) & cls.delivered_on.is_null() & (cls.due_on < as_of))
            .order_by(cls.due_on, cls.id)
        )


class ContextNote(Audited):
    engagement = ForeignKeyField(Engagement, backref="context_notes", on_delete="CASCADE")
    kind = CharField(max_length=20, choices=CONTEXT_KINDS)
    domain = CharField(max_length=20, choices=CFIR_DOMAINS)
    text = LimitedTextField(max_length=5000)
    noted_on = DateField()
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    deleted_at = DateTimeField(null=True)
    internal = BooleanField(default=False)  # ISPs and leaders only: see shown

    required = {
        "engagement": "A note belongs to an engagement.",
        "kind": "Barrier or facilitator?",
        "domain": "Choose the CFIR domain.",
        "text": "Write the note.",
        "noted_on": "Enter a date.",
    }

    def validate(self):
        errors = super().validate()
        check_part_event_date(self, errors, "noted_on")
        return errors

    @property
    def kind_label(self):
        return label(CONTEXT_KINDS, self.kind)

    # Internal notes (issue 19): a reader who may not see internal notes (policy.can_see_internal_notes,
    # `sees_internal`) never gets one: every page, API answer and export reads context notes through these.
    @classmethod
    def shown(cls, query, sees_internal):
        """`query` (of context notes) narrowed to the notes the reader sees."""
        return query if sees_internal else query.where(cls.internal == False)  # noqa: E712 (SQL, not Python)

    def shown_to(self, sees_internal):
        """Whether the reader sees this note (for rows already loaded)."""
        return bool(sees_internal or not self.internal)

    @property
    def domain_label(self):
        return label(CFIR_DOMAINS, self.domain)


def find_by_ref(text):
    """The engagement or support request whose readable id is `text` (any case, spaces around it
    ignored), deleted engagements left out; None when `text` is not a readable id or names nothing.
    Who may see it is policy's: the caller filters (policy.visible_engagements / visible_requests)."""
    match = REF_PATTERN.match(text or "")
    if match is None:
        return None
    prefix, year, number = match.groups()
    ref = format_ref(prefix, year, number)
    if prefix.upper() == "ENG":
        return Engagement.live().where(Engagement.ref == ref).first()
    return SupportRequest.get_or_none(SupportRequest.ref == ref)
