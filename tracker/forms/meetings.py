"""The meeting log form: one page for a monthly team meeting or any other session.

Choices (team members, ISPs, competencies, strategies, principles, benchmarks) depend on the
engagement; the view fills them in with `set_choices(context)` from reports.meeting_form.form_context.
Goal status changes, decisions and next steps are lists of small sub-forms (FieldList of FormField), so
the browser may send any number of rows (next_steps-0-text, next_steps-1-owner, decisions-0-decided_by ...).
"""

from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from ..models import (
    GOAL_REASONS,
    GOAL_STATUSES,
    MAX_DECISIONS,
    MAX_MEETING_MINUTES,
    MEETING_KINDS,
    MEETING_MODES,
    POWER_PARTIES,
    today,
)
from . import VersionedForm
from .fields import INTERNAL_LABEL, ChoiceField, Minutes, MultiCheckboxField, PlainDateField
from .goals import NumberField

DEFAULT_MINUTES = {"monthly": 90}
OTHER_MINUTES = 45


def default_minutes(kind):
    return DEFAULT_MINUTES.get(kind, OTHER_MINUTES)


def _int_or_none(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


class OwnerField(SelectField):
    """A next step's owner, chosen from the engagement's team and ISPs (`offer`); stored as a name, as
    before, so an owner typed in before the list (or no longer on the team) stays offered on its row."""

    def offer(self, team, isps):
        current = (self.data or "").strip()
        choices = [SelectChoice("", "No owner yet")]
        choices += [SelectChoice(name, name, optgroup="Implementation team") for name in team]
        choices += [SelectChoice(name, name, optgroup="ISPs") for name in isps]
        if current and current not in set(team) | set(isps):
            choices.append(SelectChoice(current, current, optgroup="Owner as recorded"))
        self.choices = choices

    def pre_validate(self, form):
        pass  # a name, whatever list it came from: the model's length rule decides (services.meetings)


class NextStepForm(Form):
    """One next step row. A fully blank row is ignored; owner or due date without text is an error."""

    row_label = "Next step"  # in the error summary: "Next step 2: Describe the next step …"
    step_id = HiddenField()
    text = StringField("Next step")
    owner = OwnerField("Owner", choices=[])
    due_on = PlainDateField("Due", [Optional()])

    def is_blank(self):
        return not (
            (self.text.data or "").strip()
            or (self.owner.data or "").strip()
            or self.due_on.data
            or self.due_on.raw_data
            and (self.due_on.raw_data[0] or "").strip()
        )

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not (self.text.data or "").strip() and not self.is_blank():
            self.text.errors = list(self.text.errors) + ["Describe the next step (or clear the owner and due date)."]
            valid = False
        return valid


class DecisionForm(Form):
    """One decision row: what was decided and who decided. A fully blank row is ignored; the service
    says what is missing on a half-filled one (services.meetings)."""

    row_label = "Decision"
    text = StringField("Decision")
    decided_by = ChoiceField("Decided by", choices=POWER_PARTIES, blank="Who decided?")

    def is_blank(self):
        return not ((self.text.data or "").strip() or self.decided_by.data)


class GoalChangeForm(Form):
    """A status change for one goal: "no change" (blank) or a new status, with a short note."""

    row_label = "Goal change"
    goal_id = HiddenField()
    status = ChoiceField("New status", choices=GOAL_STATUSES, blank="No change")
    reason = ChoiceField("Reason", choices=GOAL_REASONS, blank="Reason (when achieved, dropped, revised)…")
    note = StringField("Note")
    confirm_open = BooleanField("Achieved despite open items tied to it")


class MeasuredValueForm(Form):
    """A value of one measured goal's indicator, dated with the meeting: blank (no value) or a number."""

    row_label = "Measured value"
    goal_id = HiddenField()
    value = NumberField("Value", [Optional()])


class MeetingForm(VersionedForm):
    date = PlainDateField(
        "Date", [InputRequired("Enter the date of the meeting.")], default=today, render_kw={"autofocus": True}
    )
    kind = RadioField("Kind", [InputRequired("Choose the kind of meeting.")], choices=MEETING_KINDS, default="monthly")
    mode = RadioField(
        "Mode", [InputRequired("Choose in person or virtual.")], choices=MEETING_MODES, default="in_person"
    )
    duration_minutes = Minutes(
        "Duration (minutes)",
        [InputRequired("Enter how many minutes the meeting took (more than 0).")],
        maximum=MAX_MEETING_MINUTES,
        default=90,
    )
    team_members = MultiCheckboxField("Team members", choices=[])
    isps = MultiCheckboxField("ISPs", choices=[])
    competencies = MultiCheckboxField("Competencies used", choices=[])
    strategies = MultiCheckboxField("Strategies used", choices=[])
    principles = MultiCheckboxField("Principles in play", choices=[])
    goal_changes = FieldList(FormField(GoalChangeForm), max_entries=200)
    benchmarks = MultiCheckboxField("Benchmarks completed", choices=[])
    measurements = FieldList(FormField(MeasuredValueForm), max_entries=200)
    agenda_set_by = RadioField("Who set the agenda?", [Optional()], choices=POWER_PARTIES)
    decisions = FieldList(FormField(DecisionForm), min_entries=1, max_entries=MAX_DECISIONS)
    notes = TextAreaField("Notes")
    notes_internal = BooleanField(INTERNAL_LABEL)
    next_steps = FieldList(FormField(NextStepForm), min_entries=3, max_entries=100)

    def set_choices(self, ctx):
        """Offer what this engagement has (see reports.meeting_form.form_context)."""
        self.team_members.choices = [(t.id, t.name) for t in ctx["team_members"]]
        self.isps.choices = [(u.id, u.name) for u in ctx["isps"]]
        self.competencies.choices = [(c.id, c.name) for _, items in ctx["competency_groups"] for c in items]
        self.strategies.choices = [(s.id, s.name) for _, items in ctx["strategy_groups"] for s in items]
        self.principles.choices = [(p.id, p.name) for p in ctx["principles"]]
        self.benchmarks.choices = [(b.id, b.text) for _, items in ctx["benchmark_groups"] for b in items]
        team, isps = [t.name for t in ctx["team_members"]], [u.name for u in ctx["isps"]]
        for entry in self.next_steps:
            entry.form.owner.offer(team, isps)
        for name in ("team_members", "isps", "competencies", "strategies", "principles", "benchmarks"):
            field = getattr(self, name)
            if field.data is None:
                field.data = []

    def to_data(self):
        """The plain dict services.meetings.log_meeting / update_meeting take."""
        goal_changes = []
        for row, entry in enumerate(self.goal_changes):
            sub = entry.form
            if sub.status.data:
                goal_changes.append(
                    {
                        "row": row,
                        "goal_id": _int_or_none(sub.goal_id.data),
                        "status": sub.status.data,
                        "reason": sub.reason.data or None,
                        "note": (sub.note.data or "").strip(),
                        "confirm_open": bool(sub.confirm_open.data),
                    }
                )
        next_steps = []
        for row, entry in enumerate(self.next_steps):
            sub = entry.form
            if sub.is_blank():
                continue
            next_steps.append(
                {
                    "row": row,
                    "id": _int_or_none(sub.step_id.data),
                    "text": (sub.text.data or "").strip(),
                    "owner": (sub.owner.data or "").strip(),
                    "due_on": sub.due_on.data,
                }
            )
        measurements = [
            {"row": row, "goal_id": _int_or_none(entry.form.goal_id.data), "value": entry.form.value.data}
            for row, entry in enumerate(self.measurements)
            if entry.form.value.data is not None
        ]
        decisions = [
            {"row": row, "text": (entry.form.text.data or "").strip(), "decided_by": entry.form.decided_by.data or None}
            for row, entry in enumerate(self.decisions)
            if not entry.form.is_blank()
        ]
        return {
            "date": self.date.data,
            "agenda_set_by": self.agenda_set_by.data or None,
            "decisions": decisions,
            "kind": self.kind.data,
            "mode": self.mode.data,
            "duration_minutes": self.duration_minutes.data,
            "notes": (self.notes.data or "").strip(),
            "notes_internal": bool(self.notes_internal.data),
            "team_members": list(self.team_members.data or []),
            "isps": list(self.isps.data or []),
            "competencies": list(self.competencies.data or []),
            "strategies": list(self.strategies.data or []),
            "principles": list(self.principles.data or []),
            "benchmarks": list(self.benchmarks.data or []),
            "goal_changes": goal_changes,
            "measurements": measurements,
            "next_steps": next_steps,
        }

    def add_errors(self, errors):
        """Service errors on rows ("next_steps-2-text") land on that row's field; others as usual."""
        rest = {}
        for name, message in errors.items():
            parts = name.split("-")
            if (
                len(parts) == 3
                and parts[0] in ("next_steps", "goal_changes", "decisions", "measurements")
                and parts[1].isdigit()
            ):
                entries = getattr(self, parts[0]).entries
                index = int(parts[1])
                if index < len(entries) and hasattr(entries[index].form, parts[2]):
                    sub = getattr(entries[index].form, parts[2])
                    sub.errors = list(sub.errors) + [message]
                    listing = getattr(self, parts[0])
                    listing.errors = [e.errors for e in entries]  # so form.errors (and the 400) see it
                    continue
            rest[name] = message
        super().add_errors(rest)
