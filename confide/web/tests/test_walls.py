"""Conflict walls from the pages: a staff member declares a relationship (always answered
the same way), the client then does not exist for them; managers list, record and remove
walls, seeing case numbers, never names."""

from __future__ import annotations

import pytest
from django.urls import reverse

from confide.ledger.models import Event
from confide.testing import World, actor
from confide.training.models import ConflictDeclaration
from confide.training.services import conflict_declare
from confide.web.tests.support import browser, text

MINE = reverse("web:relationships")
WALLS = reverse("web:walls")
ROSALIND = {"legal_name": "Rosalind Quenby", "date_of_birth": "1984-03-09"}
MARISOL = {"legal_name": "Marisol Ketterly", "date_of_birth": "1975-11-02"}
NOBODY = {"legal_name": "Nobody Atall", "date_of_birth": "1999-01-01"}
RECORDED = "Recorded. If this person is a client of the agency, their record is now hidden"


def _declare(world: World, identity: dict[str, str]) -> str:
    http = browser(world.worker_a)
    response = http.post(MINE, {**identity, "relationship": "neighbour"}, follow=True)
    assert response.redirect_chain == [(MINE, 302)]
    return text(response)


def test_the_answer_is_the_same_for_a_client_a_stranger_and_another_agencys_client(
    world: World,
) -> None:
    answers = {_declare(world, who) for who in (NOBODY, MARISOL)}
    assert not ConflictDeclaration.objects.exists()
    answers.add(_declare(world, ROSALIND))
    assert len(answers) == 1
    assert RECORDED in answers.pop()
    wall = ConflictDeclaration.objects.get()
    assert (wall.user_id, wall.client_id, wall.relationship) == (
        world.worker_a.id,
        world.client_a.id,
        "neighbour",
    )


def test_after_declaring_the_client_is_gone_from_caseload_search_and_record(
    world: World,
) -> None:
    http = browser(world.worker_a)
    http.post(MINE, {**ROSALIND, "relationship": "friend"})
    assert "Rosalind" not in text(http.get(reverse("web:dashboard")))
    search = http.post(reverse("web:client_search"), ROSALIND)
    assert "0 matches" in text(search)
    detail = http.get(reverse("web:client_detail", args=[world.client_a.id]))
    assert detail.status_code == 404
    assert http.post(reverse("web:emergency"), {**ROSALIND}).status_code in (302, 400)


def test_the_declaration_is_on_the_ledger_and_lists_no_names(world: World) -> None:
    http = browser(world.worker_a)
    http.post(MINE, {**ROSALIND, "relationship": "relative"})
    lookup = Event.objects.get(event_type="records:client:searched")
    assert lookup.details == {"purpose": "conflict_declaration", "matches": 1}
    declared = Event.objects.get(event_type="training:conflict:declared")
    assert declared.client_id == world.client_a.id


def test_declaring_twice_changes_nothing_and_answers_the_same(world: World) -> None:
    first = _declare(world, ROSALIND)
    second = _declare(world, ROSALIND)
    assert first == second
    assert ConflictDeclaration.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {**ROSALIND},
        {**ROSALIND, "relationship": "enemy"},
        {"legal_name": "", "date_of_birth": "1984-03-09", "relationship": "friend"},
        {"legal_name": "x" * 201, "date_of_birth": "1984-03-09", "relationship": "friend"},
        {"legal_name": "Rosalind Quenby", "date_of_birth": "yesterday", "relationship": "friend"},
        {},
    ],
)
def test_bad_declarations_change_nothing(world: World, data: dict[str, str]) -> None:
    assert browser(world.worker_a).post(MINE, data).status_code == 400
    assert not ConflictDeclaration.objects.exists()


def test_a_declaration_without_csrf_is_refused(world: World) -> None:
    http = browser(world.worker_a, csrf=True)
    assert http.post(MINE, {**ROSALIND, "relationship": "friend"}).status_code == 403
    assert not ConflictDeclaration.objects.exists()


# --- managers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["privacy_a"])
def test_managers_list_walls_by_case_number_never_by_name(world: World, persona: str) -> None:
    conflict_declare(
        actor=actor(world.worker_a), client_id=world.client_a.id, relationship="friend"
    )
    page = browser(getattr(world, persona)).get(WALLS)
    assert page.status_code == 200
    body = text(page)
    assert "worker_a" in body
    assert "A-1001" in body
    assert "Friend" in body
    assert "Rosalind" not in body
    assert "Quenby" not in body


@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "intake_a"])
def test_other_roles_cannot_open_the_walls_page(world: World, persona: str) -> None:
    assert browser(getattr(world, persona)).get(WALLS).status_code == 403


def test_a_privacy_officer_records_a_wall_for_a_staff_member(world: World) -> None:
    http = browser(world.privacy_a)
    data = {**ROSALIND, "relationship": "former_partner", "staff": str(world.worker_a2.id)}
    response = http.post(WALLS, data, follow=True)
    assert "their record is now hidden from them" in text(response)
    wall = ConflictDeclaration.objects.get()
    assert (wall.user_id, wall.declared_by_id) == (world.worker_a2.id, world.privacy_a.id)
    worker = browser(world.worker_a2)
    assert worker.get(reverse("web:client_detail", args=[world.client_a.id])).status_code == 404


def test_staff_of_another_agency_cannot_be_chosen(world: World) -> None:
    data = {**ROSALIND, "relationship": "friend", "staff": str(world.worker_b.id)}
    response = browser(world.privacy_a).post(WALLS, data)
    assert response.status_code == 400
    assert not ConflictDeclaration.objects.exists()


def test_removing_a_wall_needs_a_reason_and_is_on_the_ledger(world: World) -> None:
    wall = conflict_declare(
        actor=actor(world.worker_a), client_id=world.client_a.id, relationship="friend"
    )
    url = reverse("web:wall_remove", args=[wall.id])
    assert browser(world.admin_a).post(url, {"reason": "Not mine."}).status_code == 403
    http = browser(world.privacy_a)
    http.post(url, {"reason": ""})
    http.post(url, {"reason": "x" * 501})
    assert ConflictDeclaration.objects.get().removed_at is None
    http.post(url, {"reason": "Declared for the wrong person."})
    assert ConflictDeclaration.objects.get().removed_at is not None
    event = Event.objects.get(event_type="training:conflict:removed")
    assert event.reason == "Declared for the wrong person."
    record = browser(world.worker_a).get(reverse("web:client_detail", args=[world.client_a.id]))
    assert record.status_code == 200


def test_removing_is_for_managers_of_the_same_agency(world: World) -> None:
    wall = conflict_declare(
        actor=actor(world.worker_a), client_id=world.client_a.id, relationship="friend"
    )
    url = reverse("web:wall_remove", args=[wall.id])
    assert browser(world.worker_a).post(url, {"reason": "mine"}).status_code == 403
    forged = reverse("web:wall_remove", args=["00000000-0000-4000-8000-000000000000"])
    assert browser(world.privacy_a).post(forged, {"reason": "x"}).status_code == 404
    assert ConflictDeclaration.objects.get().removed_at is None


def test_a_manager_walled_from_a_client_does_not_see_its_other_walls(world: World) -> None:
    conflict_declare(
        actor=actor(world.worker_a), client_id=world.client_a.id, relationship="friend"
    )
    conflict_declare(
        actor=actor(world.privacy_a), client_id=world.client_a.id, relationship="relative"
    )
    assert "A-1001" not in text(browser(world.privacy_a).get(WALLS))
