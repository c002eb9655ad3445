"""Forms of the implementation plan (issue 19): one plan item, and agreeing to a version.

They parse types only; what an item may be (a strategy of the catalog, an ISP of the engagement or a
member of its team, dates, frequency) is PlanItem.validate()'s, shown next to the fields."""

from wtforms import HiddenField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from ..models import today
from . import BaseForm
from .fields import Minutes, PlainDateField
from .goals import NumberField


def _id_or_none(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PlanItemForm(BaseForm):
    """Add or change one plan item. `responsible` is one select over the engagement's ISPs ("user-<id>")
    and its current team members ("member-<id>"); the model says which of the two it is."""

    strategy = SelectField("Strategy or ISP activity", coerce=_id_or_none, validate_choice=False)
    goal = SelectField("Goal (optional)", coerce=_id_or_none, validate_choice=False)
    stage = SelectField("Stage (optional)", coerce=_id_or_none, validate_choice=False)
    sessions_per_month = NumberField(
        "Sessions a month", [InputRequired("Enter how many sessions a month (1 for monthly, 0.33 for quarterly).")]
    )
    minutes_per_session = Minutes("Minutes per session", [InputRequired("Enter the minutes planned per session.")])
    start_date = PlainDateField("Starts on", [InputRequired("Enter the date the item starts.")], default=today)
    end_date = PlainDateField("Ends on (optional)", [Optional()])
    responsible = SelectField("Responsible", validate_choice=False)

    def offer(self, strategy_groups, goals, stages, isps, members):
        """The choices: strategies grouped (ERIC clusters, then the ISP activities), the engagement's goals,
        the stages, and who may be responsible."""
        self.strategy.choices = [SelectChoice("", "Choose a strategy or activity…")] + [
            SelectChoice(s.id, s.name, optgroup=group) for group, items in strategy_groups for s in items
        ]
        self.goal.choices = [("", "No particular goal")] + [(g.id, g.title) for g in goals]
        self.stage.choices = [("", "Any stage")] + [(s.id, s.name) for s in stages]
        self.responsible.choices = (
            [SelectChoice("", "Choose who is responsible…")]
            + [SelectChoice(f"user-{u.id}", u.name, optgroup="ISPs") for u in isps]
            + [SelectChoice(f"member-{m.id}", m.name, optgroup="Implementation team") for m in members]
        )
        return self

    @classmethod
    def of_item(cls, item):
        """The form filled from an existing item."""
        who = f"user-{item.responsible_user_id}" if item.responsible_user_id else f"member-{item.responsible_member_id}"
        return cls(
            data={
                "strategy": item.strategy_id,
                "goal": item.goal_id,
                "stage": item.stage_id,
                "sessions_per_month": item.sessions_per_month,
                "minutes_per_session": item.minutes_per_session,
                "start_date": item.start_date,
                "end_date": item.end_date,
                "responsible": who,
            }
        )

    def values(self):
        """The item's fields for change_plan(): the select's "user-<id>" / "member-<id>" split in two."""
        kind, _, number = (self.responsible.data or "").partition("-")
        person = _id_or_none(number)
        return {
            "strategy": self.strategy.data,
            "goal": self.goal.data,
            "stage": self.stage.data,
            "sessions_per_month": self.sessions_per_month.data,
            "minutes_per_session": self.minutes_per_session.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "responsible_user": person if kind == "user" else None,
            "responsible_member": person if kind == "member" else None,
        }


class AgreeForm(BaseForm):
    """Agree to the version read: `party` co_lead (oneself) or team_lead (the team lead, or a co-lead
    recording the agreement the team lead gave in a meeting)."""

    version = IntegerField("Version", [InputRequired("Say which version you read.")])
    party = HiddenField("Party", [InputRequired("Say who agrees.")])
