"""Invariant 3: every write and every reveal of client data writes exactly its ledger event, in
the same transaction, carrying ids and codes only (no note text, names or search terms)."""

from __future__ import annotations

import datetime as dt

import pytest

from confide.core.enums import Label
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.ledger.tests.support import events_since, ledger_mark, ledger_text, types_since
from confide.records import selectors, services
from confide.records.models import Attachment, Note
from confide.testing import World, actor

BODY = "Client described the argument with her brother Ignatius at the bus depot."
FILENAME = "ignatius-court-letter.txt"
CONTENT = b"Letter from Judge Pemberton-Hollis about the hearing."


def _only_event(mark: int) -> Event:
    events = events_since(mark)
    assert len(events) == 1, [e.event_type for e in events]
    return events[0]


def _note(world: World, body: str = BODY, kind: str = "progress") -> Note:
    return world.note(world.worker_a, world.client_a, body=body, kind=kind)


def _attachment(world: World, note: Note) -> Attachment:
    return services.attachment_create(
        actor=actor(world.worker_a),
        note_id=note.id,
        filename=FILENAME,
        content_type="text/plain",
        data=CONTENT,
    )


def test_creating_a_client_writes_client_created(world: World) -> None:
    mark = ledger_mark()
    client = services.client_create(
        actor=actor(world.intake_a),
        agency=world.agency_a,
        data=services.ClientInput(
            legal_name="Odalys Brennigan", preferred_name="Oda", date_of_birth=dt.date(2001, 5, 6)
        ),
    )
    event = _only_event(mark)
    assert event.event_type == EventType.CLIENT_CREATED
    assert (event.subject_type, event.subject_id) == ("client", str(client.id))
    assert (event.client_id, event.agency_id) == (client.id, world.agency_a.id)
    assert event.actor_id == world.intake_a.id
    assert "Brennigan" not in ledger_text()


def test_opening_a_case_writes_case_created(world: World) -> None:
    mark = ledger_mark()
    case = services.case_create(
        actor=None,
        client=world.client_a,
        team=world.team_a2,
        case_number="A-7",
        opened_on=dt.date(2025, 2, 1),
    )
    event = _only_event(mark)
    assert event.event_type == EventType.CASE_CREATED
    assert (event.subject_type, event.subject_id, event.client_id) == (
        "case",
        str(case.id),
        world.client_a.id,
    )


def test_starting_a_note_writes_note_created_with_kind_and_labels(world: World) -> None:
    mark = ledger_mark()
    note = services.note_create(
        actor=actor(world.worker_a),
        case_id=world.case_of(world.client_a).id,
        kind="contact",
        body=BODY,
        labels=[Label.HIV.value],
    )
    event = _only_event(mark)
    assert event.event_type == EventType.NOTE_CREATED
    assert (event.subject_type, event.subject_id, event.client_id) == (
        "note",
        str(note.id),
        world.client_a.id,
    )
    assert (event.actor_id, event.agency_id) == (world.worker_a.id, world.agency_a.id)
    assert event.policy_ids == ["care_team.practitioner"]
    assert event.details == {"kind": "contact", "labels": ["hiv"], "addendum_to": None}


def test_saving_a_draft_writes_note_updated_with_the_new_version(world: World) -> None:
    note = _note(world)
    mark = ledger_mark()
    services.note_update_draft(
        actor=actor(world.worker_a), note_id=note.id, body=BODY + " More.", expected_version=1
    )
    event = _only_event(mark)
    assert (event.event_type, event.subject_id, event.details) == (
        EventType.NOTE_UPDATED,
        str(note.id),
        {"version": 2},
    )


def test_signing_writes_note_signed(world: World) -> None:
    note = _note(world)
    mark = ledger_mark()
    services.note_sign(actor=actor(world.worker_a), note_id=note.id, expected_version=1)
    event = _only_event(mark)
    assert (event.event_type, event.subject_id, event.client_id, event.actor_id) == (
        EventType.NOTE_SIGNED,
        str(note.id),
        world.client_a.id,
        world.worker_a.id,
    )
    assert event.policy_ids == ["care_team.practitioner"]


def test_an_addendum_writes_one_note_created_for_the_addendum_naming_the_original(
    world: World,
) -> None:
    note = _note(world)
    services.note_sign(actor=actor(world.worker_a), note_id=note.id, expected_version=1)
    mark = ledger_mark()
    addendum = services.note_add_addendum(
        actor=actor(world.worker_a), note_id=note.id, body="Correction: it was Tuesday."
    )
    event = _only_event(mark)
    assert (event.event_type, event.subject_id) == (EventType.NOTE_CREATED, str(addendum.id))
    assert (event.client_id, event.actor_id) == (world.client_a.id, world.worker_a.id)
    assert event.details == {"kind": "progress", "labels": [], "addendum_to": str(note.id)}
    assert "Tuesday" not in ledger_text()


def test_attaching_a_file_writes_attachment_created(world: World) -> None:
    note = _note(world)
    mark = ledger_mark()
    attachment = _attachment(world, note)
    event = _only_event(mark)
    assert (event.event_type, event.subject_type, event.subject_id) == (
        EventType.ATTACHMENT_CREATED,
        "attachment",
        str(attachment.id),
    )
    assert (event.client_id, event.details) == (world.client_a.id, {"size": len(CONTENT)})


def test_opening_a_client_writes_client_viewed_naming_the_notes_shown(world: World) -> None:
    note = _note(world)
    mark = ledger_mark()
    selectors.client_get(actor=actor(world.worker_a), client_id=world.client_a.id)
    event = _only_event(mark)
    assert event.event_type == EventType.CLIENT_VIEWED
    assert (event.subject_type, event.subject_id, event.client_id) == (
        "client",
        str(world.client_a.id),
        world.client_a.id,
    )
    assert event.details == {"notes": [str(note.id)]}
    assert event.policy_ids == ["care_team.practitioner"]


def test_opening_a_note_writes_note_viewed(world: World) -> None:
    note = _note(world)
    mark = ledger_mark()
    selectors.note_get(actor=actor(world.supervisor_a), note_id=note.id)
    event = _only_event(mark)
    assert (event.event_type, event.subject_id, event.actor_id) == (
        EventType.NOTE_VIEWED,
        str(note.id),
        world.supervisor_a.id,
    )
    assert event.policy_ids == ["supervision.supervisor"]


def test_the_caseload_writes_one_client_viewed_naming_the_clients_shown(world: World) -> None:
    mark = ledger_mark()
    rows, total = selectors.caseload_list(actor=actor(world.worker_a))
    event = _only_event(mark)
    assert event.event_type == EventType.CLIENT_VIEWED
    assert event.subject_type == "caseload"
    assert event.details["clients"] == [str(world.client_a.id)]
    assert [row.client_id for row in rows] == [world.client_a.id]
    assert total == 1


def test_an_empty_caseload_reveals_nothing_and_writes_nothing(world: World) -> None:
    mark = ledger_mark()
    assert selectors.caseload_list(actor=actor(world.privacy_a)) == ([], 0)
    assert types_since(mark) == []


def test_a_search_writes_client_searched_with_the_count_but_not_the_query(world: World) -> None:
    mark = ledger_mark()
    found = selectors.client_search(
        actor=actor(world.worker_a), legal_name="Rosalind Quenby", date_of_birth=dt.date(1984, 3, 9)
    )
    event = _only_event(mark)
    assert event.event_type == EventType.CLIENT_SEARCHED
    assert event.details == {
        "index": "client_name_dob",
        "matches": 1,
        "clients": [str(world.client_a.id)],
    }
    assert [f.id for f in found] == [world.client_a.id]
    text = ledger_text()
    for term in ("Rosalind", "Quenby", "1984-03-09", "03/09/1984"):
        assert term not in text


def test_a_search_without_matches_still_writes_client_searched(world: World) -> None:
    mark = ledger_mark()
    assert not selectors.client_search(
        actor=actor(world.worker_a), legal_name="Nobody Atall", date_of_birth=dt.date(1999, 9, 9)
    )
    event = _only_event(mark)
    assert (event.event_type, event.details) == (
        EventType.CLIENT_SEARCHED,
        {"index": "client_name_dob", "matches": 0, "clients": []},
    )
    assert "Atall" not in ledger_text()


def test_downloading_an_attachment_writes_attachment_downloaded(world: World) -> None:
    attachment = _attachment(world, _note(world))
    mark = ledger_mark()
    view, data = selectors.attachment_download(
        actor=actor(world.worker_a2), attachment_id=attachment.id
    )
    assert (view.filename, data) == (FILENAME, CONTENT)
    event = _only_event(mark)
    assert (event.event_type, event.subject_id, event.client_id, event.actor_id) == (
        EventType.ATTACHMENT_DOWNLOADED,
        str(attachment.id),
        world.client_a.id,
        world.worker_a2.id,
    )


@pytest.mark.parametrize("kind", ["progress", "psychotherapy"])
def test_no_event_holds_note_text_names_or_file_contents(world: World, kind: str) -> None:
    a = actor(world.worker_a)
    note = _note(world, kind=kind)
    services.note_update_draft(
        actor=a, note_id=note.id, body=BODY + " Ferrisburgh.", expected_version=1
    )
    attachment = _attachment(world, note)
    services.note_sign(actor=a, note_id=note.id, expected_version=2)
    services.note_add_addendum(actor=a, note_id=note.id, body="Addendum about Ferrisburgh.")
    selectors.client_get(actor=a, client_id=world.client_a.id)
    selectors.note_get(actor=a, note_id=note.id)
    selectors.caseload_list(actor=a)
    selectors.client_search(
        actor=a, legal_name="rosalind quenby", date_of_birth=dt.date(1984, 3, 9)
    )
    selectors.attachment_download(actor=a, attachment_id=attachment.id)
    text = ledger_text().casefold()
    forbidden = [
        "Ignatius",
        "bus depot",
        "Ferrisburgh",
        "Pemberton",
        FILENAME,
        "court-letter",
        "Rosalind",
        "Quenby",
        "1984-03-09",
        "555-0100",
        "Elm Street",
        "A-1001@example.org",
        "MCA-1001",
    ]
    assert [term for term in forbidden if term.casefold() in text] == []


def test_the_caseload_lists_open_cases_before_closed_ones_newest_first(world: World) -> None:
    from confide.records.enums import CaseStatus
    from confide.records.models import Case
    from confide.testing import make_client

    newer = make_client(
        world.agency_a, world.team_a1, name="Ada Newer", dob=dt.date(1990, 1, 1), number="A-3"
    )
    older = make_client(
        world.agency_a, world.team_a1, name="Ody Older", dob=dt.date(1991, 1, 1), number="A-4"
    )
    Case.objects.filter(client=newer).update(opened_on=dt.date(2025, 6, 1))
    Case.objects.filter(client=older).update(opened_on=dt.date(2020, 1, 1))
    closed = world.case_of(world.client_a)  # opened 2025-01-01, closed: listed last
    Case.objects.filter(id=closed.id).update(
        status=CaseStatus.CLOSED, opened_on=dt.date(2026, 1, 1), closed_on=dt.date(2026, 2, 1)
    )
    rows, total = selectors.caseload_list(actor=actor(world.worker_a))
    assert total == 3
    assert [r.case_number for r in rows] == ["A-3", "A-4", "A-1001"]
