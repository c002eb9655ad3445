"""The API's field types and base schemas (marshmallow): one definition per resource, from which the
request is validated, the answer serialized and the OpenAPI document written (apispec, openapi.py).

marshmallow (rather than hand-written checks) because it does all three from one class: `load` refuses
what the schema does not allow with a message per field, `dump` writes the answer, and apispec's
marshmallow plugin turns the same class into a JSON Schema with types, enums, formats and limits.

The constraints here are the model's where the model has them (a text field's length and whether it is
one line come from the peewee column), so the document tells a client exactly what the server refuses;
what a schema cannot say (a date after the engagement's start, an ISP who is not an ISP) the model's
rules refuse with a 400 naming the field, as on the pages.
"""

import datetime as dt
import sys

import marshmallow as ma
from marshmallow import fields, validate
from peewee import CharField

from .. import MAX_ID
from ..models import keys
from ..models.base import EMAIL_MESSAGE, LINE_BREAKS, ONE_LINE_MESSAGE, text_limit
from ..reports.filters import parse_id
from .common import MAX_PER_PAGE, ApiError

REQUIRED = "This field is required."
_BREAKS = "".join(sorted(LINE_BREAKS))


def _escaped(chars):
    """Characters as a regex class body that reads the same in Python and ECMA-262 (JSON Schema)."""
    return "".join(f"\\u{ord(c):04x}" for c in chars)


# Patterns in a form both Python's `re` (marshmallow, anchored by match) and JSON Schema (unanchored
# search, ECMA-262) read alike: the whole value is described from ^ to $.
NOT_BLANK = "^[\\s\\S]*\\S[\\s\\S]*$"
ONE_LINE = f"^[^\\u0000{_escaped(_BREAKS)}]*$"
ONE_LINE_NOT_BLANK = f"^[^\\u0000{_escaped(_BREAKS)}]*[^\\s\\u0000][^\\u0000{_escaped(_BREAKS)}]*$"
NO_NUL = "^[^\\u0000]*$"
NO_NUL_NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


def model_message(column):
    """The model's own message for a missing value of `column` (its `required`, or what a submission must
    say: SupportRequest.submission_required), or None."""
    model, name = getattr(column, "model", None), getattr(column, "name", None)
    for rules in (getattr(model, "required", {}), getattr(model, "submission_required", {})):
        if name in rules:
            return rules[name]
    return None


def needed(column):
    """Field options of a value the model requires: required in the document, refused when missing or null
    with the model's message (as on the pages), e.g. `unit_id = Id(**needed(Engagement.unit))`."""
    message = model_message(column) or REQUIRED
    return {"required": True, "error_messages": {"required": message, "null": message}}


class Text(fields.String):
    """Text, stripped of surrounding space. Its length limit and whether it must be one line come from
    the model column it is stored in (`column`); `required=True` also refuses a blank value, with the
    message `blank` (where the pages show the model's own message for it, e.g. "Enter the person's name.")."""

    def __init__(self, column=None, *, required=False, one_line=None, max_length=None, blank=REQUIRED, **kwargs):
        if required and blank == REQUIRED:
            blank = model_message(column) or REQUIRED
        limit = max_length if max_length is not None else (text_limit(column) if column is not None else None)
        if one_line is None:
            one_line = isinstance(column, CharField)
        validators = list(kwargs.pop("validate", None) or [])
        if limit:
            validators.append(validate.Length(max=limit, error=f"At most {limit} characters."))
        if one_line:
            pattern = ONE_LINE_NOT_BLANK if required else ONE_LINE
            message = blank if required else ONE_LINE_MESSAGE
        else:
            pattern = NO_NUL_NOT_BLANK if required else NO_NUL
            message = blank if required else "Must not contain NUL characters."
        validators.append(_Pattern(pattern, one_line=one_line, required=required, error=message))
        if required:
            kwargs["error_messages"] = {"required": blank, "null": blank, **kwargs.get("error_messages", {})}
        super().__init__(required=required, validate=validators, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class _Pattern(validate.Regexp):
    """A Regexp whose refusal names the actual problem (blank, a line break, NUL). The value is checked
    after stripping, so the pattern (written for the unstripped JSON value) is applied to what is stored."""

    def __init__(self, pattern, *, one_line, required, error):
        super().__init__(pattern, error=error)
        self.one_line, self.needed = one_line, required

    def __call__(self, value):
        if "\x00" in value:
            raise ma.ValidationError("Must not contain NUL characters.")
        if self.one_line and not LINE_BREAKS.isdisjoint(value):
            raise ma.ValidationError(ONE_LINE_MESSAGE)
        if self.needed and not value.strip():
            raise ma.ValidationError(self.error)
        return value


# The one email rule (models.base.email_problem) as a pattern Python and JSON Schema read alike:
# something@domain.tld, no white space (Python's str.isspace), no NUL, none of , ; < >.
_NOT_IN_EMAIL = "".join(f"\\u{ord(c):04x}" for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()) + "\\u0000,;<>"
EMAIL_PATTERN = f"^[^@{_NOT_IN_EMAIL}]+@[^@{_NOT_IN_EMAIL}]+\\.[^@.{_NOT_IN_EMAIL}]+$"


def _one_line(value):
    if not LINE_BREAKS.isdisjoint(value):
        raise ma.ValidationError(ONE_LINE_MESSAGE)


class Email(fields.String):
    """An email address by the models' one rule (stripped; at most 254 characters). Not required: blank
    is allowed where the model allows no address (a team member's)."""

    def __init__(self, *, required=False, column=None, **kwargs):
        pattern = EMAIL_PATTERN if required else f"^$|{EMAIL_PATTERN}"
        if required:
            kwargs.update(needed(column) if column is not None else {"required": True})
        validators = [
            _one_line,  # first, as the model checks it first: one message per rule on every path
            validate.Length(max=254, error="At most 254 characters."),
            validate.Regexp(pattern, error=EMAIL_MESSAGE),
        ]
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class _OneOfOrBlank(validate.OneOf):
    """OneOf, except that a blank value goes on to the model, whose rule names what is missing ("Choose
    the model of support."): one message for a blank choice on every path. The document lists the keys."""

    def __call__(self, value):
        return value if value == "" else super().__call__(value)


class Choice(fields.String):
    """One key of a model's choices, e.g. Choice(SUPPORT_MODELS)."""

    def __init__(self, choices, **kwargs):
        allowed = keys(choices)
        super().__init__(validate=_OneOfOrBlank(allowed, error="Choose one of: " + ", ".join(allowed) + "."), **kwargs)


class Integer(fields.Integer):
    """An integer as JSON Schema's `integer`: never a bool or a string; a number with no fraction (2.0,
    which JSON Schema counts as the integer 2) is taken as that integer."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super()._validated(value)


class Id(Integer):
    """A record id: an integer from 1 to MAX_ID (never a bool, a float with a fraction or a string)."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(1, MAX_ID, error="Out of range."), **kwargs)


def Ids(**kwargs):  # noqa: N802  (a field factory, read as a type)
    """A list of record ids (at most 100)."""
    return fields.List(Id(), validate=validate.Length(max=100, error="At most 100 ids."), **kwargs)


# The sane range of every date the models keep (models.base EARLIEST_DATE..LATEST_DATE, 1990 to 2100), as
# the document states it. The model refuses a date outside it, with its message; rules relative to other
# dates (not before the engagement's start, not after today) are the model's alone.
DATE_PATTERN = "^(199[0-9]|20[0-9][0-9]|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


class Date(fields.Date):
    """A calendar date as YYYY-MM-DD (nothing else: no week dates, no times), documented with the sane
    range of the models' dates."""

    default_error_messages = {"invalid": "Must be a date as YYYY-MM-DD.", "format": "Must be a date as YYYY-MM-DD."}

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"pattern": DATE_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) != 10:
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Timestamp(fields.DateTime):
    """A moment in UTC with its offset, e.g. 2026-11-30T09:15:00+00:00 (stored naive, in UTC)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("dump_only", True)
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="seconds")


class QueryInteger(fields.Integer):
    """An integer in a query string: ASCII digits only (no sign, space or fraction), as the document's
    `integer` reads."""

    default_error_messages = {"invalid": "Must be an integer."}

    def _deserialize(self, value, attr, data, **kwargs):
        found = parse_id(value, maximum=None) if isinstance(value, str) else None
        if found is None:
            raise self.make_error("invalid")
        return found


class Body(ma.Schema):
    """A request body: fields the schema does not name are refused (400 naming them), not ignored."""

    class Meta:
        unknown = ma.RAISE


class Query(ma.Schema):
    """Query parameters: ones the operation does not name are left alone (links and caches add some)."""

    class Meta:
        unknown = ma.EXCLUDE


class Answer(ma.Schema):
    """An answer (response body). Its fields are all present in every answer: mark them required so
    the document says so (generated clients then type them as not optional)."""

    class Meta:
        unknown = ma.EXCLUDE  # the document does not forbid more properties: adding one breaks no client


class Paging(Query):
    """?page and ?per_page of every list (and of a report's one growing list): a page past the end is
    empty, not the last one."""

    page = QueryInteger(load_default=1, validate=validate.Range(1, MAX_ID, error=f"Between 1 and {MAX_ID}."))
    per_page = QueryInteger(
        load_default=25, validate=validate.Range(1, MAX_PER_PAGE, error=f"Between 1 and {MAX_PER_PAGE}.")
    )


def flatten(messages, prefix=""):
    """marshmallow's error messages as the API's `fields`: {name: one message}; an error inside a list of
    objects is named `<list>-<index>-<field>` (as the pages' form rows are)."""
    out = {}
    if isinstance(messages, list):
        return {prefix or "__all__": _message(messages[0]) if messages else "Not valid."}
    for key, value in messages.items():
        name = "__all__" if key == "_schema" else str(key)
        name = f"{prefix}-{name}" if prefix else name
        if isinstance(value, dict) and value and all(_item_error(k, v) for k, v in value.items()):
            out[name] = _message(next(iter(value.values()))[0])  # an item of a list of ids or keys: the list's
        elif isinstance(value, dict):
            out.update(flatten(value, name))
        elif isinstance(value, list) and value and isinstance(value[0], str):
            out[name] = _message(value[0])
        elif isinstance(value, list) and value:
            out.update(flatten({i: v for i, v in enumerate(value)}, name))
        else:
            out[name] = _message(str(value))
    return out


def _item_error(key, value):
    """An error of one item of a list of scalars (an id, a key): {0: ["Out of range."]}."""
    return isinstance(key, int) and isinstance(value, list) and bool(value) and isinstance(value[0], str)


def _message(text):
    return REQUIRED if text == "Missing data for required field." else text


def load(schema, data, **kwargs):
    """`data` through `schema` (a class or an instance): the loaded dict, or a 400 naming each field
    (unknown fields among them, listed in the message too)."""
    schema = schema() if isinstance(schema, type) else schema
    try:
        return schema.load(data, **kwargs)
    except ma.ValidationError as exc:
        errors = flatten(exc.messages)
        unknown = [name for name, message in errors.items() if message == "Unknown field."]
        message = "Some fields are not valid."
        if unknown:
            message += " Unknown fields: " + ", ".join(name[:100] for name in unknown[:10])[:300] + "."
        trimmed = dict(list(errors.items())[:50])  # named, not echoed without bound
        fields_ = {name[:100]: text for name, text in trimmed.items()}
        raise ApiError(400, message, fields_, code="validation_error") from None


class StrictBoolean(fields.Boolean):
    """true or false, nothing else (marshmallow's Boolean also takes "yes", 1, "on")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value
