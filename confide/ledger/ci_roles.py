"""Create the test run's two PostgreSQL roles, if missing, as the superuser (`make test`).

    python -m confide.ledger.ci_roles postgres://postgres@127.0.0.1:5432/confide_test

prints two URLs, one a line: the application role's (for CONFIDE_DATABASE_URL) and the owner
role's (for CONFIDE_DATABASE_OWNER_URL), on the same database. The owner may create databases
(the test runner creates and drops the test database as the owner) and is a member of the
application role, so the test session can assume it (see the root conftest.py). Running it
again changes nothing. Production roles are created by hand: docs/operations.md.
"""

from __future__ import annotations

import contextlib
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

APP_ROLE = "confide_test_app"
OWNER_ROLE = "confide_test_owner"


def _exists(db: psycopg.Connection[tuple[object, ...]], role: str) -> bool:
    return db.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone() is not None


def ensure_roles(superuser_url: str) -> None:
    parts = urlsplit(superuser_url)
    conninfo = make_conninfo(
        host=parts.hostname or "127.0.0.1",
        port=str(parts.port or 5432),
        user=parts.username or "postgres",
        password=parts.password or "",
        dbname="postgres",
    )
    with psycopg.connect(conninfo, autocommit=True) as db:
        for role in (APP_ROLE, OWNER_ROLE):
            if not _exists(db, role):
                # Another run may create it meanwhile.
                with contextlib.suppress(psycopg.errors.DuplicateObject):
                    db.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        db.execute(
            sql.SQL("ALTER ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS").format(
                sql.Identifier(APP_ROLE)
            )
        )
        db.execute(
            sql.SQL("ALTER ROLE {} LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOBYPASSRLS").format(
                sql.Identifier(OWNER_ROLE)
            )
        )
        db.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(APP_ROLE), sql.Identifier(OWNER_ROLE))
        )


def with_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{user}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def main(argv: list[str]) -> int:
    if len(argv) != 1 or urlsplit(argv[0]).scheme not in {"postgres", "postgresql"}:
        sys.stderr.write("usage: python -m confide.ledger.ci_roles postgres://SUPERUSER@HOST/DB\n")
        return 2
    ensure_roles(argv[0])
    sys.stdout.write(with_user(argv[0], APP_ROLE) + "\n" + with_user(argv[0], OWNER_ROLE) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
