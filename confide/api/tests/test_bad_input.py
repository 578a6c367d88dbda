"""Bad input: a 422 (or 400/413) that names the fields, quotes none of the submitted values, and
writes nothing: no note row, no ledger event."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest

from confide.accounts.models import User
from confide.api.tests.conftest import ApiCaller, counts
from confide.core import clock
from confide.testing import World

Caller = Callable[[User], ApiCaller]
SECRET = "Disclosed-relapse-7731"  # must never come back in an error
TOMORROW = (clock.today() + dt.timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"kind": SECRET, "body": SECRET}, {"kind"}),
        ({"kind": "progress", "body": SECRET, "labels": [SECRET]}, {"labels.0"}),
        ({"kind": "progress", "body": SECRET * 5000}, {"body"}),
        ({"kind": "progress", "body": 12345, "labels": SECRET}, {"body", "labels"}),
        ({"kind": ["progress"], "body": None}, {"kind", "body"}),
        ({"kind": "progress", "body": SECRET, "labels": ["hiv"] * 6}, {"labels"}),
        ({"kind": "progress", "body": SECRET, "occurred_on": SECRET}, {"occurred_on"}),
        ({"kind": "progress", "body": SECRET, "occurred_on": 20250101.5}, {"occurred_on"}),
        ({"kind": "progress", "body": SECRET, SECRET: "x"}, {SECRET}),
        ({}, {"kind", "body"}),
        ([SECRET], {"request"}),
        (SECRET, {"request"}),
        # Domain rules, raised by the service after the schema passed:
        ({"kind": "progress", "body": SECRET, "occurred_on": TOMORROW}, {"occurred_on"}),
        ({"kind": "progress", "body": SECRET, "labels": ["psychotherapy"]}, {"labels"}),
        ({"kind": "progress", "body": "nul \x00 inside"}, {"body"}),
    ],
)
def test_a_bad_new_note_is_refused_naming_the_fields(
    world: World, api_as: Caller, payload: object, fields: set[str]
) -> None:
    case = world.case_of(world.client_a)
    caller = api_as(world.worker_a)
    before = counts()
    response = caller.post(f"/api/cases/{case.id}/notes", payload)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["error"] == "invalid"
    assert set(body["fields"]) == fields
    assert SECRET not in "".join(body["fields"].values()) + body["message"]
    assert counts() == before


def test_an_oversized_body_is_refused_at_the_limit(world: World, api_as: Caller) -> None:
    case = world.case_of(world.client_a)
    caller = api_as(world.worker_a)
    before = counts()
    too_long = caller.post(
        f"/api/cases/{case.id}/notes", {"kind": "contact", "body": "é" * 100_001}
    )
    assert too_long.status_code == 422
    assert too_long.json()["fields"] == {"body": "is longer than 100000 characters"}
    assert counts() == before
    at_limit = caller.post(
        f"/api/cases/{case.id}/notes", {"kind": "contact", "body": "é" * 100_000}
    )
    assert at_limit.status_code == 201


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"body": "new"}, {"expected_version"}),
        ({"body": "new", "expected_version": "1"}, {"expected_version"}),
        ({"body": "new", "expected_version": True}, {"expected_version"}),
        ({"body": "new", "expected_version": 0}, {"expected_version"}),
        ({"body": "new", "expected_version": 2**40}, {"expected_version"}),
        ({"body": "new", "expected_version": 1, "labels": ["secret"]}, {"labels.0"}),
        ({"body": "new", "expected_version": 1, "kind": "assessment"}, {"kind"}),
        ({"expected_version": 1}, {"body"}),
    ],
)
def test_a_bad_draft_update_is_refused(
    world: World, api_as: Caller, payload: dict[str, object], fields: set[str]
) -> None:
    note = world.note(world.worker_a, world.client_a, body="Original.")
    caller = api_as(world.worker_a)
    before = counts()
    response = caller.patch(f"/api/notes/{note.id}", payload)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == fields
    assert counts() == before
    note.refresh_from_db()
    assert note.version == 1


@pytest.mark.parametrize("payload", [{}, {"expected_version": "one"}, {"expected_version": 1.5}])
def test_a_bad_sign_request_is_refused(
    world: World, api_as: Caller, payload: dict[str, object]
) -> None:
    note = world.note(world.worker_a, world.client_a)
    response = api_as(world.worker_a).post(f"/api/notes/{note.id}/sign", payload)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"expected_version"}
    note.refresh_from_db()
    assert note.status == "draft"


@pytest.mark.parametrize("page", ["0", "-1", "10001", "two", ""])
def test_the_caseload_page_is_bounded(world: World, api_as: Caller, page: str) -> None:
    response = api_as(world.worker_a).get("/api/caseload", {"page": page})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"page"}


def test_a_body_that_is_not_json_is_a_clean_400(world: World, api_as: Caller) -> None:
    case = world.case_of(world.client_a)
    caller = api_as(world.worker_a)
    before = counts()
    response = caller.send("post", f"/api/cases/{case.id}/notes", "{" + SECRET)
    assert response.status_code == 400
    assert response.json() == {
        "error": "bad_request",
        "message": "The request body must be a JSON object.",
    }
    assert counts() == before


def test_a_request_over_the_upload_limit_is_a_clean_413(world: World, api_as: Caller) -> None:
    case = world.case_of(world.client_a)
    caller = api_as(world.worker_a)
    before = counts()
    huge = json.dumps({"kind": "progress", "body": "x" * (3 * 1024 * 1024)})
    response = caller.send("post", f"/api/cases/{case.id}/notes", huge)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert counts() == before
