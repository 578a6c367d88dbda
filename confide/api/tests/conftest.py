"""API test fixtures: a token-carrying JSON caller, and row counts for "nothing was written"."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client as HttpClient

from confide.accounts import services as accounts
from confide.accounts.models import User
from confide.ledger.models import Event
from confide.records.models import Note
from confide.testing import actor

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


@dataclass
class ApiCaller:
    """Sends JSON to the API with an `Authorization` header (or none)."""

    http: HttpClient
    authorization: str | None

    def _headers(self) -> dict[str, str]:
        return {} if self.authorization is None else {"Authorization": self.authorization}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Response:
        return self.http.get(path, params or {}, headers=self._headers())

    def post(self, path: str, body: object) -> Response:
        return self.send("post", path, json.dumps(body))

    def patch(self, path: str, body: object) -> Response:
        return self.send("patch", path, json.dumps(body))

    def send(self, method: str, path: str, raw: str | bytes) -> Response:
        call = getattr(self.http, method)
        response: Response = call(
            path, data=raw, content_type="application/json", headers=self._headers()
        )
        return response


def token_for(user: User, days: int = 30) -> str:
    _, secret = accounts.token_create(actor=actor(user), name="test client", days=days)
    return secret


@pytest.fixture
def api_as() -> Callable[[User], ApiCaller]:
    """`api_as(user)`: a caller holding a fresh personal access token of `user`."""

    def make(user: User) -> ApiCaller:
        return ApiCaller(HttpClient(), f"Bearer {token_for(user)}")

    return make


@pytest.fixture
def anonymous() -> ApiCaller:
    return ApiCaller(HttpClient(), None)


def counts() -> tuple[int, int]:
    """(notes, ledger events): compared before and after a refused request."""
    return Note.objects.count(), Event.objects.count()
