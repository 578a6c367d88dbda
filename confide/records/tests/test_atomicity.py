"""Invariant 3, the hard half: a crash between an action and its ledger event leaves neither.

The services' own `transaction.atomic` blocks run as savepoints inside the test's transaction,
which is what an outer caller's transaction looks like in production too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from confide.ledger import services as ledger
from confide.ledger.chain import GENESIS_HASH
from confide.ledger.models import ChainHead, Event
from confide.ledger.testing import as_table_owner
from confide.records import selectors, services
from confide.records.models import Attachment, Note
from confide.records.tests.support import snapshot
from confide.testing import World, actor


class Crash(Exception):
    """Stands in for the process dying (or the database refusing) mid-action."""


def _crash_in_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(**_: object) -> Event:
        raise Crash

    monkeypatch.setattr(ledger, "record", crash)


def _crash_after_the_event_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """The event row is inserted, then the ledger write dies before it returns."""
    original = ledger.record

    def record_then_crash(**kwargs: Any) -> Event:
        original(**kwargs)
        raise Crash

    monkeypatch.setattr(ledger, "record", record_then_crash)


def _draft(world: World) -> Note:
    return world.note(world.worker_a, world.client_a, body="Draft text.")


def _signed(world: World) -> Note:
    note = _draft(world)
    return services.note_sign(actor=actor(world.worker_a), note_id=note.id, expected_version=1)


def _attachment(world: World) -> Attachment:
    return services.attachment_create(
        actor=actor(world.worker_a),
        note_id=_draft(world).id,
        filename="a.txt",
        content_type="text/plain",
        data=b"hello",
    )


Action = Callable[[World], object]


def _client_create(world: World) -> object:
    return services.client_create(
        actor=None,
        agency=world.agency_a,
        data=services.ClientInput(
            legal_name="New Person", preferred_name="", date_of_birth=dt.date(1990, 1, 1)
        ),
    )


def _case_create(world: World) -> object:
    return services.case_create(
        actor=None,
        client=world.client_a,
        team=world.team_a2,
        case_number="A-9",
        opened_on=dt.date(2025, 3, 1),
    )


def _note_create(world: World) -> object:
    return services.note_create(
        actor=actor(world.worker_a),
        case_id=world.case_of(world.client_a).id,
        kind="progress",
        body="Never saved.",
        labels=[],
    )


def _prepare(world: World, name: str) -> Callable[[], object]:
    """Set up the object an action needs (outside the crash), return the action itself."""
    a = actor(world.worker_a)
    if name == "note_update_draft":
        note = _draft(world)
        return lambda: services.note_update_draft(
            actor=a, note_id=note.id, body="Lost edit.", expected_version=1
        )
    if name == "note_sign":
        note = _draft(world)
        return lambda: services.note_sign(actor=a, note_id=note.id, expected_version=1)
    if name == "note_add_addendum":
        signed = _signed(world)
        return lambda: services.note_add_addendum(actor=a, note_id=signed.id, body="Addendum.")
    if name == "attachment_create":
        note = _draft(world)
        return lambda: services.attachment_create(
            actor=a, note_id=note.id, filename="b.txt", content_type="text/plain", data=b"x"
        )
    if name == "note_get":
        note = _draft(world)
        return lambda: selectors.note_get(actor=a, note_id=note.id)
    if name == "attachment_download":
        attachment = _attachment(world)
        return lambda: selectors.attachment_download(actor=a, attachment_id=attachment.id)
    simple: dict[str, Callable[[], object]] = {
        "client_create": lambda: _client_create(world),
        "case_create": lambda: _case_create(world),
        "note_create": lambda: _note_create(world),
        "client_get": lambda: selectors.client_get(actor=a, client_id=world.client_a.id),
        "caseload_list": lambda: selectors.caseload_list(actor=a),
        "client_search": lambda: selectors.client_search(
            actor=a, legal_name="Rosalind Quenby", date_of_birth=dt.date(1984, 3, 9)
        ),
    }
    return simple[name]


ACTIONS = [
    "client_create",
    "case_create",
    "note_create",
    "note_update_draft",
    "note_sign",
    "note_add_addendum",
    "attachment_create",
    "client_get",
    "note_get",
    "caseload_list",
    "client_search",
    "attachment_download",
]


@pytest.mark.parametrize("name", ACTIONS)
def test_a_crash_in_the_ledger_write_leaves_no_trace_of_the_action(
    world: World, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    action = _prepare(world, name)
    before = snapshot()
    _crash_in_ledger(monkeypatch)
    with pytest.raises(Crash):
        action()
    assert snapshot() == before


@pytest.mark.parametrize("name", ACTIONS)
def test_a_crash_after_the_event_row_is_written_takes_the_event_back_too(
    world: World, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    action = _prepare(world, name)
    before = snapshot()
    _crash_after_the_event_row(monkeypatch)
    with pytest.raises(Crash):
        action()
    assert snapshot() == before


def test_a_database_refusal_of_the_event_takes_the_note_with_it(world: World) -> None:
    # Someone else's append took the next sequence number without moving the head; the insert
    # of our event fails in the database, and the note goes with it.
    head = ChainHead.objects.get(id=1)
    with as_table_owner():  # the application's role may not insert events itself
        _block_next_seq(head.seq + 1)
    before = snapshot()
    with pytest.raises(IntegrityError):
        _note_create(world)
    assert snapshot() == before


def _block_next_seq(seq: int) -> None:
    Event.objects.create(
        seq=seq,
        occurred_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        channel="system",
        event_type="x",
        prev_hash=GENESIS_HASH,
        hash="e" * 64,
    )


def test_the_addendum_is_inserted_once_already_linked_to_the_original(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No window in which an unlinked addendum exists: one insert, carrying the link.
    signed = _signed(world)
    saves: list[Any] = []
    original_save = Note.save

    def save(self: Note, *args: Any, **kwargs: Any) -> None:
        saves.append(self.addendum_to_id)
        original_save(self, *args, **kwargs)

    monkeypatch.setattr(Note, "save", save)
    addendum = services.note_add_addendum(
        actor=actor(world.worker_a), note_id=signed.id, body="Late."
    )
    assert saves == [signed.id]
    assert Note.objects.get(id=addendum.id).addendum_to_id == signed.id


def test_a_crash_while_inserting_the_addendum_leaves_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = _signed(world)
    before = snapshot()
    original_save = Note.save

    def save(self: Note, *args: Any, **kwargs: Any) -> None:
        if self.addendum_to_id is not None:
            raise Crash
        original_save(self, *args, **kwargs)

    monkeypatch.setattr(Note, "save", save)
    with pytest.raises(Crash):
        services.note_add_addendum(actor=actor(world.worker_a), note_id=signed.id, body="Late.")
    assert snapshot() == before


def test_the_surrounding_transaction_survives_a_crashed_action(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's savepoint rolls back alone; the caller's earlier work stays."""
    with transaction.atomic():
        kept = _draft(world)
        with monkeypatch.context() as patch:
            _crash_in_ledger(patch)
            with pytest.raises(Crash):
                _note_create(world)
    assert Note.objects.filter(id=kept.id).exists()
    assert Note.objects.count() == 1
