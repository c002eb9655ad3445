"""Forms: a BaseForm with session-bound CSRF tokens, and one module per feature."""

from datetime import timedelta

from flask import abort, current_app, request, session
from wtforms import Form, SubmitField
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

    def add_errors(self, errors):
        """Show model ValidationError messages next to the matching fields (others at the top)."""
        for name, message in errors.items():
            field = getattr(self, self.error_fields.get(name, name), None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + [message]
            else:
                self.form_errors.append(message)
