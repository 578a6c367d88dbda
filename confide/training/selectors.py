"""Readers of conflict walls for the people who manage them. A wall never shows a client's
name, only case numbers; staff are never shown their own declarations (a list would tell them
whether a name they typed belongs to a client)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.db.models import Exists, OuterRef

from confide.consent.selectors import case_numbers
from confide.core.actor import Actor
from confide.core.errors import NotPermitted
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.training.enums import Relationship
from confide.training.models import ConflictDeclaration
from confide.training.services import WALL_MANAGERS


@dataclass(frozen=True)
class WallRow:
    id: UUID
    staff_name: str
    staff_id: UUID
    relationship: str
    client_id: UUID
    case_numbers: list[str]
    declared_by: str
    declared_at: dt.datetime


@transaction.atomic
def wall_list(*, actor: Actor) -> list[WallRow]:
    """The agency's walls in force, newest first. Privacy officers only; never
    a wall about a client walled off from the actor. Writes records:client:viewed naming the
    clients listed (by case number). Raises NotPermitted."""
    if actor.role not in WALL_MANAGERS:
        raise NotPermitted("This page is for privacy officers.")
    mine = ConflictDeclaration.objects.filter(
        client_id=OuterRef("client_id"), user_id=actor.user_id, removed_at=None
    )
    walls = list(
        ConflictDeclaration.objects.filter(agency_id=actor.agency_id, removed_at=None)
        .exclude(Exists(mine))
        .select_related("user", "declared_by")
        .order_by("-created_at")
    )
    numbers = case_numbers({w.client_id for w in walls})
    if walls:
        ledger.record(
            actor=actor,
            event_type=EventType.CLIENT_VIEWED,
            subject_type="wall_list",
            details={"clients": sorted({str(w.client_id) for w in walls}), "fields": "walls"},
        )
    return [
        WallRow(
            id=w.id,
            staff_name=w.user.display_name,
            staff_id=w.user_id,
            relationship=Relationship(w.relationship).label,
            client_id=w.client_id,
            case_numbers=numbers[w.client_id],
            declared_by=w.declared_by.display_name,
            declared_at=w.created_at,
        )
        for w in walls
    ]
