"""A checkpoint covers only events already on disk (decision 0012).

Appends commit without waiting for the disk and wait for the flush afterwards (decision 0005,
1b), so `checkpoint_create` reads the tree size, makes every event up to it durable
(`checkpoints._make_durable`), and only then verifies, signs and exports: never more than it
read before that flush.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from confide.ledger import checkpoints
from confide.ledger.checkpoints import LedgerKeys, checkpoint_create
from confide.ledger.proofs import open_checkpoint
from confide.ledger.testing import append_events, temporary_keys
from confide.ledger.tests.support import ledger_mark, other_session


@pytest.fixture
def keys(settings: Any, tmp_path: Path) -> LedgerKeys:
    return temporary_keys(settings, tmp_path)


@pytest.mark.django_db
def test_a_checkpoint_covers_only_the_events_read_before_the_flush(
    keys: LedgerKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_events(5)
    flushes: list[tuple[int, list[Path]]] = []
    make_durable = checkpoints._make_durable

    def flush_then_append() -> None:
        flushes.append((ledger_mark(), list(keys.checkpoint_dir.glob("*"))))
        make_durable()
        append_events(3, seed=1)  # committed after the flush: not known to be on disk

    monkeypatch.setattr(checkpoints, "_make_durable", flush_then_append)
    result = checkpoint_create(keys=keys)
    assert flushes == [(5, [])]  # once, after reading the size, before anything was exported
    assert ledger_mark() == 8
    assert result.created is not None
    assert result.tree_size == 5
    assert open_checkpoint(result.created.note, keys.verifier()).size == 5
    assert result.path is not None
    assert result.path.read_text() == result.created.note


@pytest.mark.django_db
def test_no_flush_when_no_event_is_new(keys: LedgerKeys, monkeypatch: pytest.MonkeyPatch) -> None:
    append_events(2)
    checkpoint_create(keys=keys)
    calls: list[None] = []
    monkeypatch.setattr(checkpoints, "_make_durable", lambda: calls.append(None))
    assert checkpoint_create(keys=keys).created is None
    assert calls == []


def _lsn(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({sql} - '0/0'::pg_lsn)::bigint")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db
def test_the_flush_puts_on_disk_every_commit_made_before_it() -> None:
    """No mock: another session commits without waiting for the disk, as appends do; after
    `_make_durable` the WAL is flushed at least up to where it was written before the call."""
    with other_session() as other:
        other.execute("SET synchronous_commit = off")
        other.execute("CREATE TEMPORARY TABLE committed_not_flushed (n int)")
        written = _lsn("pg_current_wal_insert_lsn()")
        checkpoints._make_durable()
        assert _lsn("pg_current_wal_flush_lsn()") >= written


@pytest.mark.skipif("connection.vendor == 'postgresql'")
@pytest.mark.django_db
def test_sqlite_needs_no_flush(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoints, "connections", None)  # opening a connection would fail
    checkpoints._make_durable()
