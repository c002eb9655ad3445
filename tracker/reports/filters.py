"""The filters every report takes, and the SQL helpers the report modules share.

`ReportFilters` is parsed from request args (a GET form: a bad value is ignored, with a message) and
always carries the user it is computed for: every query it builds starts from
`policy.visible_engagements(user)`, so a report can never count what the user may not see.

Two scopes:
- `engagement_ids()`: the engagements in scope (visible, engagement, unit, model; ISP = on the
  engagement; stage = current stage), as a subquery of ids.
- `meeting_condition()`: live logged meetings (drafts never; approved only with `logs=approved`) of
  visible engagements matching engagement, unit, model, kind, date range; ISP = meetings the ISP took
  part in (attended or logged); stage = the stage the engagement was in on the meeting's date.
- `activity_condition()`: the live activities (work between meetings) in the same scope: engagement, unit,
  model, date range; ISP = activities that list the ISP; stage = the stage on the activity's date. A kind of
  session (a meeting filter) or `activities=exclude` leaves none.

Month buckets and date differences are written once here for SQLite and PostgreSQL.
"""

import datetime as dt
from dataclasses import dataclass, field, fields
from functools import cached_property

import marshmallow as ma
from marshmallow import validate
from peewee import OP, SQL, Case, Expression, fn

from .. import MAX_ID, policy
from ..catalog import stage_keys
from ..dates import format_month
from ..db import is_sqlite
from ..models import (
    LOG_CHOICES,
    MEETING_KINDS,
    SUPPORT_MODELS,
    Activity,
    ActivityISP,
    Engagement,
    EngagementISP,
    Meeting,
    MeetingAttendee,
    Rollup,
    Setting,
    Stage,
    StageEntry,
    Unit,
    User,
    keys,
)

ENGAGEMENT_CHOICES_MAX = 100  # engagements the filter bar lists without a unit chosen first
MAX_DIGITS = 18  # longer digit strings are refused before int() (any id or count fits well within)
FILTER_NAMES = ("engagement", "unit", "isp", "model", "stage", "kind", "start", "end")
# The one filter vocabulary of the report pages, their CSV links and the API's lists and reports:
# {URL parameter: ReportFilters attribute}. Ids end in _id; the stage is its key, never an id.
PARAMETERS = {
    "engagement_id": "engagement",
    "unit_id": "unit",
    "isp_id": "isp",
    "support_model": "model",
    "stage": "stage",
    "kind": "kind",
    "start": "start",
    "end": "end",
    "framework": "framework",
    "activities": "activities",
    "logs": "logs",
}
# The work between meetings (activities) in the dose, competency and strategy reports: counted as their own
# series (the default), or left out. `args()` omits a filter at its default, so the URLs stay as they were.
ACTIVITY_CHOICES = (("include", "Included"), ("exclude", "Excluded"))
DEFAULTS = {"activities": "include"}
CHOOSE = "Choose from the list."


class QueryId(ma.fields.Integer):
    """A record id in a query string, read by `parse_id` (ASCII digits only)."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(1, MAX_ID), **kwargs)
        self.error_messages["invalid"] = CHOOSE

    def _deserialize(self, value, attr, data, **kwargs):
        found = parse_id(value) if isinstance(value, str) else None
        if found is None or found < 1:
            raise self.make_error("invalid")
        return found


class Day(ma.fields.Date):
    """A date as YYYY-MM-DD (no week dates, no times)."""

    default_error_messages = {"invalid": "Enter a date as YYYY-MM-DD.", "format": "Enter a date as YYYY-MM-DD."}

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) != 10:
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def one_of(choices):
    return validate.OneOf(keys(choices), error="Choose one of: " + ", ".join(keys(choices)) + ".")


def logs_field():
    """The `logs` parameter (which logs the figures count), for FilterQuery and the queries of reports with
    their own parameters."""
    return ma.fields.String(
        validate=one_of(LOG_CHOICES),
        metadata={"description": "Which logs the figures count: `all` (submitted, returned and approved; drafts never) "
                  "or `approved` (approved only). The default is the organization's setting (report_logs)."},
    )  # fmt: skip


def default_logs():
    """Which logs the reports count when the reader does not choose: the organization's setting."""
    return Setting.value_of("report_logs")


class FilterQuery(ma.Schema):
    """The report filters as query parameters: what the report pages and the API read (ReportFilters),
    and what the OpenAPI document lists with their types. A blank value is no filter."""

    class Meta:
        unknown = ma.EXCLUDE

    engagement_id = QueryId(metadata={"description": "Only this engagement."})
    unit_id = QueryId(metadata={"description": "Only this unit's engagements."})
    isp_id = QueryId(metadata={"description": "Only the engagements (and meetings) of this ISP."})
    support_model = ma.fields.String(validate=one_of(SUPPORT_MODELS))
    stage = ma.fields.String(
        validate=validate.OneOf(stage_keys(), error="Choose one of: " + ", ".join(stage_keys()) + "."),
        metadata={"description": "A stage key (GET /catalog), e.g. `installation`: the current stage, or for "
                  "meetings the stage on the meeting's date."},
    )  # fmt: skip
    kind = ma.fields.String(validate=one_of(MEETING_KINDS), metadata={"description": "Only meetings of this kind."})
    start = Day(metadata={"description": "From this date (meetings, requests, goal changes)."})
    end = Day(metadata={"description": "To this date, not before `start`."})
    activities = ma.fields.String(
        validate=one_of(ACTIVITY_CHOICES),
        metadata={"description": "The work between meetings (activities) as its own series: `include` (the default) "
                  "or `exclude`. Meeting figures are the same either way."},
    )  # fmt: skip
    logs = logs_field()

    # A filter form sends the fields left blank: on the pages blank is no filter. The API's document lists
    # each filter's values, so there a blank or padded value is refused like any other (API_FILTERS).
    blank_is_no_filter = True

    @ma.pre_load
    def _present(self, data, **kwargs):
        """The parameters given and not blank, stripped (pages); as sent (the API)."""
        if not self.blank_is_no_filter:
            return {name: data.get(name) for name in self.fields if name in data}
        return {name: data.get(name).strip() for name in self.fields if (data.get(name) or "").strip()}

    @ma.validates_schema
    def _range(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ma.ValidationError("The end date cannot be before the start date.", "end")


class ApiFilters:
    """Mixed into a filter query as the API reads it: a blank value is refused, not ignored."""

    blank_is_no_filter = False


class FrameworkQuery(FilterQuery):
    """The competency reports' filters: the others and the competency framework."""

    framework = ma.fields.String(
        validate=validate.Length(max=80), metadata={"description": "A competency framework key (GET /catalog)."}
    )


@dataclass
class ReportFilters:
    user: object = None
    engagement: int = None
    unit: int = None
    isp: int = None
    model: str = None
    stage: str = None  # a stage key
    kind: str = None
    start: dt.date = None
    end: dt.date = None
    framework: str = None  # competency framework key (competency reports only)
    activities: str = DEFAULTS["activities"]  # the work between meetings: "include" or "exclude"
    # "all" or "approved" (LOG_CHOICES); None: the organization's default (the setting report_logs), read by
    # the queries themselves (see `logged`) and, for the filter bar and links, by `effective_logs`.
    logs: str = None
    errors: dict = field(default_factory=dict)

    # -- parsing ---------------------------------------------------------------------------------
    @classmethod
    def from_args(cls, args, user):
        """Parse request args (FrameworkQuery); an unreadable value is dropped and explained in `errors`,
        keyed by the parameter's name."""
        try:
            loaded, errors = FrameworkQuery().load(args), {}
        except ma.ValidationError as exc:
            errors = {name: messages[0] for name, messages in exc.messages.items()}
            loaded = {name: value for name, value in exc.valid_data.items() if name not in errors}
        out = cls.from_loaded(loaded, user)
        out.errors = errors
        return out

    @classmethod
    def from_loaded(cls, loaded, user):
        """The filters of parameters already loaded through FilterQuery (the API's operations)."""
        return cls(user=user, **{PARAMETERS[name]: value for name, value in loaded.items() if name in PARAMETERS})

    def args(self, **extra):
        """The filters in use as URL args (for links such as the CSV download), by their parameter names."""
        out = {}
        for name, attribute in PARAMETERS.items():
            value = getattr(self, attribute)
            if value not in (None, "", DEFAULTS.get(name)) and not (name == "logs" and value == self.logs_default):
                out[name] = value.isoformat() if isinstance(value, dt.date) else value
        out.update({k: v for k, v in extra.items() if v not in (None, "")})
        return out

    def key(self):
        """The filters as a hashable value (what a cached report is keyed by, with the user's scope)."""
        return tuple(getattr(self, name) for name in FILTER_NAMES + ("framework", "activities", "logs"))

    @property
    def active(self):
        return (
            any(getattr(self, name) not in (None, "") for name in FILTER_NAMES)
            or not self.include_activities
            or self.logs not in (None, self.logs_default)
        )

    @cached_property
    def logs_default(self):
        """The organization's default (one query, once per filters)."""
        return default_logs()

    @property
    def effective_logs(self):
        """Which logs these filters count: the reader's choice, else the organization's default."""
        return self.logs or self.logs_default

    def log_state_condition(self, log):
        """The review states these filters count (`log`: Meeting, Activity or an alias): see `logged`."""
        return logged(log, self.logs)

    @property
    def include_activities(self):
        """Whether the work between meetings counts (as its own series) in the reports."""
        return self.activities != "exclude"

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
        isps = isp_choices(visible)
        return {
            "engagement": list(engagements.order_by(Engagement.title, Engagement.id).tuples()),
            "engagements_in_scope": in_scope,
            "engagements_listed_whole": in_scope <= ENGAGEMENT_CHOICES_MAX,
            "unit": list(units.tuples()),
            "isp": list(isps),
            "stage": list(Stage.select(Stage.key, Stage.name).order_by(Stage.position).tuples()),
            "model": list(SUPPORT_MODELS),
            "kind": list(MEETING_KINDS),
            "activities": list(ACTIVITY_CHOICES),
            "logs": list(LOG_CHOICES),
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
            query = query.where(Engagement.current_stage.in_(self._stage_id()))
        return query.select(Engagement.id)

    def meeting_condition(self, meeting=Meeting, any_state=False):
        """A where-expression over `meeting` (Meeting or an alias) for the meetings in scope; `any_state`: in
        every review state, drafts included (the on-time figure, which reads when each was submitted)."""
        cond = meeting.deleted_at.is_null() & meeting.engagement.in_(self._engagements().select(Engagement.id))
        if not any_state:
            cond &= self.log_state_condition(meeting)
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
            cond &= Expression(stage_at(meeting), OP.EQ, self._stage_id())  # (== of two queries compares them)
        return cond

    def activity_condition(self, activity=Activity):
        """A where-expression over `activity` (Activity or an alias) for the activities in scope: the scope of
        meeting_condition() (ISP = listed on the activity; stage = on the activity's date); none when activities
        are excluded or a kind of session is chosen (a kind is a meeting's): the same queries run, and count 0."""
        if not self.include_activities or self.kind:
            return SQL("1 = 0")
        cond = (
            activity.deleted_at.is_null()
            & self.log_state_condition(activity)
            & activity.engagement.in_(self._engagements().select(Engagement.id))
        )
        if self.start:
            cond &= activity.date >= self.start
        if self.end:
            cond &= activity.date <= self.end
        if self.isp is not None:
            cond &= activity.id.in_(ActivityISP.select(ActivityISP.activity).where(ActivityISP.user == self.isp))
        if self.stage is not None:
            cond &= Expression(stage_at(activity), OP.EQ, self._stage_id())
        return cond

    def rollup_condition(self, keyed=(), by_month=True):
        """A where-expression over Rollup for the meetings in scope, or None when the rollups cannot answer these
        filters and the report reads the raw rows: a reader who does not see the whole portfolio, an engagement,
        unit, ISP or support-model filter, dates that cut a month, or a kind or stage filter on rows not keyed by
        it (`keyed`: which of "kind" and "stage" the dim read is split by), or any date range on rows not split by
        month (`by_month` False)."""
        if not policy.reads_whole_portfolio(self.user):
            return None
        if any(getattr(self, name) not in (None, "") for name in ("engagement", "unit", "isp", "model")):
            return None
        if (self.kind and "kind" not in keyed) or (self.stage and "stage" not in keyed):
            return None
        if (self.start and self.start.day != 1) or (self.end and (self.end + dt.timedelta(days=1)).day != 1):
            return None
        if (self.start or self.end) and not by_month:
            return None
        cond = SQL("1 = 1")
        if self.effective_logs == "approved":
            cond &= Rollup.approved == 1
        if self.kind:
            cond &= Rollup.kind == self.kind
        if self.stage:
            cond &= Rollup.stage == fn.COALESCE(self._stage_id(), -1)
        if self.start:
            cond &= Rollup.month >= self.start.isoformat()[:7]
        if self.end:
            cond &= Rollup.month <= self.end.isoformat()[:7]
        return cond

    def _stage_id(self):
        """Subquery: the id of the stage whose key is the filter's."""
        return Stage.select(Stage.id).where(Stage.key == self.stage)

    def date_condition(self, column):
        """start <= column <= end for a date column of another table (goal changes, feedback...)."""
        cond = SQL("1 = 1")
        if self.start:
            cond &= column >= self.start
        if self.end:
            cond &= column <= self.end
        return cond


def isp_choices(visible):
    """(id, name) of each ISP on one of the engagements `visible` (an Engagement select: the reader's scope, as a
    subquery), by name: what the report filter bar and the engagement list offer."""
    on_visible = EngagementISP.select(EngagementISP.user).where(
        EngagementISP.engagement.in_(visible.select(Engagement.id))
    )
    return User.select(User.id, User.name).where(User.id.in_(on_visible)).order_by(User.name, User.id).tuples()


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


def logged(log, logs="all"):
    """The one rule of which logs a figure counts (`log`: Meeting, Activity or an alias): `approved`, the
    approved logs only; `all`, every log that was logged (submitted, returned, approved); None, the
    organization's default (the setting report_logs), read in the same query. A draft is never counted: it is
    not logged yet. Figures without report filters (one engagement's) count `all`."""
    if logs == "approved":
        return log.review_state == "approved"
    if logs is None:
        approved_default = fn.EXISTS(
            Setting.select(SQL("1")).where((Setting.key == "report_logs") & (Setting.value == "approved"))
        )
        return (log.review_state == "approved") | ((log.review_state != "draft") & ~approved_default)
    return log.review_state != "draft"


def took_part(user_ids=None):
    """(user_id, meeting_id) for each ISP who took part in a meeting: attended it or logged it (only for
    `user_ids` when given), each pair once (UNION). The one definition the ISP filter, the by-ISP matrix
    and the workload read."""
    attended = MeetingAttendee.select(
        MeetingAttendee.user.alias("user_id"), MeetingAttendee.meeting.alias("meeting_id")
    ).where(MeetingAttendee.user.is_null(False))
    logged = Meeting.select(Meeting.logged_by.alias("user_id"), Meeting.id.alias("meeting_id")).where(
        Meeting.logged_by.is_null(False)
    )
    if user_ids is not None:
        attended = attended.where(MeetingAttendee.user.in_(user_ids))
        logged = logged.where(Meeting.logged_by.in_(user_ids))
    return (attended | logged).alias("took_part")


def stage_at(meeting=Meeting):
    """Correlated subquery: the id of the stage the meeting's (or activity's) engagement was in on its date
    (the latest stage entry on or before it); NULL before the first entry."""
    entry = StageEntry.alias("stage_at")
    return (
        entry.select(entry.stage)
        .where((entry.engagement == meeting.engagement) & (entry.entered_on <= meeting.date))
        .order_by(entry.entered_on.desc(), entry.id.desc())
        .limit(1)
    )


def rolled(condition, dim, *by):
    """[(*by values, sessions, minutes, exact)] of the rollup rows of `dim` (tracker/rollups.py) matching
    `condition` (ReportFilters.rollup_condition), summed by the Rollup columns `by`; groups with no session
    left out. One query."""
    sessions = fn.SUM(Rollup.sessions)
    query = Rollup.select(*by, sessions, fn.SUM(Rollup.minutes), fn.SUM(Rollup.exact)).where(
        condition & (Rollup.dim == dim)
    )
    if by:
        query = query.group_by(*by).having(sessions > 0)
    return [row for row in query.tuples() if row[len(by)]]


def month_of(column):
    """'YYYY-MM' of a date column, on SQLite and PostgreSQL. SQLite keeps dates as ISO text, so the
    month is the first seven characters (substr is several times cheaper than strftime per row). Read as
    the text it is: without coerce(False) peewee hands each value to the date column's converter, which
    tries three date formats on "2026-02" before giving it back (~50 us a row)."""
    if is_sqlite():
        return fn.substr(column, 1, 7).coerce(False)
    return fn.to_char(column, SQL("'YYYY-MM'")).coerce(False)


def day_of(column):
    """SQL: the date of a timestamp column (SQLite keeps them as ISO text: its first ten characters)."""
    if is_sqlite():
        return fn.substr(column, 1, 10)
    return column.cast("date")


def shifted_by_weekday(column, offsets):
    """SQL: the date of a date column plus offsets[w] days, w its weekday (0 Monday to 6 Sunday, as
    date.weekday()): seven given offsets, so any rule of the weekday alone (working days) stays in Python."""
    if is_sqlite():  # strftime %w: '0' Sunday to '6' Saturday
        by_weekday = [(str((w + 1) % 7), f"{n:+d} days") for w, n in enumerate(offsets)]
        return fn.date(column, Case(fn.strftime("%w", column), by_weekday))
    by_weekday = [(w + 1, n) for w, n in enumerate(offsets)]  # ISO day of the week: 1 Monday to 7 Sunday
    return column + Case(fn.date_part("isodow", column), by_weekday)


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
