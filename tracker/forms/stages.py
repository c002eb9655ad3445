"""Forms for stages and benchmarks."""

from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from ..models import today
from . import BaseForm
from .fields import ChoiceField, PlainDateField

STAGE_MESSAGE = "Choose one of the four stages."


def stage_choices(stages, current=None):
    """(key, label) for every stage in order, the current one marked."""
    return [
        (s.key, f"{s.name} (current stage)" if current is not None and s.id == current.id else s.name) for s in stages
    ]


class MoveStageForm(BaseForm):
    stage = ChoiceField("Stage", validators=[DataRequired(STAGE_MESSAGE)], invalid_choice_message=STAGE_MESSAGE)
    entered_on = PlainDateField(
        "Entered on", validators=[InputRequired("Enter the date the stage was entered.")], default=today
    )
    note = TextAreaField("Note", validators=[Optional()], render_kw={"rows": 3})
    submit = SubmitField("Move to this stage")


class CheckOffForm(BaseForm):
    completed_on = PlainDateField(
        "Completed on",
        validators=[InputRequired("Enter the date the benchmark was completed.")],
        default=today,
        render_kw={"autofocus": True},
    )
    evidence = TextAreaField("Evidence", validators=[Optional()], render_kw={"rows": 3})
    submit = SubmitField("Save")


class BenchmarkForm(BaseForm):
    text = StringField(
        "Benchmark",
        validators=[DataRequired("Describe the benchmark.")],
        render_kw={"autofocus": True, "maxlength": 300},
    )
    stage = ChoiceField("Stage", validators=[DataRequired(STAGE_MESSAGE)], invalid_choice_message=STAGE_MESSAGE)
    submit = SubmitField("Add the benchmark")
