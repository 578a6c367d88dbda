"""The one writer of ledger events: inside a transaction, ids and codes only, hash-chained."""

from __future__ import annotations

import itertools
import uuid

import pytest
from django.db import connection, transaction

from confide.core.actor import Actor
from confide.core.enums import Role
from confide.ledger import services as ledger
from confide.ledger.chain import GENESIS_HASH
from confide.ledger.enums import EventType
from confide.ledger.models import ChainHead, Event
from confide.ledger.services import LedgerMisuse
from confide.ledger.tests.support import ledger_mark, recomputed_hash, types_since

ACTOR = Actor(
    user_id=uuid.uuid4(),
    agency_id=uuid.uuid4(),
    role=Role.PRACTITIONER,
    channel="api",
)


def test_it_refuses_an_event_written_outside_a_transaction() -> None:
    # No django_db mark: no test transaction is open, as in a service that forgot
    # @transaction.atomic. The check comes before any query (a query would hit the blocker).
    assert not connection.in_atomic_block
    with pytest.raises(LedgerMisuse, match="inside the action's transaction"):
        ledger.record(actor=ACTOR, event_type=EventType.SIGN_OUT)


@pytest.mark.django_db
def test_it_refuses_a_detail_long_enough_to_hold_text() -> None:
    mark = ledger_mark()
    with pytest.raises(LedgerMisuse, match="too long"), transaction.atomic():
        ledger.record(actor=ACTOR, event_type=EventType.NOTE_UPDATED, details={"body": "x" * 201})
    with pytest.raises(LedgerMisuse, match="too long"), transaction.atomic():
        ledger.record(
            actor=ACTOR, event_type=EventType.NOTE_UPDATED, details={"ids": ["ok", "y" * 201]}
        )
    assert types_since(mark) == []


@pytest.mark.django_db
def test_it_takes_agency_user_and_channel_from_the_actor() -> None:
    with transaction.atomic():
        seq = ledger.record(actor=ACTOR, event_type=EventType.SIGN_OUT).seq
    event = Event.objects.get(seq=seq)
    assert event.agency_id == ACTOR.agency_id
    assert event.actor_id == ACTOR.user_id
    assert event.channel == "api"


@pytest.mark.django_db
def test_a_system_event_has_no_actor() -> None:
    agency_id = uuid.uuid4()
    with transaction.atomic():
        seq = ledger.record(
            actor=None, event_type=EventType.SIGN_IN_FAILED, agency_id=agency_id
        ).seq
    event = Event.objects.get(seq=seq)
    assert (event.actor_id, event.agency_id, event.channel) == (None, agency_id, "system")


@pytest.mark.django_db
def test_it_sorts_and_deduplicates_policy_ids_and_caps_the_reason() -> None:
    with transaction.atomic():
        event = ledger.record(
            actor=ACTOR,
            event_type=EventType.CLIENT_VIEWED,
            policy_ids=["b.rule", "a.rule", "b.rule"],
            reason="r" * 600,
        )
    stored = Event.objects.get(seq=event.seq)
    assert stored.policy_ids == ["a.rule", "b.rule"]
    assert len(stored.reason) == 500


@pytest.mark.django_db
def test_events_are_numbered_and_chained_from_genesis() -> None:
    with transaction.atomic():
        for event_type in (EventType.SIGN_IN, EventType.CLIENT_SEARCHED, EventType.SIGN_OUT):
            ledger.record(actor=ACTOR, event_type=event_type, details={"matches": 0})
    events = list(Event.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.hash
    for event in events:
        assert recomputed_hash(event) == event.hash
    head = ChainHead.objects.get(id=1)
    assert (head.seq, head.hash) == (3, events[-1].hash)
