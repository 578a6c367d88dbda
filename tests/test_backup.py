"""Backups: `backup create` / `backup restore` on a scratch database whose writes commit.

A round trip restores everything readable; a bad or altered archive is refused before anything
changes; a database holding data is replaced only with force; a client shredded after a backup
was taken stays shredded when that older backup is restored (the shred list beside the keys),
and without the shred list it would not (the control that shows the test can fail); and an
archive holds no client data in clear and no key (invariant 5, backup side).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings
from pytest_django import DjangoDbBlocker
from scratchdb import ScratchDatabase, postgres_admin
from test_dump import Planted, assert_nothing_in_clear, populate

from confide.backup import archive
from confide.backup.errors import BackupError
from confide.backup.services import backup_create, backup_restore
from confide.crypto.envelope import DecryptionFailed, client_key
from confide.ledger.models import Event
from confide.ledger.verify import verify_chain
from confide.records import selectors, services
from confide.records.models import Attachment, Client
from confide.retention import purge, shredlist
from confide.retention import services as retention
from confide.retention.tests.support import TODAY, close_cases
from confide.testing import World, actor, build_world, make_client

PSST = "Notes on the Brackenridge visit."


@pytest.fixture(autouse=True)
def _database_roles(django_db_setup: None) -> None:
    """Set up the session's database first: with an owner and an application role on
    PostgreSQL, the root conftest then connects as the owner, who may create scratch databases."""


@pytest.fixture
def places(tmp_path: Path) -> Iterator[Path]:
    """Files directory and shred list of these tests only."""
    with override_settings(
        CONFIDE_FILES_DIR=tmp_path / "files",
        CONFIDE_SHRED_LIST_PATH=tmp_path / "keys" / "shredded-clients.jsonl",
    ):
        yield tmp_path


@pytest.fixture
def empty_db(django_db_blocker: DjangoDbBlocker, tmp_path: Path) -> Iterator[ScratchDatabase]:
    """A second database, created empty (no tables): where a disaster recovery restores to."""
    with django_db_blocker.unblock():
        template = connections[DEFAULT_DB_ALIAS]
        if template.vendor == "postgresql":
            scratch = ScratchDatabase(template, f"confide_empty_{secrets.token_hex(6)}")
            postgres_admin(scratch, f'CREATE DATABASE "{scratch.name}"')
        else:
            scratch = ScratchDatabase(template, str(tmp_path / "empty.sqlite3"))
        try:
            yield scratch
        finally:
            ContentType.objects.clear_cache()
            if scratch.vendor == "postgresql":
                postgres_admin(scratch, f'DROP DATABASE IF EXISTS "{scratch.name}" WITH (FORCE)')


def _record_with_file(world: World) -> Attachment:
    note = world.note(world.worker_a, world.client_a, body=PSST)
    return services.attachment_create(
        actor=actor(world.worker_a),
        note_id=note.id,
        filename="visit.txt",
        content_type="text/plain",
        data=b"Visit letter content.",
    )


def _open_as(user: Any, client_id: Any) -> selectors.ClientView:
    return selectors.client_get(actor=actor(user), client_id=client_id)


# ---- round trip ---------------------------------------------------------------------------------


def test_a_round_trip_restores_everything_readable(
    scratch_db: ScratchDatabase, places: Path
) -> None:
    archive_path = places / "backup.tar"
    with scratch_db.bound():
        world = build_world()
        attachment = _record_with_file(world)
        created = backup_create(archive_path)
        assert created.files == 1
        later = make_client(
            world.agency_a,
            world.team_a1,
            name="Later Person",
            dob=dt.date(1999, 1, 1),
            number="A-L",
        )
        with pytest.raises(BackupError, match="already holds data"):
            backup_restore(archive_path)
        restored = backup_restore(archive_path, force=True)
        assert (restored.archive_id, restored.files, restored.reshredded) == (
            created.archive_id,
            1,
            0,
        )
        assert restored.moved_aside is not None
        assert restored.keys_open
        assert restored.moved_aside.exists()
        view = _open_as(world.worker_a, world.client_a.id)
        assert view.legal_name == "Rosalind Quenby"
        assert [n.body for n in view.notes] == [PSST]
        _, data = selectors.attachment_download(
            actor=actor(world.worker_a), attachment_id=attachment.id
        )
        assert data == b"Visit letter content."
        assert not Client.objects.filter(id=later.id).exists()  # made after the backup
        assert verify_chain().ok
        assert Event.objects.filter(event_type="backup:archive:restored").count() == 1


def test_a_restore_into_an_empty_database_needs_no_force(
    scratch_db: ScratchDatabase, empty_db: ScratchDatabase, places: Path
) -> None:
    archive_path = places / "backup.tar"
    with scratch_db.bound():
        world = build_world()
        _record_with_file(world)
        backup_create(archive_path)
    with empty_db.bound():
        backup_restore(archive_path)
        assert _open_as(world.worker_a, world.client_a.id).notes[0].body == PSST
        assert verify_chain().ok


# ---- bad archives -------------------------------------------------------------------------------


def _rewrite(source: Path, target: Path, change: Any) -> None:
    """Copy an archive member by member, letting `change(name, data)` alter or drop members."""
    with tarfile.open(source) as old, tarfile.open(target, "w:") as new:
        for info in old:
            handle = old.extractfile(info)
            data = handle.read() if handle else b""
            changed = change(info.name, data)
            if changed is None:
                continue
            name, body = changed
            fresh = tarfile.TarInfo(name)
            fresh.size = len(body)
            new.addfile(fresh, io.BytesIO(body))


def _flip_in_database(name: str, data: bytes) -> tuple[str, bytes]:
    if name in archive.DATABASE_MEMBERS.values():
        middle = len(data) // 2
        data = data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]
    return name, data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_flip_in_database, "does not match its digest"),
        (lambda n, d: None if n == archive.MANIFEST else (n, d), "no readable manifest"),
        (lambda n, d: None if "/files/" in n else (n, d), "lacks 1 member"),
        (
            lambda n, d: (n.replace("confide-backup/files", "confide-backup/../../etc"), d),
            "unexpected member",
        ),
        (
            lambda n, d: (
                (n, json.dumps({**json.loads(d), "format": "x"}).encode())
                if n == archive.MANIFEST
                else (n, d)
            ),
            "format",
        ),
    ],
)
def test_a_damaged_or_altered_archive_is_refused_and_nothing_changes(
    scratch_db: ScratchDatabase, places: Path, change: Any, message: str
) -> None:
    good, bad = places / "good.tar", places / "bad.tar"
    with scratch_db.bound():
        world = build_world()
        _record_with_file(world)
        backup_create(good)
        later = make_client(
            world.agency_a,
            world.team_a1,
            name="Later Person",
            dob=dt.date(1999, 1, 1),
            number="A-L",
        )
        _rewrite(good, bad, change)
        with pytest.raises(BackupError, match=message):
            backup_restore(bad, force=True)
        assert Client.objects.filter(id=later.id).exists()  # the database was not touched
        assert (places / "files").exists()


def test_garbage_and_missing_archives_get_clear_errors(
    scratch_db: ScratchDatabase, places: Path
) -> None:
    junk = places / "junk.tar"
    junk.write_bytes(b"this is not an archive" * 100)
    with scratch_db.bound():
        with pytest.raises(BackupError, match="not a Confide backup archive"):
            backup_restore(junk, force=True)
        with pytest.raises(BackupError, match="no archive at"):
            backup_restore(places / "missing.tar", force=True)
        with pytest.raises(BackupError, match="exists"):
            backup_create(junk)


def test_an_archive_from_a_newer_version_is_refused(
    scratch_db: ScratchDatabase, places: Path
) -> None:
    good, newer = places / "good.tar", places / "newer.tar"

    def future(name: str, data: bytes) -> tuple[str, bytes]:
        if name != archive.MANIFEST:
            return name, data
        manifest = json.loads(data)
        manifest["migrations"]["records"].append("9999_from_the_future")
        return name, json.dumps(manifest).encode()

    with scratch_db.bound():
        build_world()
        backup_create(good)
        _rewrite(good, newer, future)
        with pytest.raises(BackupError, match="newer Confide"):
            backup_restore(newer, force=True)


# ---- shredding survives a restore ------------------------------------------------------------


def _shred(world: World) -> None:
    retention.retention_schedule_set(actor=actor(world.privacy_a), state="CA")
    retention.purge_batch_approve(
        actor=actor(world.privacy_a),
        client_ids=[world.client_a.id],
        today=TODAY,
        reauthenticated=True,
    )
    assert purge.purge_run(today=TODAY).purged == 1


def _blob(attachment: Attachment) -> Path:
    return Path(settings.CONFIDE_FILES_DIR) / str(attachment.agency_id) / f"{attachment.id}.bin"


def test_restoring_an_older_backup_does_not_bring_a_shredded_client_back(
    scratch_db: ScratchDatabase, places: Path
) -> None:
    older = places / "older.tar"
    with scratch_db.bound():
        world = build_world()
        attachment = _record_with_file(world)
        close_cases(world.client_a)
        backup_create(older)  # holds client_a's wrapped data key and file
        _shred(world)
        assert not _blob(attachment).exists()
        restored = backup_restore(older, force=True)
        assert restored.reshredded == 1
        with pytest.raises(DecryptionFailed):
            client_key(world.client_a.id)
        assert not Attachment.objects.filter(id=attachment.id).exists()
        assert not _blob(attachment).exists()
        assert (
            _open_as(world.other_worker_a, world.client_a_other.id).legal_name == "Tobias Wexford"
        )
        assert Event.objects.filter(
            event_type="retention:client:shred_reapplied", client_id=world.client_a.id
        ).exists()
        assert verify_chain().ok


def test_after_losing_the_database_the_shred_list_alone_keeps_the_client_shredded(
    scratch_db: ScratchDatabase, empty_db: ScratchDatabase, places: Path
) -> None:
    older = places / "older.tar"
    with scratch_db.bound():
        world = build_world()
        close_cases(world.client_a)
        backup_create(older)
        _shred(world)
    assert set(shredlist.read()) == {world.client_a.id}
    with empty_db.bound():  # the live database is gone; only the older backup is left
        assert backup_restore(older).reshredded == 1
        with pytest.raises(DecryptionFailed):
            client_key(world.client_a.id)


def test_without_the_shred_list_the_older_backup_would_bring_the_client_back(
    scratch_db: ScratchDatabase, empty_db: ScratchDatabase, places: Path
) -> None:
    """The control: what the shred list prevents is real (this is why it is kept with the keys)."""
    older = places / "older.tar"
    with scratch_db.bound():
        world = build_world()
        close_cases(world.client_a)
        backup_create(older)
        _shred(world)
    shredlist.path().unlink()
    with empty_db.bound():
        assert backup_restore(older).reshredded == 0
        assert client_key(world.client_a.id)  # readable again: the wrapped key came back


# ---- nothing in clear, no keys ------------------------------------------------------------------


def _key_files() -> dict[str, bytes]:
    keys = {"keyring file": Path(settings.CONFIDE_KEYRING_PATH).read_bytes()}
    signing = Path(settings.CONFIDE_LEDGER_SIGNING_KEY_PATH)
    if signing.exists():
        keys["ledger signing key file"] = signing.read_bytes()
    return keys


def test_a_backup_archive_holds_no_client_data_in_clear_and_no_key(
    scratch_db: ScratchDatabase, places: Path
) -> None:
    archive_path = places / "backup.tar"
    with scratch_db.bound():
        planted: Planted = populate()
        from confide.ledger import checkpoints

        checkpoints.checkpoint_create()  # so the signing key exists and could leak
        backup_create(archive_path)
    planted.keys.update(_key_files())
    contents = archive_path.read_bytes()
    with tarfile.open(archive_path) as tar:
        names = tar.getnames()
    assert sum("/files/" in n for n in names) == len(planted.attachments)
    assert_nothing_in_clear({"backup archive": contents}, planted)
    for attachment in planted.attachments:  # the blobs went in exactly as stored (ciphertext)
        assert _blob(attachment).read_bytes() in contents


def test_a_backup_that_fails_midway_leaves_no_archive(
    scratch_db: ScratchDatabase, places: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from confide.backup import database

    def broken(target: Path) -> None:
        target.write_bytes(b"half a dump")
        raise BackupError("pg_dump failed: simulated")

    archive_path = places / "backup.tar"
    with scratch_db.bound():
        build_world()
        monkeypatch.setattr(database, "dump", broken)
        with pytest.raises(BackupError, match="simulated"):
            backup_create(archive_path)
    assert not archive_path.exists()
    assert list(places.glob(".backup-*")) == []


def test_a_damaged_shred_list_stops_a_restore_before_anything_changes(
    scratch_db: ScratchDatabase, places: Path
) -> None:
    archive_path = places / "backup.tar"
    with scratch_db.bound():
        world = build_world()
        backup_create(archive_path)
        later = make_client(
            world.agency_a,
            world.team_a1,
            name="Later Person",
            dob=dt.date(1999, 1, 1),
            number="A-L",
        )
        shredlist.path().parent.mkdir(parents=True, exist_ok=True)
        shredlist.path().write_text("garbage\n")
        shredlist.path().chmod(0o600)
        with pytest.raises(BackupError, match="malformed"):
            backup_restore(archive_path, force=True)
        assert Client.objects.filter(id=later.id).exists()


def test_a_restore_without_the_escrowed_keyring_warns_that_nothing_opens(
    scratch_db: ScratchDatabase, empty_db: ScratchDatabase, places: Path
) -> None:
    archive_path = places / "backup.tar"
    with scratch_db.bound():
        build_world()
        backup_create(archive_path)
    new_machine = places / "new-machine" / "keyring.json"
    with override_settings(CONFIDE_KEYRING_PATH=new_machine), empty_db.bound():
        assert not backup_restore(archive_path).keys_open
