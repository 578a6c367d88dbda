"""Drafts and signing over the API: stale saves conflict without overwriting, and a signed note
never changes again."""

from __future__ import annotations

from collections.abc import Callable

from confide.accounts.models import User
from confide.api.tests.conftest import ApiCaller, counts
from confide.testing import World

Caller = Callable[[User], ApiCaller]


def test_a_stale_save_conflicts_and_loses_nobodys_text(world: World, api_as: Caller) -> None:
    """The author saving from two programs (two tokens): the older save conflicts."""
    note = world.note(world.worker_a, world.client_a, body="First text.")
    author, elsewhere = api_as(world.worker_a), api_as(world.worker_a)
    saved = elsewhere.patch(
        f"/api/notes/{note.id}", {"body": "Other program's text.", "expected_version": 1}
    )
    assert saved.status_code == 200
    before = counts()
    stale = author.patch(f"/api/notes/{note.id}", {"body": "Author's text.", "expected_version": 1})
    assert stale.status_code == 409
    assert stale.json()["error"] == "draft_conflict"
    assert "Author's text." not in stale.content.decode()
    assert counts() == before
    current = author.get(f"/api/notes/{note.id}").json()
    assert current["body"] == "Other program's text."
    assert current["version"] == 2
    retried = author.patch(f"/api/notes/{note.id}", {"body": "Merged text.", "expected_version": 2})
    assert retried.status_code == 200
    assert retried.json()["version"] == 3


def test_signing_a_stale_version_conflicts(world: World, api_as: Caller) -> None:
    note = world.note(world.worker_a, world.client_a)
    caller = api_as(world.worker_a)
    caller.patch(f"/api/notes/{note.id}", {"body": "Newer.", "expected_version": 1})
    response = caller.post(f"/api/notes/{note.id}/sign", {"expected_version": 1})
    assert response.status_code == 409
    assert response.json()["error"] == "draft_conflict"
    assert caller.get(f"/api/notes/{note.id}").json()["status"] == "draft"


def test_a_signed_note_is_immutable(world: World, api_as: Caller) -> None:
    note = world.note(world.worker_a, world.client_a, body="Final words.")
    caller = api_as(world.worker_a)
    signed = caller.post(f"/api/notes/{note.id}/sign", {"expected_version": 1}).json()
    before = counts()
    edit = caller.patch(f"/api/notes/{note.id}", {"body": "Changed.", "expected_version": 2})
    assert edit.status_code == 409
    assert edit.json()["error"] == "note_signed"
    resign = caller.post(f"/api/notes/{note.id}/sign", {"expected_version": 2})
    assert resign.status_code == 409
    assert counts() == before
    after = caller.get(f"/api/notes/{note.id}").json()
    assert after["body"] == "Final words."
    assert after["version"] == signed["version"] == 2
    assert after["signed_at"] == signed["signed_at"]


def test_an_empty_draft_cannot_be_signed(world: World, api_as: Caller) -> None:
    note = world.note(world.worker_a, world.client_a, body="   ")
    response = api_as(world.worker_a).post(f"/api/notes/{note.id}/sign", {"expected_version": 1})
    assert response.status_code == 422
    assert response.json()["fields"] == {"body": "an empty note cannot be signed"}
