"""Deliverables: add, edit, mark delivered, remove."""
from flask import Blueprint

bp = Blueprint("deliverables", __name__, url_prefix="/engagements/<int:engagement_id>/deliverables")
