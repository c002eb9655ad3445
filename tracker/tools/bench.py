"""Benchmark: `flask --app tracker bench --scale 1 --scale 10 --out bench.json`.

For each scale it builds a synthetic portfolio (tracker/tools/generate.py) in its own temporary SQLite file
(and, when DATABASE_URL names PostgreSQL, in that database too, after dropping and recreating the
tables), signs in through the Flask test client (a leader who reads everything; an ISP co-lead for the
meeting form), and for each page measures, after warm-up runs, the median and 95th-percentile server
time and the number of SQL queries. Each report page is compared with its "floor": the same aggregate
as one hand-written SQL query. Peak memory is the process's maximum resident set size.

Report results are cached while the data stand unchanged (tracker/reports/cache.py), so the median
after warm-up is what a reader sees on a repeat visit; each report page is also timed "cold" (the store
emptied before every request: the first request after a change), with its query count and ratio to the
floor, so both costs are in the table and the JSON (cold_ms, cold_queries, cold_ratio_to_floor).

Targets (reported, not enforced): same queries per page at every scale; at scale 10 on SQLite every
report median under 150 ms, engagement page and meeting form under 50 ms, ratio to floor under 3;
scale 1 -> 10 at most 3x per report page; peak memory under 250 MB.
"""

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import click
from flask.cli import with_appcontext
from playhouse.test_utils import count_queries

from .. import PROJECT_ROOT, create_app
from ..api import new_token
from ..db import close_all, database
from ..models import MODELS, Engagement, EngagementISP, User
from ..reports import cache as report_cache
from ..schema import init_db
from .generate import LEADER_EMAIL, SEED, generate

REPORT_TARGET_MS = 150
PAGE_TARGET_MS = 50
RATIO_TARGET = 3
GROWTH_TARGET = 3
MEMORY_TARGET_MB = 250

FLOORS = {
    "engagements": (
        "SELECT e.id, e.title, COUNT(m.id), MAX(m.date) FROM engagement e "
        "LEFT JOIN meeting m ON m.engagement_id = e.id AND m.deleted_at IS NULL "
        "WHERE e.deleted_at IS NULL GROUP BY e.id, e.title ORDER BY e.title LIMIT 25"
    ),
    "engagements_filtered": (
        "SELECT e.id, e.title, COUNT(m.id), MAX(m.date) FROM engagement e "
        "LEFT JOIN meeting m ON m.engagement_id = e.id AND m.deleted_at IS NULL "
        "WHERE e.deleted_at IS NULL AND e.status = 'active' GROUP BY e.id, e.title ORDER BY e.title LIMIT 25"
    ),
    "engagement_page": (
        "SELECT m.id, m.date, m.kind, COUNT(mc.id) FROM meeting m "
        "LEFT JOIN meeting_competency mc ON mc.meeting_id = m.id "
        "WHERE m.engagement_id = {engagement} AND m.deleted_at IS NULL GROUP BY m.id, m.date, m.kind "
        "ORDER BY m.date DESC"
    ),
    "meeting_form": (
        "SELECT c.id, c.name, d.name FROM competency c JOIN competency_domain d ON d.id = c.domain_id "
        "WHERE NOT c.retired ORDER BY d.position, c.position"
    ),
    "competencies": (
        "SELECT mc.competency_id, COUNT(DISTINCT mc.meeting_id) FROM meeting_competency mc "
        "JOIN meeting m ON m.id = mc.meeting_id JOIN engagement e ON e.id = m.engagement_id "
        "WHERE m.deleted_at IS NULL AND e.deleted_at IS NULL GROUP BY mc.competency_id"
    ),
    "strategies": (
        "SELECT ms.strategy_id, COUNT(DISTINCT ms.meeting_id), SUM(ms.minutes) FROM meeting_strategy ms "
        "JOIN meeting m ON m.id = ms.meeting_id JOIN engagement e ON e.id = m.engagement_id "
        "WHERE m.deleted_at IS NULL AND e.deleted_at IS NULL GROUP BY ms.strategy_id"
    ),
    "progress": (
        "SELECT e.current_stage_id, g.status, COUNT(DISTINCT g.id), COUNT(gsc.id) FROM engagement e "
        "LEFT JOIN goal g ON g.engagement_id = e.id AND g.deleted_at IS NULL "
        "LEFT JOIN goal_status_change gsc ON gsc.goal_id = g.id "
        "WHERE e.deleted_at IS NULL GROUP BY e.current_stage_id, g.status"
    ),
    "feedback": (
        "SELECT fr.engagement_id, fi.scale, AVG(fa.value), COUNT(DISTINCT fr.id) FROM feedback_answer fa "
        "JOIN feedback_response fr ON fr.id = fa.response_id JOIN feedback_item fi ON fi.id = fa.item_id "
        "WHERE fr.engagement_id = {engagement} AND fr.deleted_at IS NULL AND fi.kind = 'likert' "
        "GROUP BY fr.engagement_id, fi.scale"
    ),
    "portfolio": (
        "SELECT e.status, COUNT(DISTINCT e.id), SUM(m.duration_minutes) FROM engagement e "
        "LEFT JOIN meeting m ON m.engagement_id = e.id AND m.deleted_at IS NULL "
        "WHERE e.deleted_at IS NULL GROUP BY e.status"
    ),
}


def pages(app, big_engagement, unit):
    """[(name, url, who, floor key, is report)]: who is 'leader', 'isp' or 'api' (the leader's bearer token)."""
    out = [
        ("home", "/", "isp", "engagements", False),  # a leader's home is the dashboard, measured below
        (
            "engagement list (filtered)",
            f"/engagements?status=active&unit={unit}",
            "leader",
            "engagements_filtered",
            False,
        ),
        ("engagement page (100 meetings)", f"/engagements/{big_engagement}", "isp", "engagement_page", False),
        ("meeting form", f"/engagements/{big_engagement}/meetings/new", "isp", "meeting_form", False),
        ("competencies report", "/reports/competencies", "leader", "competencies", True),
        ("strategies report", "/reports/strategies", "leader", "strategies", True),
        ("progress report", "/reports/progress", "leader", "progress", True),
        ("portfolio dashboard", "/reports/", "leader", "portfolio", True),
        ("adherence report", "/reports/adherence", "leader", None, True),
        ("cost report", "/reports/cost", "leader", None, True),
        ("plan page", f"/engagements/{big_engagement}/plan", "isp", None, False),
        ("team report", "/reports/team", "leader", None, True),
        ("pathway report", "/reports/pathway", "leader", None, True),
        ("activities list", f"/engagements/{big_engagement}/activities", "isp", None, False),
        ("search (a common word)", "/search?q=team", "leader", None, False),
        ("CSV export (competencies)", "/reports/competencies.csv", "leader", "competencies", True),
    ]
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if (
            rule.rule.startswith("/api/v1")
            and "report" in rule.rule
            and not rule.arguments
            and "GET" in (rule.methods or ())
        ):
            floor = next(
                (
                    key
                    for key in ("competencies", "strategies", "progress", "portfolio", "feedback")
                    if key in rule.rule
                ),
                None,
            )
            url = rule.rule + (f"?engagement_id={big_engagement}" if floor == "feedback" else "")  # one engagement's
            out.append((f"API {rule.rule}", url, "api", floor, True))
    return out


def _max_rss_mb(who):
    """The maximum resident set size in MB of this process ("self") or of its finished children
    ("children"); None where the Unix-only `resource` module is missing (the benchmark still runs)."""
    try:
        import resource  # noqa: PLC0415 - Unix only: importing this module must not fail elsewhere
    except ImportError:
        return None
    rss = resource.getrusage(resource.RUSAGE_SELF if who == "self" else resource.RUSAGE_CHILDREN).ru_maxrss
    return round(rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024, 1)


def _children_peak_mb():
    return _max_rss_mb("children")


def _time(fn, runs, warmups):
    for _ in range(warmups):
        fn()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return statistics.median(samples), p95


def peak_memory_mb():
    return _max_rss_mb("self")


def _fill(url, scale, seed):
    """Fresh schema and catalogs at `url`, then the synthetic portfolio (run in a child process)."""
    create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url})
    database.connect(reuse_if_open=True)
    if not url.startswith("sqlite"):
        database.drop_tables(list(MODELS), safe=True, cascade=True)
    init_db()
    generate(scale, seed)
    close_all()


def _build(url, scale, seed):
    """Fill a fresh database at `url` in a child process (so the generator's memory is not counted
    as the pages' peak memory), then return an app on it."""

    code = "import sys; from tracker.tools.bench import _fill; _fill(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))"
    env = dict(os.environ, DATABASE_URL=url)
    done = subprocess.run(
        [sys.executable, "-c", code, url, repr(scale), str(seed)],
        env=env,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    if done.returncode != 0:
        raise click.ClickException(f"generating scale {scale:g} failed:\n{done.stderr[-2000:]}")
    return _app_on(url)


def _big_engagement_and_co_lead():
    """The generator's first engagement (the one with 100 meetings) and one of its co-leads."""
    big = Engagement.select().order_by(Engagement.id).first()
    co_lead = (
        User.select()
        .join(EngagementISP, on=(EngagementISP.user == User.id))
        .where((EngagementISP.engagement == big) & (EngagementISP.role == "co_lead"))
        .first()
    )
    return big, co_lead


def _signed_in_client(app, user):
    """A test client whose session is signed in as `user` (flask-login's session keys)."""
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.session_token
        sess["_fresh"] = True
    return client


def measure(url, scale, runs=20, warmups=3, seed=None, label="sqlite"):
    """[{page, scale, database, median_ms, p95_ms, queries, floor_ms, ratio_to_floor}] for one database."""
    app = _build(url, scale, SEED if seed is None else seed)
    leader = User.get(User.email == LEADER_EMAIL)
    big, co_lead = _big_engagement_and_co_lead()
    clients = {"leader": _signed_in_client(app, leader), "isp": _signed_in_client(app, co_lead)}

    headers = {"leader": {}, "isp": {}, "api": {}}
    listed = pages(app, big.id, big.unit_id)
    if any(who == "api" for _, _, who, _, _ in listed):
        with app.test_request_context():
            _, token = new_token(leader, "bench")
        headers["api"] = {"Authorization": f"Bearer {token}"}
        clients["api"] = app.test_client()

    results = []
    for name, url_, who, floor_key, is_report in listed:
        client = clients[who]

        def get(client=client, url_=url_, who=who, name=name):  # bound now: called only in this pass
            response = client.get(url_, headers=headers[who])
            if response.status_code != 200:
                raise click.ClickException(f"{name}: GET {url_} answered {response.status_code}.")
            response.get_data()

        get()
        counts = []
        for _ in range(2):  # the lower of two: the API touches a token's last_used_at at most once a minute
            with count_queries() as counter:
                get()
            counts.append(counter.count)
        median, p95 = _time(get, runs, warmups)
        floor_ms = ratio = None
        if floor_key:
            sql = FLOORS[floor_key].format(engagement=big.id)

            def floor(sql=sql):
                database.execute_sql(sql).fetchall()

            floor_ms, _ = _time(floor, runs, warmups)
            ratio = round(median / floor_ms, 1) if floor_ms > 0 else None
            floor_ms = round(floor_ms, 2)
        cold_ms = cold_ratio = cold_queries = None
        if is_report:  # the first request after a change: nothing cached (tracker/reports/cache.py)

            def cold():
                report_cache.clear()
                get()

            cold_ms, _ = _time(cold, max(3, runs // 4), 1)
            report_cache.clear()
            with count_queries() as counter:
                get()
            cold_queries = counter.count
            cold_ratio = round(cold_ms / floor_ms, 1) if floor_ms else None
            cold_ms = round(cold_ms, 2)
        results.append(
            {
                "page": name,
                "url": url_,
                "scale": scale,
                "database": label,
                "report": is_report,
                "median_ms": round(median, 2),
                "p95_ms": round(p95, 2),
                "queries": min(counts),
                "floor_ms": floor_ms,
                "ratio_to_floor": ratio,
                "cold_ms": cold_ms,
                "cold_queries": cold_queries,
                "cold_ratio_to_floor": cold_ratio,
            }
        )
    close_all()
    return results


def check_targets(results, peak_mb):
    """Human-readable lines about the targets that are missed (empty when all are met)."""
    misses = []
    by = {}
    for r in results:
        by.setdefault((r["database"], r["page"]), {})[r["scale"]] = r
    for (db, page), per in sorted(by.items()):
        scales = sorted(per)
        counts = {per[s]["queries"] for s in scales}
        if len(counts) > 1:
            misses.append(
                f"{db} {page}: queries change with the scale ({', '.join(str(per[s]['queries']) for s in scales)})"
            )
        top = per[scales[-1]]
        if db == "sqlite" and scales[-1] >= 10:
            limit = REPORT_TARGET_MS if top["report"] else PAGE_TARGET_MS
            if (
                top["page"].startswith(
                    (
                        "engagement page",
                        "meeting form",
                        "competencies",
                        "progress",
                        "portfolio",
                        "strategies",
                        "CSV",
                        "API",
                    )
                )
                and top["median_ms"] > limit
            ):
                misses.append(
                    f"{db} {page}: median {top['median_ms']} ms at scale {top['scale']:g} (target {limit} ms)"
                )
            if top["report"] and top["ratio_to_floor"] and top["ratio_to_floor"] > RATIO_TARGET:
                misses.append(f"{db} {page}: {top['ratio_to_floor']}x the floor (target {RATIO_TARGET}x)")
        if top["report"] and len(scales) > 1 and per[scales[0]]["median_ms"] > 0:
            growth = top["median_ms"] / per[scales[0]]["median_ms"]
            if growth > GROWTH_TARGET and scales[-1] / scales[0] >= 10:
                misses.append(
                    f"{db} {page}: {growth:.1f}x slower from scale {scales[0]:g} to {scales[-1]:g} "
                    f"(target {GROWTH_TARGET}x)"
                )
    if peak_mb is not None and peak_mb > MEMORY_TARGET_MB:
        misses.append(f"peak memory {peak_mb} MB (target {MEMORY_TARGET_MB} MB)")
    return misses


def table(results):
    head = (
        f"{'page':<34} {'db':<8} {'scale':>6} {'median ms':>10} {'p95 ms':>9} {'queries':>8} {'floor ms':>9} "
        f"{'x floor':>8} {'cold ms':>9} {'cold q':>7} {'cold x':>7}"
    )
    lines = [head, "-" * len(head)]

    def cell(value, width, spec=".2f"):
        return f"{'' if value is None else format(value, spec):>{width}}"

    for r in results:
        lines.append(
            f"{r['page'][:34]:<34} {r['database']:<8} {r['scale']:>6g} {r['median_ms']:>10.2f} "
            f"{r['p95_ms']:>9.2f} {r['queries']:>8} {cell(r['floor_ms'], 9)} {cell(r['ratio_to_floor'], 8, '.1f')} "
            f"{cell(r.get('cold_ms'), 9)} {cell(r.get('cold_queries'), 7, 'd')} "
            f"{cell(r.get('cold_ratio_to_floor'), 7, '.1f')}"
        )
    return "\n".join(lines)


class _KeepDatabase:
    """Put the app's database back after the benchmark rebinds the shared proxy to its own ones."""

    def __enter__(self):
        self.saved = database.obj
        return self

    def __exit__(self, *exc):
        if database.obj is not self.saved:
            close_all()
            database.initialize(self.saved)
        return False


def measure_at(scale, runs=1, warmups=0):
    """measure() on a temporary SQLite file; the current database is untouched and stays bound."""
    with _KeepDatabase(), tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        return measure(f"sqlite:///{os.path.join(tmp, 'bench.sqlite3')}", scale, runs=runs, warmups=warmups)


THROUGHPUT_TARGET = 250  # engagement page, requests per second, gunicorn with 2 workers, scale 1


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session_cookie(app, user):
    """The signed session cookie of `user` for `app` (the server must share its SECRET_KEY)."""
    client = _signed_in_client(app, user)
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return f"{cookie.key}={cookie.value}"


def throughput(path, seconds=15, workers=2, connections=16):
    """Requests per second of the engagement page (100 meetings) under gunicorn with `workers` workers
    on 127.0.0.1, driven by wrk on this machine for `seconds`, on the SQLite file at `path` (already
    filled). {"requests_per_s", "requests", "errors", "p50_ms", "p99_ms", "workers", "connections"}."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise click.ClickException("The throughput run needs wrk (Debian: apt-get install wrk).")
    url = f"sqlite:///{path}"
    with _KeepDatabase():
        app = _app_on(url)
        big, co_lead = _big_engagement_and_co_lead()
        cookie = _session_cookie(app, co_lead)
        close_all()
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=url, TRACKER_SECRET_KEY="bench", TRACKER_INSTANCE_PATH=os.path.dirname(path))
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning", "tracker:create_app()"],
        env=env,
        cwd=PROJECT_ROOT,
    )
    page = f"http://127.0.0.1:{port}/engagements/{big.id}"
    try:
        for _ in range(100):
            try:
                request = urllib.request.Request(page, headers={"Cookie": cookie})
                if urllib.request.urlopen(request, timeout=2).status == 200:  # nosec B310 # an http://127.0.0.1 URL the bench built itself
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise click.ClickException("gunicorn did not answer the engagement page.")
        done = subprocess.run(
            [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", page],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = done.stdout

    def number(pattern, default=0.0):
        found = re.search(pattern, text)
        return float(found.group(1)) if found else default

    def ms(label):
        found = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", text)
        if not found:
            return None
        value, unit = float(found.group(1)), found.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)

    errors = int(number(r"Non-2xx or 3xx responses: (\d+)")) + int(
        sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    )
    return {
        "page": "engagement page (100 meetings)",
        "requests_per_s": round(number(r"Requests/sec:\s+([\d.]+)"), 1),
        "requests": int(number(r"(\d+) requests in")),
        "errors": errors,
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "workers": workers,
        "connections": connections,
        "seconds": seconds,
    }


def _app_on(url):
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url})
    database.connect(reuse_if_open=True)
    return app


def run(scales, out=None, runs=20, warmups=3, postgres_url=None, echo=print, throughput_seconds=0):
    results = []
    rate = None
    with _KeepDatabase(), tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        for scale in scales:
            path = os.path.join(tmp, f"bench-{scale:g}.sqlite3")
            began = time.perf_counter()
            results += measure(f"sqlite:///{path}", scale, runs=runs, warmups=warmups)
            echo(f"scale {scale:g} on SQLite measured in {time.perf_counter() - began:.0f} s")
            if throughput_seconds and scale == 1 and rate is None:
                rate = throughput(path, seconds=throughput_seconds)
                echo(f"scale 1: engagement page under gunicorn (2 workers) with wrk: {rate['requests_per_s']} req/s")
            if postgres_url:
                results += measure(postgres_url, scale, runs=runs, warmups=warmups, label="postgres")
                echo(f"scale {scale:g} on PostgreSQL measured")
    peak = peak_memory_mb()
    generator_peak = _children_peak_mb()
    misses = check_targets(results, peak)
    if rate is not None and (rate["requests_per_s"] < THROUGHPUT_TARGET or rate["errors"]):
        misses.append(
            f"engagement page under gunicorn: {rate['requests_per_s']} req/s, {rate['errors']} errors "
            f"(target {THROUGHPUT_TARGET} req/s, no error)"
        )
    report = {
        "results": results,
        "throughput": rate,
        "peak_memory_mb": peak,
        "generator_peak_memory_mb": generator_peak,
        "scales": list(scales),
        "runs": runs,
        "warmups": warmups,
        "targets": {
            "report_median_ms": REPORT_TARGET_MS,
            "page_median_ms": PAGE_TARGET_MS,
            "ratio_to_floor": RATIO_TARGET,
            "growth_1_to_10": GROWTH_TARGET,
            "peak_memory_mb": MEMORY_TARGET_MB,
            "throughput_per_s": THROUGHPUT_TARGET,
        },
        "missed_targets": misses,
    }
    echo(table(results))
    if rate is not None:
        echo(
            f"throughput: {rate['requests_per_s']} req/s over {rate['requests']} requests, {rate['errors']} errors, "
            f"p50 {rate['p50_ms']} ms, p99 {rate['p99_ms']} ms (gunicorn -w 2, wrk -c {rate['connections']})"
        )
    echo(f"peak memory: {peak} MB (generating the data, in a child process: {generator_peak} MB)")
    echo("targets: all met" if not misses else "targets missed:\n  " + "\n  ".join(misses))
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=2)
        echo(f"wrote {out}")
    return report


@click.command("bench")
@with_appcontext
@click.option("--scale", "scales", type=float, multiple=True, help="A scale to measure (repeat for several).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the results as JSON to this file.")
@click.option("--runs", type=int, default=20, show_default=True, help="Timed runs per page, after warm-up.")
@click.option("--warmups", type=int, default=3, show_default=True)
@click.option(
    "--throughput",
    "throughput_seconds",
    type=int,
    default=0,
    metavar="SECONDS",
    help="Also load the engagement page under gunicorn (2 workers) with wrk for SECONDS at scale 1.",
)
def bench_command(scales, out, runs, warmups, throughput_seconds):
    """Measure page times and query counts on synthetic portfolios (SQLite; PostgreSQL with DATABASE_URL)."""
    scales = list(scales) or [1.0]
    if runs < 1:
        raise click.ClickException("--runs must be at least 1.")
    env_url = os.environ.get("DATABASE_URL", "")
    postgres_url = env_url if env_url.startswith(("postgres", "postgresql")) else None
    if throughput_seconds < 0:
        raise click.ClickException("--throughput must be a number of seconds.")
    if throughput_seconds and 1.0 not in scales:
        raise click.ClickException("--throughput measures scale 1: add --scale 1.")
    run(
        scales,
        out=out,
        runs=runs,
        warmups=warmups,
        postgres_url=postgres_url,
        echo=click.echo,
        throughput_seconds=throughput_seconds,
    )
