"""Attachment blobs are staged until their row commits; the sweep settles what a crash left."""

from __future__ import annotations

import os
import time
import uuid

from django.conf import settings

from confide.records import files, selectors, services
from confide.records.models import Attachment
from confide.testing import World, actor


def _attach(world: World) -> Attachment:
    note = world.note(world.worker_a, world.client_a)
    return services.attachment_create(
        actor=actor(world.worker_a),
        note_id=note.id,
        filename="plan.txt",
        content_type="text/plain",
        data=b"safety plan",
    )


def _age(path: os.PathLike[str]) -> None:
    old = time.time() - 7200
    os.utime(path, (old, old))


def test_a_committed_blob_left_in_staging_is_still_readable_and_then_promoted(
    world: World,
) -> None:
    attachment = _attach(world)  # the test transaction never commits: the blob stays staged
    staged = files._staged(attachment)
    assert staged.exists()
    _, data = selectors.attachment_download(
        actor=actor(world.worker_a), attachment_id=attachment.id
    )
    assert data == b"safety plan"
    _age(staged)
    assert files.sweep_staging() == (1, 0)
    assert files._path(attachment).exists()
    assert not staged.exists()


def test_a_rolled_back_blob_is_deleted_by_the_sweep_once_old(world: World) -> None:
    orphan = settings.CONFIDE_FILES_DIR / files.STAGING / f"{uuid.uuid4()}.bin"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"ciphertext of a rolled-back upload")
    assert files.sweep_staging() == (0, 0)  # too young: its transaction may still be open
    _age(orphan)
    assert files.sweep_staging() == (0, 1)
    assert not orphan.exists()
