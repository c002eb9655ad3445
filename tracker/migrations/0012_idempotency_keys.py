"""The API's idempotency keys (`idempotency_key`): an `Idempotency-Key` sent with a POST, per token user,
with the hash of its request and the first answer, so a retry within 24 hours gets that answer again
and writes nothing (tracker/api/common.py).

The table is written down here as it is now (a migration never imports the live models' shape) and
created with create_tables(safe=True), so running it again leaves an existing table alone. It is
bookkeeping that no report reads: no data-version triggers (tracker/data_version.py `unwatched`).
"""

from peewee import CharField, DateTimeField, IntegerField, Model, TextField


class IdempotencyKey(Model):
    user_id = IntegerField()
    key = CharField(max_length=200)
    request_hash = CharField(max_length=64)
    status = IntegerField(null=True)
    response = TextField(default="")
    location = CharField(max_length=500, default="")
    created_at = DateTimeField()

    class Meta:
        table_name = "idempotency_key"
        legacy_table_names = False  # the index's name as the models' (idempotency_key_user_id_key)
        indexes = ((("user_id", "key"), True),)


def up(database):
    with database.bind_ctx([IdempotencyKey]):
        database.create_tables([IdempotencyKey], safe=True)
