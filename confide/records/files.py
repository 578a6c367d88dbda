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


def _path(attachment: Attachment) -> Path:
    return Path(settings.CONFIDE_FILES_DIR) / str(attachment.agency_id) / f"{attachment.id}.bin"


def store(attachment: Attachment, ciphertext: bytes) -> None:
    """Write the ciphertext via a temporary file and rename, so a crash leaves no half file."""
    path = _path(attachment)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(ciphertext)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(attachment: Attachment) -> bytes:
    return _path(attachment).read_bytes()
