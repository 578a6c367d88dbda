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
    _retention_parser(groups)
    _backup_parser(groups)
    _keys_parser(groups)
    return parser


def _keys_parser(groups: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    keys = groups.add_parser("keys", help="key providers and key rotation (resumable)")
    commands = keys.add_subparsers(dest="command", required=True)
    commands.add_parser("status", help="provider, key versions in use, unfinished rotations")
    kek = commands.add_parser(
        "rotate-kek", help="new key-encryption key; rewrap every data key (data untouched)"
    )
    kek.add_argument("--quiet", action="store_true", help="no progress output")
    client = commands.add_parser(
        "rotate-client", help="new data key for one client; re-encrypt its fields and files"
    )
    client.add_argument("client", help="the client's id")
    client.add_argument("--quiet", action="store_true", help="no progress output")
    index = commands.add_parser(
        "rotate-index", help="new blind-index key; recompute every index row"
    )
    index.add_argument("--quiet", action="store_true", help="no progress output")


def _keys(args: argparse.Namespace) -> int:
    from confide.crypto import cli as keys_cli

    _setup_django()
    if args.command == "status":
        return keys_cli.status_main()
    if args.command == "rotate-kek":
        return keys_cli.rotate_kek_main(quiet=args.quiet)
    if args.command == "rotate-client":
        return keys_cli.rotate_client_main(args.client, quiet=args.quiet)
    return keys_cli.rotate_index_main(quiet=args.quiet)


def _retention_parser(groups: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    retention = groups.add_parser("retention", help="retention schedules and the purge job")
    commands = retention.add_subparsers(dest="command", required=True)
    due = commands.add_parser("due", help="list clients due for destruction (ids and dates)")
    due.add_argument("--agency", help="one agency's slug (default: every agency)")
    due.add_argument("--today", help="the date to judge by, YYYY-MM-DD (default: today)")
    purge = commands.add_parser(
        "purge", help="crypto-shred the clients privacy officers approved (resumable)"
    )
    purge.add_argument("--batch", help="only this approved batch (its id)")
    purge.add_argument("--today", help="the date to judge by, YYYY-MM-DD (default: today)")
    purge.add_argument("--quiet", action="store_true", help="no progress output")


def _backup_parser(groups: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    backup = groups.add_parser("backup", help="archives of the database and files (never keys)")
    commands = backup.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="write an archive of the database and files")
    create.add_argument("path", help="the archive to write (must not exist)")
    create.add_argument("--quiet", action="store_true", help="no progress output")
    restore = commands.add_parser("restore", help="restore an archive, then re-apply shredding")
    restore.add_argument("path", help="the archive to restore")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )
    restore.add_argument("--quiet", action="store_true", help="no progress output")


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
    if args.group == "keys":
        return _keys(args)
    if args.group == "retention":
        return _retention(args)
    if args.group == "backup":
        return _backup(args)
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


def _retention(args: argparse.Namespace) -> int:
    _setup_django()
    from confide.retention import cli as retention_cli

    if args.command == "due":
        return retention_cli.due_main(today=args.today, agency=args.agency)
    return retention_cli.purge_main(today=args.today, batch=args.batch, quiet=args.quiet)


def _backup(args: argparse.Namespace) -> int:
    _setup_django()
    from confide.backup import cli as backup_cli

    if args.command == "create":
        return backup_cli.create_main(args.path, quiet=args.quiet)
    return backup_cli.restore_main(args.path, force=args.force, quiet=args.quiet)


if __name__ == "__main__":
    sys.exit(main())
