"""Attachments of meetings and deliverables (issue 23) on the API: list, upload, metadata, the file, delete.

The same rules as the pages (views/attachments.py), from the same places: who may list and download is
who may see the engagement, who may upload and delete is who may edit it (policy.get_engagement); the
file is checked (size, type, content) and stored by services/attachments.py alone; an attachment is
served only while it and its meeting or deliverable are live (Attachment.served). The file is sent as a
download (`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`, the MIME type of its
checked type). A refused file is a 413 (too large) or 422 (empty, not an accepted type, content not
what the name says) with the service's message under `file`, and nothing is stored.
"""

from flask import abort, has_app_context
from marshmallow import fields

from .. import policy
from ..models import Attachment, Deliverable, Meeting, ValidationError
from ..services import attachments as service
from .common import ApiError, caller
from .nested import _part
from .operations import operation
from .resources import run
from .schemas import Answer, Id, Timestamp


class AttachmentOut(Answer):
    id = Id(required=True)
    name = fields.String(required=True, metadata={"description": "The file's own name, as uploaded."})
    kind = fields.String(required=True, metadata={"description": "Its type: the extension checked on upload."})
    size = fields.Integer(required=True, metadata={"minimum": 1, "description": "In bytes."})
    sha256 = fields.String(required=True)
    engagement_id = Id(required=True)
    meeting_id = Id(required=True, allow_none=True)
    deliverable_id = Id(required=True, allow_none=True)
    uploaded_by_id = Id(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    version = fields.Integer(required=True)


FILE = {"type": "string", "contentMediaType": "application/octet-stream", "description": "The file's bytes."}


def _media_types():
    """The MIME types a file may be served as: the app's configured types (the defaults when the document
    is made without an app), without parameters."""
    configured = service.types() if has_app_context() else service.DEFAULT_TYPES
    return sorted({mime.split(";")[0] for mime in configured.values()})


def _attachment(attachment_id, edit=False):
    """A served attachment as the policy lets the caller reach it: 404 when its engagement is not visible
    or it (or its meeting or deliverable) is deleted, 403 when `edit` is asked and not allowed."""
    engagement_id = Attachment.select(Attachment.engagement).where(Attachment.id == attachment_id).scalar()
    if engagement_id is None:
        abort(404)
    engagement = policy.get_engagement(engagement_id, edit=edit, user=caller())
    found = Attachment.served().where((Attachment.id == attachment_id) & (Attachment.engagement == engagement.id))
    found = found.first()
    if found is None:
        abort(404)
    found.engagement = engagement
    return found


def _upload(record, upload):
    try:
        return service.add_attachment(record, upload, caller())
    except service.TooLarge as exc:
        raise ApiError(413, exc.errors["file"], exc.errors, code="file_too_large") from exc
    except ValidationError as exc:
        message = exc.errors.get("file") or "The file was refused. Nothing was uploaded."
        raise ApiError(422, message, exc.errors, code="file_refused") from exc


def _editable(model, key):
    def access(**ids):
        return _part(model, ids[key], edit=True)

    return access


@operation(
    "get",
    "/meetings/<int:meeting_id>/attachments",
    "listMeetingAttachments",
    tag="Attachments",
    summary="A meeting's files, oldest first",
    answer=AttachmentOut,
    paged=True,
)
def list_meeting_attachments(meeting_id):
    return Attachment.of(_part(Meeting, meeting_id))


@operation(
    "post",
    "/meetings/<int:meeting_id>/attachments",
    "uploadMeetingAttachment",
    tag="Attachments",
    summary="Attach a file to a meeting (multipart/form-data, part `file`)",
    answer=AttachmentOut,
    upload=True,
    access=_editable(Meeting, "meeting_id"),
    links={"getAttachment": {"attachment_id": "$response.body#/id"}},
)
def upload_meeting_attachment(meeting_id, target, upload):
    return _upload(target, upload)


@operation(
    "get",
    "/deliverables/<int:deliverable_id>/attachments",
    "listDeliverableAttachments",
    tag="Attachments",
    summary="A deliverable's files, oldest first",
    answer=AttachmentOut,
    paged=True,
)
def list_deliverable_attachments(deliverable_id):
    return Attachment.of(_part(Deliverable, deliverable_id))


@operation(
    "post",
    "/deliverables/<int:deliverable_id>/attachments",
    "uploadDeliverableAttachment",
    tag="Attachments",
    summary="Attach a file to a deliverable (multipart/form-data, part `file`)",
    answer=AttachmentOut,
    upload=True,
    access=_editable(Deliverable, "deliverable_id"),
    links={"getAttachment": {"attachment_id": "$response.body#/id"}},
)
def upload_deliverable_attachment(deliverable_id, target, upload):
    return _upload(target, upload)


@operation(
    "get",
    "/attachments/<int:attachment_id>",
    "getAttachment",
    tag="Attachments",
    summary="One file's details",
    answer=AttachmentOut,
)
def get_attachment(attachment_id):
    return _attachment(attachment_id)


@operation(
    "get",
    "/attachments/<int:attachment_id>/content",
    "downloadAttachment",
    tag="Attachments",
    summary="The file itself, as a download (Content-Disposition: attachment; X-Content-Type-Options: nosniff)",
    answer=FILE,
    media=_media_types,
)
def download_attachment(attachment_id):
    return service.download(_attachment(attachment_id))


@operation(
    "delete",
    "/attachments/<int:attachment_id>",
    "deleteAttachment",
    tag="Attachments",
    summary="Delete a file (soft: an administrator can restore it)",
)
def delete_attachment(attachment_id):
    run(service.delete_attachment, _attachment(attachment_id, edit=True))
