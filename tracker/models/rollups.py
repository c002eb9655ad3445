"""Report rollups (issue 21): aggregates of the logged meetings, kept in step with the raw rows by database
triggers in the writing transaction (tracker/rollups.py), so a portfolio report reads a few thousand rollup
rows instead of every meeting.

- `Rollup`: one row per (dim, tag, item, month, kind, mode, stage, approved) with the sessions, minutes and
  (for competencies) the sessions counted through an exact crosswalk path. `dim` says what a row counts:
  "session" (tag 0; kind, mode and stage set), "strategy" (tag = strategy id), "cluster" (tag = cluster id;
  stage set), "competency" (tag = the competency counted, through the crosswalk), "domain" (tag = domain id),
  "isp_session" (tag = a user who took part: attended or logged), "isp_competency" (tag = that user, item =
  a competency the session recorded, as recorded). Keys a dim does not split by are '' (text) or 0 (ids);
  stage 0 = before the first stage.
- `RollupPart`: each meeting's own contribution to `Rollup` (the same keys, by meeting): what a trigger
  subtracts before it adds the meeting's new contribution. Written by triggers only, read by nobody else.
- `RollupCompetencyLink`: the competency crosswalk between frameworks as rows (recorded competency ->
  competency counted, its domain, exact or approximate), which the triggers join; every competency counts for
  itself by a row (a trigger adds it when a competency is created).
- `RollupFeedbackScore`: each released scale score of a response (one row per `feedback_released` row whose
  subject is a scale the response scores: reports/feedback.py `score_rows` is the rule), with its engagement
  and release day, so the feedback figures average a few rows per response instead of joining every answer.
"""

from peewee import CharField, DateField, DoubleField, Field, IntegerField

from .base import BaseModel

ROLLUP_KEY = ("dim", "tag", "item", "month", "kind", "mode", "stage", "approved")
ROLLUP_FIGURES = ("sessions", "minutes", "exact")


class Rollup(BaseModel):
    dim = CharField(max_length=20)
    tag = IntegerField(default=0)
    item = IntegerField(default=0)
    month = CharField(max_length=7)  # YYYY-MM
    kind = CharField(max_length=20, default="")
    mode = CharField(max_length=20, default="")
    stage = IntegerField(default=0)
    approved = IntegerField(default=0)
    sessions = IntegerField(default=0)
    minutes = DoubleField(default=0)
    exact = IntegerField(default=0)

    class Meta:
        indexes = ((ROLLUP_KEY, True),)


class RollupPart(BaseModel):
    meeting_id = IntegerField()
    engagement_id = IntegerField()
    dim = CharField(max_length=20)
    tag = IntegerField(default=0)
    item = IntegerField(default=0)
    month = CharField(max_length=7)
    kind = CharField(max_length=20, default="")
    mode = CharField(max_length=20, default="")
    stage = IntegerField(default=0)
    approved = IntegerField(default=0)
    sessions = IntegerField(default=0)
    minutes = DoubleField(default=0)
    exact = IntegerField(default=0)

    class Meta:
        indexes = ((("meeting_id", "dim"), False), (("engagement_id", "dim"), False))


class RollupCompetencyLink(BaseModel):
    source = IntegerField()  # the competency recorded
    target = IntegerField()  # the competency it counts for (the other framework's)
    domain_id = IntegerField()  # the target's domain
    exact = IntegerField()  # 1: an exact crosswalk link, 0: approximate

    class Meta:
        indexes = ((("source", "target"), True),)


class ExactNumberField(Field):
    """NUMERIC without a precision: on PostgreSQL the exact mean AVG(integer) gives, so that a mean of these means
    is the same whatever order the rows are read in (a double's sum is not); SQLite stores it as a REAL."""

    field_type = "NUMERIC"


class RollupFeedbackScore(BaseModel):
    released_id = IntegerField(primary_key=True)  # the feedback_released row: a response released on a scale
    engagement_id = IntegerField()
    released_on = DateField()
    scale = CharField(max_length=40)
    score = ExactNumberField()  # the mean of the response's answers on the scale

    class Meta:
        indexes = ((("engagement_id", "released_on"), False),)
