"""A short load test in the suite: a threaded server on 127.0.0.1, virtual ISPs reading pages and
logging meetings at once, then every acknowledged write found exactly once (bin/load-test runs the
long version against gunicorn on SQLite and on two servers sharing PostgreSQL)."""

import threading

from werkzeug.serving import make_server

from tracker.tools import loadtest
from tracker.tools.demo import DEMO_PASSWORD


def test_concurrent_users_lose_no_write_and_see_no_error(app, seeded_demo):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        accounts = loadtest.demo_accounts(DEMO_PASSWORD)
        stats = loadtest.run([f"http://127.0.0.1:{server.server_port}"], accounts, seconds=3, users=6)
    finally:
        server.shutdown()
    writes = loadtest.check_writes(stats)
    assert stats.errors == []
    assert writes["acknowledged"] > 0
    assert writes["stored"] == writes["acknowledged"]
    assert writes["missing"] == writes["duplicated"] == writes["unacknowledged"] == 0
    assert len(stats.latencies["engagement page"]) > 0 and len(stats.latencies["dashboard"]) > 0
