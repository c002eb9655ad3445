"""The ids a portfolio workbook gave its records (issue 20): `external_ref` {sheet, external_id, record_id},
unique by (sheet, external_id) and by (sheet, record_id). Written down here as it is now and created with
create_tables(safe=True) (idempotent). No report reads it: no data-version trigger.
"""

from peewee import CharField, IntegerField, Model


class ExternalRef(Model):
    sheet = CharField(max_length=40)
    external_id = CharField(max_length=100)
    record_id = IntegerField()

    class Meta:
        table_name = "external_ref"
        legacy_table_names = False
        indexes = ((("sheet", "external_id"), True), (("sheet", "record_id"), True))


def up(database):
    with database.bind_ctx([ExternalRef]):
        database.create_tables([ExternalRef], safe=True)
