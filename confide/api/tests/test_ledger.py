"""Every read through the API is on the ledger, as the API channel, and no event holds note text."""

from __future__ import annotations

import json
from collections.abc import Callable

from confide.accounts.models import User
from confide.api.tests.conftest import ApiCaller
from confide.ledger.models import Event
from confide.testing import World

Caller = Callable[[User], ApiCaller]
TEXT = "Client disclosed the shelter address 12 Hidden Lane"


def _events_after(seq: int) -> list[Event]:
    return list(Event.objects.filter(seq__gt=seq).order_by("seq"))


def _last_seq() -> int:
    last = Event.objects.order_by("-seq").first()
    return last.seq if last else 0


def _assert_no_text(events: list[Event]) -> None:
    for event in events:
        stored = json.dumps([event.reason, event.details, event.subject_id, event.policy_ids])
        assert "Hidden Lane" not in stored
        assert "shelter" not in stored


def test_each_read_writes_one_event(world: World, api_as: Caller) -> None:
    note = world.note(world.worker_a, world.client_a, body=TEXT)
    caller = api_as(world.worker_a)
    reads = {
        "/api/caseload": ("records:client:viewed", "caseload", ""),
        f"/api/clients/{world.client_a.id}": (
            "records:client:viewed",
            "client",
            str(world.client_a.id),
        ),
        f"/api/notes/{note.id}": ("records:note:viewed", "note", str(note.id)),
    }
    for path, (event_type, subject_type, subject_id) in reads.items():
        seq = _last_seq()
        assert caller.get(path).status_code == 200
        [event] = _events_after(seq)
        assert (event.event_type, event.subject_type, event.subject_id) == (
            event_type,
            subject_type,
            subject_id,
        )
        assert event.channel == "api"
        assert event.actor_id == world.worker_a.id
        assert event.policy_ids
        _assert_no_text([event])


def test_the_client_read_event_names_the_notes_shown(world: World, api_as: Caller) -> None:
    note = world.note(world.worker_a, world.client_a, body=TEXT)
    seq = _last_seq()
    api_as(world.worker_a).get(f"/api/clients/{world.client_a.id}")
    [event] = [e for e in _events_after(seq) if e.event_type == "records:client:viewed"]
    assert event.details["notes"] == [str(note.id)]
    assert event.client_id == world.client_a.id


def test_writes_are_on_the_ledger_without_their_text(world: World, api_as: Caller) -> None:
    caller = api_as(world.worker_a)
    case = world.case_of(world.client_a)
    seq = _last_seq()
    created = caller.post(f"/api/cases/{case.id}/notes", {"kind": "progress", "body": TEXT}).json()
    caller.patch(f"/api/notes/{created['id']}", {"body": TEXT + " again", "expected_version": 1})
    caller.post(f"/api/notes/{created['id']}/sign", {"expected_version": 2})
    events = _events_after(seq)
    assert [e.event_type for e in events] == [
        "records:note:created",
        "records:note:updated",
        "records:note:signed",
    ]
    assert all(e.channel == "api" and e.subject_id == created["id"] for e in events)
    _assert_no_text(events)
