"""Each endpoint's happy path, through a personal access token."""

from __future__ import annotations

from collections.abc import Callable

from confide.accounts.models import User
from confide.api.tests.conftest import ApiCaller
from confide.records.models import Note
from confide.testing import World

Caller = Callable[[User], ApiCaller]


def test_it_lists_the_callers_caseload(world: World, api_as: Caller) -> None:
    response = api_as(world.worker_a).get("/api/caseload")
    assert response.status_code == 200
    body = response.json()
    assert body["page"] == 1
    assert body["page_size"] == 50
    assert body["total"] == 1
    [row] = body["items"]
    assert row["client_id"] == str(world.client_a.id)
    assert row["client_name"] == "Rosalind"
    assert row["case_number"] == "A-1001"
    assert row["team_name"] == "North team"


def test_a_page_past_the_end_is_empty_but_counts_the_total(world: World, api_as: Caller) -> None:
    body = api_as(world.worker_a).get("/api/caseload", {"page": 2}).json()
    assert body["items"] == []
    assert body["total"] == 1


def test_a_role_without_client_content_has_an_empty_caseload(world: World, api_as: Caller) -> None:
    body = api_as(world.privacy_a).get("/api/caseload").json()
    assert body["items"] == []
    assert body["total"] == 0


def test_it_reads_a_client_with_cases_and_the_visible_notes(world: World, api_as: Caller) -> None:
    mine = world.note(world.worker_a, world.client_a, body="Talked about school.")
    world.note(world.worker_a2, world.client_a, body="Private process notes.", kind="psychotherapy")
    response = api_as(world.worker_a).get(f"/api/clients/{world.client_a.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(world.client_a.id)
    assert body["legal_name"] == "Rosalind Quenby"
    assert body["date_of_birth"] == "1984-03-09"
    assert body["identifiers"] == {"medicaid": "MCA-1001"}
    assert [c["case_number"] for c in body["cases"]] == ["A-1001"]
    [note] = body["notes"]
    assert note["id"] == str(mine.id)
    assert note["body"] == "Talked about school."
    assert note["author_name"] == "worker_a"
    assert note["attachments"] == []


def test_it_creates_a_draft_note(world: World, api_as: Caller) -> None:
    case = world.case_of(world.client_a)
    response = api_as(world.worker_a).post(
        f"/api/cases/{case.id}/notes",
        {
            "kind": "progress",
            "body": " Phoned about rent. ",
            "labels": ["hiv"],
            "occurred_on": "2025-02-03",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert body["version"] == 1
    assert body["labels"] == ["hiv"]
    assert body["occurred_on"] == "2025-02-03"
    assert body["case_id"] == str(case.id)
    assert body["author_id"] == str(world.worker_a.id)
    assert "body" not in body  # write answers carry metadata only
    note = Note.objects.get(id=body["id"])
    assert note.client_id == world.client_a.id


def test_a_psychotherapy_note_gets_its_label(world: World, api_as: Caller) -> None:
    case = world.case_of(world.client_a)
    body = (
        api_as(world.worker_a)
        .post(f"/api/cases/{case.id}/notes", {"kind": "psychotherapy", "body": "Session 4."})
        .json()
    )
    assert body["labels"] == ["psychotherapy"]


def test_it_reads_a_note(world: World, api_as: Caller) -> None:
    note = world.note(world.worker_a, world.client_a, body="Home visit, all well.")
    response = api_as(world.worker_a).get(f"/api/notes/{note.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["body"] == "Home visit, all well."
    assert body["kind"] == "progress"
    assert body["status"] == "draft"
    assert body["version"] == 1
    assert body["signed_at"] is None
    assert body["addendum_to"] is None


def test_it_updates_a_draft(world: World, api_as: Caller) -> None:
    note = world.note(world.worker_a, world.client_a)
    caller = api_as(world.worker_a)
    response = caller.patch(
        f"/api/notes/{note.id}",
        {"body": "Revised text.", "expected_version": 1, "labels": ["part2_sud"]},
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["labels"] == ["part2_sud"]
    assert caller.get(f"/api/notes/{note.id}").json()["body"] == "Revised text."


def test_an_update_without_labels_keeps_them(world: World, api_as: Caller) -> None:
    case = world.case_of(world.client_a)
    caller = api_as(world.worker_a)
    created = caller.post(
        f"/api/cases/{case.id}/notes", {"kind": "contact", "body": "a", "labels": ["hiv"]}
    ).json()
    updated = caller.patch(f"/api/notes/{created['id']}", {"body": "b", "expected_version": 1})
    assert updated.json()["labels"] == ["hiv"]


def test_it_signs_a_draft(world: World, api_as: Caller) -> None:
    note = world.note(world.worker_a, world.client_a)
    response = api_as(world.worker_a).post(f"/api/notes/{note.id}/sign", {"expected_version": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "signed"
    assert body["version"] == 2
    assert body["signed_at"] is not None
