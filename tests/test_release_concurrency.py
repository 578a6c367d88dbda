"""Releases of information under real concurrency (each thread its own connection to a scratch
database): the release's row lock lets one revocation, or one signature, through."""

from __future__ import annotations

import threading
import time
import types
from collections.abc import Callable

import pytest
from scratchdb import ScratchDatabase

from confide.core import clock
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.ledger.verify import verify_chain
from confide.releases import services
from confide.releases.errors import ReleaseWrongState
from confide.releases.models import Release
from confide.releases.tests.support import complete, signature
from confide.testing import actor, build_world

HOLD_SECONDS = 0.3


def _together(scratch: ScratchDatabase, jobs: dict[str, Callable[[], object]]) -> dict[str, str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: dict[str, str] = {}

    def run(name: str, job: Callable[[], object]) -> None:
        with scratch.bound():
            barrier.wait(timeout=30)
            try:
                job()
                outcomes[name] = "done"
            except ReleaseWrongState:
                outcomes[name] = "refused"
            except Exception as exc:  # SQLite refuses the second writer outright
                outcomes[name] = type(exc).__name__

    threads = [threading.Thread(target=run, args=item) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def _slow_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_now() -> object:
        time.sleep(HOLD_SECONDS)  # after the release's row lock is taken
        return clock.now()

    monkeypatch.setattr(services, "clock", types.SimpleNamespace(now=slow_now))


def _loser(outcomes: dict[str, str], vendor: str) -> str:
    assert sorted(outcomes.values()).count("done") == 1, outcomes
    other = next(o for o in outcomes.values() if o != "done")
    if vendor == "postgresql":  # the loser waited for the lock, then saw the new state
        assert other == "refused", outcomes
    return other


def test_two_revocations_at_once_revoke_once(
    scratch_db: ScratchDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    with scratch_db.bound():
        world = build_world()
        staff = actor(world.worker_a)
        release = services.release_create(actor=staff, client_id=world.client_a.id, data=complete())
        services.release_sign(actor=staff, release_id=release.id, signature=signature())
        colleague = actor(world.supervisor_a)
    _slow_clock(monkeypatch)

    def revoke(who: object) -> Callable[[], object]:
        return lambda: services.release_revoke(actor=who, release_id=release.id)  # type: ignore[arg-type]

    outcomes = _together(scratch_db, {"worker": revoke(staff), "supervisor": revoke(colleague)})
    _loser(outcomes, scratch_db.vendor)
    with scratch_db.bound():
        assert Release.objects.get(id=release.id).state == "revoked"
        assert Event.objects.filter(event_type=EventType.ROI_REVOKED).count() == 1
        assert verify_chain().ok


def test_two_signatures_at_once_sign_once(
    scratch_db: ScratchDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    with scratch_db.bound():
        world = build_world()
        staff = actor(world.worker_a)
        draft = services.release_create(actor=staff, client_id=world.client_a.id, data=complete())
    _slow_clock(monkeypatch)

    def sign(name: str) -> Callable[[], object]:
        return lambda: services.release_sign(
            actor=staff, release_id=draft.id, signature=signature(signer_name=name)
        )

    outcomes = _together(scratch_db, {"first": sign("First Name"), "second": sign("Other Name")})
    _loser(outcomes, scratch_db.vendor)
    with scratch_db.bound():
        assert Release.objects.get(id=draft.id).state == "signed"
        assert Event.objects.filter(event_type=EventType.ROI_SIGNED).count() == 1
        assert verify_chain().ok
