"""Key rotation beside live work, with real connections (see test_concurrency.py): a draft saved
while its client's data key is being rotated is never lost, and a client registered during a
blind-index rotation is found afterwards."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from scratchdb import ScratchDatabase, run_together
from test_concurrency import _save

from confide.crypto import rotation
from confide.crypto.envelope import blob_version
from confide.crypto.rotation import rotate_client, rotate_index
from confide.records import selectors
from confide.records.models import Note
from confide.testing import actor, build_world, make_client


def _slow_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the race: dawdle inside each rotation batch, after its rows are locked."""
    real = rotation._bulk_update

    def slow(*args: Any, **kwargs: Any) -> None:
        time.sleep(0.3)
        real(*args, **kwargs)

    monkeypatch.setattr(rotation, "_bulk_update", slow)


def test_a_draft_saved_during_its_clients_key_rotation_is_kept(
    scratch_db: ScratchDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    with scratch_db.bound():
        world = build_world()
        note = world.note(world.worker_a, world.client_a, body="Before the rotation.")
        author = actor(world.worker_a)
    _slow_batches(monkeypatch)
    outcomes = run_together(
        scratch_db,
        {
            "rotate": lambda: f"version {rotate_client(world.client_a.id, batch=1).version}",
            "save": _save(author, note.id, "Saved during the rotation."),
        },
    )
    assert outcomes == {"rotate": "version 2", "save": "saved"}, outcomes
    with scratch_db.bound():
        assert selectors.note_get(actor=author, note_id=note.id).body == (
            "Saved during the rotation."
        )
        blobs = Note.objects.filter(client_id=world.client_a.id).values_list("body_enc", flat=True)
        assert {blob_version(b) for b in blobs} == {2}


def test_a_client_registered_during_an_index_rotation_is_found(
    scratch_db: ScratchDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    with scratch_db.bound():
        world = build_world()
    real = rotation._index_batch

    def slow(*args: Any, **kwargs: Any) -> int:
        time.sleep(0.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(rotation, "_index_batch", slow)

    def register() -> str:
        time.sleep(0.1)  # once the rotation has begun
        client = make_client(
            world.agency_a, world.team_a1, name="Mid Rotation", dob=dt.date(1999, 1, 2), number="9"
        )
        return str(client.id)

    outcomes = run_together(
        scratch_db,
        {"rotate": lambda: f"version {rotate_index(batch=1).version}", "register": register},
    )
    assert outcomes["rotate"] == "version 2", outcomes
    with scratch_db.bound():
        found = selectors.client_search(
            actor=actor(world.worker_a),
            legal_name="Mid Rotation",
            date_of_birth=dt.date(1999, 1, 2),
        )
        assert [str(c.id) for c in found] == [outcomes["register"]]
        for name, born in (("Rosalind Quenby", dt.date(1984, 3, 9)),):
            hits = selectors.client_search(
                actor=actor(world.worker_a), legal_name=name, date_of_birth=born
            )
            assert [c.id for c in hits] == [world.client_a.id]
