"""A scratch database: a separate, freshly migrated database that tests may commit to.

See tests/conftest.py for why the cross-cutting tests use one. `run_together` runs jobs at the
same moment, each in its own thread and connection to it (the concurrency tests).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
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


def run_together(scratch: ScratchDatabase, jobs: dict[str, Callable[[], str]]) -> dict[str, str]:
    """Run each job in its own thread and connection, released at the same moment; each job's
    answer, or its exception as "Type: message" (the test then fails on it)."""
    barrier = threading.Barrier(len(jobs))
    outcomes: dict[str, str] = {}

    def run(name: str, job: Callable[[], str]) -> None:
        with scratch.bound():
            barrier.wait(timeout=30)
            try:
                outcomes[name] = job()
            except Exception as exc:  # reported, and the test fails on it
                outcomes[name] = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=run, args=item) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes
