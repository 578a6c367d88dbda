"""The consent app's writers: client-requested restrictions on use (45 CFR 164.522(a); agreed
ones bind the access policy at once) and on disclosure, confidential-communication preferences
(164.522(b)), notices and acknowledgements, contacts (164.510(b)) and personal representatives
(164.502(g)). Each is one transaction with its ledger event; confidential text is sealed with
the client's data key."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction

from confide.access.lookups import get_authorized
from confide.access.policy import Action
from confide.accounts.models import Program, User
from confide.consent import validation as check
from confide.consent.enums import Channel, RestrictionKind, RestrictionStatus
from confide.consent.models import CommunicationPreference, Restriction
from confide.consent.sealed import seal_text
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from confide.core.ids import parse_id
from confide.crypto.envelope import client_key
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records.models import Client


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


NO_SUCH_ID = UUID(int=0)


def _uuid(raw: UUID | str | None) -> UUID:
    """The id, or an id that matches nothing (malformed input is simply not found)."""
    return parse_id(raw) or NO_SUCH_ID


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


# ---- confidential communications (164.522(b)) ------------------------------------------------


def _consent_client(
    actor: Actor, client_id: UUID | str, action: Action, *, lock: bool = False
) -> Client:
    client, _ = get_authorized(actor, Client, client_id, action, lock=lock)
    return client


@transaction.atomic
def communication_preference_set(
    *,
    actor: Actor,
    client_id: UUID | str,
    channel: str,
    allowed: bool,
    leave_message: bool = False,
    address: str = "",
    safe_times: str = "",
) -> CommunicationPreference:
    """Record how the client may be reached on one channel (replacing what was recorded).

    No reason may be asked for (164.522(b)(2)(ii)). A forbidden channel keeps no address.
    Needs consent:manage. Writes consent:communication_preference:set. Raises NotFound,
    NotPermitted, ValidationFailed.
    """
    problems = check.Problems()
    channel = check.choice(problems, "channel", channel, Channel.values)
    allowed = check.flag(problems, "allowed", allowed)
    leave_message = check.flag(problems, "leave_message", leave_message)
    address = check.text(problems, "address", address, check.MAX_ADDRESS)
    safe_times = check.text(problems, "safe_times", safe_times, check.MAX_SHORT)
    problems.raise_if_any()
    client = _consent_client(actor, client_id, Action.CONSENT_MANAGE, lock=True)
    preference = CommunicationPreference.objects.filter(client=client, channel=channel).first()
    if preference is None:
        preference = CommunicationPreference(
            agency_id=actor.agency_id, client=client, channel=channel
        )
    preference.allowed = allowed
    preference.leave_message = allowed and leave_message
    preference.recorded_by_id = actor.user_id
    key = client_key(client.id)
    preference.address_enc = (
        seal_text(key, "communication.address", preference.id, address)
        if allowed and address
        else None
    )
    preference.safe_times_enc = (
        seal_text(key, "communication.safe_times", preference.id, safe_times)
        if allowed and safe_times
        else None
    )
    preference.save()
    ledger.record(
        actor=actor,
        event_type=EventType.COMMUNICATION_PREFERENCE_SET,
        subject_type="communication_preference",
        subject_id=preference.id,
        client_id=client.id,
        details={"channel": channel, "allowed": allowed},
    )
    return preference
