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


# --- PostgreSQL with an owner and an application role (confide/ledger/dbroles.py) -------------
# With CONFIDE_DATABASE_OWNER_URL set (as `make test` does on PostgreSQL), the test database is
# created and migrated by the owner role; the tests then run with the application role's
# privileges: the session logs in as the owner and assumes the app role (SET ROLE), so only
# helpers that act as an attacker with DDL rights (ledger.testing.as_table_owner) step back to
# the owner, inside the test's transaction.


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings: None) -> None:
    from django.db import DEFAULT_DB_ALIAS, connections

    from confide.ledger import dbroles

    owner = dbroles.owner_settings()
    connection = connections[DEFAULT_DB_ALIAS]
    if owner is not None and connection.vendor == "postgresql":
        connection.close()
        connection.settings_dict.update(USER=owner["USER"], PASSWORD=owner["PASSWORD"])


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
