"""Scope made explicit (issue 16): `user.reads_all_organizations` and `support_request.intermediary_id`.

- `user.reads_all_organizations` (BOOLEAN NOT NULL DEFAULT FALSE): an administrator's choice on the user
  form that a leader reads every organization. Until now a leader saved with "No organization" read
  everything silently. Backfill: every existing leader with no organization gets TRUE, so nothing
  changes for them on upgrade; from now on an empty organization reads nothing beyond the leader's own,
  and an administrator who wants a leader to read everything says so.
- `support_request.intermediary_id` (nullable, a foreign key to `organization`, indexed): the one
  intermediary organization a request is addressed to; only that intermediary's people (ISPs, leaders)
  see it. Backfill: an accepted request gets its engagement's intermediary where it has one; every
  other request the only (or else the first, by id) intermediary organization; an install with no
  intermediary keeps NULL (its requests are then seen by ISPs with no organization and administrators).

Both are `ALTER TABLE ... ADD COLUMN` through playhouse.migrate (no table rebuild), each guarded
against an existing column (idempotent); the backfills only fill what is still empty.
"""

from peewee import SQL, BooleanField, ForeignKeyField, Model
from playhouse.migrate import SchemaMigrator, migrate


class _Organization(Model):
    """The `organization` table as the foreign key names it (this migration writes down what it adds)."""

    class Meta:
        table_name = "organization"


def _columns(database, table):
    return {column.name for column in database.get_columns(table)}


def up(database):
    migrator = SchemaMigrator.from_database(database)
    operations = []
    if "reads_all_organizations" not in _columns(database, "user"):
        field = BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")])
        operations.append(migrator.add_column("user", "reads_all_organizations", field, allow_not_null=True))
        operations.append(
            migrator.sql(
                'UPDATE "user" SET "reads_all_organizations" = TRUE '
                'WHERE "role" = \'leader\' AND "organization_id" IS NULL'
            )
        )
    if "intermediary_id" not in _columns(database, "support_request"):
        field = ForeignKeyField(_Organization, null=True, on_delete="RESTRICT", field=_Organization.id)
        operations.append(migrator.add_column("support_request", "intermediary_id", field))
    if operations:
        migrate(*operations)
    database.execute_sql(
        'UPDATE "support_request" SET "intermediary_id" = ('
        'SELECT MIN("engagement"."intermediary_id") FROM "engagement" '
        'WHERE "engagement"."request_id" = "support_request"."id") '
        'WHERE "intermediary_id" IS NULL'
    )
    database.execute_sql(
        'UPDATE "support_request" SET "intermediary_id" = ('
        'SELECT MIN("id") FROM "organization" WHERE "kind" = \'intermediary\') '
        'WHERE "intermediary_id" IS NULL'
    )
