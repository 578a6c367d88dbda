"""The one writer of ledger events.

`record` must run inside the transaction of the action it records, so an action and its event
commit or roll back together. Appends are serialized by the chain head's row lock, held until
that transaction ends. On PostgreSQL the event's JSON is built and cut here and the database
links, hashes, inserts and advances the head (`ledger_link`, migrations 0004 and 0006; decisions
0005 and 0012), either at once (`ledger_append`: the lock is then held across the caller's
later round trips) or, with `CONFIDE_LEDGER_LINK_AT_COMMIT`, when the transaction commits
(`ledger_append_at_commit` queues the event in the transaction, without the lock; a deferred
trigger links it at commit, inside the server). Either way one round trip, its values bound on
the server, its statement prepared on the connection (`_prepared`, decision 0018). SQLite (one
writer at a time anyway) runs the same steps from Python, at once.

The lock is released when the transaction's commit record is written, but a synchronous commit
first waits for the WAL flush, so every writer would wait for every other writer's disk flush in
turn. On PostgreSQL a transaction that appends therefore commits without waiting for the flush
(`synchronous_commit` off for that transaction only), and, right after its commit and before the
caller goes on, a tiny synchronous transaction that writes one WAL record commits, whose flush
covers the earlier commit record too (WAL is flushed in order): sent in the COMMIT's own message
by the project's backend, and `_wait_for_flush` reads what came of it (decision 0018). The caller
still returns only once its action and event are durable; the flush is waited for outside the
lock, where concurrent writers' flushes are grouped. If the database crashes in between, that
transaction and any that saw it are lost together, never a part of the chain. The wait runs
before the transaction's other commit hooks; if it fails, they still run, and then the caller
gets DurabilityUnconfirmed (the project's PostgreSQL backend, `confide.ledger.postgresql`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import psycopg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from psycopg import pq

from confide.core import clock
from confide.core.actor import Actor
from confide.ledger.chain import GENESIS_HASH, event_hash, event_payload, hashed_parts
from confide.ledger.enums import EventType
from confide.ledger.models import ChainHead, Event
from confide.ledger.postgresql.base import AfterCommit
from confide.ledger.postgresql.base import DatabaseWrapper as FlushFirstDatabaseWrapper

DetailValue = str | int | bool | None | list[str]
# The order `record` builds an event's values in; checked against the model at import, so a new
# or moved field fails loudly instead of shifting every value.
_EVENT_FIELDS = (
    "seq", "occurred_at", "agency_id", "actor_id", "channel", "event_type", "subject_type",
    "subject_id", "client_id", "reason", "policy_ids", "details", "prev_hash", "hash",
)  # fmt: skip
if tuple(field.attname for field in Event._meta.concrete_fields) != _EVENT_FIELDS:
    raise RuntimeError("ledger.services builds events in an order the Event model no longer has")
MAX_DETAIL_TEXT = 200


class LedgerMisuse(RuntimeError):
    """A programming error: an event outside a transaction, or details that could hold text."""


def _check_details(details: dict[str, DetailValue]) -> None:
    for key, value in details.items():
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str) and len(text) > MAX_DETAIL_TEXT:
                raise LedgerMisuse(f"ledger detail {key!r} is too long to be an id or a code")


def lock_chain() -> None:
    """Take the chain head's lock until the caller's transaction ends: no event is appended
    meanwhile (what `record` takes for each append)."""
    if not connection.in_atomic_block:
        raise LedgerMisuse("the chain can be locked only inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT ledger_lock_head()")
    else:
        ChainHead.objects.select_for_update().get(id=1)


def record(
    *,
    actor: Actor | None,
    event_type: EventType,
    subject_type: str = "",
    subject_id: UUID | str = "",
    client_id: UUID | None = None,
    reason: str = "",
    policy_ids: Iterable[str] = (),
    details: dict[str, DetailValue] | None = None,
    agency_id: UUID | None = None,
    actor_id: UUID | None = None,
    channel: str | None = None,
) -> Event:
    """Append one event to the chain, in the caller's transaction.

    Linked at once, the returned event carries its number and hashes; linked at commit
    (PostgreSQL with `CONFIDE_LEDGER_LINK_AT_COMMIT`), its `seq` is None and its hashes empty:
    the event is stored, numbered and linked when the transaction commits.
    """
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the `connection` proxy looks it up
    if not db.in_atomic_block:
        raise LedgerMisuse("ledger events must be written inside the action's transaction")
    details = dict(details or {})
    _check_details(details)
    if agency_id is None and actor is not None:
        agency_id = actor.agency_id
    if actor_id is None and actor is not None:
        actor_id = actor.user_id
    occurred_at = clock.now()
    payload = event_payload(
        seq=0,  # set under the lock
        occurred_at=occurred_at,
        agency_id=agency_id,
        actor_id=actor_id,
        channel=channel or (actor.channel if actor else "system"),
        event_type=event_type.value,
        subject_type=subject_type,
        subject_id=str(subject_id),
        client_id=client_id,
        reason=reason[:500],
        policy_ids=sorted(set(policy_ids)),
        details=details,
        prev_hash="",  # set under the lock
    )
    if db.vendor == "postgresql":
        with _server_bound_cursor(db) as cursor, _prepared(db):
            if link_at_commit():
                _queue_in_database(cursor, payload, occurred_at)
            else:
                _append_in_database(cursor, payload, occurred_at)
        _wait_for_flush_after_commit(db)
    else:
        _append_here(payload, occurred_at)
    # As loaded from the database: the values in the model's field order (a test compares every
    # field with the stored row), which spares keyword matching on every action's path.
    values = (
        payload["seq"], occurred_at, agency_id, actor_id, payload["channel"],
        payload["event_type"], subject_type, payload["subject_id"], client_id, payload["reason"],
        payload["policy_ids"], details, payload["prev_hash"], payload["hash"],
    )  # fmt: skip
    return Event.from_db(db.alias, _EVENT_FIELDS, values)


def link_at_commit() -> bool:
    """Whether PostgreSQL links events when their transaction commits (decision 0012)."""
    return bool(getattr(settings, "CONFIDE_LEDGER_LINK_AT_COMMIT", False))


APPEND_SQL = (
    "SELECT out_seq, out_prev, out_hash, set_config('synchronous_commit', 'off', true) "
    "FROM ledger_append("
    "%s, %s::uuid, %s::uuid, %s, %s, %s, %s, %s::uuid, %s, %s::jsonb, %s::jsonb, %s, %s, %s)"
)


@contextmanager
def _prepared(db: BaseDatabaseWrapper) -> Iterator[None]:
    """Within, the driver prepares the statement it runs (at its first run on the connection)
    and then runs it by name: the server parses and plans the append once per connection (and
    again after a rollback, which psycopg follows with DEALLOCATE ALL), not at every action
    (decision 0018). Django turns the driver's preparing off for every other
    statement (`prepare_threshold` None), and it is turned back off on the way out.
    `CONFIDE_LEDGER_PREPARED_APPEND` off (for a proxy that cannot keep prepared statements)
    leaves it off here too, and so does a connection whose queries are logged (debugging, a
    test's query capture): the driver keeps no text for a statement run by name, so the log
    would get none."""
    if db.queries_logged or not getattr(settings, "CONFIDE_LEDGER_PREPARED_APPEND", True):
        yield
        return
    driver = db.connection
    saved = driver.prepare_threshold
    driver.prepare_threshold = 0
    try:
        yield
    finally:
        driver.prepare_threshold = saved


def _server_bound_cursor(db: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor that binds the append's values on the server (the statement text stays fixed),
    wrapped by Django as `connection.cursor()`'s are (query logging, execute wrappers and query
    counts see it too). Run within `_prepared`, its statement is prepared on the connection."""
    db.ensure_connection()
    db.validate_thread_sharing()
    raw = psycopg.Cursor(db.connection)
    if db.queries_logged:
        return db.make_debug_cursor(raw)  # type: ignore[arg-type]  # stubs: a driver cursor
    return db.make_cursor(raw)  # type: ignore[arg-type]


# A synchronous transaction that writes one WAL record (an empty logical message; nothing reads
# it), so its commit waits for the WAL to be flushed up to its commit record, and so past every
# commit logged before it. PostgreSQL flushes at commit only for a transaction that wrote WAL:
# one that merely takes an id (`SELECT pg_current_xact_id()`) commits without waiting. Only a
# session set to `off` is raised to `on`; a stronger setting (`remote_apply`, ...) is kept. The
# application's role needs EXECUTE on pg_logical_emit_message (PostgreSQL grants it to PUBLIC);
# change-data-capture readers of logical decoding see one empty message, prefixed
# `confide-ledger-flush`, per appending action.
FLUSH_SQL = (
    "SELECT set_config('synchronous_commit', CASE current_setting('synchronous_commit') "
    "WHEN 'off' THEN 'on' ELSE current_setting('synchronous_commit') END, true), "
    "pg_logical_emit_message(true, 'confide-ledger-flush', '')"
)


_FLUSH_BYTES = FLUSH_SQL.encode()


class DurabilityUnconfirmed(RuntimeError):
    """The action and its event committed, but the wait for their flush to disk failed (the
    connection broke, or the role may not emit the message): they are most likely durable, and
    the caller is told rather than given a success it cannot vouch for. Not a `DatabaseError`:
    nothing rolled back, so no handler may treat the action as undone."""


def _wait_for_flush() -> None:
    """After an appending transaction commits: return once its commit is on disk (see above).

    The project's backend sends the flush statement with the COMMIT (one round trip, decision
    0018), and this reads what came of it. A commit that did not carry it (none does in
    production) gets it here, straight on the driver's protocol connection, under the driver's
    lock, in autocommit (Django's state after a commit). A test harness that runs commit hooks
    inside its own still-open transaction has nothing committed to wait for.
    Raises DurabilityUnconfirmed, and marks the connection for Django's health check.
    """
    # Registered only by `_wait_for_flush_after_commit`, which checks the backend.
    db = cast(FlushFirstDatabaseWrapper, connections[DEFAULT_DB_ALIAS])
    driver = db.connection
    carried = db.take_after_commit()
    if carried is None:
        if driver.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            if db.in_atomic_block:
                return  # the harness's transaction: nothing has committed yet
            db.errors_occurred = True
            raise DurabilityUnconfirmed("the connection is not idle after the commit")
        with driver.lock:
            carried = AfterCommit(driver.pgconn.exec_(_FLUSH_BYTES))
    if carried.ok:
        return
    db.errors_occurred = True
    result = carried.result
    cause = (
        psycopg.OperationalError("the server gave no answer to the flush after the commit")
        if result is None
        else psycopg.errors.error_from_result(result, encoding=driver.info.encoding)
    )
    raise DurabilityUnconfirmed(
        "the action committed, but its flush to disk could not be confirmed"
    ) from cause


def _append_in_database(cursor: CursorWrapper, payload: dict[str, Any], when: datetime) -> None:
    """One round trip: the database links, hashes, inserts and advances the head."""
    cursor.execute(APPEND_SQL, _arguments(payload, when))
    row = cursor.fetchone()
    assert row is not None
    payload["seq"], payload["prev_hash"], payload["hash"] = int(row[0]), row[1], row[2]


QUEUE_SQL = (
    "SELECT ledger_append_at_commit("
    "%s, %s::uuid, %s::uuid, %s, %s, %s, %s, %s::uuid, %s, %s::jsonb, %s::jsonb, %s, %s, %s), "
    "set_config('synchronous_commit', 'off', true)"
)


def _queue_in_database(cursor: CursorWrapper, payload: dict[str, Any], when: datetime) -> None:
    """One round trip, no lock: the event is queued in the caller's transaction, and linked by
    the database when that transaction commits. Its number and hashes are not known here."""
    cursor.execute(QUEUE_SQL, _arguments(payload, when))
    payload["seq"], payload["prev_hash"], payload["hash"] = None, "", ""


def _arguments(payload: dict[str, Any], when: datetime) -> list[Any]:
    head, middle, tail = hashed_parts(payload)
    return [
        when, payload["agency_id"], payload["actor_id"], payload["channel"],
        payload["event_type"], payload["subject_type"], payload["subject_id"],
        payload["client_id"], payload["reason"], json.dumps(payload["policy_ids"]),
        json.dumps(payload["details"]), head, middle, tail,
    ]  # fmt: skip


def _wait_for_flush_after_commit(db: BaseDatabaseWrapper) -> None:
    """Wait for the flush right after the commit, before the transaction's other commit hooks,
    which still run if it fails (`confide.ledger.postgresql`, decision 0017)."""
    if not isinstance(db, FlushFirstDatabaseWrapper):
        raise ImproperlyConfigured(
            "PostgreSQL needs the ENGINE 'confide.ledger.postgresql' (docs/decisions/0017)"
        )
    db.on_commit_first(_wait_for_flush, after_commit=_FLUSH_BYTES)


def _append_here(payload: dict[str, Any], when: datetime) -> None:
    """The same steps from Python, under the same row lock (SQLite)."""
    head = ChainHead.objects.select_for_update().get(id=1)
    payload["seq"], payload["prev_hash"] = head.seq + 1, head.hash or GENESIS_HASH
    digest = event_hash(payload)
    Event.objects.create(
        seq=payload["seq"],
        occurred_at=when,
        agency_id=payload["agency_id"],
        actor_id=payload["actor_id"],
        channel=payload["channel"],
        event_type=payload["event_type"],
        subject_type=payload["subject_type"],
        subject_id=payload["subject_id"],
        client_id=payload["client_id"],
        reason=payload["reason"],
        policy_ids=payload["policy_ids"],
        details=payload["details"],
        prev_hash=payload["prev_hash"],
        hash=digest,
    )
    ChainHead.objects.filter(id=1).update(seq=payload["seq"], hash=digest)
    payload["hash"] = digest
