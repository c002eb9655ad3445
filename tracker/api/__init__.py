"""The JSON API (/api/v1): bearer tokens, the same access policy as the pages, JSON errors only.

Every error answers {"error": {"code", "message", "fields"}}; a refused request writes nothing.
common.py holds what the routes share; each module below adds its routes to the one blueprint.
"""

from . import (  # noqa: F401  (their routes and hooks join the blueprint)
    activities,
    attachments,
    feedback,
    http,
    modifications,
    nested,
    openapi,
    plans,
    reports,
    resources,
    search,
    tokens,
)
from .common import MAX_PER_PAGE, bp, new_token

__all__ = ["MAX_PER_PAGE", "bp", "new_token"]
