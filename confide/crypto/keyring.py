"""The local keyring: versioned key-encryption keys and the blind-index root key.

The keyring is a JSON file outside the database, created on first use with mode 0600. It is
never copied into the database or its backups. A file readable by others is refused.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

KEY_BYTES = 32


class KeyringError(RuntimeError):
    """The keyring is missing, unreadable, malformed or too widely readable."""


@dataclass(frozen=True)
class Keyring:
    keks: dict[int, bytes]
    active_kek_version: int
    blind_index_root: bytes

    def kek(self, version: int) -> bytes:
        try:
            return self.keks[version]
        except KeyError:
            raise KeyringError(
                f"key-encryption key version {version} is not in the keyring"
            ) from None


def _encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _decode(text: str) -> bytes:
    raw = base64.b64decode(text, validate=True)
    if len(raw) != KEY_BYTES:
        raise KeyringError("keyring holds a key of the wrong length")
    return raw


def create_keyring(path: Path) -> None:
    """Write a fresh keyring at `path` (mode 0600); refuses to overwrite an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "format": 1,
        "active_kek_version": 1,
        "keks": {"1": _encode(secrets.token_bytes(KEY_BYTES))},
        "blind_index_root": _encode(secrets.token_bytes(KEY_BYTES)),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(document, handle)


def read_keyring(path: Path) -> Keyring:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyringError(f"no keyring at {path}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyringError(f"keyring {path} is readable by others; chmod 600 it")
    try:
        document = json.loads(path.read_text())
        keks = {int(version): _decode(key) for version, key in document["keks"].items()}
        active = int(document["active_kek_version"])
        root = _decode(document["blind_index_root"])
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyringError(f"keyring {path} is malformed ({type(exc).__name__})") from None
    if active not in keks:
        raise KeyringError("keyring's active key-encryption key is missing")
    return Keyring(keks=keks, active_kek_version=active, blind_index_root=root)


def load_keyring() -> Keyring:
    """The configured keyring, created on first use. Read per call: no process-local key cache."""
    path = Path(settings.CONFIDE_KEYRING_PATH)
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process created it first
            create_keyring(path)
    return read_keyring(path)
