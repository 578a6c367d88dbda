"""The one writer of ledger events: inside a transaction, ids and codes only, hash-chained."""

from __future__ import annotations

import hashlib
import itertools
import threading
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, transaction
from django.db.backends.postgresql import base as postgresql
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from confide.core.actor import Actor
from confide.core.canonical import canonical_json
from confide.core.enums import Role
from confide.ledger import services as ledger
from confide.ledger.chain import GENESIS_HASH, event_payload, hashed_parts
from confide.ledger.enums import EventType
from confide.ledger.models import ChainHead, Event
from confide.ledger.services import LedgerMisuse
from confide.ledger.testing import as_table_owner
from confide.ledger.tests.support import ledger_mark, other_session, recomputed_hash, types_since

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


JSON_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@given(
    reason=JSON_TEXT,
    subject_id=JSON_TEXT,
    subject_type=JSON_TEXT,
    channel=JSON_TEXT,
    details=st.dictionaries(JSON_TEXT, st.one_of(JSON_TEXT, st.integers()), max_size=3),
    seq=st.integers(min_value=1, max_value=2**62),
)
def test_the_cut_json_joins_back_into_the_hashed_json(
    reason: str, subject_id: str, subject_type: str, channel: str, details: dict[str, object],
    seq: int,
) -> None:  # fmt: skip
    # Keys that look like the chain fields inside details must not confuse the cut.
    details = {**details, "prev_hash": "", "seq": 0}
    prev = hashlib.sha256(reason.encode()).hexdigest()
    fields = {
        "occurred_at": datetime(2026, 2, 3, 4, 5, 6, 7, tzinfo=UTC),
        "agency_id": uuid.UUID(int=1), "actor_id": None, "channel": channel,
        "event_type": "x:y", "subject_type": subject_type, "subject_id": subject_id,
        "client_id": None, "reason": reason, "policy_ids": ["b", "a"], "details": details,
    }  # fmt: skip
    head, middle, tail = hashed_parts(event_payload(seq=0, prev_hash="", **fields))  # type: ignore[arg-type]
    whole = event_payload(seq=seq, prev_hash=prev, **fields)  # type: ignore[arg-type]
    assert (head + prev + middle + str(seq) + tail).encode() == canonical_json(whole)


@pytest.mark.django_db
def test_the_returned_event_is_the_stored_one_and_its_hash_recomputes() -> None:
    with transaction.atomic():
        event = ledger.record(
            actor=ACTOR,
            event_type=EventType.CLIENT_VIEWED,
            subject_type="client",
            subject_id=uuid.uuid4(),
            client_id=uuid.uuid4(),
            reason='said "now" \\ señal \x01',
            policy_ids=["care_team.member"],
            details={"notes": [str(uuid.uuid4())], "n": 3, "flag": True, "none": None},
        )
    stored = Event.objects.get(seq=event.seq)
    fields = [f.attname for f in Event._meta.concrete_fields]
    assert {f: getattr(stored, f) for f in fields} == {f: getattr(event, f) for f in fields}
    assert recomputed_hash(stored) == stored.hash
    assert ChainHead.objects.get(id=1).hash == stored.hash


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        row = cursor.fetchone()
    return str(row[0]) if row else ""


@transaction.atomic
def _record_then_fail() -> None:
    ledger.record(actor=ACTOR, event_type=EventType.SIGN_IN)
    raise RuntimeError("the action failed")


def _flush_callbacks() -> int:
    return sum(entry[1] is ledger._wait_for_flush for entry in connection.run_on_commit)


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_an_appending_transaction_waits_for_its_flush_once_after_commit() -> None:
    with transaction.atomic():
        assert _synchronous_commit() == "on"
        ledger.record(actor=ACTOR, event_type=EventType.SIGN_IN)
        ledger.record(actor=ACTOR, event_type=EventType.SIGN_OUT)
        assert _synchronous_commit() == "off"  # this transaction's commit does not wait...
        assert _flush_callbacks() == 1  # ...but the caller does, once, right after it


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_an_append_rolled_back_with_its_savepoint_leaves_no_flush_setting_behind() -> None:
    with transaction.atomic():
        with pytest.raises(RuntimeError):
            _record_then_fail()
        assert (_synchronous_commit(), _flush_callbacks()) == ("on", 0)
        ledger.record(actor=ACTOR, event_type=EventType.SIGN_OUT)
        assert (_synchronous_commit(), _flush_callbacks()) == ("off", 1)


def _prepared_appends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%FROM ledger_append(%"],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize("prepared", [True, False])
def test_the_append_is_prepared_on_the_connection_and_nothing_else_is(
    settings: Any, prepared: bool
) -> None:
    settings.CONFIDE_LEDGER_PREPARED_APPEND = prepared
    connection.ensure_connection()
    driver = connection.connection
    assert _prepared_appends() == 0  # the previous test's rollback deallocated it
    for _ in range(3):
        with transaction.atomic():
            ledger.record(actor=ACTOR, event_type=EventType.SIGN_IN)
            Event.objects.filter(event_type=EventType.SIGN_IN).count()
    assert _prepared_appends() == (1 if prepared else 0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone() == ((1,) if prepared else (0,))  # Django's own: never
    assert driver.prepare_threshold is None  # preparing is off again for Django's statements


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_logged_append_is_not_prepared_so_the_log_keeps_its_text() -> None:
    assert _prepared_appends() == 0
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        ledger.record(actor=ACTOR, event_type=EventType.SIGN_IN)
    assert any("FROM ledger_append(" in str(q["sql"]) for q in captured.captured_queries)
    assert _prepared_appends() == 0


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_an_append_that_fails_turns_preparing_back_off(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise DatabaseError("refused")

    monkeypatch.setattr(ledger, "_append_in_database", refuse)
    monkeypatch.setattr(ledger, "_queue_in_database", refuse)
    with pytest.raises(DatabaseError, match="refused"), transaction.atomic():
        ledger.record(actor=ACTOR, event_type=EventType.SIGN_IN)
    assert connection.connection.prepare_threshold is None


def test_a_plain_django_postgresql_backend_is_refused_for_the_flush_wait() -> None:
    # Django's own backend would run the wait in registration order, and drop the later commit
    # hooks when it fails (decision 0017): the append refuses it rather than run that way.
    plain = postgresql.DatabaseWrapper({"NAME": "unused", "OPTIONS": {}}, alias="plain")
    plain.in_atomic_block = True
    with pytest.raises(ImproperlyConfigured, match=r"confide\.ledger\.postgresql"):
        ledger._wait_for_flush_after_commit(plain)
    assert plain.run_on_commit == []


def test_the_chain_is_locked_only_inside_a_transaction() -> None:
    assert not connection.in_atomic_block
    with pytest.raises(LedgerMisuse, match="inside a transaction"):
        ledger.lock_chain()


@pytest.mark.django_db
def test_an_empty_head_hash_links_the_next_event_to_genesis() -> None:
    with transaction.atomic(), as_table_owner():
        ChainHead.objects.filter(id=1).update(hash="")
    with transaction.atomic():
        event = ledger.record(actor=ACTOR, event_type=EventType.SIGN_IN)
    assert event.prev_hash == GENESIS_HASH
    assert recomputed_hash(Event.objects.get(seq=event.seq)) == event.hash


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_wait_after_an_append_puts_every_earlier_commit_on_disk() -> None:
    """No mock: one session commits without waiting for the disk, as an append does; after the
    statement `_wait_for_flush` runs (`FLUSH_SQL`, in a session in autocommit, as after a commit),
    the WAL is flushed at least up to where it was written. A transaction that only takes an id
    would not wait: its commit writes no WAL before its own commit record."""
    for _ in range(5):  # the WAL writer flushing in between could hide a missing wait once
        with other_session() as other, other_session() as waiter:
            other.execute("SET synchronous_commit = off")
            other.execute("CREATE TEMPORARY TABLE committed_not_flushed (n int)")
            written = other.execute("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")
            waiter.execute(ledger.FLUSH_SQL, prepare=True)
            flushed = other.execute("SELECT pg_current_wal_flush_lsn() - '0/0'::pg_lsn")
            assert int(_first(flushed)) >= int(_first(written))


def _first(cursor: psycopg.Cursor[Any]) -> Any:
    row = cursor.fetchone()
    assert row is not None
    return row[0]


class _FailedResult:
    status = psycopg.pq.ExecStatus.FATAL_ERROR

    def error_field(self, code: int) -> bytes | None:
        return b"08006" if code == psycopg.pq.DiagnosticField.SQLSTATE else None

    error_message = b"server closed the connection unexpectedly"

    def get_error_message(self, encoding: str = "utf-8") -> str:
        return self.error_message.decode(encoding)


class _Protocol:
    def __init__(self, status: psycopg.pq.TransactionStatus) -> None:
        self.transaction_status = status
        self.sent: list[bytes] = []

    def exec_(self, command: bytes) -> _FailedResult:
        self.sent.append(command)
        return _FailedResult()


class _Driver:
    def __init__(self, status: psycopg.pq.TransactionStatus) -> None:
        self.pgconn = _Protocol(status)
        self.lock = threading.Lock()
        self.info = SimpleNamespace(encoding="utf-8")


class _Database:
    def __init__(self, status: psycopg.pq.TransactionStatus, in_atomic_block: bool) -> None:
        self.connection = _Driver(status)
        self.in_atomic_block = in_atomic_block
        self.errors_occurred = False

    def take_after_commit(self) -> None:
        return None  # a commit that carried no flush statement


def _with(monkeypatch: pytest.MonkeyPatch, database: _Database) -> None:
    monkeypatch.setattr(ledger, "connections", {DEFAULT_DB_ALIAS: database})


def test_a_flush_wait_that_fails_says_the_action_committed_unconfirmed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = _Database(psycopg.pq.TransactionStatus.IDLE, in_atomic_block=False)
    _with(monkeypatch, database)
    with pytest.raises(ledger.DurabilityUnconfirmed, match="committed") as raised:
        ledger._wait_for_flush()
    assert database.connection.pgconn.sent == [ledger.FLUSH_SQL.encode()]
    assert database.errors_occurred  # Django checks the connection before reusing it
    assert not isinstance(raised.value, DatabaseError)  # nothing rolled back: not a DB error
    assert isinstance(raised.value.__cause__, psycopg.OperationalError)


def test_inside_a_harness_transaction_there_is_nothing_to_flush_yet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = _Database(psycopg.pq.TransactionStatus.INTRANS, in_atomic_block=True)
    _with(monkeypatch, database)
    ledger._wait_for_flush()
    assert database.connection.pgconn.sent == []


def test_a_connection_left_in_a_transaction_after_a_commit_is_not_taken_as_flushed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = _Database(psycopg.pq.TransactionStatus.INTRANS, in_atomic_block=False)
    _with(monkeypatch, database)
    with pytest.raises(ledger.DurabilityUnconfirmed, match="not idle"):
        ledger._wait_for_flush()
    assert database.connection.pgconn.sent == []
