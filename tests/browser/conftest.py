"""End-to-end tests in a real browser: Playwright for Python driving Debian's Chromium.

* One server per test session (werkzeug `make_server(..., threaded=True)` on 127.0.0.1, a free port, in a
  thread). It serves whichever app the current test built: every test gets the `app` fixture of
  tests/conftest.py (a fresh SQLite copy, or emptied PostgreSQL tables under TRACKER_TEST_DATABASE_URL)
  plus `factories.small_world()`, so the flows never depend on one another.
* One browser per session, a new context (cookies, storage) per test. A failing test leaves a
  screenshot in tests/browser/artifacts/<sqlite or postgresql>-<test name>.png.
* Accessibility: axe-core (vendored, tests only: vendor/axe-core) is injected only when `check_a11y`
  runs, by evaluating its source over the DevTools protocol (`page.evaluate`). The app's CSP
  (`script-src 'self'`) would block `add_script_tag(content=...)`, and `bypass_csp=True` would switch the
  CSP off for the whole page; evaluating keeps the page exactly as users get it, CSP included.
* The browser is never downloaded (`playwright install` is not used): CHROMIUM (default /usr/bin/chromium,
  override with TRACKER_CHROMIUM) must exist. bin/test installs Debian's chromium when missing. A missing
  browser makes these tests fail with a clear message, never skip.
"""

import os
import re
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from .chromium import CHROMIUM, CHROMIUM_ARGS

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
TIMEOUT_MS = 10_000


# --- the server -------------------------------------------------------------------------------------


class _CurrentApp:
    """A WSGI app that hands each request to the app of the test running now."""

    def __init__(self):
        self.app = None

    def __call__(self, environ, start_response):
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no test is running"]
        return self.app(environ, start_response)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        pass  # one line per request and static file would bury the failure in pytest's output


@pytest.fixture(scope="session")
def live_server():
    current = _CurrentApp()
    server = make_server("127.0.0.1", 0, current, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", current=current)
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def site(app, demo, live_server):
    """The live server serving this test's app, on a fresh database seeded with small_world().
    site.url(path) -> absolute URL; site.world -> the small_world() namespace."""
    world = demo
    app.config["BASE_URL"] = live_server.url  # the public address links are built from (TRACKER_BASE_URL)
    live_server.current.app = app
    yield SimpleNamespace(base=live_server.url, url=lambda path="/": live_server.url + path, world=world, app=app)
    live_server.current.app = None


# --- the browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        raise RuntimeError(
            f"Browser tests need Chromium at {CHROMIUM} (set TRACKER_CHROMIUM to use another path). "
            "Install it with `apt-get install chromium` (bin/test does this when it can). "
            "Playwright's own browser download is not used."
        )
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  (after the check above: a clear message first)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _screenshot_stem(node):
    """e.g. sqlite-test_x or postgresql-test_x: bin/test runs the suite on both, keep both runs' pictures."""
    backend = "postgresql" if os.environ.get("TRACKER_TEST_DATABASE_URL") else "sqlite"
    return f"{backend}-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", node.name)


@pytest.fixture
def browser_context(browser, site, request):
    """A fresh browser context (no cookies) for this test; more can be opened with new_context()."""
    contexts = []
    stem = _screenshot_stem(request.node)
    for old in ARTIFACTS.glob(f"{stem}*.png"):  # from an earlier run: would pass for this one's
        old.unlink()

    def new_context():
        context = browser.new_context(
            base_url=site.base, viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    new_context.first = new_context()
    yield new_context
    failed = any(
        getattr(request.node, f"report_{when}", None) is not None and getattr(request.node, f"report_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pages = [page for context in contexts for page in context.pages]
        for n, page in enumerate(pages):
            name = f"{stem}-{n + 1}.png" if len(pages) > 1 else f"{stem}.png"
            try:
                page.screenshot(path=str(ARTIFACTS / name), full_page=True)
                print(f"screenshot: {ARTIFACTS / name}")
            except Exception as exc:  # noqa: BLE001 - a screenshot must not hide the real failure
                print(f"no screenshot of page {n + 1}: {exc}")
    for context in contexts:
        context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.first.new_page()
    page.on("dialog", lambda dialog: dialog.dismiss())
    return page
