"""Checkpoints (C2SP tlog-checkpoint) and proof documents, with their verifier (no Django).

A checkpoint's note text is the log's origin, the tree size in decimal, the root hash in base64,
then one extension line `time <UTC RFC 3339>`; it is signed as a C2SP signed note by the ledger
key, whose key name is the origin. Leaf n - 1 of the tree is the 32-byte hash of event n.

Everything a verifier needs is here, in `merkle` and `signing` (and `chain` to recompute an
event's hash from its fields): the proof document, the checkpoint and the ledger's public key.
No database, no Django: an auditor can run `confide ledger verify-proof` on their own machine.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from confide.ledger import merkle
from confide.ledger.chain import event_hash
from confide.ledger.signing import NoteError, Verifier, b64decode_strict, open_note

INCLUSION_FORMAT = "confide-ledger-inclusion-proof/v1"
CONSISTENCY_FORMAT = "confide-ledger-consistency-proof/v1"
TIME_PREFIX = "time "
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")
_HEX_HASH = re.compile(r"[0-9a-f]{64}")


class ProofInvalid(ValueError):
    """A proof or checkpoint does not verify; the message says what is wrong."""


@dataclass(frozen=True)
class Checkpoint:
    """The signed statement: the log `origin` had `size` events with Merkle root `root`."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"

    @property
    def signed_at(self) -> datetime | None:
        for line in self.extensions:
            if line.startswith(TIME_PREFIX):
                return datetime.fromisoformat(line[len(TIME_PREFIX) :])
        return None

    @classmethod
    def at(cls, origin: str, size: int, root: bytes, when: datetime) -> Checkpoint:
        stamp = when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return cls(origin, size, root, (TIME_PREFIX + stamp,))

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise ProofInvalid("a checkpoint is an origin, a size and a root hash, one a line")
        origin, size, root, *extensions = lines[:-1]
        if not origin or not _DECIMAL.fullmatch(size):
            raise ProofInvalid("the checkpoint's origin or tree size is malformed")
        try:
            digest = b64decode_strict(root)
        except NoteError as exc:
            raise ProofInvalid("the checkpoint's root hash is not base64") from exc
        if len(digest) != merkle.HASH_SIZE:
            raise ProofInvalid("the checkpoint's root hash is not 32 bytes")
        return cls(origin, int(size), digest, tuple(extensions))


def open_checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    """The checkpoint in a signed note, after checking the signature of the ledger key.

    The key name is the log's origin (as C2SP recommends), so the origin must match it.
    """
    try:
        text = open_note(note, verifier)
    except NoteError as exc:
        raise ProofInvalid(f"checkpoint signature: {exc}") from exc
    checkpoint = Checkpoint.parse(text)
    if checkpoint.origin != verifier.name:
        raise ProofInvalid(f"the checkpoint is for log {checkpoint.origin!r}, not this one")
    return checkpoint


# --- proof documents --------------------------------------------------------------------------


def inclusion_document(
    *,
    seq: int,
    event_hash_hex: str,
    path: list[bytes],
    checkpoint_note: str,
    checkpoint: Checkpoint,
    event: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": INCLUSION_FORMAT,
        "origin": checkpoint.origin,
        "tree_size": checkpoint.size,
        "seq": seq,
        "leaf_index": seq - 1,
        "event_hash": event_hash_hex,
        "path": [node.hex() for node in path],
        "checkpoint": checkpoint_note,
    }
    if event is not None:
        document["event"] = dict(event)
    return document


def consistency_document(
    *, old_note: str, old: Checkpoint, new_note: str, new: Checkpoint, path: list[bytes]
) -> dict[str, Any]:
    return {
        "format": CONSISTENCY_FORMAT,
        "origin": new.origin,
        "old_size": old.size,
        "new_size": new.size,
        "path": [node.hex() for node in path],
        "old_checkpoint": old_note,
        "new_checkpoint": new_note,
    }


@dataclass(frozen=True)
class Verified:
    """What a valid proof established, for the verifier's report."""

    kind: str
    origin: str
    summary: str


def _field(document: Mapping[str, Any], name: str, kind: type) -> Any:
    value = document.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ProofInvalid(f"the proof's {name!r} is missing or not a {kind.__name__}")
    return value


def _same_origin(document: Mapping[str, Any], checkpoint: Checkpoint) -> None:
    if document.get("origin", checkpoint.origin) != checkpoint.origin:
        raise ProofInvalid("the proof names another log than its checkpoint")


def _path(document: Mapping[str, Any]) -> list[bytes]:
    path = _field(document, "path", list)
    if not all(isinstance(node, str) and _HEX_HASH.fullmatch(node) for node in path):
        raise ProofInvalid("the proof's path holds something other than 32-byte hex hashes")
    return [bytes.fromhex(node) for node in path]


def verify_inclusion_document(
    document: Mapping[str, Any], verifier: Verifier, checkpoint_note: str | None = None
) -> Verified:
    """Check that the event is leaf seq - 1 of the signed checkpoint (and, when the document
    carries the event's fields, that they hash to the event hash)."""
    if document.get("format") != INCLUSION_FORMAT:
        raise ProofInvalid("this is not an inclusion proof")
    checkpoint = open_checkpoint(checkpoint_note or _field(document, "checkpoint", str), verifier)
    _same_origin(document, checkpoint)
    seq, size = _field(document, "seq", int), _field(document, "tree_size", int)
    digest = _field(document, "event_hash", str)
    if size != checkpoint.size:
        raise ProofInvalid(f"the proof is for {size} events, its checkpoint for {checkpoint.size}")
    if not _HEX_HASH.fullmatch(digest):
        raise ProofInvalid("the event hash is not 32-byte hex")
    event = document.get("event")
    if event is not None:
        _check_event(event, seq, digest)
    leaf = merkle.leaf_hash(bytes.fromhex(digest))
    if not merkle.verify_inclusion(leaf, seq - 1, size, _path(document), checkpoint.root):
        raise ProofInvalid(f"event {seq} is not in the checkpoint of size {size}")
    return Verified(
        "inclusion", checkpoint.origin, f"event {seq} is in the signed checkpoint of size {size}"
    )


def _check_event(event: object, seq: int, digest: str) -> None:
    if not isinstance(event, dict) or event.get("seq") != seq:
        raise ProofInvalid("the event in the proof is not event seq")
    try:
        recomputed = event_hash(event)
    except (TypeError, ValueError) as exc:
        raise ProofInvalid("the event in the proof cannot be hashed") from exc
    if recomputed != digest:
        raise ProofInvalid("the event's fields do not hash to the event hash")


def verify_consistency_document(
    document: Mapping[str, Any],
    verifier: Verifier,
    old_note: str | None = None,
    new_note: str | None = None,
) -> Verified:
    """Check that the newer signed checkpoint's tree extends the older one's."""
    if document.get("format") != CONSISTENCY_FORMAT:
        raise ProofInvalid("this is not a consistency proof")
    old = open_checkpoint(old_note or _field(document, "old_checkpoint", str), verifier)
    new = open_checkpoint(new_note or _field(document, "new_checkpoint", str), verifier)
    _same_origin(document, new)
    if (old.size, new.size) != (
        _field(document, "old_size", int),
        _field(document, "new_size", int),
    ):
        raise ProofInvalid("the proof's sizes are not those of the checkpoints")
    if not merkle.verify_consistency(old.size, new.size, old.root, new.root, _path(document)):
        raise ProofInvalid(
            f"the checkpoint of size {new.size} does not extend the one of size {old.size}"
        )
    return Verified(
        "consistency",
        new.origin,
        f"the signed checkpoint of size {new.size} extends the one of size {old.size}",
    )


def verify_document(
    document: Mapping[str, Any], verifier: Verifier, checkpoints: list[str] | None = None
) -> Verified:
    """Dispatch on the document's format; `checkpoints` replace the ones it carries."""
    given: list[str | None] = [*(checkpoints or []), None, None]
    if document.get("format") == INCLUSION_FORMAT:
        return verify_inclusion_document(document, verifier, given[0])
    if document.get("format") == CONSISTENCY_FORMAT:
        return verify_consistency_document(document, verifier, given[0], given[1])
    raise ProofInvalid("unknown proof format")
