"""Idle timeout and absolute session lifetime, enforced on every request.

The session stores when it began and when it was last used (epoch seconds). Past either limit
the session is ended, `accounts:session:expired` is written, and the user signs in again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from confide.accounts import services
from confide.accounts.actors import actor_for

STARTED = "confide_started"
LAST_SEEN = "confide_last_seen"


def session_expired(request: HttpRequest, now: float) -> bool:
    started = float(request.session.get(STARTED, now))
    last_seen = float(request.session.get(LAST_SEEN, now))
    return (
        now - last_seen > settings.CONFIDE_IDLE_TIMEOUT_SECONDS
        or now - started > settings.CONFIDE_SESSION_MAX_AGE_SECONDS
    )


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            if session_expired(request, now):
                services.sign_out_record(
                    actor=actor_for(user, channel="web", mfa_verified=False), expired=True
                )
                logout(request)
                messages.info(request, "You were signed out after a period of inactivity.")
            else:
                request.session[LAST_SEEN] = now
                request.session.setdefault(STARTED, now)
        return self.get_response(request)
