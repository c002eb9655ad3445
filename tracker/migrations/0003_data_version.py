"""The data version: a row whose token changes, in the same transaction, whenever a table that
reports read changes (database triggers; see tracker/data_version.py). `install` is idempotent."""

from ..data_version import install


def up(database):
    install(database)
