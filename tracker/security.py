"""Response headers that keep pages from being framed, sniffed, cached or made to run foreign code.

The Content-Security-Policy allows only this site's own scripts and styles: templates carry no
inline <script> or style="" (data for charts travels in <script type="application/json"> islands).

`Cache-Control: no-store` on every response but the static files: signed-in pages, API answers, CSV
exports and the page that shows single-use feedback links stay out of browser and proxy caches (the
rest, the sign-in and answer pages, carry a CSRF token or a link token). Behind HTTPS
(SESSION_COOKIE_SECURE) browsers are told to use nothing else (Strict-Transport-Security).
"""

from flask import request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
HSTS = "max-age=31536000"  # one year


def init_app(app):
    @app.after_request
    def set_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
