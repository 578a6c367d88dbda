"""An action that committed but whose flush to disk was not confirmed
(`ledger.services.DurabilityUnconfirmed`) answers with a page that says it was saved and must not
be done again: never a bare server error that invites a second release (the API: test_errors)."""

from __future__ import annotations

import logging

import pytest

from confide.ledger.services import DurabilityUnconfirmed
from confide.records import services
from confide.testing import World

from .support import browser, text


def _committed_but_unconfirmed(**kwargs: object) -> None:
    raise DurabilityUnconfirmed("the action committed, but its flush could not be confirmed")


def test_a_page_says_saved_and_do_not_repeat(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(services, "note_create", _committed_but_unconfirmed)
    case = world.case_of(world.client_a)
    with caplog.at_level(logging.ERROR):
        response = browser(world.worker_a).post(
            f"/cases/{case.id}/notes/new/", {"kind": "progress", "body": "Met at home."}
        )
    assert response.status_code == 500
    page = text(response)
    assert "What you did was saved" in page
    assert "Do not do it again" in page
    assert response["Cache-Control"] == "no-store, max-age=0"
    assert "flush to disk was not confirmed" in caplog.text
    assert "Met at home" not in caplog.text
