"""Each API route declared once: `@operation(...)` adds the route to the blueprint and records what the
OpenAPI document says of it (openapi.py), from the same schemas that validate its body and query and
serialize its answer. A route then receives what it needs already checked and returns records:

    @operation("post", "/engagements/<int:engagement_id>/goals", "createGoal", tag="Goals",
               summary="Add a goal", body=GoalNew, answer=GoalOut, status=201,
               links={"getGoal": {"goal_id": "$response.body#/id"}})
    def add_goal(engagement_id, data):
        ...
        return goal          # dumped through GoalOut, answered 201 (Location, ETag: http.py)

- `body`: a schemas.Body; the route gets `data`, the loaded dict. Fields left out of the body are left
  out of `data` unless the field has a load_default, so a PATCH sees exactly what was sent. Refused
  input is a 400 naming each field.
- `query`: a schemas.Query; the route gets `args`.
- `answer`: the schema of the answer; `paged=True`: the route returns a query (or a list) and the answer is
  {"items", "page", "per_page", "total"} of it; a route may also return a ready Flask response.
- `access`: a function of the path's parameters that raises the policy's 404 / 403 (a caller who may not
  make the request never learns what is wrong with its body); what it returns is the view's `target`.
- `status`: 200 by default, 201 for a create, 204 for a delete (no body).
- `upload=True`: the body is multipart/form-data with one part, `file` (an attachment: size and type are
  checked by services/attachments.py, never here); the route gets `upload`, the file or None.
- `media`: for an answer that is a file, a function giving the media types it may be served as.
- `links`: OpenAPI links of the success answer, {operationId: {parameter: runtime expression}}; the
  path's own parameters are passed on by default ("$request.path.<name>").
"""

import functools
import re
from dataclasses import dataclass, field

import marshmallow as ma
from flask import Response, jsonify, request
from marshmallow import fields

from .common import UPLOADS, bp, error, require
from .common import body as request_body
from .schemas import Paging, load


@dataclass
class Operation:
    method: str
    rule: str  # the Flask rule, e.g. /engagements/<int:engagement_id>
    operation_id: str
    tag: str
    summary: str
    description: str = ""
    body: type | None = None
    query: type | None = None
    answer: object = None  # a schema class, or a JSON Schema dict for answers with no resource schema
    status: int | None = None  # 201 for a POST, 204 for a DELETE, else 200
    paged: bool = False
    public: bool = False
    links: dict = field(default_factory=dict)
    errors: tuple = ()  # extra error statuses this operation answers beyond the common ones (e.g. 409)
    example: dict | None = None  # an example request body
    params: dict = field(default_factory=dict)  # JSON Schemas of path parameters that are not ids ({name: schema})
    allow: object = None  # a policy rule of the caller, or (rule, message): 403 before the body is read
    # A policy lookup called with the path's parameters before the body is read, so a caller who may not
    # see or change the record gets its 404/403 (as on the pages), never a 400 about the body; what it
    # returns (the record) reaches the view as `target`.
    access: object = None
    upload: bool = False  # a multipart/form-data body with one `file` part (see the module's docstring)
    media: object = None  # for a file answer: a function giving its media types

    @property
    def path(self):
        """The OpenAPI path: /engagements/{engagement_id}."""
        return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", self.rule)

    @property
    def path_params(self):
        return re.findall(r"{([a-z_]+)}", self.path)


OPERATIONS: list[Operation] = []
_PAGES = {}


def page_schema(answer):
    """The schema of a page of `answer` items (one per resource: EngagementPage, ...), made once."""
    name = answer.__name__.removesuffix("Out") + "Page"
    if name not in _PAGES:
        _PAGES[name] = ma.Schema.from_dict(
            {
                "items": fields.List(fields.Nested(answer), required=True),
                "page": fields.Integer(required=True, metadata={"minimum": 1}),
                "per_page": fields.Integer(required=True, metadata={"minimum": 1}),
                "total": fields.Integer(required=True, metadata={"minimum": 0}),
            },
            name=name,
        )
    return _PAGES[name]


def page_of(result, page, per_page):
    """{"items", "page", "per_page", "total"} of `result` (a query, or a list already in order): the
    one shape of every list and of a report's growing list; a page past the end is empty."""
    if isinstance(result, list):
        total, rows = len(result), result[(page - 1) * per_page : page * per_page]
    else:
        total, rows = result.count(), list(result.paginate(page, per_page))
    return {"items": rows, "page": page, "per_page": per_page, "total": total}


def paged_answer(result, answer):
    """A page of `result` through `answer`, at the request's ?page and ?per_page."""
    args = load(Paging, request.args)
    out = page_of(result, args["page"], args["per_page"])
    out["items"] = answer(many=True).dump(out["items"])
    return out


def uploaded_file():
    """The `file` part of a multipart body (or None: the service says a file is needed); any other part is
    refused with 400 naming it, as a JSON body's unknown fields are."""
    unknown = sorted({n or "(a part without a name)" for n in set(request.form) | set(request.files)} - {"file"})
    if unknown:
        error(400, "Send one part, named file. Unknown parts: " + ", ".join(n[:100] for n in unknown[:10]) + ".",
              {n[:100]: "Unknown field." for n in unknown[:50]})  # fmt: skip
    return request.files.get("file")


def operation(method, rule, operation_id, *, tag, summary, **options):
    op = Operation(method.lower(), rule, operation_id, tag, summary, **options)
    if op.status is None:
        op.status = {"post": 201, "delete": 204}.get(op.method, 200)

    def wrap(view):
        @functools.wraps(view)
        def endpoint(**kwargs):
            if op.allow is not None:  # who may not do this learns so before their body is judged
                require(*(op.allow if isinstance(op.allow, tuple) else (op.allow,)))
            if op.access is not None:  # the policy's 404 / 403 come before a 400 for the body
                kwargs["target"] = op.access(**kwargs)
            if op.body is not None:
                kwargs["data"] = load(op.body, request_body())
            if op.query is not None:
                kwargs["args"] = load(op.query, request.args)
            if op.upload:
                kwargs["upload"] = uploaded_file()
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            if op.status == 204:
                return "", 204
            if op.paged:
                return jsonify(paged_answer(result, op.answer)), op.status
            if isinstance(op.answer, type) and issubclass(op.answer, ma.Schema):
                result = op.answer().dump(result)
            return jsonify(result), op.status

        if op.upload:
            UPLOADS.add(f"{bp.name}.{view.__name__}")
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=endpoint, methods=[op.method.upper()])
        OPERATIONS.append(op)
        return endpoint

    return wrap
