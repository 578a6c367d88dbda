"""Building the Actor the access policy and ledger see from a signed-in user."""

from __future__ import annotations

from uuid import UUID

from confide.accounts.models import User
from confide.core.actor import Actor
from confide.core.enums import Role


def actor_for(user: User, *, channel: str, mfa_verified: bool) -> Actor:
    team_ids: frozenset[UUID] = frozenset(user.teams.values_list("id", flat=True))
    return Actor(
        user_id=user.id,
        agency_id=user.agency_id,
        role=Role(user.role),
        team_ids=team_ids,
        channel=channel,
        mfa_verified=mfa_verified,
    )
