"""The hash chain: how an event's hash is computed from its fields and its predecessor's hash."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from confide.core.canonical import canonical_json

GENESIS_HASH = "0" * 64


def event_payload(
    *,
    seq: int,
    occurred_at: datetime,
    agency_id: object,
    actor_id: object,
    channel: str,
    event_type: str,
    subject_type: str,
    subject_id: str,
    client_id: object,
    reason: str,
    policy_ids: list[str],
    details: dict[str, Any],
    prev_hash: str,
) -> dict[str, Any]:
    """Every hashed field, as JSON-safe values (ids as strings, time as UTC microseconds)."""
    return {
        "seq": seq,
        "occurred_at": occurred_at.isoformat(timespec="microseconds"),
        "agency_id": None if agency_id is None else str(agency_id),
        "actor_id": None if actor_id is None else str(actor_id),
        "channel": channel,
        "event_type": event_type,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "client_id": None if client_id is None else str(client_id),
        "reason": reason,
        "policy_ids": list(policy_ids),
        "details": details,
        "prev_hash": prev_hash,
    }


def event_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(b"confide-ledger-v1\x00" + canonical_json(payload)).hexdigest()
