"""Forms of the admin area: users (list filters, create, edit, password), the audit log filters and
catalog entries (competencies, strategies, principles, benchmark templates, feedback items)."""

from wtforms import (
    BooleanField,
    EmailField,
    Form,
    PasswordField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length

from ..dates import format_date
from ..models import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PASSWORD_HINT, ROLES
from ..models.catalog import ITEM_KINDS
from ..reports.filter_summary import canonical, chip
from . import BaseForm, VersionedForm
from .engagements import IdChoiceField
from .fields import PlainDateField, as_text, not_before


class UserFilterForm(Form):
    """The user list's filters (a GET form: no CSRF; values not offered are ignored)."""

    q = SearchField("Name or email contains", filters=[as_text], render_kw={"placeholder": "Search people"})
    role = SelectField("Role", choices=[("", "Any role")] + list(ROLES))  # GET /users's `role`

    def cleaned(self):
        out = {}
        if self.role.data in dict(ROLES):
            out["role"] = self.role.data
        q = (self.q.data or "")[:200]
        if q:
            out["q"] = q
        return out

    def chips(self):
        """One removable chip per filter in use (filter_summary.chip)."""
        args = self.cleaned()
        words = {
            "q": f"Name or email contains: “{args.get('q')}”",
            "role": f"Role: {dict(ROLES).get(args.get('role'))}",
        }
        return [chip(name, words[name], args) for name in ("q", "role") if name in args]


def _id(value):
    return int(value) if value not in (None, "") else None


class RateField(StringField):
    """An hourly rate (issue 19): typed as text and read as a number when it is one. What is not a number
    is handed on as typed, so the one rule (models.rate_problem) refuses it in its own words; blank is
    no rate."""

    def __init__(self, label, **kwargs):
        kwargs.setdefault("filters", [as_text])
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data in (None, "") else f"{self.data:g}" if isinstance(self.data, float) else str(self.data)

    def rate(self):
        text = (self.data if isinstance(self.data, str) else "" if self.data is None else str(self.data)).strip()
        if not text:
            return None
        try:
            return float(text.replace(",", ""))
        except ValueError:
            return text


class _UserFields(BaseForm):
    """The form parses; the rules (email, a unit for recipients only, the password policy) are the User
    model's, reported under the domain's names and mapped back by `error_fields`."""

    error_fields = {"unit_id": "unit", "organization_id": "organization"}

    name = StringField("Name", filters=[as_text], render_kw={"autocomplete": "name"})
    role = IdChoiceField("Role", choices=list(ROLES), blank="Choose a role")
    unit = IdChoiceField("Unit (recipients only)", choices=[], blank="No unit")
    organization = IdChoiceField("Organization", choices=[], blank="No organization")
    reads_all_organizations = BooleanField("Reads every organization (leaders only)")
    hourly_rate = RateField("Hourly rate (ISPs)")

    def set_choices(self, units, organizations):
        self.unit.choices = [("", "No unit")] + [(str(u.id), f"{u.name} ({u.organization.name})") for u in units]
        self.organization.choices = [("", "No organization")] + [(str(o.id), o.name) for o in organizations]
        return self

    def domain_data(self):
        return {
            "name": self.name.data,
            "role": self.role.data or None,
            "unit_id": _id(self.unit.data),
            "organization_id": _id(self.organization.data),
            "reads_all_organizations": bool(self.reads_all_organizations.data),
            "hourly_rate": self.hourly_rate.rate(),
        }


class NewUserForm(_UserFields):
    """A new user is invited: no password here, they choose their own through the emailed link."""

    email = EmailField("Email", filters=[as_text], render_kw={"autocomplete": "off", "autofocus": True})

    field_order = ("email", "name", "role", "unit", "organization", "reads_all_organizations", "hourly_rate")

    def domain_data(self):
        return {**super().domain_data(), "email": self.email.data}


class EditUserForm(_UserFields, VersionedForm):
    is_active = BooleanField("Active (may sign in)")

    def domain_data(self):
        return {**super().domain_data(), "is_active": bool(self.is_active.data)}


def organization_rates_form(organizations, currency):
    """The Cost rates page's one form: an hourly rate field per intermediary organization (org_<id>)."""

    class OrganizationRatesForm(BaseForm):
        def rates(self):
            return {o.id: self[f"org_{o.id}"].rate() for o in organizations}

    for o in organizations:
        setattr(OrganizationRatesForm, f"org_{o.id}", RateField(f"{o.name}: hourly rate ({currency})"))
    return OrganizationRatesForm


class CapacityField(StringField):
    """An ISP's monthly capacity (issue 22), typed in hours and read as minutes when it is a whole number
    of hours; anything else is handed on as typed, so the one rule (models.capacity_problem) refuses it in
    its own words; blank is not set."""

    def __init__(self, label, **kwargs):
        kwargs.setdefault("filters", [as_text])
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(label, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data in (None, "") else str(self.data)

    def minutes(self):
        text = (self.data if isinstance(self.data, str) else "" if self.data is None else str(self.data)).strip()
        if not text:
            return None
        try:
            return int(text) * 60
        except ValueError:
            return text


def capacity_form(isps):
    """The Capacity page's one form: a monthly capacity in hours per ISP (isp_<id>), shown as set."""

    class CapacityForm(BaseForm):
        def capacities(self):
            return {u.id: self[f"isp_{u.id}"].minutes() for u in isps}

    for u in isps:
        setattr(CapacityForm, f"isp_{u.id}", CapacityField(f"{u.name}: hours a month"))
    return CapacityForm


class PasswordForm(BaseForm):
    password = PasswordField(
        f"New password ({PASSWORD_HINT})",
        render_kw={"autocomplete": "new-password", "autofocus": True},
    )


class SetPasswordForm(BaseForm):
    """The page of an invitation (or reset) link: the person chooses their password. The policy is the
    model's (User.password_problems), reported as "password" and shown next to the new password."""

    error_fields = {"password": "new_password"}

    new_password = PasswordField(
        f"New password ({PASSWORD_HINT})",
        validators=[DataRequired("Enter a password."), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH, "autofocus": True},
    )
    confirm_password = PasswordField(
        "New password again",
        validators=[DataRequired("Type the password a second time.")],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_confirm_password(self, field):
        if self.new_password.data and field.data != self.new_password.data:
            raise ValidationError("The two passwords are not the same. Type them again.")


class AuditFilterForm(Form):
    """The audit log's filters (GET; unknown values are ignored, bad dates reported next to the field). No API
    twin: the report vocabulary's names (user_id, engagement_id, start, end); the older names (user,
    engagement, date_from, date_to) are read as aliases."""

    entity = SelectField("Record type", choices=[])
    action = SelectField(
        "Action",
        choices=[
            ("", "Any action"),
            ("create", "Created"),
            ("update", "Changed"),
            ("delete", "Deleted"),
            ("restore", "Restored"),
        ],
    )
    user_id = SelectField("Who", choices=[])
    engagement_id = SelectField("Engagement", choices=[])
    start = PlainDateField("From")
    end = PlainDateField("To", validators=[not_before("start", "The end date cannot be before the start date.")])

    FILTERS = ("entity", "action", "user_id", "engagement_id")
    ALIASES = {"user": "user_id", "engagement": "engagement_id", "date_from": "start", "date_to": "end"}
    # {URL parameter: the audit query's filter (services.admin.audit_query)}
    QUERY_NAMES = {"user_id": "user", "engagement_id": "engagement", "start": "date_from", "end": "date_to"}

    def __init__(self, formdata, entities, users, engagements):
        """`entities`: (entity, label) pairs; `engagements`: every engagement, deleted ones marked."""
        super().__init__(canonical(formdata, self.ALIASES) if formdata is not None else None)
        self.entity.choices = [("", "Any record")] + list(entities)
        self.user_id.choices = [("", "Anyone")] + [(str(u.id), u.name) for u in users]
        self.engagement_id.choices = [("", "Any engagement")] + [
            (str(e.id), e.title + (" (deleted)" if e.deleted_at else "")) for e in engagements
        ]
        for name in self.FILTERS:
            if self[name].data not in {value for value, _ in self[name].choices}:
                self[name].data = ""
        self.validate()

    def args(self):
        """The filters in use as URL args (chips, the CSV link, pagination)."""
        out = {name: self[name].data for name in self.FILTERS if self[name].data}
        for name in ("start", "end"):
            if self[name].data and not self[name].errors:
                out[name] = self[name].data.isoformat()
        return out

    def cleaned(self):
        """{audit_query's filter: value}: ids as ints, dates as dates."""
        out = {self.QUERY_NAMES.get(name, name): value for name, value in self.args().items()}
        for name in ("user", "engagement"):
            if name in out:
                out[name] = int(out[name])
        for name in ("date_from", "date_to"):
            if name in out:
                out[name] = self[{"date_from": "start", "date_to": "end"}[name]].data
        return out

    def chips(self):
        """One removable chip per filter in use (filter_summary.chip): names, never ids."""
        args = self.args()
        chips = [
            chip(name, f"{self[name].label.text}: {dict(self[name].choices).get(args[name])}", args)
            for name in self.FILTERS
            if name in args
        ]
        chips += [
            chip(name, f"{self[name].label.text} {format_date(self[name].data)}", args)
            for name in ("start", "end")
            if name in args
        ]
        return chips


class CatalogEntryForm(BaseForm):
    """A competency, strategy or principle: its name, help text and whether it is retired."""

    name = StringField("Name", filters=[as_text], render_kw={"autofocus": True})
    help = TextAreaField("Help text", filters=[as_text], render_kw={"rows": 4})
    retired = BooleanField("Retired (no longer offered on new meetings; kept on old ones)")


class NewCatalogEntryForm(BaseForm):
    """A new competency (in a domain), strategy (in a cluster) or principle (no parent: `parent` unused)."""

    parent = IdChoiceField("Where it belongs", choices=[], blank="Choose where it belongs")
    name = StringField("Name", filters=[as_text], render_kw={"autofocus": True})
    help = TextAreaField("Help text", filters=[as_text], render_kw={"rows": 4})


class BenchmarkTemplateForm(BaseForm):
    text = StringField("Benchmark", filters=[as_text], render_kw={"autofocus": True})
    retired = BooleanField("Retired (no longer suggested for new engagements)")


class GoalTemplateForm(VersionedForm):
    """A goal template (issue 23): the title, indicator and default target a new goal starts from.
    Fields named as GoalTemplate's, so populate_obj copies them; the rules are the model's."""

    title = StringField("Goal", filters=[as_text], render_kw={"autofocus": True, "autocomplete": "off"})
    indicator = TextAreaField("Indicator of progress", filters=[as_text], render_kw={"rows": 3})
    target = TextAreaField("Default target", filters=[as_text], render_kw={"rows": 2})


class NewBenchmarkTemplateForm(BaseForm):
    text = StringField("Benchmark", filters=[as_text], render_kw={"autofocus": True})


class FeedbackItemForm(BaseForm):
    """A feedback question reworded: its text (the model judges it, so every path says the same)."""

    text = TextAreaField("Question", filters=[as_text], render_kw={"rows": 3, "autofocus": True})


class NewFeedbackItemForm(FeedbackItemForm):
    """A new feedback question: its text, the kind of answer and, for an agreement question, its scale
    (offered from the instrument's scales; the model refuses any other)."""

    kind = SelectField("Kind of answer", choices=list(ITEM_KINDS), default="likert", validate_choice=False)
    scale = SelectField("Scale (agreement questions)", choices=[], validate_choice=False)

    def set_scales(self, scale_names):
        self.scale.choices = [("", "No scale (open answer)")] + list(scale_names.items())
        return self


def settings_form(definitions):
    """The organization's settings page (issue 23): one field per setting of models.settings.SETTINGS, a
    select for a choice and a number box for a whole number. The values are read and refused by the model
    (SettingDefinition.parse, through Setting.choose_all), whose messages show next to each field."""

    class SettingsForm(BaseForm):
        def texts(self):
            return {d.key: self[d.key].data for d in definitions}

    for d in definitions:
        if d.choices is not None:
            field = SelectField(d.label, choices=list(d.choices), validate_choice=False)
        else:
            field = StringField(
                d.label, render_kw={"inputmode": "numeric", "pattern": "[0-9]*", "size": 6, "autocomplete": "off"}
            )
        setattr(SettingsForm, d.key, field)
    return SettingsForm
