"""Attachment storage: encrypted blobs on disk, named by opaque id, written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings

from confide.records.models import Attachment
from confide.records.validation import Problems

# Allowed types and how their content must begin (checked, not trusted from the browser).
ALLOWED_TYPES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "text/plain": (),
}


def check_upload(p: Problems, *, content_type: str, data: bytes) -> None:
    limit = settings.CONFIDE_ATTACHMENT_MAX_BYTES
    if not isinstance(data, bytes | bytearray):
        p.fields["file"] = "must be file content"
        return
    if not data:
        p.fields["file"] = "is empty"
    elif len(data) > limit:
        p.fields["file"] = f"is larger than {limit // (1024 * 1024)} MB"
    if content_type not in ALLOWED_TYPES:
        p.fields["file"] = "must be a PDF, PNG, JPEG or plain-text file"
        return
    magics = ALLOWED_TYPES[content_type]
    if magics and not data.startswith(magics):
        p.fields["file"] = "its content does not match its type"
    if content_type == "text/plain":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            p.fields["file"] = "is not UTF-8 text"


STAGING = ".staging"


def _path(attachment: Attachment) -> Path:
    return Path(settings.CONFIDE_FILES_DIR) / str(attachment.agency_id) / f"{attachment.id}.bin"


def _staged(attachment: Attachment) -> Path:
    return Path(settings.CONFIDE_FILES_DIR) / STAGING / f"{attachment.id}.bin"


def store(attachment: Attachment, ciphertext: bytes) -> None:
    """Write the ciphertext to the staging area via a temporary file and a rename, so a crash
    never leaves a half-written file. `promote` moves it into place once the row commits."""
    path = _staged(attachment)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_atomically(path, ciphertext, prefix=".upload-")


def promote(attachment: Attachment) -> None:
    """Move a committed attachment's blob from staging to its place (idempotent)."""
    staged, final = _staged(attachment), _path(attachment)
    if staged.exists():
        final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.replace(staged, final)


def remove(attachment: Attachment) -> None:
    _staged(attachment).unlink(missing_ok=True)
    _path(attachment).unlink(missing_ok=True)


def rewrite(attachment: Attachment, ciphertext: bytes) -> None:
    """Replace a stored blob (data-key rotation) where it is, atomically: a crash leaves either
    the old or the new ciphertext, never a mix."""
    final = _path(attachment)
    path = final if final.exists() else _staged(attachment)
    _write_atomically(path, ciphertext, prefix=".rewrite-")


def _write_atomically(path: Path, data: bytes, *, prefix: str) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over
    `path`: a crash leaves the old file or the new one, never a mix; the temporary is removed on
    any failure."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(attachment: Attachment) -> bytes:
    """The blob, from its place or, if the process stopped before promoting it, from staging."""
    final = _path(attachment)
    return (final if final.exists() else _staged(attachment)).read_bytes()


def sweep_staging(*, older_than_seconds: float = 3600) -> tuple[int, int]:
    """Promote staged blobs whose row committed; delete those whose transaction rolled back.

    Returns (promoted, deleted). Only files older than `older_than_seconds` are judged, so an
    upload still in its transaction is left alone.
    """
    import time
    from uuid import UUID

    staging = Path(settings.CONFIDE_FILES_DIR) / STAGING
    promoted = deleted = 0
    cutoff = time.time() - older_than_seconds
    for blob in staging.glob("*.bin") if staging.exists() else []:
        if blob.stat().st_mtime > cutoff:
            continue
        row = Attachment.objects.filter(id=UUID(blob.stem)).first()
        if row is None:
            blob.unlink(missing_ok=True)
            deleted += 1
        else:
            promote(row)
            promoted += 1
    return promoted, deleted
