"""Drafts, signing and addenda: concurrent saves never lose text; a signed note never changes."""

from __future__ import annotations

import pytest

from confide.core.enums import Label
from confide.core.errors import NotPermitted
from confide.ledger.enums import EventType
from confide.ledger.tests.support import ledger_mark, types_since
from confide.records import selectors, services
from confide.records.enums import NoteStatus
from confide.records.errors import DraftConflict, NoteAlreadySigned, NoteNotSigned
from confide.records.models import Note
from confide.records.tests.support import snapshot
from confide.testing import World, actor


def _body(world: World, note: Note) -> str:
    return selectors.note_get(actor=actor(world.worker_a), note_id=note.id).body


def test_a_colleague_cannot_save_over_the_authors_draft(world: World) -> None:
    note = world.note(world.worker_a, world.client_a, body="Opening text.")
    services.note_update_draft(
        actor=actor(world.worker_a), note_id=note.id, body="Author's words.", expected_version=1
    )
    mark, before = ledger_mark(), snapshot()
    with pytest.raises(NotPermitted):
        services.note_update_draft(
            actor=actor(world.worker_a2),
            note_id=note.id,
            body="Colleague's words.",
            expected_version=2,
        )
    assert snapshot() == before
    assert types_since(mark) == []
    assert _body(world, note) == "Author's words."
    assert Note.objects.get(id=note.id).version == 2


def test_the_same_author_in_two_tabs_cannot_overwrite_their_newer_save(world: World) -> None:
    note = world.note(world.worker_a, world.client_a, body="v1")
    a = actor(world.worker_a)
    services.note_update_draft(actor=a, note_id=note.id, body="from tab one", expected_version=1)
    with pytest.raises(DraftConflict):
        services.note_update_draft(
            actor=a, note_id=note.id, body="from tab two", expected_version=1
        )
    assert _body(world, note) == "from tab one"


def test_the_conflict_message_tells_the_writer_their_text_was_not_saved(world: World) -> None:
    assert "not saved" in str(DraftConflict())


def test_saves_in_turn_each_move_the_version_on(world: World) -> None:
    note = world.note(world.worker_a, world.client_a, body="v1")
    for version in (1, 2, 3):
        saved = services.note_update_draft(
            actor=actor(world.worker_a),
            note_id=note.id,
            body=f"text {version + 1}",
            expected_version=version,
        )
        assert saved.version == version + 1
    assert _body(world, note) == "text 4"


def test_signing_a_stale_version_is_a_conflict_and_signs_nothing(world: World) -> None:
    note = world.note(world.worker_a, world.client_a, body="v1")
    services.note_update_draft(  # from the author's other tab
        actor=actor(world.worker_a), note_id=note.id, body="v2", expected_version=1
    )
    with pytest.raises(DraftConflict):
        services.note_sign(actor=actor(world.worker_a), note_id=note.id, expected_version=1)
    assert Note.objects.get(id=note.id).status == NoteStatus.DRAFT


def _signed(world: World) -> Note:
    note = world.note(world.worker_a, world.client_a, body="The signed words.")
    return services.note_sign(actor=actor(world.worker_a), note_id=note.id, expected_version=1)


def test_a_signed_note_cannot_be_edited(world: World) -> None:
    note = _signed(world)
    before = snapshot()
    with pytest.raises(NoteAlreadySigned):
        services.note_update_draft(
            actor=actor(world.worker_a),
            note_id=note.id,
            body="Rewritten history.",
            expected_version=note.version,
        )
    assert snapshot() == before
    assert _body(world, note) == "The signed words."


def test_a_signed_note_cannot_be_signed_again(world: World) -> None:
    note = _signed(world)
    before = snapshot()
    with pytest.raises(NoteAlreadySigned):
        services.note_sign(
            actor=actor(world.worker_a), note_id=note.id, expected_version=note.version
        )
    assert snapshot() == before


def test_an_addendum_leaves_the_original_untouched(world: World) -> None:
    original = _signed(world)
    row_before = Note.objects.filter(id=original.id).values().get()
    addendum = services.note_add_addendum(
        actor=actor(world.worker_a2), note_id=original.id, body="Correction: it was Tuesday."
    )
    assert Note.objects.filter(id=original.id).values().get() == row_before
    assert _body(world, original) == "The signed words."
    assert addendum.addendum_to_id == original.id
    assert (addendum.status, addendum.kind, addendum.case_id) == (
        NoteStatus.DRAFT,
        original.kind,
        original.case_id,
    )
    assert _body(world, addendum) == "Correction: it was Tuesday."


def test_an_addendum_is_itself_a_draft_that_can_be_signed(world: World) -> None:
    original = _signed(world)
    addendum = services.note_add_addendum(
        actor=actor(world.worker_a), note_id=original.id, body="Addendum."
    )
    mark = ledger_mark()
    services.note_sign(actor=actor(world.worker_a), note_id=addendum.id, expected_version=1)
    assert types_since(mark) == [EventType.NOTE_SIGNED]
    view = selectors.client_get(actor=actor(world.worker_a), client_id=world.client_a.id)
    assert {n.id: n.addendum_to for n in view.notes} == {
        original.id: None,
        addendum.id: original.id,
    }


def test_an_addendum_keeps_the_originals_labels(world: World) -> None:
    note = services.note_create(
        actor=actor(world.worker_a),
        case_id=world.case_of(world.client_a).id,
        kind="progress",
        body="Sensitive.",
        labels=[Label.PART2_SUD.value],
    )
    services.note_sign(actor=actor(world.worker_a), note_id=note.id, expected_version=1)
    addendum = services.note_add_addendum(actor=actor(world.worker_a), note_id=note.id, body="+")
    assert addendum.labels == [Label.PART2_SUD.value]


def test_a_draft_takes_no_addendum(world: World) -> None:
    note = world.note(world.worker_a, world.client_a)
    before = snapshot()
    with pytest.raises(NoteNotSigned):
        services.note_add_addendum(actor=actor(world.worker_a), note_id=note.id, body="Early.")
    assert snapshot() == before


def test_a_psychotherapy_note_is_labelled_as_one(world: World) -> None:
    note = world.note(world.worker_a, world.client_a, kind="psychotherapy")
    assert note.labels == [Label.PSYCHOTHERAPY.value]
