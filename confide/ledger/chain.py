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


def hashed_parts(payload: dict[str, Any]) -> tuple[str, str, str]:
    """The hashed JSON of `payload` cut around its two chain fields, for PostgreSQL's append.

    `head + prev_hash + middle + str(seq) + tail == canonical_json(payload)` (as text), whatever
    `payload`'s own `prev_hash` and `seq` are: the database fills in the chain fields under its
    lock and hashes the joined text exactly as `event_hash` does. The cut is structural, not a
    search, because the thirteen top-level keys are fixed and "prev_hash", "reason", "seq",
    "subject_id", "subject_type" sort last in that order.
    """
    before = {key: value for key, value in payload.items() if key < "prev_hash"}
    head = canonical_json(before).decode()[:-1] + ',"prev_hash":"'

    def text(value: object) -> str:
        return canonical_json(value).decode()

    middle = '","reason":' + text(payload["reason"]) + ',"seq":'
    tail = (
        ',"subject_id":'
        + text(payload["subject_id"])
        + ',"subject_type":'
        + text(payload["subject_type"])
        + "}"
    )
    return head, middle, tail
