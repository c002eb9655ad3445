"""Drafts of the meeting form and who has a meeting open for editing (issue 23).

- `form_draft`: {user, engagement, meeting (null: a new meeting), data (JSON text), saved_at}, unique per
  (user, engagement, meeting).
- `editing_presence`: {user, meeting, since, seen_at}, unique per (user, meeting).

The tables are written down here as they are now (a migration never imports the live models' shape) and
created with create_tables(safe=True) (idempotent). They are bookkeeping no report reads: no data-version
triggers (tracker/data_version.py `unwatched`).
"""

from peewee import DateTimeField, ForeignKeyField, Model, TextField


def _named(table):
    class Meta:
        table_name = table

    return type(f"_{table}", (Model,), {"Meta": Meta})


_Engagement, _Meeting, _User = (_named(t) for t in ("engagement", "meeting", "user"))


class FormDraft(Model):
    user = ForeignKeyField(_User, backref="+", on_delete="CASCADE")
    engagement = ForeignKeyField(_Engagement, backref="+", on_delete="CASCADE")
    meeting = ForeignKeyField(_Meeting, null=True, backref="+", on_delete="CASCADE")
    data = TextField(default="[]")
    saved_at = DateTimeField()

    class Meta:
        table_name = "form_draft"
        legacy_table_names = False
        indexes = ((("user", "engagement", "meeting"), True),)


class EditingPresence(Model):
    user = ForeignKeyField(_User, backref="+", on_delete="CASCADE")
    meeting = ForeignKeyField(_Meeting, backref="+", on_delete="CASCADE")
    since = DateTimeField()
    seen_at = DateTimeField()

    class Meta:
        table_name = "editing_presence"
        legacy_table_names = False
        indexes = ((("user", "meeting"), True),)


def up(database):
    with database.bind_ctx([_Engagement, _Meeting, _User, FormDraft, EditingPresence]):
        database.create_tables([FormDraft, EditingPresence], safe=True)
