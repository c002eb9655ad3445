"""Numbered schema migrations: `NNNN_name.py` modules with `up(database)`, run by `flask migrate`.

0001 builds the tables. Each later change to models.py comes with a new numbered module that brings
an existing database to the same shape (playhouse.migrate's `SchemaMigrator` does the column work),
written so that it is a no-op where 0001 already built the newer shape; `tests/test_db.py` checks
that a migrated database has every table and column the models declare.
"""
