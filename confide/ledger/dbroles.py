"""PostgreSQL roles: an owner that runs migrations, and an application role that cannot rewrite
the append-only tables (decision 0005; docs/operations.md says how to create them).

The application connects as the role of `CONFIDE_DATABASE_URL`. When `CONFIDE_DATABASE_OWNER_URL`
names another role, `manage.py migrate` (confide/ledger/management/commands/migrate.py) connects
as that owner instead, so the owner owns every table and function, and then `grant_app_role`
gives the application's role only what it needs:

* every table: SELECT, INSERT, UPDATE, DELETE (never TRUNCATE, REFERENCES or TRIGGER);
* append-only tables (those with an append-only TRUNCATE trigger: the ledger's checkpoints and
  stored tree, the accounting of disclosures, and any later one): SELECT and INSERT only;
* `ledger_event` and `ledger_chain_head`: SELECT only. Events are appended through
  `ledger_append(...)` (EXECUTE granted, as for `ledger_lock_head()`), which runs with the
  owner's rights and computes the link and hash itself, so the application cannot write an
  event with a link of its choosing or move the chain head;
* `ledger_pending` (events queued to be linked when their transaction commits): SELECT only.
  The application queues through `ledger_append_at_commit(...)` (EXECUTE granted), and the
  owner's commit-time trigger links and removes each queued event (migration 0006), so a
  session sees at most its own transaction's queued events;
* sequences: USAGE and SELECT; `django_migrations`: SELECT only.

Granting after every migrate (rather than relying on default privileges alone) keeps the grants
exact for tables that later migrations add. The triggers stay: they also stop the owner and a
superuser, whom privileges do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

# Appended to only through ledger_append and ledger_append_at_commit (migrations 0004, 0006);
# only the owner's migrate writes the record of applied migrations.
READ_ONLY_TABLES = ("ledger_event", "ledger_chain_head", "ledger_pending", "django_migrations")
FUNCTIONS = (
    "ledger_append(timestamptz, uuid, uuid, varchar, varchar, varchar, varchar, uuid, varchar, "
    "jsonb, jsonb, text, text, text)",
    "ledger_append_at_commit(timestamptz, uuid, uuid, varchar, varchar, varchar, varchar, uuid, "
    "varchar, jsonb, jsonb, text, text, text)",
    "ledger_lock_head()",
)
# Tables whose statement-level TRUNCATE trigger (the append-only migrations') marks them so.
APPEND_ONLY_TABLES_SQL = """
    SELECT DISTINCT c.relname FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid
    WHERE c.relnamespace = current_schema()::text::regnamespace AND NOT t.tgisinternal
      AND t.tgtype & 32 = 32  -- TRIGGER_TYPE_TRUNCATE
    ORDER BY c.relname
"""


def owner_settings() -> dict[str, Any] | None:
    """The owner's connection settings, when an owner role other than the app's is configured."""
    owner: dict[str, Any] | None = getattr(settings, "CONFIDE_DATABASE_OWNER", None)
    if owner is None or owner["USER"] == getattr(settings, "CONFIDE_DATABASE_APP_ROLE", ""):
        return None
    return owner


@contextmanager
def connected_as_owner(alias: str) -> Iterator[bool]:
    """Within, `alias` connects as the owner role (if one is configured); yields whether it does.

    Only the user and password change: the owner's URL names the same database (checked in
    settings), and the test runner's database name is kept.
    """
    owner = owner_settings()
    connection = connections[alias]
    if owner is None or connection.vendor != "postgresql":
        yield False
        return
    saved = {key: connection.settings_dict.get(key) for key in ("USER", "PASSWORD")}
    options = connection.settings_dict.setdefault("OPTIONS", {})
    assumed = options.pop("assume_role", None)
    connection.close()
    connection.settings_dict.update(USER=owner["USER"], PASSWORD=owner["PASSWORD"])
    try:
        yield True
    finally:
        connection.close()
        connection.settings_dict.update(saved)
        if assumed is not None:
            options["assume_role"] = assumed


def append_only_tables(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY_TABLES_SQL)
        return [row[0] for row in cursor.fetchall()]


def grant_statements(connection: BaseDatabaseWrapper, app_role: str) -> list[str]:
    quote = connection.ops.quote_name
    role = quote(app_role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        row = cursor.fetchone()
    schema = quote(row[0] if row else "public")
    statements = [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    ]
    for table in append_only_tables(connection):
        statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {quote(table)} FROM {role}")
    for table in READ_ONLY_TABLES:
        statements.append(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} FROM {role}")
    statements += [f"GRANT EXECUTE ON FUNCTION {function} TO {role}" for function in FUNCTIONS]
    return statements


def grant_app_role(connection: BaseDatabaseWrapper) -> None:
    """Give the application's role exactly its privileges (run as the owner, after migrating)."""
    if connection.vendor != "postgresql" or owner_settings() is None:
        return
    for statement in grant_statements(connection, settings.CONFIDE_DATABASE_APP_ROLE):
        with connection.cursor() as cursor:
            cursor.execute(statement)
