"""The implementation team: add, edit and end membership."""
from flask import Blueprint

bp = Blueprint("team", __name__, url_prefix="/engagements/<int:engagement_id>/team")
