"""Forms for support requests: submit, accept (start an engagement), decline, ask, answer."""

import datetime as dt

from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.validators import DataRequired, Optional, StopValidation, ValidationError

from ..models import SUPPORT_MODELS, Engagement, today
from . import BaseForm
from .engagements import IspCheckboxField, SetupRows, goal_rows, team_rows
from .fields import ChoiceField, PlainDateField

ON_BEHALF_CHOICES = [
    SelectChoice("internal", "Internal initiative"),
    SelectChoice("partner", "On behalf of a partner or grantee"),
]
HOPED_START_PAST_DAYS = 365  # a hoped-for start more than a year ago is a typing error


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class IdSelectField(SelectField):
    """A select of ids (int) that says clearly when the id sent is blank, not a number or not offered."""

    def __init__(
        self,
        label=None,
        validators=None,
        blank="Choose…",
        invalid="Choose one from the list.",
        offered_only=True,
        **kwargs,
    ):
        self.blank = blank
        self.invalid = invalid
        self.offered_only = offered_only  # False: any id is read; the model decides whether it may be used
        super().__init__(label, validators, coerce=int, choices=[], **kwargs)

    def iter_choices(self):
        yield Choice("", self.blank, self.data is None, {})
        for value, text in self.choices or ():
            yield Choice(value, text, self.data == value, {})

    def process_data(self, value):
        try:
            self.data = int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            self.data = None

    def process_formdata(self, valuelist):
        self._not_a_number = False
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = int(str(valuelist[0]).strip())
        except ValueError:
            self.data = None
            self._not_a_number = True  # said in pre_validate, before DataRequired speaks of a blank

    def pre_validate(self, form):
        if getattr(self, "_not_a_number", False):
            raise StopValidation(self.invalid)
        if self.data is None or not self.offered_only:
            return  # DataRequired / Optional, or the model, decide
        if self.data not in {value for value, _ in self.choices or ()}:
            raise ValidationError(self.invalid)


class RequestForm(BaseForm):
    """A support request. `unit` is offered to administrators only (recipients ask for their own unit);
    `intermediary` only when several intermediary organizations exist (else the request goes to the only
    one: the model's rule).

    A unit, a title, what and for whom, and why it is urgent are SupportRequest.validate()'s rules, the
    same for the API; the form parses and shows them next to its fields."""

    error_fields = {"unit_id": "unit", "on_behalf_of": "partner_name"}

    intermediary = IdSelectField(
        "Addressed to",
        blank="Choose the intermediary organization…",
        invalid="Choose an intermediary organization from the list.",
        render_kw={"required": True},
    )

    unit = IdSelectField(
        "Unit asking for support",
        blank="Choose the unit…",
        invalid="Choose a unit from the list.",
        render_kw={"required": True},
    )
    title = StringField(
        "Title",
        filters=[_strip],
        render_kw={"autofocus": True, "maxlength": 200, "required": True},
    )
    description = TextAreaField("What is the initiative?", filters=[_strip], render_kw={"required": True})
    for_whom = TextAreaField("For whom?", filters=[_strip], render_kw={"required": True})
    on_behalf = RadioField(
        "Whose initiative is it?",
        choices=ON_BEHALF_CHOICES,
        default="internal",
        validators=[DataRequired("Choose internal or on behalf of a partner or grantee.")],
    )
    partner_name = StringField("Partner or grantee", filters=[_strip], render_kw={"maxlength": 200})
    hoped_start = PlainDateField("Hoped-for start", validators=[Optional()])
    urgent = BooleanField("This request is urgent")
    urgency_note = TextAreaField("What makes it urgent?", filters=[_strip])

    def validate_partner_name(self, field):
        if self.on_behalf.data == "partner" and not field.data:
            raise ValidationError("Enter the name of the partner or grantee.")

    def validate_hoped_start(self, field):
        if field.data and field.data < today() - dt.timedelta(days=HOPED_START_PAST_DAYS):
            raise ValidationError("The hoped-for start cannot be more than a year in the past.")

    def request_data(self):
        partner = self.on_behalf.data == "partner"
        return {
            "title": self.title.data,
            "description": self.description.data,
            "for_whom": self.for_whom.data,
            "on_behalf_of": self.partner_name.data if partner else "",
            "hoped_start": self.hoped_start.data,
            "urgent": bool(self.urgent.data),
            "urgency_note": self.urgency_note.data if self.urgent.data else "",
            **({"intermediary": self.intermediary.data} if "intermediary" in self else {}),
        }


class AcceptForm(SetupRows, BaseForm):
    """Accepting a request starts an engagement: its title, problem, model of support, dates and ISPs.

    The form parses; the rules (a title, a start date, an end not before the start, two different active
    co-leads, ...) are the model's, the same as for the create page and the API, reported under the
    domain's names and mapped here by `error_fields`.
    """

    error_fields = {"co_lead_ids": "co_lead_2", "supporting_ids": "supporting"}

    title = StringField(
        "Engagement title",
        filters=[_strip],
        render_kw={"autofocus": True, "maxlength": 200, "required": True},
    )
    problem_statement = TextAreaField("Implementation problem", filters=[_strip])
    support_model = ChoiceField(
        "Model of support",
        choices=SUPPORT_MODELS,
        default=Engagement.support_model.default,
        validators=[DataRequired("Choose the model of support.")],
    )
    start_date = PlainDateField("Start date", render_kw={"required": True})
    end_date = PlainDateField("Planned end date")
    co_lead_1 = IdSelectField(
        "First co-lead",
        blank="Choose an ISP…",
        invalid="Choose an active ISP from the list.",
        offered_only=False,
        render_kw={"required": True},
    )
    co_lead_2 = IdSelectField(
        "Second co-lead",
        blank="Choose an ISP…",
        invalid="Choose an active ISP from the list.",
        offered_only=False,
        render_kw={"required": True},
    )
    supporting = IspCheckboxField("Supporting ISPs")
    team_members = team_rows()
    goals = goal_rows()

    def set_isp_choices(self, isps, labels=None):
        """The ISPs to choose from; `labels`: {user id: option text} for those with their workload
        beside the name (reports/workload.picker_label), the name alone for the others."""
        labels = labels or {}
        choices = [(u.id, labels.get(u.id, u.name)) for u in isps]
        self.co_lead_1.choices = choices
        self.co_lead_2.choices = choices
        self.supporting.choices = [SelectChoice(value, text) for value, text in choices]

    def domain_data(self):
        """The fields under the domain's names (those the service and the API use)."""
        return {
            "title": self.title.data,
            "problem_statement": self.problem_statement.data or "",
            "support_model": self.support_model.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "co_lead_ids": [i for i in (self.co_lead_1.data, self.co_lead_2.data) if i is not None],
            "supporting_ids": list(self.supporting.data or []),
            **self.rows_data(),
        }


class DeclineForm(BaseForm):
    decline_reason = TextAreaField(
        "Why is the request declined?",
        filters=[_strip],
        validators=[DataRequired("Say why the request is declined.")],
        render_kw={"autofocus": True},
    )


class AskForm(BaseForm):
    info_question = TextAreaField(
        "What would you like to know?",
        filters=[_strip],
        validators=[DataRequired("Write the question for the requester.")],
        render_kw={"autofocus": True},
    )


class AnswerForm(BaseForm):
    info_answer = TextAreaField(
        "Your answer",
        filters=[_strip],
        validators=[DataRequired("Write your answer to the question.")],
    )


class WithdrawForm(BaseForm):
    error_fields = {"text": "reason"}  # the reason is the withdrawal event's text

    reason = TextAreaField(
        "Why are you withdrawing it? (optional)",
        filters=[_strip],
        validators=[Optional()],
        render_kw={"autofocus": True},
    )
