"""A bounded load test against running app servers on this machine (127.0.0.1 only).

Virtual ISPs sign in, read their engagement page and the portfolio dashboard, and log meetings,
for a fixed number of seconds. Afterwards every write the server acknowledged (a redirect after the
POST) is looked up in the database: it must be there exactly once, and nothing unacknowledged may
have been stored twice. Run by `bin/load-test`; a short version runs in the test suite.
"""

import http.cookiejar
import random
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field

import click
from flask.cli import with_appcontext

from ..models import Engagement, EngagementISP, Meeting, User
from .demo import DEMO_PASSWORD

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
MARKER = "load-test"


@dataclass
class Stats:
    latencies: dict = field(default_factory=dict)  # kind -> [seconds]
    errors: list = field(default_factory=list)  # (kind, status or exception text)
    acknowledged: set = field(default_factory=set)  # markers of meetings the server confirmed
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind, seconds):
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)

    def fail(self, kind, what):
        with self.lock:
            self.errors.append((kind, str(what)[:200]))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _client():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())


def _call(opener, url, data=None, timeout=30):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, body, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:  # 3xx (redirects are not followed) and 4xx/5xx
        return exc.code, exc.read().decode("utf-8", "replace")


def _timed(stats, kind, opener, url, data=None, expect=(200,)):
    started = time.perf_counter()
    try:
        status, text = _call(opener, url, data)
    except Exception as exc:  # noqa: BLE001 - a refused or dropped connection is a failure to report
        stats.fail(kind, exc)
        return None, ""
    stats.record(kind, time.perf_counter() - started)
    if status not in expect or "database is locked" in text:
        stats.fail(kind, status)
    return status, text


FIRST_ROUND = (0.0, 0.5, 0.9)  # the rolls of a first round: engagement page, dashboard, log a meeting


def virtual_user(base_urls, email, password, engagement_ids, until, stats, seed):
    rng = random.Random(seed)
    opener = _client()
    base = base_urls[seed % len(base_urls)]
    status, page = _timed(stats, "sign-in page", opener, base + "/login")
    token = TOKEN_RE.search(page or "")
    if not token:
        stats.fail("sign-in", "no form")
        return
    status, _ = _timed(
        stats,
        "sign-in",
        opener,
        base + "/login",
        {"csrf_token": token.group(1), "email": email, "password": password},
        expect=(302,),
    )
    if status != 302:
        return
    step = 0
    # Each virtual user reads a page, the dashboard and logs a meeting once however slow the machine
    # (a busy CI runner can spend the whole window signing in), then mixes them at random until `until`.
    while step < len(FIRST_ROUND) or time.monotonic() < until:
        base = rng.choice(base_urls)  # several app servers behind one "load balancer"
        engagement = rng.choice(engagement_ids)
        roll = FIRST_ROUND[step] if step < len(FIRST_ROUND) else rng.random()
        step += 1
        if roll < 0.4:
            _timed(stats, "engagement page", opener, f"{base}/engagements/{engagement}")
        elif roll < 0.6:
            _timed(stats, "dashboard", opener, f"{base}/reports/")
        else:
            status, form = _timed(stats, "meeting form", opener, f"{base}/engagements/{engagement}/meetings/new")
            token = TOKEN_RE.search(form or "")
            if not token:
                continue
            marker = f"{MARKER} {uuid.uuid4().hex}"
            status, _ = _timed(
                stats,
                "log meeting",
                opener,
                f"{base}/engagements/{engagement}/meetings/new",
                {
                    "csrf_token": token.group(1),
                    "date": time.strftime("%Y-%m-%d"),
                    "kind": "coaching",
                    "mode": "virtual",
                    "duration_minutes": "30",
                    "notes": marker,
                },
                expect=(302,),
            )
            if status == 302:
                with stats.lock:
                    stats.acknowledged.add(marker)


def run(base_urls, accounts, seconds=10, users=8):
    """accounts: [(email, password, [engagement ids])]. Returns Stats after `seconds`."""
    stats = Stats()
    until = time.monotonic() + seconds
    threads = []
    for i in range(users):
        email, password, engagements = accounts[i % len(accounts)]
        thread = threading.Thread(
            target=virtual_user, args=(base_urls, email, password, engagements, until, stats, i), daemon=True
        )
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(seconds + 60)
    return stats


def check_writes(stats):
    """{'acknowledged', 'stored', 'missing', 'duplicated', 'unacknowledged'} from the database."""
    stored = Counter(m.notes for m in Meeting.select(Meeting.notes).where(Meeting.notes.startswith(MARKER)))
    return {
        "acknowledged": len(stats.acknowledged),
        "stored": sum(stored.values()),
        "missing": len([m for m in stats.acknowledged if stored[m] == 0]),
        "duplicated": len([m for m, n in stored.items() if n > 1]),
        "unacknowledged": len([m for m in stored if m not in stats.acknowledged]),
    }


def demo_accounts(password):
    """Every active ISP with the active engagements they co-lead or support."""
    accounts = {}
    for link in (
        EngagementISP.select(EngagementISP, User)
        .join(User)
        .switch(EngagementISP)
        .join(Engagement)
        .where((Engagement.status == "active") & Engagement.deleted_at.is_null() & User.is_active)
    ):
        accounts.setdefault(link.user.email, []).append(link.engagement_id)
    return [(email, password, ids) for email, ids in sorted(accounts.items())]


def summary(stats, seconds, writes):
    every = [s for values in stats.latencies.values() for s in values]
    lines = [
        f"requests {len(every)}, errors {len(stats.errors)}, "
        f"throughput {len(every) / seconds:.0f} req/s, "
        f"p95 {_p95(every) * 1000:.0f} ms, median {statistics.median(every) * 1000 if every else 0:.0f} ms"
    ]
    for kind, values in sorted(stats.latencies.items()):
        lines.append(
            f"  {kind:<16} {len(values):>6} requests, median {statistics.median(values) * 1000:6.1f} ms, "
            f"p95 {_p95(values) * 1000:6.1f} ms"
        )
    lines.append("writes: " + ", ".join(f"{k} {v}" for k, v in writes.items()))
    if stats.errors:
        lines.append("first errors: " + "; ".join(f"{k}: {w}" for k, w in stats.errors[:5]))
    return "\n".join(lines)


def _p95(values):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


@click.command("load-test")
@click.option(
    "--url",
    "urls",
    multiple=True,
    required=True,
    help="An app server on this machine, e.g. http://127.0.0.1:8001 (repeat for several).",
)
@click.option("--seconds", default=10, show_default=True, type=click.IntRange(1, 600))
@click.option("--users", default=8, show_default=True, type=click.IntRange(1, 200))
@click.option("--password", default=None, help="The ISPs' password (default: the demo password).")
@with_appcontext
def load_test_command(urls, seconds, users, password):
    """Drive the servers at URL with virtual ISPs, then check every acknowledged write once."""
    for url in urls:
        host = urllib.parse.urlsplit(url).hostname or ""
        if not (host == "localhost" or host.startswith("127.") or host == "::1"):
            raise click.ClickException(f"{url}: the load test only targets this machine (127.0.0.1).")
    accounts = demo_accounts(password or DEMO_PASSWORD)
    if not accounts:
        raise click.ClickException("No active ISP with an active engagement: run seed-demo first.")
    stats = run([u.rstrip("/") for u in urls], accounts, seconds=seconds, users=users)
    writes = check_writes(stats)
    click.echo(summary(stats, seconds, writes))
    if stats.errors or writes["missing"] or writes["duplicated"] or writes["unacknowledged"]:
        raise click.ClickException("load test failed: see errors and writes above")
