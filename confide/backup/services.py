"""Creating and restoring backups (the operator's commands; no web or API route reaches them).

Create: the attachment staging area is swept, the shred list is brought up to date from the
database, the database is dumped (one consistent snapshot), then every attachment blob is added
and the manifest written last; the archive is written to a temporary name (mode 0600) and
renamed into place, and `backup:archive:created` (archive id, manifest digest, counts) is
recorded in the live ledger. Keys are never read: the keyring, the ledger signing key, the
key provider's material and the shred list live outside the database and outside the files
directory's `<agency>/<blob>.bin` names, which are all an archive may hold.

Restore: every member is extracted and checked against the manifest before anything changes;
the archive's migrations must be known to this code; a database holding data is replaced only
with `force`. Then the current tombstones are copied into the shred list, the database and the
files are replaced (the old files directory is moved aside, not deleted), migrations run
forward, and the shred list is re-applied: a client shredded after the backup was taken is
shredded again before anyone can open it (docs/decisions/0007). `backup:archive:restored` is
recorded in the restored ledger.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, transaction

from confide.backup import archive, database
from confide.backup.archive import Progress
from confide.backup.errors import BackupError
from confide.core import clock
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.models import ChainHead
from confide.retention.errors import ShredListError


@dataclass(frozen=True)
class Created:
    archive_id: str
    path: Path
    files: int
    manifest_sha256: str


@dataclass(frozen=True)
class Restored:
    archive_id: str
    files: int
    reshredded: int
    manifest_sha256: str
    moved_aside: Path | None
    keys_open: bool  # the key provider here unwraps the restored clients' data keys


def keys_open_sample(size: int = 5) -> bool:
    """Whether the key provider here unwraps a few restored clients' data keys (a restore on a
    machine without the escrowed keyring gives a database of ciphertext nobody can read)."""
    from confide.crypto.envelope import client_key
    from confide.records.models import Client
    from confide.retention.models import ShreddedClient

    shredded = ShreddedClient.objects.values("client_id")
    sample = Client.objects.exclude(id__in=shredded).order_by("?").values_list("id", flat=True)
    try:
        for client_id in sample[:size]:
            client_key(client_id)
    except Exception:
        return False
    return True


def _files_dir() -> Path:
    return Path(settings.CONFIDE_FILES_DIR)


def attachment_blobs() -> list[Path]:
    """The attachment blobs on disk (relative to the files directory), and nothing else."""
    root = _files_dir()
    if not root.exists():
        return []
    return sorted(
        path.relative_to(root)
        for path in root.glob("*/*.bin")
        if path.is_file()
        and not path.is_symlink()
        and archive.is_attachment_blob(path.relative_to(root))
    )


def _shred_list_error(error: ShredListError) -> BackupError:
    return BackupError(f"{error}; fix it first (it is kept with the keys); nothing was done")


def _prepare() -> None:
    from confide.records import files
    from confide.retention import shredlist

    files.sweep_staging()
    try:
        shredlist.sync_from_database()
    except ShredListError as error:
        raise _shred_list_error(error) from None


def backup_create(path: Path, *, progress: Progress | None = None) -> Created:
    """Write an archive of the database and the attachment files to `path` (must not exist)."""
    if path.exists():
        raise BackupError(f"{path} exists; choose a new name (an archive is never overwritten)")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory")
    kind = database.vendor()
    _prepare()
    archive_id = str(uuid.uuid4())
    head = ChainHead.objects.filter(id=1).values_list("seq", "hash").first() or (0, "")
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".backup-", suffix=".part")
    os.fchmod(fd, 0o600)
    try:
        with tempfile.TemporaryDirectory() as scratch, os.fdopen(fd, "wb") as raw:
            dump = Path(scratch) / "database"
            if progress:
                progress(0, 1, "dumping the database")
            database.dump(dump)
            if progress:
                progress(1, 1, "dumping the database")
            blobs = attachment_blobs()
            with tarfile.open(fileobj=raw, mode="w:", format=tarfile.PAX_FORMAT) as tar:
                writer = archive.Writer(tar, [])
                writer.add_file(archive.DATABASE_MEMBERS[kind], dump)
                root = _files_dir()
                for done, blob in enumerate(blobs, start=1):
                    writer.add_file(f"{archive.ROOT}/files/{blob.as_posix()}", root / blob)
                    if progress:
                        progress(done, len(blobs), "adding files")
                body = writer.add_manifest(
                    {
                        "format": archive.FORMAT,
                        "archive_id": archive_id,
                        "created_at": clock.now().isoformat(),
                        "database": {"vendor": kind},
                        "migrations": database.applied_migrations(),
                        "ledger_head": {"seq": head[0], "hash": head[1]},
                        "files": len(blobs),
                        "never_included": "keyring, key provider material, ledger signing key, "
                        "shred list (keys are escrowed separately: docs/operations.md)",
                    }
                )
            raw.flush()
            os.fsync(raw.fileno())
        os.link(temporary, path)  # fails rather than overwrite an archive made meanwhile
    except FileExistsError:
        raise BackupError(
            f"{path} appeared while the archive was written; nothing replaced"
        ) from None
    finally:
        Path(temporary).unlink(missing_ok=True)
    digest = hashlib.sha256(body).hexdigest()
    with transaction.atomic():
        ledger.record(
            actor=None,
            event_type=EventType.BACKUP_CREATED,
            subject_type="backup",
            subject_id=archive_id,
            channel="cli",
            details={"manifest_sha256": digest, "files": len(blobs), "database": kind},
        )
    return Created(archive_id, path, len(blobs), digest)


def _check_migrations(manifest: dict[str, object]) -> None:
    raw = manifest.get("migrations")
    if not isinstance(raw, dict):
        raise BackupError("the archive's manifest lists no migrations")
    archived = {(app, name) for app, names in raw.items() for name in names}
    unknown = archived - database.known_migrations()
    if unknown:
        app, name = sorted(unknown)[0]
        raise BackupError(
            f"the archive was made by a newer Confide (migration {app}.{name} is unknown here); "
            "upgrade this installation first; nothing was restored"
        )


def _database_is_empty_or_forced(force: bool) -> None:
    try:
        busy = database.holds_data()
    except DatabaseError as error:
        raise BackupError(f"cannot read the target database: {type(error).__name__}") from None
    if busy and not force:
        raise BackupError(
            "the database already holds data; restoring would replace it. Restore into an empty "
            "database, or pass --force to replace this one; nothing was restored"
        )


def _sync_shred_list_from_current() -> None:
    """Before the current database is replaced, copy its tombstones into the shred list."""
    from confide.retention import shredlist

    try:
        shredlist.read()  # a damaged list stops the restore before anything is replaced
        # An empty database without tables has no tombstones to copy.
        with contextlib.suppress(DatabaseError):
            shredlist.sync_from_database()
    except ShredListError as error:
        raise _shred_list_error(error) from None


def _place_files(extracted: list[tuple[str, Path]]) -> Path | None:
    """Put the archive's blobs in place of the files directory; the old one is moved aside."""
    root = _files_dir()
    incoming = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}-restore-"))
    for name, path in extracted:
        match = archive.FILE_MEMBER.match(name)
        if match:
            folder = incoming / match.group(1)
            folder.mkdir(mode=0o700, exist_ok=True)
            shutil.move(str(path), folder / f"{match.group(2)}.bin")
    moved: Path | None = None
    if root.exists() and any(root.iterdir()):
        moved = root.with_name(f"{root.name}.before-restore-{clock.now():%Y%m%dT%H%M%S}")
        os.replace(root, moved)
    elif root.exists():
        root.rmdir()
    os.replace(incoming, root)
    root.chmod(0o700)
    return moved


def backup_restore(
    path: Path, *, force: bool = False, progress: Progress | None = None
) -> Restored:
    """Restore an archive (see the module docstring). Raises BackupError; when it is raised
    before the database is loaded, nothing was changed."""
    with archive.open_archive(path) as tar:
        manifest, body = archive.read_manifest(tar)
        _check_migrations(manifest)
        _database_is_empty_or_forced(force)
        _files_dir().parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=_files_dir().parent) as scratch:
            try:
                extracted = list(archive.extract_verified(tar, manifest, Path(scratch), progress))
            except (tarfile.TarError, EOFError, OSError) as error:
                raise BackupError(
                    f"the archive is damaged ({type(error).__name__}); nothing was restored"
                ) from None
            dump = next(p for n, p in extracted if n in archive.DATABASE_MEMBERS.values())
            if manifest["database"]["vendor"] != database.vendor():
                raise BackupError(
                    f"the archive holds a {manifest['database']['vendor']} database; this "
                    f"installation uses {database.vendor()}; nothing was restored"
                )
            _sync_shred_list_from_current()
            if progress:
                progress(0, 1, "loading the database")
            database.load(dump)
            if progress:
                progress(1, 1, "loading the database")
            moved = _place_files(extracted)
    return _after_load(manifest, body, moved, progress)


def _after_load(
    manifest: dict[str, object], body: bytes, moved: Path | None, progress: Progress | None
) -> Restored:
    from confide.retention.purge import finish_pending_files, reapply_shred_list

    call_command("migrate", interactive=False, verbosity=0)
    if progress:
        progress(0, 1, "re-applying the shred list")
    finish_pending_files()
    again = reapply_shred_list()
    if progress:
        progress(1, 1, "re-applying the shred list")
    digest = hashlib.sha256(body).hexdigest()
    archive_id = str(manifest.get("archive_id", ""))[:64]
    files = int(manifest.get("files", 0))  # type: ignore[call-overload]
    with transaction.atomic():
        ledger.record(
            actor=None,
            event_type=EventType.BACKUP_RESTORED,
            subject_type="backup",
            subject_id=archive_id,
            channel="cli",
            details={"manifest_sha256": digest, "files": files, "reshredded": again},
        )
    return Restored(archive_id, files, again, digest, moved, keys_open_sample())
