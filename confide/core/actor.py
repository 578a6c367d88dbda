"""Actor: who is acting, as the access policy and the ledger see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from confide.core.enums import Role


@dataclass(frozen=True)
class Actor:
    """An authenticated staff member acting through one channel (web, api, cli)."""

    user_id: UUID
    agency_id: UUID
    role: Role
    team_ids: frozenset[UUID] = field(default_factory=frozenset)
    channel: str = "web"
    mfa_verified: bool = False
