"""Strict parsing of one JSON Lines input line into `Facts`.

Owns input validation for the `confide disclosure evaluate` contract: invalid JSON, wrong types,
unknown enumerated values, unknown members and missing required facts are errors, never guesses.
Every problem names its field (`facts.recipient_type: unknown value 'polise'`); all problems of a
line are reported together.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from .facts import (
    ANY_STATE,
    US_STATE_CODES,
    AbuseSuspected,
    AbuseType,
    Consent,
    ConsentType,
    EntityType,
    Facts,
    InfoCategory,
    LegalInstrument,
    Other,
    ProfessionalRole,
    Purpose,
    Recipient,
    StateLawFlags,
    Threat,
    ThreatTarget,
)

E = TypeVar("E", bound=StrEnum)

_MISSING = object()

_ProblemSink = Callable[[str], None]


class FactsError(ValueError):
    """The input does not satisfy the contract; `problems` name each field and what is wrong."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class ParsedLine:
    """One input line: its echoed `id` and either its facts or its error message."""

    id: object
    facts: Facts | None
    error: str | None


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class _Reader:
    """Reads typed members of one JSON object, collecting problems instead of raising."""

    def __init__(self, obj: dict[str, object], path: str, problems: list[str]) -> None:
        self._obj = obj
        self._path = path
        self._problems = problems
        self._seen: set[str] = set()

    def _get(self, name: str) -> object:
        self._seen.add(name)
        return self._obj.get(name, _MISSING)

    def problem(self, name: str, message: str) -> None:
        self._problems.append(f"{self._path}.{name}: {message}")

    def boolean(self, name: str) -> bool | None:
        value = self._get(name)
        if value is _MISSING or value is None:
            return None
        if isinstance(value, bool):
            return value
        self.problem(name, f"expected true, false or null, got {json_type(value)}")
        return None

    def count(self, name: str) -> int | None:
        value = self._get(name)
        if value is _MISSING or value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            if value >= 0:
                return value
            self.problem(name, f"expected an integer >= 0, got {value}")
            return None
        self.problem(name, f"expected an integer >= 0, got {json_type(value)}")
        return None

    def text(self, name: str) -> str | None:
        value = self._get(name)
        if value is _MISSING or value is None:
            return None
        if isinstance(value, str):
            return value
        self.problem(name, f"expected a string, got {json_type(value)}")
        return None

    def enum(self, name: str, cls: type[E]) -> E | None:
        value = self._get(name)
        if value is _MISSING or value is None:
            return None
        return _enum_value(value, cls, lambda message: self.problem(name, message))

    def required_enum(self, name: str, cls: type[E]) -> E | None:
        value = self._obj.get(name, _MISSING)
        if value is _MISSING:
            self._seen.add(name)
            self.problem(name, "missing required fact")
            return None
        if value is None:
            self._seen.add(name)
            self.problem(name, "required fact may not be null")
            return None
        return self.enum(name, cls)

    def raw(self, name: str) -> object:
        """The member as decoded (`_MISSING` when absent), for members with custom shapes."""
        return self._get(name)

    def report_unknown(self, what: str) -> None:
        for name in sorted(set(self._obj) - self._seen):
            self.problem(name, f"unknown {what}")


def _enum_value(value: object, cls: type[E], problem: _ProblemSink) -> E | None:
    if not isinstance(value, str):
        problem(f"expected a string, got {json_type(value)}")
        return None
    try:
        return cls(value)
    except ValueError:
        problem(f"unknown value {value!r}")
        return None


def _object(value: object, path: str, problems: list[str]) -> dict[str, object] | None:
    """The decoded object at `path`, or None when it is absent, null or not an object."""
    if value is _MISSING or value is None:
        return None
    if isinstance(value, dict):
        return value
    problems.append(f"{path}: expected an object or null, got {json_type(value)}")
    return None


def _consent(value: object, problems: list[str]) -> Consent:
    obj = _object(value, "facts.consent", problems)
    if obj is None:
        return Consent()
    r = _Reader(obj, "facts.consent", problems)
    consent = Consent(
        present=r.boolean("present"),
        type=r.enum("type", ConsentType),
        valid=r.boolean("valid"),
        revoked=r.boolean("revoked"),
        scope_covers_request=r.boolean("scope_covers_request"),
    )
    r.report_unknown("member")
    return consent


def _threat(value: object, problems: list[str]) -> Threat:
    obj = _object(value, "facts.threat", problems)
    if obj is None:
        return Threat()
    r = _Reader(obj, "facts.threat", problems)
    threat = Threat(
        present=r.boolean("present"),
        serious=r.boolean("serious"),
        imminent=r.boolean("imminent"),
        means=r.boolean("means"),
        victim_reasonably_identifiable=r.boolean("victim_reasonably_identifiable"),
        target=r.enum("target", ThreatTarget),
    )
    r.report_unknown("member")
    return threat


def _abuse(value: object, problems: list[str]) -> AbuseSuspected:
    obj = _object(value, "facts.abuse_suspected", problems)
    if obj is None:
        return AbuseSuspected()
    r = _Reader(obj, "facts.abuse_suspected", problems)
    abuse = AbuseSuspected(
        type=r.enum("type", AbuseType),
        basis=r.text("basis"),
        requester_is_suspected_abuser=r.boolean("requester_is_suspected_abuser"),
        alleged_abuser_is_personal_representative=r.boolean(
            "alleged_abuser_is_personal_representative"
        ),
    )
    r.report_unknown("member")
    return abuse


def _flags(value: object, problems: list[str]) -> StateLawFlags:
    obj = _object(value, "facts.state_law_flags", problems)
    if obj is None:
        return StateLawFlags()
    r = _Reader(obj, "facts.state_law_flags", problems)
    flags = StateLawFlags(
        report_required=r.boolean("report_required"),
        report_expressly_authorized=r.boolean("report_expressly_authorized"),
    )
    r.report_unknown("member")
    return flags


def _other(value: object, problems: list[str]) -> Other:
    obj = _object(value, "facts.other", problems)
    if obj is None:
        return Other()
    r = _Reader(obj, "facts.other", problems)
    other = Other(
        client_deceased=r.boolean("client_deceased"),
        encrypted=r.boolean("encrypted"),
        identifying=r.boolean("identifying"),
        paid_in_full_out_of_pocket=r.boolean("paid_in_full_out_of_pocket"),
        restriction_requested=r.boolean("restriction_requested"),
        affected_count=r.count("affected_count"),
    )
    r.report_unknown("member")
    return other


def _recipients(value: object, problems: list[str]) -> tuple[Recipient, ...]:
    path = "facts.recipient_type"
    if value is _MISSING:
        problems.append(f"{path}: missing required fact")
        return ()
    if value is None:
        problems.append(f"{path}: required fact may not be null")
        return ()
    if not isinstance(value, list):
        one = _enum_value(value, Recipient, lambda m: problems.append(f"{path}: {m}"))
        return () if one is None else (one,)
    if not value:
        problems.append(f"{path}: expected at least one recipient, got an empty array")
        return ()
    found: list[Recipient] = []
    for index, item in enumerate(value):
        sink = _indexed_sink(problems, f"{path}[{index}]")
        recipient = _enum_value(item, Recipient, sink)
        if recipient is not None and recipient not in found:
            found.append(recipient)
    return tuple(found)


def _indexed_sink(problems: list[str], path: str) -> _ProblemSink:
    def sink(message: str) -> None:
        problems.append(f"{path}: {message}")

    return sink


def _state(reader: _Reader) -> str | None:
    code = reader.text("jurisdiction_state")
    if code is None or code == ANY_STATE or code in US_STATE_CODES:
        return code
    reader.problem(
        "jurisdiction_state", f"unknown value {code!r} (expected a two-letter US code or 'ANY')"
    )
    return None


def parse_facts(raw: object) -> Facts:
    """Validate a decoded `facts` member and build `Facts`; raise `FactsError` listing problems."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise FactsError([f"facts: expected an object, got {json_type(raw)}"])
    r = _Reader(raw, "facts", problems)
    entity = r.required_enum("entity_type", EntityType)
    info = r.required_enum("info_category", InfoCategory)
    purpose = r.required_enum("purpose", Purpose)
    recipients = _recipients(r.raw("recipient_type"), problems)
    age = r.count("client_age")
    minor = r.boolean("client_is_minor")
    state = _state(r)
    role = r.enum("professional_role", ProfessionalRole)
    objects = r.boolean("client_objects")
    capable = r.boolean("client_present_and_capable")
    instrument = r.enum("legal_instrument", LegalInstrument)
    emergency = r.boolean("emergency")
    consent = _consent(r.raw("consent"), problems)
    threat = _threat(r.raw("threat"), problems)
    abuse = _abuse(r.raw("abuse_suspected"), problems)
    flags = _flags(r.raw("state_law_flags"), problems)
    other = _other(r.raw("other"), problems)
    r.report_unknown("fact")
    if problems or entity is None or info is None or purpose is None or not recipients:
        raise FactsError(problems)
    return Facts(
        entity_type=entity,
        info_category=info,
        recipients=recipients,
        purpose=purpose,
        client_age=age,
        client_is_minor=minor,
        jurisdiction_state=state,
        professional_role=role,
        consent=consent,
        client_objects=objects,
        client_present_and_capable=capable,
        legal_instrument=instrument,
        threat=threat,
        emergency=emergency,
        abuse_suspected=abuse,
        state_law_flags=flags,
        other=other,
    )


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate member {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def decode_json(text: str) -> object:
    """Decode strict JSON: no NaN/Infinity, no duplicate members. Raise ValueError with a reason."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} at column {exc.colno}") from None


def parse_line(text: str) -> ParsedLine:
    """Parse one JSON Lines input line (already decoded from UTF-8, without its newline)."""
    try:
        obj = decode_json(text)
    except ValueError as exc:
        return ParsedLine(id=None, facts=None, error=f"invalid JSON: {exc}")
    if not isinstance(obj, dict):
        return ParsedLine(
            id=None, facts=None, error=f"line: expected an object, got {json_type(obj)}"
        )
    line_id = obj.get("id")
    if "facts" not in obj:
        return ParsedLine(id=line_id, facts=None, error="facts: missing required member")
    try:
        return ParsedLine(id=line_id, facts=parse_facts(obj["facts"]), error=None)
    except FactsError as exc:
        return ParsedLine(id=line_id, facts=None, error=str(exc))
