"""The audit log (`AuditEntry`) and who is acting.

The actor is set by the caller, never looked up here (this package imports no web framework):
`acting_as(user)` for a block of code (tests, commands), or a provider function that the web layer
registers with `set_actor_provider` (tracker/auth.py: the signed-in user of the request).
tracker/audit.py describes entries in words.
"""

import contextlib
import contextvars
import json

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from .base import Audited, BaseModel, LimitedTextField, utcnow
from .people import User

_UNSET = object()
_actor = contextvars.ContextVar("audit_actor", default=_UNSET)
_provider = None


def set_actor_provider(provider):
    """Register `provider()` -> a user id or None, asked when no `acting_as` block is open."""
    global _provider
    _provider = provider


@contextlib.contextmanager
def acting_as(user):
    """Record the changes made inside the block as made by `user` (a User, a user id, or None for
    the system), whatever the provider would say."""
    token = _actor.set(user)
    try:
        yield user
    finally:
        _actor.reset(token)


def actor_id():
    """The id of the user the current changes are recorded for, or None (the system)."""
    actor = _actor.get()
    if actor is _UNSET:
        return _provider() if _provider is not None else None
    return getattr(actor, "id", actor)


class AuditEntry(BaseModel):
    at = DateTimeField(default=utcnow, index=True)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="audit_entries")
    action = CharField(max_length=10)  # create / update / delete / restore
    entity = CharField(max_length=60)
    entity_id = IntegerField(null=True)
    engagement_id = IntegerField(null=True, index=True)
    changes = LimitedTextField(default="{}", max_length=None)  # written by the app: each value bounded by its field

    @classmethod
    def record(cls, action, instance, changes):
        if action == "update" and sorted(changes) in (["deleted_at"], ["deleted_at", "version"]):
            action = "delete" if changes["deleted_at"][1] else "restore"
        return cls.insert(
            at=utcnow(),
            user=actor_id(),
            action=action,
            entity=type(instance).__name__,
            entity_id=instance._pk,
            engagement_id=instance.audit_engagement_id(),
            changes=json.dumps(changes, default=str, sort_keys=True),
        ).execute()

    @property
    def change_map(self):
        return json.loads(self.changes or "{}")


Audited.audit_log = AuditEntry
