"""The organization's settings (issue 23): choices an administrator makes for the whole tracker, kept in
the database (one row per setting that differs from its default) and listed once in `SETTINGS` with their
label, help, allowed values and default. `Setting.value_of(key)` is the one way code reads one.
"""

from dataclasses import dataclass

from peewee import CharField

from .base import Audited, ValidationError, keys

REVIEWERS = (("co_lead", "A co-lead who did not write the log"), ("leader", "A leader"))
# Which logs the reports count unless a reader chooses otherwise (the report filter `logs`).
LOG_CHOICES = (("all", "All logs"), ("approved", "Approved logs only"))


@dataclass(frozen=True)
class SettingDefinition:
    key: str
    label: str
    help: str
    default: object
    choices: tuple = None  # ((value, label), ...) for a choice; None for a whole number
    minimum: int = None
    maximum: int = None

    def parse(self, text):
        """(value, None) for an acceptable text, else (None, the message)."""
        text = (text or "").strip()
        if self.choices is not None:
            if text in keys(self.choices):
                return text, None
            return None, "Choose one of the options."
        if not (text.isascii() and text.isdigit()) or len(text) > 6:
            return None, "Enter a whole number."
        value = int(text)
        if not self.minimum <= value <= self.maximum:
            return None, f"Enter a number from {self.minimum} to {self.maximum}."
        return value, None


SETTINGS = (
    SettingDefinition(
        "review_by",
        "Who reviews meeting logs and activities",
        "A submitted log is returned or approved by this reviewer. With a co-lead chosen, an engagement with "
        "no other co-lead than the author has its logs reviewed by a leader.",
        "co_lead",
        choices=REVIEWERS,
    ),
    SettingDefinition(
        "report_logs",
        "Logs the reports count by default",
        "Readers can still choose the other in each report's filters.",
        "all",
        choices=LOG_CHOICES,
    ),
    SettingDefinition(
        "on_time_days",
        "Working days to log a meeting on time",
        "A meeting is logged on time when it is submitted within this many working days (Monday to Friday) "
        "after its date.",
        5,
        minimum=1,
        maximum=30,
    ),
    SettingDefinition(
        "coverage_days",
        "Days without support before a unit is listed as uncovered",
        "The portfolio's coverage lists the units with no meeting or activity for this many days.",
        90,
        minimum=7,
        maximum=730,
    ),
)
DEFINITIONS = {d.key: d for d in SETTINGS}


class Setting(Audited):
    key = CharField(max_length=60, unique=True)
    value = CharField(max_length=200)

    @classmethod
    def stored(cls, key):
        """The value an administrator chose for `key` (typed), or None when it was never set."""
        definition = DEFINITIONS[key]
        row = cls.select(cls.value).where(cls.key == key).first()
        if row is None:
            return None
        value, problem = definition.parse(row.value)
        return None if problem else value

    @classmethod
    def value_of(cls, key):
        """The setting's value: the one chosen, else its default."""
        value = cls.stored(key)
        return DEFINITIONS[key].default if value is None else value

    @classmethod
    def choose_all(cls, texts):
        """Store every setting of {key: text} (the settings page): all or none, and only those whose value
        changes (an unchanged default stays unset). ValidationError with every refused value's message, keyed
        by its setting; returns {key: value} of those changed."""
        chosen, problems = {}, {}
        for key, text in texts.items():
            value, problem = DEFINITIONS[key].parse(text)
            if problem:
                problems[key] = problem
            chosen[key] = value
        if problems:
            raise ValidationError(problems)
        return {key: cls.choose(key, texts[key]) for key, value in chosen.items() if value != cls.value_of(key)}

    @classmethod
    def choose(cls, key, text):
        """Store a setting from the text typed or chosen (audited); ValidationError keyed by the setting."""
        value, problem = DEFINITIONS[key].parse(text)
        if problem:
            raise ValidationError({key: problem})
        row = cls.select().where(cls.key == key).first() or cls(key=key)
        if row.value != str(value):
            row.value = str(value)
            row.save()
        return value
