"""Readers of restrictions: the privacy officers' queues (clients named by case number only)
and a client's own list on their record."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from confide.access.facts import client_facts
from confide.access.lookups import get_authorized
from confide.access.policy import Action
from confide.consent.enums import RestrictionKind, RestrictionStatus
from confide.consent.models import DisclosureRestriction, Restriction
from confide.consent.sealed import key_or_none
from confide.consent.selectors.record import DisclosureRestrictionRow, _restriction_rows
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
    Raises NotFound. The decision's facts name every request of the client, so a client with
    none (most) costs no query of its own.
    """
    client, _ = get_authorized(actor, Client, client_id, Action.CLIENT_VIEW)
    if not client_facts(client).restriction_ids:
        return []
    return _rows(list(_query().filter(client=client).order_by("-created_at")))


# ---- the privacy officer's queue of disclosure restrictions --------------------------------


@dataclass(frozen=True)
class QueuedDisclosureRestriction:
    row: DisclosureRestrictionRow
    case_numbers: list[str]


@transaction.atomic
def disclosure_restriction_queue(
    *, actor: Actor
) -> tuple[list[QueuedDisclosureRestriction], list[QueuedDisclosureRestriction]]:
    """Disclosure restrictions awaiting a decision (oldest first) and the latest agreed ones,
    with what they cover (decrypted: the officer must know what they decide).

    Privacy officers only; never a client walled off from them. Writes records:client:viewed
    naming the clients listed. Raises NotPermitted.
    """
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("This page is for privacy officers.")
    base = DisclosureRestriction.objects.filter(agency_id=actor.agency_id).exclude(_walled(actor))
    requested = list(base.filter(status=RestrictionStatus.REQUESTED).order_by("created_at"))
    agreed = list(base.filter(status=RestrictionStatus.AGREED).order_by("-decided_at")[:RECENT])
    numbers = case_numbers({r.client_id for r in [*requested, *agreed]})
    keys = {c: key_or_none(c) for c in numbers}

    def queued(r: DisclosureRestriction) -> QueuedDisclosureRestriction:
        (row,) = _restriction_rows([r], keys.get(r.client_id))
        return QueuedDisclosureRestriction(row, numbers[r.client_id])

    clients = sorted({str(r.client_id) for r in [*requested, *agreed]})
    if clients:
        ledger.record(
            actor=actor,
            event_type=EventType.CLIENT_VIEWED,
            subject_type="disclosure_restriction_queue",
            details={"clients": clients, "fields": "disclosure_restrictions"},
        )
    return [queued(r) for r in requested], [queued(r) for r in agreed]
