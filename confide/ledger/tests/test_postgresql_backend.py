"""The project's PostgreSQL backend runs one commit hook first (decision 0017): the hook
registered with `on_commit_first` runs before every other, and if it raises, the others still
run before its error reaches the caller. No database is needed: the hooks are run as Django runs
them once a transaction has committed (tests/test_ledger_durability.py commits for real).
The statement the COMMIT carries (decision 0018) is tested on a real server, committed for real,
in tests/test_ledger_durability.py."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from psycopg import pq

from confide.ledger.postgresql.base import AfterCommit, DatabaseWrapper


class FlushFailed(RuntimeError):
    pass


def _in_transaction() -> DatabaseWrapper:
    """A wrapper that never connects, marked as inside a transaction so hooks are kept."""
    wrapper = DatabaseWrapper({"NAME": "unused", "OPTIONS": {}}, alias="hooks")
    wrapper.in_atomic_block = True
    return wrapper


def _after_commit(wrapper: DatabaseWrapper) -> None:
    wrapper.in_atomic_block = False
    wrapper.run_and_clear_commit_hooks()


def _step(ran: list[str], name: str) -> Callable[[], None]:
    return lambda: ran.append(name)


def _failing(ran: list[str], name: str) -> Callable[[], None]:
    def step() -> None:
        ran.append(name)
        raise FlushFailed(name)

    return step


def test_the_first_hook_runs_before_hooks_registered_earlier_and_later() -> None:
    ran: list[str] = []
    wrapper = _in_transaction()
    wrapper.on_commit(_step(ran, "earlier"))
    wrapper.on_commit_first(_step(ran, "flush"))
    wrapper.on_commit(_step(ran, "later"))
    _after_commit(wrapper)
    assert ran == ["flush", "earlier", "later"]
    assert wrapper.run_on_commit == []


def test_a_first_hook_registered_again_in_the_transaction_runs_once() -> None:
    ran: list[str] = []
    wrapper = _in_transaction()
    flush = _step(ran, "flush")
    wrapper.on_commit_first(flush)
    wrapper.on_commit(_step(ran, "between"))
    wrapper.on_commit_first(flush)
    _after_commit(wrapper)
    assert ran == ["flush", "between"]


def test_when_the_first_hook_fails_every_other_hook_runs_then_its_error_is_raised() -> None:
    ran: list[str] = []
    wrapper = _in_transaction()
    wrapper.on_commit(_step(ran, "earlier"))
    wrapper.on_commit_first(_failing(ran, "flush"))
    wrapper.on_commit(_step(ran, "later"))
    wrapper.on_commit(_step(ran, "robust"), robust=True)
    with pytest.raises(FlushFailed, match="flush"):
        _after_commit(wrapper)
    assert ran == ["flush", "earlier", "later", "robust"]
    assert wrapper.run_on_commit == []


def test_a_later_hook_that_fails_too_is_raised_with_the_first_error_as_its_context() -> None:
    ran: list[str] = []
    wrapper = _in_transaction()
    wrapper.on_commit_first(_failing(ran, "flush"))
    wrapper.on_commit(_failing(ran, "email"))
    wrapper.on_commit(_step(ran, "dropped"))  # after a failing plain hook, as Django does
    with pytest.raises(FlushFailed, match="email") as raised:
        _after_commit(wrapper)
    assert ran == ["flush", "email"]
    assert isinstance(raised.value.__context__, FlushFailed)
    assert str(raised.value.__context__) == "flush"


def test_without_a_first_hook_the_hooks_run_as_in_django() -> None:
    ran: list[str] = []
    wrapper = _in_transaction()
    wrapper.on_commit(_step(ran, "one"))
    wrapper.on_commit(_failing(ran, "two"))
    wrapper.on_commit(_step(ran, "three"))
    with pytest.raises(FlushFailed, match="two"):
        _after_commit(wrapper)
    assert ran == ["one", "two"]


def test_a_first_hook_dropped_with_its_transaction_does_not_run_later() -> None:
    ran: list[str] = []
    wrapper = _in_transaction()
    flush = _step(ran, "flush")
    wrapper.on_commit_first(flush)
    wrapper.run_on_commit = []  # what a rollback does
    wrapper.on_commit(_step(ran, "next transaction"))
    _after_commit(wrapper)
    assert ran == ["next transaction"]


def test_a_first_hook_needs_a_transaction() -> None:
    ran: list[str] = []
    wrapper = DatabaseWrapper({"NAME": "unused", "OPTIONS": {}}, alias="hooks")
    with pytest.raises(RuntimeError, match="needs a transaction"):
        wrapper.on_commit_first(_step(ran, "flush"))
    assert ran == []
    assert wrapper.run_on_commit == []


# ---- a statement carried by the COMMIT (decision 0018) -----------------------------------------


class _Result:
    def __init__(self, status: pq.ExecStatus, command: bytes = b"", sqlstate: bytes = b"") -> None:
        self.status = status
        self.command_status = command
        self.sqlstate = sqlstate
        self.error_message = b"refused"

    def error_field(self, code: pq.DiagnosticField) -> bytes | None:
        return self.sqlstate if code == pq.DiagnosticField.SQLSTATE else None

    def get_error_message(self, encoding: str = "utf-8") -> str:
        return self.error_message.decode(encoding)


COMMITTED = _Result(pq.ExecStatus.COMMAND_OK, b"COMMIT")
FLUSHED = _Result(pq.ExecStatus.TUPLES_OK, b"SELECT 1")


class _Protocol:
    def __init__(self, answers: list[_Result]) -> None:
        self.answers = answers
        self.sent: list[bytes] = []

    def send_query(self, command: bytes) -> None:
        self.sent.append(command)

    def get_result(self) -> _Result | None:
        return self.answers.pop(0) if self.answers else None

    def get_error_message(self, encoding: str = "utf-8") -> str:
        return "server closed the connection unexpectedly"


class _Driver:
    def __init__(self, answers: list[_Result]) -> None:
        self.pgconn = _Protocol(answers)
        self.lock = threading.Lock()
        self.info = SimpleNamespace(encoding="utf-8")
        self.plain_commits = 0

    def commit(self) -> None:
        self.plain_commits += 1


def _committing(answers: list[_Result], ran: list[object]) -> tuple[DatabaseWrapper, _Driver]:
    """A wrapper inside a transaction whose first hook asks for a statement after the COMMIT."""
    wrapper = _in_transaction()
    driver = _Driver(answers)
    wrapper.connection = driver
    wrapper.on_commit_first(lambda: ran.append(wrapper.take_after_commit()), b"SELECT 1")
    wrapper.in_atomic_block = False
    return wrapper, driver


def test_only_a_statement_that_returned_rows_counts_as_done() -> None:
    assert AfterCommit(FLUSHED).ok  # type: ignore[arg-type]  # a stand-in result
    assert not AfterCommit(None).ok  # no answer: the connection was lost after the COMMIT
    refused = _Result(pq.ExecStatus.FATAL_ERROR, sqlstate=b"42501")
    assert not AfterCommit(refused).ok  # type: ignore[arg-type]


def test_without_the_first_hook_pending_the_commit_is_djangos() -> None:
    ran: list[object] = []
    wrapper, driver = _committing([COMMITTED, FLUSHED], ran)
    wrapper.run_on_commit = []  # the hook's savepoint was rolled back
    wrapper._commit()
    assert (driver.plain_commits, driver.pgconn.sent) == (1, [])
    assert wrapper.after_commit is None


class _LostDriver:
    """A driver whose connection is gone; switching it back to autocommit fails, as psycopg's
    does on a lost connection."""

    def __init__(self) -> None:
        self.pgconn = SimpleNamespace(status=pq.ConnStatus.BAD)

    @property
    def autocommit(self) -> bool:
        return False

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        raise RuntimeError("the connection is lost")


def test_after_a_commit_whose_statement_lost_the_connection_the_hooks_still_get_to_run() -> None:
    wrapper = _in_transaction()
    wrapper.in_atomic_block = False
    wrapper.connection = _LostDriver()
    wrapper.after_commit = AfterCommit(None)  # the COMMIT was answered, its statement was not
    wrapper._set_autocommit(True)
    assert wrapper.errors_occurred  # the health check closes it before the next request
    wrapper.after_commit = None  # a commit that carried nothing: Django's path, which fails
    with pytest.raises(RuntimeError, match="lost"):
        wrapper._set_autocommit(True)
