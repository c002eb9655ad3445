"""The upload form of an attachment (issue 23)."""

from flask import request
from werkzeug.datastructures import CombinedMultiDict
from wtforms import FileField, SubmitField

from . import BaseForm


class AttachmentForm(BaseForm):
    """One file. Its content is checked by services/attachments.py (type, signature, size), whose
    refusal is shown next to the field."""

    file = FileField("File")
    submit = SubmitField("Upload")

    def __init__(self, formdata=None, **kwargs):
        if formdata is None and request.method == "POST":
            formdata = CombinedMultiDict((request.files, request.form))
        super().__init__(formdata, **kwargs)
