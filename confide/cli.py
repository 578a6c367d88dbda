"""The `confide` command line.

Owns argument parsing and dispatch only. Commands that need the database start Django first;
`confide disclosure evaluate` is a pure function of its input and never touches Django.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="confide", description="Confide case record system")
    groups = parser.add_subparsers(dest="group", required=True)

    disclosure = groups.add_parser("disclosure", help="disclosure decisions")
    disclosure_cmds = disclosure.add_subparsers(dest="command", required=True)
    evaluate = disclosure_cmds.add_parser(
        "evaluate", help="evaluate proposed disclosures (JSON Lines in, JSON Lines out)"
    )
    evaluate.add_argument("file", nargs="?", default="-", help="input file; '-' is stdin")

    ledger = groups.add_parser("ledger", help="the tamper-evident ledger")
    ledger_cmds = ledger.add_subparsers(dest="command", required=True)
    verify = ledger_cmds.add_parser(
        "verify", help="check the hash chain, every signed checkpoint and their consistency"
    )
    verify.add_argument("--quiet", action="store_true", help="no progress output")
    verify.add_argument("--key", help="the ledger's verifier key (text or file); default: ours")
    verify.add_argument("--checkpoint-dir", help="exported checkpoints to check as well")
    ledger_cmds.add_parser("checkpoint", help="sign and export a checkpoint of the ledger now")
    ledger_cmds.add_parser("public-key", help="print the verifier key of the ledger")
    inclusion = ledger_cmds.add_parser(
        "prove-inclusion", help="an inclusion proof of one event in a signed checkpoint (JSON)"
    )
    inclusion.add_argument("seq", type=int, help="the event's sequence number")
    inclusion.add_argument("--tree-size", type=int, help="the checkpoint (default: first after)")
    inclusion.add_argument("--with-event", action="store_true", help="add the event's fields")
    consistency = ledger_cmds.add_parser(
        "prove-consistency", help="a consistency proof between two signed checkpoints (JSON)"
    )
    consistency.add_argument("old_size", type=int, help="tree size of the older checkpoint")
    consistency.add_argument("new_size", type=int, nargs="?", help="default: the latest")
    proof = ledger_cmds.add_parser(
        "verify-proof", help="verify a proof offline with the ledger's public key"
    )
    proof.add_argument("proof", help="the proof document (JSON file; '-' is stdin)")
    proof.add_argument("--key", required=True, help="the ledger's verifier key (text or file)")
    proof.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        help="checkpoint note file(s) to use instead of those in the proof (old, then new)",
    )
    return parser


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.group == "disclosure":
        from confide.disclosures.engine.cli import evaluate_main

        return evaluate_main(args.file)
    if args.group == "ledger":
        return _ledger(args)
    return 2  # pragma: no cover - argparse rejects unknown groups


def _ledger(args: argparse.Namespace) -> int:
    from confide.ledger import cli as ledger_cli

    if args.command == "verify-proof":  # offline: no Django, no database
        return ledger_cli.verify_proof_main(args.proof, args.key, args.checkpoint)
    _setup_django()
    if args.command == "verify":
        return ledger_cli.verify_main(
            quiet=args.quiet, key=args.key, checkpoint_dir=args.checkpoint_dir
        )
    if args.command == "checkpoint":
        return ledger_cli.checkpoint_main()
    if args.command == "public-key":
        return ledger_cli.public_key_main()
    if args.command == "prove-inclusion":
        return ledger_cli.prove_inclusion_main(args.seq, args.tree_size, args.with_event)
    return ledger_cli.prove_consistency_main(args.old_size, args.new_size)


if __name__ == "__main__":
    sys.exit(main())
