"""Readers of retention: the schedule in force, the due list, holds and batches.

`due_clients` is the one place that decides who is due. It decrypts a client's date of birth
(through the client's data key) only to compute a date, and returns ids, case numbers and dates,
never identity; views and the CLI show those. Listing for a person goes through
`due_list(actor=...)`, which asks the access policy and writes the ledger event of what it
showed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from confide.access.policy import Action, authorize_many
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotPermitted
from confide.crypto.envelope import DecryptionFailed, client_key
from confide.disclosures.models import AccountingEntry
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records.enums import CaseStatus
from confide.records.models import Case, Client
from confide.retention.enums import Basis, ItemStatus
from confide.retention.errors import NoSchedule
from confide.retention.models import (
    LegalHold,
    PurgeBatch,
    PurgeItem,
    RetentionSchedule,
    ShreddedClient,
)
from confide.retention.schedule import ClientDates, Rule, add_years, destruction_date

DOB_PURPOSE = "records_client.date_of_birth"  # as records.services encrypts it


@dataclass(frozen=True)
class DueClient:
    client_id: UUID
    case_numbers: tuple[str, ...]
    first_opened: dt.date
    last_closed: dt.date
    due_on: dt.date
    basis: Basis
    held: bool
    approved: bool  # already in an approved batch waiting for the purge job


def require_privacy_officer(actor: Actor, message: str) -> None:
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted(message)


def schedule_current(agency_id: UUID) -> RetentionSchedule | None:
    return (
        RetentionSchedule.objects.filter(agency_id=agency_id).order_by("-created_at", "-id").first()
    )


def rule_of(schedule: RetentionSchedule) -> Rule:
    return Rule(schedule.years_after_closure, schedule.years_after_majority, schedule.majority_age)


def active_hold_client_ids(client_ids: list[UUID]) -> set[UUID]:
    return set(
        LegalHold.objects.filter(client_id__in=client_ids, released_at=None).values_list(
            "client_id", flat=True
        )
    )


def _closed_candidates(
    agency_id: UUID, rule: Rule, today: dt.date, only: Collection[UUID] | None
) -> list[Client]:
    """Clients with cases, all closed, whose closure rule alone has passed (the final date can
    only be later), not yet shredded; among `only` if given."""
    shredded = ShreddedClient.objects.filter(agency_id=agency_id).values("client_id")
    open_cases = Q(cases__status=CaseStatus.OPEN) | Q(cases__closed_on=None)
    latest_closure = dt.date(today.year - rule.years_after_closure, 12, 31)
    clients = Client.objects.filter(agency_id=agency_id)
    if only is not None:
        clients = clients.filter(id__in=list(only))
    return list(
        clients.exclude(id__in=shredded)
        .annotate(
            n_cases=Count("cases", distinct=True),
            n_open=Count("cases", filter=open_cases, distinct=True),
            first_opened=Min("cases__opened_on"),
            last_closed=Max("cases__closed_on"),
        )
        .filter(n_cases__gt=0, n_open=0, last_closed__lte=latest_closure)
        .order_by("last_closed", "id")
    )


def birth_date(client: Client) -> dt.date:
    """The client's date of birth, decrypted for a computation only (never shown or stored)."""
    text = client_key(client.id).decrypt_text(DOB_PURPOSE, client.id, client.date_of_birth_enc)
    return dt.date.fromisoformat(text)


def due_on(client: Client, rule: Rule, last_disclosed: dt.date | None) -> tuple[dt.date, Basis]:
    dates = ClientDates(
        first_opened=client.first_opened,  # type: ignore[attr-defined]
        last_closed=client.last_closed,  # type: ignore[attr-defined]
        born=birth_date(client),
        last_disclosed=last_disclosed,
    )
    return destruction_date(rule, dates)


def due_clients(
    agency_id: UUID, today: dt.date, rule: Rule, only: Collection[UUID] | None = None
) -> list[DueClient]:
    """Every client of the agency (or of `only`) due for destruction on `today` under `rule`,
    oldest first."""
    candidates = [
        c
        for c in _closed_candidates(agency_id, rule, today, only)
        if add_years(c.last_closed, rule.years_after_closure) <= today  # type: ignore[attr-defined]
    ]
    ids = [c.id for c in candidates]
    disclosed = dict(
        AccountingEntry.objects.filter(client_id__in=ids)
        .values("client_id")
        .annotate(last=Max("disclosed_at"))
        .values_list("client_id", "last")
    )
    numbers: dict[UUID, list[str]] = defaultdict(list)
    for client_id, number in (
        Case.objects.filter(client_id__in=ids)
        .order_by("case_number")
        .values_list("client_id", "case_number")
    ):
        numbers[client_id].append(number)
    held = active_hold_client_ids(ids)
    pending = set(
        PurgeItem.objects.filter(client_id__in=ids, status=ItemStatus.PENDING).values_list(
            "client_id", flat=True
        )
    )
    due: list[DueClient] = []
    for client in candidates:
        last = disclosed.get(client.id)
        try:
            day, basis = due_on(client, rule, timezone.localdate(last) if last else None)
        except DecryptionFailed:
            continue  # no key: already unreadable; never listed as due
        if day <= today:
            due.append(
                DueClient(
                    client.id,
                    tuple(numbers[client.id]),
                    client.first_opened,  # type: ignore[attr-defined]
                    client.last_closed,  # type: ignore[attr-defined]
                    day,
                    basis,
                    client.id in held,
                    client.id in pending,
                )
            )
    return due


@transaction.atomic
def due_list(*, actor: Actor, today: dt.date) -> list[DueClient]:
    """The due list a privacy officer may act on: clients they could approve (walls and
    restrictions naming them leave a client out).

    Needs the privacy officer role and retention:approve per client. Writes
    retention:due_list:viewed naming the clients shown. Raises NotPermitted, NoSchedule.
    """
    require_privacy_officer(actor, "The retention due list is for privacy officers.")
    schedule = schedule_current(actor.agency_id)
    if schedule is None:
        raise NoSchedule()
    due = due_clients(actor.agency_id, today, rule_of(schedule))
    clients = {c.id: c for c in Client.objects.filter(id__in=[d.client_id for d in due])}
    decisions = authorize_many(actor, Action.RETENTION_APPROVE, [clients[d.client_id] for d in due])
    shown = [d for d, decision in zip(due, decisions, strict=True) if decision.allowed]
    ledger.record(
        actor=actor,
        event_type=EventType.RETENTION_DUE_LISTED,
        subject_type="agency",
        subject_id=actor.agency_id,
        details={"clients": [str(d.client_id) for d in shown], "schedule": str(schedule.id)},
        policy_ids=sorted({p for d in decisions if d.allowed for p in d.policy_ids}),
    )
    return shown


@dataclass(frozen=True)
class HoldRow:
    id: UUID
    client_id: UUID
    case_numbers: tuple[str, ...]
    reason: str
    details: str
    placed_by: str
    placed_at: dt.datetime
    released_at: dt.datetime | None
    released_by: str | None


@transaction.atomic
def hold_list(*, actor: Actor, include_released: bool = False) -> list[HoldRow]:
    """The agency's legal holds the actor may see, with their decrypted details.

    Needs the privacy officer role and retention:hold per client. Writes
    retention:legal_hold:viewed naming the holds shown. Raises NotPermitted.
    """
    require_privacy_officer(actor, "Legal holds are kept by privacy officers.")
    query = LegalHold.objects.filter(agency_id=actor.agency_id).select_related(
        "client", "placed_by", "released_by"
    )
    if not include_released:
        query = query.filter(released_at=None)
    holds = list(query.order_by("-created_at")[:500])
    decisions = authorize_many(actor, Action.RETENTION_HOLD, [h.client for h in holds])
    visible = [h for h, d in zip(holds, decisions, strict=True) if d.allowed]
    numbers: dict[UUID, list[str]] = defaultdict(list)
    for client_id, number in Case.objects.filter(
        client_id__in=[h.client_id for h in visible]
    ).values_list("client_id", "case_number"):
        numbers[client_id].append(number)
    rows = [
        HoldRow(
            h.id,
            h.client_id,
            tuple(sorted(numbers[h.client_id])),
            h.get_reason_display(),
            _hold_details(h),
            h.placed_by.display_name,
            h.created_at,
            h.released_at,
            h.released_by.display_name if h.released_by else None,
        )
        for h in visible
    ]
    if rows:
        ledger.record(
            actor=actor,
            event_type=EventType.LEGAL_HOLDS_VIEWED,
            subject_type="agency",
            subject_id=actor.agency_id,
            details={
                "holds": [str(r.id) for r in rows],
                "clients": [str(r.client_id) for r in rows],
            },
        )
    return rows


def _hold_details(hold: LegalHold) -> str:
    try:
        key = client_key(hold.client_id)
        return key.decrypt_text("retention_legal_hold.details", hold.id, hold.details_enc)
    except DecryptionFailed:
        return "(unreadable)"


def batches_recent(*, actor: Actor, limit: int = 20) -> list[PurgeBatch]:
    """The agency's latest approved batches (ids, counts and dates only)."""
    require_privacy_officer(actor, "Purge batches are for privacy officers.")
    return list(
        PurgeBatch.objects.filter(agency_id=actor.agency_id)
        .select_related("approved_by")
        .annotate(
            n_items=Count("items"),
            n_purged=Count("items", filter=Q(items__status=ItemStatus.PURGED)),
            n_pending=Count("items", filter=Q(items__status=ItemStatus.PENDING)),
        )
        .order_by("-created_at")[:limit]
    )
