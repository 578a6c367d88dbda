"""Invariant 4, attacked: random mutations of a populated, checkpointed ledger, as a database
superuser could make them, and `verify_ledger` must catch every one.

Mutations: flip a bit in any field of any event; delete an event; swap two events; insert a
forged event (badly or correctly hashed); cut off the tail (with or without moving the chain
head back); rewrite the chain consistently from some event on (re-hashing everything after it,
moving the head, deleting the stored checkpoints and tree). The last one leaves a perfect chain
and is caught only through the checkpoints exported outside the database.

Out of reach by design, and so not generated: a correctly hashed event appended after the last
checkpoint with the chain head moved to it. Nothing signed covers it yet; the next checkpoint
signs it as if the ledger had written it (which is why the application's database role may not
touch the chain head's row but through `ledger.record`).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confide.core import clock
from confide.ledger.chain import event_hash, event_payload
from confide.ledger.checkpoints import LedgerKeys, checkpoint_create
from confide.ledger.models import ChainHead, Event
from confide.ledger.testing import append_events, ledger_writable, temporary_keys
from confide.ledger.verify import _payload, verify_ledger

EVENTS = 40
CHECKPOINTS = (15, 31, EVENTS)
TEXT_FIELDS = ["channel", "event_type", "subject_type", "subject_id", "reason", "prev_hash", "hash"]
UUID_FIELDS = ["agency_id", "actor_id", "client_id"]
FIELDS = ["seq", "occurred_at", "policy_ids", "details", *TEXT_FIELDS, *UUID_FIELDS]


@pytest.fixture
def keys(settings: Any, tmp_path: Path) -> LedgerKeys:
    return temporary_keys(settings, tmp_path)


# --- the mutations ----------------------------------------------------------------------------


def _flip_text(text: str, position: int, bit: int) -> str:
    if not text:
        return "x"
    at = position % len(text)
    return text[:at] + chr(ord(text[at]) ^ (1 << (bit % 5))) + text[at + 1 :]


def _flip_value(value: Any, position: int, bit: int) -> Any:
    if isinstance(value, bool) or value is None:
        return not value
    if isinstance(value, int):
        return value ^ (1 << (bit % 8))
    if isinstance(value, str):
        return _flip_text(value, position, bit)
    if isinstance(value, list):
        if not value:
            return ["x"]
        at = position % len(value)
        return [*value[:at], _flip_value(value[at], position, bit), *value[at + 1 :]]
    assert isinstance(value, dict)
    if not value:
        return {"x": 1}
    key = sorted(value)[position % len(value)]
    return {**value, key: _flip_value(value[key], position, bit)}


def flip(draw: st.DataObject) -> str:
    seq = draw.draw(st.integers(1, EVENTS), label="seq")
    name = draw.draw(st.sampled_from(FIELDS), label="field")
    position = draw.draw(st.integers(0, 500), label="position")
    bit = draw.draw(st.integers(0, 127), label="bit")
    event = Event.objects.get(seq=seq)
    value = getattr(event, name)
    if name == "seq":
        changed: Any = seq ^ (1 << (6 + bit % 20))  # past the end: no key collides
    elif name == "occurred_at":
        changed = value + timedelta(microseconds=1 << (bit % 40))
    elif name in UUID_FIELDS:
        changed = uuid.UUID(int=value.int ^ (1 << bit)) if value else uuid.uuid4()
    else:
        changed = _flip_value(value, position, bit)
    assert changed != value
    Event.objects.filter(seq=seq).update(**{name: changed})
    return f"flip {name} of event {seq}"


def delete(draw: st.DataObject) -> str:
    seq = draw.draw(st.integers(1, EVENTS), label="seq")
    Event.objects.filter(seq=seq).delete()
    return f"delete event {seq}"


def swap(draw: st.DataObject) -> str:
    first = draw.draw(st.integers(1, EVENTS - 1), label="first")
    second = draw.draw(st.integers(first + 1, EVENTS), label="second")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_event SET seq = -1 WHERE seq = %s", [first])
        cursor.execute("UPDATE ledger_event SET seq = %s WHERE seq = %s", [first, second])
        cursor.execute("UPDATE ledger_event SET seq = %s WHERE seq = -1", [second])
    return f"swap events {first} and {second}"


def _forge(seq: int, prev_hash: str, *, well_formed: bool) -> None:
    now = clock.now()
    payload = event_payload(
        seq=seq, occurred_at=now, agency_id=None, actor_id=None, channel="web",
        event_type="records:client:viewed", subject_type="client", subject_id="x",
        client_id=None, reason="", policy_ids=[], details={}, prev_hash=prev_hash,
    )  # fmt: skip
    Event.objects.create(
        seq=seq, occurred_at=now, channel="web", event_type=payload["event_type"],
        subject_type="client", subject_id="x", prev_hash=prev_hash,
        hash=event_hash(payload) if well_formed else uuid.uuid4().hex * 2,
    )  # fmt: skip


def insert(draw: st.DataObject) -> str:
    seq = draw.draw(st.integers(1, EVENTS + 1), label="at")
    well_formed = draw.draw(st.booleans(), label="well formed")
    if seq <= EVENTS:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_event SET seq = -(seq + 1) WHERE seq >= %s", [seq])
            cursor.execute("UPDATE ledger_event SET seq = -seq WHERE seq < 0")
    prev = Event.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    _forge(seq, prev, well_formed=well_formed)
    return f"insert a {'well' if well_formed else 'badly'} forged event at {seq}"


def truncate(draw: st.DataObject) -> str:
    keep = draw.draw(st.integers(0, EVENTS - 1), label="keep")
    move_head = draw.draw(st.booleans(), label="move the head back")
    Event.objects.filter(seq__gt=keep).delete()
    if move_head:
        last = Event.objects.filter(seq=keep).first()
        ChainHead.objects.filter(id=1).update(seq=keep, hash=last.hash if last else "0" * 64)
    return f"truncate to {keep} events{' and move the head' if move_head else ''}"


def rewrite(draw: st.DataObject) -> str:
    seq = draw.draw(st.integers(1, EVENTS), label="from")
    reason = draw.draw(st.text(min_size=1, max_size=20).filter(lambda t: "\x00" not in t))
    prev = Event.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for event in Event.objects.filter(seq__gte=seq).order_by("seq"):
        if event.seq == seq:
            event.reason = reason if reason != event.reason else reason + "!"
        event.prev_hash = prev
        event.hash = event_hash(_payload(event))
        event.save()
        prev = event.hash
    ChainHead.objects.filter(id=1).update(hash=prev)
    with connection.cursor() as cursor:  # the superuser also removes what the database signed
        cursor.execute("DELETE FROM ledger_checkpoint")
        cursor.execute("DELETE FROM ledger_merkle_node")
    return f"rewrite the chain consistently from event {seq}"


MUTATIONS = [flip, delete, swap, insert, truncate, rewrite]


# --- the test ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_catches_every_mutation_of_the_ledger(keys: LedgerKeys) -> None:
    done = 0
    for size in CHECKPOINTS:
        append_events(size - done, seed=size)
        checkpoint_create(keys=keys)
        done = size
    assert all(verify_ledger(keys=keys, segment_level=lv).ok for lv in (1, 2, 3, 5, 16))
    caught: dict[str, int] = {}

    @settings(
        max_examples=250,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.data())
    def mutated_ledgers(data: st.DataObject) -> None:
        mutation = data.draw(st.sampled_from(MUTATIONS), label="mutation")
        # Segments of 4 or 32 events exercise how the parallel pass joins its pieces.
        level = data.draw(st.sampled_from([2, 5, 16]), label="segment level")
        with transaction.atomic():
            with ledger_writable():
                description = mutation(data)
                report = verify_ledger(keys=keys, segment_level=level)
            transaction.set_rollback(True)
        assert not report.ok, f"verify missed: {description}"
        caught[mutation.__name__] = caught.get(mutation.__name__, 0) + 1

    mutated_ledgers()
    assert set(caught) == {m.__name__ for m in MUTATIONS}
    assert verify_ledger(keys=keys).ok  # every mutation was rolled back


@pytest.mark.django_db
def test_a_consistent_rewrite_is_caught_only_through_the_export(keys: LedgerKeys) -> None:
    append_events(EVENTS)
    checkpoint_create(keys=keys)
    with transaction.atomic():
        with ledger_writable():
            prev = "0" * 64
            for event in Event.objects.order_by("seq"):
                event.reason, event.prev_hash = "all rewritten", prev
                event.hash = event_hash(_payload(event))
                event.save()
                prev = event.hash
            ChainHead.objects.filter(id=1).update(hash=prev)
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM ledger_checkpoint")
                cursor.execute("DELETE FROM ledger_merkle_node")
            empty = keys.checkpoint_dir.parent / "no-export"
            without_export = verify_ledger(keys=keys, checkpoint_dir=empty)
            with_export = verify_ledger(keys=keys)
        transaction.set_rollback(True)
    assert without_export.ok  # the chain itself is perfect again
    assert not with_export.ok
    assert "rewritten at or before event 40" in with_export.problem
