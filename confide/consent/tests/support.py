"""Helpers shared by the consent tests."""

from __future__ import annotations

from confide.accounts.actors import actor_for
from confide.accounts.models import User
from confide.core.actor import Actor


def act(user: User) -> Actor:
    return actor_for(User.objects.get(id=user.id), channel="web", mfa_verified=True)
