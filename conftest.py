"""Fixtures for every test: the two-agency world of personas (imported lazily, so tests that
need no Django, such as the disclosure engine's, run without it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from confide.testing import World


@pytest.fixture
def world(db: None) -> World:
    from confide.testing import build_world

    return build_world()


@pytest.fixture
def own_ledger_export(settings: Any, tmp_path: Any) -> None:
    """A signing key and checkpoint export of the test's own. A test whose code signs a
    checkpoint (the demo load does) must not leave it in the run's shared export: the test's
    events roll back, and the next test's verification would read that checkpoint as a fork."""
    settings.CONFIDE_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.CONFIDE_LEDGER_SIGNING_KEY_PATH = tmp_path / "ledger-signing.key"


# --- PostgreSQL with an owner and an application role (confide/ledger/dbroles.py) -------------
# With CONFIDE_DATABASE_OWNER_URL set (as `make test` does on PostgreSQL), the test settings log
# in as the owner and assume the application's role (SET ROLE), so tests run with exactly its
# privileges; only helpers that act as an attacker with DDL rights
# (ledger.testing.as_table_owner) step back to the owner, inside the test's transaction. The
# test database itself is created, migrated and dropped by the owner: the role is assumed only
# between those steps.


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings: None) -> None:
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    connection.close()
    connection.settings_dict.get("OPTIONS", {}).pop("assume_role", None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    from django.conf import settings
    from django.db import DEFAULT_DB_ALIAS, connections

    from confide.ledger import dbroles

    connection = connections[DEFAULT_DB_ALIAS]
    if dbroles.owner_settings() is None or connection.vendor != "postgresql":
        yield
        return
    options = connection.settings_dict.setdefault("OPTIONS", {})
    with django_db_blocker.unblock():
        connection.close()
    options["assume_role"] = settings.CONFIDE_DATABASE_APP_ROLE
    yield
    with django_db_blocker.unblock():
        connection.close()
    options.pop("assume_role", None)  # the owner drops the test database
