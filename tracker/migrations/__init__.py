"""Numbered schema migrations: `NNNN_name.py` modules with `up(database)`, run in order by
tracker/schema.py (`flask --app tracker migrate`, `init-db`).

0001 is frozen DDL: the tables and indexes as they were first released, for SQLite and PostgreSQL.
Each later change to the models comes with a new numbered module that brings an existing database to
the same shape, with playhouse.migrate's `SchemaMigrator` for the column work (as peewee's
examples/blog/migrations). A migration never imports the live models' shape: it writes down what it
adds. `tests/test_db.py` checks that the migrated database has exactly the columns, nullability and
indexes the models declare, on SQLite and on PostgreSQL.
"""
