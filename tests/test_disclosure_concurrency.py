"""Disclosures under concurrency, with real connections (see conftest.py's scratch database):
a one-time link opens once however many arrive together, wrong codes are never lost, and a
request is reviewed once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from scratchdb import ScratchDatabase, run_together

from confide.core.errors import DomainError
from confide.disclosures import links, packets, release, services
from confide.disclosures.models import Delivery, DisclosureRequest
from confide.disclosures.tests.workflow_support import request_input, set_profile, signed_note
from confide.ledger.verify import verify_chain
from confide.testing import actor, build_world


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    settings.CONFIDE_FILES_DIR = tmp_path / "files"


def _released_link(scratch: ScratchDatabase) -> tuple[str, str]:
    with scratch.bound():
        world = build_world()
        set_profile(world)
        signed_note(world.worker_a, world.client_a, "Plan.", on=dt.date(2025, 3, 4))
        request = services.request_create(
            actor=actor(world.worker_a), client_id=world.client_a.id, data=request_input()
        )
        packets.packet_build(actor=actor(world.worker_a), request_id=request.id)
        done = release.release(
            actor=actor(world.worker_a),
            request_id=request.id,
            method="link",
            notice=release.Notice(exception="client_is_recipient", reason="Test."),
        )
    assert done.link_token is not None
    assert done.link_code is not None
    return done.link_token, done.link_code


def _redeem(token: str, code: str) -> Any:
    def job() -> str:
        try:
            _, pdf = links.link_redeem(token, code)
        except DomainError as error:
            return type(error).__name__
        return "pdf" if pdf.startswith(b"%PDF-") else "garbage"

    return job


def test_a_one_time_link_opened_twice_at_once_opens_once(scratch_db: ScratchDatabase) -> None:
    token, code = _released_link(scratch_db)
    outcomes = run_together(scratch_db, {str(n): _redeem(token, code) for n in range(3)})
    assert sorted(outcomes.values()) == ["LinkUnavailable", "LinkUnavailable", "pdf"], outcomes
    with scratch_db.bound():
        assert Delivery.objects.get().used_at is not None
        assert verify_chain().ok


def test_wrong_codes_sent_together_are_all_counted(
    scratch_db: ScratchDatabase, settings: Any
) -> None:
    settings.CONFIDE_RELEASE_LINK_ATTEMPTS = 3
    token, code = _released_link(scratch_db)
    outcomes = run_together(scratch_db, {str(n): _redeem(token, "00000000") for n in range(3)})
    assert sorted(outcomes.values()) == ["LinkUnavailable", "WrongCode", "WrongCode"], outcomes
    with scratch_db.bound():
        assert Delivery.objects.get().failed_attempts == 3
    with scratch_db.bound():  # the right code is now too late
        assert _redeem(token, code)() == "LinkUnavailable"


def test_two_reviewers_at_once_review_a_request_once(scratch_db: ScratchDatabase) -> None:
    with scratch_db.bound():
        world = build_world()
        set_profile(world)
        request = services.request_create(
            actor=actor(world.worker_a),
            client_id=world.client_a.id,
            data=request_input(
                recipient_type="potential_victim",
                purpose="prevent_serious_threat",
                categories=["mental_health_general"],
            ),
        )
        reviewers = {"privacy": actor(world.privacy_a), "supervisor": actor(world.supervisor_a)}

    def review(who: str) -> Any:
        def job() -> str:
            try:
                services.request_review(
                    actor=reviewers[who], request_id=request.id, approve=False, reason=who
                )
            except DomainError as error:
                return type(error).__name__
            return "reviewed"

        return job

    outcomes = run_together(scratch_db, {who: review(who) for who in reviewers})
    assert sorted(outcomes.values()) == ["ReviewNotOpen", "reviewed"], outcomes
    with scratch_db.bound():
        assert DisclosureRequest.objects.get().version == 2
