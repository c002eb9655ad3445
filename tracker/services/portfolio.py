"""The admin page's portfolio import (issue 20): the uploaded workbook waits in the instance folder between
its preview (a dry run) and the "Import" that commits it.

Why keep it rather than ask for it again: the admin imports exactly the file whose preview they read, with
one click. It is stored under a random name (never the user's) in instance/portfolio-uploads/ (or
PORTFOLIO_UPLOAD_DIR), named only in
the admin's signed session, deleted once imported or when the next upload replaces it; a file left by an
abandoned preview is deleted by the next upload once a day old.
"""

import os
import secrets
import time

from flask import current_app, session

from ..portfolio import BadFile, import_portfolio

MAX_BYTES = 50 * 1024 * 1024  # the page's upload limit (50 MB); every other request keeps its own
KEEP_SECONDS = 24 * 3600
SESSION_KEY = "portfolio_upload"


def too_large_message():
    return (
        "This file is larger than 50 MB: split the portfolio, or import it with flask import-portfolio. "
        "Nothing was stored."
    )


def _folder():
    folder = current_app.config.get("PORTFOLIO_UPLOAD_DIR") or os.path.join(
        current_app.instance_path, "portfolio-uploads"
    )
    os.makedirs(folder, mode=0o700, exist_ok=True)
    return folder


def _path(key):
    return os.path.join(_folder(), key + ".xlsx")


def _forget_old():
    now = time.time()
    for name in os.listdir(_folder()):
        path = os.path.join(_folder(), name)
        if now - os.path.getmtime(path) > KEEP_SECONDS:
            os.remove(path)


def discard():
    """Delete the session's waiting upload, if any."""
    kept = session.pop(SESSION_KEY, None)
    if kept and os.path.exists(_path(kept["key"])):
        os.remove(_path(kept["key"]))


def preview(upload, actor):
    """Keep `upload` (a werkzeug FileStorage) and dry-run it: its ImportReport. BadFile (nothing kept) for a
    file of the wrong type or size, or one the engine cannot read. The file waits for `commit` only if the
    report has no problem."""
    name = os.path.basename(upload.filename or "")
    if not name.lower().endswith(".xlsx"):
        raise BadFile(
            "Upload the portfolio as an Excel workbook (.xlsx). A folder of CSV files imports from the command "
            "line: flask import-portfolio DIR. Nothing was stored."
        )
    discard()
    _forget_old()
    key = secrets.token_hex(16)
    path = _path(key)
    upload.save(path)
    os.chmod(path, 0o600)
    try:
        if os.path.getsize(path) > MAX_BYTES:
            raise BadFile(too_large_message())
        report = import_portfolio(path, dry_run=True, actor=actor, name=name)
    except BaseException:
        os.remove(path)
        raise
    if report.ok:
        session[SESSION_KEY] = {"key": key, "name": name}
    else:
        os.remove(path)
    return report


def waiting():
    """The name of the upload waiting for its import, or None."""
    kept = session.get(SESSION_KEY)
    return kept["name"] if kept and os.path.exists(_path(kept["key"])) else None


def commit(actor):
    """Import the waiting upload for real: (file name, ImportReport), or None when none waits. The file is
    deleted whatever the outcome (a refused import is uploaded again once fixed)."""
    kept = session.get(SESSION_KEY)
    if not kept or not os.path.exists(_path(kept["key"])):
        session.pop(SESSION_KEY, None)
        return None
    try:
        report = import_portfolio(_path(kept["key"]), dry_run=False, actor=actor, name=kept["name"])
    finally:
        discard()
    return kept["name"], report
