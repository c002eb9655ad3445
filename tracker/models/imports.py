"""The ids a portfolio workbook gave its records (issue 20, tracker/portfolio/).

A workbook's rows name each other by an `external_id` the user chose (or, in an export, the tracker's own
id). Importing a row records which record it became (`ExternalRef`: sheet, external_id -> record id), so
importing the same workbook again finds each row's record instead of creating a second one, and an export
writes the ids the rows came with.
"""

from peewee import CharField, IntegerField

from .base import BaseModel

MAX_EXTERNAL_ID = 100


class ExternalRef(BaseModel):
    sheet = CharField(max_length=40)
    external_id = CharField(max_length=MAX_EXTERNAL_ID)
    record_id = IntegerField()

    class Meta:
        indexes = ((("sheet", "external_id"), True), (("sheet", "record_id"), True))
