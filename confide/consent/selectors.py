"""The consent app's readers.

Restrictions: the privacy officer's queue and a client's own list on their record (clients
named by case number only, never by name). For other modules, without an actor and without
revealing any confidential text: `communication_preferences` (messaging and the disclosure
workflow: may we reach the client on this channel?) and `personal_representatives` (who may act
for the client, and whether guardian-facing output must leave out what a minor consented to
alone)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from confide.access.lookups import get_authorized
from confide.access.policy import Action
from confide.consent.enums import Channel, RestrictionKind, RestrictionStatus
from confide.consent.models import CommunicationPreference, Restriction
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotPermitted
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records.models import Case, Client
from confide.training.models import ConflictDeclaration

RECENT = 50


@dataclass(frozen=True)
class RestrictionRow:
    id: UUID
    client_id: UUID
    case_numbers: list[str]
    kind: str
    kind_label: str
    target: str
    status: str
    status_label: str
    requested_by: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None


def case_numbers(client_ids: Iterable[UUID]) -> dict[UUID, list[str]]:
    """Each client's case numbers: how staff without client access refer to a record."""
    numbers: dict[UUID, list[str]] = defaultdict(list)
    rows = Case.objects.filter(client_id__in=list(client_ids)).order_by("case_number")
    for client_id, number in rows.values_list("client_id", "case_number"):
        numbers[client_id].append(number)
    return numbers


def _rows(restrictions: list[Restriction]) -> list[RestrictionRow]:
    numbers = case_numbers({r.client_id for r in restrictions})
    return [
        RestrictionRow(
            id=r.id,
            client_id=r.client_id,
            case_numbers=numbers[r.client_id],
            kind=r.kind,
            kind_label=RestrictionKind(r.kind).label,
            target=(r.staff.display_name if r.staff else r.program.name if r.program else ""),
            status=r.status,
            status_label=RestrictionStatus(r.status).label,
            requested_by=r.requested_by.display_name,
            requested_at=r.created_at,
            decided_at=r.decided_at,
        )
        for r in restrictions
    ]


def _query() -> QuerySet[Restriction]:
    return Restriction.objects.select_related("staff", "program", "requested_by")


def _walled(actor: Actor) -> Exists:
    return Exists(
        ConflictDeclaration.objects.filter(
            client_id=OuterRef("client_id"), user_id=actor.user_id, removed_at=None
        )
    )


def requested_count(*, actor: Actor) -> int:
    """Requests awaiting a privacy officer's decision (0 for other roles)."""
    if actor.role != Role.PRIVACY_OFFICER:
        return 0
    return (
        Restriction.objects.filter(agency_id=actor.agency_id, status=RestrictionStatus.REQUESTED)
        .exclude(_walled(actor))
        .count()
    )


@transaction.atomic
def restriction_queue(*, actor: Actor) -> tuple[list[RestrictionRow], list[RestrictionRow]]:
    """Requests awaiting a decision (oldest first) and agreed restrictions in force.

    Privacy officers only; never a client walled off from them. Writes records:client:viewed
    naming the clients listed. Raises NotPermitted.
    """
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("This page is for privacy officers.")
    base = _query().filter(agency_id=actor.agency_id).exclude(_walled(actor))
    requested = _rows(list(base.filter(status=RestrictionStatus.REQUESTED).order_by("created_at")))
    agreed = _rows(
        list(base.filter(status=RestrictionStatus.AGREED).order_by("-decided_at")[:RECENT])
    )
    clients = sorted({str(r.client_id) for r in [*requested, *agreed]})
    if clients:
        ledger.record(
            actor=actor,
            event_type=EventType.CLIENT_VIEWED,
            subject_type="restriction_queue",
            details={"clients": clients, "fields": "restrictions"},
        )
    return requested, agreed


def client_restrictions(*, actor: Actor, client_id: UUID | str) -> list[RestrictionRow]:
    """A client's restriction requests, newest first, for staff who may see the record.

    Needs client:view (the caller has just shown the record, whose view event covers this).
    Raises NotFound.
    """
    client, _ = get_authorized(actor, Client, client_id, Action.CLIENT_VIEW)
    return _rows(list(_query().filter(client=client).order_by("-created_at")))


# ---- for other modules: communication preferences --------------------------------------------


@dataclass(frozen=True)
class CommunicationPreferences:
    """The channels a client may be reached on. No preference recorded means allowed."""

    client_id: UUID
    forbidden: frozenset[str]
    messages_ok: frozenset[str]

    def allows(self, channel: str) -> bool:
        """Whether the agency may contact the client on `channel` (email, phone, text, mail,
        portal). An unknown channel name is a programming error: ValueError."""
        if channel not in Channel.values:
            raise ValueError(f"unknown channel {channel!r}; one of {', '.join(Channel.values)}")
        return channel not in self.forbidden

    def may_leave_message(self, channel: str) -> bool:
        """Whether a message with content may be left (a voicemail, say): only where the client
        said yes; with nothing recorded, reach them but leave no content."""
        return self.allows(channel) and channel in self.messages_ok


def communication_preferences(client_id: UUID) -> CommunicationPreferences:
    """The client's channel rules, for deciding how (and whether) to notify them. Reveals no
    address or note, so it needs no actor and writes no ledger event."""
    rows = CommunicationPreference.objects.filter(client_id=client_id).values_list(
        "channel", "allowed", "leave_message"
    )
    return CommunicationPreferences(
        client_id=client_id,
        forbidden=frozenset(c for c, allowed, _ in rows if not allowed),
        messages_ok=frozenset(c for c, allowed, leave in rows if allowed and leave),
    )
