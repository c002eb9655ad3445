"""Helpers for the JSON API tests: a token per user and JSON requests with it."""

from tracker.api import new_token


def token_for(user, name="test"):
    return new_token(user, name)[1]


class Api:
    """A test client speaking JSON with a bearer token (or none)."""

    def __init__(self, client, user=None, token=None):
        self.client = client
        self.token = token if token is not None else (token_for(user) if user is not None else None)

    def headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, url, **params):
        return self.client.get("/api/v1" + url, query_string=params, headers=self.headers())

    def send(self, method, url, json=None, data=None):
        kwargs = {"json": json} if data is None else {"data": data, "content_type": "application/json"}
        return self.client.open("/api/v1" + url, method=method, headers=self.headers(), **kwargs)

    def post(self, url, json=None, data=None):
        return self.send("POST", url, json, data)

    def patch(self, url, json=None, data=None):
        return self.send("PATCH", url, json, data)

    def delete(self, url):
        return self.send("DELETE", url)
