"""Power balance (issue 19): who set each session's agenda and who took its decisions.

- `meeting.agenda_set_by` (VARCHAR(20), nullable): "isp", "recipient" or "joint"; NULL for the meetings
  logged before the question was asked (not recorded: they count in no power-balance share).
- `meeting_decision`: one row per decision taken in a meeting (its text, and who decided: "isp",
  "recipient" or "joint").

The column is `ALTER TABLE ... ADD COLUMN` through playhouse.migrate (no table rebuild, so the meeting
table's data-version triggers stay), guarded against an existing column (idempotent). The table is
written down here as it is now (a migration never imports the live models' shape) and created with
create_tables(safe=True); reports read it, so its data-version triggers come from the idempotent
install() of tracker/data_version.py (as in 0006, 0010 and 0016).
"""

from peewee import CharField, ForeignKeyField, Model
from playhouse.migrate import SchemaMigrator, migrate

from ..data_version import install


class _Meeting(Model):
    """The `meeting` table as the foreign key names it."""

    class Meta:
        table_name = "meeting"


class MeetingDecision(Model):
    meeting = ForeignKeyField(_Meeting, backref="decisions", on_delete="CASCADE")
    text = CharField(max_length=500)
    decided_by = CharField(max_length=20)

    class Meta:
        table_name = "meeting_decision"
        legacy_table_names = False


def up(database):
    if "agenda_set_by" not in {column.name for column in database.get_columns("meeting")}:
        migrate(
            SchemaMigrator.from_database(database).add_column(
                "meeting", "agenda_set_by", CharField(max_length=20, null=True)
            )
        )
    with database.bind_ctx([_Meeting, MeetingDecision]):
        database.create_tables([MeetingDecision], safe=True)
    install(database)
