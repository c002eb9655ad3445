"""Forms for context notes: barriers and facilitators by CFIR domain."""

from wtforms import BooleanField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from ..models import CFIR_DOMAINS, CONTEXT_KINDS, today
from . import VersionedForm
from .fields import INTERNAL_LABEL, PlainDateField, as_text

KIND_MESSAGE = "Choose barrier or facilitator."
DOMAIN_MESSAGE = "Choose one of the five CFIR domains."


class Radio(RadioField):
    """Radio buttons over (key, label) choices: an empty answer is left to DataRequired (one message)."""

    def pre_validate(self, form):
        if self.data in ("", None):
            return
        super().pre_validate(form)


class ContextNoteForm(VersionedForm):
    kind = Radio(
        "Kind", choices=CONTEXT_KINDS, validators=[DataRequired(KIND_MESSAGE)], invalid_choice_message=KIND_MESSAGE
    )
    domain = Radio(
        "CFIR domain",
        choices=CFIR_DOMAINS,
        validators=[DataRequired(DOMAIN_MESSAGE)],
        invalid_choice_message=DOMAIN_MESSAGE,
    )
    text = TextAreaField("Note", validators=[DataRequired("Write the note.")], filters=[as_text], render_kw={"rows": 4})
    internal = BooleanField(INTERNAL_LABEL)
    noted_on = PlainDateField("Noted on", default=today, validators=[InputRequired("Enter a date.")])
    submit = SubmitField("Save")
