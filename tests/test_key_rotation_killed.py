"""Key rotation survives being killed: `confide keys rotate-kek` and `rotate-client` run as real
processes against a committed scratch database, are sent SIGKILL once their progress bar shows
committed work, and are run again; resuming must finish with every record readable and nothing
lost (the injected-crash tests are in confide/crypto/tests/test_rotation.py)."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from scratchdb import ScratchDatabase

from confide.crypto.envelope import (
    DataKey,
    blob_version,
    client_key,
    new_data_key,
    wrap_client_key,
)
from confide.crypto.models import ClientKey, Rotation
from confide.crypto.providers import get_provider
from confide.records import selectors
from confide.records.models import Note
from confide.testing import actor, build_world

ROOT = Path(__file__).resolve().parent.parent
PROGRESS = re.compile(rb"(\d+)/(\d+)")


def database_url(scratch: ScratchDatabase) -> str:
    if scratch.vendor == "sqlite":
        return f"sqlite:///{scratch.name}"
    args = scratch.postgres_arguments()
    password = f":{args['password']}" if "password" in args else ""
    port = f":{args['port']}" if "port" in args else ""
    return f"postgres://{args['user']}{password}@{args['host']}{port}/{scratch.name}"


def confide(scratch: ScratchDatabase, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CONFIDE_DATABASE_URL": database_url(scratch)}
    env["CONFIDE_KEYRING_PATH"] = str(settings.CONFIDE_KEYRING_PATH)
    env["CONFIDE_FILES_DIR"] = str(settings.CONFIDE_FILES_DIR)
    return subprocess.Popen(
        [sys.executable, "-m", "confide.cli", "keys", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def kill_after_progress(
    process: subprocess.Popen[bytes], at_least: int = 1, timeout: float = 120
) -> tuple[int, int]:
    """Wait until the progress bar shows `at_least` items committed, short of the total, then
    SIGKILL the process."""
    assert process.stderr is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        chunk = os.read(process.stderr.fileno(), 4096)
        if not chunk:
            break
        seen += chunk
        found = PROGRESS.findall(seen)
        if found:
            done, total = (int(n) for n in found[-1])
            if at_least <= done < total:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
                return done, total
    process.kill()
    raise AssertionError(f"the rotation never showed partial progress: {seen[-300:]!r}")


def run_to_end(scratch: ScratchDatabase, *args: str) -> str:
    process = confide(scratch, *args, "--quiet")
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()
    return out.decode()


def test_a_killed_kek_rotation_resumes_and_every_key_unwraps(scratch_db: ScratchDatabase) -> None:
    with scratch_db.bound():
        world = build_world()
        # Many wrapped data keys, so the rotation is still running when it is killed.
        provider = get_provider()
        keys: dict[uuid.UUID, bytes] = {}
        rows = []
        for _ in range(30_000):
            client_id, raw = uuid.uuid4(), new_data_key()
            kek_version, wrapped = wrap_client_key(provider, client_id, 1, raw)
            keys[client_id] = raw
            rows.append(
                ClientKey(
                    client_id=client_id,
                    agency_id=world.agency_a.id,
                    dek_version=1,
                    kek_version=kek_version,
                    wrapped_key=wrapped,
                )
            )
        with transaction.atomic():
            ClientKey.objects.bulk_create(rows, batch_size=2000)
        before = selectors.client_get(actor=actor(world.worker_a), client_id=world.client_a.id)

    kill_after_progress(confide(scratch_db, "rotate-kek"))

    with scratch_db.bound():
        versions = list(ClientKey.objects.values_list("kek_version", flat=True))
        assert 0 < versions.count(2) < len(versions)  # killed midway, batches kept
        assert Rotation.objects.get().finished_at is None
    assert "resumed and finished: KEK version 2" in run_to_end(scratch_db, "rotate-kek")
    with scratch_db.bound():
        assert set(ClientKey.objects.values_list("kek_version", flat=True)) == {2}
        assert Rotation.objects.get().finished_at is not None
        assert ClientKey.objects.count() == len(keys) + 3  # and the world's three clients
        for client_id in list(keys)[::100]:  # a sample of 300: each unwraps to the same key
            assert client_key(client_id) == DataKey(
                client_id=client_id, version=1, key=keys[client_id]
            )
        after = selectors.client_get(actor=actor(world.worker_a), client_id=world.client_a.id)
        assert (after.legal_name, after.phone, after.address) == (
            before.legal_name,
            before.phone,
            before.address,
        )


def test_a_killed_client_rotation_resumes_and_no_note_is_lost(scratch_db: ScratchDatabase) -> None:
    with scratch_db.bound():
        world = build_world()
        client = world.client_a
        case = world.case_of(client)
        key = client_key(client.id)
        notes = []
        for n in range(6000):
            note = Note(
                id=uuid.uuid4(),
                agency=world.agency_a,
                client=client,
                case=case,
                author=world.worker_a,
                kind="progress",
                occurred_on=dt.date(2025, 1, 1),
            )
            note.body_enc = key.encrypt_text("records_note.body", note.id, f"Note number {n}.")
            notes.append(note)
        with transaction.atomic():
            Note.objects.bulk_create(notes, batch_size=1000)
        expected = {note.id: f"Note number {n}." for n, note in enumerate(notes)}

    kill_after_progress(confide(scratch_db, "rotate-client", str(client.id)), at_least=1000)

    with scratch_db.bound():
        headers = [blob_version(b) for b in Note.objects.values_list("body_enc", flat=True)]
        assert 0 < headers.count(2) < len(headers)
        readable = client_key(client.id)  # opens both versions meanwhile
        for note_id, body in Note.objects.values_list("id", "body_enc"):
            assert readable.decrypt_text("records_note.body", note_id, body) == expected[note_id]
    assert "resumed and finished" in run_to_end(scratch_db, "rotate-client", str(client.id))
    with scratch_db.bound():
        final = client_key(client.id)
        assert final.version == 2
        assert final.older == {}
        stored = dict(Note.objects.values_list("id", "body_enc"))
        assert {blob_version(b) for b in stored.values()} == {2}
        assert {i: final.decrypt_text("records_note.body", i, b) for i, b in stored.items()} == (
            expected
        )
        stored_name = client.__class__.objects.get(id=client.id).legal_name_enc
        assert final.decrypt_text("records_client.legal_name", client.id, stored_name) == (
            "Rosalind Quenby"
        )
