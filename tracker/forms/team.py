"""Forms for the implementation team: add or edit a member, end a membership."""

import re

from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..models import POSITIONS
from . import BaseForm, VersionedForm
from .fields import ChoiceField, PlainDateField, as_text

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def looks_like_email(form, field):
    if field.data and not EMAIL_RE.match(field.data):
        raise ValidationError("Enter an email address like name@example.org, or leave it empty.")


class TeamMemberForm(VersionedForm):
    """Add or edit a member. `left_on` (the member's end, when they left) is passed by the view so
    that the start of membership cannot be moved after its end."""

    name = StringField(
        "Name",
        [DataRequired("Enter the person's name."), Length(max=200)],
        filters=[as_text],
        render_kw={"autofocus": True, "autocomplete": "off"},
    )
    position = ChoiceField("Position", [DataRequired("Choose the person's position.")], choices=POSITIONS)
    email = EmailField(
        "Email (optional)",
        [Optional(), Length(max=254), looks_like_email],
        filters=[as_text, lambda v: v.lower() if isinstance(v, str) else v],
        render_kw={"autocomplete": "off"},
    )
    joined_on = PlainDateField("Joined the team on", [Optional()])

    def __init__(self, *args, left_on=None, **kwargs):
        self.left_on = left_on
        super().__init__(*args, **kwargs)

    def validate_joined_on(self, field):
        if field.data and self.left_on and field.data > self.left_on:
            raise ValidationError(
                f"This member left on {self.left_on.isoformat()}; they cannot have joined after that."
            )


class EndMembershipForm(BaseForm):
    """End a membership: the member stays listed (meeting attendance refers to them)."""

    left_on = PlainDateField(
        "Left the team on", [InputRequired("Enter the date the person left the team.")], render_kw={"autofocus": True}
    )

    def __init__(self, *args, joined_on=None, **kwargs):
        self.joined_on = joined_on
        super().__init__(*args, **kwargs)

    def validate_left_on(self, field):
        if field.data and self.joined_on and field.data < self.joined_on:
            raise ValidationError(f"The end of membership cannot be before it started ({self.joined_on.isoformat()}).")
