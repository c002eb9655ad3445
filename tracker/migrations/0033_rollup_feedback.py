"""Released feedback scores kept on write (issue 21): `rollup_feedback_score` holds each released scale score of a
response (tracker/models/rollups.py), which the feedback figures of the progress, pathway and portfolio reports
read instead of joining every answer. Its triggers and rows come from tracker/rollups.py (install and rebuild),
run by tracker/schema.py after the migrations.
"""

from peewee import CharField, DateField, Field, IntegerField, Model


class ExactNumberField(Field):
    field_type = "NUMERIC"


class RollupFeedbackScore(Model):
    released_id = IntegerField(primary_key=True)
    engagement_id = IntegerField()
    released_on = DateField()
    scale = CharField(max_length=40)
    score = ExactNumberField()

    class Meta:
        table_name = "rollup_feedback_score"
        legacy_table_names = False
        indexes = ((("engagement_id", "released_on"), False),)


def up(database):
    with database.bind_ctx([RollupFeedbackScore]):
        database.create_tables([RollupFeedbackScore], safe=True)
