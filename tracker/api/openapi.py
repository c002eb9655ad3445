"""GET /api/v1/openapi.json: the OpenAPI 3.1 description of the API, made by apispec from the operations
the routes declare (operations.py) and their marshmallow schemas (tests/test_api_openapi.py checks it
against the app's URL map both ways; tests/test_api_conformance.py checks it is valid OpenAPI, that every
answer is typed, and that the server does what it says, with schemathesis).

What every operation shares is written here once: the error answers, Idempotency-Key, If-Match, ETag,
Location."""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields

from .operations import OPERATIONS, operation, page_schema
from .schemas import Answer, Paging

S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741  (S, I, D: the schema shorthands used below)


def obj(required=(), **props):
    return {"type": "object", "properties": props, "required": list(required)}


ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": obj(
            ("code", "message", "fields"),
            code=S,
            message=S,
            fields={"type": "object", "additionalProperties": S},
            # a stale edit (409, code stale_version) also has these:
            changed_by={"type": ["string", "null"]},
            changed_at={"type": ["string", "null"], "format": "date-time"},
            theirs={"type": "object"},
            yours={"type": "object"},
            current={"type": ["object", "null"]},
            # a failed If-Match (412) also has this:
            current_version={"type": ["integer", "null"]},
        )
    },
}
# Items whose representation has no `version`: no ETag, and only `If-Match: *` matches them.
UNVERSIONED = ("{change_id}", "{stage_entry_id}", "{token_id}")
HEADERS = {
    "ETag": {
        "description": 'The record\'s version as a strong entity tag, `"<version>"`: send it in If-Match.',
        "schema": S,
    },
    "Location": {"description": "The URL of the new resource.", "schema": S},
}
PARAMETERS = {
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Any unique string (at most 200 printable characters) per request you mean to send once. "
        "A repeat with the same key and the same body within 24 hours answers as the first time (status, body, "
        "Location; header `Idempotent-Replayed: true`) and writes nothing; the same key with another body or "
        "path is refused with 422. Keys are per user. A first request that was refused keeps no key.",
        # printable ASCII, not starting or ending with a space (the server strips it): what every HTTP
        # stack can send; the server takes any printable text of 1 to 200 characters
        "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]([ -~]*[!-~])?$"},
    },
    "IfMatch": {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "description": "The ETag of the record as you read it (or `*`). When the record has changed since (or "
        "the tag is not one of its ETags) nothing is saved and the answer is 412 with the current ETag.",
        "schema": S,
    },
}
# error answers by status: (description, the methods they apply to)
ERRORS = (
    ("400", "Invalid input (unknown body fields are refused, each named in `fields`)", None),
    ("401", "Missing or bad token", None),
    ("403", "Not allowed", None),
    ("404", "Not found or not visible", None),
    (
        "409",
        "Conflict: a stale `version`, a duplicate, or a change the record's state refuses "
        "(entering the current stage again)",
        None,
    ),  # fmt: skip
    ("410", "Gone: the feedback link was used, has expired or its engagement closed", ()),  # where listed
    ("412", "If-Match names no current ETag of the record: nothing was saved", ("patch", "delete")),
    ("413", "Body over 1 MB", ("post", "patch")),
    ("415", "The body is not application/json", ("post", "patch")),
    ("422", "Idempotency-Key already used with a different request", ("post",)),
    ("429", "Too many requests: wait for the seconds in Retry-After", None),
    ("503", "The database is unavailable (full disk, read-only, unreachable): try again later", None),
)

# An upload's own answers (operation(upload=True)): the attachment's limits, not the JSON body's.
UPLOAD_ERRORS = {
    "413": "The file is over the attachment size limit (ATTACHMENT_MAX_BYTES): nothing was stored",
    "415": "The body is not multipart/form-data",
    "422": "The file is empty, of a type not accepted, or its content is not what its name says (the message "
    "says which): nothing was stored; or the Idempotency-Key was already used with a different request",
}
UPLOAD_BODY = {  # one part, named file: any other part is refused with 400, as a JSON body's unknown fields are
    "type": "object",
    "required": ["file"],
    "additionalProperties": False,
    "properties": {
        "file": {
            "type": "string",
            "contentMediaType": "application/octet-stream",
            "description": "The file, with its name (the extension says its type; the content must match it).",
        }
    },
}

DESCRIPTION = (
    "Send Authorization: Bearer <token>. Same access rules as the web pages: "
    "404 when a record is not visible to you, 403 when you may see but not change it. "
    "Every editable record's representation has a `version`, raised by each change; send it back "
    "in a PATCH body to have a change refused (409, code `stale_version`, with the current record) "
    "when someone else changed the record since you read it. A PATCH without `version` is saved "
    "whatever happened since (last write wins). The same holds in HTTP terms: one record's answer "
    "(GET, PATCH) carries an `ETag`; send it back in `If-Match` on PATCH or DELETE and a stale one is "
    "refused with 412. Send an `Idempotency-Key` with a POST to retry it safely: a repeat within 24 hours "
    "answers as the first time and writes nothing. A 201 carries the new resource's `Location`; bodies "
    "must be `application/json` (else 415) and at most 1 MB (else 413); a 405 names the allowed methods "
    "in `Allow`; a 204 has no body. Timestamps are UTC with their offset (`+00:00`)."
)


def _error_responses(method, path, has_body, public, extra=(), upload=False):
    responses = {}
    for code, text, methods in ERRORS:
        if methods is not None and method not in methods and code not in extra:
            continue
        if upload:
            text = UPLOAD_ERRORS.get(code, text)
        if code == "412" and path.endswith("{token_id}"):
            continue  # tokens have no version
        if code in ("413", "415") and not has_body:
            continue
        if code == "422" and public:
            continue
        responses[code] = {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return responses


def _common(method, path, ok, public, has_body, errors=(), upload=False):
    """Parameters and answers every operation of this kind has: Idempotency-Key, If-Match, Location,
    ETag and the error answers."""
    params, headers = [], {}
    if ok == "201":
        headers["Location"] = {"$ref": "#/components/headers/Location"}
    if method in ("get", "patch") and path.endswith("}") and not path.endswith(UNVERSIONED):
        headers["ETag"] = {"$ref": "#/components/headers/ETag"}
    if method == "post" and not public:
        params.append(PARAMETERS["IdempotencyKey"])  # written out, not a $ref: readers need not resolve one
    if method in ("patch", "delete") and not path.endswith("{token_id}"):
        params.append(PARAMETERS["IfMatch"])
    return params, headers, _error_responses(method, path, has_body, public, errors, upload)


def _operation(op):
    """One registered operation (operations.py) as the OpenAPI operation apispec completes."""
    public = op.public
    ok = str(op.status)
    has_body = op.body is not None or op.upload
    params, headers, errors = _common(op.method, op.path, ok, public, has_body, op.errors, op.upload)
    params = [
        {"name": n, "in": "path", "required": True, "schema": op.params.get(n, {"type": "integer", "minimum": 1})}
        for n in op.path_params
    ] + params
    if op.query is not None:
        params.append({"in": "query", "schema": op.query})
    if op.paged:
        params.append({"in": "query", "schema": Paging})
    success = {"description": op.summary}
    if headers:
        success["headers"] = headers
    if op.media is not None:  # a file, served as the media type of its checked type
        success["content"] = {media: {"schema": op.answer} for media in op.media()}
    elif ok != "204":
        answer = page_schema(op.answer) if op.paged else op.answer
        success["content"] = {"application/json": {"schema": answer}}
    if op.links:
        success["links"] = {
            target[0].upper() + target[1:]: {
                "operationId": target,
                "parameters": {
                    **{n: f"$request.path.{n}" for n in op.path_params if n in _params_of(target)},
                    **values,
                },
            }
            for target, values in op.links.items()
        }
    operation = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": params,
        "responses": {ok: success, **errors},
    }
    if op.description:
        operation["description"] = op.description
    if op.body is not None:
        content = {"schema": op.body}
        if op.example is not None:
            content["example"] = op.example
        operation["requestBody"] = {"required": True, "content": {"application/json": content}}
    if op.upload:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": UPLOAD_BODY}}}
    if public:
        operation["security"] = []
    return operation


def _params_of(operation_id):
    for op in OPERATIONS:
        if op.operation_id == operation_id:
            return op.path_params
    return []


def _schema_name(schema):
    """Component names: the schema class's name (GoalOut -> GoalOut); a modifier-made copy gets a suffix."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__
    return name if not getattr(schema, "partial", False) else name + "Partial"


def document():
    spec = APISpec(
        title="Engagement Tracker API",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={"description": DESCRIPTION},
        servers=[{"url": "/api/v1"}],
        security=[{"bearer": []}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, header in HEADERS.items():
        spec.components.header(name, header)
    spec.components.schema("Error", ERROR)
    by_path = {}
    for op in OPERATIONS:
        by_path.setdefault(op.path, {})[op.method] = _operation(op)
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)
    out = spec.to_dict()
    out["tags"] = [{"name": tag} for tag in sorted({op.tag for op in OPERATIONS})]
    return out


def _any_object(**kwargs):
    return fields.Dict(keys=fields.String(), values=fields.Raw(), **kwargs)


class OpenApiDocument(Answer):
    """This document, as OpenAPI 3.1 describes it (its parts are OpenAPI's own objects)."""

    openapi = fields.String(required=True, metadata={"example": "3.1.0"})
    info = _any_object(required=True)
    servers = fields.List(_any_object(), required=True)
    security = fields.List(_any_object(), required=True)
    tags = fields.List(_any_object(), required=True)
    paths = _any_object(required=True)
    components = _any_object(required=True)


@operation(
    "get",
    "/openapi.json",
    "getOpenApiDocument",
    tag="Document",
    summary="This document (no token needed)",
    answer=OpenApiDocument,
    public=True,
)
def openapi():
    return document()
