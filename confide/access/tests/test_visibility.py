"""Invariant 1 through the access policy, persona by persona: care teams see their team's
clients, intake sees demographics only (agency-wide), nobody sees another agency's, privacy
officers and administrators see no client content, psychotherapy notes are their author's, and
only the author signs."""

from __future__ import annotations

import datetime as dt

import pytest

from confide.access.policy import Action, authorize
from confide.core.errors import NotFound, NotPermitted
from confide.records import selectors, services
from confide.records.enums import NoteStatus
from confide.records.models import Case, Client, Note
from confide.testing import World, actor

PERSONAS = [
    "worker_a",
    "worker_a2",
    "other_worker_a",
    "supervisor_a",
    "privacy_a",
    "admin_a",
    "intake_a",
    "worker_b",
]
CLIENTS = ["client_a", "client_a_other", "client_b"]
# Who may open whom: team_a1 (worker_a, worker_a2, supervisor_a) has client_a; team_a2
# (other_worker_a) has client_a_other; team_b1 (worker_b) has client_b.
ALLOWED = {
    ("worker_a", "client_a"),
    ("worker_a2", "client_a"),
    ("supervisor_a", "client_a"),
    ("other_worker_a", "client_a_other"),
    ("worker_b", "client_b"),
}
# Intake sees identity only (no cases, no notes) of every client of its own agency.
DEMOGRAPHICS = {("intake_a", "client_a"), ("intake_a", "client_a_other")}
BIRTHDAYS = {
    "client_a": ("Rosalind Quenby", dt.date(1984, 3, 9)),
    "client_a_other": ("Tobias Wexford", dt.date(1990, 7, 21)),
    "client_b": ("Marisol Ketterly", dt.date(1975, 11, 2)),
}


def _client(world: World, name: str) -> Client:
    client: Client = getattr(world, name)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_opens_exactly_their_teams_clients(world: World, persona: str) -> None:
    a = actor(getattr(world, persona))
    for name in CLIENTS:
        client = _client(world, name)
        if (persona, name) in ALLOWED | DEMOGRAPHICS:
            view = selectors.client_get(actor=a, client_id=client.id)
            assert view.id == client.id
            assert view.demographics_only == ((persona, name) in DEMOGRAPHICS)
        else:
            with pytest.raises(NotFound):
                selectors.client_get(actor=a, client_id=client.id)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_lists_exactly_their_teams_clients(world: World, persona: str) -> None:
    rows, total = selectors.caseload_list(actor=actor(getattr(world, persona)))
    expected = {_client(world, n).id for n in CLIENTS if (persona, n) in ALLOWED}
    assert {row.client_id for row in rows} == expected
    assert total == len(expected)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_finds_exactly_the_clients_it_may_see(world: World, persona: str) -> None:
    a = actor(getattr(world, persona))
    for name in CLIENTS:
        legal_name, born = BIRTHDAYS[name]
        found = [
            c.id
            for c in selectors.client_search(actor=a, legal_name=legal_name, date_of_birth=born)
        ]
        visible = (persona, name) in ALLOWED | DEMOGRAPHICS
        assert found == ([_client(world, name).id] if visible else [])


def test_it_hides_another_agencys_client_even_with_its_id(world: World) -> None:
    with pytest.raises(NotFound):
        selectors.client_get(actor=actor(world.worker_a), client_id=world.client_b.id)
    decision = authorize(actor(world.worker_a), Action.CLIENT_VIEW, world.client_b)
    assert decision.policy_ids == ("agency.boundary",)


@pytest.mark.parametrize("persona", ["privacy_a", "admin_a", "intake_a"])
def test_non_casework_roles_see_no_notes_and_no_full_record(world: World, persona: str) -> None:
    a = actor(getattr(world, persona))
    note = world.note(world.worker_a, world.client_a)
    with pytest.raises(NotFound):
        selectors.note_get(actor=a, note_id=note.id)
    assert not authorize(a, Action.CLIENT_VIEW, world.client_a).allowed
    assert not authorize(a, Action.NOTE_VIEW, note).allowed


def test_intake_in_a_team_still_sees_demographics_only(world: World) -> None:
    note = world.note(world.worker_a, world.client_a)
    world.intake_a.teams.add(world.team_a1)
    view = selectors.client_get(actor=actor(world.intake_a), client_id=world.client_a.id)
    assert view.demographics_only
    assert (view.notes, view.cases, view.address) == ([], [], "")
    with pytest.raises(NotFound):
        selectors.note_get(actor=actor(world.intake_a), note_id=note.id)
    assert selectors.caseload_list(actor=actor(world.intake_a)) == ([], 0)


@pytest.mark.parametrize("persona", ["privacy_a", "admin_a"])
def test_privacy_and_admin_in_a_team_still_see_nothing(world: World, persona: str) -> None:
    user = getattr(world, persona)
    user.teams.add(world.team_a1)
    with pytest.raises(NotFound):
        selectors.client_get(actor=actor(user), client_id=world.client_a.id)
    assert selectors.caseload_list(actor=actor(user)) == ([], 0)
    legal_name, born = BIRTHDAYS["client_a"]
    found = selectors.client_search(actor=actor(user), legal_name=legal_name, date_of_birth=born)
    assert found == []


def test_leaving_a_team_ends_access_to_its_clients(world: World) -> None:
    world.worker_a.teams.remove(world.team_a1)
    with pytest.raises(NotFound):
        selectors.client_get(actor=actor(world.worker_a), client_id=world.client_a.id)


def test_access_follows_the_case_to_its_new_team(world: World) -> None:
    Case.objects.filter(client=world.client_a).update(team=world.team_a2)
    with pytest.raises(NotFound):
        selectors.client_get(actor=actor(world.worker_a), client_id=world.client_a.id)
    assert selectors.client_get(actor=actor(world.other_worker_a), client_id=world.client_a.id)


def test_a_second_case_with_another_team_opens_the_client_to_both(world: World) -> None:
    services.case_create(
        actor=None,
        client=world.client_a,
        team=world.team_a2,
        case_number="A-3001",
        opened_on=dt.date(2025, 6, 1),
    )
    view = selectors.client_get(actor=actor(world.other_worker_a), client_id=world.client_a.id)
    assert len(view.cases) == 2


def _psychotherapy(world: World) -> Note:
    return world.note(
        world.worker_a, world.client_a, body="Private process notes.", kind="psychotherapy"
    )


def test_a_psychotherapy_note_is_shown_to_its_author(world: World) -> None:
    note = _psychotherapy(world)
    assert selectors.note_get(actor=actor(world.worker_a), note_id=note.id).body == (
        "Private process notes."
    )
    view = selectors.client_get(actor=actor(world.worker_a), client_id=world.client_a.id)
    assert [n.id for n in view.notes] == [note.id]


@pytest.mark.parametrize("persona", ["worker_a2", "supervisor_a"])
def test_a_psychotherapy_note_is_hidden_from_everyone_else(world: World, persona: str) -> None:
    note = _psychotherapy(world)
    ordinary = world.note(world.worker_a, world.client_a, body="Ordinary note.")
    a = actor(getattr(world, persona))
    with pytest.raises(NotFound):
        selectors.note_get(actor=a, note_id=note.id)
    view = selectors.client_get(actor=a, client_id=world.client_a.id)
    assert [n.id for n in view.notes] == [ordinary.id]
    with pytest.raises(NotFound):
        services.note_update_draft(actor=a, note_id=note.id, body="x", expected_version=1)
    with pytest.raises(NotFound):
        services.note_add_addendum(actor=a, note_id=note.id, body="x")


def test_a_psychotherapy_attachment_is_hidden_from_everyone_else(world: World) -> None:
    note = _psychotherapy(world)
    attachment = services.attachment_create(
        actor=actor(world.worker_a),
        note_id=note.id,
        filename="genogram.txt",
        content_type="text/plain",
        data=b"private",
    )
    with pytest.raises(NotFound):
        selectors.attachment_download(actor=actor(world.worker_a2), attachment_id=attachment.id)
    with pytest.raises(NotFound):
        services.attachment_create(
            actor=actor(world.worker_a2),
            note_id=note.id,
            filename="more.txt",
            content_type="text/plain",
            data=b"x",
        )


@pytest.mark.parametrize("persona", ["worker_a2", "supervisor_a"])
def test_only_the_author_signs_even_when_others_can_see_the_note(
    world: World, persona: str
) -> None:
    note = world.note(world.worker_a, world.client_a, body="Author's note.")
    a = actor(getattr(world, persona))
    assert selectors.note_get(actor=a, note_id=note.id).body == "Author's note."
    with pytest.raises(NotPermitted):
        services.note_sign(actor=a, note_id=note.id, expected_version=1)
    assert Note.objects.get(id=note.id).status == NoteStatus.DRAFT
    services.note_sign(actor=actor(world.worker_a), note_id=note.id, expected_version=1)


def test_a_note_cannot_be_started_on_another_teams_case(world: World) -> None:
    with pytest.raises(NotFound):
        services.note_create(
            actor=actor(world.worker_a),
            case_id=world.case_of(world.client_a_other).id,
            kind="progress",
            body="x",
            labels=[],
        )


def test_decisions_name_the_deciding_policy(world: World) -> None:
    a = actor(world.supervisor_a)
    decision = authorize(a, Action.CLIENT_VIEW, world.client_a)
    assert decision.policy_ids == ("supervision.supervisor",)
    assert authorize(a, Action.CLIENT_VIEW, world.client_a_other).policy_ids == ("default.deny",)
    note = _psychotherapy(world)
    assert authorize(a, Action.NOTE_VIEW, note).policy_ids == ("label.psychotherapy.author_only",)
    ordinary = world.note(world.worker_a, world.client_a)
    assert authorize(a, Action.NOTE_SIGN, ordinary).policy_ids == ("note.sign.author_only",)
    privacy = actor(world.privacy_a)
    assert authorize(privacy, Action.CLIENT_VIEW, world.client_a).policy_ids == ("default.deny",)
    intake = actor(world.intake_a)
    assert authorize(intake, Action.CLIENT_VIEW_DEMOGRAPHICS, world.client_a).policy_ids == (
        "intake.demographics",
    )
    assert authorize(intake, Action.CLIENT_VIEW, world.client_a).policy_ids == ("default.deny",)
