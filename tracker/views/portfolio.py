"""Admin > Portfolio (issue 20; administrators, policy.can_move_portfolio): upload a workbook, read its dry
run's preview (created, updated, unchanged per sheet; every problem as sheet, row, column and message), then
import it; download the whole portfolio or the empty template. The waiting upload: services/portfolio.py.
Only the upload route accepts a body up to 50 MB; a larger one is answered with the page and one message
beside the file field (413), nothing stored."""

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from .. import policy
from ..forms.portfolio import PortfolioUploadForm
from ..models import today
from ..portfolio import BadFile, workbook_bytes
from ..portfolio.template import build_template
from ..services import portfolio as service

bp = Blueprint("portfolio", __name__, url_prefix="/admin/portfolio")

PROBLEMS_SHOWN = 200  # the preview lists this many problems; the count says how many there are
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@policy.required(policy.can_move_portfolio)
def admins_only():
    return None


@bp.url_value_preprocessor
def _upload_limit(endpoint, values):
    """The upload alone accepts a body as large as a workbook (before any body is read)."""
    if endpoint == "portfolio.preview":
        request.max_content_length = service.MAX_BYTES  # the whole body: a 50 MB file is over it


def _page(form, status=200):
    return render_template("admin/portfolio.html", form=form, waiting=service.waiting()), status


@bp.route("/")
def index():
    return _page(PortfolioUploadForm())


@bp.route("/preview", methods=["POST"])
def preview():
    form = PortfolioUploadForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    if not form.file.data or not form.file.data.filename:
        form.file.errors = ["Choose the workbook to upload."]
        return _page(form, 400)
    try:
        report = service.preview(form.file.data, current_user)
    except BadFile as exc:
        form.file.errors = [str(exc)]
        return _page(form, 400)
    return render_template(
        "admin/portfolio_preview.html",
        report=report,
        name=service.waiting() or form.file.data.filename,
        problems=report.problems[:PROBLEMS_SHOWN],
        form=PortfolioUploadForm(formdata=MultiDict()),
    )


@bp.route("/import", methods=["POST"])
def commit():
    PortfolioUploadForm().validate_on_submit()  # the CSRF token (400 without it)
    done = service.commit(current_user)
    if done is None:
        flash("No previewed workbook is waiting: upload it again.", "error")
        return redirect(url_for("portfolio.index"))
    name, report = done
    if not report.committed:  # the data changed since the preview
        return render_template(
            "admin/portfolio_preview.html",
            report=report,
            name=name,
            problems=report.problems[:PROBLEMS_SHOWN],
            form=PortfolioUploadForm(formdata=MultiDict()),
        )
    totals = report.totals()
    flash(
        f"Imported {name}: {totals.created} created, {totals.updated} updated, {totals.unchanged} unchanged.",
        "success",
    )
    return redirect(url_for("portfolio.index"))


@bp.route("/export.xlsx")
def export():
    return send_file(
        io.BytesIO(workbook_bytes()),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"portfolio-{today().isoformat()}.xlsx",
    )


@bp.route("/template.xlsx")
def template():
    buffer = io.BytesIO()
    build_template(buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name="portfolio-template.xlsx")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    """A body over the upload limit: the page again, the message beside the file field."""
    if request.endpoint != "portfolio.preview" or not current_user.is_authenticated:
        return exc
    if not policy.can_move_portfolio(current_user):
        return exc
    form = PortfolioUploadForm(formdata=MultiDict())
    form.file.errors = [service.too_large_message()]
    return _page(form, 413)
