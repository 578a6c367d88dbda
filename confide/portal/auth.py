"""How a portal page learns which client is signed in, kept apart from staff sign-in.

A portal session holds only the portal account's id (never Django's auth user), so every staff
page and the API treat it as signed out; a browser signed in as staff is not a portal session
(portal pages send it to the portal's sign-in, and a portal sign-in ends the staff session
first). The idle and absolute limits are staff's (`accounts.middleware.session_expired`, same
settings). Domain errors become pages that leak nothing: "not found" for anything that is not
the client's own. A signed-out or timed-out visit to a page (GET or HEAD) goes to the portal's
sign-in with the page's path as `next` (only ever a portal page: `web.auth.local_path`).
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
from django.urls import reverse

from confide.accounts.middleware import LAST_SEEN, STARTED, session_expired
from confide.core.errors import DomainError, NotFound
from confide.portal import selectors, services
from confide.portal.models import PortalAccount
from confide.releases.access import ClientSelf
from confide.web.auth import return_to, with_next

P = ParamSpec("P")
ACCOUNT = "confide_portal_account"
EPOCH = "confide_portal_epoch"
REAUTH_AT = "confide_portal_reauth_at"
PortalView = Callable[Concatenate[HttpRequest, ClientSelf, P], HttpResponse]


def render_portal_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    template = "portal/not_found.html" if isinstance(error, NotFound) else "portal/error.html"
    return render(request, template, {"error": error}, status=error.status)


def start_session(request: HttpRequest, account: PortalAccount) -> None:
    """A fresh session for the client (any staff or earlier session in this browser ends). It
    keeps the account's session epoch: a later reset or ending of the account ends it."""
    request.session.flush()
    now = time.time()
    request.session[ACCOUNT] = str(account.id)
    request.session[EPOCH] = account.session_epoch
    request.session[STARTED] = now
    request.session[LAST_SEEN] = now


def current_principal(request: HttpRequest) -> ClientSelf | None:
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return None  # a staff session is never a portal session
    account_id = request.session.get(ACCOUNT)
    if not account_id:
        return None
    return selectors.session_principal(account_id, request.session.get(EPOCH))


def portal_view(view: PortalView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        principal = current_principal(request)
        if principal is None:
            if request.session.get(ACCOUNT):
                request.session.flush()
            return _to_sign_in(request)
        now = time.time()
        if session_expired(request, now):
            services.sign_out_record(principal=principal, expired=True)
            request.session.flush()
            messages.info(request, "You were signed out after a period of inactivity.")
            return _to_sign_in(request)
        request.session[LAST_SEEN] = now
        try:
            return view(request, principal, *args, **kwargs)
        except DomainError as error:
            return render_portal_error(request, error)

    return cast(Callable[Concatenate[HttpRequest, P], HttpResponse], wrapper)


def _to_sign_in(request: HttpRequest) -> HttpResponse:
    return redirect(with_next(reverse("portal:sign_in"), return_to(request, portal=True)))


def recently_confirmed(request: HttpRequest) -> bool:
    stamp = request.session.get(REAUTH_AT)
    return isinstance(stamp, float) and time.time() - stamp < settings.CONFIDE_REAUTH_SECONDS
