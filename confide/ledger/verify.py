"""Verification of the hash chain: recompute every event and name the first that breaks it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from confide.ledger.chain import GENESIS_HASH, event_hash, event_payload
from confide.ledger.models import ChainHead, Event

BATCH = 5000


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def _payload(event: Event) -> dict[str, object]:
    return event_payload(
        seq=event.seq,
        occurred_at=event.occurred_at,
        agency_id=event.agency_id,
        actor_id=event.actor_id,
        channel=event.channel,
        event_type=event.event_type,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        client_id=event.client_id,
        reason=event.reason,
        policy_ids=list(event.policy_ids),
        details=dict(event.details),
        prev_hash=event.prev_hash,
    )


def _check(event: Event, expected_seq: int, prev_hash: str) -> str:
    if event.seq != expected_seq:
        return f"expected event {expected_seq} next, found {event.seq} (missing or reordered)"
    if event.prev_hash != prev_hash:
        return "its link to the previous event is broken"
    if event_hash(_payload(event)) != event.hash:
        return "its contents do not match its hash (altered)"
    return ""


def verify_chain(progress: Callable[[int, int], None] | None = None) -> VerifyReport:
    """Walk the chain in order; stop at the first problem."""
    total = Event.objects.count()
    prev_hash, expected, checked = GENESIS_HASH, 1, 0
    last_seq = 0
    while True:
        batch = list(Event.objects.filter(seq__gt=last_seq).order_by("seq")[:BATCH])
        if not batch:
            break
        for event in batch:
            problem = _check(event, expected, prev_hash)
            if problem:
                return VerifyReport(False, checked, event.seq, problem)
            prev_hash, expected, checked = event.hash, expected + 1, checked + 1
        last_seq = batch[-1].seq
        if progress:
            progress(checked, total)
    head = ChainHead.objects.filter(id=1).first()
    if head is not None and (head.seq != checked or (checked and head.hash != prev_hash)):
        return VerifyReport(False, checked, checked + 1, "events after the last one are missing")
    return VerifyReport(True, checked)
