"""An append returns only once its commit is on disk: the real path, committed for real (a
scratch database), with no mock: `record`, the commit, the on-commit flush wait on the driver's
connection (decisions 0005 and 0012, item 7)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from psycopg import pq
from scratchdb import ScratchDatabase

from confide.ledger import services as ledger
from confide.ledger.enums import EventType


def _lsn(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({name}() - '0/0'::pg_lsn)::bigint")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("at_commit", [True, False])
def test_an_append_returns_only_after_its_commit_is_flushed(
    scratch_db: ScratchDatabase, settings: Any, at_commit: bool
) -> None:
    if scratch_db.vendor != "postgresql":
        pytest.skip("SQLite commits synchronously")
    settings.CONFIDE_LEDGER_LINK_AT_COMMIT = at_commit
    with scratch_db.bound():
        written: list[int] = []
        for attempt in range(5):  # the WAL writer flushing in between could hide a missing wait
            with transaction.atomic():
                # Registered first, so it runs after the commit and before the flush wait.
                transaction.on_commit(lambda: written.append(_lsn("pg_current_wal_insert_lsn")))
                ledger.record(actor=None, event_type=EventType.SIGN_IN)
            assert _lsn("pg_current_wal_flush_lsn") >= written[attempt]
            assert connection.connection.pgconn.transaction_status == pq.TransactionStatus.IDLE
