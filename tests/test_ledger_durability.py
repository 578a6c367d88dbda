"""An append returns only once its commit is on disk: the real path, committed for real (a
scratch database), with no mock: `record`, the commit, the on-commit flush wait on the driver's
connection (decisions 0005 and 0012, item 7). The wait runs before the transaction's other
commit hooks, and when it fails they still run before the caller is told (decision 0017)."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from typing import Any

import psycopg
import pytest
from django.core import mail
from django.db import IntegrityError, InternalError, connection, transaction
from psycopg import pq
from scratchdb import ScratchDatabase

from confide.access.models import AccessGrant
from confide.access.services import break_glass_open
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.ledger.postgresql.base import AfterCommit
from confide.ledger.postgresql.base import DatabaseWrapper as FlushFirstDatabaseWrapper
from confide.messaging.models import Notification
from confide.testing import actor, build_world

# A statement the server refuses (no such function), sent where the flush wait's statement
# goes: the wait fails after a real commit, as when the role may not emit the message.
REFUSED_FLUSH = b"SELECT confide_no_such_flush()"


def _lsn(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({name}() - '0/0'::pg_lsn)::bigint")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


@transaction.atomic
def _sign_in(flushed_for_hook: list[int]) -> int:
    """An appending action with a commit hook registered before its append; returns where the
    WAL it wrote before its commit ends (a lower bound of its commit record: other sessions' WAL
    makes the insert position after the commit no bound)."""
    transaction.on_commit(lambda: flushed_for_hook.append(_lsn("pg_current_wal_flush_lsn")))
    ledger.record(actor=None, event_type=EventType.SIGN_IN)
    return _lsn("pg_current_wal_insert_lsn")


@pytest.mark.parametrize("at_commit", [True, False])
def test_an_append_returns_only_after_its_commit_is_flushed(
    scratch_db: ScratchDatabase, settings: Any, at_commit: bool
) -> None:
    """What the transaction wrote is on disk before its other commit hooks run, even one
    registered before the append, and so before the caller goes on."""
    if scratch_db.vendor != "postgresql":
        pytest.skip("SQLite commits synchronously")
    settings.CONFIDE_LEDGER_LINK_AT_COMMIT = at_commit
    with scratch_db.bound():
        for _ in range(5):  # the WAL writer flushing in between could hide a missing wait
            flushed_for_hook: list[int] = []
            written = _sign_in(flushed_for_hook)
            assert flushed_for_hook[0] >= written
            assert _lsn("pg_current_wal_flush_lsn") >= written
            assert connection.connection.pgconn.transaction_status == pq.TransactionStatus.IDLE


@transaction.atomic
def _sign_in_between_hooks(ran: list[str]) -> None:
    # Registered first, yet it runs after the failed wait, which marked the connection.
    transaction.on_commit(lambda: ran.append(f"before, wait failed: {connection.errors_occurred}"))
    ledger.record(actor=None, event_type=EventType.SIGN_IN)
    transaction.on_commit(lambda: ran.append("after"))
    with transaction.atomic():  # a savepoint, released
        transaction.on_commit(lambda: ran.append("robust"), robust=True)


@pytest.mark.parametrize("at_commit", [True, False])
def test_a_failed_flush_wait_lets_every_other_hook_run_then_reaches_the_caller(
    scratch_db: ScratchDatabase, settings: Any, monkeypatch: pytest.MonkeyPatch, at_commit: bool
) -> None:
    if scratch_db.vendor != "postgresql":
        pytest.skip("SQLite commits synchronously: no flush wait")
    settings.CONFIDE_LEDGER_LINK_AT_COMMIT = at_commit
    monkeypatch.setattr(ledger, "_FLUSH_BYTES", REFUSED_FLUSH)
    ran: list[str] = []
    with scratch_db.bound():
        with pytest.raises(ledger.DurabilityUnconfirmed, match="committed") as raised:
            _sign_in_between_hooks(ran)
        assert ran == ["before, wait failed: True", "after", "robust"]
        assert isinstance(raised.value.__cause__, psycopg.errors.UndefinedFunction)
        assert connection.errors_occurred  # Django checks the connection before reusing it
        # The action committed all the same.
        assert Event.objects.filter(event_type=EventType.SIGN_IN).count() == 1


def test_a_grants_notifications_go_out_when_its_flush_cannot_be_confirmed(
    scratch_db: ScratchDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Break the glass: the grant committed, so its supervisor and privacy officers must be
    emailed, even though the caller is then told the flush was not confirmed."""
    if scratch_db.vendor != "postgresql":
        pytest.skip("SQLite commits synchronously: no flush wait")
    with scratch_db.bound():
        world = build_world()
        mail.outbox.clear()
        monkeypatch.setattr(ledger, "_FLUSH_BYTES", REFUSED_FLUSH)
        with pytest.raises(ledger.DurabilityUnconfirmed):
            break_glass_open(
                actor=actor(world.other_worker_a),
                client_id=world.client_a.id,
                reason_category="imminent_harm",
                reason_text="A call about immediate danger; the assigned worker is away.",
                reauthenticated=True,
            )
        monkeypatch.undo()
        assert AccessGrant.objects.filter(user=world.other_worker_a).count() == 1
        assert world.privacy_a.email in [message.to[0] for message in mail.outbox]


# ---- the flush statement carried by the COMMIT (decision 0018) ------------------------------


def _carried(monkeypatch: pytest.MonkeyPatch) -> list[AfterCommit | None]:
    """What each commit's carried statement came to, as the flush wait reads it."""
    seen: list[AfterCommit | None] = []
    take = FlushFirstDatabaseWrapper.take_after_commit

    def spy(self: FlushFirstDatabaseWrapper) -> AfterCommit | None:
        outcome = take(self)
        seen.append(outcome)
        return outcome

    monkeypatch.setattr(FlushFirstDatabaseWrapper, "take_after_commit", spy)
    return seen


def test_the_flush_rides_with_the_commit_and_other_threads_run_meanwhile(
    scratch_db: ScratchDatabase, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The COMMIT's message carries the flush, and the wait for its answer lets the process's
    other threads run: a wait holding Python's lock would stop them all, and hang the process
    when the commit waits for a row lock one of them holds."""
    if scratch_db.vendor != "postgresql":
        pytest.skip("SQLite commits synchronously: no flush wait")
    settings.CONFIDE_LEDGER_LINK_AT_COMMIT = True
    slow = ledger.FLUSH_SQL.replace("SELECT ", "SELECT pg_sleep(0.5), ", 1).encode()
    monkeypatch.setattr(ledger, "_FLUSH_BYTES", slow)
    seen = _carried(monkeypatch)
    ticks: list[float] = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)

    with scratch_db.bound():
        ticker = threading.Thread(target=tick)
        ticker.start()
        try:
            started = time.monotonic()
            with transaction.atomic():
                ledger.record(actor=None, event_type=EventType.SIGN_IN)
            ended = time.monotonic()
        finally:
            stop.set()
            ticker.join()
        assert len(seen) == 1
        assert seen[0] is not None
        assert seen[0].ok  # the flush came back with the commit, not in a round trip of its own
        assert ended - started >= 0.5
        assert len([t for t in ticks if started + 0.1 < t < ended - 0.1]) >= 10
        assert Event.objects.filter(event_type=EventType.SIGN_IN).count() == 1


def test_a_connection_lost_after_the_commit_runs_every_hook_then_says_unconfirmed(
    scratch_db: ScratchDatabase, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flush's answer never comes (the connection ends right after the COMMIT's): the
    action committed, so every commit hook still runs, and the caller is told."""
    if scratch_db.vendor != "postgresql":
        pytest.skip("SQLite commits synchronously: no flush wait")
    settings.CONFIDE_LEDGER_LINK_AT_COMMIT = True
    monkeypatch.setattr(ledger, "_FLUSH_BYTES", b"SELECT pg_terminate_backend(pg_backend_pid())")
    ran: list[str] = []
    with scratch_db.bound():
        with pytest.raises(ledger.DurabilityUnconfirmed, match="committed"):
            _sign_in_between_hooks(ran)
        assert ran == ["before, wait failed: True", "after", "robust"]
        connection.close()  # what the health check does before the next request
        assert Event.objects.filter(event_type=EventType.SIGN_IN).count() == 1


@transaction.atomic
def _sign_in_with_a_dangling_reference(ran: list[str]) -> None:
    transaction.on_commit(lambda: ran.append("hook"))
    ledger.record(actor=None, event_type=EventType.SIGN_IN)
    # Django's foreign keys are checked at COMMIT: this one fails there.
    Notification.objects.create(
        agency_id=uuid.uuid4(), recipient_id=uuid.uuid4(), kind="k", message="m"
    )


def test_a_commit_that_fails_skips_the_flush_and_every_hook(
    scratch_db: ScratchDatabase, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if scratch_db.vendor != "postgresql":
        pytest.skip("SQLite commits synchronously: no flush wait")
    settings.CONFIDE_LEDGER_LINK_AT_COMMIT = True
    marker = b"SELECT set_config('confide.carried_ran', 'yes', false)"
    monkeypatch.setattr(ledger, "_FLUSH_BYTES", marker)
    ran: list[str] = []
    with scratch_db.bound():
        with pytest.raises(IntegrityError):
            _sign_in_with_a_dangling_reference(ran)
        assert ran == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('confide.carried_ran', true)")
            assert cursor.fetchone() in {(None,), ("",)}  # the server skipped it
        assert not Event.objects.filter(event_type=EventType.SIGN_IN).exists()


@transaction.atomic
def _sign_in_then_fail_below_django(ran: list[str]) -> None:
    transaction.on_commit(lambda: ran.append("hook"))
    ledger.record(actor=None, event_type=EventType.SIGN_IN)
    connection.ensure_connection()
    with contextlib.suppress(psycopg.errors.DivisionByZero):
        connection.connection.execute("SELECT 1 / 0")  # on the driver: Django never knows


def test_a_transaction_already_failed_is_not_taken_as_committed(
    scratch_db: ScratchDatabase, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction that failed underneath Django answers COMMIT with ROLLBACK: an error, and
    no hook runs, where Django's own commit would have run them."""
    if scratch_db.vendor != "postgresql":
        pytest.skip("SQLite commits synchronously: no flush wait")
    settings.CONFIDE_LEDGER_LINK_AT_COMMIT = True
    ran: list[str] = []
    with scratch_db.bound():
        with pytest.raises(InternalError):
            _sign_in_then_fail_below_django(ran)
        assert ran == []
        assert not Event.objects.filter(event_type=EventType.SIGN_IN).exists()
