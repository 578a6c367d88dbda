"""PostgreSQL's link-at-commit queue stays small and cheap (migration 0007, decision 0012).

`ledger_pending` gets one dead row per event linked at commit: it carries its own autovacuum
parameters, which only its owner may change, and the commit-time trigger fetches each queued row
by its `ctid` even when the planner believes the queue empty.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from confide.core.actor import Actor
from confide.core.enums import Role
from confide.ledger import dbroles
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.testing import as_table_owner
from confide.ledger.tests.support import ledger_mark

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
]

VACUUM_PARAMETERS = {
    "autovacuum_vacuum_threshold": "1000",
    "autovacuum_vacuum_scale_factor": "0",
    "autovacuum_vacuum_cost_delay": "0",
}
ACTOR = Actor(user_id=uuid.uuid4(), agency_id=uuid.uuid4(), role=Role.PRACTITIONER, channel="web")


def _one(sql: str, params: list[Any] | None = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None
    return row[0]


def _options(options: list[str] | None) -> dict[str, str]:
    return dict(option.split("=", 1) for option in options or [])


@pytest.mark.django_db
def test_the_queue_and_its_toast_table_are_vacuumed_after_a_thousand_dead_rows() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reloptions, t.reloptions FROM pg_class c "
            "JOIN pg_class t ON t.oid = c.reltoastrelid "
            "WHERE c.oid = 'ledger_pending'::regclass"
        )
        row = cursor.fetchone()
    assert row is not None
    table, toast = row
    assert _options(table) == VACUUM_PARAMETERS
    assert _options(toast) == VACUUM_PARAMETERS


@pytest.mark.django_db
def test_the_commit_time_trigger_never_plans_a_scan_of_the_queue() -> None:
    config = _one("SELECT proconfig FROM pg_proc WHERE oid = 'ledger_link_pending()'::regprocedure")
    assert "enable_seqscan=off" in config
    assert any(setting.startswith("search_path=") for setting in config)  # still pinned


@pytest.mark.django_db
def test_linking_reads_a_few_queue_pages_however_large_the_queue_grows(settings: Any) -> None:
    """The planner is told the queue is empty (as after a vacuum truncated it), then one
    transaction queues and links event after event: its own removed rows cannot be reclaimed
    before it ends, so the queue grows, as it does while a long transaction holds back vacuum.
    Fetched by `ctid`, each link still reads the same few pages."""
    settings.CONFIDE_LEDGER_LINK_AT_COMMIT = True
    count = 400
    before = ledger_mark()
    with transaction.atomic():
        with as_table_owner(), connection.cursor() as cursor:
            cursor.execute("ANALYZE ledger_pending")
        assert _one("SELECT reltuples FROM pg_class WHERE oid = 'ledger_pending'::regclass") == 0
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ledger_pending_link IMMEDIATE")  # link per statement
        fetched = "SELECT pg_stat_get_xact_blocks_fetched('ledger_pending'::regclass)"
        start = _one(fetched)
        for index in range(count):
            ledger.record(actor=ACTOR, event_type=EventType.SIGN_IN, details={"n": index})
        reads = _one(fetched) - start
        pages = _one(
            "SELECT pg_relation_size('ledger_pending') / current_setting('block_size')::int"
        )
        assert ledger_mark() == before + count  # every event linked, in this transaction
    assert pages >= count // 30  # the queue grew: every removed row still takes its space
    assert reads / count < 8, f"{reads / count:.1f} queue pages read per link ({pages} pages)"


@pytest.mark.skipif(dbroles.owner_settings() is None, reason="needs an owner and an app role")
@pytest.mark.django_db
def test_the_application_role_may_only_read_the_queue() -> None:
    privileges = ["INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]
    check = "SELECT has_table_privilege(current_user, 'ledger_pending', %s)"
    assert _one(check, ["SELECT"]) is True
    assert [_one(check, [privilege]) for privilege in privileges] == [False] * len(privileges)


@pytest.mark.skipif(dbroles.owner_settings() is None, reason="needs an owner and an app role")
@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE ledger_pending RESET (autovacuum_vacuum_threshold)",
        "ALTER TABLE ledger_pending SET (autovacuum_enabled = false)",
        "ALTER FUNCTION ledger_link_pending() RESET enable_seqscan",
    ],
)
@pytest.mark.django_db
def test_the_application_role_may_not_change_the_queues_settings(sql: str) -> None:
    with (
        pytest.raises(DatabaseError, match="must be owner"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
