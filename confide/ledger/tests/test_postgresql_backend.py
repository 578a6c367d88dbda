"""The project's PostgreSQL backend runs one commit hook first (decision 0017): the hook
registered with `on_commit_first` runs before every other, and if it raises, the others still
run before its error reaches the caller. No database is needed: the hooks are run as Django runs
them once a transaction has committed (tests/test_ledger_durability.py commits for real)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from confide.ledger.postgresql.base import DatabaseWrapper


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
