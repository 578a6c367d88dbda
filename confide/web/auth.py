"""How a page learns who is acting: a signed-in, MFA-verified staff member, or a redirect.

`staff_view` wraps every page that shows or changes client data: it requires the second factor,
builds the Actor, and turns domain errors into pages that leak nothing ("not found" and "not
allowed" render the same 404).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Concatenate, ParamSpec, cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from confide.accounts.actors import actor_for
from confide.accounts.models import User
from confide.core.actor import Actor
from confide.core.errors import DomainError, NotFound

P = ParamSpec("P")
REAUTH_AT = "confide_reauth_at"
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
            return redirect("web:sign_in")
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
    return redirect(f"{_reauth_url()}?next={back_to or request.path}")


def _reauth_url() -> str:
    from django.urls import reverse

    return reverse("web:reauth")


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
