"""A Flask test client that sends one API token (`Authorization: Bearer …`) with every request."""
from __future__ import annotations

from flask import Flask


class BearerClient:
    def __init__(self, app: Flask, token: str):
        self._client = app.test_client()
        self._headers = {"Authorization": f"Bearer {token}"}

    def open(self, method: str, url: str, **kw):
        return self._client.open(url, method=method, headers=self._headers, **kw)

    def get(self, url: str, **kw):
        return self.open("GET", url, **kw)

    def post(self, url: str, **kw):
        return self.open("POST", url, **kw)

    def put(self, url: str, **kw):
        return self.open("PUT", url, **kw)

    def patch(self, url: str, **kw):
        return self.open("PATCH", url, **kw)

    def delete(self, url: str, **kw):
        return self.open("DELETE", url, **kw)
