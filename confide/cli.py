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
    verify = ledger_cmds.add_parser("verify", help="check the hash chain of every event")
    verify.add_argument("--quiet", action="store_true", help="no progress output")
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
        _setup_django()
        from confide.ledger.cli import verify_main

        return verify_main(quiet=args.quiet)
    return 2  # pragma: no cover - argparse rejects unknown groups


if __name__ == "__main__":
    sys.exit(main())
