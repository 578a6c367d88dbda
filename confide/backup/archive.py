"""The archive format: a tar file with the database dump, the attachment files and, last, a
manifest naming every member with its size and SHA-256 digest.

Layout (every name under `confide-backup/`):

    database.sqlite3 | database.pgdump     the database (SQLite backup API copy, or pg_dump -Fc)
    files/<agency-id>/<attachment-id>.bin  the encrypted attachment blobs, as stored
    manifest.json                          format, archive id, time, database kind, applied
                                           migrations, ledger head, and the member digests

Reading is strict: only regular files with the names above, each exactly once, each matching
its digest, or the archive is refused before anything is restored. What may be written is as
strict: only a database dump and files named `<uuid>/<uuid>.bin` (see `is_attachment_blob`),
so no keyring, signing key, shred list or key-provider file can be swept in.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from confide.backup.errors import BackupError

FORMAT = "confide-backup/1"
ROOT = "confide-backup"
MANIFEST = f"{ROOT}/manifest.json"
DATABASE_MEMBERS = {"sqlite": f"{ROOT}/database.sqlite3", "postgresql": f"{ROOT}/database.pgdump"}
_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
FILE_MEMBER = re.compile(rf"^{ROOT}/files/({_UUID})/({_UUID})\.bin$")
CHUNK = 1024 * 1024

Progress = Callable[[int, int, str], None]


def is_attachment_blob(relative: Path) -> bool:
    """A path under the files directory that is an attachment blob (agency id / blob id)."""
    return FILE_MEMBER.match(f"{ROOT}/files/{relative.as_posix()}") is not None


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.digest.update(data)
        return data


@dataclass
class Writer:
    """Adds members to an open tar file and remembers their digests."""

    tar: tarfile.TarFile
    members: list[dict[str, Any]]

    def add_file(self, name: str, source: Path) -> None:
        info = tarfile.TarInfo(name)
        info.size = source.stat().st_size
        info.mode = 0o600
        with source.open("rb") as handle:
            hashing = _Hashing(handle)
            self.tar.addfile(info, hashing)
        self.members.append({"name": name, "size": info.size, "sha256": hashing.digest.hexdigest()})

    def add_manifest(self, manifest: dict[str, Any]) -> bytes:
        body = json.dumps({**manifest, "members": self.members}, indent=1, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(body)
        info.mode = 0o600
        self.tar.addfile(info, io.BytesIO(body))
        return body


def open_archive(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:")
    except FileNotFoundError:
        raise BackupError(f"no archive at {path}") from None
    except (tarfile.TarError, OSError):
        raise BackupError(f"{path} is not a Confide backup archive (not a tar file)") from None


def read_manifest(tar: tarfile.TarFile) -> tuple[dict[str, Any], bytes]:
    try:
        member = tar.getmember(MANIFEST)
        handle = tar.extractfile(member)
        body = handle.read() if handle else b""
        manifest = json.loads(body)
    except (KeyError, tarfile.TarError, ValueError, OSError):
        raise BackupError(
            "the archive has no readable manifest: it is damaged or not ours"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"the archive's format is not {FORMAT}")
    members = manifest.get("members")
    if not isinstance(members, list) or not all(
        isinstance(m, dict) and isinstance(m.get("name"), str) and isinstance(m.get("sha256"), str)
        for m in members
    ):
        raise BackupError("the archive's manifest is malformed")
    return manifest, body


def _allowed(name: str, database_member: str) -> bool:
    return name == database_member or FILE_MEMBER.match(name) is not None


def extract_verified(
    tar: tarfile.TarFile, manifest: dict[str, Any], target: Path, progress: Progress | None
) -> Iterator[tuple[str, Path]]:
    """Extract every member into `target`, checking names, types and digests; yields
    (member name, extracted path). Raises BackupError at the first problem."""
    database_member = DATABASE_MEMBERS.get(str(manifest.get("database", {}).get("vendor")), "")
    expected = {m["name"]: m for m in manifest["members"]}
    if database_member not in expected:
        raise BackupError("the archive's manifest names no database dump")
    seen: set[str] = set()
    total = len(expected)
    for info in tar:
        if info.name == MANIFEST:
            continue
        if not info.isfile() or not _allowed(info.name, database_member):
            raise BackupError(f"the archive holds an unexpected member {info.name!r}; refused")
        if info.name in seen or info.name not in expected:
            raise BackupError(f"member {info.name!r} is not in the manifest (or twice); refused")
        seen.add(info.name)
        out = target / f"{len(seen):08d}.part"
        source = tar.extractfile(info)
        if source is None:  # pragma: no cover - regular files always have content
            raise BackupError(f"member {info.name!r} cannot be read")
        digest = hashlib.sha256()
        with out.open("wb") as handle:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                handle.write(chunk)
        if digest.hexdigest() != expected[info.name]["sha256"]:
            raise BackupError(
                f"member {info.name!r} does not match its digest: the archive is damaged or was "
                "altered; nothing was restored"
            )
        if progress:
            progress(len(seen), total, "checking")
        yield info.name, out
    missing = set(expected) - seen
    if missing:
        raise BackupError(f"the archive lacks {len(missing)} member(s) its manifest names")
