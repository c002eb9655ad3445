"""Forms of recipient feedback: sending a pulse or a survey, and answering one."""

from flask import request
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import Length, ValidationError

from ..services.feedback import MAX_COMMENT, PULSE_COMMENT_KEY, parse_emails
from . import BaseForm
from .fields import MultiCheckboxField


class InviteForm(BaseForm):
    """Who to ask: team members (checked by default) and any other email addresses."""

    recipients = MultiCheckboxField("Team members")
    extra_emails = TextAreaField("Other email addresses", render_kw={"rows": 2, "autocomplete": "off"})

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.recipients.choices = [(m.id, f"{m.name} <{m.email}>") for m in self.members]

    # The service refuses addresses that break the one email rule under "emails": the typed ones.
    error_fields = {"emails": "extra_emails"}

    def _typed(self):
        emails, bad = parse_emails(self.extra_emails.data)
        return emails + bad

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and not self.recipients.data and not self._typed():
            self.recipients.errors = list(self.recipients.errors) + [
                "Choose at least one person to ask, or type an email address."
            ]
            return False
        return valid

    def chosen(self):
        """[(email, team member or None)] of everyone to ask."""
        by_id = {m.id: m for m in self.members}
        chosen = [(by_id[i].email, by_id[i]) for i in self.recipients.data or [] if i in by_id]
        return chosen + [(email, None) for email in self._typed()]


class LikertField(RadioField):
    """1-5 agreement; may be left empty; anything else is refused with a clear message."""

    def __init__(self, label=None, validators=None, scale_labels=None, **kwargs):
        scale_labels = scale_labels or {}
        choices = [(str(v), scale_labels.get(str(v), str(v))) for v in range(1, 6)]
        super().__init__(label, validators, choices=choices, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = valuelist[0] if valuelist else None

    def value(self):
        """The answer as an int 1..5, None when unanswered, or the string typed when not valid."""
        if self.data in (None, ""):
            return None
        try:
            number = int(str(self.data).strip())
        except ValueError:
            return self.data
        return number

    def pre_validate(self, form):
        value = self.value()
        if value is not None and (not isinstance(value, int) or not 1 <= value <= 5):
            raise ValidationError("Choose a value from 1 (completely disagree) to 5 (completely agree).")


class AnswerFormBase(BaseForm):
    anonymous = BooleanField("Answer anonymously", default=True)

    likert_keys = ()
    text_keys = ()

    def values(self):
        return {key: getattr(self, f"item_{key}").value() for key in self.likert_keys}

    def comments(self):
        return {key: getattr(self, f"text_{key}").data or "" for key in self.text_keys}

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        known = {f"item_{k}" for k in self.likert_keys} | {f"text_{k}" for k in self.text_keys}
        unknown = [name for name in request.form if name.startswith(("item_", "text_")) and name not in known]
        if unknown:
            self.form_errors.append(
                "The answers include a question that is not in this survey; reload the link and answer again."
            )
            valid = False
        if (
            valid
            and not any(v is not None for v in self.values().values())
            and not any(t.strip() for t in self.comments().values())
        ):
            self.form_errors.append("Answer at least one question or write a comment before sending.")
            valid = False
        return valid


def answer_form(items, kind, scale_labels, **kwargs):
    """A form for the items of one invitation: a 1-5 scale per likert item, a text box per open
    question (a pulse adds one optional comment)."""
    attrs = {"likert_keys": [], "text_keys": []}
    for item in items:
        if item.kind == "likert":
            attrs[f"item_{item.key}"] = LikertField(item.text, scale_labels=scale_labels)
            attrs["likert_keys"].append(item.key)
        else:
            attrs[f"text_{item.key}"] = TextAreaField(
                item.text, validators=[Length(max=MAX_COMMENT)], render_kw={"rows": 3}
            )
            attrs["text_keys"].append(item.key)
    if kind == "pulse":
        attrs[f"text_{PULSE_COMMENT_KEY}"] = TextAreaField(
            "Anything you want to add? (optional)", validators=[Length(max=MAX_COMMENT)], render_kw={"rows": 3}
        )
        attrs["text_keys"].append(PULSE_COMMENT_KEY)
    form_class = type("AnswerForm", (AnswerFormBase,), attrs)
    return form_class(**kwargs)
