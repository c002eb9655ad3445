"""Context notes: barriers and facilitators by CFIR domain."""
from flask import Blueprint

bp = Blueprint("context_notes", __name__, url_prefix="/engagements/<int:engagement_id>/context-notes")
