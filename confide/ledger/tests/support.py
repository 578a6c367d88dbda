"""Helpers for tests that read or tamper with the ledger (imported by other apps' tests too)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import connection
from psycopg.conninfo import make_conninfo

from confide.ledger.chain import event_hash, event_payload
from confide.ledger.models import ChainHead, Event
from confide.ledger.testing import as_table_owner


def ledger_mark() -> int:
    """The sequence number of the newest event (0 for an empty ledger)."""
    return ChainHead.objects.get(id=1).seq


def events_since(mark: int) -> list[Event]:
    return list(Event.objects.filter(seq__gt=mark).order_by("seq"))


def types_since(mark: int) -> list[str]:
    return [event.event_type for event in events_since(mark)]


def event_text(event: Event) -> str:
    """Every stored field of an event as one searchable string."""
    fields = {field.attname: getattr(event, field.attname) for field in Event._meta.concrete_fields}
    return json.dumps(fields, default=str, ensure_ascii=False)


def recomputed_hash(event: Event) -> str:
    """The hash `ledger.record` would give this event's current fields (as a forger would)."""
    payload: dict[str, Any] = event_payload(
        seq=event.seq,
        occurred_at=event.occurred_at,
        agency_id=event.agency_id,
        actor_id=event.actor_id,
        channel=event.channel,
        event_type=event.event_type,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        client_id=event.client_id,
        reason=event.reason,
        policy_ids=list(event.policy_ids),
        details=dict(event.details),
        prev_hash=event.prev_hash,
    )
    return event_hash(payload)


def ledger_text() -> str:
    return "\n".join(event_text(event) for event in Event.objects.order_by("seq"))


@contextmanager
def ledger_triggers_suspended() -> Iterator[None]:
    """Let a test tamper with ledger rows, as an attacker with DDL rights could.

    Only inside the test's transaction, so the triggers come back when it rolls back even if
    the `finally` below never ran: SQLite's DROP/CREATE TRIGGER and PostgreSQL's
    ALTER TABLE ... DISABLE TRIGGER are both transactional.
    """
    assert connection.in_atomic_block, "tamper only inside a transaction that will roll back"
    with as_table_owner(), _event_triggers_dropped():
        yield


@contextmanager
def _event_triggers_dropped() -> Iterator[None]:
    triggers: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'ledger_event'"
            )
            triggers = list(cursor.fetchall())
            assert triggers, "the ledger should have append-only triggers"
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        else:
            cursor.execute("ALTER TABLE ledger_event DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for _, sql in triggers:
                    cursor.execute(sql)
            else:
                cursor.execute("ALTER TABLE ledger_event ENABLE TRIGGER USER")


def other_session() -> psycopg.Connection[tuple[Any, ...]]:
    """A second PostgreSQL session to the test database, in autocommit (close it after use)."""
    params = connection.settings_dict
    conninfo = make_conninfo(
        dbname=params["NAME"],
        host=params["HOST"] or "127.0.0.1",
        port=str(params["PORT"] or 5432),
        user=params["USER"],
        password=params["PASSWORD"] or None,
    )
    return psycopg.connect(conninfo, autocommit=True)
