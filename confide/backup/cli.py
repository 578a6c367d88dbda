"""`confide backup create PATH` and `confide backup restore PATH [--force]`: argument handling,
progress output and clear errors around `backup.services`."""

from __future__ import annotations

import sys
from pathlib import Path

from confide.backup.errors import BackupError


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    def show(done: int, total: int, what: str) -> None:
        if not quiet:
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write(
                f"\r{what:<26} [{'#' * filled}{'-' * (width - filled)}] {done}/{total}"
            )
            sys.stderr.flush()

    return show


def create_main(path: str, *, quiet: bool) -> int:
    from confide.backup.services import backup_create

    try:
        created = backup_create(Path(path), progress=_progress(quiet))
    except BackupError as error:
        print(f"\nbackup create: {error}", file=sys.stderr)
        return 1
    if not quiet:
        sys.stderr.write("\n")
    print(f"wrote {created.path}: archive {created.archive_id}, {created.files} file(s)")
    print(f"manifest sha256 {created.manifest_sha256} (also in the ledger: backup:archive:created)")
    print("This archive holds no keys. Escrow the keyring separately (docs/operations.md).")
    return 0


def restore_main(path: str, *, force: bool, quiet: bool) -> int:
    from confide.backup.services import backup_restore

    try:
        restored = backup_restore(Path(path), force=force, progress=_progress(quiet))
    except BackupError as error:
        print(f"\nbackup restore: {error}", file=sys.stderr)
        return 1
    if not quiet:
        sys.stderr.write("\n")
    print(f"restored archive {restored.archive_id}: {restored.files} file(s)")
    print(f"manifest sha256 {restored.manifest_sha256}")
    print(f"re-shredded {restored.reshredded} client(s) shredded after this backup was taken")
    if restored.moved_aside:
        print(f"the previous files directory was moved to {restored.moved_aside}")
    print(
        "Run `confide ledger verify`: events after this backup are gone from the database, and "
        "exported checkpoints that cover them will say so."
    )
    if not restored.keys_open:
        print(
            "WARNING: this installation's keys do not open the restored data keys. Put the "
            "escrowed keyring (or key provider) in place; until then no record can be read.",
            file=sys.stderr,
        )
        return 3
    return 0
