"""PostgreSQL with an owner and an application role: the application's role cannot change or
remove rows of the append-only tables, nor write events except through `ledger_append`.

These run when the suite runs as `make test` runs it on PostgreSQL (CONFIDE_DATABASE_OWNER_URL
set: the session logs in as the owner and assumes the application's role), and are skipped
otherwise. The triggers' side, for a role that holds the privileges, is test_append_only.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from psycopg.conninfo import make_conninfo

from confide.ledger import dbroles
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.ledger.services import record
from confide.ledger.testing import as_table_owner
from confide.ledger.tests.support import ledger_text
from confide.testing import World
from config.env import database_from_url

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql" or dbroles.owner_settings() is None,
        reason="needs PostgreSQL with an owner and an application role",
    ),
]

APPEND_ONLY = [
    "ledger_checkpoint",
    "ledger_merkle_node",
    "disclosures_accountingentry",
    "disclosures_accountingannotation",
]
READ_ONLY = ["ledger_event", "ledger_chain_head"]
CHANGES = ["UPDATE {t} SET {c} = {c}", "DELETE FROM {t}", "TRUNCATE {t}", "TRUNCATE {t} CASCADE"]
FIRST_COLUMN = {
    "ledger_event": "reason",
    "ledger_chain_head": "hash",
    "ledger_checkpoint": "note",
    "ledger_merkle_node": "hash",
    "disclosures_accountingentry": "excluded_kind",
    "disclosures_accountingannotation": "text_enc",
}
FORGED_EVENT = (
    "INSERT INTO ledger_event (seq, occurred_at, channel, event_type, subject_type, subject_id, "
    "reason, policy_ids, details, prev_hash, hash) VALUES "
    "(1000000, now(), 'web', 'x', '', '', '', '[]', '{}', repeat('0', 64), repeat('1', 64))"
)


def statements() -> Iterator[tuple[str, str]]:
    for table in [*READ_ONLY, *APPEND_ONLY]:
        for change in CHANGES:
            yield table, change.format(t=table, c=FIRST_COLUMN[table])
    yield "ledger_event", FORGED_EVENT
    yield "ledger_chain_head", "INSERT INTO ledger_chain_head (id, seq, hash) VALUES (2, 0, '')"


def current_user() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        row = cursor.fetchone()
    return str(row[0]) if row else ""


@pytest.mark.django_db
def test_the_tests_run_with_the_application_roles_privileges() -> None:
    assert current_user() == settings.CONFIDE_DATABASE_APP_ROLE
    with transaction.atomic(), as_table_owner():
        assert current_user() != settings.CONFIDE_DATABASE_APP_ROLE
    assert current_user() == settings.CONFIDE_DATABASE_APP_ROLE


@pytest.mark.parametrize(("table", "sql"), list(statements()))
def test_the_application_role_may_not_change_remove_or_forge_rows(
    db: None, table: str, sql: str
) -> None:
    with transaction.atomic():
        record(actor=None, event_type=EventType.SIGN_IN)
    before = ledger_text()
    with (
        pytest.raises(DatabaseError, match=f"permission denied for table {table}"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert ledger_text() == before


@pytest.mark.parametrize(("table", "sql"), list(statements()))
def test_a_login_as_the_application_role_is_refused_too(
    django_db_setup: None, table: str, sql: str
) -> None:
    # Its own connection, logged in as the application's role (not a SET ROLE of the owner),
    # with the application's URL, to the test database.
    app = database_from_url(os.environ["CONFIDE_DATABASE_URL"], base_dir=Path())
    conninfo = make_conninfo(
        host=app["HOST"] or "127.0.0.1",
        port=str(app["PORT"] or 5432),
        dbname=connection.settings_dict["NAME"],
        user=app["USER"],
        password=app["PASSWORD"],
    )
    with psycopg.connect(conninfo) as db:
        assert db.execute("SELECT session_user").fetchone() == (settings.CONFIDE_DATABASE_APP_ROLE,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            db.execute(sql)
        db.rollback()


@pytest.mark.django_db
def test_the_application_role_appends_through_the_function_only() -> None:
    with transaction.atomic():
        event = record(actor=None, event_type=EventType.SIGN_IN)
    assert Event.objects.get(seq=event.seq).hash == event.hash
    privileges = {
        table: [p for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE") if _has(table, p)]
        for table in [*READ_ONLY, *APPEND_ONLY]
    }
    assert privileges == {
        **{table: ["SELECT"] for table in READ_ONLY},
        **{table: ["SELECT", "INSERT"] for table in APPEND_ONLY},
    }


def _has(table: str, privilege: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege(%s, %s, %s)",
            [settings.CONFIDE_DATABASE_APP_ROLE, table, privilege],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


@pytest.mark.django_db
def test_every_table_with_append_only_triggers_is_append_only_for_the_application() -> None:
    found = dbroles.append_only_tables(connection)
    assert set(APPEND_ONLY) | {"ledger_event"} <= set(found)
    assert [t for t in found if _has(t, "UPDATE") or _has(t, "DELETE") or _has(t, "TRUNCATE")] == []


@pytest.mark.django_db
def test_the_owner_holds_the_privileges_and_the_triggers_still_stop_it(world: World) -> None:
    before = ledger_text()
    with as_table_owner():
        assert current_user() == dbroles.owner_settings()["USER"]  # type: ignore[index]
        for sql in ("UPDATE ledger_event SET reason = 'x'", "DELETE FROM ledger_event"):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql)
    assert ledger_text() == before
