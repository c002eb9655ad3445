"""Recipient feedback: invitations (a link with a token), responses and their answers."""

import json

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import Audited, BaseModel, LimitedTextField, utcnow
from .catalog import FeedbackInstrument, FeedbackItem
from .engagements import Engagement, TeamMember
from .meetings import Meeting
from .people import User

FEEDBACK_KINDS = (("pulse", "Pulse"), ("survey", "Full survey"))


class FeedbackInvitation(BaseModel):
    engagement = ForeignKeyField(Engagement, backref="feedback_invitations", on_delete="CASCADE")
    meeting = ForeignKeyField(Meeting, null=True, on_delete="SET NULL")
    instrument = ForeignKeyField(FeedbackInstrument, on_delete="RESTRICT")
    kind = CharField(max_length=10, choices=FEEDBACK_KINDS)
    email = CharField(max_length=254, default="", index=True)
    team_member = ForeignKeyField(TeamMember, null=True, on_delete="SET NULL")  # who was invited, if on the team
    sent_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    token_hash = CharField(max_length=128, unique=True)
    item_keys = TextField(default="")  # the items asked (a pulse asks a few), comma-separated
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)  # the day it was answered (midnight: coarse, so it cannot be matched)


class FeedbackResponse(Audited):
    engagement = ForeignKeyField(Engagement, backref="feedback_responses", on_delete="CASCADE")
    instrument = ForeignKeyField(FeedbackInstrument, on_delete="RESTRICT")
    kind = CharField(max_length=10, choices=FEEDBACK_KINDS)
    meeting = ForeignKeyField(Meeting, null=True, on_delete="SET NULL")
    respondent = ForeignKeyField(User, null=True, on_delete="SET NULL")  # None when anonymous
    respondent_email = CharField(max_length=254, default="")  # named answer without an account; "" when anonymous
    anonymous = BooleanField(default=True)
    submitted_on = DateField(index=True)
    comments = LimitedTextField(default="{}", max_length=None)  # JSON {item_key: text}: each one bounded by the service
    created_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)

    @property
    def comment_map(self):
        return json.loads(self.comments or "{}")


class FeedbackAnswer(BaseModel):
    response = ForeignKeyField(FeedbackResponse, backref="answers", on_delete="CASCADE")
    item = ForeignKeyField(FeedbackItem, on_delete="RESTRICT")
    value = IntegerField()

    class Meta:
        indexes = ((("response", "item"), True),)

    def validate(self):
        errors = super().validate()
        if not isinstance(self.value, int) or not 1 <= self.value <= 5:
            errors["value"] = "Answers are on the 1-5 agreement scale."
        return errors
