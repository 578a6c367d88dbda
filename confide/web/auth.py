"""How a page learns who is acting: a signed-in, MFA-verified staff member, or a redirect.

`staff_view` wraps every page that shows or changes client data: it requires the second factor,
builds the Actor, and turns domain errors into pages that leak nothing ("not found" and "not
allowed" render the same 404). A signed-out visit to a page (GET or HEAD) goes to the sign-in
with the page's path as `next`, so signing in (again, after an idle timeout too) returns there.

`local_path` is the one rule for where a `next` may lead, for the staff pages and the client
portal alike: a bare path of a page of this site, in the right area.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Concatenate, ParamSpec, cast
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse

from confide.accounts.actors import actor_for
from confide.accounts.models import User
from confide.core.actor import Actor
from confide.core.errors import DomainError, NotFound

P = ParamSpec("P")
REAUTH_AT = "confide_reauth_at"
PORTAL_PREFIX = "/portal/"
API_PREFIX = "/api/"
MAX_NEXT_LENGTH = 500
# Pages a `next` never leads to: the sign-in steps themselves (returning there would loop).
NOT_A_DESTINATION = ("/sign-in/", "/sign-out/", "/portal/sign-in/", "/portal/sign-out/")
StaffView = Callable[Concatenate[HttpRequest, Actor, P], HttpResponse]


def current_user(request: HttpRequest) -> User | None:
    user = request.user
    if not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
        return None
    return user if isinstance(user, User) else None


def render_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    template = "web/not_found.html" if isinstance(error, NotFound) else "web/error.html"
    return render(request, template, {"error": error}, status=error.status)


def staff_view(view: StaffView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = current_user(request)
        if user is None:
            return redirect(with_next(reverse("web:sign_in"), return_to(request, portal=False)))
        actor = actor_for(user, channel="web", mfa_verified=True)
        try:
            return view(request, actor, *args, **kwargs)
        except DomainError as error:
            return render_error(request, error)

    return cast(Callable[Concatenate[HttpRequest, P], HttpResponse], wrapper)


def recently_authenticated(request: HttpRequest) -> bool:
    stamp = request.session.get(REAUTH_AT)
    return isinstance(stamp, float) and time.time() - stamp < settings.CONFIDE_REAUTH_SECONDS


def reauth_redirect(request: HttpRequest, back_to: str | None = None) -> HttpResponse:
    """To the re-authentication page, returning to `back_to` (default: this path) after it."""
    messages.info(request, "For your safety, confirm your password and code first.")
    return redirect(with_next(reverse("web:reauth"), back_to or request.path))


# ---- where `next` may lead ----------------------------------------------------------------------


def is_portal_path(path: str) -> bool:
    """Whether a path is the client portal's (its pages, sign-in and error pages)."""
    return path.startswith(PORTAL_PREFIX)


def local_path(value: str, *, portal: bool) -> str | None:
    """`value` if it is the path of a page of this site in one area (the client portal's under
    /portal/ when `portal`, else a staff page: never into /portal/), else None.

    Only a bare path in plain ASCII: no scheme or host (so `//evil`, `/\\evil`, `https://evil`
    are refused: no open redirect), no percent-encoding (so no encoded form of those either), no
    query string or fragment (a return address carries nothing beyond the path it names), no dot
    segments, no spaces or control characters (which browsers drop or rewrite), and it must name
    a page in the URL map: an API path or a sign-in step is not one.
    """
    if not _plain_path(value) or is_portal_path(value) != portal:
        return None
    if value.startswith(NOT_A_DESTINATION) or value.startswith(API_PREFIX):
        return None
    try:
        resolve(value)
    except Resolver404:
        return None
    return value


def _plain_path(value: str) -> bool:
    if len(value) > MAX_NEXT_LENGTH or not value.isascii() or not value.startswith("/"):
        return False
    if value.startswith("//") or any(c in value for c in "\\%?#"):
        return False
    if any(not c.isprintable() or c.isspace() for c in value):
        return False
    return not any(segment in (".", "..") for segment in value.split("/"))


def requested_next(request: HttpRequest, *, portal: bool = False) -> str | None:
    """The `next` the request carries (form field, else query string), if `local_path` allows
    it."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return local_path(target, portal=portal) if target else None


def safe_next(request: HttpRequest, fallback: str, *, portal: bool = False) -> str:
    """Where to go after a step: the request's allowed `next`, else `fallback`."""
    return requested_next(request, portal=portal) or fallback


def return_to(request: HttpRequest, *, portal: bool) -> str | None:
    """This page's path, to return to after signing in: only for a page that was being read
    (GET or HEAD; a form's POST cannot be replayed), and never the start page itself."""
    if request.method not in ("GET", "HEAD"):
        return None
    home = reverse("portal:home" if portal else "web:dashboard")
    target = local_path(request.path, portal=portal)
    return target if target != home else None


def with_next(url: str, target: str | None) -> str:
    """`url` carrying `target` as its `next` (unchanged when there is none)."""
    return f"{url}?next={quote(target, safe='/')}" if target else url
