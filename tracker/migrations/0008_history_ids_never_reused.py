"""Ids of history entries are never reused: SQLite `AUTOINCREMENT` on the two tables whose rows are
still removed for good (a goal's status history and an engagement's stage history).

A removed history entry is recorded in the audit log ("GoalStatusChange #41 deleted"). Without
AUTOINCREMENT, SQLite gives the next row max(id)+1, so removing the newest entry and adding another
hands out #41 again and the audit log would name two different entries. With AUTOINCREMENT SQLite
keeps the highest id ever used (in `sqlite_sequence`). Every other audited table soft-deletes
(migration 0004), so its rows, and their ids, stay. PostgreSQL sequences never go back: nothing to do.

SQLite cannot add AUTOINCREMENT to a table in place, so each table is rebuilt the documented way
(create the new table, copy the rows, drop the old, rename), inside this migration's transaction;
its indexes and data-version triggers (migration 0003, idempotent) are created again. Nothing
references these two tables, so no foreign key points at the table being replaced.
"""

from ..data_version import install
from ..db import is_sqlite

TABLES = ("goal_status_change", "stage_entry")
PRIMARY_KEY = '"id" INTEGER NOT NULL PRIMARY KEY'


def rebuild_with_autoincrement(database, table):
    sql = database.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    if sql is None or "AUTOINCREMENT" in sql[0].upper():
        return
    create = sql[0]
    assert PRIMARY_KEY in create, f"{table}: unexpected primary key in {create!r}"
    indexes = [
        row[0]
        for row in database.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
        )
    ]
    columns = ", ".join(f'"{c.name}"' for c in database.get_columns(table))
    staged = f"{table}__autoincrement"
    database.execute_sql(
        create.replace(f'"{table}"', f'"{staged}"', 1).replace(PRIMARY_KEY, f"{PRIMARY_KEY} AUTOINCREMENT", 1)
    )
    copy = f'INSERT INTO "{staged}" ({columns}) SELECT {columns} FROM "{table}"'  # nosec B608 # names from the schema
    database.execute_sql(copy)
    database.execute_sql(f'DROP TABLE "{table}"')  # its indexes and triggers go with it
    database.execute_sql(f'ALTER TABLE "{staged}" RENAME TO "{table}"')
    for index in indexes:
        database.execute_sql(index)


def up(database):
    if not is_sqlite():
        return
    for table in TABLES:
        rebuild_with_autoincrement(database, table)
    install(database)
