"""Invitations (issue 18): a new user is invited by an email link to set their own password.

- `user_invitation`: one row per link sent (an administrator's invitation or a reset link): who it is
  for, the sha256 of its token (the token itself is only in the emailed link), who sent it, when it
  expires, when it was used. A new link for the same person replaces the old one (the old row is
  marked used), so at most one link of a person works at a time.

The table is written down here as it is now (a migration never imports the live models' shape) and
created with create_tables(safe=True), so running it again changes nothing. Its data-version
triggers come from the idempotent install() of tracker/data_version.py (as in 0006 and 0010).
Existing users keep their passwords: nobody is invited by this migration.
"""

from peewee import SQL, CharField, DateTimeField, ForeignKeyField, IntegerField, Model

from ..data_version import install


class _User(Model):
    """The `user` table as the foreign keys name it."""

    class Meta:
        table_name = "user"


class UserInvitation(Model):
    user = ForeignKeyField(_User, backref="invitations", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    invited_by = ForeignKeyField(_User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField()
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    updated_at = DateTimeField(null=True)

    class Meta:
        table_name = "user_invitation"
        legacy_table_names = False


def up(database):
    with database.bind_ctx([_User, UserInvitation]):
        database.create_tables([UserInvitation], safe=True)
    install(database)
