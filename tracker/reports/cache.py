"""Report results, kept while the data they were computed from stand unchanged.

A report function decorated with `@cached` (its first argument a ReportFilters) runs once per key:
the function, its arguments, the filters, the reader's visibility key (policy.visibility_key: users
who see the same engagements share results), today's date (reports count days up to today) and the
data version token (tracker/data_version.py). `@cached_by_arguments` is for functions of one
engagement that do not depend on the reader, called after the access check. The token changes in the
same transaction as every write to a table that reports read, so a result is only served again while
the data are exactly those it was computed from; the first request after a write computes afresh.

Kept per process (each gunicorn worker has its own) in a least-recently-used store of at most
MAX_BYTES of pickled results. Each hit unpickles a fresh copy, so a caller that changes what it got
cannot change what the next caller gets.
"""

import functools
import pickle
import threading

from cachetools import LRUCache

from .. import data_version, policy
from ..models import today

MAX_BYTES = 64 * 1024 * 1024  # per process; a scale-10 portfolio dashboard pickles to ~0.4 MB

_store = LRUCache(maxsize=MAX_BYTES, getsizeof=len)
_lock = threading.Lock()


def _today():
    return today()


def clear():
    """Forget every stored result (tests start from an empty store; the benchmark measures cold runs)."""
    with _lock:
        _store.clear()


def _memoized(function, key_of):
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        token = data_version.token()
        key = (name, key_of(*args), tuple(sorted(kwargs.items())), _today(), token)
        try:
            hash(key)
        except TypeError:  # an argument that cannot be a key (a list...): compute without the store
            token = None
        if token is None:
            return function(*args, **kwargs)
        with _lock:
            stored = _store.get(key)
        if stored is not None:
            return pickle.loads(stored)  # nosec B301 # bytes this process pickled itself, never from outside
        result = function(*args, **kwargs)
        stored = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
        if len(stored) <= MAX_BYTES:  # a larger one is served as computed, not kept
            with _lock:
                _store[key] = stored
        return result

    wrapper.uncached = function
    return wrapper


def cached(function):
    """Decorate a report function `function(filters, *args, **kwargs)`: keyed by the filters and the
    reader's visibility. The undecorated function stays reachable as `.uncached`."""
    return _memoized(function, lambda filters, *args: (policy.visibility_key(filters.user), filters.key(), args))


def cached_per_user(function):
    """Decorate a function `function(user)` whose result depends on who asks and the data only (the
    navigation's "My work" count): keyed by the user's id (a change of role or email is a write)."""
    return _memoized(function, lambda user: (user.id,))


def cached_by_arguments(function):
    """Decorate a function whose result depends on its arguments and the data only, never on who asks
    (one engagement's figures, called after the access check): keyed by the arguments alone."""
    return _memoized(function, lambda *args: args)
