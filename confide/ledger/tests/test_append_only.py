"""Invariant 4: the database itself refuses to change or remove a ledger event.

Twice over on PostgreSQL with two roles: the application's role lacks the privileges (a
permission error), and the triggers stop a role that has them (the owner; a superuser alike).
The trigger tests act as the owner (`as_table_owner`); with one role that is the same role.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from confide.ledger.models import Event
from confide.ledger.testing import as_table_owner
from confide.ledger.tests.support import ledger_text
from confide.testing import World

REJECTED_SQL = [
    "UPDATE ledger_event SET reason = 'rewritten' WHERE seq = 1",
    "UPDATE ledger_event SET seq = seq + 1000",
    "UPDATE ledger_event SET hash = prev_hash WHERE seq = 2",
    "DELETE FROM ledger_event WHERE seq = 1",
    "DELETE FROM ledger_event",
]


@pytest.mark.parametrize("sql", REJECTED_SQL)
def test_the_database_rejects_raw_sql_that_changes_or_removes_events(
    world: World, sql: str
) -> None:
    before = ledger_text()
    assert Event.objects.count() > 1
    with (
        as_table_owner(),
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert ledger_text() == before


def test_the_database_rejects_an_orm_update_of_an_event(world: World) -> None:
    before = ledger_text()
    with as_table_owner(), pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.filter(seq=1).update(reason="rewritten")
    assert ledger_text() == before


def test_the_database_rejects_an_orm_delete_of_one_event(world: World) -> None:
    before = ledger_text()
    with as_table_owner(), pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.get(seq=1).delete()
    assert ledger_text() == before


def test_the_database_rejects_an_orm_delete_of_every_event(world: World) -> None:
    before = ledger_text()
    with as_table_owner(), pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.all().delete()
    assert ledger_text() == before


def test_the_database_rejects_saving_a_changed_event_over_the_old_one(world: World) -> None:
    event = Event.objects.get(seq=1)
    event.reason = "rewritten"
    with as_table_owner(), pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()
    assert Event.objects.get(seq=1).reason == ""


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE triggers are PostgreSQL's")
@pytest.mark.parametrize("sql", ["TRUNCATE ledger_event", "TRUNCATE ledger_event CASCADE"])
def test_postgres_rejects_truncating_the_ledger(world: World, sql: str) -> None:
    before = ledger_text()
    with (
        as_table_owner(),
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert ledger_text() == before
