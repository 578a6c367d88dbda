"""Attachments: files go on drafts only (a signed note is immutable, attachments included), and
a failed attach leaves no row, no ledger event and no encrypted blob on disk."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError

from confide.core.errors import NotPermitted
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.ledger.tests.support import ledger_mark, types_since
from confide.records import selectors, services
from confide.records.errors import NoteAlreadySigned
from confide.records.models import Attachment, Note
from confide.records.tests.support import files_on_disk, snapshot
from confide.testing import World, actor

CONTENT = b"Referral letter."


class Crash(Exception):
    """Stands in for the process dying (or the database refusing) mid-action."""


def _attach(world: World, note: Note, persona: str = "worker_a") -> Attachment:
    return services.attachment_create(
        actor=actor(getattr(world, persona)),
        note_id=note.id,
        filename="referral.txt",
        content_type="text/plain",
        data=CONTENT,
    )


def _sign(world: World, note: Note) -> Note:
    return services.note_sign(actor=actor(world.worker_a), note_id=note.id, expected_version=1)


def _signed(world: World) -> Note:
    return _sign(world, world.note(world.worker_a, world.client_a, body="Signed words."))


def _refused_as_signed(world: World, note: Note, persona: str = "worker_a") -> None:
    """Attaching to `note` raises NoteAlreadySigned and writes nothing anywhere."""
    mark, before, files_before = ledger_mark(), snapshot(), files_on_disk()
    with pytest.raises(NoteAlreadySigned):
        _attach(world, note, persona)
    assert snapshot() == before
    assert types_since(mark) == []
    assert files_on_disk() == files_before
    assert not Attachment.objects.filter(note_id=note.id).exists()


def test_a_signed_note_takes_no_attachment_and_nothing_is_written(world: World) -> None:
    _refused_as_signed(world, _signed(world))


def test_a_colleague_attaches_nothing_to_the_authors_note(world: World) -> None:
    note = world.note(world.worker_a, world.client_a)
    mark, before, files_before = ledger_mark(), snapshot(), files_on_disk()
    with pytest.raises(NotPermitted):
        _attach(world, note, "worker_a2")
    assert (snapshot(), files_on_disk(), types_since(mark)) == (before, files_before, [])


def test_a_signed_note_refuses_even_a_bad_file_as_signed(world: World) -> None:
    note = _signed(world)
    before, files_before = snapshot(), files_on_disk()
    with pytest.raises(NoteAlreadySigned):
        services.attachment_create(
            actor=actor(world.worker_a),
            note_id=note.id,
            filename="",
            content_type="application/x-msdownload",
            data=b"MZ",
        )
    assert (snapshot(), files_on_disk()) == (before, files_before)


def test_a_signed_addendum_takes_no_attachment_either(world: World) -> None:
    addendum = services.note_add_addendum(
        actor=actor(world.worker_a), note_id=_signed(world).id, body="Correction."
    )
    _refused_as_signed(world, _sign(world, addendum))


def test_the_addendums_draft_takes_the_file_the_signed_original_refuses(world: World) -> None:
    original = _signed(world)
    _refused_as_signed(world, original)
    addendum = services.note_add_addendum(
        actor=actor(world.worker_a), note_id=original.id, body="Letter attached."
    )
    mark = ledger_mark()
    attachment = _attach(world, addendum)
    assert attachment.note_id == addendum.id
    assert types_since(mark) == [EventType.ATTACHMENT_CREATED]
    view, data = selectors.attachment_download(
        actor=actor(world.worker_a2), attachment_id=attachment.id
    )
    assert (view.filename, data) == ("referral.txt", CONTENT)


def test_a_file_attached_to_the_draft_stays_with_the_note_once_signed(world: World) -> None:
    note = world.note(world.worker_a, world.client_a)
    attachment = _attach(world, note)
    _sign(world, note)
    shown = selectors.note_get(actor=actor(world.worker_a), note_id=note.id)
    assert [a.id for a in shown.attachments] == [attachment.id]
    _, data = selectors.attachment_download(
        actor=actor(world.worker_a), attachment_id=attachment.id
    )
    assert data == CONTENT


@pytest.mark.parametrize("failure", [Crash, IntegrityError])
def test_a_crash_saving_the_attachment_row_removes_the_blob(
    world: World, monkeypatch: pytest.MonkeyPatch, failure: type[Exception]
) -> None:
    note = world.note(world.worker_a, world.client_a)
    mark, before, files_before = ledger_mark(), snapshot(), files_on_disk()
    on_disk_at_crash: list[Any] = []

    def save(self: Attachment, *args: Any, **kwargs: Any) -> None:
        on_disk_at_crash.extend(files_on_disk())
        raise failure

    monkeypatch.setattr(Attachment, "save", save)
    with pytest.raises(failure):
        _attach(world, note)
    # The blob had been written when the row save failed (so its removal is what is tested).
    assert len(on_disk_at_crash) == len(files_before) + 1
    assert files_on_disk() == files_before
    assert snapshot() == before
    assert types_since(mark) == []


def test_a_crash_in_the_ledger_write_after_the_row_leaves_no_blob(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = world.note(world.worker_a, world.client_a)
    files_before = files_on_disk()

    def crash(**_: object) -> Event:
        raise Crash

    monkeypatch.setattr(ledger, "record", crash)
    with pytest.raises(Crash):
        _attach(world, note)
    assert not Attachment.objects.exists()
    assert files_on_disk() == files_before


def test_a_file_takes_its_notes_labels_and_asks_for_none_of_its_own(world: World) -> None:
    """Decisions about a file are its note's (docs/access-policy.md): a file labelled apart from
    its note would carry a sensitivity no decision reads, so none can be given."""
    note = services.note_create(
        actor=actor(world.worker_a),
        case_id=world.case_of(world.client_a).id,
        kind="progress",
        body="Results discussed.",
        labels=["hiv", "dv_location"],
    )
    assert _attach(world, note).labels == ["dv_location", "hiv"]
    with pytest.raises(TypeError, match="labels"):
        services.attachment_create(  # type: ignore[call-arg]  # the keyword no longer exists
            actor=actor(world.worker_a),
            note_id=note.id,
            filename="results.txt",
            content_type="text/plain",
            data=CONTENT,
            labels=["psychotherapy"],
        )
