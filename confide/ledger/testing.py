"""Test helpers for the ledger's checkpoints, proofs and tamper tests (imported by tests only)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from confide.ledger.checkpoints import LedgerKeys
from confide.ledger.enums import EventType
from confide.ledger.services import DetailValue, record

TEST_ORIGIN = "ledger.confide.test/log"
LEDGER_TABLES = ("ledger_event", "ledger_checkpoint", "ledger_merkle_node")
AGENCIES = [uuid.UUID(int=0xA1), uuid.UUID(int=0xB2)]
REASONS = [
    "",
    "",
    "court order 24-17",
    'said "urgent"',
    "backslash \\ and tab\t and\nnewline",
    "señal ✓ 𝄞 \u2028",
    "control \x01\x1f\x7f",
]


def temporary_keys(settings: Any, directory: Path) -> LedgerKeys:
    """Point the signing key and the checkpoint sink at a test's own directory."""
    settings.CONFIDE_LEDGER_ORIGIN = TEST_ORIGIN
    settings.CONFIDE_LEDGER_SIGNING_KEY_PATH = directory / "ledger-signing.key"
    settings.CONFIDE_CHECKPOINT_DIR = directory / "checkpoints"
    return LedgerKeys.from_settings()


def append_events(count: int, seed: int = 0) -> None:
    """`count` events through `ledger.record`, with varied fields (text that needs escaping,
    non-ASCII, empty and missing values), each in its own transaction."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    kinds = list(EventType)
    for _ in range(count):
        with transaction.atomic():
            notes = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(rng.randint(0, 2))]
            details: list[dict[str, DetailValue]] = [{}, {"notes": notes}, {"n": rng.randint(0, 9)}]
            record(
                actor=None,
                event_type=rng.choice(kinds),
                subject_type=rng.choice(["", "client", "note"]),
                subject_id=str(uuid.UUID(int=rng.getrandbits(128))),
                client_id=rng.choice([None, uuid.UUID(int=rng.getrandbits(128))]),
                reason=rng.choice(REASONS),
                policy_ids=rng.choice([[], ["care_team.member"], ["a.rule", "b.rule"]]),
                details=rng.choice(details),
                agency_id=rng.choice(AGENCIES),
                actor_id=rng.choice([None, uuid.UUID(int=rng.getrandbits(128))]),
                channel=rng.choice(["web", "api", "cli"]),
            )


@contextmanager
def as_table_owner() -> Iterator[None]:
    """Act, inside the test's transaction, as the role the session logged in as.

    On PostgreSQL with two roles the tests log in as the tables' owner and assume the
    application's role (root conftest.py); this steps back to the owner, as an attacker with DDL
    rights would be, until the block ends (and at the latest when the transaction does: SET
    LOCAL). With one role, and on SQLite, it changes nothing.
    """
    assert connection.in_atomic_block, "only inside a transaction that will roll back"
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        row = cursor.fetchone()
        cursor.execute("SET LOCAL ROLE NONE")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('role', %s, true)", [row[0] if row else "none"])


@contextmanager
def ledger_writable() -> Iterator[None]:
    """Let a test rewrite the ledger's tables as a database superuser could, inside the test's
    transaction only (SQLite's DROP/CREATE TRIGGER and PostgreSQL's DISABLE TRIGGER are both
    transactional, so a rollback restores the triggers)."""
    assert connection.in_atomic_block, "tamper only inside a transaction that will roll back"
    with as_table_owner(), _triggers_dropped():
        yield


@contextmanager
def _triggers_dropped() -> Iterator[None]:
    triggers: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(LEDGER_TABLES))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "  # noqa: S608 - placeholders only
                f"WHERE type = 'trigger' AND tbl_name IN ({marks})",
                list(LEDGER_TABLES),
            )
            triggers = list(cursor.fetchall())
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        else:
            for table in LEDGER_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for _, sql in triggers:
                    cursor.execute(sql)
            else:
                for table in LEDGER_TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
