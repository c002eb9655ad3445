"""generate-data at any scale (issue 21): written a batch of engagements at a time, so memory holds one
batch, with the same rows whatever the batch size; COPY on PostgreSQL writes what INSERT writes."""

import math

from tracker.db import close_all, database, is_sqlite
from tracker.models import Engagement, Meeting, Organization
from tracker.schema import init_db
from tracker.tools import generate as generator
from tracker.tools.generate import BATCH, counts_for, digest, generate

from .conftest import make_app

SCALE = 0.05  # 10 engagements, 200 meetings


def _fresh_sqlite(path):
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        init_db()
    database.connect(reuse_if_open=True)
    return app


def test_memory_holds_one_batch_and_the_batch_size_does_not_change_the_data(app, tmp_path, monkeypatch):
    suite = database.obj
    held = []  # per flush: (engagement rows, all rows) waiting to be written
    flush = generator._Rows.flush

    def spy(self):
        held.append((len(self.rows[Engagement]), sum(len(rows) for rows in self.rows.values())))
        flush(self)

    monkeypatch.setattr(generator._Rows, "flush", spy)
    n = counts_for(SCALE)["engagements"]
    digests, largest = {}, {}
    try:
        for batch in (1, 7, BATCH):
            held.clear()
            lines = []
            _fresh_sqlite(tmp_path / f"batch{batch}.sqlite3")
            counts = generate(SCALE, batch=batch, progress=lines.append)
            assert counts["meeting"] == Meeting.select().count() == 200
            # one flush per batch, each holding that batch's engagements and nothing written before
            assert [e for e, _ in held] == [min(batch, n - first) for first in range(0, n, batch)]
            assert len(held) == math.ceil(n / batch)
            assert sum(rows for _, rows in held) == sum(counts.values())
            assert lines[-1] == f"engagements {n:,} / {n:,}" and len(lines) == len(held)
            largest[batch] = max(rows for _, rows in held)
            digests[batch] = digest()
            close_all()
    finally:
        database.initialize(suite)
    assert digests[1] == digests[7] == digests[BATCH]
    assert largest[1] < largest[7] < largest[BATCH]  # what is held grows with the batch, not the portfolio


def test_the_suite_engine_writes_what_insert_writes_on_sqlite(app, tmp_path, monkeypatch):
    """On PostgreSQL the default writer is COPY: the rows are those multi-row INSERT gives on SQLite."""
    suite = database.obj
    copies = []
    copy = generator._copy

    def spy(model, fields, rows):
        copies.append(model)
        copy(model, fields, rows)

    monkeypatch.setattr(generator, "_copy", spy)
    counts = generate(SCALE, batch=3)  # COPY on PostgreSQL, multi-row INSERT on SQLite
    assert bool(copies) == (not is_sqlite())  # COPY is PostgreSQL's
    on_suite = digest()
    if not is_sqlite():  # the sequences went past the explicit ids: the next row gets a fresh id
        assert Organization.create(name="After", kind="recipient").id == counts["organization"] + 1
    copies.clear()
    try:
        _fresh_sqlite(tmp_path / "insert.sqlite3")
        assert generate(SCALE, copy=False) == counts
        assert copies == []
        assert digest() == on_suite
        close_all()
    finally:
        database.initialize(suite)
