"""`confide ledger verify`: check the chain, print progress and the first bad event."""

from __future__ import annotations

import sys

from confide.ledger.verify import verify_chain


def verify_main(*, quiet: bool = False) -> int:
    def progress(done: int, total: int) -> None:
        if not quiet:
            width = 30
            filled = width * done // max(total, 1)
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\rverifying [{bar}] {done}/{total}")
            sys.stderr.flush()

    report = verify_chain(progress)
    if not quiet:
        sys.stderr.write("\n")
    if report.ok:
        print(f"ledger OK: {report.checked} events, chain intact")
        return 0
    print(
        f"ledger BROKEN at event {report.first_bad_seq}: {report.problem} "
        f"({report.checked} events before it verified)"
    )
    return 1
