"""Concurrency with real connections: each thread has its own connection to a scratch database
(committed rows; see conftest.py), so the row locks and version checks are what keeps work safe.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

import pytest
from scratchdb import ScratchDatabase, run_together

from confide.core.actor import Actor
from confide.crypto import envelope
from confide.crypto.envelope import DataKey
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.ledger.verify import verify_chain
from confide.records import selectors, services
from confide.records.enums import NoteStatus
from confide.records.errors import DraftConflict, NoteAlreadySigned
from confide.records.models import Note
from confide.testing import actor, build_world

HOLD_SECONDS = 0.3


def _hold_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the race: dawdle after the draft is locked and its version checked."""
    original = envelope.client_key

    def slow_client_key(client_id: UUID) -> DataKey:
        time.sleep(HOLD_SECONDS)
        return original(client_id)

    monkeypatch.setattr("confide.records.services.client_key", slow_client_key)


def _save(who: Actor, note_id: UUID, body: str) -> Callable[[], str]:
    def job() -> str:
        try:
            services.note_update_draft(actor=who, note_id=note_id, body=body, expected_version=1)
        except DraftConflict:
            return "conflict"
        return "saved"

    return job


def test_one_draft_saved_from_two_tabs_at_once_loses_nothing(
    scratch_db: ScratchDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only its author writes a draft (`note.write.author_only`): the race is the author's own,
    from two tabs or devices."""
    with scratch_db.bound():
        world = build_world()
        note = world.note(world.worker_a, world.client_a, body="Opening text.")
        author = actor(world.worker_a)
    _hold_the_lock(monkeypatch)
    outcomes = run_together(
        scratch_db,
        {
            "laptop": _save(author, note.id, "The laptop's words."),
            "phone": _save(author, note.id, "The phone's words."),
        },
    )
    assert sorted(outcomes.values()) == ["conflict", "saved"], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    with scratch_db.bound():
        assert selectors.note_get(actor=author, note_id=note.id).body == f"The {winner}'s words."
        assert Note.objects.get(id=note.id).version == 2
        assert Event.objects.filter(event_type=EventType.NOTE_UPDATED).count() == 1
        assert verify_chain().ok


def test_signing_while_another_tab_saves_leaves_one_consistent_outcome(
    scratch_db: ScratchDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    with scratch_db.bound():
        world = build_world()
        note = world.note(world.worker_a, world.client_a, body="Opening text.")
        author = actor(world.worker_a)

    def sign() -> str:
        try:
            services.note_sign(actor=author, note_id=note.id, expected_version=1)
        except DraftConflict:
            return "conflict"
        return "signed"

    def save() -> str:
        try:
            return _save(author, note.id, "Late edit.")()
        except NoteAlreadySigned:
            return "already signed"

    _hold_the_lock(monkeypatch)
    outcomes = run_together(scratch_db, {"sign": sign, "save": save})
    assert outcomes in (
        {"sign": "signed", "save": "already signed"},
        {"sign": "conflict", "save": "saved"},
    ), outcomes
    with scratch_db.bound():
        stored = Note.objects.get(id=note.id)
        body = selectors.note_get(actor=author, note_id=note.id).body
        assert verify_chain().ok
    if outcomes["sign"] == "signed":
        assert (stored.status, body) == (NoteStatus.SIGNED, "Opening text.")
    else:
        assert (stored.status, body) == (NoteStatus.DRAFT, "Late edit.")


def test_concurrent_appends_keep_one_unbroken_chain(scratch_db: ScratchDatabase) -> None:
    with scratch_db.bound():
        world = build_world()
        note = world.note(world.worker_a, world.client_a)
        readers = [actor(world.worker_a), actor(world.worker_a2), actor(world.supervisor_a)]
        before = Event.objects.count()

    def read_five(who: Actor) -> Callable[[], str]:
        def job() -> str:
            for _ in range(5):
                selectors.note_get(actor=who, note_id=note.id)
            return "ok"

        return job

    outcomes = run_together(scratch_db, {str(n): read_five(r) for n, r in enumerate(readers)})
    assert set(outcomes.values()) == {"ok"}, outcomes
    with scratch_db.bound():
        seqs = list(Event.objects.order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, before + 15 + 1))
        report = verify_chain()
        assert (report.ok, report.checked) == (True, before + 15)
