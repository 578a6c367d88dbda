"""Django's PostgreSQL backend, with one commit hook that runs before the others (decision 0017),
and a statement that can ride in the commit's own round trip (decision 0018).

`ledger.services` commits an appending transaction without waiting for the disk, and registers
the wait for its flush with `on_commit_first`. Django runs commit hooks in the order they were
registered, and one that raises drops every hook after it. Here the hook registered with
`on_commit_first` runs right after the commit, before every other hook, so their effects (an
email, a file put in place) follow a confirmed flush. If it raises, the transaction has committed
all the same, so the other hooks still run (a break-the-glass grant's notification must go out),
and then its error is raised to the caller.

The hook may name a statement to send with the COMMIT (`after_commit`): the commit then sends
`COMMIT; <statement>` as one message, and the server runs the statement in a transaction of its
own once the commit is done, so the wait for the flush costs no round trip of its own. The
statement's outcome is kept for the hook (`take_after_commit`). A failed COMMIT raises as
Django's would (the statement is then not run); a failed statement after a good COMMIT is only
reported to the hook, which decides what it means. Everything else is Django's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from django.db.backends.postgresql import base
from django.db.backends.utils import debug_transaction
from psycopg import generators, pq


@dataclass(frozen=True)
class AfterCommit:
    """What came of the statement sent after a successful COMMIT: its result, or None when the
    server gave none (the connection was lost after the commit's answer)."""

    result: pq.abc.PGresult | None

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.status == pq.ExecStatus.TUPLES_OK


class DatabaseWrapper(base.DatabaseWrapper):
    # The hook `on_commit_first` registered; it runs first only while its entry is in the list
    # (a savepoint rolled back, or the transaction, drops the entry as it drops any hook's).
    first_commit_hook: Callable[[], None] | None = None
    # The statement to send with the COMMIT while that hook is pending, and what came of it.
    after_commit_sql: bytes | None = None
    after_commit: AfterCommit | None = None

    def on_commit_first(self, func: Callable[[], None], after_commit: bytes | None = None) -> None:
        """Run `func` once right after the current transaction commits, before its other hooks,
        however often it is registered in the transaction. With `after_commit`, the COMMIT
        carries that statement too, and `func` reads its outcome with `take_after_commit`.
        Must be called in a transaction."""
        if not self.in_atomic_block:
            raise RuntimeError("on_commit_first() needs a transaction")
        self.first_commit_hook = func
        self.after_commit_sql = after_commit
        if not any(entry[1] is func for entry in self.run_on_commit):
            self.on_commit(func)

    def take_after_commit(self) -> AfterCommit | None:
        """The outcome of the statement the last COMMIT carried, once; None if it carried none
        (a commit that did not go through this wrapper, such as a test harness's)."""
        outcome, self.after_commit = self.after_commit, None
        return outcome

    def _commit(self) -> None:
        self.after_commit = None
        statement = self.after_commit_sql
        if self.connection is None or statement is None or not self._first_hook_pending():
            super()._commit()  # type: ignore[misc]  # Django's, not in its stubs
            return
        with debug_transaction(self, "COMMIT"), self.wrap_database_errors:
            self.after_commit = self._commit_with(statement)

    def _commit_with(self, statement: bytes) -> AfterCommit:
        """COMMIT and `statement` in one message; raises as psycopg's commit would if the COMMIT
        itself fails (the server then skips the statement) or its fate is unknown.

        It waits through the driver's own waiting (`Connection.wait` over psycopg's `send` and
        `fetch` steps), which lets other threads run meanwhile: libpq's blocking `get_result`
        would hold Python's lock through the commit, its flush and any row lock it waits for,
        stopping every thread of the process, and the one holding that lock for good. A
        connection lost after the COMMIT's answer keeps that answer: the action committed."""
        driver = self.connection
        pgconn = driver.pgconn
        results: list[pq.abc.PGresult] = []
        with driver.lock:
            pgconn.send_query(b"COMMIT; " + statement)
            try:
                driver.wait(generators.send(pgconn))
                while (result := driver.wait(generators.fetch(pgconn))) is not None:
                    results.append(result)
            except psycopg.OperationalError:
                if not results:
                    raise  # the COMMIT's own fate is unknown, as for Django's commit
        commit = results[0]
        if commit.status != pq.ExecStatus.COMMAND_OK:
            raise psycopg.errors.error_from_result(commit, encoding=driver.info.encoding)
        if commit.command_status != b"COMMIT":
            # A transaction already failed answers COMMIT with ROLLBACK: nothing was committed.
            raise psycopg.errors.InFailedSqlTransaction("the transaction was rolled back")
        return AfterCommit(results[1] if len(results) > 1 else None)

    def _set_autocommit(self, autocommit: bool) -> None:
        # After a COMMIT whose carried statement lost the connection, Django's next step (back
        # to autocommit, then the commit hooks) would fail on the dead connection and drop the
        # hooks of a transaction that did commit. Skip the driver here: the hooks run, the
        # first one reports the lost statement, and the health check closes the connection.
        carried = autocommit and self.after_commit is not None and self.connection is not None
        if carried and self.connection.pgconn.status == pq.ConnStatus.BAD:
            self.errors_occurred = True
            return
        super()._set_autocommit(autocommit)  # type: ignore[misc]  # Django's, not in its stubs

    def _first_hook_pending(self) -> bool:
        return any(entry[1] is self.first_commit_hook for entry in self.run_on_commit)

    def run_and_clear_commit_hooks(self) -> None:
        self.validate_no_atomic_block()
        first = self._take_first_hook()
        if first is None:
            super().run_and_clear_commit_hooks()
            return
        try:
            first()
        except Exception:
            # Committed all the same: the other hooks run. If one raises in turn, its error is
            # raised (as Django would), with this one as its context.
            super().run_and_clear_commit_hooks()
            raise
        finally:
            self.after_commit = None
        super().run_and_clear_commit_hooks()

    def _take_first_hook(self) -> Callable[[], None] | None:
        """Take the first hook out of the transaction's hooks, if it is still among them."""
        hooks = self.run_on_commit
        for index, entry in enumerate(hooks):
            if entry[1] is self.first_commit_hook:
                del hooks[index]
                return entry[1]
        return None
