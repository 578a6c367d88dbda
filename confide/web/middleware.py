"""Security headers on every response: CSP, permissions policy, and no caching of pages; the page
for an action that committed without its flush to disk being confirmed; and the page for an
address opened with a method it does not take."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse

from confide.ledger.services import DurabilityUnconfirmed
from confide.web.auth import API_PREFIX, is_portal_path, local_path

logger = logging.getLogger("confide.web")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONFIDE_CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        if not request.path.startswith(
            settings.STATIC_URL
            if settings.STATIC_URL.startswith("/")
            else "/" + settings.STATIC_URL
        ):
            # Confidential pages must not be kept by browsers or shared caches (ONC (d)(7)).
            response.headers["Cache-Control"] = "no-store, max-age=0"
            response.headers["Pragma"] = "no-cache"
        return response


class DurabilityUnconfirmedMiddleware:
    """An action that committed but whose flush to disk could not be confirmed
    (`ledger.services.DurabilityUnconfirmed`, staff and portal pages alike): a page that says it
    was saved and must not be done again, rather than a bare server error that invites a second
    release, a second e-mail or a second accounting entry."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DurabilityUnconfirmed):
            return None
        logger.error("web: an action committed but its flush to disk was not confirmed")
        if request.headers.get("HX-Request") == "true":
            # An autosave: htmx swaps only a 200, and the editor's status line is the place.
            context = {"state": "error", "message": UNCONFIRMED_AUTOSAVE, "version": None}
            return render(request, "web/_save_status.html", context)
        portal = is_portal_path(request.path)
        return render(request, "web/durability_unconfirmed.html", {"portal": portal}, status=500)


UNCONFIRMED_AUTOSAVE = (
    "Saved, but the server could not confirm it is safely on disk: reload the page before "
    "typing more, and tell your administrator."
)


class MethodNotAllowedPageMiddleware:
    """A page's address opened with a method it does not take: most often a form's address
    (POST only) opened again from the address bar after the form showed an error, or
    bookmarked. A 405 page, the portal's under /portal/, that says nothing was done and links
    back (to the page the form belongs to where the address's parent is one), instead of the
    browser's blank "HTTP ERROR 405". The `Allow` header is kept; the API keeps its own
    answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed) or request.path.startswith(API_PREFIX):
            return response
        portal = is_portal_path(request.path)
        template = "portal/method_not_allowed.html" if portal else "web/method_not_allowed.html"
        context = {"form_page": form_page(request.path, portal=portal)}
        page = render(request, template, context, status=405)
        page["Allow"] = response["Allow"]
        return page


def form_page(path: str, *, portal: bool) -> str | None:
    """The page a form's address belongs to: its parent path, when that is a page of the same
    area other than the start page (`/notes/<id>/sign/` → `/notes/<id>/`)."""
    parent = path.rstrip("/").rpartition("/")[0] + "/"
    home = reverse("portal:home" if portal else "web:dashboard")
    found = local_path(parent, portal=portal)
    return found if found != home else None
