"""Confidential communications (45 CFR 164.522(b)): how the client may be reached."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction

from confide.access.policy import Action
from confide.consent import validation as check
from confide.consent.enums import Channel
from confide.consent.models import CommunicationPreference
from confide.consent.sealed import seal_text
from confide.consent.services._common import _consent_client
from confide.core.actor import Actor
from confide.crypto.envelope import client_key
from confide.ledger import services as ledger
from confide.ledger.enums import EventType


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
