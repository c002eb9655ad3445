"""Field types and validators shared by the feature forms."""

import datetime as dt

from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, widgets
from wtforms.validators import ValidationError

from ..models import EARLIEST_DATE as EARLIEST
from ..models import LATEST_DATE as LATEST
from ..models import date_range_error


def as_text(value):
    """A filter for text fields: surrounding spaces dropped, and a field the browser did not send is empty
    text rather than None, as the model's text columns want (so form.populate_obj can copy it as it is)."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


class PlainDateField(DateField):
    """An <input type=date> that says clearly what is wrong. It parses the type and offers the sane range
    (min/max) to the browser; the date policy itself is the model layer's (docs/date-policy.md), whose
    sane-range message it gives for a date far out of range, so a form, the API and the model agree."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("min", EARLIEST.isoformat())
        kwargs["render_kw"].setdefault("max", LATEST.isoformat())
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = dt.datetime.strptime(valuelist[0].strip(), "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError("Enter a date as YYYY-MM-DD.") from None
        message = date_range_error(self.data)
        if message:
            self.data = None
            raise ValueError(message)


class ChoiceField(SelectField):
    """A select over (key, label) choices from models.py; refuses anything not in the list."""

    def __init__(self, label=None, validators=None, choices=(), blank=None, **kwargs):
        choices = list(choices)
        if blank is not None:
            choices = [("", blank)] + choices
        super().__init__(label, validators, choices=choices, **kwargs)

    def pre_validate(self, form):
        if self.data in ("", None):
            return  # DataRequired/Optional decide
        super().pre_validate(form)


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a many-of list; values are coerced to int (ids) unless told otherwise."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, label=None, validators=None, coerce=int, **kwargs):
        super().__init__(label, validators, coerce=coerce, **kwargs)

    def process_formdata(self, valuelist):
        try:
            self.data = [self.coerce(v) for v in valuelist]
        except (TypeError, ValueError):
            self.data = []
            raise ValueError("One of the choices is not valid.") from None

    def pre_validate(self, form):
        allowed = {value for value, *_ in self.iter_choices()} if self.choices is not None else set()
        allowed = {self.coerce(v) for v in allowed}
        unknown = [v for v in (self.data or []) if v not in allowed]
        if unknown:
            raise ValidationError("One of the choices is not available here; reload the page and choose again.")


class Minutes(IntegerField):
    """A whole number of minutes, more than 0 and at most `maximum`."""

    def __init__(self, label=None, validators=None, maximum=16 * 60, **kwargs):
        self.maximum = maximum
        kwargs.setdefault("render_kw", {}).update({"min": 1, "max": maximum, "step": 1, "inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = int(str(valuelist[0]).strip())
        except ValueError:
            self.data = None
            raise ValueError("Enter a whole number of minutes.") from None

    def pre_validate(self, form):
        if self.data is not None and not 0 < self.data <= self.maximum:
            raise ValidationError(f"Enter between 1 and {self.maximum} minutes.")


def not_before(other_name, message):
    """Validator: this date is not before the date in field `other_name`."""

    def check(form, field):
        other = getattr(form, other_name).data
        if field.data and other and field.data < other:
            raise ValidationError(message)

    return check


# The checkbox beside a note an ISP may keep from the recipient (issue 19; policy.can_see_internal_notes).
INTERNAL_LABEL = "Internal: ISPs and leaders only, never shown to the recipient"
