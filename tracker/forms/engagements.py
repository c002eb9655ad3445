"""Forms for engagements: the list filters, create directly, edit the summary, change the status."""

from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, ValidationError

from ..models import (
    ENGAGEMENT_STATUSES,
    POSITIONS,
    SUPPORT_MODELS,
    Engagement,
    Organization,
    Stage,
    Unit,
    User,
    today,
)
from ..reports.filter_summary import canonical, chip
from . import BaseForm, VersionedForm
from .fields import ChoiceField, MultiCheckboxField, PlainDateField, as_text


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class IdChoiceField(ChoiceField):
    """A select of database rows by id (as text); an id not in the list is refused with a clear message."""

    def pre_validate(self, form):
        if self.data in ("", None):
            return
        if str(self.data) not in {str(value) for value, _label in self.choices}:
            raise ValidationError("That choice is not available; reload the page and choose one from the list.")


class IspIdField(IdChoiceField):
    """A co-lead select: the form only reads an id; whether that person may co-lead is the model's rule
    (Engagement.isp_problems), so the page says what the API and the request-accept page say."""

    def pre_validate(self, form):
        if self.data not in ("", None) and not str(self.data).isdigit():
            raise ValidationError("That choice is not available; reload the page and choose one from the list.")


class IspCheckboxField(MultiCheckboxField):
    """Supporting ISPs: the form only reads ids; who may support is the model's rule, as for co-leads."""

    def pre_validate(self, form):
        pass


def _id_or_none(value):
    return int(value) if value not in ("", None) else None


# --- the list's filters (a GET form: no CSRF, bad values are ignored) -------------------------------


class EngagementFilterForm(Form):
    """The list's filters under the API's names (GET /engagements: unit_id, isp_id, support_model, stage as
    its key, status), and the title search `q` and "mine" it has no twin for. The older names (unit, isp,
    model, a stage's id) are read as aliases: a bookmark keeps working."""

    q = SearchField("Title contains", filters=[_strip], render_kw={"placeholder": "Search titles"})
    unit_id = SelectField("Unit", choices=[])
    status = SelectField("Status", choices=[("", "Any status")] + list(ENGAGEMENT_STATUSES))
    stage = SelectField("Current stage", choices=[])
    isp_id = SelectField("ISP (co-lead or supporting)", choices=[])
    support_model = SelectField("Model of support", choices=[("", "Any model")] + list(SUPPORT_MODELS))
    mine = BooleanField("Only engagements I work on", false_values=("", "0", "false", "n", "no", "off"))

    FILTERS = ("unit_id", "status", "stage", "isp_id", "support_model")
    ALIASES = {"unit": "unit_id", "isp": "isp_id", "model": "support_model"}
    # What a chip says for each filter in use ("Unit: Unit A"), in the order of the form.
    CHIP_NAMES = {
        "q": "Title contains",
        "unit_id": "Unit",
        "status": "Status",
        "stage": "Stage",
        "isp_id": "ISP",
        "support_model": "Model",
    }

    # A choice list longer than this is offered as a text box that completes the names (a <datalist>: no
    # script, the keyboard works as in any text box), never a select of hundreds of options. The box sends
    # `<field>_name` (a name as offered; case does not matter), read back as the field's id.
    LONG_LIST = 50
    SEARCHABLE = ("unit_id", "isp_id")
    NOUNS = {"unit_id": "unit", "isp_id": "ISP"}  # "No unit is named ...", when a typed name matches none

    def __init__(self, formdata, units, stages, isps, user_id=None):
        """`units`, `isps`: (id, label) pairs (reports.engagement_filter_options). `user_id`: the reader,
        offered "Only engagements I work on" when they can work on engagements (None: the filter is not
        offered and mine=1 is ignored)."""
        formdata = canonical(formdata, self.ALIASES)
        self.stage_ids = {s.key: s.id for s in stages}
        by_id = {str(s.id): s.key for s in stages}
        if formdata.get("stage") in by_id:  # an older link names the stage by its id
            formdata["stage"] = by_id[formdata["stage"]]
        super().__init__(formdata)
        self.user_id = user_id
        self.unit_id.choices = [("", "All units")] + [(str(uid), label) for uid, label in units]
        self.stage.choices = [("", "Any stage")] + [(s.key, s.name) for s in stages]
        self.isp_id.choices = [("", "Any ISP")] + [(str(uid), name) for uid, name in isps]
        self.unmatched = {}  # {field: a name typed that matches no choice}: kept in the box, said next to it
        for name in self.SEARCHABLE:  # a name typed in the completing text box, when no id was sent
            typed = (formdata.get(f"{name}_name") or "").strip()[:200]
            if typed and not self[name].data:
                found = next((v for v, label in self[name].choices[1:] if label.casefold() == typed.casefold()), "")
                self[name].data = found
                if not found:
                    self.unmatched[name] = typed
        for name in self.FILTERS:  # a value not offered (status=zzz, unit_id=abc, another unit's id) is ignored
            field = self[name]
            if field.data not in {value for value, _ in field.choices}:
                field.data = ""
        self.q.data = (self.q.data or "")[:200]
        if user_id is None:
            self.mine.data = False

    def is_long(self, name):
        """Whether the filter `name` is offered as a completing text box (more than LONG_LIST choices)."""
        return name in self.SEARCHABLE and len(self[name].choices) > self.LONG_LIST + 1

    def chosen_label(self, name):
        """What the completing text box shows: the label of the choice in use, else the name typed that
        matched none (kept, as typed input is on a failed submit), else ''."""
        if self[name].data:
            return dict(self[name].choices).get(self[name].data, "")
        return self.unmatched.get(name, "")

    @property
    def offers_mine(self):
        return self.user_id is not None

    def cleaned(self):
        """{Engagement.filtered's argument: value} for the filters in use; ids as ints, the stage's id ("mine":
        the reader's id)."""
        names = {"unit_id": "unit", "isp_id": "isp", "support_model": "model"}
        out = {names.get(name, name): self[name].data for name in self.FILTERS if self[name].data}
        for name in ("unit", "isp"):
            if name in out:
                out[name] = int(out[name])
        if "stage" in out:
            out["stage"] = self.stage_ids[out["stage"]]
        if self.q.data:
            out["q"] = self.q.data
        if self.mine.data:
            out["mine"] = self.user_id
        return out

    def args(self):
        """The URL arguments of the filters in use (what a link to the same list keeps)."""
        out = {name: self[name].data for name in ("q",) + self.FILTERS if self[name].data}
        if self.mine.data:
            out["mine"] = "1"
        return out

    def chips(self):
        """One removable chip per filter in use (filter_summary.chip): "Unit: Unit A", never an id."""
        args = self.args()
        chips = [chip("mine", "Only engagements I work on", args)] if "mine" in args else []
        for name in ("q",) + self.FILTERS:
            if name in args:
                field = self[name]
                value = f"“{field.data}”" if name == "q" else dict(field.choices).get(field.data, field.data)
                chips.append(chip(name, f"{self.CHIP_NAMES[name]}: {value}", args))
        return chips


# --- create and edit -------------------------------------------------------------------------------


def unit_choices():
    units = (
        Unit.select(Unit, Organization)
        .join(Organization)
        .order_by(Organization.kind.desc(), Organization.name, Unit.name)
    )
    return [(str(u.id), f"{u.organization.name} · {u.name}") for u in units]


def isp_choices(engagement=None):
    """Active ISPs, plus the engagement's current ISPs (even if no longer active) when editing."""
    users = {u.id: u for u in User.isps()}
    if engagement is not None:
        for link in engagement.isps():
            users.setdefault(link.user.id, link.user)
    return [
        (u.id, u.name + ("" if u.is_active else " (inactive)"))
        for u in sorted(users.values(), key=lambda u: u.name.lower())
    ]


# --- the team and goals set up with a new engagement (repeatable rows) -------------------------------

TEAM_ROWS = 3  # the blank rows a page shows without JavaScript (static/js/repeat-rows.js adds more)
GOAL_ROWS = 2
MAX_ROWS = 50


def _lower(value):
    return value.lower() if isinstance(value, str) else value


class TeamMemberRow(Form):
    """One member of the implementation team: the team page's fields (forms/team.py), the rules the
    model's (TeamMember.validate, through services.engagements.setup_parts). A blank row is skipped."""

    row_label = "Team member"  # in the error summary: "Team member 2: Enter the person's name."
    name = StringField("Name", filters=[as_text], render_kw={"autocomplete": "off"})
    position = ChoiceField("Position", choices=POSITIONS, blank="Choose a position…")
    email = EmailField("Email (optional)", filters=[as_text, _lower], render_kw={"autocomplete": "off"})

    def is_blank(self):
        return not (self.name.data or self.position.data or self.email.data)


class GoalRow(Form):
    """One implementation goal: the goal page's fields (forms/goals.py); it starts "Not started" on the
    engagement's start date. A blank row is skipped."""

    row_label = "Goal"
    title = StringField("Goal", filters=[as_text], render_kw={"autocomplete": "off"})
    indicator = TextAreaField("Indicator of progress (optional)", filters=[as_text], render_kw={"rows": 2})
    target = TextAreaField("Target (optional)", filters=[as_text], render_kw={"rows": 2})

    def is_blank(self):
        return not (self.title.data or self.indicator.data or self.target.data)


def team_rows():
    return FieldList(FormField(TeamMemberRow), "Implementation team", min_entries=TEAM_ROWS, max_entries=MAX_ROWS)


def goal_rows():
    return FieldList(FormField(GoalRow), "Implementation goals", min_entries=GOAL_ROWS, max_entries=MAX_ROWS)


class SetupRows:
    """For a form with `team_members = team_rows()` and `goals = goal_rows()`: the rows in the domain's
    names, blank rows left out, and the service's refusals ("goals-1-title") put on that row's field."""

    ROW_LISTS = ("team_members", "goals")

    def rows_data(self):
        data = {}
        for name in self.ROW_LISTS:
            data[name] = [
                {"row": number, **{key: field.data for key, field in entry.form._fields.items()}}
                for number, entry in enumerate(getattr(self, name).entries)
                if not entry.form.is_blank()
            ]
        return data

    def add_errors(self, errors):
        rest = {}
        for name, message in errors.items():
            listing, _, rest_of_name = name.partition("-")
            number, _, field_name = rest_of_name.partition("-")
            if listing in self.ROW_LISTS and number.isdigit():
                entries = getattr(self, listing).entries
                if int(number) < len(entries) and field_name in entries[int(number)].form:
                    field = entries[int(number)].form[field_name]
                    field.errors = list(field.errors) + [message]
                    getattr(self, listing).errors = [entry.errors for entry in entries]  # form.errors sees it
                    continue
            rest[name] = message
        super().add_errors(rest)


class EngagementForm(VersionedForm):
    """The summary of an engagement (edit); NewEngagementForm adds the unit and the first stage.

    The form parses; the rules (a title, a start date, an end not before the start, two different active
    co-leads, ...) are the model's, reported under the domain's names and mapped here by `error_fields`.
    """

    error_fields = {"co_lead_ids": "co_lead_2", "supporting_ids": "supporting", "unit_id": "unit"}

    title = StringField("Title", filters=[_strip], render_kw={"autocomplete": "off", "required": True})
    problem_statement = TextAreaField("Implementation problem (optional)", filters=[_strip])
    support_model = ChoiceField(
        "Model of support",
        [DataRequired("Choose the model of support.")],
        choices=SUPPORT_MODELS,
        default=Engagement.support_model.default,
    )
    start_date = PlainDateField("Start date", render_kw={"required": True})
    end_date = PlainDateField("Planned end date (optional)")
    co_lead_1 = IspIdField("First co-lead", blank="Choose an ISP…", render_kw={"required": True})
    co_lead_2 = IspIdField("Second co-lead", blank="Choose an ISP…", render_kw={"required": True})
    supporting = IspCheckboxField("Supporting ISPs (optional)", choices=[])

    def __init__(self, *args, engagement=None, **kwargs):
        super().__init__(*args, **kwargs)
        isps = isp_choices(engagement)
        self.co_lead_1.choices = [("", "Choose an ISP…")] + [(str(i), name) for i, name in isps]
        self.co_lead_2.choices = list(self.co_lead_1.choices)
        self.supporting.choices = isps

    def domain_data(self):
        """The fields under the domain's names (those the service and the API use)."""
        return {
            "title": self.title.data,
            "problem_statement": self.problem_statement.data or "",
            "support_model": self.support_model.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "co_lead_ids": [i for i in (_id_or_none(self.co_lead_1.data), _id_or_none(self.co_lead_2.data)) if i],
            "supporting_ids": list(self.supporting.data or []),
        }


class NewEngagementForm(SetupRows, EngagementForm):
    error_fields = {**EngagementForm.error_fields, "first_stage_id": "first_stage"}

    unit = IdChoiceField(
        "Unit",
        blank="Choose a unit…",
        render_kw={"autofocus": True},
    )
    first_stage = IdChoiceField("First stage", blank="No stage yet")
    team_members = team_rows()
    goals = goal_rows()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = [("", "Choose a unit…")] + unit_choices()
        self.first_stage.choices = [("", "No stage yet")] + [(str(s.id), s.name) for s in Stage.ordered()]

    @classmethod
    def defaults(cls):
        exploration = Stage.select().where(Stage.key == "exploration").first() or Stage.ordered().first()
        return {
            "start_date": today(),
            "support_model": Engagement.support_model.default,
            "first_stage": str(exploration.id) if exploration else "",
        }

    def domain_data(self):
        data = super().domain_data()
        data["unit_id"] = _id_or_none(self.unit.data)
        data["first_stage_id"] = _id_or_none(self.first_stage.data)
        return {**data, **self.rows_data()}


# --- status changes --------------------------------------------------------------------------------


class StatusForm(BaseForm):
    """A status action. A closing summary and an end not before the start are the model's rules
    (Engagement.validate), shown next to these fields."""

    action = HiddenField()
    reason = TextAreaField("Reason (optional)", filters=[_strip], render_kw={"autofocus": True})
    closing_summary = TextAreaField("Closing summary", filters=[_strip], render_kw={"autofocus": True})
    end_date = PlainDateField("End date")

    def validate_end_date(self, field):
        if self.action.data == "close" and field.data is None and not field.process_errors:
            raise ValidationError("Enter the date the engagement ended.")
