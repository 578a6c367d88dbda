"""Dumping and loading the database: SQLite through its online backup API, PostgreSQL through
pg_dump / pg_restore (the client tools of this machine, found on PATH or in /usr/bin).

Connection settings come from Django's `default` database. A password, if any, goes to the
tools in PGPASSWORD, never on a command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from confide.backup.errors import BackupError

TIMEOUT = 6 * 3600


def default() -> BaseDatabaseWrapper:
    return connections["default"]


def vendor() -> str:
    kind = default().vendor
    if kind not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {kind}")
    return kind


def _tool(name: str) -> str:
    found = shutil.which(name) or (
        f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None
    )
    if found is None:
        raise BackupError(f"{name} is not installed (install the PostgreSQL client tools)")
    return found


def _pg_settings(db: BaseDatabaseWrapper) -> dict[str, Any]:
    """The connection the tools use: the database's owner role when one is configured
    (CONFIDE_DATABASE_OWNER_URL: it owns the schema, so pg_restore may drop and recreate it and
    pg_dump reads everything), else the application's; always the database Django is using."""
    owner: dict[str, Any] | None = getattr(django_settings, "CONFIDE_DATABASE_OWNER", None)
    if owner and owner.get("USER"):
        return {**db.settings_dict, "USER": owner["USER"], "PASSWORD": owner.get("PASSWORD", "")}
    return dict(db.settings_dict)


def _pg_arguments(settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    arguments = ["--no-password", "-h", settings.get("HOST") or "127.0.0.1"]
    if settings.get("PORT"):
        arguments += ["-p", str(settings["PORT"])]
    if settings.get("USER"):
        arguments += ["-U", settings["USER"]]
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = settings["PASSWORD"]
    return arguments, environment


def _run(command: list[str], environment: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603 - a fixed tool with arguments from settings
        command, capture_output=True, env=environment, timeout=TIMEOUT, check=False
    )
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise BackupError(f"{what} failed: {' / '.join(detail)}")


def dump(target: Path) -> None:
    """Write a consistent copy of the database to `target`."""
    db = default()
    if vendor() == "sqlite":
        db.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            db.connection.backup(copy)  # one consistent snapshot, pages copied as they are
        finally:
            copy.close()
        return
    arguments, environment = _pg_arguments(_pg_settings(db))
    command = [
        _tool("pg_dump"),
        *arguments,
        "-Fc",
        # Uncompressed: the client columns are ciphertext (nothing to gain), and a plain dump can
        # be searched for anything in clear, as the tests do.
        "-Z",
        "0",
        "-f",
        str(target),
        "-d",
        db.settings_dict["NAME"],
    ]
    _run(command, environment, "pg_dump")


def load(source: Path) -> None:
    """Replace the database's contents with the dump at `source`."""
    db = default()
    db.close()
    if vendor() == "sqlite":
        origin = sqlite3.connect(source)
        destination = sqlite3.connect(db.settings_dict["NAME"])
        try:
            origin.backup(destination)  # overwrites every page: the old content is gone
        finally:
            origin.close()
            destination.close()
        return
    arguments, environment = _pg_arguments(_pg_settings(db))
    command = [
        _tool("pg_restore"),
        *arguments,
        "--clean",
        "--if-exists",
        "--exit-on-error",
        "--single-transaction",
        "-d",
        db.settings_dict["NAME"],
        str(source),
    ]
    _run(command, environment, "pg_restore")


def holds_data() -> bool:
    """Whether the database holds anything of an installation (agencies, staff, clients, events)."""
    db = default()
    with db.cursor() as cursor:
        tables = set(db.introspection.table_names(cursor))
        for table in ("accounts_agency", "records_client", "ledger_event"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {db.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone() is not None:
                    return True
    return False


def applied_migrations() -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(default()).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
