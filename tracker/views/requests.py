"""Support requests: submit, triage (accept, decline, ask for information), answer."""
from flask import Blueprint

bp = Blueprint("requests", __name__, url_prefix="/requests")
