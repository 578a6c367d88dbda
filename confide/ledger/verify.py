"""Verification of the ledger: the hash chain, the signed checkpoints and the stored tree.

`verify_chain` recomputes every event and names the first whose sequence, link or hash is wrong.
`verify_ledger` does that and, in the same pass, recomputes the Merkle tree and checks:

* every signed checkpoint, from the database and from the export directory, against the ledger's
  public key (a bad signature, or two signed checkpoints of one size with different roots, is a
  problem);
* that the first n events have the root signed for size n, at each checkpoint in order: a ledger
  rewritten wholesale by a database superuser (events re-chained, checkpoint rows deleted) still
  fails here, against the exported checkpoints the superuser could not reach or re-sign;
* consistency between consecutive checkpoints, by verifying the RFC 9162 consistency proof
  between them (built from the recomputed tree);
* that no checkpoint covers more events than there are (a truncated tail);
* that the stored subtree hashes, from which proofs are served, match the recomputed ones.

It stops at the first problem and says which event or checkpoint it is.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confide.ledger import merkle, tree
from confide.ledger.checkpoints import (
    DirectorySink,
    LedgerKeys,
    checkpoint_list,
    event_payload_of,
)
from confide.ledger.merkle import NodeKey
from confide.ledger.models import ChainHead, Event
from confide.ledger.proofs import Checkpoint, ProofInvalid, open_checkpoint
from confide.ledger.signing import SigningKeyError, Verifier
from confide.ledger.walk import Walk, default_workers

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""
    checkpoints: int = 0  # signed checkpoints verified
    latest_checkpoint: int = 0  # the largest tree size among them
    notes: tuple[str, ...] = ()  # findings that are not failures


def _payload(event: Event) -> dict[str, Any]:
    """The hashed fields of a stored event, through the model (the slow, plain path)."""
    return event_payload_of(event)


def _head_problem(checked: int, last_hash: str) -> tuple[int, str] | None:
    """Compare the walked chain with the chain head that every append updates."""
    head = ChainHead.objects.filter(id=1).first()
    if head is None:
        # Without it nothing marks where the ledger's own writes ended.
        return checked + 1, "the chain head row is missing: the end of the chain is unknown"
    if head.seq > checked:
        return checked + 1, "events after the last one are missing"
    if head.seq < checked:
        return head.seq + 1, "it is past the chain head: the ledger never wrote it (forged)"
    if checked and head.hash != last_hash:
        return checked, "it was altered and re-hashed (the chain head holds its real hash)"
    return None


def _finish(walk: Walk, verified: int = 0, latest: int = 0) -> VerifyReport | None:
    """The report of a walk that stopped at a problem, or of a chain head that disagrees."""
    if walk.problem:
        return VerifyReport(False, walk.checked, walk.bad_seq, walk.problem, verified, latest)
    if bad := _head_problem(walk.checked, walk.last_hash):
        return VerifyReport(False, bad[0] - 1, bad[0], bad[1], verified, latest)
    return None


def verify_chain(
    progress: Progress | None = None, *, workers: int | None = None, segment_level: int = 16
) -> VerifyReport:
    """Walk the chain in order; stop at the first problem."""
    walk = Walk(with_tree=False, segment_level=segment_level)
    walk.run(progress, workers if workers is not None else default_workers())
    return _finish(walk) or VerifyReport(True, walk.checked)


# --- checkpoints ------------------------------------------------------------------------------


@dataclass
class SignedCheckpoints:
    """Every signed checkpoint found, by tree size, with where each was found."""

    by_size: dict[int, Checkpoint] = field(default_factory=dict)
    where: dict[int, list[str]] = field(default_factory=dict)
    stored_sizes: set[int] = field(default_factory=set)
    problem: str = ""

    def add(self, note: str, source: str, verifier: Verifier) -> Checkpoint | None:
        try:
            checkpoint = open_checkpoint(note, verifier)
        except ProofInvalid as exc:
            self.problem = f"{source} does not verify: {exc}"
            return None
        known = self.by_size.get(checkpoint.size)
        if known is not None and known.root != checkpoint.root:
            self.problem = (
                f"two signed checkpoints of {checkpoint.size} events have different roots "
                f"({' and '.join([*self.where[checkpoint.size], source])}): the log was forked"
            )
            return None
        self.by_size[checkpoint.size] = checkpoint
        self.where.setdefault(checkpoint.size, []).append(source)
        return checkpoint

    def sizes(self) -> list[int]:
        return sorted(self.by_size)

    def describe(self, size: int) -> str:
        return " and ".join(self.where[size])


def collect_checkpoints(verifier: Verifier, sink: DirectorySink | None) -> SignedCheckpoints:
    found = SignedCheckpoints()
    for stored in checkpoint_list():
        source = f"the stored checkpoint of {stored.tree_size} events"
        signed = found.add(stored.note, source, verifier)
        if signed is None:
            return found
        if (signed.size, signed.root.hex()) != (stored.tree_size, stored.root_hash):
            found.problem = f"{source}: its row does not match its signed note"
            return found
        found.stored_sizes.add(stored.tree_size)
    for name, note in sink.notes() if sink is not None else ():
        if found.add(note, f"the exported checkpoint {name}", verifier) is None:
            return found
    return found


def _consistency_keys(sizes: list[int]) -> set[NodeKey]:
    keys: set[NodeKey] = set()
    for old, new in itertools.pairwise(sizes):
        for begin, end in merkle.consistency_ranges(old, new):
            keys.update(merkle.range_nodes(begin, end))
    return keys


def _resolve_verifier(keys: LedgerKeys, verifier: Verifier | None) -> tuple[Verifier | None, str]:
    if verifier is not None:
        return verifier, ""
    try:
        return keys.verifier(), ""
    except SigningKeyError as exc:
        return None, str(exc)


def verify_ledger(
    progress: Progress | None = None,
    *,
    verifier: Verifier | None = None,
    checkpoint_dir: Path | None = None,
    keys: LedgerKeys | None = None,
    workers: int | None = None,
    segment_level: int = 16,
) -> VerifyReport:
    """The chain, every signed checkpoint, their consistency and the stored tree; see above."""
    keys = keys or LedgerKeys.from_settings()
    verifier, key_problem = _resolve_verifier(keys, verifier)
    sink = DirectorySink(checkpoint_dir or keys.checkpoint_dir)
    workers = workers if workers is not None else default_workers()
    if verifier is None:
        if checkpoint_list() or any(True for _ in sink.notes()):
            return VerifyReport(False, 0, None, f"cannot check the checkpoints: {key_problem}")
        report = verify_chain(progress, workers=workers, segment_level=segment_level)
        return _with_notes(report, "no signing key and no checkpoints yet: chain only")
    found = collect_checkpoints(verifier, sink)
    if found.problem:
        return VerifyReport(False, 0, None, found.problem)
    return _verify_with_checkpoints(found, progress, workers, segment_level)


def _with_notes(report: VerifyReport, *notes: str) -> VerifyReport:
    return VerifyReport(
        report.ok,
        report.checked,
        report.first_bad_seq,
        report.problem,
        report.checkpoints,
        report.latest_checkpoint,
        report.notes + notes,
    )


def _verify_with_checkpoints(
    found: SignedCheckpoints, progress: Progress | None, workers: int, segment_level: int
) -> VerifyReport:
    sizes = found.sizes()
    previous: list[int] = []
    walk = Walk(targets=sizes, wanted=_consistency_keys(sizes), segment_level=segment_level)

    def at_checkpoint(size: int, root: bytes) -> str:
        signed = found.by_size[size]
        if root != signed.root:
            return (
                f"the first {size} events do not have the root signed for them "
                f"({found.describe(size)}): the ledger was rewritten at or before event {size}"
            )
        if previous:
            old = found.by_size[previous[-1]]
            ranges = merkle.consistency_ranges(old.size, size)
            path = [
                merkle.fold([walk.nodes[key] for key in merkle.range_nodes(*r)]) for r in ranges
            ]
            if not merkle.verify_consistency(old.size, size, old.root, signed.root, path):
                return f"the checkpoint of {size} events does not extend the one of {old.size}"
        previous.append(size)
        return ""

    walk.on_target = at_checkpoint
    walk.run(progress, workers)
    verified, latest = len(previous), (previous[-1] if previous else 0)
    if report := _finish(walk, verified, latest):
        return report
    beyond = [size for size in sizes if size > walk.checked]
    if beyond:
        problem = (
            f"a signed checkpoint covers {beyond[-1]} events ({found.describe(beyond[-1])}) but "
            f"the ledger has {walk.checked}: events were removed from its end"
        )
        return VerifyReport(False, walk.checked, walk.checked + 1, problem, verified, latest)
    stored_latest = max(found.stored_sizes, default=0)
    if problem := _stored_tree_problem(walk.nodes, stored_latest):
        return VerifyReport(False, walk.checked, None, problem, verified, latest)
    notes = tuple(_export_notes(found))
    return VerifyReport(True, walk.checked, None, "", verified, latest, notes)


def _stored_tree_problem(computed: dict[NodeKey, bytes], covered: int) -> str:
    """Stored subtree hashes must equal the recomputed ones, and cover every checkpoint."""
    seen: set[NodeKey] = set()
    for level, index, digest in tree.stored_nodes():
        key = (level, index)
        if computed.get(key, b"").hex() != digest:
            return f"the stored Merkle tree is damaged (level {level}, node {index})"
        seen.add(key)
    for level, index in computed:
        stored = level % tree.TILE == 0 and level > 0
        if stored and (index + 1) << level <= covered and (level, index) not in seen:
            return f"the stored Merkle tree is missing level {level}, node {index}"
    return ""


def _export_notes(found: SignedCheckpoints) -> list[str]:
    notes = []
    exported = {size for size, where in found.where.items() if any("exported" in w for w in where)}
    if found.stored_sizes - exported:
        notes.append(
            f"{len(found.stored_sizes - exported)} stored checkpoint(s) are not in the export "
            "directory"
        )
    if exported - found.stored_sizes:
        notes.append(f"{len(exported - found.stored_sizes)} exported checkpoint(s) are not stored")
    return notes
