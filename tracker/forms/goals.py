"""Forms for implementation goals: add, edit, change status and correct the history. They parse
types only; what a change may be is services/goals.py's, what a date may be the model layer's."""

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from ..models import GOAL_STATUSES, today
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
    note = TextAreaField("Note", filters=[as_text], render_kw={"rows": 3})
