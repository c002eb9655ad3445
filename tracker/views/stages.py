"""Stages and benchmarks: enter a stage, check benchmarks off, add engagement-specific ones."""
from flask import Blueprint

bp = Blueprint("stages", __name__, url_prefix="/engagements/<int:engagement_id>")
