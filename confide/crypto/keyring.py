"""The local keyring file: versioned key-encryption keys (KEKs) for the default key provider.

The keyring is a JSON file outside the database, created on first use with mode 0600. It is
never copied into the database or its backups. A file readable by others is refused. Adding a
KEK version rewrites it atomically (temporary file, fsync, rename) under an exclusive lock.
Files written before blind-index keys moved into the database may still hold a
`blind_index_root`; it is ignored.

`load_keyring`, on the path of every request that opens a record, keeps the parsed file in this
process's memory (never anywhere else) and re-reads it whenever the file's identity changes:
device, inode, size, modification and status-change times. Adding a version replaces the file
(a new inode); an edit in place changes its times. A file modified in the last two seconds is
always re-read, so an edit within one tick of a coarse file-system clock is not missed, and the
file's mode is checked on every call, so a keyring made readable by others is refused at once.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import secrets
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

KEY_BYTES = 32
# A file modified this recently may change again within the same clock tick: not cached.
RECENT_NS = 2_000_000_000


class KeyringError(RuntimeError):
    """The keyring is missing, unreadable, malformed or too widely readable."""


@dataclass(frozen=True)
class Keyring:
    keks: dict[int, bytes]
    active_kek_version: int

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
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(document, handle)


def _check_mode(path: Path, mode: int) -> None:
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyringError(f"keyring {path} is readable by others; chmod 600 it")


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        raise KeyringError(f"no keyring at {path}") from None


def read_keyring(path: Path) -> Keyring:
    """Read and check the keyring file now (no cache)."""
    _check_mode(path, _stat(path).st_mode)
    try:
        document = json.loads(path.read_text())
        keks = {int(version): _decode(key) for version, key in document["keks"].items()}
        active = int(document["active_kek_version"])
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyringError(f"keyring {path} is malformed ({type(exc).__name__})") from None
    if active not in keks:
        raise KeyringError("keyring's active key-encryption key is missing")
    if not keks:
        raise KeyringError("keyring holds no key-encryption key")
    return Keyring(keks=keks, active_kek_version=active)


Identity = tuple[int, int, int, int, int]
# Per keyring path: the file's identity when it was parsed, and what it held. Process memory
# only; replaced whole (one assignment), so concurrent threads see one entry or the other.
_parsed: dict[Path, tuple[Identity, Keyring]] = {}


def _identity(found: os.stat_result) -> Identity:
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def load_keyring(path: Path | None = None) -> Keyring:
    """The keyring (default: the configured one), created on first use; parsed again only when
    the file has changed (see the module's docstring)."""
    path = path if path is not None else Path(settings.CONFIDE_KEYRING_PATH)
    try:
        found = path.stat()  # one stat per call when the file exists (every request)
    except FileNotFoundError:
        with contextlib.suppress(FileExistsError):  # another process created it first
            create_keyring(path)
        found = _stat(path)
    _check_mode(path, found.st_mode)
    identity = _identity(found)
    cached = _parsed.get(path)
    if cached is not None and cached[0] == identity:
        return cached[1]
    keyring = read_keyring(path)
    if time.time_ns() - found.st_mtime_ns >= RECENT_NS:
        # Stored under the identity seen before reading: if the file changed in between, the
        # next call sees another identity and reads it again.
        _parsed[path] = (identity, keyring)
    else:
        _parsed.pop(path, None)
    return keyring


def add_kek(path: Path) -> int:
    """Add the next KEK version to the keyring at `path`, make it active, and return it.

    Older versions stay: data keys wrapped by them (and older backups) still unwrap until the
    operator retires them after a completed rotation.
    """
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        read_keyring(path)  # refuses a malformed or widely readable file first
        document = json.loads(path.read_text())
        version = max(int(v) for v in document["keks"]) + 1
        document["keks"][str(version)] = _encode(secrets.token_bytes(KEY_BYTES))
        document["active_kek_version"] = version
        _replace(path, document)
        return version
    finally:
        os.close(fd)


def _replace(path: Path, document: dict[str, object]) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(document, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
