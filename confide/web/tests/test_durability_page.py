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


def test_an_autosave_gets_its_status_line_not_a_page(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = world.note(world.worker_a, world.client_a)
    monkeypatch.setattr(services, "note_update_draft", _committed_but_unconfirmed)
    response = browser(world.worker_a).post(
        f"/notes/{draft.id}/save/",
        {"body": "More.", "version": str(draft.version)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200  # htmx swaps only a 200
    assert "reload the page before typing more" in text(response)
    assert "<html" not in response.content.decode()


def test_a_portal_client_is_sent_back_to_their_own_pages() -> None:
    from django.test import RequestFactory

    from confide.web.middleware import DurabilityUnconfirmedMiddleware

    handle = DurabilityUnconfirmedMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]
    error = DurabilityUnconfirmed("committed")
    portal = handle.process_exception(RequestFactory().post("/portal/releases/x/revoke/"), error)
    staff = handle.process_exception(RequestFactory().post("/cases/x/notes/new/"), error)
    assert portal is not None
    assert staff is not None
    assert 'href="/portal/"' in portal.content.decode()
    assert "tell your worker" in portal.content.decode()
    assert 'href="/portal/"' not in staff.content.decode()
    assert handle.process_exception(RequestFactory().get("/"), RuntimeError("other")) is None
