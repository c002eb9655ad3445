"""Blueprints (one per feature), error pages and the template helpers they share."""

from flask import jsonify, render_template, request
from flask_login import current_user
from peewee import InternalError, OperationalError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from .. import models, policy
from ..api import bp as api_bp
from ..auth import wants_json
from ..forms import BaseForm
from ..models import today
from . import (
    account,
    activities,
    admin,
    attachments,
    auth,
    context_notes,
    deliverables,
    drafts,
    engagements,
    feedback,
    goals,
    home,
    meetings,
    modifications,
    plans,
    portfolio,
    reports,
    requests,
    search,
    stages,
    team,
)
from .helpers import show_date


def init_app(app):
    for module in (
        auth,
        home,
        engagements,
        requests,
        meetings,
        drafts,
        activities,
        team,
        goals,
        plans,
        stages,
        deliverables,
        attachments,
        context_notes,
        modifications,
        feedback,
        reports,
        admin,
        portfolio,
        account,
        search,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(api_bp)

    @app.template_filter("date")
    def format_date(value, fmt=None):
        if not value:
            return ""
        if isinstance(value, str):
            return value
        return value.strftime(fmt) if fmt else show_date(value)

    @app.template_filter("minutes")
    def format_minutes(value):
        value = int(value or 0)
        hours, minutes = divmod(value, 60)
        if not hours:
            return f"{minutes} min"
        return f"{hours} h" if not minutes else f"{hours} h {minutes:02d} min"

    @app.context_processor
    def globals_for_templates():
        return {
            "today": today(),
            "label": models.label,
            "printed_at": models.utcnow(),
            "can": policy.Can(current_user),
        }

    def csrf_token():
        # never the request's form: a page answering a refused body (413) must not parse it again
        return BaseForm(formdata=MultiDict()).csrf_token.current_token

    # globals, not context: macros imported without context (a Restore button) need the token too
    app.jinja_env.globals.update(csrf_token=csrf_token)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        # the exception's own headers (Allow of a 405, WWW-Authenticate ...) but not its text/html type
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        if wants_json():
            return (
                jsonify(error={"code": exc.name.lower().replace(" ", "_"), "message": exc.description, "fields": {}}),
                exc.code,
                headers,
            )
        return render_template("errors/error.html", error=exc), exc.code, headers

    @app.errorhandler(OperationalError)
    @app.errorhandler(InternalError)  # PostgreSQL's read-only transaction (ReadOnlySqlTransaction)
    def storage_error(exc):
        """A full disk, a read-only or unreachable database: say so plainly (503), never a trace; the API
        gets the same answer as JSON (its blueprint leaves storage faults to this handler)."""
        app.logger.exception("Database unavailable on %s %s", request.method, request.path)
        message = (
            "The database cannot be written to or reached right now (for example the disk is full "
            "or it is read-only). Nothing was saved. Try again later, or tell your administrator."
        )
        if wants_json():
            return jsonify(error={"code": "service_unavailable", "message": message, "fields": {}}), 503
        return render_template("errors/error.html", error=None, storage_message=message), 503

    @app.errorhandler(Exception)
    def unexpected_error(exc):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return jsonify(
                error={"code": "internal_error", "message": "Something went wrong; nothing was saved.", "fields": {}}
            ), 500
        return render_template("errors/error.html", error=None), 500
