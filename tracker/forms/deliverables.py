"""Forms for deliverables."""

from urllib.parse import urlsplit

from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from ..models import DELIVERABLE_KINDS, today
from . import BaseForm, VersionedForm
from .engagements import IdChoiceField
from .fields import ChoiceField, PlainDateField, as_text

LINK_MESSAGE = "Enter a web address starting with http:// or https:// (other kinds of link are not accepted)."


def safe_link(value):
    """True for an absolute http(s) URL with a host and no spaces or control characters."""
    value = (value or "").strip()
    if not value:
        return True
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _id_or_none(value):
    return int(value) if str(value or "").isdigit() else None


def http_link(form, field):
    field.data = (field.data or "").strip()
    if not safe_link(field.data):
        raise ValidationError(LINK_MESSAGE)


class DeliverableForm(VersionedForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Name the deliverable.")],
        filters=[as_text],
        render_kw={"autofocus": True, "maxlength": 300},
    )
    kind = ChoiceField(
        "Kind",
        choices=DELIVERABLE_KINDS,
        default="other",
        validators=[DataRequired("Choose the kind of deliverable.")],
        invalid_choice_message="Choose one of the kinds of deliverable in the list.",
    )
    due_on = PlainDateField("Due on", validators=[Optional()])
    delivered_on = PlainDateField("Delivered on", validators=[Optional()])  # its range: the model's date policy
    link = StringField(
        "Link",
        validators=[Optional(), http_link],
        filters=[as_text],
        render_kw={"type": "url", "inputmode": "url", "placeholder": "https://", "maxlength": 500},
    )
    note = TextAreaField("Note", validators=[Optional()], filters=[as_text], render_kw={"rows": 3})
    # the goal it serves (issue 23): its choices are the engagement's live goals, set by the view
    goal_id = IdChoiceField("Goal it serves", choices=[], blank="No particular goal", filters=[_id_or_none])
    submit = SubmitField("Save")

    def offer_goals(self, goals):
        self.goal_id.choices = [("", "No particular goal")] + [(str(g.id), g.title) for g in goals]
        return self


class DeliverForm(BaseForm):
    delivered_on = PlainDateField(
        "Delivered on",
        default=today,
        validators=[InputRequired("Enter the date it was delivered.")],  # its range: the model's date policy
        render_kw={"autofocus": True},
    )
    link = StringField(
        "Link",
        validators=[Optional(), http_link],
        filters=[as_text],
        render_kw={"type": "url", "inputmode": "url", "placeholder": "https://", "maxlength": 500},
    )
    submit = SubmitField("Mark delivered")
