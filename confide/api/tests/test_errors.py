"""Error mapping beyond validation: domain statuses pass through, and an unexpected failure
answers a plain 500 whose body and log carry no data from the exception's message."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from confide.accounts.models import User
from confide.api.errors import field_name, problem
from confide.api.tests.conftest import ApiCaller
from confide.crypto.models import ClientKey
from confide.ledger.services import DurabilityUnconfirmed
from confide.records import selectors
from confide.records import services as record_services
from confide.testing import World

Caller = Callable[[User], ApiCaller]


def test_a_shredded_record_is_gone(world: World, api_as: Caller) -> None:
    caller = api_as(world.worker_a)
    ClientKey.objects.filter(client_id=world.client_a.id).delete()
    response = caller.get(f"/api/clients/{world.client_a.id}")
    assert response.status_code == 410
    assert response.json() == {
        "error": "unreadable",
        "message": "This record can no longer be read.",
    }


def test_an_unexpected_failure_reveals_nothing(
    world: World,
    api_as: Caller,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    leaked = world.client_a.cases.get().case_number + " Rosalind Quenby"

    def broken(**kwargs: object) -> None:
        raise RuntimeError(leaked)  # as a database error may quote the row it choked on

    monkeypatch.setattr(selectors, "caseload_list", broken)
    with caplog.at_level(logging.ERROR):
        response = api_as(world.worker_a).get("/api/caseload")
    assert response.status_code == 500
    assert response.json() == {
        "error": "server_error",
        "message": "Something went wrong on the server.",
    }
    assert "RuntimeError" in caplog.text
    assert "Rosalind" not in caplog.text


def test_field_names_drop_the_parameter_and_are_bounded() -> None:
    assert field_name(("body", "payload", "labels", 0)) == "labels.0"
    assert field_name(("body", "payload")) == "request"
    assert field_name(("query", "page")) == "page"
    assert len(field_name(("body", "payload", "k" * 500))) == 60


def test_problems_are_written_from_the_schema_not_the_input() -> None:
    assert problem({"type": "string_too_long", "ctx": {"max_length": 5}}) == (
        "is longer than 5 characters"
    )
    assert problem({"type": "uuid_parsing", "msg": "found `S` at 1"}) == "is not valid"
    assert problem({"type": "greater_than_equal", "ctx": {}}) == "is not valid"


def _committed_but_unconfirmed(**kwargs: object) -> None:
    raise DurabilityUnconfirmed("the action committed, but its flush could not be confirmed")


def test_the_api_says_committed_and_not_to_send_it_again(
    world: World, api_as: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record_services, "note_create", _committed_but_unconfirmed)
    case = world.case_of(world.client_a)
    response = api_as(world.worker_a).post(
        f"/api/cases/{case.id}/notes", {"kind": "progress", "body": "Met at home."}
    )
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "durability_unconfirmed"
    assert body["committed"] is True
    assert "Do not send it again" in body["message"]
