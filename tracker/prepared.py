"""`prepared`: a peewee select whose SQL is built once, then run with new values (the engagement page).

Why it exists: profiled, most of the engagement page's cost was peewee building SQL (about 0.1 ms a
query, against 0.01 ms for SQLite to run it), so its queries are built once per kind of database.

The one private part of peewee it relies on is `BaseQuery._get_cursor_wrapper(cursor)`, which turns a
DB-API cursor into the rows the query would give (models with their joined models, dicts or tuples).
tests/test_prepared.py checks that hook and compares every result with the plain query: if a peewee
upgrade breaks it, that test says so, and the fix is here alone (or drop `@prepared` from the report
functions: they are plain peewee selects and work unchanged without it, only slower).
"""

import itertools

from .db import database


class prepared:
    """A query of fixed shape whose SQL is built once per kind of database, then run with new values.

    `build(*args)` returns a peewee select; each argument (an int, or a list of ints) must land in the
    SQL only as parameters, and nothing else in the query may depend on the arguments. On the first run
    for a database class (and list lengths) the query is built twice with two sets of stand-in values:
    the SQL must be the same and each stand-in found once among the parameters, or ValueError. Every
    run then executes that SQL with the real values swapped in and returns the rows as the query would
    (an iterable of models with their joined models, or of dicts or tuples): peewee's cursor wrapper
    depends on the query's shape only, not on its values. No data are kept, only SQL text: every call
    reads the database."""

    _STAND_INS = (2_000_000_011, 2_100_000_011)

    def __init__(self, build):
        self.build = build
        self._compiled = {}

    @staticmethod
    def _flat(args):
        return [v for a in args for v in (a if isinstance(a, (list, tuple)) else [a])]

    def _compile(self, args):
        def stand_ins(base):
            n = itertools.count(base)
            return [[next(n) for _ in a] if isinstance(a, (list, tuple)) else next(n) for a in args]

        query, other = (self.build(*stand_ins(base)) for base in self._STAND_INS)
        (sql, params), (other_sql, other_params) = query.sql(), other.sql()
        slots = {}
        for base, values in zip(self._STAND_INS, (params, other_params), strict=True):
            for i, value in enumerate(self._flat(stand_ins(base))):
                where = [pos for pos, param in enumerate(values) if param == value]
                if len(where) != 1 or slots.setdefault(i, where[0]) != where[0]:
                    raise ValueError(f"{self.build.__name__}: argument {i} is not one parameter of the query")
        fixed = [pos for pos in range(len(params)) if pos not in slots.values()]
        if (
            sql != other_sql
            or len(params) != len(other_params)
            or any(params[pos] != other_params[pos] for pos in fixed)
        ):
            raise ValueError(f"{self.build.__name__}: the query's shape depends on its arguments")
        return query, sql, params, slots

    def __call__(self, *args):
        key = (type(database.obj), tuple(len(a) if isinstance(a, (list, tuple)) else None for a in args))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(args)
        query, sql, params, slots = compiled
        params = list(params)
        for i, value in enumerate(self._flat(args)):
            params[slots[i]] = value
        return query._get_cursor_wrapper(database.execute_sql(sql, params))
