"""The meeting log: log, edit, delete and restore meetings and sessions."""
from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/engagements/<int:engagement_id>/meetings")
