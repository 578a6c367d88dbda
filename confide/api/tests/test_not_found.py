"""Deny by default, with no existence leak: a malformed id, a forged UUID, another agency's
object, another author's psychotherapy note and a missing object all get one identical 404."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from confide.accounts.models import User
from confide.api.tests.conftest import ApiCaller, counts
from confide.testing import World

Caller = Callable[[User], ApiCaller]
Probe = Callable[[World], str]

MALFORMED = ["not-a-uuid", "1", "x" * 2000, "%00", "00000000-0000-0000-0000-00000000000g"]


def _forged(world: World) -> str:
    return str(uuid.uuid4())


def _other_agency_note(world: World) -> str:
    return str(world.note(world.worker_b, world.client_b).id)


def _others_psychotherapy_note(world: World) -> str:
    return str(world.note(world.worker_a2, world.client_a, kind="psychotherapy").id)


def _other_team_note(world: World) -> str:
    return str(world.note(world.other_worker_a, world.client_a_other).id)


NOTE_PROBES: list[Probe] = [
    *[(lambda w, m=m: m) for m in MALFORMED],
    _forged,
    _other_agency_note,
    _others_psychotherapy_note,
    _other_team_note,
]
CLIENT_PROBES: list[Probe] = [
    *[(lambda w, m=m: m) for m in MALFORMED],
    _forged,
    lambda w: str(w.client_b.id),
    lambda w: str(w.client_a_other.id),
    lambda w: str(w.case_of(w.client_a).id),  # an id of another kind of object
]
CASE_PROBES: list[Probe] = [
    *[(lambda w, m=m: m) for m in MALFORMED],
    _forged,
    lambda w: str(w.case_of(w.client_b).id),
    lambda w: str(w.case_of(w.client_a_other).id),
    lambda w: str(w.client_a.id),
]


def _not_found(kind: str) -> dict[str, str]:
    return {"error": "not_found", "message": f"No such {kind}."}


@pytest.mark.parametrize("probe", CLIENT_PROBES)
def test_a_client_out_of_reach_looks_missing(world: World, api_as: Caller, probe: Probe) -> None:
    response = api_as(world.worker_a).get(f"/api/clients/{probe(world)}")
    assert response.status_code == 404
    assert response.json() == _not_found("client")


@pytest.mark.parametrize("probe", NOTE_PROBES)
def test_a_note_out_of_reach_looks_missing_to_every_verb(
    world: World, api_as: Caller, probe: Probe
) -> None:
    note_id = probe(world)
    caller = api_as(world.worker_a)
    before = counts()
    responses = [
        caller.get(f"/api/notes/{note_id}"),
        caller.patch(f"/api/notes/{note_id}", {"body": "overwrite", "expected_version": 1}),
        caller.post(f"/api/notes/{note_id}/sign", {"expected_version": 1}),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert all(r.json() == _not_found("note") for r in responses)
    assert counts() == before


@pytest.mark.parametrize("probe", CASE_PROBES)
def test_a_case_out_of_reach_takes_no_note(world: World, api_as: Caller, probe: Probe) -> None:
    case_id = probe(world)
    caller = api_as(world.worker_a)
    before = counts()
    response = caller.post(f"/api/cases/{case_id}/notes", {"kind": "progress", "body": "x"})
    assert response.status_code == 404
    assert response.json() == _not_found("case")
    assert counts() == before


@pytest.mark.parametrize("persona", ["privacy_a", "admin_a", "worker_b"])
def test_roles_without_client_content_see_nothing(
    world: World, api_as: Caller, persona: str
) -> None:
    note = world.note(world.worker_a, world.client_a)
    caller = api_as(getattr(world, persona))
    assert caller.get(f"/api/clients/{world.client_a.id}").json() == _not_found("client")
    assert caller.get(f"/api/notes/{note.id}").json() == _not_found("note")


def test_intake_sees_demographics_only(world: World, api_as: Caller) -> None:
    note = world.note(world.worker_a, world.client_a)
    caller = api_as(world.intake_a)
    body = caller.get(f"/api/clients/{world.client_a.id}").json()
    assert body["legal_name"] == "Rosalind Quenby"
    assert body["demographics_only"] is True
    assert (body["cases"], body["notes"], body["address"]) == ([], [], "")
    assert body["address_withheld"]
    assert caller.get(f"/api/notes/{note.id}").json() == _not_found("note")


def test_the_author_still_reads_their_own_psychotherapy_note(world: World, api_as: Caller) -> None:
    note = world.note(world.worker_a2, world.client_a, kind="psychotherapy", body="Session 1.")
    response = api_as(world.worker_a2).get(f"/api/notes/{note.id}")
    assert response.status_code == 200
    assert response.json()["body"] == "Session 1."


def test_a_colleague_may_read_but_not_sign_anothers_draft(world: World, api_as: Caller) -> None:
    note = world.note(world.worker_a, world.client_a)
    caller = api_as(world.worker_a2)
    assert caller.get(f"/api/notes/{note.id}").status_code == 200
    response = caller.post(f"/api/notes/{note.id}/sign", {"expected_version": 1})
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


@pytest.mark.parametrize("path", ["/api/nope", "/api/notes/", "/api/notes/a/b", "/api/docs/"])
def test_an_unknown_api_path_answers_json(world: World, anonymous: ApiCaller, path: str) -> None:
    response = anonymous.get(path)
    assert response.status_code == 404
    assert response.json() == _not_found("page")
