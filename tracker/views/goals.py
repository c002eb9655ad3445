"""Goals: add, edit, and change status with a dated history."""
from flask import Blueprint

bp = Blueprint("goals", __name__, url_prefix="/engagements/<int:engagement_id>/goals")
