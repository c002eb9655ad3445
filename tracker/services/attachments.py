"""Attachments (issue 23): checking an uploaded file, storing its bytes, listing and deleting it.

Settings (app config; defaults in tracker/__init__.py):
- ATTACHMENT_MAX_BYTES: the largest file accepted (10 MB). Only the upload routes accept a body that
  large (views/attachments.py); every other request keeps MAX_CONTENT_LENGTH (1 MB).
- ATTACHMENT_TYPES: {extension: MIME type} accepted. The extension is checked, and the content must
  carry the signature of its type (PDF, PNG and JPEG magic numbers; an Office Open XML zip with its
  part; UTF-8 text without NUL for txt and csv): the client's Content-Type is never read, and a
  download is always served with the MIME type written here.
- ATTACHMENT_STORAGE: "local" (files under ATTACHMENT_DIR, default instance/attachments) or the
  dotted path "package.module:Class" of another backend (an object store), built with the app's config.

A refused file raises models.ValidationError({"file": message}) before anything is written: no bytes
in storage, no row. Files are named by a random key (never the user's name), created 0600.
"""

import hashlib
import io
import os
import secrets
import zipfile

from flask import current_app, send_file
from werkzeug.utils import import_string

from ..db import database
from ..exports import create_private
from ..models import MAX_ATTACHMENT_NAME, Attachment, Meeting, ValidationError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
FORM_ALLOWANCE = 64 * 1024  # an upload request's other parts: the CSRF token, the multipart headers
DEFAULT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
# What the content of each type starts with or holds. A type configured without a check here is refused
# (the tracker cannot vouch for what it holds).
_OFFICE_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


def _is_text(data):
    try:
        return "\x00" not in data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False


def _is_office(data, kind):
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(_OFFICE_PARTS[kind]) for n in names)


SIGNATURES = {
    "pdf": lambda data: data.startswith(b"%PDF-"),
    "png": lambda data: data.startswith(b"\x89PNG\r\n\x1a\n"),
    "jpg": lambda data: data.startswith(b"\xff\xd8\xff"),
    "jpeg": lambda data: data.startswith(b"\xff\xd8\xff"),
    "txt": _is_text,
    "csv": _is_text,
    **{kind: (lambda data, kind=kind: _is_office(data, kind)) for kind in _OFFICE_PARTS},
}
TYPE_NAMES = {"pdf": "PDF", "docx": "Word", "xlsx": "Excel", "pptx": "PowerPoint", "png": "PNG", "jpg": "JPEG"}


# --- storage ------------------------------------------------------------------------------------


class Storage:
    """Where an attachment's bytes live, by key. A backend implements these three."""

    def save(self, key, data):
        raise NotImplementedError

    def open(self, key):
        """A binary file object to read (closed by the response that sends it)."""
        raise NotImplementedError

    def delete(self, key):
        raise NotImplementedError


class LocalStorage(Storage):
    """Files in one directory (0700), each created 0600 under its random key."""

    def __init__(self, config):
        self.root = config.get("ATTACHMENT_DIR") or os.path.join(config["INSTANCE_PATH"], "attachments")

    def _path(self, key):
        if not key.isalnum():  # keys are ours (hex); never a path
            raise ValueError("bad storage key")
        return os.path.join(self.root, key)

    def save(self, key, data):
        os.makedirs(self.root, mode=0o700, exist_ok=True)
        with open(create_private(self._path(key)), "wb") as fh:
            fh.write(data)

    def open(self, key):
        return open(self._path(key), "rb")  # noqa: SIM115 - send_file closes it

    def delete(self, key):
        try:
            os.remove(self._path(key))
        except FileNotFoundError:
            pass


def storage():
    """The configured backend for the current app."""
    config = dict(current_app.config, INSTANCE_PATH=current_app.instance_path)
    name = config.get("ATTACHMENT_STORAGE") or "local"
    backend = LocalStorage if name == "local" else import_string(name.replace(":", "."))
    return backend(config)


# --- settings -----------------------------------------------------------------------------------


def max_bytes():
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def request_limit():
    """The largest body an upload request (page or API) may send: the file and its form around it."""
    return max_bytes() + FORM_ALLOWANCE


class TooLarge(ValidationError):
    """A file over ATTACHMENT_MAX_BYTES (the API answers it 413, other refusals 422)."""


def types():
    return dict(current_app.config.get("ATTACHMENT_TYPES") or DEFAULT_TYPES)


def size_label(size):
    """A file size in words: "820 bytes", "14 KB", "2.5 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def accepted():
    """The accepted types in words, for the form's hint: "PDF, Word (.docx), ... ."."""
    return ", ".join(f".{kind}" for kind in types())


def too_large_message():
    return f"The file is larger than {size_label(max_bytes())}, the most the tracker accepts. Nothing was uploaded."


def clean_name(filename):
    """The uploaded file's own name, without any folder, control characters or surrounding spaces."""
    name = str(filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > MAX_ATTACHMENT_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_ATTACHMENT_NAME - len(ext) - 1] + dot + ext) if dot else name[:MAX_ATTACHMENT_NAME]
    return name


def check_file(upload):
    """(name, kind, bytes) of an acceptable upload (a werkzeug FileStorage), or ValidationError."""
    name = clean_name(getattr(upload, "filename", None))
    if not name:
        raise ValidationError({"file": "Choose a file to upload."})
    kind = name.rpartition(".")[2].lower() if "." in name else ""
    allowed = types()
    if kind not in allowed or kind not in SIGNATURES:
        raise ValidationError(
            {"file": f"“{name}” is not a type the tracker accepts. Accepted: {accepted()}. Nothing was uploaded."}
        )
    limit = max_bytes()
    data = upload.stream.read(limit + 1)
    if not data:
        raise ValidationError({"file": f"“{name}” is empty. Nothing was uploaded."})
    if len(data) > limit:
        raise TooLarge({"file": too_large_message()})
    if not SIGNATURES[kind](data):
        what = TYPE_NAMES.get(kind, f".{kind}")
        raise ValidationError(
            {
                "file": f"“{name}” does not hold what its name says: its content is not a {what} file. "
                "Nothing was uploaded."
            }
        )
    return name, kind, data


def add_attachment(record, upload, user):
    """Attach the uploaded file to `record` (a live meeting or deliverable); the new Attachment.
    Checked in full first (check_file); the row is written only once the bytes are stored, and the
    bytes are removed again when the row cannot be written."""
    name, kind, data = check_file(upload)
    parent = {"meeting": record} if isinstance(record, Meeting) else {"deliverable": record}
    return store_file(name, kind, data, engagement=record.engagement_id, uploaded_by=user.id, **parent)


def store_file(name, kind, data, **fields):
    """Store checked bytes (check_file's answer) and write their Attachment with `fields` (engagement,
    meeting or deliverable, uploaded_by, created_at...): the upload's path and the portfolio import's
    (issue 20). The row is written only once the bytes are stored; they are removed again when it cannot be."""
    key = secrets.token_hex(16)
    store = storage()
    store.save(key, data)
    try:
        with database.atomic():
            return Attachment.create(
                name=name,
                kind=kind,
                size=len(data),
                storage_key=key,
                sha256=hashlib.sha256(data).hexdigest(),
                **fields,
            )
    except Exception:
        store.delete(key)
        raise


def download(attachment):
    """The response that serves an attachment (a served one: the caller checked access): a download under
    its own name (`Content-Disposition: attachment`), the MIME type of its checked type, `nosniff`,
    never cached. The pages and the API send files through this alone."""
    response = send_file(
        storage().open(attachment.storage_key),
        # without its parameters: werkzeug adds "charset=utf-8" to a text type itself (else it said it twice)
        mimetype=types().get(attachment.kind, "application/octet-stream").split(";")[0],
        as_attachment=True,
        download_name=attachment.name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def delete_attachment(attachment):
    """Soft-delete one attachment (audited as "delete"); its bytes stay for a restore."""
    with database.atomic():
        attachment.soft_delete()
    return attachment


def engagement_attachments(engagement):
    """Every attachment of an engagement that may be served, with its parent: for the portfolio export
    (issue 20). [{"id", "name", "kind", "size", "on" ("meeting" | "deliverable"), "record_id",
    "uploaded_by", "created_at", "storage_key"}]"""
    return [
        {
            "id": a.id,
            "name": a.name,
            "kind": a.kind,
            "size": a.size,
            "on": "meeting" if a.meeting_id else "deliverable",
            "record_id": a.meeting_id or a.deliverable_id,
            "uploaded_by": a.uploaded_by.name if a.uploaded_by_id else "",
            "created_at": a.created_at,
            "storage_key": a.storage_key,
        }
        for a in Attachment.of_engagement(engagement)
    ]
