"""The read scope of a request: within one GET or HEAD request, an object looked up by id
through the access policy is fetched once (see `access.lookups.read_scope`)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from confide.access.lookups import read_scope

READ_ONLY = frozenset({"GET", "HEAD"})


class ReadScopeMiddleware:
    """GET and HEAD requests change no record, so their look-ups may share fetched rows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in READ_ONLY:
            return self.get_response(request)
        with read_scope():
            return self.get_response(request)
