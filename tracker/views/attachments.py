"""Attachments on meetings and deliverables (issue 23): upload, download, delete; a deliverable's files.

Who: those who may see the engagement list and download its files; those who may edit it upload and
delete them (policy.get_engagement, edit=True). A file is served only while it and its meeting or
deliverable are live (Attachment.served), as a download (`Content-Disposition: attachment` with the
original name, `X-Content-Type-Options: nosniff`, the MIME type of its checked type).
Only the upload routes accept a body up to ATTACHMENT_MAX_BYTES (plus the form's other fields); a larger
one is answered with the upload form and the message next to the file field (413), nothing stored.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from .. import policy
from ..forms.attachments import AttachmentForm
from ..models import Attachment, Deliverable, Engagement, Meeting, ValidationError
from ..services import attachments as service
from .helpers import delete_part_page

bp = Blueprint("attachments", __name__, url_prefix="/engagements/<int:engagement_id>")

UPLOADS = {"attachments.meeting_upload": Meeting, "attachments.deliverable_upload": Deliverable}


@bp.url_value_preprocessor
def _upload_limit(endpoint, values):
    """The upload routes alone accept a body as large as an attachment (before any body is read)."""
    if endpoint in UPLOADS:
        request.max_content_length = service.request_limit()


@bp.app_template_filter("file_size")
def _file_size(size):
    return service.size_label(int(size or 0))


@bp.app_template_global("attachment_hint")
def _attachment_hint():
    return f"Accepted: {service.accepted()}; at most {service.size_label(service.max_bytes())}."


def _record_page(engagement, record):
    if isinstance(record, Meeting):
        return url_for("meetings.detail", engagement_id=engagement.id, meeting_id=record.id, _anchor="files-h")
    return url_for("attachments.deliverable", engagement_id=engagement.id, deliverable_id=record.id)


def _record_name(record):
    if isinstance(record, Meeting):
        return f"{record.kind_label}, {record.date.isoformat()}"
    return record.title


def _upload_page(engagement, record, form, status=200):
    endpoint = "meeting_upload" if isinstance(record, Meeting) else "deliverable_upload"
    key = "meeting_id" if isinstance(record, Meeting) else "deliverable_id"
    return (
        render_template(
            "attachments/upload.html",
            e=engagement,
            record=record,
            record_name=_record_name(record),
            back=_record_page(engagement, record),
            action=url_for(f"attachments.{endpoint}", engagement_id=engagement.id, **{key: record.id}),
            form=form,
            accepted=service.accepted(),
            max_size=service.size_label(service.max_bytes()),
        ),
        status,
    )


def _upload(engagement_id, model, record_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    record = policy.get_part(model, engagement, record_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        try:
            attachment = service.add_attachment(record, form.file.data, current_user)
        except ValidationError as exc:
            form.add_errors(exc.errors)
        else:
            flash(f"File uploaded: {attachment.name}.", "success")
            return redirect(_record_page(engagement, record))
    return _upload_page(engagement, record, form, 400 if form.errors else 200)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    """A body over the upload limit: the upload form again, the message beside the file field."""
    values = request.view_args or {}
    model = UPLOADS.get(request.endpoint)
    if model is None or not current_user.is_authenticated:
        return exc
    engagement = Engagement.live().where(Engagement.id == values.get("engagement_id")).first()
    if engagement is None or not policy.can_edit_engagement(current_user, engagement):
        return exc
    record_id = values.get("meeting_id") or values.get("deliverable_id")
    record = model.select().where((model.id == record_id) & (model.engagement == engagement.id)).first()
    if record is None or record.deleted_at is not None:
        return exc
    form = AttachmentForm(formdata=MultiDict())
    form.file.errors = [service.too_large_message()]
    return _upload_page(engagement, record, form, 413)


@bp.route("/meetings/<int:meeting_id>/attachments/new", methods=["GET", "POST"])
@login_required
def meeting_upload(engagement_id, meeting_id):
    return _upload(engagement_id, Meeting, meeting_id)


@bp.route("/deliverables/<int:deliverable_id>/attachments/new", methods=["GET", "POST"])
@login_required
def deliverable_upload(engagement_id, deliverable_id):
    return _upload(engagement_id, Deliverable, deliverable_id)


@bp.route("/deliverables/<int:deliverable_id>/attachments")
@login_required
def deliverable(engagement_id, deliverable_id):
    """A deliverable's files: everyone who sees the engagement; upload and delete for its editors."""
    engagement = policy.get_engagement(engagement_id)
    record = policy.get_part(Deliverable, engagement, deliverable_id)
    return render_template(
        "attachments/deliverable.html",
        e=engagement,
        d=record,
        files=list(Attachment.of(record)),
        can_edit=policy.can_edit_engagement(current_user, engagement),
        form=AttachmentForm(),
    )


def _served(engagement, attachment_id):
    found = Attachment.served().where((Attachment.id == attachment_id) & (Attachment.engagement == engagement.id))
    found = found.first()
    if found is None:
        abort(404)
    found.engagement = engagement
    return found


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download(engagement_id, attachment_id):
    return service.download(_served(policy.get_engagement(engagement_id), attachment_id))


@bp.route("/attachments/<int:attachment_id>/delete", methods=["GET", "POST"])
@login_required
def delete(engagement_id, attachment_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    attachment = _served(engagement, attachment_id)
    record = attachment.meeting if attachment.meeting_id else attachment.deliverable
    return delete_part_page(
        attachment,
        title="Delete this file?",
        message=f"“{attachment.name}” will no longer be listed on {_record_name(record)} or downloadable.",
        button="Delete the file",
        action=url_for(".delete", engagement_id=engagement.id, attachment_id=attachment.id),
        back=_record_page(engagement, record),
        done=lambda a: f"File deleted: {a.name}.",
    )
