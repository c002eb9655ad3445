"""The work between meetings (issue 22): what ISPs do for an engagement outside its sessions, as the
reference setting describes it ("conducted outreach, collected data, provided implementation coaching,
and developed tools and resources ... weekly or biweekly").

- `Activity`: one entry {engagement, date, kind (ACTIVITY_KINDS), minutes, notes (one line), logged_by},
  soft-deleted like the other parts of an engagement.
- `ActivityISP`: the ISPs who did it; the activity's minutes count in full for each of them (workload).
- `ActivityStrategy`, `ActivityCompetency`: optional tags from the catalogs, with the name when logged.

Counting (one definition each):
- Dose reports count activities as their own series, "between meetings", beside the meetings and never
  inside meeting counts (tracker/reports/strategies.py, competencies.py: `include_activities`).
- Workload (tracker/reports/workload.py): an ISP's minutes in a month = the minutes of the live meetings
  they took part in (attended or logged, each meeting once per ISP) + the minutes of the live
  activities that list them.
"""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField

from .base import BaseModel, label, utcnow
from .catalog import Competency, Strategy
from .engagements import Engagement, check_part_event_date
from .people import User
from .review import Reviewed

ACTIVITY_KINDS = (
    ("outreach", "Outreach"),
    ("data_collection", "Data collection"),
    ("coaching_preparation", "Coaching preparation"),
    ("tool_development", "Tool and resource development"),
    ("other", "Other"),
)
MAX_ACTIVITY_MINUTES = 16 * 60  # more than a working day in one entry is a typing error: log each day
MAX_ACTIVITIES_AT_ONCE = 20  # rows the quick-entry form and one API call accept


class Activity(Reviewed):
    engagement = ForeignKeyField(Engagement, backref="activities", on_delete="CASCADE")
    date = DateField(index=True)
    kind = CharField(max_length=30, choices=ACTIVITY_KINDS)
    minutes = IntegerField()
    notes = CharField(max_length=500, default="")
    logged_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)

    required = {
        "engagement": "An activity belongs to an engagement.",
        "date": "Enter the date of the work.",
        "kind": "Choose what kind of work it was.",
    }

    class Meta:
        indexes = ((("engagement", "date"), False),)

    def validate(self):
        errors = super().validate()
        minutes = self.minutes
        if minutes is None or isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            errors.setdefault("minutes", "Enter how many minutes the work took (more than 0).")
        elif minutes > MAX_ACTIVITY_MINUTES:
            errors.setdefault(
                "minutes",
                f"More than {MAX_ACTIVITY_MINUTES // 60} hours in one entry is not plausible; log each day separately.",
            )
        check_part_event_date(self, errors, "date")
        return errors

    @property
    def kind_label(self):
        return label(ACTIVITY_KINDS, self.kind)


class ActivityISP(BaseModel):
    activity = ForeignKeyField(Activity, backref="isp_links", on_delete="CASCADE")
    user = ForeignKeyField(User, on_delete="RESTRICT")

    class Meta:
        indexes = ((("activity", "user"), True),)


class ActivityStrategy(BaseModel):
    activity = ForeignKeyField(Activity, backref="strategy_links", on_delete="CASCADE")
    strategy = ForeignKeyField(Strategy, on_delete="RESTRICT")
    label = CharField(max_length=200)  # the name when logged

    class Meta:
        indexes = ((("activity", "strategy"), True),)


class ActivityCompetency(BaseModel):
    activity = ForeignKeyField(Activity, backref="competency_links", on_delete="CASCADE")
    competency = ForeignKeyField(Competency, on_delete="RESTRICT")
    label = CharField(max_length=200)

    class Meta:
        indexes = ((("activity", "competency"), True), (("competency", "activity"), False))
