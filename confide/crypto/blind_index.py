"""Blind indexes for exact lookups over encrypted fields.

Each index has its own key, derived by HKDF from the keyring's root and the index name. The HMAC
output is truncated to BITS bits so that, at agency scale, several clients share a value: an
index match is a candidate, and the caller filters false positives after decryption. What this
leaks (equality and frequency of truncated values) is written in docs/threat-model.md.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from confide.crypto.keyring import load_keyring

BITS = 16


def normalize(text: str) -> str:
    """Case-, accent-width- and space-insensitive form used for exact matching."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split())


def _index_key(index_name: str, scope: str) -> bytes:
    root = load_keyring().blind_index_root
    info = f"confide:blind-index:{index_name}:{scope}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(root)


def blind_index(index_name: str, scope: str, *parts: str) -> int:
    """The truncated HMAC of the normalized parts, as a small non-negative integer."""
    message = "\x1f".join(normalize(part) for part in parts).encode()
    digest = hmac.new(_index_key(index_name, scope), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") >> (32 - BITS)
