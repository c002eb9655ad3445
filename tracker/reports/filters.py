"""The filters every report takes, and the SQL helpers the report modules share.

`ReportFilters` is parsed from request args (a GET form: a bad value is ignored, with a message) and
always carries the user it is computed for: every query it builds starts from
`policy.visible_engagements(user)`, so a report can never count what the user may not see.

Two scopes:
- `engagement_ids()`: the engagements in scope (visible, engagement, unit, model; ISP = on the
  engagement; stage = current stage), as a subquery of ids.
- `meeting_condition()`: live meetings of visible engagements matching engagement, unit, model,
  kind, date range; ISP = meetings the ISP took part in (attended or logged); stage = the stage the
  engagement was in on the meeting's date.

Month buckets and date differences are written once here for SQLite and PostgreSQL.
"""

import datetime as dt
from dataclasses import dataclass, field, fields

from peewee import SQL, fn

from .. import MAX_ID, policy
from ..dates import format_month
from ..db import is_sqlite
from ..models import (
    MEETING_KINDS,
    SUPPORT_MODELS,
    Engagement,
    EngagementISP,
    Meeting,
    MeetingAttendee,
    Stage,
    StageEntry,
    Unit,
    User,
    keys,
)

ENGAGEMENT_CHOICES_MAX = 100  # engagements the filter bar lists without a unit chosen first
MAX_DIGITS = 18  # longer digit strings are refused before int() (any id or count fits well within)
FILTER_NAMES = ("engagement", "unit", "isp", "model", "stage", "kind", "start", "end")


@dataclass
class ReportFilters:
    user: object = None
    engagement: int = None
    unit: int = None
    isp: int = None
    model: str = None
    stage: int = None
    kind: str = None
    start: dt.date = None
    end: dt.date = None
    framework: str = None  # competency framework key (competency reports only)
    errors: dict = field(default_factory=dict)

    # -- parsing ---------------------------------------------------------------------------------
    @classmethod
    def from_args(cls, args, user):
        """Parse request args; an unreadable value is dropped and explained in `errors`."""
        out = cls(user=user)
        for name in ("engagement", "unit", "isp", "stage"):
            raw = (args.get(name) or "").strip()
            if raw:
                value = parse_id(raw)
                if value is not None:
                    setattr(out, name, value)
                else:
                    out.errors[name] = "Choose from the list."
        for name, choices in (("model", SUPPORT_MODELS), ("kind", MEETING_KINDS)):
            raw = (args.get(name) or "").strip()
            if raw:
                if raw in keys(choices):
                    setattr(out, name, raw)
                else:
                    out.errors[name] = "Choose from the list."
        for name in ("start", "end"):
            raw = (args.get(name) or "").strip()
            if raw:
                try:
                    setattr(out, name, dt.date.fromisoformat(raw))
                except ValueError:
                    out.errors[name] = "Enter a date as YYYY-MM-DD."
        if out.start and out.end and out.end < out.start:
            out.errors["end"] = "The end date cannot be before the start date."
            out.end = None
        raw = (args.get("framework") or "").strip()
        if raw:
            out.framework = raw[:80]
        return out

    def args(self, **extra):
        """The filters in use as URL args (for links such as the CSV download)."""
        out = {}
        for name in FILTER_NAMES + ("framework",):
            value = getattr(self, name)
            if value not in (None, ""):
                out[name] = value.isoformat() if isinstance(value, dt.date) else value
        out.update({k: v for k, v in extra.items() if v not in (None, "")})
        return out

    def key(self):
        """The filters as a hashable value (what a cached report is keyed by, with the user's scope)."""
        return tuple(getattr(self, name) for name in FILTER_NAMES + ("framework",))

    @property
    def active(self):
        return any(getattr(self, name) not in (None, "") for name in FILTER_NAMES)

    def replace(self, **changes):
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return ReportFilters(**values)

    # -- the filter bar ---------------------------------------------------------------------------
    def choices(self):
        """What the filter bar offers: only what the user may see. Engagements are all listed up to
        ENGAGEMENT_CHOICES_MAX; past that (a list nobody scans, and a page that grows with the
        portfolio) only those of the chosen unit, and always the chosen engagement.
        "engagements_in_scope" says how many there are. Five queries."""
        visible = policy.visible_engagements(self.user)
        in_scope = visible.count()
        engagements = visible.select(Engagement.id, Engagement.title)
        if in_scope > ENGAGEMENT_CHOICES_MAX:
            listed = Engagement.id == (self.engagement or 0)
            if self.unit is not None:
                listed |= Engagement.unit == self.unit
            engagements = engagements.where(listed)
        units = (
            Unit.select(Unit.id, Unit.name)
            .where(Unit.id.in_(visible.select(Engagement.unit)))
            .order_by(Unit.name, Unit.id)
        )
        on_visible = EngagementISP.select(EngagementISP.user).where(
            EngagementISP.engagement.in_(visible.select(Engagement.id))
        )
        isps = User.select(User.id, User.name).where(User.id.in_(on_visible)).order_by(User.name, User.id)
        return {
            "engagement": list(engagements.order_by(Engagement.title, Engagement.id).tuples()),
            "engagements_in_scope": in_scope,
            "engagements_listed_whole": in_scope <= ENGAGEMENT_CHOICES_MAX,
            "unit": list(units.tuples()),
            "isp": list(isps.tuples()),
            "stage": list(Stage.select(Stage.id, Stage.name).order_by(Stage.position).tuples()),
            "model": list(SUPPORT_MODELS),
            "kind": list(MEETING_KINDS),
        }

    # -- scopes ----------------------------------------------------------------------------------
    def _engagements(self):
        """Visible engagements matching the engagement-level filters (not ISP or stage)."""
        query = policy.visible_engagements(self.user)
        if self.engagement is not None:
            query = query.where(Engagement.id == self.engagement)
        if self.unit is not None:
            query = query.where(Engagement.unit == self.unit)
        if self.model:
            query = query.where(Engagement.support_model == self.model)
        return query

    def engagement_ids(self):
        """Subquery: ids of the engagements in scope (ISP on the engagement, current stage)."""
        query = self._engagements()
        if self.isp is not None:
            query = query.where(
                Engagement.id.in_(EngagementISP.select(EngagementISP.engagement).where(EngagementISP.user == self.isp))
            )
        if self.stage is not None:
            query = query.where(Engagement.current_stage == self.stage)
        return query.select(Engagement.id)

    def meeting_condition(self, meeting=Meeting):
        """A where-expression over `meeting` (Meeting or an alias) for the meetings in scope."""
        cond = meeting.deleted_at.is_null() & meeting.engagement.in_(self._engagements().select(Engagement.id))
        if self.kind:
            cond &= meeting.kind == self.kind
        if self.start:
            cond &= meeting.date >= self.start
        if self.end:
            cond &= meeting.date <= self.end
        if self.isp is not None:
            attended = MeetingAttendee.select(MeetingAttendee.meeting).where(MeetingAttendee.user == self.isp)
            cond &= meeting.id.in_(attended) | (meeting.logged_by == self.isp)
        if self.stage is not None:
            cond &= stage_at(meeting) == self.stage
        return cond

    def date_condition(self, column):
        """start <= column <= end for a date column of another table (goal changes, feedback...)."""
        cond = SQL("1 = 1")
        if self.start:
            cond &= column >= self.start
        if self.end:
            cond &= column <= self.end
        return cond


def parse_id(text, maximum=MAX_ID):
    """The one way an id (or a count) is read from a query string: ASCII digits only, at most
    MAX_DIGITS of them and not above `maximum` (None: no bound), else None. `str.isdigit` would take
    '²' or '٣', which int() then refuses or reads as another digit."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS:
        return None
    value = int(text)
    return value if maximum is None or value <= maximum else None


# --- SQL helpers shared by the report modules -------------------------------------------------------


def stage_at(meeting=Meeting):
    """Correlated subquery: the id of the stage the meeting's engagement was in on its date
    (the latest stage entry on or before it); NULL before the first entry."""
    entry = StageEntry.alias("stage_at")
    return (
        entry.select(entry.stage)
        .where((entry.engagement == meeting.engagement) & (entry.entered_on <= meeting.date))
        .order_by(entry.entered_on.desc(), entry.id.desc())
        .limit(1)
    )


def month_of(column):
    """'YYYY-MM' of a date column, on SQLite and PostgreSQL. SQLite keeps dates as ISO text, so the
    month is the first seven characters (substr is several times cheaper than strftime per row)."""
    if is_sqlite():
        return fn.substr(column, 1, 7)
    return fn.to_char(column, SQL("'YYYY-MM'"))


def month_range(months):
    """Every 'YYYY-MM' from the first to the last of `months` (gaps filled), in order."""
    months = sorted(m for m in months if m)
    if not months:
        return []
    year, month = map(int, months[0].split("-"))
    last = months[-1]
    out = []
    while True:
        key = f"{year:04d}-{month:02d}"
        out.append(key)
        if key >= last:
            return out
        month += 1
        if month == 13:
            year, month = year + 1, 1


def month_label(key):
    year, month = map(int, key.split("-"))
    return format_month(dt.date(year, month, 1))


def as_date(value):
    """Dates come back as text from SQLite aggregates (MIN/MAX)."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def share(part, total, digits=4):
    return round(part / total, digits) if total else 0.0
