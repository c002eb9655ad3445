"""Forms for implementation goals: add, edit, and change status with a dated note."""

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from ..models import GOAL_STATUSES, label
from . import BaseForm, VersionedForm
from .fields import ChoiceField, PlainDateField, as_text

NOTE_REQUIRED = ("revised", "dropped")


class GoalForm(VersionedForm):
    """Edit a goal's title, indicator of progress and target."""

    title = StringField(
        "Goal",
        [DataRequired("Give the goal a title."), Length(max=300)],
        filters=[as_text],
        render_kw={"autofocus": True, "autocomplete": "off"},
    )
    indicator = TextAreaField("Indicator of progress", filters=[as_text], render_kw={"rows": 3})
    target = TextAreaField("Target", filters=[as_text], render_kw={"rows": 2})


class NewGoalForm(GoalForm):
    """A new goal also gets its starting status, the first entry of its history (dated today)."""

    status = ChoiceField(
        "Status to start with", [DataRequired("Choose a status.")], choices=GOAL_STATUSES, default="not_started"
    )


class GoalStatusForm(BaseForm):
    """A new status, when it changed and why. Revised and dropped goals need a note."""

    status = ChoiceField(
        "New status",
        [DataRequired("Choose the new status.")],
        choices=GOAL_STATUSES,
        blank="Choose a status…",
        render_kw={"autofocus": True},
    )
    changed_on = PlainDateField("Changed on", [InputRequired("Enter the date of the change.")])
    note = TextAreaField("Note", filters=[as_text], render_kw={"rows": 3})

    def __init__(self, *args, goal=None, last_change=None, **kwargs):
        self.goal = goal
        self.last_change = last_change
        super().__init__(*args, **kwargs)

    def validate_status(self, field):
        goal = self.goal
        if goal is not None and field.data == goal.status and field.data != "revised":
            raise ValidationError(f"The goal is already “{goal.status_label}”; choose a different status.")

    def validate_changed_on(self, field):
        if field.data and self.last_change and field.data < self.last_change:
            raise ValidationError(
                f"The goal's last change was on {self.last_change.isoformat()}; a new status cannot be dated before it."
            )

    def validate_note(self, field):
        if self.status.data in NOTE_REQUIRED and not field.data:
            raise ValidationError(f"Say why the goal is {label(GOAL_STATUSES, self.status.data).lower()}.")
