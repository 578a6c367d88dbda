"""Signed checkpoints: create them, keep them, export them, and prove against them.

`checkpoint_create` is the one writer. Under a lock that elects one checkpointer (a PostgreSQL
advisory lock; SQLite serializes writers itself), it re-verifies the events added since the last
checkpoint, extends the stored Merkle tree, checks that the tree still has the last signed root,
signs (origin, size, root, time) with the ledger key, writes the note to the external sink, then
stores it. The key is read from a file outside the database; the sink is a directory by default.

It never locks the chain head, so appends go on while a checkpoint is made: the events 1..n it
signs are the ones committed when it read the head (appends commit in sequence order, because
each holds the head's row lock until it commits). Appends commit without waiting for the disk
(decision 0005, 1b), so before it signs anything it makes those n events durable
(`_make_durable`): an exported checkpoint never covers an event that a database crash could
still take back. Call it outside any transaction, as the command line and the checkpointer do.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

from confide.core import clock
from confide.ledger import merkle, tree
from confide.ledger.chain import GENESIS_HASH, event_payload
from confide.ledger.models import ChainHead, Event
from confide.ledger.proofs import (
    Checkpoint,
    ProofInvalid,
    consistency_document,
    inclusion_document,
    open_checkpoint,
)
from confide.ledger.scan import ChainScan, read_rows
from confide.ledger.services import FLUSH_SQL
from confide.ledger.signing import (
    Signer,
    Verifier,
    load_or_create_private_key,
    load_private_key,
    sign_note,
    valid_key_name,
)

LOCK_KEY = int.from_bytes(hashlib.sha256(b"confide-ledger-checkpointer").digest()[:8], "big") >> 1
SINK_NAME = re.compile(r"(\d{12,20})-(\d{8}T\d{12}Z)\.checkpoint")


class CheckpointError(RuntimeError):
    """A checkpoint could not be made; the message says why (nothing was signed)."""


class LedgerDamaged(CheckpointError):
    """The events or the stored tree no longer match what was signed: refuse to sign more."""


@dataclass(frozen=True)
class LedgerKeys:
    """Where the signing key and the exported checkpoints live, and the log's name."""

    origin: str
    key_path: Path
    checkpoint_dir: Path

    @classmethod
    def from_settings(cls) -> LedgerKeys:
        keys = cls(
            origin=settings.CONFIDE_LEDGER_ORIGIN,
            key_path=Path(settings.CONFIDE_LEDGER_SIGNING_KEY_PATH),
            checkpoint_dir=Path(settings.CONFIDE_CHECKPOINT_DIR),
        )
        if not valid_key_name(keys.origin):
            raise CheckpointError("CONFIDE_LEDGER_ORIGIN must be non-empty, without spaces or '+'")
        return keys

    def signer(self) -> Signer:
        return Signer(self.origin, load_or_create_private_key(self.key_path))

    def verifier(self) -> Verifier:
        """The public half of the configured key (which must already exist)."""
        return Signer(self.origin, load_private_key(self.key_path)).verifier


# --- the external sink ------------------------------------------------------------------------


class DirectorySink:
    """Checkpoint notes as files, one per checkpoint, never overwritten.

    Written through a temporary file, fsync and an atomic link, so a reader sees whole notes
    only. In production point it at storage the database's administrators cannot rewrite (a
    mount synced to object storage with a retention lock, a WORM volume, another host).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def write(self, checkpoint: Checkpoint, note: str, when: datetime) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{checkpoint.size:012d}-{when.strftime('%Y%m%dT%H%M%S%f')}Z.checkpoint"
        path = self.directory / name
        temporary = self.directory / f".{name}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(note)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        _fsync_directory(self.directory)
        return path

    def notes(self) -> Iterator[tuple[str, str]]:
        """(file name, note) of every exported checkpoint, by tree size."""
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.iterdir()):
            if SINK_NAME.fullmatch(path.name):
                yield path.name, path.read_text(encoding="utf-8")


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- stored checkpoints -----------------------------------------------------------------------


@dataclass(frozen=True)
class StoredCheckpoint:
    tree_size: int
    root_hash: str
    key_id: str
    signed_at: str
    note: str


_COLUMNS = "tree_size, root_hash, key_id, signed_at, note"


def _stored(row: tuple[Any, ...]) -> StoredCheckpoint:
    size, root, key, signed_at, note = row
    return StoredCheckpoint(int(size), str(root), str(key), str(signed_at), str(note))


def checkpoint_list() -> list[StoredCheckpoint]:
    """Every stored checkpoint, smallest tree first."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_COLUMNS} FROM ledger_checkpoint ORDER BY tree_size")  # noqa: S608
        return [_stored(row) for row in cursor.fetchall()]


def checkpoint_latest() -> StoredCheckpoint | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM ledger_checkpoint ORDER BY tree_size DESC LIMIT 1"  # noqa: S608
        )
        row = cursor.fetchone()
    return _stored(row) if row else None


def checkpoint_get(tree_size: int) -> StoredCheckpoint | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM ledger_checkpoint WHERE tree_size = %s",  # noqa: S608
            [tree_size],
        )
        row = cursor.fetchone()
    return _stored(row) if row else None


def checkpoint_covering(seq: int) -> StoredCheckpoint | None:
    """The smallest stored checkpoint that includes event `seq`."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM ledger_checkpoint WHERE tree_size >= %s "  # noqa: S608
            "ORDER BY tree_size LIMIT 1",
            [seq],
        )
        row = cursor.fetchone()
    return _stored(row) if row else None


def _insert(stored: StoredCheckpoint) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO ledger_checkpoint ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
            [stored.tree_size, stored.root_hash, stored.key_id, stored.signed_at, stored.note],
        )


# --- creating a checkpoint --------------------------------------------------------------------


def _lock(wait: bool) -> bool:
    """Elect this process as the one checkpointer until the transaction ends."""
    if connection.vendor != "postgresql":
        return True  # SQLite: the IMMEDIATE transaction already excludes every other writer
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        row = cursor.fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class CheckpointResult:
    created: StoredCheckpoint | None
    tree_size: int
    message: str
    path: Path | None = None


def checkpoint_create(*, keys: LedgerKeys | None = None, wait: bool = True) -> CheckpointResult:
    """Sign and export a checkpoint of every committed event, if there are new ones.

    Needs the signing key file (created on first use). Raises LedgerDamaged, without signing,
    when the new events do not chain from the last checkpoint or the stored tree no longer has
    the last signed root; SigningKeyError for an unsafe or unreadable key.
    """
    keys = keys or LedgerKeys.from_settings()
    signer = keys.signer()
    with transaction.atomic():
        if not _lock(wait):
            return CheckpointResult(None, 0, "another checkpointer is at work")
        head = ChainHead.objects.filter(id=1).first()
        size = head.seq if head is not None else 0
        last = checkpoint_latest()
        last_size = last.tree_size if last is not None else 0
        if size <= last_size:
            return CheckpointResult(None, last_size, f"no new events since checkpoint {last_size}")
        _make_durable()  # events 1..size, read before it, are on disk from here on
        _verify_new_events(last_size, size)
        tree.extend(size)
        _check_last_root(last, keys, signer.verifier)
        root = merkle.root_at(tree.LedgerTree(), size)
        when = clock.now()
        checkpoint = Checkpoint.at(keys.origin, size, root, when)
        note = sign_note(checkpoint.text(), signer)
        path = DirectorySink(keys.checkpoint_dir).write(checkpoint, note, when)
        stored = StoredCheckpoint(
            size, root.hex(), signer.verifier.key_id.hex(), when.isoformat(), note
        )
        _insert(stored)
    return CheckpointResult(stored, size, f"signed checkpoint of {size} events", path)


def _make_durable() -> None:
    """Return once every transaction that committed before the call is on disk.

    PostgreSQL: appends commit with `synchronous_commit` off and wait for the flush afterwards,
    so an event the checkpointer sees may still be only in memory for a moment. A synchronous
    commit that wrote WAL returns once the WAL is flushed up to its commit record, which follows
    the commit record of every transaction that was visible before it began (a commit is logged
    before it becomes visible): after it, those events survive a crash. On a connection of its
    own, because the checkpoint's transaction commits only after the export. SQLite commits
    synchronously: nothing to do.
    """
    if connection.vendor != "postgresql":
        return
    current = connections[connection.alias]
    flusher = type(current)(dict(current.settings_dict), alias=current.alias)
    try:
        with flusher.cursor() as cursor:
            cursor.execute(FLUSH_SQL)
    finally:
        flusher.close()


def _verify_new_events(last_size: int, size: int) -> None:
    """Never sign events that do not chain from what was signed before."""
    prev = GENESIS_HASH
    if last_size:
        event = Event.objects.filter(seq=last_size).only("hash").first()
        if event is None:
            raise LedgerDamaged(f"event {last_size}, the last one signed, is missing")
        prev = event.hash
    scan = ChainScan(expected=last_size + 1, prev_hash=prev)
    vendor = connection.vendor
    for rows in read_rows(last_size, size):
        if not scan.feed(rows, vendor):
            raise LedgerDamaged(f"event {scan.bad_seq}: {scan.problem}; nothing was signed")
    if scan.checked != size:
        raise LedgerDamaged(f"event {scan.checked + 1} is missing; nothing was signed")


def _check_last_root(last: StoredCheckpoint | None, keys: LedgerKeys, verifier: Verifier) -> None:
    if last is None:
        return
    try:
        signed = open_checkpoint(last.note, verifier)
    except ProofInvalid as exc:
        raise LedgerDamaged(f"the last stored checkpoint does not verify: {exc}") from exc
    if merkle.root_at(tree.LedgerTree(), signed.size) != signed.root:
        raise LedgerDamaged(
            f"the events no longer have the root signed at {signed.size}; nothing was signed"
        )


# --- proofs from the database -----------------------------------------------------------------


class ProofUnavailable(CheckpointError):
    """No checkpoint covers what was asked (or it does not exist)."""


def _checkpoint_for(tree_size: int | None, seq: int) -> StoredCheckpoint:
    stored = checkpoint_get(tree_size) if tree_size is not None else checkpoint_covering(seq)
    if stored is None or stored.tree_size < seq:
        raise ProofUnavailable(f"no checkpoint includes event {seq} yet")
    return stored


def event_payload_of(event: Event) -> dict[str, Any]:
    return event_payload(
        seq=event.seq,
        occurred_at=event.occurred_at,
        agency_id=event.agency_id,
        actor_id=event.actor_id,
        channel=event.channel,
        event_type=event.event_type,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        client_id=event.client_id,
        reason=event.reason,
        policy_ids=list(event.policy_ids),
        details=dict(event.details),
        prev_hash=event.prev_hash,
    )


def prove_inclusion(
    seq: int, *, tree_size: int | None = None, with_event: bool = False
) -> dict[str, Any]:
    """An inclusion proof of event `seq` in a stored checkpoint (by default the first that has
    it). `with_event` adds the event's hashed fields (ids and codes, never text)."""
    event = Event.objects.filter(seq=seq).first()
    if event is None or seq < 1:
        raise ProofUnavailable(f"there is no event {seq}")
    stored = _checkpoint_for(tree_size, seq)
    checkpoint = Checkpoint.parse(stored.note[: stored.note.rfind("\n\n") + 1])
    path = merkle.inclusion_proof(tree.LedgerTree(), seq - 1, stored.tree_size)
    return inclusion_document(
        seq=seq,
        event_hash_hex=event.hash,
        path=path,
        checkpoint_note=stored.note,
        checkpoint=checkpoint,
        event=event_payload_of(event) if with_event else None,
    )


def prove_consistency(old_size: int, new_size: int | None = None) -> dict[str, Any]:
    """A consistency proof between two stored checkpoints (by default: the latest)."""
    old = checkpoint_get(old_size)
    new = checkpoint_get(new_size) if new_size is not None else checkpoint_latest()
    if old is None or new is None:
        raise ProofUnavailable("both tree sizes must be those of stored checkpoints")
    if old.tree_size > new.tree_size:
        raise ProofUnavailable("the old checkpoint must not be larger than the new one")
    path = merkle.consistency_proof(tree.LedgerTree(), old.tree_size, new.tree_size)
    return consistency_document(
        old_note=old.note,
        old=Checkpoint.parse(old.note[: old.note.rfind("\n\n") + 1]),
        new_note=new.note,
        new=Checkpoint.parse(new.note[: new.note.rfind("\n\n") + 1]),
        path=path,
    )
