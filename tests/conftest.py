"""Fixtures for the cross-cutting tests: a scratch database whose writes really commit.

Why not `@pytest.mark.django_db(transaction=True)`? A transactional test ends with a flush:
DELETE of every row on SQLite and TRUNCATE on PostgreSQL, both of which the ledger's
append-only triggers rightly refuse; and the flush would also remove the chain head row that a
migration creates, breaking every later test. Disabling the triggers around the flush would
weaken exactly what the suite proves.

Instead a test that needs committed rows (for pg_dump, a database file, or several threads with
their own connections) gets a separate, freshly migrated database: the triggers stay on, nothing
is ever deleted, and the whole database is dropped (PostgreSQL) or removed with its temporary
directory (SQLite) afterwards. The suite's own test database is never touched.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from pytest_django import DjangoDbBlocker
from scratchdb import ScratchDatabase, postgres_admin


@pytest.fixture
def scratch_db(django_db_blocker: DjangoDbBlocker, tmp_path: Path) -> Iterator[ScratchDatabase]:
    with django_db_blocker.unblock():
        template = connections[DEFAULT_DB_ALIAS]
        if template.vendor == "postgresql":
            scratch = ScratchDatabase(template, f"confide_scratch_{secrets.token_hex(6)}")
            postgres_admin(scratch, f'CREATE DATABASE "{scratch.name}"')
        elif template.vendor == "sqlite":
            scratch = ScratchDatabase(template, str(tmp_path / "scratch.sqlite3"))
        else:  # pragma: no cover - the project supports these two
            pytest.skip(f"no scratch databases for {template.vendor}")
        try:
            with scratch.bound():
                call_command("migrate", verbosity=0, interactive=False)
            yield scratch
        finally:
            ContentType.objects.clear_cache()  # it cached the scratch database's rows
            if scratch.vendor == "postgresql":
                postgres_admin(scratch, f'DROP DATABASE IF EXISTS "{scratch.name}" WITH (FORCE)')
