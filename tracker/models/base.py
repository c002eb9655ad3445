"""What every model shares: the base classes, validation, the audit hook, and (key, label) helpers.

- Every model validates itself on save (`validate()` returns {field: message}); a failure raises
  `ValidationError`, which forms and the CLI show next to the field or as one line.
- Models that users change are `Audited`: each create, update and delete writes an entry through
  `Audited.audit_log` (the `AuditEntry` model of tracker/models/audit.py, which sets it there because
  it refers to `User`, itself an audited model).
"""

import datetime as dt

from peewee import CharField, IntegrityError, Model

from ..db import database


def utcnow():
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def label(choices, key):
    return dict(choices).get(key, key or "")


def keys(choices):
    return [k for k, _ in choices]


class ValidationError(ValueError):
    """Raised by save() when a row is not valid; `errors` maps field names to messages."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))


# --- shared rules -----------------------------------------------------------------------------

# The one email rule of the tracker (users, team members, feedback recipients; pages, API and CLI):
# something@domain.tld, no spaces, no second "@", nothing a list of addresses would split on.
EMAIL_MESSAGE = "Enter a valid email address, like name@example.org."
_NEVER_IN_EMAIL = frozenset(",;<>")


def email_problem(value):
    """None when `value` (already stripped) is a usable email address, else the message to show."""
    value = value or ""
    local, at, domain = value.partition("@")
    name, dot, top = domain.rpartition(".")
    usable = (
        at
        and local
        and "@" not in domain
        and dot
        and name
        and top
        and not any(c.isspace() or c in _NEVER_IN_EMAIL for c in value)
    )
    return None if usable else EMAIL_MESSAGE


# --- base classes -----------------------------------------------------------------------------


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False

    # Fields that must be given (beyond what null=False enforces in the database), with messages.
    required = {}

    def validate(self):
        """Return {field: message} for what is wrong with this row; subclasses extend it."""
        errors = {}
        for name, message in self.required.items():
            field = self._meta.fields[name]
            value = self.__data__.get(field.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                errors[name] = message
        for name, field in self._meta.fields.items():
            value = self.__data__.get(name)
            if isinstance(field, CharField) and isinstance(value, str) and len(value) > field.max_length:
                errors.setdefault(name, f"At most {field.max_length} characters.")
            choices = getattr(field, "choices", None)
            if choices and value is not None and value not in keys(choices):
                errors.setdefault(name, "Choose one of: " + ", ".join(keys(choices)) + ".")
        return errors

    def save(self, *args, **kwargs):
        errors = self.validate()
        if errors:
            raise ValidationError(errors)
        try:
            with database.atomic():
                return super().save(*args, **kwargs)
        except IntegrityError as exc:
            raise ValidationError(self.integrity_message(exc)) from exc

    def integrity_message(self, exc):
        """Turn a database constraint failure into {field: message}; subclasses add specific ones."""
        return {"__all__": "This record conflicts with an existing one or refers to a missing one."}


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Model):
        return value._pk  # not get_id(): User.get_id() is the session token (flask-login)
    return value


class Audited(BaseModel):
    """A model whose creates, updates and deletes are written to the audit log."""

    audit_exclude = ("password_hash", "session_token")
    audit_log = None  # the AuditEntry model, set by tracker/models/audit.py

    def audit_engagement_id(self):
        engagement_id = self.__data__.get("engagement")
        return engagement_id

    def save(self, *args, **kwargs):
        creating = self._pk is None or kwargs.get("force_insert")
        changes = {}
        if not creating:
            dirty = [self._meta.fields[n] for n in self.dirty_fields_names() if n not in self.audit_exclude]
            if dirty:
                old = (type(self).select(*dirty).where(type(self)._meta.primary_key == self._pk).dicts().first()) or {}
                for field in dirty:
                    before, after = old.get(field.name), self.__data__.get(field.name)
                    if _jsonable(before) != _jsonable(after):
                        changes[field.name] = [_jsonable(before), _jsonable(after)]
        with database.atomic():
            result = super().save(*args, **kwargs)
            if creating:
                changes = {
                    name: _jsonable(value)
                    for name, value in self.__data__.items()
                    if name not in self.audit_exclude and name != "id" and value not in (None, "")
                }
                self.audit_log.record("create", self, changes)
            elif changes:
                self.audit_log.record("update", self, changes)
        return result

    def dirty_fields_names(self):
        return [f.name if hasattr(f, "name") else f for f in self.dirty_fields]

    def delete_instance(self, *args, **kwargs):
        with database.atomic():
            self.audit_log.record("delete", self, {})
            return super().delete_instance(*args, **kwargs)

    def soft_delete(self):
        self.deleted_at = utcnow()
        self.save()

    def restore(self):
        self.deleted_at = None
        self.save()

    @classmethod
    def live(cls):
        return cls.select().where(cls.deleted_at.is_null())
