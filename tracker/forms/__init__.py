"""Forms: a BaseForm with session-bound CSRF tokens, and one module per feature."""

from datetime import timedelta

from flask import abort, current_app, request, session
from wtforms import FieldList, Form, FormField, HiddenField, RadioField, SubmitField
from wtforms.csrf.session import SessionCSRF

CSRF_MESSAGE = "This form has expired or did not come from this site. Reload the page and try again."


class BaseForm(Form):
    class Meta:
        csrf = True
        csrf_class = SessionCSRF
        csrf_time_limit = timedelta(hours=12)

    def __init__(self, formdata=None, obj=None, meta=None, **kwargs):
        """`formdata` defaults to the request's form on POST; the CSRF token is bound to the session."""
        if formdata is None and request.method == "POST":
            formdata = request.form
        meta = dict(meta or {})
        meta.setdefault("csrf_secret", current_app.config["SECRET_KEY"].encode())
        meta.setdefault("csrf_context", session)
        super().__init__(formdata, obj=obj, meta=meta, **kwargs)

    def validate_on_submit(self, extra_validators=None):
        """True for a valid POST. A bad CSRF token stops the request with 400."""
        if request.method != "POST":
            return False
        valid = self.validate(extra_validators=extra_validators)
        if "csrf_token" in self.errors:
            abort(400, description=CSRF_MESSAGE)
        return valid

    # Fields populate_obj leaves alone (a form lists those the model has no column for, or converts itself).
    not_populated = ()

    def populate_obj(self, obj):
        """WTForms' populate_obj: each field's data onto the attribute of the same name, except the buttons
        and the fields named in `not_populated`. Text fields give "" (never None) through fields.as_text."""
        for name, field in self._fields.items():
            if name not in self.not_populated and not isinstance(field, SubmitField):
                field.populate_obj(obj, name)

    # The domain's names (as services and models report refusals) -> this form's field names, where they
    # differ: the one place a form maps a refusal back onto its fields.
    error_fields = {}

    def error_links(self):
        """Every field's message with the id of the element it belongs to, in the order of the form: the
        error summary at the top of a form (the GOV.UK pattern) links each message to its field."""
        links = []
        for name, field in self._fields.items():
            if name != "csrf_token":
                links += _field_errors(field)
        return links

    def add_errors(self, errors):
        """Show model ValidationError messages next to the matching fields (others at the top)."""
        for name, message in errors.items():
            field = getattr(self, self.error_fields.get(name, name), None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + [message]
            else:
                self.form_errors.append(message)


def _field_errors(field, prefix=""):
    """(element id, message) for one field's own messages and, in a list of sub-forms, each row's."""
    links = []
    target = f"{field.id}-0" if isinstance(field, RadioField) else field.id  # a radio group: its first button
    links += [(target, prefix + message) for message in field.errors if isinstance(message, str)]
    if isinstance(field, FieldList):
        for number, entry in enumerate(field.entries, start=1):
            sub = entry.form if isinstance(entry, FormField) else None
            if sub is None:
                continue
            row = f"{getattr(sub, 'row_label', field.label.text)} {number}: "
            for subfield in sub:
                links += _field_errors(subfield, prefix + row)
    return links


class VersionField(HiddenField):
    """The version of the record an edit page was opened on (hidden). Filled from the record on GET
    (`obj=`, or `version=`); on POST the submitted number, or None when the request sent none (then
    the save is not checked). `populate_obj` never copies it onto the version column: it sets the
    row's `expected_version`, which Audited.save checks."""

    def process_data(self, value):
        self.data = value if isinstance(value, int) and not isinstance(value, bool) else None

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        self.data = int(text) if text.isdigit() and len(text) < 10 else None

    def _value(self):
        return "" if self.data is None else str(self.data)

    def populate_obj(self, obj, name):
        obj.expected_version = self.data


class VersionedForm(BaseForm):
    """An edit form that carries the record's version: a stale save is refused (views.helpers.save_form
    shows the other person's change in `conflict`, rendered by _macros/forms.html form_errors)."""

    version = VersionField()
    conflict = None  # set by save_form on a StaleEdit: {"message", "rows": [(label, theirs, yours)]}

    def start_from(self, record):
        """The edit is checked against the version the form carried (a write that is not populate_obj)."""
        record.expected_version = self.version.data
        return record
