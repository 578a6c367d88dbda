"""Rule packs: one module per legal regime, each an ordered list of checks.

Owns the shape of a regime: a named, ordered tuple of checks, where the first check that speaks
decides that regime's view of the disclosure (hard prohibitions first, then duties, then
permissions, then the regime's default). Regimes are combined in `evaluate.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..context import Context
from ..decision import Finding

Check = Callable[[Context], Finding | None]


@dataclass(frozen=True)
class Regime:
    """A legal regime's ordered checks; the first that returns a finding speaks for the regime."""

    name: str
    checks: tuple[Check, ...]

    def decide(self, ctx: Context) -> Finding | None:
        for check in self.checks:
            finding = check(ctx)
            if finding is not None:
                return finding
        return None
