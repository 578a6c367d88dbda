"""State law parameters, loaded from the CSV tables in `data/`.

Owns reading and validating the tables (each row carries its citation, its source and whether it
was verified against the statute) and choosing the row in force on a date. The logic that applies
these parameters lives in `rules/state.py`; nothing here decides an outcome.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path

from .facts import ProfessionalRole, Recipient

DATA_DIR = Path(__file__).resolve().parent / "data"


class DataError(ValueError):
    """A state table row is malformed (raised at load time, so a bad table never decides)."""


class DutyType(StrEnum):
    MANDATORY = "mandatory"
    PERMISSIVE = "permissive"
    NONE = "none"


class WarnModel(StrEnum):
    """How a state's duty-to-warn law is discharged (what the engine must attach)."""

    WARN_VICTIM_AND_POLICE = "warn_victim_and_police"
    POLICE_REQUIRED_VICTIM_OPTIONAL = "police_required_victim_optional"
    VICTIM_AND_POLICE_OR_HOSPITALIZE = "victim_and_police_or_hospitalize"
    MEDICAL_OR_POLICE_ONLY = "medical_or_police_only"
    PERMISSIVE_ANY_ABLE = "permissive_any_able"
    UNVERIFIED = "unverified"


class ReportType(StrEnum):
    CHILD_ABUSE = "child_abuse"
    ELDER_ABUSE = "elder_abuse"
    DANGEROUS_PATIENT = "dangerous_patient"


class MinorService(StrEnum):
    OUTPATIENT_MENTAL_HEALTH = "outpatient_mental_health"
    SUD_TREATMENT = "sud_treatment"


class ParentalAccess(StrEnum):
    """What state law says about a parent's access to records of a minor-consent service."""

    PROHIBITED = "prohibited"
    MINOR_CONSENT_REQUIRED = "minor_consent_required"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Sourced:
    """What every row carries: the state, what to cite, where it came from, whether verified."""

    state: str
    citation: str
    source: str
    verified: bool


@dataclass(frozen=True)
class DutyToWarnRow(Sourced):
    effective_from: date
    effective_to: date | None
    duty: DutyType
    model: WarnModel
    covered_roles: frozenset[ProfessionalRole] | None  # None: every role
    requires_identifiable_victim: bool
    requires_imminence: bool


@dataclass(frozen=True)
class ReportingRow(Sourced):
    report_type: ReportType
    effective_from: date
    deadlines: tuple[str, ...]  # condition details, e.g. "written_report_36_hours"
    scope: str  # condition detail for limit_to_scope, e.g. "reporting_law"
    may_not_delegate: bool
    recipients: frozenset[Recipient]
    covered_roles: frozenset[ProfessionalRole] | None


@dataclass(frozen=True)
class MinorConsentRow(Sourced):
    service: MinorService
    min_age: int | None  # None: no single age (the engine cannot tell)
    session_limit: int | None
    session_limit_under_age: int | None
    parental_access: ParentalAccess
    provider_may_refuse_if_detrimental: bool


@dataclass(frozen=True)
class ConfidentialityRow(Sourced):
    privilege_citation: str
    mental_health_citation: str
    hiv_citation: str


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        if not row.get("state") or not row.get("source"):
            raise DataError(f"{name}:{number}: every row needs a state and a source")
    return rows


def _flag(value: str, where: str) -> bool:
    if value not in {"yes", "no"}:
        raise DataError(f"{where}: expected yes or no, got {value!r}")
    return value == "yes"


def _optional_int(value: str) -> int | None:
    return int(value) if value else None


def _optional_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _roles(value: str) -> frozenset[ProfessionalRole] | None:
    if value == "*":
        return None
    return frozenset(ProfessionalRole(v) for v in value.split(";") if v)


def _duty_row(row: dict[str, str], where: str) -> DutyToWarnRow:
    return DutyToWarnRow(
        state=row["state"],
        citation=row["citation"],
        source=row["source"],
        verified=_flag(row["verified"], where),
        effective_from=date.fromisoformat(row["effective_from"]),
        effective_to=_optional_date(row["effective_to"]),
        duty=DutyType(row["duty"]),
        model=WarnModel(row["model"]),
        covered_roles=_roles(row["covered_roles"]),
        requires_identifiable_victim=_flag(row["requires_identifiable_victim"], where),
        requires_imminence=_flag(row["requires_imminence"], where),
    )


def _reporting_row(row: dict[str, str], where: str) -> ReportingRow:
    cells = (row["initial_deadline"], row["written_deadline"])
    deadlines = tuple(d for cell in cells for d in cell.split(";") if d)
    return ReportingRow(
        state=row["state"],
        citation=row["citation"],
        source=row["source"],
        verified=_flag(row["verified"], where),
        report_type=ReportType(row["report_type"]),
        effective_from=date.fromisoformat(row["effective_from"]),
        deadlines=deadlines,
        scope=row["scope"],
        may_not_delegate=_flag(row["may_not_delegate"], where),
        recipients=frozenset(Recipient(r) for r in row["recipients"].split(";")),
        covered_roles=_roles(row["covered_roles"]),
    )


def _minor_row(row: dict[str, str], where: str) -> MinorConsentRow:
    return MinorConsentRow(
        state=row["state"],
        citation=row["citation"],
        source=row["source"],
        verified=_flag(row["verified"], where),
        service=MinorService(row["service"]),
        min_age=_optional_int(row["min_age"]),
        session_limit=_optional_int(row["session_limit"]),
        session_limit_under_age=_optional_int(row["session_limit_under_age"]),
        parental_access=ParentalAccess(row["parental_access"]),
        provider_may_refuse_if_detrimental=_flag(row["provider_may_refuse_if_detrimental"], where),
    )


def _confidentiality_row(row: dict[str, str], where: str) -> ConfidentialityRow:
    return ConfidentialityRow(
        state=row["state"],
        citation=row["privilege_citation"],
        source=row["source"],
        verified=_flag(row["verified"], where),
        privilege_citation=row["privilege_citation"],
        mental_health_citation=row["mental_health_citation"],
        hiv_citation=row["hiv_citation"],
    )


@cache
def duty_to_warn_rows() -> tuple[DutyToWarnRow, ...]:
    name = "duty_to_warn.csv"
    return tuple(_duty_row(r, f"{name}:{i}") for i, r in enumerate(_read(name), start=2))


@cache
def reporting_rows() -> tuple[ReportingRow, ...]:
    name = "mandated_reporting.csv"
    return tuple(_reporting_row(r, f"{name}:{i}") for i, r in enumerate(_read(name), start=2))


@cache
def minor_consent_rows() -> tuple[MinorConsentRow, ...]:
    name = "minor_consent.csv"
    return tuple(_minor_row(r, f"{name}:{i}") for i, r in enumerate(_read(name), start=2))


@cache
def confidentiality_rows() -> tuple[ConfidentialityRow, ...]:
    name = "state_confidentiality.csv"
    return tuple(_confidentiality_row(r, f"{name}:{i}") for i, r in enumerate(_read(name), start=2))


def duty_to_warn(state: str, on: date) -> DutyToWarnRow | None:
    """The duty-to-warn row in force in `state` on `on`, if the table has one."""
    for row in duty_to_warn_rows():
        in_force = row.effective_from <= on and (row.effective_to is None or on < row.effective_to)
        if row.state == state and in_force:
            return row
    return None


def reporting(state: str, report_type: ReportType, on: date) -> ReportingRow | None:
    """The mandated-reporting row for `state` and `report_type` in force on `on`."""
    for row in reporting_rows():
        if row.state == state and row.report_type is report_type and row.effective_from <= on:
            return row
    return None


def minor_consent(state: str, service: MinorService) -> MinorConsentRow | None:
    for row in minor_consent_rows():
        if row.state == state and row.service is service:
            return row
    return None


def confidentiality(state: str) -> ConfidentialityRow | None:
    for row in confidentiality_rows():
        if row.state == state:
            return row
    return None
