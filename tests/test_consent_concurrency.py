"""Consent writes under real concurrency (each thread its own connection to a scratch database):
the client's row lock serializes preference changes, and the request row's lock makes a
disclosure limit decided once."""

from __future__ import annotations

import time
import types
from collections.abc import Callable
from uuid import UUID

import pytest
from scratchdb import ScratchDatabase, run_together

from confide.consent import services
from confide.consent.models import CommunicationPreference, DisclosureRestriction
from confide.consent.services import restrictions
from confide.core import clock
from confide.core.enums import Role
from confide.core.errors import Conflict
from confide.crypto import envelope
from confide.crypto.envelope import DataKey
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.ledger.verify import verify_chain
from confide.testing import actor, build_world, make_user

HOLD_SECONDS = 0.3


def test_two_people_setting_a_new_channel_at_once_leave_one_row(
    scratch_db: ScratchDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    with scratch_db.bound():
        world = build_world()
        first, second = actor(world.worker_a), actor(world.worker_a2)
    original = envelope.client_key

    def slow_client_key(client_id: UUID) -> DataKey:
        time.sleep(HOLD_SECONDS)  # after the client's row lock is taken
        return original(client_id)

    monkeypatch.setattr("confide.consent.services.communications.client_key", slow_client_key)

    def setter(who: object, allowed: bool) -> Callable[[], str]:
        def job() -> str:
            services.communication_preference_set(
                actor=who,  # type: ignore[arg-type]
                client_id=world.client_a.id,
                channel="text",
                allowed=allowed,
            )
            return "saved"

        return job

    outcomes = run_together(scratch_db, {"a": setter(first, True), "b": setter(second, False)})
    assert outcomes == {"a": "saved", "b": "saved"}, outcomes
    with scratch_db.bound():
        assert CommunicationPreference.objects.filter(client_id=world.client_a.id).count() == 1
        events = Event.objects.filter(event_type=EventType.COMMUNICATION_PREFERENCE_SET)
        assert events.count() == 2
        assert verify_chain().ok


def test_two_privacy_officers_deciding_at_once_decide_once(
    scratch_db: ScratchDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    with scratch_db.bound():
        world = build_world()
        other = make_user(world.agency_a, "privacy2@a.test", Role.PRIVACY_OFFICER)
        restriction = services.disclosure_restriction_request(
            actor=actor(world.worker_a),
            client_id=world.client_a.id,
            recipient_kind="person",
            recipient="Neighbour",
            information="Housing",
        )
        officers = {"agree": actor(world.privacy_a), "deny": actor(other)}

    def slow_now() -> object:
        time.sleep(HOLD_SECONDS)  # after the request's row lock is taken
        return clock.now()

    monkeypatch.setattr(restrictions, "clock", types.SimpleNamespace(now=slow_now))

    def decide(agree: bool) -> Callable[[], str]:
        def job() -> str:
            try:
                services.disclosure_restriction_decide(
                    actor=officers["agree" if agree else "deny"],
                    restriction_id=restriction.id,
                    agree=agree,
                )
            except Conflict:
                return "conflict"
            return "decided"

        return job

    outcomes = run_together(scratch_db, {"agree": decide(True), "deny": decide(False)})
    assert sorted(outcomes.values()) == ["conflict", "decided"], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "decided")
    with scratch_db.bound():
        stored = DisclosureRestriction.objects.get(id=restriction.id)
        assert stored.status == ("agreed" if winner == "agree" else "denied")
        decided = Event.objects.filter(event_type=EventType.DISCLOSURE_RESTRICTION_DECIDED)
        assert decided.count() == 1
        assert verify_chain().ok
