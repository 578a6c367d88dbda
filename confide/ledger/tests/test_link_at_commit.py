"""PostgreSQL's link at commit (decision 0012): an event recorded in a transaction is queued
without the chain's lock and linked when that transaction commits, or dropped with it.

These tests commit for real, which is where the linking happens: in a database of their own,
migrated for this module and dropped after it (a test database's flush would TRUNCATE the
append-only ledger, which its triggers refuse; see tests/conftest.py). So they compare the
ledger before and after, never assume it empty.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from psycopg.conninfo import make_conninfo
from pytest_django import DjangoDbBlocker

from confide.core.actor import Actor
from confide.core.enums import Role
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.models import ChainHead, Event
from confide.ledger.testing import as_table_owner
from confide.ledger.tests.support import recomputed_hash
from confide.ledger.verify import verify_chain

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'")

ACTOR = Actor(user_id=uuid.uuid4(), agency_id=uuid.uuid4(), role=Role.PRACTITIONER, channel="web")


def _admin(settings_dict: dict[str, Any], statement: str) -> None:
    conninfo = make_conninfo(
        dbname="postgres",
        host=settings_dict["HOST"] or "127.0.0.1",
        port=str(settings_dict["PORT"] or 5432),
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
    )
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(statement.encode())


@pytest.fixture(scope="module")
def committed_db(django_db_blocker: DjangoDbBlocker) -> Iterator[dict[str, Any]]:
    """The settings of a freshly migrated database that the tests may commit to."""
    with django_db_blocker.unblock():
        template = connections[DEFAULT_DB_ALIAS]
        if template.vendor != "postgresql":
            pytest.skip("linking at commit is PostgreSQL's")
        settings_dict = {**template.settings_dict, "NAME": f"confide_ledg_{secrets.token_hex(5)}"}
        _admin(settings_dict, f'CREATE DATABASE "{settings_dict["NAME"]}"')
        try:
            with _bound(settings_dict):
                call_command("migrate", verbosity=0, interactive=False)
            yield settings_dict
        finally:
            _admin(settings_dict, f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)')


@contextmanager
def _bound(settings_dict: dict[str, Any]) -> Iterator[None]:
    """`default` in this thread is a connection to that database."""
    previous = connections[DEFAULT_DB_ALIAS]
    wrapper = type(previous)(dict(settings_dict), alias=DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = wrapper
    try:
        yield
    finally:
        wrapper.close()
        connections[DEFAULT_DB_ALIAS] = previous


@pytest.fixture(autouse=True)
def _at_commit(
    committed_db: dict[str, Any], settings: Any, django_db_blocker: DjangoDbBlocker
) -> Iterator[None]:
    settings.CONFIDE_LEDGER_LINK_AT_COMMIT = True
    with django_db_blocker.unblock(), _bound(committed_db):
        yield


def _queued() -> int:
    """Events still queued, as the owner sees them (the application's role sees only those of
    its own transaction)."""
    with transaction.atomic(), as_table_owner(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_pending")
        row = cursor.fetchone()
    return int(row[0]) if row else -1


def _head() -> tuple[int, str]:
    head = ChainHead.objects.get(id=1)
    return head.seq, head.hash


def _since(seq: int) -> list[Event]:
    return list(Event.objects.filter(seq__gt=seq).order_by("seq"))


def _queued_here() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_pending")  # as the application's role
        row = cursor.fetchone()
    return int(row[0]) if row else -1


def test_an_event_is_linked_when_its_transaction_commits() -> None:
    before, _ = _head()
    with transaction.atomic():
        returned = ledger.record(actor=ACTOR, event_type=EventType.SIGN_IN, reason='a "b"')
        assert returned.seq is None  # not linked yet: no number, no hash
        assert returned.hash == ""
        assert _since(before) == []
        assert _queued_here() == 1
    [stored] = _since(before)
    assert stored.reason == 'a "b"'
    assert stored.actor_id == ACTOR.user_id
    assert recomputed_hash(stored) == stored.hash
    assert _head() == (before + 1, stored.hash)
    assert _queued() == 0
    assert verify_chain(workers=1).ok


def test_events_of_one_transaction_are_linked_in_the_order_recorded() -> None:
    before, last_hash = _head()
    with transaction.atomic():
        for index in range(5):
            ledger.record(actor=ACTOR, event_type=EventType.SIGN_IN, details={"n": index})
    events = _since(before)
    assert [event.details["n"] for event in events] == [0, 1, 2, 3, 4]
    assert events[0].prev_hash == last_hash
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert verify_chain(workers=1).ok


def _record_then_fail(event_type: EventType) -> None:
    with transaction.atomic():
        ledger.record(actor=ACTOR, event_type=event_type)
        raise RuntimeError("the action failed")


def test_a_rolled_back_action_leaves_neither_its_event_nor_a_link() -> None:
    head = _head()
    with pytest.raises(RuntimeError):
        _record_then_fail(EventType.SIGN_OUT)
    assert _head() == head
    assert _since(head[0]) == []
    assert _queued() == 0
    with transaction.atomic():
        ledger.record(actor=ACTOR, event_type=EventType.SIGN_IN)
    assert [event.prev_hash for event in _since(head[0])] == [head[1]]
    assert verify_chain(workers=1).ok


def test_an_event_rolled_back_with_its_savepoint_is_not_linked() -> None:
    before, _ = _head()
    with transaction.atomic():
        ledger.record(actor=ACTOR, event_type=EventType.SIGN_IN)
        with pytest.raises(RuntimeError):
            _record_then_fail(EventType.SIGN_OUT)
    assert [event.event_type for event in _since(before)] == [EventType.SIGN_IN.value]
    assert verify_chain(workers=1).ok


def test_concurrent_writers_make_one_unbroken_chain(committed_db: dict[str, Any]) -> None:
    before, _ = _head()
    errors: list[BaseException] = []

    def write(count: int) -> None:
        with _bound(committed_db):
            try:
                for _ in range(count):
                    with transaction.atomic():
                        ledger.record(actor=ACTOR, event_type=EventType.SIGN_IN)
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)

    threads = [threading.Thread(target=write, args=(25,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert _head()[0] == before + 100
    report = verify_chain(workers=1)
    assert report.ok
    assert report.checked == before + 100


def test_an_event_queued_before_one_linked_at_once_is_linked_after_it(settings: Any) -> None:
    before, _ = _head()
    with transaction.atomic():
        ledger.record(actor=ACTOR, event_type=EventType.SIGN_IN)  # queued
        settings.CONFIDE_LEDGER_LINK_AT_COMMIT = False
        now = ledger.record(actor=ACTOR, event_type=EventType.SIGN_OUT)  # linked at once
        assert now.seq == before + 1
    assert [event.event_type for event in _since(before)] == [
        EventType.SIGN_OUT.value,
        EventType.SIGN_IN.value,
    ]
    assert verify_chain(workers=1).ok


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM ledger_pending",
        "UPDATE ledger_pending SET reason = 'x'",
        "TRUNCATE ledger_pending",
        "INSERT INTO ledger_pending SELECT * FROM ledger_pending",
        "SELECT ledger_link(now(), NULL, NULL, 'web', 'x', '', '', NULL, '', '[]', '{}', "
        "'', '', '')",
    ],
)
def test_the_application_role_may_not_touch_the_queue_or_link_directly(sql: str) -> None:
    head = _head()
    with (
        pytest.raises(DatabaseError, match="permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert _head() == head
