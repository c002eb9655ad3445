"""The forms of the work between meetings: the quick entry (several one-line rows at once, a FieldList of
ActivityRowForm, so the browser may send any number of rows: rows-0-date, rows-3-minutes ...) and the
edit of one activity. Their rules are the model's and the service's (services/activities.py): the form
reads the input, the service refuses it, and its messages (`rows-<i>-<field>`) land beside the field."""

from wtforms import FieldList, Form, FormField, StringField, SubmitField

from ..models import ACTIVITY_KINDS, MAX_ACTIVITIES_AT_ONCE, MAX_ACTIVITY_MINUTES, today
from . import BaseForm, VersionedForm
from .fields import ChoiceField, Minutes, MultiCheckboxField, PlainDateField, as_text

BLANK_ROWS = 3  # the quick entry opens with three empty lines


class _ActivityFields:
    """The fields of one activity, shared by a quick-entry row and the edit form."""

    date = PlainDateField("Date", default=today)
    kind = ChoiceField("Kind", choices=ACTIVITY_KINDS, blank="Choose…")
    minutes = Minutes("Minutes", maximum=MAX_ACTIVITY_MINUTES)
    isps = MultiCheckboxField("ISPs", choices=[])
    strategies = MultiCheckboxField("Strategies", choices=[])
    competencies = MultiCheckboxField("Competencies", choices=[])
    notes = StringField("Note", filters=[as_text], render_kw={"maxlength": 500})

    def set_choices(self, ctx):
        self.isps.choices = [(u.id, u.name) for u in ctx["isps"]]
        self.strategies.choices = [(s.id, s.name) for _, items in ctx["strategy_groups"] for s in items]
        self.competencies.choices = [(c.id, c.name) for _, items in ctx["competency_groups"] for c in items]
        for name in ("isps", "strategies", "competencies"):
            if getattr(self, name).data is None:
                getattr(self, name).data = []

    def to_row(self):
        """The plain dict services.activities takes."""
        return {
            "date": self.date.data,
            "kind": self.kind.data or None,
            "minutes": self.minutes.data,
            "notes": (self.notes.data or "").strip(),
            "isps": list(self.isps.data or []),
            "strategies": list(self.strategies.data or []),
            "competencies": list(self.competencies.data or []),
        }


class ActivityRowForm(_ActivityFields, Form):
    row_label = "Line"  # in the error summary: "Line 2: Enter how many minutes …"


class ActivitiesForm(BaseForm):
    rows = FieldList(FormField(ActivityRowForm), min_entries=BLANK_ROWS, max_entries=MAX_ACTIVITIES_AT_ONCE)
    submit = SubmitField("Submit for review")

    def set_choices(self, ctx):
        for entry in self.rows:
            entry.form.set_choices(ctx)

    def to_rows(self):
        """Every row with its index on the form (the service skips the blank ones)."""
        return [{**entry.form.to_row(), "row": index} for index, entry in enumerate(self.rows)]

    def add_errors(self, errors):
        """The service's `rows-<i>-<field>` beside that row's field; `rows` (and others) at the top."""
        for name, message in errors.items():
            head, _, rest = name.partition("-")
            index, _, field_name = rest.partition("-")
            field = None
            if head == "rows" and index.isdigit() and int(index) < len(self.rows.entries):
                field = getattr(self.rows.entries[int(index)].form, field_name, None)
            if field is not None:
                field.errors = list(field.errors) + [message]
            else:
                self.form_errors.append(message)


class ActivityForm(_ActivityFields, VersionedForm):
    submit = SubmitField("Save changes")
