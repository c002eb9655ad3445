"""Forms for implementation goals: add, edit, change status and correct the history. They parse
types only; what a change may be is services/goals.py's, what a date may be the model layer's."""

from wtforms import BooleanField, FloatField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from ..models import GOAL_REASONS, GOAL_STATUSES, IMPLEMENTATION_OUTCOMES, MEASURE_DIRECTIONS, today
from . import BaseForm, VersionedForm
from .fields import ChoiceField, PlainDateField, as_text


class GoalForm(VersionedForm):
    """Edit a goal's title, indicator of progress and target."""

    title = StringField(
        "Goal",
        [DataRequired("Give the goal a title.")],
        filters=[as_text],
        render_kw={"autofocus": True, "autocomplete": "off"},
    )
    indicator = TextAreaField("Indicator of progress", filters=[as_text], render_kw={"rows": 3})
    target = TextAreaField("Target", filters=[as_text], render_kw={"rows": 2})


class NewGoalForm(GoalForm):
    """A new goal also gets its starting status and the day it was set: the first entry of its history."""

    status = ChoiceField(
        "Status to start with", [DataRequired("Choose a status.")], choices=GOAL_STATUSES, default="not_started"
    )
    set_on = PlainDateField("Set on", [Optional()], default=today)  # empty: today


class GoalStatusForm(BaseForm):
    """A status, when it changed and why (a new change, or the correction of an entry)."""

    status = ChoiceField(
        "New status",
        [DataRequired("Choose the new status.")],
        choices=GOAL_STATUSES,
        blank="Choose a status…",
        render_kw={"autofocus": True},
    )
    changed_on = PlainDateField("Changed on", [InputRequired("Enter the date of the change.")])
    reason = ChoiceField("Reason", choices=GOAL_REASONS, blank="Choose a reason…")
    note = TextAreaField("Note", filters=[as_text], render_kw={"rows": 3})
    confirm_open = BooleanField("Mark it achieved although open items are tied to it")


class NumberField(FloatField):
    """A number typed as the reader writes it ("42", "3.5"); what it may be is the model's."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = float(valuelist[0].strip().replace(",", "."))
        except ValueError:
            self.data = None
            raise ValueError("Enter a number, like 42 or 3.5.") from None


def _none_if_blank(value):
    return value or None


class GoalMeasureForm(VersionedForm):
    """The measure of a goal's indicator: unit, which way is better, baseline and target, outcome type.
    Fields named as the Goal's, so populate_obj copies them; the rules are the model's."""

    measure_unit = StringField("Unit", filters=[as_text], render_kw={"autocomplete": "off", "autofocus": True})
    measure_direction = ChoiceField(
        "Which way is better", choices=MEASURE_DIRECTIONS, blank="Choose…", filters=[_none_if_blank]
    )
    baseline_value = NumberField("Baseline value", [Optional()])
    baseline_on = PlainDateField("Baseline date", [Optional()])
    target_value = NumberField("Target value", [Optional()])
    target_on = PlainDateField("Target date", [Optional()])
    outcome = ChoiceField(
        "Implementation outcome", choices=IMPLEMENTATION_OUTCOMES, blank="None", filters=[_none_if_blank]
    )


class MeasurementForm(BaseForm):
    """Record a value of a goal's measured indicator on a date."""

    date = PlainDateField("Date", [InputRequired("Enter the date of the value.")], default=today)
    value = NumberField("Value", [InputRequired("Enter a value.")])


class MeasurementEditForm(VersionedForm):
    """Correct a recorded value: its date and value (the edit carries the value's version)."""

    date = PlainDateField("Date", [InputRequired("Enter the date of the value.")], render_kw={"autofocus": True})
    value = NumberField("Value", [InputRequired("Enter a value.")])
