"""API authentication: personal access tokens in `Authorization: Bearer <token>`.

Tokens are checked by `accounts.services.token_user` (hashed, expiring, revocable). There is no
session or cookie authentication on the API, so there is no CSRF exposure. Every failure (no
header, wrong scheme, unknown, expired, revoked token, inactive user) gets the same answer.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from confide.accounts.actors import actor_for
from confide.accounts.services import token_user
from confide.core.actor import Actor

CHANNEL = "api"


class TokenAuth(HttpBearer):
    """Resolves a bearer token to the Actor that the access policy and ledger see."""

    def __call__(self, request: HttpRequest) -> Actor | None:
        # Parsed here rather than by HttpBearer, which logs the whole header in DEBUG mode.
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return None
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        user = token_user(token)
        if user is None:
            return None
        # Tokens are created only after password + TOTP re-authentication.
        return actor_for(user, channel=CHANNEL, mfa_verified=True)


def actor_of(request: HttpRequest) -> Actor:
    """The Actor that TokenAuth attached to this request."""
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise AuthenticationError()
    return actor
