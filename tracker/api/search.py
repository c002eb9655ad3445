"""GET /api/v1/search?q=: the search page's results (tracker/search.py, its one interface) as JSON.

The same hits, ranking, visibility and snippets as /search: a readable id the caller may see
(ENG-2026-014) answers the one record it names; otherwise the text is searched. Titles and snippets are
plain text, each with the offsets of its matched words (`[start, end)` in Unicode code points), taken
from the marks the page shows. Paged like every list (?page, ?per_page; a page past the end is empty).
"""

import html
import re

from flask import url_for
from marshmallow import fields, validate

from .. import search
from .common import ApiError, caller
from .operations import operation
from .schemas import Answer, Date, Id, Paging

MARKS = re.compile(r"(<mark>|</mark>)")


def plain(marked):
    """(text, [[start, end], ...]) of a search Markup: the text unescaped, the offsets of its <mark>s."""
    text, matches, inside = "", [], False
    for part in MARKS.split(str(marked or "")):
        if part in ("<mark>", "</mark>"):
            inside = part == "<mark>"
            continue
        piece = html.unescape(part)
        if inside and piece:
            matches.append([len(text), len(text) + len(piece)])
        text += piece
    return text, matches


class SearchQuery(Paging):
    q = fields.String(
        required=True,
        validate=validate.Length(max=search.MAX_QUERY_LENGTH, error=search.PROBLEMS["too_long"]),
        metadata={"description": "Words to find (all of them, stemmed), or a readable id such as ENG-2026-014."},
    )


MATCHES = {
    "description": "Where the matched words are in the text: [start, end) offsets in Unicode code points.",
    "items": {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 2, "maxItems": 2},
}


def Matches():  # noqa: N802  (a field factory, read as a type)
    return fields.List(fields.List(fields.Integer()), required=True, metadata=MATCHES)


class SearchHitOut(Answer):
    kind = fields.String(required=True, validate=validate.OneOf(list(search.KINDS)))
    label = fields.String(required=True, metadata={"description": "What the record is, in words."})
    record_id = Id(required=True, metadata={"description": "The id of the record found (of its `kind`)."})
    title = fields.String(required=True, metadata={"description": "Plain text."})
    title_matches = Matches()
    snippet = fields.String(required=True, metadata={"description": "Plain text: the matching passage."})
    snippet_matches = Matches()
    engagement_id = Id(required=True, allow_none=True)
    request_id = Id(required=True, allow_none=True)
    meeting_id = Id(required=True, allow_none=True, metadata={"description": "A meeting's, or a next step's."})
    context = fields.String(required=True, metadata={"description": "The engagement the record is part of."})
    date = Date(required=True, allow_none=True, metadata={"description": "A meeting's date."})
    url = fields.String(required=True, metadata={"description": "The page that shows the record."})


class SearchPage(Answer):
    items = fields.List(fields.Nested(SearchHitOut), required=True)
    page = fields.Integer(required=True, metadata={"minimum": 1})
    per_page = fields.Integer(required=True, metadata={"minimum": 1})
    total = fields.Integer(required=True, metadata={"minimum": 0})


def _hit(hit):
    title, title_matches = plain(hit.title)
    snippet, snippet_matches = plain(hit.snippet)
    return {
        "kind": hit.kind,
        "label": hit.label,
        "record_id": hit.record_id,
        "title": title,
        "title_matches": title_matches,
        "snippet": snippet,
        "snippet_matches": snippet_matches,
        "engagement_id": hit.values.get("engagement_id"),
        "request_id": hit.values.get("request_id"),
        "meeting_id": hit.values.get("meeting_id"),
        "context": hit.context,
        "date": hit.date,
        "url": url_for(hit.endpoint, **hit.values),
    }


@operation(
    "get",
    "/search",
    "search",
    tag="Search",
    summary="Find engagements, requests, meeting notes and next steps, goals, context notes and deliverables "
    "by their words (or a readable id), within what you may see, best first",
    query=SearchQuery,
    answer=SearchPage,
)
def search_records(args):
    page, per_page = args["page"], args["per_page"]
    found = search.by_readable_id(caller(), args["q"])
    if found is not None:
        hits, total = ([found] if page == 1 else []), 1
    else:
        try:
            results = search.query(caller(), args["q"], page, per_page)
        except search.QueryProblem as problem:
            message = search.PROBLEMS[problem.code]
            raise ApiError(400, message, {"q": message}, code="validation_error") from None
        total = results.page.total
        hits = results.hits if results.page.number == page else []  # past the end: empty, as every list
    return {"items": [_hit(h) for h in hits], "page": page, "per_page": per_page, "total": total}
