"""`confide keys ...`: status, rotate-kek, rotate-client CLIENT, rotate-index.

Each rotation shows a progress bar on stderr (like `confide ledger verify`), prints one summary
line on stdout, and resumes an unfinished rotation of the same kind when run again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from confide.core.ids import parse_id


def _progress_bar(label: str, quiet: bool) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        if not quiet:
            width = 30
            filled = width * min(done, total) // max(total, 1)
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r{label} [{bar}] {done}/{total}")
            sys.stderr.flush()

    return progress


def _done(quiet: bool) -> None:
    if not quiet:
        sys.stderr.write("\n")


def rotate_kek_main(*, quiet: bool = False) -> int:
    from confide.crypto.providers import ProviderError
    from confide.crypto.rotation import RotationError, rotate_kek

    try:
        result = rotate_kek(_progress_bar("rewrapping data keys", quiet))
    except (RotationError, ProviderError) as exc:
        _done(quiet)
        print(f"keys rotate-kek: {exc}", file=sys.stderr)
        return 1
    _done(quiet)
    how = "resumed and finished" if result.resumed else "done"
    print(f"keys rotate-kek {how}: KEK version {result.version}, {result.done} keys rewrapped")
    return 0


def rotate_client_main(client: str, *, quiet: bool = False) -> int:
    from confide.crypto.providers import ProviderError
    from confide.crypto.rotation import RotationError, rotate_client

    client_id = parse_id(client)
    if client_id is None:
        print("keys rotate-client: CLIENT must be a client id (UUID)", file=sys.stderr)
        return 2
    try:
        result = rotate_client(client_id, _progress_bar("re-encrypting", quiet))
    except (RotationError, ProviderError) as exc:
        _done(quiet)
        print(f"keys rotate-client: {exc}", file=sys.stderr)
        return 1
    _done(quiet)
    how = "resumed and finished" if result.resumed else "done"
    print(
        f"keys rotate-client {how}: data key version {result.version}, "
        f"{result.done} values and files re-encrypted"
    )
    return 0


def rotate_index_main(*, quiet: bool = False) -> int:
    from confide.crypto.blind_index import IndexKeyError
    from confide.crypto.providers import ProviderError
    from confide.crypto.rotation import RotationError, rotate_index

    try:
        result = rotate_index(_progress_bar("recomputing blind indexes", quiet))
    except (RotationError, ProviderError, IndexKeyError) as exc:
        _done(quiet)
        print(f"keys rotate-index: {exc}", file=sys.stderr)
        return 1
    _done(quiet)
    how = "resumed and finished" if result.resumed else "done"
    print(
        f"keys rotate-index {how}: blind-index key version {result.version}, "
        f"{result.done} clients reindexed"
    )
    return 0


def status_main() -> int:
    """The provider, KEK versions in use, index key versions and unfinished rotations."""
    from django.db.models import Count

    from confide.crypto.models import ClientKey, IndexKey, Rotation
    from confide.crypto.providers import ProviderError, get_provider

    try:
        provider = get_provider()
        print(f"provider: {provider.name}; active KEK version {provider.active_version()}")
    except ProviderError as exc:
        print(f"keys status: {exc}", file=sys.stderr)
        return 1
    for row in ClientKey.objects.values("kek_version").annotate(n=Count("client_id")):
        print(f"data keys under KEK version {row['kek_version']}: {row['n']}")
    for key in IndexKey.objects.order_by("version"):
        print(f"blind-index key version {key.version}: {key.state}; bits {key.bits}")
    open_jobs = Rotation.objects.filter(finished_at=None).order_by("id")
    for job in open_jobs:
        target = f" of client {job.client_id}" if job.client_id else ""
        print(f"UNFINISHED rotation: {job.kind}{target} to version {job.target_version}")
    return 1 if open_jobs else 0
