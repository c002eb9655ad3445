"""The FRAME-IS modification form (issue 19): one fieldset per module, fields named as the Modification's.
It parses types only; what a modification may be (required modules, dates, its plan item) is the model's."""

from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from ..models import (
    DECISION_PARTIES,
    FIDELITY,
    MODIFICATION_GOALS,
    MODIFICATION_NATURES,
    MODIFICATION_PLANNING,
    MODIFICATION_REACH,
    MODIFICATION_TIMING,
    MODIFIED_ASPECTS,
    PLAN_EFFECTS,
    REASON_LEVELS,
    Modification,
    today,
)
from . import VersionedForm
from .context_notes import Radio
from .fields import MultiCheckboxField, PlainDateField, as_text

REQUIRED = Modification.required  # the model's messages, so the page and the API say the same


def _id_or_none(value):
    """A strategy id from the form ("12"), or from the record the form edits (its Strategy)."""
    value = getattr(value, "id", value)
    return int(value) if value not in ("", None) else None


class PartyChecks(MultiCheckboxField):
    """Checkboxes over DECISION_PARTIES; from the record, the comma-separated keys the model keeps."""

    def process_data(self, value):
        self.data = [key for key in value.split(",") if key] if isinstance(value, str) else list(value or [])


def _none_if_blank(value):
    return value or None


def _radio(label, choices, message=None, **kwargs):
    """A radio group over the model's (key, label) choices: required with the model's message, or optional."""
    if message:
        return Radio(label, [DataRequired(message)], choices=choices, invalid_choice_message=message, **kwargs)
    return Radio(label, [Optional()], choices=choices, filters=[_none_if_blank], **kwargs)


class ModificationForm(VersionedForm):
    """What changed in a planned strategy, as FRAME-IS (Miller et al. 2021) codes it."""

    strategy = SelectField("Strategy modified", [DataRequired(REQUIRED["strategy"])], coerce=_id_or_none)
    decided_on = PlainDateField("Date of the change", [InputRequired(REQUIRED["decided_on"])], default=today)
    # module 1
    description = TextAreaField(
        "Describe the change",
        [DataRequired(REQUIRED["description"])],
        filters=[as_text],
        render_kw={"rows": 4, "maxlength": 5000},
    )
    # module 2
    modified = _radio("What is modified", MODIFIED_ASPECTS, REQUIRED["modified"])
    # module 3
    nature = _radio("Nature of the change", MODIFICATION_NATURES, REQUIRED["nature"])
    fidelity = _radio(
        "Consistent with the strategy's core elements?",
        FIDELITY,
        "Choose whether it keeps fidelity.",
        default="unknown",
    )
    # module 4
    goal = _radio("Goal of the change", MODIFICATION_GOALS, REQUIRED["goal"])
    reason_level = _radio("Level of the reason", REASON_LEVELS, REQUIRED["reason_level"])
    # module 5 (optional)
    timing = _radio("When it began", MODIFICATION_TIMING)
    planning = _radio("Planned or not", MODIFICATION_PLANNING)
    # module 6 (optional)
    participants = PartyChecks("Who took part in the decision", coerce=str, choices=DECISION_PARTIES)
    decided_by = _radio("Who decided", DECISION_PARTIES)
    # module 7 (optional)
    reach = _radio("How widespread", MODIFICATION_REACH)
    # what it does to its plan item (offered only with a plan item)
    plan_effect = _radio("The plan item", PLAN_EFFECTS, "Choose what happens to the plan item.", default="none")
    prompted = HiddenField()

    not_populated = ("participants", "prompted", "plan_effect", "strategy")
    error_fields = {"plan_item": "strategy"}

    def set_strategies(self, strategies):
        self.strategy.choices = [("", "Choose a strategy…")] + [(s.id, s.name) for s in strategies]

    def fix_to(self, item):
        """With a plan item: its strategy, fixed (not chosen), and what the modification does to the item
        offered. Without one there is no item to close or change: the question is left out."""
        if item is not None:
            self.strategy.data = item.strategy_id
            self.strategy.validators, self.strategy.validate_choice = [], False
        else:
            del self.plan_effect

    def values(self):
        """The modification's values as the model takes them (participants as the model keeps them)."""
        data = {name: self[name].data for name in self._fields if name not in ("csrf_token", "version", "prompted")}
        data["participants"] = ",".join(self.participants.data or [])
        return data
