"""The README's screenshots: the dashboard, an engagement page and the meeting form, at desktop and phone
widths, taken in Chromium from a running server with the demo data (`bin/screenshots` starts one).

    python -m tests.browser.screenshots URL [OUT-DIR]

Signs in through the sign-in form as a demo leader (dashboard; and, at desktop width, the figures listed in
FIGURES: the stage journey, one engagement's timeline, the competency matrix) and a demo ISP co-lead
(engagement page and meeting form); saves full-page PNGs named
{dashboard,engagement,meeting-form}-{desktop,phone}.png and {FIGURES name}-desktop.png
(a page too long for MAX_BYTES is cut at the bottom). Warns when a page scrolls sideways.
Debian's Chromium is used (TRACKER_CHROMIUM overrides /usr/bin/chromium); no browser is downloaded.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlencode

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tracker.tools.demo import DEMO_PASSWORD

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAX_BYTES = 600_000  # per PNG: they live in the repository

LEADER = "helen.carver@northbridge.example"
ISP = "maya.okafor@northbridge.example"  # co-lead of "Home visiting: operationalizing core components"
ENGAGEMENT_TITLE = "Home visiting: operationalizing core components"

# The figures of the reports pictured on their own (desktop): file name, path, the heading of their section.
FIGURES = [
    ("stage-journey", "/reports/progress", "Stage journeys"),
    ("engagement-timeline", "/reports/engagements/{engagement_id}", "Timeline"),
    ("competency-matrix", "/reports/competencies", "ISPs and competencies"),
]

# name -> viewport and scale; the phone pictures stay at 1x to keep each PNG small
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 1,
        "is_mobile": True,
        "has_touch": True,
    },
}


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if not page.get_by_role("button", name="Sign out").is_visible():
        raise RuntimeError(f"{email} could not sign in (is the demo data seeded?)")


def engagement_path(page):
    """The path of the demo engagement, found through the engagement list's title search (ids depend on the
    database)."""
    page.goto("/engagements?" + urlencode({"q": ENGAGEMENT_TITLE}))
    href = page.get_by_role("link", name=ENGAGEMENT_TITLE, exact=True).first.get_attribute("href")
    if not href:
        raise RuntimeError(f"the engagement list has no link to {ENGAGEMENT_TITLE!r}")
    return href.split("?")[0].split("#")[0]


def shoot(page, path, out):
    """A full-page PNG of `path`; a long page is cut at the height that keeps the file under MAX_BYTES.
    True when the page is no wider than the window (no horizontal scrolling)."""
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # no autofocus ring
    png = page.screenshot(full_page=True)
    width, height = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    shown = height
    while len(png) > MAX_BYTES and shown > 400:
        shown = int(shown * MAX_BYTES * 0.9 / len(png))
        png = page.screenshot(full_page=True, clip={"x": 0, "y": 0, "width": width, "height": shown})
    out.write_bytes(png)
    window = page.viewport_size["width"]
    cut = f", top {shown} of {height}px" if shown < height else ""
    print(
        f"{out.name}: {path} ({len(png) // 1024} KB, page {width}px wide in a {window}px window{cut})"
        + ("  TOO WIDE" if width > window else "")
    )
    return width <= window


def shoot_section(page, path, heading, out):
    """A PNG of the section (or figure) of `path` whose heading is `heading`: one figure of a long report."""
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    section = page.locator("section", has=page.get_by_role("heading", name=heading, exact=True)).first
    section.scroll_into_view_if_needed()
    png = section.screenshot()
    out.write_bytes(png)
    print(f"{out.name}: {path}, section {heading!r} ({len(png) // 1024} KB)")
    return True


def take(base_url, out=OUT):
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  (bin/screenshots: only this script needs it)

    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"Chromium is missing at {CHROMIUM} (apt-get install chromium, or set TRACKER_CHROMIUM).")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    fits = True
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for size, options in SIZES.items():
                context = browser.new_context(base_url=base_url, **options)
                context.set_default_timeout(15_000)
                page = context.new_page()
                sign_in(page, LEADER)
                fits &= shoot(page, "/reports/", out / f"dashboard-{size}.png")
                engagement = engagement_path(page)
                if size == "desktop":
                    for name, path, heading in FIGURES:
                        report = path.format(engagement_id=engagement.rsplit("/", 1)[-1])
                        shoot_section(page, report, heading, out / f"{name}-{size}.png")
                context.clear_cookies()
                sign_in(page, ISP)
                fits &= shoot(page, engagement, out / f"engagement-{size}.png")
                fits &= shoot(page, f"{engagement}/meetings/new?kind=monthly", out / f"meeting-form-{size}.png")
                context.close()
        finally:
            browser.close()
    return fits


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        raise SystemExit(__doc__)
    fits = take(argv[0].rstrip("/"), argv[1] if len(argv) > 1 else OUT)
    if not fits:
        print("warning: some page is wider than the window (horizontal scrolling)", file=sys.stderr)


if __name__ == "__main__":
    main()
