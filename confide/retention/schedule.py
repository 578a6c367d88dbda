"""State retention defaults (the CSV table in `data/`) and the destruction-date rule.

Pure functions, no database: `state_defaults` reads and validates the table (every row names
its citation and source, and says which values are law and which are agency-policy defaults);
`destruction_date` applies a schedule to one client's dates.

The rule: a record may be destroyed `years_after_closure` years after its last case closed; if
the client was a minor at any time while served, also not before `years_after_majority` years
after they reached `majority_age`; and never within six years of a disclosure listed in the
accounting of disclosures (45 CFR 164.528 and 164.530(j)(2): the accounting covers six years).
The latest of these applies.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from confide.retention.enums import Basis

DATA = Path(__file__).resolve().parent / "data" / "state_retention.csv"
ACCOUNTING_YEARS = 6
LAW, AGENCY_POLICY = "law", "agency_policy"


class ScheduleDataError(ValueError):
    """The state table is malformed (raised at load time, so a bad table never decides)."""


@dataclass(frozen=True)
class StateDefault:
    state: str
    years_after_closure: int
    closure_basis: str
    years_after_majority: int
    majority_age: int
    minor_basis: str
    citation: str
    source: str
    verified: bool
    note: str

    def minimums(self) -> tuple[int, int]:
        """The floors an agency may not go below: law-based values only."""
        return (
            self.years_after_closure if self.closure_basis == LAW else 0,
            self.years_after_majority if self.minor_basis == LAW else 0,
        )


def _row(raw: dict[str, str], line: int) -> StateDefault:
    try:
        row = StateDefault(
            state=raw["state"],
            years_after_closure=int(raw["years_after_closure"]),
            closure_basis=raw["closure_basis"],
            years_after_majority=int(raw["years_after_majority"]),
            majority_age=int(raw["majority_age"]),
            minor_basis=raw["minor_basis"],
            citation=raw["citation"],
            source=raw["source"],
            verified=raw["verified"] == "yes",
            note=raw["note"],
        )
    except (KeyError, ValueError) as exc:
        raise ScheduleDataError(f"line {line}: {exc}") from None
    if len(row.state) != 2 or not row.state.isupper():
        raise ScheduleDataError(f"line {line}: state must be a two-letter code")
    if {row.closure_basis, row.minor_basis} - {LAW, AGENCY_POLICY}:
        raise ScheduleDataError(f"line {line}: basis must be law or agency_policy")
    if not row.source.strip() or not row.citation.strip():
        raise ScheduleDataError(f"line {line}: every row needs a citation and a source")
    if raw["verified"] not in ("yes", "no"):
        raise ScheduleDataError(f"line {line}: verified must be yes or no")
    return row


@cache
def state_defaults(path: Path = DATA) -> dict[str, StateDefault]:
    """The table, by state code. Immutable data read once per process."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [_row(raw, n) for n, raw in enumerate(csv.DictReader(handle), start=2)]
    table = {row.state: row for row in rows}
    if len(table) != len(rows):
        raise ScheduleDataError("a state appears twice")
    return table


def add_years(day: dt.date, years: int) -> dt.date:
    """The same date `years` later; 29 February becomes 1 March (the later day: keep longer)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


@dataclass(frozen=True)
class Rule:
    years_after_closure: int
    years_after_majority: int
    majority_age: int


@dataclass(frozen=True)
class ClientDates:
    first_opened: dt.date
    last_closed: dt.date
    born: dt.date
    last_disclosed: dt.date | None = None


def destruction_date(rule: Rule, dates: ClientDates) -> tuple[dt.date, Basis]:
    """The first day the record may be destroyed, and the rule that set it."""
    candidates = [(add_years(dates.last_closed, rule.years_after_closure), Basis.CLOSURE)]
    majority = add_years(dates.born, rule.majority_age)
    if dates.first_opened < majority:
        candidates.append((add_years(majority, rule.years_after_majority), Basis.MAJORITY))
    if dates.last_disclosed is not None:
        candidates.append((add_years(dates.last_disclosed, ACCOUNTING_YEARS), Basis.ACCOUNTING))
    return max(candidates, key=lambda c: c[0])
