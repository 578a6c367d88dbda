"""Actor: who is acting, as the access policy and the ledger see them.

Built once per request from the database (`accounts.actors.actor_for`), so a change of team,
supervision, training or designation takes effect at the next request.
"""

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
    program_ids: frozenset[UUID] = field(default_factory=frozenset)
    part2_program_ids: frozenset[UUID] = field(default_factory=frozenset)
    supervisee_ids: frozenset[UUID] = field(default_factory=frozenset)
    supervisee_team_ids: frozenset[UUID] = field(default_factory=frozenset)
    training_current: bool = False
    dv_designated: bool = False
    hiv_designated: bool = False
    agency_hiv_restricted: bool = False
