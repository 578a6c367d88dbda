"""Sealing the consent app's confidential fields with the client's data key.

Each ciphertext is bound to its table and column (the purpose), its row and its client, so a
value copied to another row or client does not open. A record whose key was shredded reads as
UNREADABLE instead of failing the page.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from confide.crypto.envelope import DataKey, DecryptionFailed, client_key

UNREADABLE = "(This text can no longer be read.)"


def seal_text(key: DataKey, purpose: str, row_id: UUID, text: str) -> bytes:
    return key.encrypt_text(f"consent_{purpose}", row_id, text)


def seal_json(key: DataKey, purpose: str, row_id: UUID, value: dict[str, Any]) -> bytes:
    return seal_text(key, purpose, row_id, json.dumps(value, sort_keys=True))


def open_text(
    key: DataKey | None, purpose: str, row_id: UUID, blob: bytes | memoryview | None
) -> str:
    if blob is None:
        return ""
    if key is None:
        return UNREADABLE
    try:
        return key.decrypt_text(f"consent_{purpose}", row_id, blob)
    except DecryptionFailed:
        return UNREADABLE


def open_json(
    key: DataKey | None, purpose: str, row_id: UUID, blob: bytes | memoryview | None
) -> dict[str, str]:
    text = open_text(key, purpose, row_id, blob)
    if text in ("", UNREADABLE):
        return {}
    loaded = json.loads(text)
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def key_or_none(client_id: UUID) -> DataKey | None:
    """The client's data key, or None once it was shredded."""
    try:
        return client_key(client_id)
    except DecryptionFailed:
        return None
