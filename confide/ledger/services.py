"""The one writer of ledger events.

`record` must run inside the transaction of the action it records, so an action and its event
commit or roll back together. Appends are serialized by locking the chain head row.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.db import connection

from confide.core import clock
from confide.core.actor import Actor
from confide.ledger.chain import GENESIS_HASH, event_hash, event_payload
from confide.ledger.enums import EventType
from confide.ledger.models import ChainHead, Event

DetailValue = str | int | bool | None | list[str]
MAX_DETAIL_TEXT = 200


class LedgerMisuse(RuntimeError):
    """A programming error: an event outside a transaction, or details that could hold text."""


def _check_details(details: dict[str, DetailValue]) -> None:
    for key, value in details.items():
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str) and len(text) > MAX_DETAIL_TEXT:
                raise LedgerMisuse(f"ledger detail {key!r} is too long to be an id or a code")


def record(
    *,
    actor: Actor | None,
    event_type: EventType,
    subject_type: str = "",
    subject_id: UUID | str = "",
    client_id: UUID | None = None,
    reason: str = "",
    policy_ids: Iterable[str] = (),
    details: dict[str, DetailValue] | None = None,
    agency_id: UUID | None = None,
    actor_id: UUID | None = None,
    channel: str | None = None,
) -> Event:
    """Append one event to the chain, in the caller's transaction."""
    if not connection.in_atomic_block:
        raise LedgerMisuse("ledger events must be written inside the action's transaction")
    details = dict(details or {})
    _check_details(details)
    head = ChainHead.objects.select_for_update().get(id=1)
    occurred_at = clock.now()
    payload = event_payload(
        seq=head.seq + 1,
        occurred_at=occurred_at,
        agency_id=agency_id if agency_id is not None else (actor.agency_id if actor else None),
        actor_id=actor_id if actor_id is not None else (actor.user_id if actor else None),
        channel=channel or (actor.channel if actor else "system"),
        event_type=event_type.value,
        subject_type=subject_type,
        subject_id=str(subject_id),
        client_id=client_id,
        reason=reason[:500],
        policy_ids=sorted(set(policy_ids)),
        details=details,
        prev_hash=head.hash or GENESIS_HASH,
    )
    digest = event_hash(payload)
    event = Event.objects.create(
        seq=payload["seq"],
        occurred_at=occurred_at,
        agency_id=payload["agency_id"],
        actor_id=payload["actor_id"],
        channel=payload["channel"],
        event_type=payload["event_type"],
        subject_type=subject_type,
        subject_id=payload["subject_id"],
        client_id=client_id,
        reason=payload["reason"],
        policy_ids=payload["policy_ids"],
        details=details,
        prev_hash=payload["prev_hash"],
        hash=digest,
    )
    ChainHead.objects.filter(id=1).update(seq=payload["seq"], hash=digest)
    return event
