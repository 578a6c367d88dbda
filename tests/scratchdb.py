"""A scratch database: a separate, freshly migrated database that tests may commit to.

See tests/conftest.py for why the cross-cutting tests use one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.conninfo import make_conninfo


class ScratchDatabase:
    """A throwaway database with the project's schema, bound per thread as `default`."""

    def __init__(self, template: BaseDatabaseWrapper, name: str) -> None:
        self.vendor: str = template.vendor
        self.name = name
        self.settings: dict[str, Any] = {**template.settings_dict, "NAME": name}
        self._wrapper_class = type(template)

    @contextmanager
    def bound(self) -> Iterator[BaseDatabaseWrapper]:
        """Make `default` in this thread a connection to the scratch database."""
        previous = connections[DEFAULT_DB_ALIAS]
        wrapper = self._wrapper_class(dict(self.settings), alias=DEFAULT_DB_ALIAS)
        connections[DEFAULT_DB_ALIAS] = wrapper
        try:
            yield wrapper
        finally:
            wrapper.close()
            connections[DEFAULT_DB_ALIAS] = previous

    def postgres_arguments(self) -> dict[str, str]:
        arguments = {"host": self.settings["HOST"] or "127.0.0.1", "user": self.settings["USER"]}
        if self.settings.get("PORT"):
            arguments["port"] = str(self.settings["PORT"])
        if self.settings.get("PASSWORD"):
            arguments["password"] = self.settings["PASSWORD"]
        return arguments


def postgres_admin(scratch: ScratchDatabase, statement: str) -> None:
    conninfo = make_conninfo(dbname="postgres", **scratch.postgres_arguments())
    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute(statement.encode())
