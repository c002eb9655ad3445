"""Blueprints (one per feature), error pages and the template helpers they share."""
import datetime as dt

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .. import models


def init_app(app):
    from . import auth, context_notes, deliverables, engagements, feedback, goals, home, meetings, requests, stages, team
    from . import reports

    for module in (auth, home, engagements, requests, meetings, team, goals, stages, deliverables, context_notes,
                   feedback, reports):
        app.register_blueprint(module.bp)

    @app.template_filter("date")
    def format_date(value, fmt=None):
        if not value:
            return ""
        if isinstance(value, str):
            return value
        return value.strftime(fmt or app.config["DATE_FORMAT"])

    @app.template_filter("minutes")
    def format_minutes(value):
        value = int(value or 0)
        hours, minutes = divmod(value, 60)
        if not hours:
            return f"{minutes} min"
        return f"{hours} h" if not minutes else f"{hours} h {minutes:02d} min"

    @app.context_processor
    def globals_for_templates():
        return {"today": dt.date.today(), "label": models.label, "m": models, "logout_csrf": csrf_token, "csrf_token": csrf_token}

    def csrf_token():
        from ..forms import BaseForm

        return BaseForm().csrf_token.current_token

    @app.errorhandler(HTTPException)
    def http_error(exc):
        from ..auth import wants_json

        if wants_json():
            return jsonify(error={"code": exc.name.lower().replace(" ", "_"), "message": exc.description,
                                  "fields": {}}), exc.code
        return render_template("errors/error.html", error=exc), exc.code

    @app.errorhandler(Exception)
    def unexpected_error(exc):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_template("errors/error.html", error=None), 500
