"""What every model shares: the base classes, validation, the audit hook, and (key, label) helpers.

- Every model validates itself on save (`validate()` returns {field: message}); a failure raises
  `ValidationError`, which forms and the CLI show next to the field or as one line.
- Models that users change are `Audited`: each create, update and delete writes an entry through
  `Audited.audit_log` (the `AuditEntry` model of tracker/models/audit.py, which sets it there because
  it refers to `User`, itself an audited model).
- No lost update: every `Audited` row carries a `version`, raised by one on every update that changes
  it. An edit started from a form or an API body that carried a version sets `expected_version` on the
  row before saving; the save is then `UPDATE ... SET ..., version = version + 1 WHERE id = ? AND
  version = ?`, and when no row matches it raises `StaleEdit` (who changed the row last and when, the
  fields they changed, theirs beside yours). Writes that are not such an edit (a meeting moving a goal's
  status, a PATCH without `version`) set no expected version: never refused, they still raise it.
"""

import datetime as dt

from peewee import SQL, CharField, DateTimeField, IntegerField, IntegrityError, Model, TextField

from ..db import database

# The one sane range for every date the tracker stores (forms, API and models alike); see docs/date-policy.md.
EARLIEST_DATE = dt.date(1990, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(day):
    """A date in a refusal, "3 Mar 2026" (as tracker/dates.py's default style; the models import nothing
    of the app but the database)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def today():
    """The organization's today: the one source of "today" for the date policy (docs/date-policy.md)."""
    return dt.date.today()


def date_range_error(value, earliest=None, earliest_why="", latest=None, latest_why=""):
    """The refusal for a date outside [earliest, latest] (each bounded by the sane range), or None.

    `earliest_why` / `latest_why` name a bound ("the engagement's start", "today") in the message:
    "Date must be between 3 Mar 2026 (the engagement's start) and today (29 Nov 2026)."
    """
    if value is None:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        return "Enter a date as YYYY-MM-DD."
    if not EARLIEST_DATE <= value <= LATEST_DATE:  # a typing error (year 0083): the sane range, on every path
        return f"Date must be between {format_date(EARLIEST_DATE)} and {format_date(LATEST_DATE)}."
    low, low_why = (earliest, earliest_why) if earliest and earliest > EARLIEST_DATE else (EARLIEST_DATE, "")
    high, high_why = (latest, latest_why) if latest and latest < LATEST_DATE else (LATEST_DATE, "")
    if low <= value <= high:
        return None

    def bound(day, why):
        if why == "today":
            return f"today ({format_date(day)})"
        return f"{format_date(day)} ({why})" if why else format_date(day)

    return f"Date must be between {bound(low, low_why)} and {bound(high, high_why)}."


def check_planned_date(errors, field, value):
    """A planned date (planned end, due dates, next steps): any day in the sane range."""
    message = date_range_error(value)
    if message:
        errors.setdefault(field, message)


def check_event_date(errors, field, value, engagement_start, earliest=None, earliest_why=""):
    """An event date (a meeting, a status change, a completion...): never after today, never before
    the engagement's start (or `earliest`, named by `earliest_why`, where the policy allows earlier)."""
    if earliest is None:
        earliest, earliest_why = engagement_start, "the engagement's start"
    message = date_range_error(value, earliest, earliest_why, today(), "today")
    if message:
        errors.setdefault(field, message)


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


class Conflict(ValidationError):
    """A refusal because of the record's present state, not of what was sent (entering the stage the
    engagement is already in): the pages show it next to the field like any other; the API answers 409."""


class StaleEdit(ValidationError):
    """Raised by `Audited.save` when the row changed since the version the editor started from.

    `record`: the row as stored now; `by`: the name of who changed it last (None for the system or an
    unknown user) and `at` when (UTC, from the audit log); `changed`: the fields changed since the
    editor's version (the audit log's names: model fields, and `co_leads` / `supporting` for an
    engagement's ISPs); `theirs` and `yours`: {field: value} for each of those fields this save would
    have written differently (stored value, submitted value). Nothing was written."""

    def __init__(self, record, expected, by=None, at=None, changed=(), theirs=None, yours=None):
        self.record, self.expected = record, expected
        self.by, self.at, self.changed = by, at, list(changed)
        self.theirs, self.yours = dict(theirs or {}), dict(yours or {})
        super().__init__({"version": "This record was changed by someone else since it was opened."})

    def add(self, field, theirs, yours):
        """Add a value the row itself does not hold (an engagement's ISPs, whose audit entries record
        the whole lists): a conflict when it differs, else not a change worth naming."""
        if field not in self.changed:
            return
        if _jsonable(theirs) != _jsonable(yours):
            self.theirs[field], self.yours[field] = theirs, yours
        else:
            self.changed.remove(field)


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


# --- text limits --------------------------------------------------------------------------------
# Every text field has a length limit, checked once here (BaseModel.validate), so pages, the API and the
# CLI refuse the same text with the same message: a CharField's max_length, a TextField's the
# LimitedTextField's max_length (TEXT_MAX_LENGTH when a plain TextField). A CharField is one line:
# it may end up in a mail header (a subject made of a title, a recipient's name or email), where a line
# break would start a new header; every line break Python's str.splitlines knows is refused.

TEXT_MAX_LENGTH = 20000
LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
ONE_LINE_MESSAGE = "Keep this to one line (no line breaks)."


def length_message(limit):
    return f"At most {limit} characters."


class LimitedTextField(TextField):
    """A TextField (a TEXT column) with its own length limit: `max_length=None` only for text the app
    itself writes, never a person (the audit log's change records, a mail server's error)."""

    def __init__(self, *args, max_length=TEXT_MAX_LENGTH, **kwargs):
        self.max_length = max_length
        super().__init__(*args, **kwargs)


def text_limit(field):
    """The length limit of a text field (None: not a text field, or written by the app only)."""
    if isinstance(field, (CharField, LimitedTextField)):
        return field.max_length
    if isinstance(field, TextField):
        return TEXT_MAX_LENGTH
    return None


def text_problem(field, value, one_line=True):
    """The refusal of `value` for the text field `field` (too long; a line break in a one-line field), or
    None. `one_line=False`: a CharField kept verbatim (BaseModel.verbatim)."""
    if not isinstance(value, str):
        return None
    limit = text_limit(field)
    if limit is not None and len(value) > limit:
        return length_message(limit)
    if one_line and isinstance(field, CharField) and not LINE_BREAKS.isdisjoint(value):
        return ONE_LINE_MESSAGE
    return None


# --- base classes -----------------------------------------------------------------------------


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False

    # Fields that must be given (beyond what null=False enforces in the database), with messages.
    required = {}
    # CharFields kept as typed, line breaks included: a record of what someone sent (a failed sign-in's
    # email), which never reaches a mail header and must be recorded whatever it holds. Lengths still hold.
    verbatim = ()

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
            problem = text_problem(field, value, one_line=name not in self.verbatim)
            if problem:
                errors.setdefault(name, problem)
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
    """A model whose creates, updates and deletes are written to the audit log, with a version."""

    version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    # When the record last changed (UTC): set on create and by every save that changes something.
    updated_at = DateTimeField(null=True, default=utcnow)

    audit_exclude = ("password_hash", "session_token")
    audit_log = None  # the AuditEntry model, set by tracker/models/audit.py
    # Fields that are bookkeeping, never a user's change (left out of a StaleEdit's list).
    not_edited = ("version", "created_at", "updated_at", "deleted_at", "engagement")
    expected_version = None  # set on an instance by an edit that carried a version; cleared by save()
    _version_guard = None

    def audit_engagement_id(self):
        engagement_id = self.__data__.get("engagement")
        return engagement_id

    def _pk_expr(self):
        """The row's WHERE clause; during a versioned save also `AND version = <expected>`."""
        expr = super()._pk_expr()
        if self._version_guard is not None:
            expr &= type(self).version == self._version_guard
        return expr

    def save(self, *args, **kwargs):
        creating = self._pk is None or kwargs.get("force_insert")
        if creating:
            with database.atomic():
                result = super().save(*args, **kwargs)
                changes = {
                    name: _jsonable(value)
                    for name, value in self.__data__.items()
                    if name not in self.audit_exclude and name != "id" and value not in (None, "")
                }
                self.audit_log.record("create", self, changes)
            return result
        model = type(self)
        expected = self.expected_version
        dirty = [
            model._meta.fields[n]
            for n in self.dirty_fields_names()
            if n not in self.audit_exclude and n != "version" and n in model._meta.fields
        ]
        changes = {}
        with database.atomic():
            old = None
            if dirty or expected is not None:
                old = model.select(model.version, *dirty).where(model._meta.primary_key == self._pk).dicts().first()
            for field in dirty if old else ():
                before, after = old.get(field.name), self.__data__.get(field.name)
                if _jsonable(before) != _jsonable(after):
                    changes[field.name] = [_jsonable(before), _jsonable(after)]
            if old is not None and expected is not None and old["version"] != expected:
                raise self._stale(expected, dirty)
            if old is not None and (changes or expected is not None):
                before = old["version"] if expected is None else expected
                in_memory = self.__data__.get("version")
                # version + 1 in SQL: a save that carries no expected version never regresses the column
                self.__data__["version"] = model.version + 1
                if set(changes) - {"updated_at"}:
                    self.__data__["updated_at"] = utcnow()
                changes["version"] = [before, before + 1]
                self._version_guard = expected
                try:
                    result = super().save(*args, **kwargs)
                except Exception:
                    self.__data__["version"] = in_memory  # refused (invalid row): nothing changed
                    raise
                finally:
                    self._version_guard = None
                if expected is not None and not result:
                    self.__data__["version"] = in_memory
                    raise self._stale(expected, dirty)
                self.__data__["version"] = before + 1
                self.expected_version = None  # later saves in the same action are not the user's edit
            else:
                result = super().save(*args, **kwargs)
            if set(changes) - {"version"}:  # a save that changed nothing but the version is not logged
                self.audit_log.record("update", self, changes)
        return result

    def _stale(self, expected, dirty):
        """The StaleEdit for a save started from `expected`: who changed the row since, and how."""
        model = type(self)
        current = model.get_or_none(model._meta.primary_key == self._pk)
        log = self.audit_log
        entries = list(
            log.select()
            .where((log.entity == model.__name__) & (log.entity_id == self._pk))
            .order_by(log.id.desc())
            .limit(100)
        )
        changed, since = [], []
        for entry in entries:  # newest first, back to the first change made after `expected`
            version = entry.change_map.get("version")
            if isinstance(version, list) and len(version) == 2 and version[1] <= expected:
                break
            if not isinstance(version, list) and version is not None:  # the create entry
                break
            since.append(entry)
            changed += [f for f in entry.change_map if f not in self.not_edited and f not in changed]
            if isinstance(version, list) and len(version) == 2 and version[0] <= expected:
                break
        order = {name: i for i, name in enumerate(model._meta.sorted_field_names)}
        changed.sort(key=lambda f: (order.get(f, len(order)), f))  # the record's own fields first
        latest = since[0] if since else (entries[0] if entries else None)
        by = latest.user.name if latest is not None and latest.user_id and latest.user is not None else None
        theirs, yours = {}, {}
        for field in dirty:
            if field.name in changed and current is not None:
                stored, submitted = current.__data__.get(field.name), self.__data__.get(field.name)
                if _jsonable(stored) != _jsonable(submitted):
                    theirs[field.name], yours[field.name] = stored, submitted
        return StaleEdit(current, expected, by, latest.at if latest else None, changed, theirs, yours)

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
