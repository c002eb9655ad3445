"""Helpers shared by the research-export tests: a file's values checked against its codebook entry."""

import datetime as dt


def assert_values_match(where, entry, rows, allowed=None):
    """Every non-empty value of codebook `entry`'s column in `rows` has the entry's type and, when
    `allowed` is given (the coded choices), is one of them. `where` names the file in failures."""
    column = entry["column"]
    for row in rows:
        value = row[column]
        if value == "":
            continue
        if entry["type"] == "integer":
            int(value)
        elif entry["type"] == "date":
            dt.date.fromisoformat(value)
        elif entry["type"] == "boolean":
            assert value in ("0", "1"), (where, column, value)
        if allowed:
            assert value in allowed, (where, column, value)
