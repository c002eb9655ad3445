"""Files attached to meetings and deliverables (issue 23).

- `attachment`: {engagement, meeting | deliverable, name, kind, size, storage_key (unique), sha256,
  uploaded_by, created_at, deleted_at}, versioned and soft-deleted like the other audited parts.

The table is written down here as it is now (a migration never imports the live models' shape) and
created with create_tables(safe=True) (idempotent); the engagement's reports read it, so install() gives
it its data-version triggers.
"""

from peewee import SQL, CharField, DateTimeField, ForeignKeyField, IntegerField, Model

from ..data_version import install


def _named(table):
    class Meta:
        table_name = table

    return type(f"_{table}", (Model,), {"Meta": Meta})


_Engagement, _Meeting, _Deliverable, _User = (_named(t) for t in ("engagement", "meeting", "deliverable", "user"))


class Attachment(Model):
    engagement = ForeignKeyField(_Engagement, backref="+", on_delete="CASCADE")
    meeting = ForeignKeyField(_Meeting, null=True, backref="+", on_delete="CASCADE")
    deliverable = ForeignKeyField(_Deliverable, null=True, backref="+", on_delete="CASCADE")
    name = CharField(max_length=200)
    kind = CharField(max_length=10)
    size = IntegerField()
    storage_key = CharField(max_length=64, unique=True)
    sha256 = CharField(max_length=64)
    uploaded_by = ForeignKeyField(_User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField()
    deleted_at = DateTimeField(null=True)
    version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    updated_at = DateTimeField(null=True)

    class Meta:
        table_name = "attachment"
        legacy_table_names = False


def up(database):
    with database.bind_ctx([_Engagement, _Meeting, _Deliverable, _User, Attachment]):
        database.create_tables([Attachment], safe=True)
    install(database)
