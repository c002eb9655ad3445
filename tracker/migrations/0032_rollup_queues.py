"""Rollup triggers on SQLite written once each (tracker/rollups.py): each table's row trigger now puts the changed
key into a queue view whose INSTEAD OF trigger runs the refresh, instead of holding the whole refresh itself
(the schema SQLite parses on every new connection shrinks by ~70 KB). Nothing to change in the tables: after any
migration tracker/schema.py installs the rollup triggers again (dropping the old ones by name) and rebuilds the
rows, which is all this version needs. PostgreSQL's triggers are unchanged.
"""


def up(database):
    """No table changes; the triggers are installed again after the migrations (tracker/schema.py migrate)."""
