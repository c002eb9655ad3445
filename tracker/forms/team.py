"""Forms for the implementation team: add or edit a member, end a membership.

The forms parse; the rules (a name, one email rule, a membership that does not end before it starts)
are TeamMember.validate()'s, shown next to the fields."""

from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, InputRequired, Optional

from ..models import POSITIONS
from . import BaseForm, VersionedForm
from .fields import ChoiceField, PlainDateField, as_text


class TeamMemberForm(VersionedForm):
    """Add or edit a member. The end of a membership is set on its own page; a start moved after it is
    refused by the model under left_on, shown here next to the start."""

    error_fields = {"left_on": "joined_on"}

    name = StringField(
        "Name",
        filters=[as_text],
        render_kw={"autofocus": True, "autocomplete": "off", "required": True},
    )
    position = ChoiceField("Position", [DataRequired("Choose the person's position.")], choices=POSITIONS)
    email = EmailField(
        "Email (optional)",
        [Optional()],
        filters=[as_text, lambda v: v.lower() if isinstance(v, str) else v],
        render_kw={"autocomplete": "off"},
    )
    joined_on = PlainDateField("Joined the team on", [Optional()])
    is_lead = BooleanField("Recipient team lead (agrees to the implementation plan)")


class EndMembershipForm(BaseForm):
    """End a membership: the member stays listed (meeting attendance refers to them)."""

    left_on = PlainDateField(
        "Left the team on", [InputRequired("Enter the date the person left the team.")], render_kw={"autofocus": True}
    )
