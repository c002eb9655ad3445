"""Meetings and what they link to: attendees, competencies, strategies, principles, next steps, decisions.

Power balance (issue 19): a meeting records who set its agenda (`agenda_set_by`: the ISPs, the recipient
team or jointly; unknown for meetings logged before it was asked) and the decisions taken, each with who
decided (`MeetingDecision`). The shares built on them are defined in tracker/reports/power.py.

Link rows are recorded in the audit entry of the meeting that owns them. Meetings and next steps are
soft-deleted (`deleted_at`).
"""

from peewee import JOIN, BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..db import database
from .audit import AuditEntry
from .base import BaseModel, LimitedTextField, check_event_date, check_planned_date, label, utcnow
from .catalog import Competency, Principle, Strategy
from .engagements import Engagement, SupportRequest, TeamMember, engagement_of
from .people import User
from .review import Reviewed

MEETING_KINDS = (
    ("definition", "Definition meeting"),
    ("monthly", "Monthly team meeting"),
    ("planning", "Planning meeting"),
    ("debrief", "Debrief"),
    ("coaching", "Coaching session"),
    ("other", "Other session"),
)
DEFINITION = "definition"  # the meeting kind that may predate the engagement's start
MEETING_MODES = (("in_person", "In person"), ("virtual", "Virtual"))

# Who set a session's agenda, and who took a decision in it (issue 19, power balance).
POWER_PARTIES = (("isp", "The ISPs"), ("recipient", "The recipient team"), ("joint", "Jointly"))
SHARED_PARTIES = ("recipient", "joint")  # the recipient had a hand in it: counted in the power-balance shares
MAX_DECISIONS = 50

MAX_MEETING_MINUTES = 16 * 60  # a session longer than a working day is a typing error


class Meeting(Reviewed):
    engagement = ForeignKeyField(Engagement, backref="meetings", on_delete="CASCADE")
    date = DateField(index=True)
    kind = CharField(max_length=20, choices=MEETING_KINDS, default="monthly")
    mode = CharField(max_length=20, choices=MEETING_MODES, default="in_person")
    duration_minutes = IntegerField(default=60)
    notes = TextField(default="")
    notes_internal = BooleanField(default=False)  # the whole note is internal: see notes_for
    agenda_set_by = CharField(max_length=20, choices=POWER_PARTIES, null=True)  # None: not recorded
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

    def notes_for(self, sees_internal):
        """The session notes as a reader sees them: an internal note (`notes_internal`) only for those who
        see internal notes (`sees_internal`: policy.can_see_internal_notes), else no notes at all. Every
        page, API answer and export that shows a meeting's notes reads them here."""
        return self.notes if sees_internal or not self.notes_internal else ""

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
        self.check_date(errors)
        return errors

    def check_date(self, errors):
        """The date policy: between the engagement's start and today; a definition meeting may date
        from the day the engagement's request was submitted (docs/date-policy.md)."""
        if self.date is None:
            return
        engagement = engagement_of(self)
        start = engagement.start_date if engagement else None
        earliest, why = None, ""
        if self.kind == DEFINITION and engagement is not None and engagement.request_id:
            request = (
                SupportRequest.select(SupportRequest.created_at)
                .where(SupportRequest.id == engagement.request_id)
                .first()
            )
            submitted = request.submitted_on if request else None
            if submitted and (start is None or submitted < start):
                earliest, why = submitted, "the request's submission"
        check_event_date(errors, "date", self.date, start, earliest, why)

    @property
    def kind_label(self):
        return label(MEETING_KINDS, self.kind)

    @classmethod
    def deleted_of(cls, engagement):
        """The engagement's soft-deleted meetings, most recently deleted first."""
        return list(
            cls.select()
            .where((cls.engagement == engagement.id) & cls.deleted_at.is_null(False))
            .order_by(cls.deleted_at.desc())
        )

    @classmethod
    def last_session_kind(cls, user, default="planning"):
        """The kind of the last session other than a monthly meeting that `user` logged (any engagement):
        what "Log another session" offers next, since an ISP tends to log the same kind again."""
        last = (
            cls.live()
            .select(cls.kind)
            .where((cls.logged_by == user.id) & (cls.kind != "monthly"))
            .order_by(cls.created_at.desc(), cls.id.desc())
            .first()
        )
        return last.kind if last else default

    @property
    def mode_label(self):
        return label(MEETING_MODES, self.mode)

    @property
    def agenda_label(self):
        return label(POWER_PARTIES, self.agenda_set_by) if self.agenda_set_by else "Not recorded"


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


def dose_problem(doses, strategies, duration_minutes):
    """What is wrong with the minutes a meeting gave its strategies ({strategy: minutes}, the recorded
    doses), or None: each more than 0, for a strategy the meeting lists, together no more than the meeting."""
    if any(s not in strategies for s in doses):
        return "A strategy with minutes must be one of the meeting's strategies."
    if any(isinstance(m, bool) or not isinstance(m, int) or m <= 0 for m in doses.values()):
        return "Give each strategy a whole number of minutes, more than 0."
    if isinstance(duration_minutes, int) and 0 < duration_minutes < sum(doses.values()):
        return f"The strategies' minutes add up to more than the meeting's {duration_minutes}."
    return None


class MeetingPrinciple(BaseModel):
    meeting = ForeignKeyField(Meeting, backref="principle_links", on_delete="CASCADE")
    principle = ForeignKeyField(Principle, on_delete="RESTRICT")

    class Meta:
        indexes = ((("meeting", "principle"), True),)


class MeetingDecision(BaseModel):
    """A decision taken in a meeting and who took it. A link row: written with the meeting, replaced when
    the meeting is edited, recorded in the meeting's audit entry."""

    meeting = ForeignKeyField(Meeting, backref="decisions", on_delete="CASCADE")
    text = CharField(max_length=500)
    decided_by = CharField(max_length=20, choices=POWER_PARTIES)

    required = {"text": "Describe the decision.", "decided_by": "Choose who decided."}

    @property
    def decided_by_label(self):
        return label(POWER_PARTIES, self.decided_by)

    @classmethod
    def of(cls, meeting):
        return list(cls.select().where(cls.meeting == meeting.id).order_by(cls.id))


class NextStep(BaseModel):
    """A next step agreed in a meeting. Its creation and edits are recorded in the meeting's audit
    entry (a link row); removing it is a soft delete audited on its own ("delete", "restore"), so an
    administrator can see who removed it and restore it."""

    meeting = ForeignKeyField(Meeting, backref="next_steps", on_delete="CASCADE")
    text = LimitedTextField(max_length=1000)
    owner = CharField(max_length=200, default="")
    due_on = DateField(null=True, index=True)
    done_on = DateField(null=True)
    deleted_at = DateTimeField(null=True)

    @classmethod
    def live(cls):
        return cls.select().where(cls.deleted_at.is_null())

    def audit_engagement_id(self):
        return Meeting.select(Meeting.engagement).where(Meeting.id == self.meeting_id).scalar()

    def soft_delete(self):
        with database.atomic():
            self.deleted_at = utcnow()
            self.save(only=[NextStep.deleted_at])
            AuditEntry.record("delete", self, {"text": self.text})

    def restore(self):
        with database.atomic():
            self.deleted_at = None
            self.save(only=[NextStep.deleted_at])
            AuditEntry.record("restore", self, {"text": self.text})

    def validate(self):
        errors = super().validate()
        check_planned_date(errors, "due_on", self.due_on)
        check_planned_date(errors, "done_on", self.done_on)
        return errors


def linked_ids(meeting):
    """The ids a meeting links to now: {"team_members", "isps", "competencies", "strategies", "principles"}
    (all empty for None, a meeting not saved yet). Deleted team members are left out."""
    out = {"team_members": [], "isps": [], "competencies": [], "strategies": [], "principles": []}
    if meeting is None:
        return out
    attendees = (
        MeetingAttendee.select(MeetingAttendee)
        .join(TeamMember, JOIN.LEFT_OUTER, on=(MeetingAttendee.team_member == TeamMember.id))
        .where((MeetingAttendee.meeting == meeting.id) & TeamMember.deleted_at.is_null())  # ISPs: no member
        .order_by(MeetingAttendee.id)
    )
    for a in attendees:
        if a.team_member_id:
            out["team_members"].append(a.team_member_id)
        if a.user_id:
            out["isps"].append(a.user_id)
    for name, model, field in (
        ("competencies", MeetingCompetency, MeetingCompetency.competency),
        ("strategies", MeetingStrategy, MeetingStrategy.strategy),
        ("principles", MeetingPrinciple, MeetingPrinciple.principle),
    ):
        out[name] = [
            getattr(r, field.name + "_id")
            for r in model.select(field).where(model.meeting == meeting.id).order_by(model.id)
        ]
    return out
