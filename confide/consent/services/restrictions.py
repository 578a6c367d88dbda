"""Restrictions the client asks for (45 CFR 164.522(a)): on use inside the agency (a staff
member or a program; agreed ones bind the access policy at once) and on disclosure to someone
outside (the self-pay request to keep a health plan out is agreed by rule)."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction

from confide.access.lookups import get_authorized
from confide.access.policy import Action
from confide.accounts.models import Program, User
from confide.consent import validation as check
from confide.consent.enums import RecipientKind, RestrictionKind, RestrictionStatus
from confide.consent.models import DisclosureRestriction, Restriction
from confide.consent.sealed import seal_text
from confide.consent.services._common import _consent_client, _uuid
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from confide.crypto.envelope import client_key
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records.models import Client
from confide.training.models import ConflictDeclaration


@transaction.atomic
def restriction_request(
    *,
    actor: Actor,
    client_id: UUID | str,
    kind: str,
    staff_id: UUID | str | None = None,
    program_id: UUID | str | None = None,
) -> Restriction:
    """Record a client's request that a staff member or a program not use their record.

    Needs client:view on the client (staff record it on the client's word). Writes
    consent:restriction:requested. Raises NotFound, ValidationFailed.
    """
    client, _ = get_authorized(actor, Client, client_id, Action.CLIENT_VIEW)
    staff, program = _target(actor, kind, staff_id, program_id)
    restriction = Restriction.objects.create(
        agency_id=actor.agency_id,
        client=client,
        kind=kind,
        staff=staff,
        program=program,
        requested_by_id=actor.user_id,
    )
    ledger.record(
        actor=actor,
        event_type=EventType.RESTRICTION_REQUESTED,
        subject_type="restriction",
        subject_id=restriction.id,
        client_id=client.id,
        details={"kind": kind},
    )
    return restriction


def _target(
    actor: Actor, kind: str, staff_id: UUID | str | None, program_id: UUID | str | None
) -> tuple[User | None, Program | None]:
    if kind == RestrictionKind.NOT_STAFF:
        staff = User.objects.filter(id=_uuid(staff_id), agency_id=actor.agency_id).first()
        if staff is None:
            raise ValidationFailed({"staff": "choose a staff member of this agency"})
        return staff, None
    if kind == RestrictionKind.NOT_PROGRAM:
        program = Program.objects.filter(id=_uuid(program_id), agency_id=actor.agency_id).first()
        if program is None:
            raise ValidationFailed({"program": "choose a program of this agency"})
        return None, program
    raise ValidationFailed({"kind": f"must be one of {', '.join(RestrictionKind.values)}"})


@transaction.atomic
def restriction_decide(*, actor: Actor, restriction_id: UUID | str, agree: bool) -> Restriction:
    """Agree to or deny a requested restriction. Privacy officers only.

    Writes consent:restriction:decided. Raises NotFound, NotPermitted, Conflict (decided).
    """
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("A privacy officer decides restriction requests.")
    restriction = _restriction(actor, restriction_id)
    if restriction.status != RestrictionStatus.REQUESTED:
        raise Conflict("This request has already been decided.")
    restriction.status = RestrictionStatus.AGREED if agree else RestrictionStatus.DENIED
    restriction.decided_by_id, restriction.decided_at = actor.user_id, clock.now()
    restriction.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.RESTRICTION_DECIDED,
        subject_type="restriction",
        subject_id=restriction.id,
        client_id=restriction.client_id,
        details={"status": restriction.status},
    )
    return restriction


@transaction.atomic
def restriction_end(*, actor: Actor, restriction_id: UUID | str) -> Restriction:
    """End an agreed restriction (on the client's word, or by the agency with notice).
    Privacy officers only. Writes consent:restriction:ended. Raises NotFound, NotPermitted,
    Conflict."""
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("A privacy officer ends restrictions.")
    restriction = _restriction(actor, restriction_id)
    if restriction.status != RestrictionStatus.AGREED:
        raise Conflict("Only an agreed restriction can be ended.")
    restriction.status = RestrictionStatus.ENDED
    restriction.save(update_fields=["status", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.RESTRICTION_ENDED,
        subject_type="restriction",
        subject_id=restriction.id,
        client_id=restriction.client_id,
    )
    return restriction


def _restriction(actor: Actor, restriction_id: UUID | str) -> Restriction:
    found = (
        Restriction.objects.select_for_update()
        .filter(id=_uuid(restriction_id), agency_id=actor.agency_id)
        .first()
    )
    if found is None:
        raise NotFound("restriction")
    return found


# ---- restrictions on disclosure (164.522(a)(1)), self-pay included ---------------------------

SELF_PAY_RULE = "45 CFR 164.522(a)(1)(vi)"


@transaction.atomic
def disclosure_restriction_request(
    *,
    actor: Actor,
    client_id: UUID | str,
    recipient_kind: str,
    recipient: str,
    information: str,
    paid_in_full: bool = False,
) -> DisclosureRestriction:
    """Record a client's request that some information not be disclosed to someone.

    A request not to tell a health plan about an item the client paid for in full out of
    pocket must be agreed (164.522(a)(1)(vi)): it is agreed at once, by rule. Other requests
    wait for a privacy officer. Needs consent:manage. Writes
    consent:disclosure_restriction:requested (and :decided for a self-pay one). Raises
    NotFound, NotPermitted, ValidationFailed.
    """
    problems = check.Problems()
    recipient_kind = check.choice(problems, "recipient_kind", recipient_kind, RecipientKind.values)
    recipient = check.text(problems, "recipient", recipient, check.MAX_SHORT, required=True)
    information = check.text(
        problems, "information", information, check.MAX_DESCRIPTION, required=True
    )
    paid_in_full = check.flag(problems, "paid_in_full", paid_in_full)
    if paid_in_full and recipient_kind and recipient_kind != RecipientKind.HEALTH_PLAN:
        problems.add("paid_in_full", "applies only to a request about a health plan")
    problems.raise_if_any()
    client = _consent_client(actor, client_id, Action.CONSENT_MANAGE)
    restriction = DisclosureRestriction(
        agency_id=actor.agency_id,
        client=client,
        recipient_kind=recipient_kind,
        paid_in_full=paid_in_full,
        requested_by_id=actor.user_id,
    )
    key = client_key(client.id)
    restriction.recipient_enc = seal_text(
        key, "disclosure_restriction.recipient", restriction.id, recipient
    )
    restriction.information_enc = seal_text(
        key, "disclosure_restriction.information", restriction.id, information
    )
    if paid_in_full:
        restriction.status = RestrictionStatus.AGREED
        restriction.decided_at = clock.now()
    restriction.save(force_insert=True)
    _restriction_event(actor, restriction, EventType.DISCLOSURE_RESTRICTION_REQUESTED)
    if paid_in_full:
        _restriction_event(
            actor, restriction, EventType.DISCLOSURE_RESTRICTION_DECIDED, reason=SELF_PAY_RULE
        )
    return restriction


def _restriction_event(
    actor: Actor, restriction: DisclosureRestriction, event_type: EventType, reason: str = ""
) -> None:
    ledger.record(
        actor=actor,
        event_type=event_type,
        subject_type="disclosure_restriction",
        subject_id=restriction.id,
        client_id=restriction.client_id,
        reason=reason,
        details={
            "recipient_kind": restriction.recipient_kind,
            "paid_in_full": restriction.paid_in_full,
            "status": restriction.status,
        },
    )


def _disclosure_restriction(actor: Actor, restriction_id: UUID | str) -> DisclosureRestriction:
    found = (
        DisclosureRestriction.objects.select_for_update()
        .filter(id=_uuid(restriction_id), agency_id=actor.agency_id)
        .exclude(client_id__in=_walled_clients(actor))
        .first()
    )
    if found is None:
        raise NotFound("restriction")
    return found


def _walled_clients(actor: Actor) -> list[UUID]:
    return list(
        ConflictDeclaration.objects.filter(user_id=actor.user_id, removed_at=None).values_list(
            "client_id", flat=True
        )
    )


@transaction.atomic
def disclosure_restriction_decide(
    *, actor: Actor, restriction_id: UUID | str, agree: bool
) -> DisclosureRestriction:
    """Agree to or deny a requested disclosure restriction. Privacy officers only; never a
    client behind their conflict wall. Writes consent:disclosure_restriction:decided. Raises
    NotFound, NotPermitted, Conflict (already decided, including a self-pay one agreed by
    rule)."""
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("A privacy officer decides restriction requests.")
    restriction = _disclosure_restriction(actor, restriction_id)
    if restriction.status != RestrictionStatus.REQUESTED:
        raise Conflict("This request has already been decided.")
    restriction.status = RestrictionStatus.AGREED if agree else RestrictionStatus.DENIED
    restriction.decided_by_id, restriction.decided_at = actor.user_id, clock.now()
    restriction.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _restriction_event(actor, restriction, EventType.DISCLOSURE_RESTRICTION_DECIDED)
    return restriction


@transaction.atomic
def disclosure_restriction_end(
    *, actor: Actor, restriction_id: UUID | str
) -> DisclosureRestriction:
    """End an agreed disclosure restriction (on the client's word, or by the agency with
    notice, 164.522(a)(2)). Privacy officers only. Writes consent:disclosure_restriction:ended.
    Raises NotFound, NotPermitted, Conflict (not agreed)."""
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("A privacy officer ends restrictions.")
    restriction = _disclosure_restriction(actor, restriction_id)
    if restriction.status != RestrictionStatus.AGREED:
        raise Conflict("Only an agreed restriction can be ended.")
    restriction.status = RestrictionStatus.ENDED
    restriction.save(update_fields=["status", "updated_at"])
    _restriction_event(actor, restriction, EventType.DISCLOSURE_RESTRICTION_ENDED)
    return restriction
