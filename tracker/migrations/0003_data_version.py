"""The data version: a row whose token changes, in the same transaction, whenever a table that
reports read changes (database triggers; see tracker/data_version.py)."""


def up(database):
    from ..data_version import install

    install(database)
