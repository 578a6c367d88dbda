"""`confide ledger ...`: verify, checkpoint, public-key, prove-inclusion, prove-consistency and
verify-proof. Every command but verify-proof needs the database; verify-proof needs only the
proof, the checkpoint(s) and the ledger's public key, and never starts Django."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from confide.ledger.proofs import ProofInvalid, verify_document
from confide.ledger.signing import NoteError, Verifier


def _progress_bar(quiet: bool) -> Any:
    def progress(done: int, total: int) -> None:
        if not quiet:
            width = 30
            filled = width * done // max(total, 1)
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\rverifying [{bar}] {done}/{total}")
            sys.stderr.flush()

    return progress


def read_verifier(text_or_path: str) -> Verifier:
    """A verifier key given as its text or as a file holding it."""
    path = Path(text_or_path)
    text = path.read_text(encoding="utf-8") if path.is_file() else text_or_path
    return Verifier.parse(text)


def verify_main(
    *, quiet: bool = False, key: str | None = None, checkpoint_dir: str | None = None
) -> int:
    """Check the chain, every signed checkpoint and their consistency; name the first problem."""
    from confide.ledger.verify import verify_ledger

    try:
        verifier = read_verifier(key) if key else None
    except (NoteError, OSError) as exc:
        print(f"ledger verify: bad --key: {exc}")
        return 2
    report = verify_ledger(
        _progress_bar(quiet),
        verifier=verifier,
        checkpoint_dir=Path(checkpoint_dir) if checkpoint_dir else None,
    )
    if not quiet:
        sys.stderr.write("\n")
        for note in report.notes:
            sys.stderr.write(f"note: {note}\n")
    if not report.ok:
        where = (
            f"at event {report.first_bad_seq}"
            if report.first_bad_seq is not None
            else "in its checkpoints"
        )
        print(
            f"ledger BROKEN {where}: {report.problem} ({report.checked} events before it verified)"
        )
        return 1
    line = f"ledger OK: {report.checked} events, chain intact"
    if report.checkpoints:
        line += (
            "; 1 signed checkpoint verified"
            if report.checkpoints == 1
            else f"; {report.checkpoints} signed checkpoints verified and consistent"
        ) + f" (the latest covers {report.latest_checkpoint} events)"
    print(line)
    return 0


def checkpoint_main() -> int:
    """Sign and export a checkpoint of the events committed so far."""
    from confide.ledger.checkpoints import CheckpointError, checkpoint_create
    from confide.ledger.signing import SigningKeyError

    try:
        result = checkpoint_create()
    except (CheckpointError, SigningKeyError) as exc:
        print(f"ledger checkpoint refused: {exc}")
        return 1
    if result.created is None:
        print(f"ledger checkpoint: nothing to do ({result.message})")
        return 0
    print(f"ledger checkpoint: {result.message}, exported to {result.path}")
    print(result.created.note, end="")
    return 0


def public_key_main() -> int:
    """Print the verifier key to hand to auditors and to `verify-proof --key`."""
    from confide.ledger.checkpoints import LedgerKeys
    from confide.ledger.signing import SigningKeyError

    keys = LedgerKeys.from_settings()
    try:
        print(keys.signer().verifier.text())
    except SigningKeyError as exc:
        print(f"ledger public-key: {exc}")
        return 1
    return 0


def prove_inclusion_main(seq: int, tree_size: int | None, with_event: bool) -> int:
    from confide.ledger.checkpoints import ProofUnavailable, prove_inclusion
    from confide.ledger.merkle import ProofError

    try:
        document = prove_inclusion(seq, tree_size=tree_size, with_event=with_event)
    except (ProofUnavailable, ProofError) as exc:
        print(f"ledger prove-inclusion: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(document, indent=2))
    return 0


def prove_consistency_main(old_size: int, new_size: int | None) -> int:
    from confide.ledger.checkpoints import ProofUnavailable, prove_consistency
    from confide.ledger.merkle import ProofError

    try:
        document = prove_consistency(old_size, new_size)
    except (ProofUnavailable, ProofError) as exc:
        print(f"ledger prove-consistency: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(document, indent=2))
    return 0


def verify_proof_main(proof: str, key: str, checkpoints: list[str]) -> int:
    """Verify a proof document offline; exit 0 when it holds, 1 when it does not."""
    try:
        verifier = read_verifier(key)
        raw = sys.stdin.read() if proof == "-" else Path(proof).read_text(encoding="utf-8")
        document = json.loads(raw)
        notes = [Path(path).read_text(encoding="utf-8") for path in checkpoints]
    except (OSError, ValueError) as exc:
        print(f"proof NOT verified: cannot read the inputs: {exc}")
        return 2
    if not isinstance(document, dict):
        print("proof NOT verified: the proof is not a JSON object")
        return 1
    try:
        verified = verify_document(document, verifier, notes)
    except ProofInvalid as exc:
        print(f"proof NOT verified: {exc}")
        return 1
    print(f"proof verified: {verified.summary} (log {verified.origin}, key {verifier.text()})")
    return 0
