"""Implementation plans and FRAME-IS modifications (issue 19): what the ISP team planned, and how it changed.

- `PlanItem`: one planned strategy of an engagement {strategy (an ERIC strategy or an ISP activity), goal
  and stage (optional), sessions_per_month, minutes_per_session, start_date, end_date (optional),
  responsible (an ISP or a team member)}. Soft-deleted; every change goes through `change_plan()`.
- `PlanVersion`: the plan as it stood after each change, numbered per engagement, with who changed it,
  when, a summary in words and a snapshot of its items (JSON): the versions ARE the plan's history.
- `PlanAgreement`: a party's agreement to one version. The plan is agreed when its latest version has
  the agreement of both co-leads and of the recipient team lead (`TeamMember.is_lead`): co-creation made
  visible. A changed plan is a new version, so it asks again.
- `Modification`: a change to a planned strategy recorded as FRAME-IS (Miller et al. 2021) codes it,
  with or without a lapse prompt; it may close or change its plan item.

Counting (one definition each, used by the pages, the API, the reports and the export):
- `months_between(start, end)`: whole calendar months from `start`, then the part month as its share of
  days (15 Jan -> 1 Mar = 1 month to 15 Feb, then 14 of February's 28 days = 1.5).
- A plan item's window runs from its start to its end, or to today while it has none (never past today);
  planned sessions = sessions_per_month x months_between(window); planned minutes = planned sessions x
  minutes_per_session. Delivered sessions are counted in tracker/reports/adherence.py.
- Lapse: a live item whose strategy has gone unlogged in the engagement for longer than
  `LAPSE_INTERVALS` planned intervals (an interval is 1 / sessions_per_month months: two months for a
  monthly item, six for a quarterly one), counted from the last session that logged it, or from the
  item's start when none has.
"""

import calendar
import datetime as dt
import json

from peewee import (
    JOIN,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    fn,
)

from ..db import database
from .base import Audited, BaseModel, LimitedTextField, ValidationError, check_planned_date, keys, label, today, utcnow
from .catalog import Stage, Strategy, StrategyCluster
from .engagements import Engagement, EngagementISP, Goal, TeamMember, check_part_event_date
from .meetings import MAX_MEETING_MINUTES, Meeting, MeetingStrategy
from .people import User

MAX_SESSIONS_PER_MONTH = 31  # more than one a day is a typing error
LAPSE_INTERVALS = 2  # a planned strategy unlogged for this many planned intervals asks "what changed"

# Who agrees to a plan: each co-lead, and the recipient team lead.
AGREEMENT_PARTIES = (("co_lead", "Co-lead"), ("team_lead", "Recipient team lead"))

# --- FRAME-IS (Miller, Barnett, Baumann, Gutner and Wiltsey-Stirman 2021), as summarised in domain.md
MODIFIED_ASPECTS = (  # module 2: what is modified
    ("content", "Content"),
    ("evaluation", "Evaluation"),
    ("training", "Training"),
    ("context_format", "Context: format"),
    ("context_setting", "Context: setting"),
    ("context_personnel", "Context: personnel"),
    ("context_population", "Context: population"),
)
MODIFICATION_NATURES = (  # module 3: the nature of the change
    ("tailoring", "Tailoring"),
    ("adding", "Adding"),
    ("removing", "Removing or skipping"),
    ("shortening", "Shortening"),
    ("lengthening", "Lengthening"),
    ("substituting", "Substituting"),
    ("reordering", "Reordering"),
    ("repeating", "Repeating"),
    ("integrating", "Integrating with another strategy"),
    ("loosening", "Loosening structure"),
    ("departing", "Departing from the strategy"),
)
FIDELITY = (  # module 3: consistent with the strategy's core elements?
    ("consistent", "Fidelity-consistent"),
    ("inconsistent", "Fidelity-inconsistent"),
    ("unknown", "Unknown"),
)
MODIFICATION_GOALS = (  # module 4: the goal of the change
    ("reach", "Increase reach"),
    ("adoption", "Increase adoption"),
    ("aaf", "Acceptability, appropriateness or feasibility"),
    ("fidelity", "Improve fidelity"),
    ("effectiveness", "Improve effectiveness"),
    ("cost", "Reduce cost"),
    ("sustainability", "Sustainability"),
    ("other", "Other"),
)
REASON_LEVELS = (  # module 4: the level of the reason
    ("sociopolitical", "Sociopolitical"),
    ("organization", "Organization or setting"),
    ("implementer", "Implementer or ISP"),
    ("recipient", "Recipient"),
)
MODIFICATION_TIMING = (  # module 5: when
    ("pre_implementation", "Pre-implementation"),
    ("implementation", "Implementation"),
    ("scale_up", "Scale-up"),
    ("sustainment", "Sustainment"),
)
MODIFICATION_PLANNING = (  # module 5: planned or not
    ("planned_proactive", "Planned, proactive"),
    ("planned_reactive", "Planned, reactive"),
    ("unplanned_reactive", "Unplanned, reactive"),
)
DECISION_PARTIES = (  # module 6: who took part in the decision, who made it
    ("isp", "The ISPs"),
    ("team", "The implementation team"),
    ("leadership", "The recipient's leadership"),
    ("funder", "The funder"),
    ("other", "Others"),
)
MODIFICATION_REACH = (  # module 7: how widespread
    ("individual", "One recipient or implementer"),
    ("group", "A group"),
    ("unit", "A unit"),
    ("organization", "An organization"),
    ("network", "A network"),
)
PLAN_EFFECTS = (  # what the modification does to its plan item
    ("none", "Leaves the plan item as it is"),
    ("close", "Closes the plan item"),
    ("change", "Changes the plan item"),
)


def months_between(start, end):
    """Months from `start` to `end` (0 when end <= start): whole calendar months counted from `start`
    (15 Jan -> 15 Feb is one; a day missing from a short month is its last day), then the part month
    left, as its days over the days of the month it falls in. 15 Jan -> 1 Mar 2026 = 1 + 14/28 = 1.5."""
    if end <= start:
        return 0.0
    whole = (end.year - start.year) * 12 + end.month - start.month
    if _add_months(start, whole) > end:
        whole -= 1
    anchor = _add_months(start, whole)
    rest = (end - anchor).days
    if not rest:
        return float(whole)
    days_in_month = (_add_months(start, whole + 1) - anchor).days
    return whole + rest / days_in_month


def _add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_months(day, months):
    """`day` moved by a number of months, which may be fractional (the lapse threshold of a weekly item
    is half a month): whole months by the calendar, the fraction as a share of the next month's days."""
    whole = int(months)
    anchor = _add_months(day, whole)
    fraction = months - whole
    if not fraction:
        return anchor
    days = (_add_months(day, whole + 1) - anchor).days
    return anchor + dt.timedelta(days=round(fraction * days))


class PlanItem(Audited):
    engagement = ForeignKeyField(Engagement, backref="plan_items", on_delete="CASCADE")
    strategy = ForeignKeyField(Strategy, on_delete="RESTRICT")  # an ERIC strategy or an ISP activity
    goal = ForeignKeyField(Goal, null=True, on_delete="SET NULL")
    stage = ForeignKeyField(Stage, null=True, on_delete="RESTRICT")
    sessions_per_month = FloatField()  # 1 monthly, 0.333 quarterly, 4 weekly
    minutes_per_session = IntegerField()
    start_date = DateField()
    end_date = DateField(null=True)
    responsible_user = ForeignKeyField(User, null=True, on_delete="SET NULL")  # an ISP
    responsible_member = ForeignKeyField(TeamMember, null=True, on_delete="SET NULL")  # or a team member
    created_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)

    required = {
        "engagement": "A plan item belongs to an engagement.",
        "strategy": "Choose the strategy or ISP activity.",
        "sessions_per_month": "Enter how many sessions a month (1 for monthly, 0.33 for quarterly).",
        "minutes_per_session": "Enter the minutes planned per session.",
        "start_date": "Enter the date the item starts.",
    }
    FIELDS = (
        "strategy",
        "goal",
        "stage",
        "sessions_per_month",
        "minutes_per_session",
        "start_date",
        "end_date",
        "responsible_user",
        "responsible_member",
    )

    def validate(self):
        errors = super().validate()
        spm = self.sessions_per_month
        if spm is not None and (isinstance(spm, bool) or not isinstance(spm, (int, float))):
            errors.setdefault("sessions_per_month", "Enter a number, like 1 for monthly or 0.33 for quarterly.")
        elif spm is not None and not 0 < spm <= MAX_SESSIONS_PER_MONTH:
            errors.setdefault(
                "sessions_per_month", f"Enter more than 0 and at most {MAX_SESSIONS_PER_MONTH} sessions a month."
            )
        minutes = self.minutes_per_session
        if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)):
            errors.setdefault("minutes_per_session", "Enter whole minutes, like 60.")
        elif minutes is not None and not 0 < minutes <= MAX_MEETING_MINUTES:
            errors.setdefault(
                "minutes_per_session", f"Enter more than 0 and at most {MAX_MEETING_MINUTES} minutes per session."
            )
        check_planned_date(errors, "start_date", self.start_date)
        check_planned_date(errors, "end_date", self.end_date)
        if self.start_date and self.end_date and "end_date" not in errors and self.end_date < self.start_date:
            errors.setdefault("end_date", "The end date cannot be before the start date.")
        user_id, member_id = self.__data__.get("responsible_user"), self.__data__.get("responsible_member")
        if (user_id is None) == (member_id is None):
            errors.setdefault("responsible", "Choose who is responsible: one ISP or one team member.")
        engagement_id = self.__data__.get("engagement")
        if engagement_id is not None:
            if user_id is not None and not (
                EngagementISP.select()
                .where((EngagementISP.engagement == engagement_id) & (EngagementISP.user == user_id))
                .exists()
            ):
                errors.setdefault("responsible", "The responsible ISP must be one of the engagement's ISPs.")
            if member_id is not None and not (
                TeamMember.live()
                .where((TeamMember.id == member_id) & (TeamMember.engagement == engagement_id))
                .exists()
            ):
                errors.setdefault("responsible", "The responsible person must be on the engagement's team.")
            goal_id = self.__data__.get("goal")
            if goal_id is not None and not (
                Goal.live().where((Goal.id == goal_id) & (Goal.engagement == engagement_id)).exists()
            ):
                errors.setdefault("goal", "Choose one of the engagement's goals.")
        strategy_id = self.__data__.get("strategy")
        if strategy_id is not None and "strategy" not in errors and not Strategy.get_or_none(id=strategy_id):
            errors.setdefault("strategy", "Choose a strategy from the catalog.")
        return errors

    # -- counting (the module docstring defines it)
    def window(self, as_of=None):
        """(start, end) of the item's window: its start to its end, or to `as_of` (today) if sooner."""
        as_of = as_of or today()
        end = min(self.end_date, as_of) if self.end_date else as_of
        return self.start_date, end

    def planned_sessions(self, as_of=None):
        start, end = self.window(as_of)
        return self.sessions_per_month * months_between(start, end)

    def planned_minutes(self, as_of=None):
        return self.planned_sessions(as_of) * self.minutes_per_session

    @property
    def interval_months(self):
        return 1 / self.sessions_per_month

    def lapse_due(self, last_logged):
        """The day from which this item counts as lapsed, given the last day its strategy was logged in
        the engagement (None: never): LAPSE_INTERVALS planned intervals after it, or after the start."""
        since = max(last_logged, self.start_date) if last_logged else self.start_date
        return add_months(since, LAPSE_INTERVALS * self.interval_months)

    @property
    def is_open(self):
        return self.deleted_at is None and (self.end_date is None or self.end_date >= today())

    @property
    def responsible_name(self):
        if self.responsible_user_id:
            return self.responsible_user.name
        if self.responsible_member_id:
            return self.responsible_member.name
        return ""

    @property
    def frequency_label(self):
        return frequency_label(self.sessions_per_month)

    # -- queries
    @classmethod
    def of(cls, engagement_id):
        """The engagement's live plan items with their strategies, goals, stages and who is responsible (one
        query), by start date."""
        return list(
            cls.select(cls, Strategy, Goal, Stage, User, TeamMember)
            .join(Strategy)
            .switch(cls)
            .join(Goal, JOIN.LEFT_OUTER, on=cls.goal)
            .switch(cls)
            .join(Stage, JOIN.LEFT_OUTER, on=cls.stage)
            .switch(cls)
            .join(User, JOIN.LEFT_OUTER, on=cls.responsible_user)
            .switch(cls)
            .join(TeamMember, JOIN.LEFT_OUTER, on=cls.responsible_member)
            .where((cls.engagement == engagement_id) & cls.deleted_at.is_null())
            .order_by(cls.start_date, Strategy.number, cls.id)
        )

    def snapshot(self):
        """The item as a plan version keeps it (JSON-ready)."""
        return {
            "id": self.id,
            "strategy": self.strategy.key if self.strategy_id else None,
            "strategy_name": self.strategy.name if self.strategy_id else None,
            "goal": self.goal_id,
            "stage": self.stage.key if self.stage_id else None,
            "sessions_per_month": self.sessions_per_month,
            "minutes_per_session": self.minutes_per_session,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "responsible_user": self.responsible_user_id,
            "responsible_member": self.responsible_member_id,
        }


def plan_strategy_groups(keep=()):
    """What a plan item may name, for its select: [(group name, [Strategy])], the ERIC strategies by cluster
    (in the catalog's order) and the ISP activities in a group of their own, last. Retired strategies only
    when in `keep` (ids an item already names)."""
    strategies = (
        Strategy.select(Strategy, StrategyCluster)
        .join(StrategyCluster)
        .where(~Strategy.retired | Strategy.id.in_(list(keep) or [0]))
        .order_by(StrategyCluster.key == StrategyCluster.ISP_ACTIVITIES, StrategyCluster.number, Strategy.number)
    )
    groups = {}
    for strategy in strategies:
        cluster = strategy.cluster
        name = "ISP activities" if cluster.key == StrategyCluster.ISP_ACTIVITIES else f"ERIC: {cluster.name}"
        groups.setdefault(name, []).append(strategy)
    return list(groups.items())


def responsible_people(engagement_id, keep_member=None):
    """Who may be responsible for a plan item: ("isp", [User]) the engagement's ISPs and ("team", [TeamMember])
    its current team members (and `keep_member`, an item's member who has since left)."""
    isps = [link.user for link in Engagement.isps_of(engagement_id)]
    members = [
        m
        for m in TeamMember.live().where(TeamMember.engagement == engagement_id).order_by(TeamMember.name)
        if m.is_current or m.id == keep_member
    ]
    return isps, members


def frequency_label(sessions_per_month):
    """1 -> "monthly", 1/3 -> "quarterly", 4 -> "4 a month": how a plan item's rhythm reads."""
    named = {1.0: "monthly", 0.5: "every two months", 2.0: "twice a month", 4.0: "weekly"}
    spm = round(sessions_per_month, 2)
    if spm in (0.33, 0.34):
        return "quarterly"
    if spm in named:
        return named[spm]
    return f"{spm:g} a month"


def last_logged(engagement_id, strategy_ids=None):
    """{strategy id: the date of the last live session of the engagement that logged it}."""
    query = (
        MeetingStrategy.select(MeetingStrategy.strategy, fn.MAX(Meeting.date))
        .join(Meeting)
        .where((Meeting.engagement == engagement_id) & Meeting.deleted_at.is_null())
        .group_by(MeetingStrategy.strategy)
    )
    if strategy_ids is not None:
        query = query.where(MeetingStrategy.strategy.in_(list(strategy_ids)))
    return {strategy_id: day for strategy_id, day in query.tuples()}


def lapses(engagement_id, as_of=None, items=None):
    """[(plan item, last logged date or None, lapse day)] for the engagement's open items whose
    strategy has lapsed by `as_of` (today), longest lapsed first: the engagement page and the meeting
    form ask "... has not been logged since ...: record what changed". An item answered by a
    modification recorded since its lapse began asks no more until it lapses again."""
    as_of = as_of or today()
    items = [i for i in (items if items is not None else PlanItem.of(engagement_id)) if i.deleted_at is None]
    items = [i for i in items if i.start_date <= as_of and (i.end_date is None or i.end_date >= as_of)]
    if not items:
        return []
    logged = last_logged(engagement_id, {i.strategy_id for i in items})
    answered = dict(
        Modification.select(Modification.plan_item, fn.MAX(Modification.decided_on))
        .where(Modification.plan_item.in_([i.id for i in items]) & Modification.deleted_at.is_null())
        .group_by(Modification.plan_item)
        .tuples()
    )
    found = []
    for item in items:
        last = logged.get(item.strategy_id)
        due = item.lapse_due(last)
        if due > as_of:
            continue
        answer = answered.get(item.id)
        if answer and answer >= max(last or item.start_date, item.start_date):
            continue  # recorded what changed since the last session that logged it
        found.append((item, last, due))
    found.sort(key=lambda row: (row[2], row[0].id))
    return found


class PlanVersion(BaseModel):
    """The plan after one change: who, when, what changed (summary) and the items as they then stood."""

    engagement = ForeignKeyField(Engagement, backref="plan_versions", on_delete="CASCADE")
    number = IntegerField()
    changed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    changed_at = DateTimeField(default=utcnow)
    summary = LimitedTextField(default="", max_length=2000)
    items = LimitedTextField(default="[]", max_length=1_000_000)  # JSON: [PlanItem.snapshot()]

    class Meta:
        indexes = ((("engagement", "number"), True),)

    def audit_engagement_id(self):
        return self.__data__.get("engagement")

    @property
    def item_list(self):
        return json.loads(self.items or "[]")

    @classmethod
    def latest(cls, engagement_id):
        return cls.select().where(cls.engagement == engagement_id).order_by(cls.number.desc()).first()

    @classmethod
    def record(cls, engagement_id, by, summary):
        """A new version after a change: the next number, who, and the live items as they now stand."""
        with database.atomic():
            number = (cls.select(fn.MAX(cls.number)).where(cls.engagement == engagement_id).scalar() or 0) + 1
            snapshot = [item.snapshot() for item in PlanItem.of(engagement_id)]
            return cls.create(
                engagement=engagement_id,
                number=number,
                changed_by=getattr(by, "id", by),
                summary=summary,
                items=json.dumps(snapshot),
            )

    @classmethod
    def history(cls, engagement_id):
        return list(
            cls.select(cls, User)
            .join(User, JOIN.LEFT_OUTER)
            .where(cls.engagement == engagement_id)
            .order_by(cls.number.desc())
        )


def change_plan(engagement, by, add=(), update=(), remove=(), summary=""):
    """Change an engagement's plan in one step, kept as one new PlanVersion.

    `add`: [{field: value}] new items; `update`: [(item, {field: value})]; `remove`: [item] (soft-deleted).
    Every row is checked before any is written: a refusal raises ValidationError({"add-0": {...},
    "update-<id>": {...}}) or, with a single row, that row's {field: message}, and changes nothing.
    Returns the new PlanVersion (None when nothing changed)."""
    engagement_id = engagement if isinstance(engagement, int) else engagement.id
    rows, errors = [], {}
    for index, values in enumerate(add):
        item = PlanItem(engagement=engagement_id, **_plan_values(values))
        rows.append((f"add-{index}", item))
    for item, values in update:
        if item.engagement_id != engagement_id:
            raise ValidationError({"__all__": "That plan item belongs to another engagement."})
        for name, value in _plan_values(values).items():
            setattr(item, name, value)
        rows.append((f"update-{item.id}", item))
    for key, item in rows:
        problems = item.validate()
        if problems:
            errors[key] = problems
    if errors:
        raise ValidationError(next(iter(errors.values())) if len(rows) == 1 else errors)
    if not rows and not remove:
        return None
    with database.atomic():
        for _key, item in rows:
            if item.id is None or item.is_dirty():
                item.save()
        for item in remove:
            if item.engagement_id != engagement_id:
                raise ValidationError({"__all__": "That plan item belongs to another engagement."})
            item.soft_delete()
        return PlanVersion.record(engagement_id, by, summary or _summary(add, update, remove))


def _plan_values(values):
    unknown = set(values) - set(PlanItem.FIELDS)
    if unknown:
        raise ValidationError({name: "This is not a field of a plan item." for name in sorted(unknown)})
    return dict(values)


def _summary(add, update, remove):
    parts = []
    if add:
        parts.append(f"{len(add)} item{'s' if len(add) != 1 else ''} added")
    if update:
        parts.append(f"{len(update)} changed")
    if remove:
        parts.append(f"{len(remove)} removed")
    return ", ".join(parts).capitalize() + "."


class PlanAgreement(BaseModel):
    """One party's agreement to one plan version: a co-lead (`user`) or the recipient team lead
    (`team_member`, and `user` when they recorded it themselves). `recorded_by` is who pressed the button:
    a co-lead may record the team lead's agreement given in a meeting."""

    version = ForeignKeyField(PlanVersion, backref="agreements", on_delete="CASCADE")
    party = CharField(max_length=20, choices=AGREEMENT_PARTIES)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    team_member = ForeignKeyField(TeamMember, null=True, on_delete="SET NULL")
    recorded_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    agreed_at = DateTimeField(default=utcnow)
    note = LimitedTextField(default="", max_length=2000)

    class Meta:
        indexes = ((("version", "party", "user", "team_member"), True),)

    @property
    def party_label(self):
        return label(AGREEMENT_PARTIES, self.party)


def plan_agreement(engagement_id, isps=None):
    """Where the plan's agreement stands: {"version": latest PlanVersion or None, "needed": [(party, user or
    TeamMember, PlanAgreement or None)], "agreed": bool}. Needed: the engagement's two co-leads and its
    recipient team lead (the live, current team member marked lead; a missing lead is a needed party
    with None as person, so the page can say "mark a team member as lead")."""
    version = PlanVersion.latest(engagement_id)
    links = isps if isps is not None else Engagement.isps_of(engagement_id)
    co_leads = [link.user for link in links if link.role == "co_lead"]
    lead = TeamMember.lead_of(engagement_id)
    given = list(version.agreements) if version else []  # one query, only once a plan exists
    needed = []
    for user in co_leads:
        found = next((a for a in given if a.party == "co_lead" and a.user_id == user.id), None)
        needed.append(("co_lead", user, found))
    found = next((a for a in given if a.party == "team_lead" and lead and a.team_member_id == lead.id), None)
    needed.append(("team_lead", lead, found))
    agreed = version is not None and all(person is not None and found for _p, person, found in needed)
    return {"version": version, "needed": needed, "agreed": agreed}


def agreement_roles(state, user):
    """Who `user` may agree as, given plan_agreement()'s `state` (the one rule, read by agree_to_plan and by the
    plan page's buttons): {"co_lead": one of the co-leads, "team_lead": the team lead's own account,
    "record_lead": a co-lead recording the team lead's agreement given in a meeting}. Whether they already
    agreed is the caller's to check (an agreement given twice is kept once)."""
    co_lead = any(party == "co_lead" and person.id == user.id for party, person, _given in state["needed"])
    lead = state["needed"][-1][1]
    own = lead is not None and lead.user_id is not None and lead.user_id == user.id
    return {"co_lead": co_lead, "team_lead": own, "record_lead": lead is not None and co_lead and not own}


def agree_to_plan(engagement_id, by, party, version_number=None, team_member=None, note=""):
    """Record `by`'s agreement (a co-lead for themselves; the team lead's user for themselves, or a co-lead
    for the team lead) to the latest version. `version_number`: the version the person read; a plan changed
    since refuses (ValidationError) so nobody agrees to a plan they have not seen."""
    version = PlanVersion.latest(engagement_id)
    if version is None:
        raise ValidationError({"__all__": "There is no plan to agree to yet: add its first item."})
    if version_number is not None and int(version_number) != version.number:
        raise ValidationError(
            {"__all__": f"The plan changed (now version {version.number}) since you read it: read it again."}
        )
    state = plan_agreement(engagement_id)
    may = agreement_roles(state, by)
    lead = state["needed"][-1][1]
    if party == "co_lead":
        if not may["co_lead"]:
            raise ValidationError({"__all__": "Only the engagement's co-leads agree as co-leads."})
        values = {"user": by.id, "team_member": None}
    elif party == "team_lead":
        if lead is None:
            raise ValidationError({"__all__": "Mark a member of the implementation team as team lead first."})
        if team_member is not None and getattr(team_member, "id", team_member) != lead.id:
            raise ValidationError({"__all__": "Only the recipient team lead agrees as team lead."})
        if not (may["team_lead"] or may["record_lead"]):
            raise ValidationError({"__all__": "The team lead records their own agreement, or a co-lead records it."})
        values = {"user": by.id if may["team_lead"] else None, "team_member": lead.id}
    else:
        raise ValidationError({"party": "Choose one of: " + ", ".join(keys(AGREEMENT_PARTIES)) + "."})
    existing = (
        PlanAgreement.select()
        .where(
            (PlanAgreement.version == version.id)
            & (PlanAgreement.party == party)
            & (
                (PlanAgreement.user == values["user"])
                if party == "co_lead"
                else (PlanAgreement.team_member == values["team_member"])
            )
        )
        .first()
    )
    if existing:
        return existing
    return PlanAgreement.create(version=version.id, party=party, recorded_by=by.id, note=note, **values)


class Modification(Audited):
    """A change to a planned strategy, coded as FRAME-IS codes it (the constants above name each module)."""

    engagement = ForeignKeyField(Engagement, backref="modifications", on_delete="CASCADE")
    plan_item = ForeignKeyField(PlanItem, null=True, backref="modifications", on_delete="SET NULL")
    strategy = ForeignKeyField(Strategy, on_delete="RESTRICT")  # the strategy modified
    decided_on = DateField()
    description = LimitedTextField(max_length=5000)  # module 1: the practice, the strategy, the change
    modified = CharField(max_length=30, choices=MODIFIED_ASPECTS)  # module 2
    nature = CharField(max_length=20, choices=MODIFICATION_NATURES)  # module 3
    fidelity = CharField(max_length=20, choices=FIDELITY, default="unknown")  # module 3
    goal = CharField(max_length=20, choices=MODIFICATION_GOALS)  # module 4
    reason_level = CharField(max_length=20, choices=REASON_LEVELS)  # module 4
    timing = CharField(max_length=30, choices=MODIFICATION_TIMING, null=True)  # module 5
    planning = CharField(max_length=30, choices=MODIFICATION_PLANNING, null=True)  # module 5
    participants = CharField(max_length=200, default="")  # module 6: DECISION_PARTIES keys, comma-separated
    decided_by = CharField(max_length=20, choices=DECISION_PARTIES, null=True)  # module 6
    reach = CharField(max_length=20, choices=MODIFICATION_REACH, null=True)  # module 7
    plan_effect = CharField(max_length=10, choices=PLAN_EFFECTS, default="none")
    prompted = BooleanField(default=False)  # answered a lapse prompt
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)

    required = {
        "engagement": "A modification belongs to an engagement.",
        "strategy": "Choose the strategy that was modified.",
        "decided_on": "Enter the date of the change.",
        "description": "Describe the change.",
        "modified": "Choose what was modified.",
        "nature": "Choose the nature of the change.",
        "goal": "Choose the goal of the change.",
        "reason_level": "Choose the level of the reason.",
    }

    def validate(self):
        errors = super().validate()
        check_part_event_date(self, errors, "decided_on")
        wrong = [p for p in self.participant_keys if p not in keys(DECISION_PARTIES)]
        if wrong:
            errors.setdefault("participants", "Choose from: " + ", ".join(keys(DECISION_PARTIES)) + ".")
        item_id = self.__data__.get("plan_item")
        if item_id is not None:
            item = PlanItem.get_or_none(PlanItem.id == item_id)
            if item is None or item.engagement_id != self.__data__.get("engagement"):
                errors.setdefault("plan_item", "Choose one of the engagement's plan items.")
            elif self.__data__.get("strategy") not in (None, item.strategy_id):
                errors.setdefault("strategy", "The strategy is the plan item's strategy.")
        elif self.plan_effect != "none":
            errors.setdefault("plan_effect", "Only a modification of a plan item can close or change it.")
        return errors

    # The FRAME-IS fields an edit may change (the plan item, its effect and the prompt are set when it is
    # recorded: closing an item again, or un-closing it, is a change of the plan).
    EDITABLE = (
        "strategy",
        "decided_on",
        "description",
        "modified",
        "nature",
        "fidelity",
        "goal",
        "reason_level",
        "timing",
        "planning",
        "participants",
        "decided_by",
        "reach",
    )

    @property
    def participant_keys(self):
        return [p for p in (self.participants or "").split(",") if p]

    def label_of(self, name):
        """The words for one coded field: m.label_of("nature") -> "Tailoring"."""
        return label(self._meta.fields[name].choices, getattr(self, name)) if getattr(self, name) else ""

    @property
    def participant_labels(self):
        return [label(DECISION_PARTIES, p) for p in self.participant_keys]

    @classmethod
    def of(cls, engagement_id):
        return list(
            cls.select(cls, Strategy)
            .join(Strategy)
            .where((cls.engagement == engagement_id) & cls.deleted_at.is_null())
            .order_by(cls.decided_on.desc(), cls.id.desc())
        )

    @staticmethod
    def strategy_choices(keep=None):
        """The strategies a modification may name: the catalog's active ones by name, and `keep` (the
        strategy an edited modification already names) even if retired since."""
        return list(
            Strategy.select()
            .where(~Strategy.retired | (Strategy.id == (keep or 0)))
            .order_by(Strategy.name, Strategy.id)
        )


def update_modification(modification, values):
    """Change a recorded modification's FRAME-IS fields (Modification.EDITABLE); a modification of a plan
    item keeps the item's strategy. Refuses (ValidationError) and writes nothing when a field is wrong."""
    unknown = set(values) - set(Modification.EDITABLE)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    for name, value in values.items():
        if name == "strategy" and modification.plan_item_id is not None:
            continue
        setattr(modification, name, value)
    errors = modification.validate()
    if errors:
        raise ValidationError(errors)
    modification.save()
    return modification


def record_modification(engagement, by, values):
    """Record a modification; with plan_effect "close" its plan item ends on the modification's date (a new
    plan version, which asks for agreement again). "change" is recorded, and the caller then opens the item
    for editing. All or nothing."""
    engagement_id = engagement if isinstance(engagement, int) else engagement.id
    values = dict(values)
    item = None
    if values.get("plan_item") is not None:
        item = PlanItem.get_or_none(
            (PlanItem.id == getattr(values["plan_item"], "id", values["plan_item"])) & PlanItem.deleted_at.is_null()
        )
        if item is not None and values.get("strategy") is None:
            values["strategy"] = item.strategy_id
    modification = Modification(engagement=engagement_id, recorded_by=getattr(by, "id", by), **values)
    errors = modification.validate()
    if errors:
        raise ValidationError(errors)
    with database.atomic():
        modification.save()
        if item is not None and modification.plan_effect == "close":
            end = max(modification.decided_on, item.start_date)
            change_plan(
                engagement_id,
                by,
                update=[(item, {"end_date": end})],
                summary=f"{item.strategy.name} closed by a modification ({modification.label_of('nature')}).",
            )
    return modification
