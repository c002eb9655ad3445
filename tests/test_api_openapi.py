"""JSON API: the OpenAPI document matches the routes the app serves, both ways."""

import re

from .api_helpers import Api

IGNORED = {"HEAD", "OPTIONS"}


def _app_routes(app):
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule[len("/api/v1") :])
        for method in rule.methods - IGNORED:
            found.add((path, method.lower()))
    return found


def test_openapi_document_lists_every_route_and_nothing_else(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200  # no token needed
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert documented == _app_routes(app)


def test_openapi_operations_are_complete(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, ops in doc["paths"].items():
        params = set(re.findall(r"{([a-z_]+)}", path))
        for method, op in ops.items():
            assert op["summary"] and "responses" in op
            assert params == {p["name"] for p in op["parameters"] if p["in"] == "path"}, (path, method)
            if method in ("post", "patch"):
                assert "requestBody" in op, (path, method)


def test_token_is_not_needed_for_the_document_but_for_the_rest(client, demo):
    assert Api(client).get("/openapi.json").status_code == 200
    assert Api(client).get("/catalog").status_code == 401
