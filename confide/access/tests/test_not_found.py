"""Invariant 1: "not found" and "not allowed" look the same. A forged UUID, a malformed id,
another agency's id and a forbidden id of the actor's own agency all raise the same NotFound,
same class and message, as an id that does not exist."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from confide.core.actor import Actor
from confide.core.errors import NotFound
from confide.records import selectors, services
from confide.records.models import Attachment, Note
from confide.testing import World, actor

Operation = Callable[[Actor, Any], object]


def _attach(world: World, note: Note) -> Attachment:
    return services.attachment_create(
        actor=actor(note.author),
        note_id=note.id,
        filename="a.txt",
        content_type="text/plain",
        data=b"attached",
    )


OPERATIONS: dict[str, tuple[str, Operation]] = {
    "client_get": ("client", lambda a, i: selectors.client_get(actor=a, client_id=i)),
    "note_get": ("note", lambda a, i: selectors.note_get(actor=a, note_id=i)),
    "note_update_draft": (
        "note",
        lambda a, i: services.note_update_draft(actor=a, note_id=i, body="x", expected_version=1),
    ),
    "note_sign": ("note", lambda a, i: services.note_sign(actor=a, note_id=i, expected_version=1)),
    "note_add_addendum": (
        "note",
        lambda a, i: services.note_add_addendum(actor=a, note_id=i, body="x"),
    ),
    "attachment_create": (
        "note",
        lambda a, i: services.attachment_create(
            actor=a, note_id=i, filename="f.txt", content_type="text/plain", data=b"x"
        ),
    ),
    "attachment_download": (
        "attachment",
        lambda a, i: selectors.attachment_download(actor=a, attachment_id=i),
    ),
    "note_create": (
        "case",
        lambda a, i: services.note_create(actor=a, case_id=i, kind="progress", body="x", labels=[]),
    ),
}

MALFORMED: list[object] = [
    "not-a-uuid",
    "",
    " ",
    "1 OR 1=1",
    "../../etc/passwd",
    "\x00",
    "x" * 5000,
    12345,
    None,
    "00000000-0000-0000-0000-00000000000g",
    [],
    {"id": 1},
    b"\x00" * 16,
]


@dataclass
class Targets:
    """One existing object of each kind that the probing actor must not see."""

    client: object
    note: object
    attachment: object
    case: object


def _targets_for(world: World, client_name: str, author_name: str) -> Targets:
    client = getattr(world, client_name)
    note = world.note(getattr(world, author_name), client)
    attachment = _attach(world, note)  # while a draft: a signed note takes no new files
    signed = services.note_sign(actor=actor(note.author), note_id=note.id, expected_version=1)
    return Targets(
        client=client.id,
        note=signed.id,
        attachment=attachment.id,
        case=world.case_of(client).id,
    )


def _missing(operation: Operation, probe: Actor) -> NotFound:
    with pytest.raises(NotFound) as caught:
        operation(probe, uuid.uuid4())
    return caught.value


def _assert_same_as_missing(operation: Operation, probe: Actor, object_id: object) -> None:
    reference = _missing(operation, probe)
    with pytest.raises(NotFound) as caught:
        operation(probe, object_id)
    assert type(caught.value) is NotFound
    assert (str(caught.value), caught.value.code, caught.value.status) == (
        str(reference),
        reference.code,
        reference.status,
    )


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_a_forged_uuid_is_not_found(world: World, name: str) -> None:
    kind, operation = OPERATIONS[name]
    assert str(_missing(operation, actor(world.worker_a))) == f"No such {kind}."


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_a_malformed_id_is_the_same_not_found(world: World, name: str) -> None:
    for bad_id in MALFORMED:
        _assert_same_as_missing(OPERATIONS[name][1], actor(world.worker_a), bad_id)


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_another_agencys_id_is_the_same_not_found(world: World, name: str) -> None:
    kind, operation = OPERATIONS[name]
    targets = _targets_for(world, "client_b", "worker_b")
    _assert_same_as_missing(operation, actor(world.worker_a), getattr(targets, kind))


OWN_AGENCY_OPERATIONS = [n for n in OPERATIONS if n != "attachment_download"]


# Intake sees every own-agency client's demographics: see test_intake_opens_another_teams_...
OWN_AGENCY_PROBES = [
    (persona, name)
    for persona in ["worker_a", "supervisor_a", "privacy_a", "admin_a", "intake_a"]
    for name in OWN_AGENCY_OPERATIONS
    if (persona, name) != ("intake_a", "client_get")
]


@pytest.mark.parametrize(("persona", "name"), OWN_AGENCY_PROBES)
def test_another_teams_id_is_the_same_not_found(world: World, name: str, persona: str) -> None:
    kind, operation = OPERATIONS[name]
    targets = _targets_for(world, "client_a_other", "other_worker_a")
    _assert_same_as_missing(operation, actor(getattr(world, persona)), getattr(targets, kind))


@pytest.mark.parametrize("scenario", ["another_team", "no_client_role", "psychotherapy"])
def test_it_answers_a_forbidden_attachment_like_a_missing_one(world: World, scenario: str) -> None:
    # attachment_download looks the note up with get_authorized, which says "No such note."
    # for a note the actor may not see, while a missing attachment says "No such attachment.":
    # the difference tells a prober that the attachment id exists.
    _, operation = OPERATIONS["attachment_download"]
    attachment: object
    if scenario == "psychotherapy":
        note = world.note(world.worker_a, world.client_a, kind="psychotherapy", body="Private.")
        attachment, probe = _attach(world, note).id, actor(world.worker_a2)
    else:
        attachment = _targets_for(world, "client_a_other", "other_worker_a").attachment
        probe = actor(world.worker_a if scenario == "another_team" else world.privacy_a)
    _assert_same_as_missing(operation, probe, attachment)


@pytest.mark.parametrize(
    "name",
    ["note_get", "note_update_draft", "note_sign", "note_add_addendum", "attachment_create"],
)
def test_a_colleagues_psychotherapy_note_is_the_same_not_found(world: World, name: str) -> None:
    _, operation = OPERATIONS[name]
    note = world.note(world.worker_a, world.client_a, kind="psychotherapy", body="Private.")
    if name in ("note_add_addendum", "attachment_create"):
        # Signed, so a NoteAlreadySigned answered before the access check would show up here.
        services.note_sign(actor=actor(world.worker_a), note_id=note.id, expected_version=1)
    _assert_same_as_missing(operation, actor(world.worker_a2), note.id)


def test_an_id_in_another_form_still_finds_the_same_allowed_object(world: World) -> None:
    a = actor(world.worker_a)
    for form in (str(world.client_a.id).upper(), world.client_a.id.hex):
        assert selectors.client_get(actor=a, client_id=form).id == world.client_a.id


def test_intake_opens_another_teams_client_as_demographics_only(world: World) -> None:
    # The one own-agency exception above: intake finds and registers clients agency-wide, so it
    # sees who they are, never their cases or notes.
    targets = _targets_for(world, "client_a_other", "other_worker_a")
    view = selectors.client_get(actor=actor(world.intake_a), client_id=str(targets.client))
    assert view.demographics_only
    assert (view.cases, view.notes) == ([], [])
