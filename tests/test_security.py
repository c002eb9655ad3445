"""Security headers on every response, and templates that a strict Content-Security-Policy allows."""

import re
from pathlib import Path

from tracker.security import CONTENT_SECURITY_POLICY

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_pages_carry_the_security_headers(client, demo, as_user):
    for response in (
        client.get("/login"),
        as_user(demo.isp_a1).get(f"/engagements/{demo.engagement_a.id}"),
        client.get("/no-such-page"),
    ):
        headers = response.headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
        assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_script_or_style():
    """The CSP forbids inline code; a template that adds some would break in the browser."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.name}: {tag}")
        if re.search(r"\sstyle=\"", text) or re.search(r"<style\b", text) or re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path.name}: inline style or event handler")
    assert offenders == []


def test_engagement_page_shows_benchmark_progress_without_inline_style(demo, as_user):
    html = as_user(demo.isp_a1).get(f"/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    assert re.search(r'<progress class="meter" max="\d+" value="0"', html)
