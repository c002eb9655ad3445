"""The upload form of the admin's portfolio import (issue 20)."""

from flask import request
from werkzeug.datastructures import CombinedMultiDict
from wtforms import FileField

from . import BaseForm


class PortfolioUploadForm(BaseForm):
    """One workbook; its content is checked by the import's dry run, whose refusal is shown beside the field."""

    file = FileField("Portfolio workbook (.xlsx)")

    def __init__(self, formdata=None, **kwargs):
        if formdata is None and request.method == "POST":
            formdata = CombinedMultiDict((request.files, request.form))
        super().__init__(formdata, **kwargs)
