"""Configuration on the ledger: what governs access and the ledger's own protection, recorded
whenever it changes.

`record_configuration` (run by `manage.py ledger_record_config` at every start and deploy)
computes two digests and appends an event for each that differs from the last one recorded:

- access:policy:changed: SHA-256 of the Cedar policy text and schema this process loaded
  (`access.engine.POLICY_TEXT`, `SCHEMA_TEXT`);
- ledger:checkpoint_settings:changed: SHA-256 of the checkpoint settings (origin, thresholds,
  export directory) and the signing key's public key fingerprint.

Idempotent: an unchanged configuration writes nothing. Role changes are recorded by
`accounts.roles.staff_set_role`; key rotations (crypto:key:rotated) come with the key rotation
service.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.db import transaction

from confide.core.canonical import canonical_json
from confide.ledger import services as ledger
from confide.ledger.checkpoints import LedgerKeys
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.ledger.services import MAX_DETAIL_TEXT, DetailValue


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest(label: bytes, values: dict[str, DetailValue]) -> str:
    return _sha256(label + b"\x00" + canonical_json(values))


def _fits(text: str) -> str:
    """A setting short enough for a ledger detail, or its digest."""
    return text if len(text) <= MAX_DETAIL_TEXT else "sha256:" + _sha256(text.encode())


def policy_config() -> dict[str, DetailValue]:
    """The loaded access policy and schema, as digests (the policy text itself is in git)."""
    from confide.access import engine

    values: dict[str, DetailValue] = {
        "policy_sha256": _sha256(engine.POLICY_TEXT.encode()),
        "schema_sha256": _sha256(engine.SCHEMA_TEXT.encode()),
    }
    return {"digest": _digest(b"confide-access-policy-v1", values), **values}


def checkpoint_config() -> dict[str, DetailValue]:
    """The checkpoint settings and the signing key's fingerprint (the key is created here if
    it does not exist yet, as the checkpointer would on its first checkpoint)."""
    keys = LedgerKeys.from_settings()
    verifier = keys.signer().verifier
    values: dict[str, DetailValue] = {
        "origin": _fits(keys.origin),
        "every_events": int(settings.CONFIDE_CHECKPOINT_EVERY_EVENTS),
        "every_seconds": int(settings.CONFIDE_CHECKPOINT_EVERY_SECONDS),
        "checkpoint_dir": _fits(str(Path(keys.checkpoint_dir).resolve())),
        "key_fingerprint": _sha256(verifier.public_key),
        "key_id": verifier.key_id.hex(),
    }
    return {"digest": _digest(b"confide-checkpoint-settings-v1", values), **values}


def last_digest(event_type: EventType) -> str | None:
    details = (
        Event.objects.filter(event_type=event_type.value)
        .order_by("-seq")
        .values_list("details", flat=True)
        .first()
    )
    if not isinstance(details, dict):
        return None
    digest = details.get("digest")
    return digest if isinstance(digest, str) else None


@transaction.atomic
def record_configuration() -> list[EventType]:
    """Append access:policy:changed and ledger:checkpoint_settings:changed where the current
    configuration differs from the last recorded; returns the event types written.

    Run by the system (no actor). Holds the chain head's lock while comparing, so two processes
    starting together record a change once (PostgreSQL). Raises SigningKeyError or
    CheckpointError for a bad key file or origin.
    """
    ledger.lock_chain()
    written = []
    for event_type, current in (
        (EventType.POLICY_CHANGED, policy_config()),
        (EventType.CHECKPOINT_SETTINGS_CHANGED, checkpoint_config()),
    ):
        previous = last_digest(event_type)
        if previous == current["digest"]:
            continue
        ledger.record(
            actor=None,
            event_type=event_type,
            subject_type="configuration",
            details={**current, "previous": previous},
        )
        written.append(event_type)
    return written
