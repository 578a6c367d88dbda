"""Django's PostgreSQL backend, with one commit hook that runs before the others (decision 0017).

`ledger.services` commits an appending transaction without waiting for the disk, and registers
the wait for its flush with `on_commit_first`. Django runs commit hooks in the order they were
registered, and one that raises drops every hook after it. Here the hook registered with
`on_commit_first` runs right after the commit, before every other hook, so their effects (an
email, a file put in place) follow a confirmed flush. If it raises, the transaction has committed
all the same, so the other hooks still run (a break-the-glass grant's notification must go out),
and then its error is raised to the caller. Everything else is Django's.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    # The hook `on_commit_first` registered; it runs first only while its entry is in the list
    # (a savepoint rolled back, or the transaction, drops the entry as it drops any hook's).
    first_commit_hook: Callable[[], None] | None = None

    def on_commit_first(self, func: Callable[[], None]) -> None:
        """Run `func` once right after the current transaction commits, before its other hooks,
        however often it is registered in the transaction. Must be called in a transaction."""
        if not self.in_atomic_block:
            raise RuntimeError("on_commit_first() needs a transaction")
        self.first_commit_hook = func
        if not any(entry[1] is func for entry in self.run_on_commit):
            self.on_commit(func)

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
        super().run_and_clear_commit_hooks()

    def _take_first_hook(self) -> Callable[[], None] | None:
        """Take the first hook out of the transaction's hooks, if it is still among them."""
        hooks = self.run_on_commit
        for index, entry in enumerate(hooks):
            if entry[1] is self.first_commit_hook:
                del hooks[index]
                return entry[1]
        return None
