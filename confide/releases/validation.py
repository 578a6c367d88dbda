"""What a release must hold, per kind, and the shape rules of its input.

One place for the law's element lists: HIPAA authorizations (45 CFR 164.508(c)(1) core elements,
(c)(2) required statements), psychotherapy-notes authorizations (164.508(a)(2), never combined:
(b)(3)(ii)), 42 CFR Part 2 consents (2.31 as amended in 2024, including the single consent for
treatment, payment and health care operations), VAWA releases (34 U.S.C. 12291(b)(2): written,
informed, reasonably time-limited) and agency releases for agencies HIPAA does not cover.

`clean_release` and `clean_signature` collect every problem and raise once: `ReleaseIncomplete`
(naming every missing element) when elements are missing, else `ValidationFailed`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from confide.records.validation import Problems
from confide.releases.enums import (
    Category,
    RecipientType,
    ReleaseKind,
    ReleasePurpose,
    Statement,
)
from confide.releases.errors import Element, ReleaseIncomplete

MAX_NAME = 200
MAX_CONTACT = 500
MAX_DESCRIPTION = 2000
MAX_PURPOSE_DETAIL = 1000
MAX_EVENT = 200
MAX_AUTHORITY = 500
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
MAX_START_AHEAD = dt.timedelta(days=366)


@dataclass(frozen=True)
class ReleaseInput:
    kind: str
    recipient_type: str
    recipient_name: str
    purpose: str
    categories: tuple[str, ...]
    starts_on: dt.date | None
    description: str = ""
    discloser: str = ""
    recipient_contact: str = ""
    purpose_detail: str = ""
    records_from: dt.date | None = None
    records_to: dt.date | None = None
    expires_on: dt.date | None = None
    expiry_event: str = ""
    part2_tpo: bool = False
    statements: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignatureInput:
    signer_name: str
    signed_on: dt.date | None
    signer_is_representative: bool = False
    representative_authority: str = ""


def _e(name: str, label: str, cite: str) -> Element:
    return Element(name, label, cite)


_HIPAA = (
    _e("categories", "the kinds of information", "45 CFR 164.508(c)(1)(i)"),
    _e(
        "description",
        "a specific, meaningful description of the information",
        "45 CFR 164.508(c)(1)(i)",
    ),
    _e("discloser", "who may disclose it", "45 CFR 164.508(c)(1)(ii)"),
    _e("recipient_name", "who may receive it", "45 CFR 164.508(c)(1)(iii)"),
    _e("purpose", "each purpose of the disclosure", "45 CFR 164.508(c)(1)(iv)"),
    _e("expiry", "an expiration date or event", "45 CFR 164.508(c)(1)(v)"),
    _e("right_to_revoke", Statement.RIGHT_TO_REVOKE.label, "45 CFR 164.508(c)(2)(i)"),
    _e("conditioning", Statement.CONDITIONING.label, "45 CFR 164.508(c)(2)(ii)"),
    _e("redisclosure", Statement.REDISCLOSURE.label, "45 CFR 164.508(c)(2)(iii)"),
)
_PART2 = (
    _e(
        "categories",
        "the kinds of information, including substance use information",
        "42 CFR 2.31(a)",
    ),
    _e(
        "description",
        "how much and what kind of information, described specifically",
        "42 CFR 2.31(a)",
    ),
    _e("discloser", "who may disclose it (from whom)", "42 CFR 2.31(a)"),
    _e("recipient_name", "who may receive it (to whom), by name or class", "42 CFR 2.31(a)"),
    _e("purpose", "the purpose of the disclosure", "42 CFR 2.31(a)"),
    _e("expiry", "an expiration date or event", "42 CFR 2.31(a)"),
    _e("right_to_revoke", Statement.RIGHT_TO_REVOKE.label, "42 CFR 2.31(a)"),
    _e("conditioning", "statement on the consequences of refusing to sign", "42 CFR 2.31(a)"),
    _e("redisclosure", "statement on redisclosure by the recipient", "42 CFR 2.31(a), 2.32"),
)
_VAWA = (
    _e("categories", "the kinds of information", "34 U.S.C. 12291(b)(2)"),
    _e("description", "what identifying information will be released", "34 U.S.C. 12291(b)(2)"),
    _e("recipient_name", "who will receive it", "34 U.S.C. 12291(b)(2)"),
    _e("purpose", "why it will be released", "34 U.S.C. 12291(b)(2)"),
    _e("expires_on", "an expiration date (reasonably time-limited)", "34 U.S.C. 12291(b)(2)"),
    _e("informed", Statement.INFORMED.label, "34 U.S.C. 12291(b)(2); 28 CFR 90.4"),
    _e(
        "conditioning",
        "statement that services never depend on signing",
        "34 U.S.C. 12291(b)(2); 28 CFR 90.4",
    ),
    _e("right_to_revoke", Statement.RIGHT_TO_REVOKE.label, "34 U.S.C. 12291(b)(2)"),
)
_AGENCY = (
    _e("categories", "the kinds of information", "NASW Code 1.03, 1.07(b)"),
    _e("description", "a description of the information", "NASW Code 1.03, 1.07(b)"),
    _e("recipient_name", "who may receive it", "NASW Code 1.07(b)"),
    _e("purpose", "the purpose", "NASW Code 1.03(a)"),
    _e("expiry", "an expiration date or event", "NASW Code 1.03(a)"),
    _e("right_to_revoke", Statement.RIGHT_TO_REVOKE.label, "NASW Code 1.03(a)"),
)
REQUIRED: dict[str, tuple[Element, ...]] = {
    ReleaseKind.HIPAA_AUTHORIZATION: _HIPAA,
    ReleaseKind.PSYCHOTHERAPY_NOTES: tuple(
        replace(e, cite=f"{e.cite}; 164.508(a)(2)") for e in _HIPAA
    ),
    ReleaseKind.PART2_CONSENT: _PART2,
    ReleaseKind.VAWA_RELEASE: _VAWA,
    ReleaseKind.AGENCY_RELEASE: _AGENCY,
}
SIGNATURE = (
    _e(
        "signer_name",
        "the signature (typed full name) of the client or representative",
        "45 CFR 164.508(c)(1)(vi); 42 CFR 2.31(a)",
    ),
    _e("signed_on", "the date of signature", "45 CFR 164.508(c)(1)(vi); 42 CFR 2.31(a)"),
)
REPRESENTATIVE = _e(
    "representative_authority",
    "a description of the representative's authority to act for the client",
    "45 CFR 164.508(c)(1)(vi); 42 CFR 2.31(a)",
)


def _present(name: str, data: ReleaseInput) -> bool:
    """Whether the element `name` is filled in (statements: ticked on the form)."""
    if name in Statement.values:
        return name in data.statements
    if name == "expiry":
        return data.expires_on is not None or bool(data.expiry_event)
    if name == "categories":
        return bool(data.categories)
    value = getattr(data, name)
    return value is not None and value != ""


def missing_elements(data: ReleaseInput) -> list[Element]:
    """Every required element of the release's kind that `data` lacks."""
    required = REQUIRED.get(data.kind, ())
    missing = [e for e in required if not _present(e.name, data)]
    if data.kind == ReleaseKind.PART2_CONSENT and data.part2_tpo:
        # "none" or "end of treatment" is an accepted expiry of the single TPO consent.
        missing = [e for e in missing if e.name != "expiry"]
    return missing


def _choice(
    p: Problems, name: str, value: object, allowed: list[str], *, element: bool = False
) -> str:
    """A value of a closed set; an empty one is left to the missing-element check if the
    kind's element list holds it (`element`), else reported as required."""
    if value in ("", None):
        if not element:
            p.fields[name] = "is required"
        return ""
    if not isinstance(value, str) or value not in allowed:
        p.fields[name] = f"must be one of {', '.join(allowed)}"
        return ""
    return value


def _day(p: Problems, name: str, value: object, *, required: bool = False) -> dt.date | None:
    if value is None:
        if required:
            p.fields[name] = "is required"
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        p.fields[name] = "must be a date (YYYY-MM-DD)"
        return None
    if not EARLIEST <= value <= LATEST:
        p.fields[name] = f"must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}"
        return None
    return value


def _texts(p: Problems, data: ReleaseInput) -> dict[str, str]:
    limits = {
        "recipient_name": MAX_NAME,
        "recipient_contact": MAX_CONTACT,
        "discloser": MAX_NAME,
        "purpose_detail": MAX_PURPOSE_DETAIL,
        "description": MAX_DESCRIPTION,
        "expiry_event": MAX_EVENT,
    }
    return {
        name: p.text(name, getattr(data, name), limit=limit, required=False)
        for name, limit in limits.items()
    }


def _set(p: Problems, name: str, values: object, allowed: list[str]) -> tuple[str, ...]:
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        p.fields[name] = "must be a list of choices"
        return ()
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        p.fields[name] = f"unknown choice(s); allowed: {', '.join(allowed)}"
    return tuple(sorted(set(values) & set(allowed)))


def _combination(p: Problems, kind: str, categories: tuple[str, ...]) -> None:
    """Information that needs its own kind of release, never combined with other information."""
    cats = set(categories)
    pn, sud_notes = Category.PSYCHOTHERAPY_NOTES.value, Category.SUD_COUNSELING_NOTES.value
    if kind == ReleaseKind.PSYCHOTHERAPY_NOTES and cats - {pn}:
        p.fields["categories"] = (
            "a psychotherapy-notes authorization covers psychotherapy notes only; use a separate "
            "release for other information (45 CFR 164.508(b)(3)(ii))"
        )
    elif kind != ReleaseKind.PSYCHOTHERAPY_NOTES and pn in cats:
        p.fields["categories"] = (
            "psychotherapy notes need their own psychotherapy-notes authorization, never combined "
            "with other information (45 CFR 164.508(a)(2), (b)(3)(ii))"
        )
    elif sud_notes in cats and (kind != ReleaseKind.PART2_CONSENT or cats != {sud_notes}):
        p.fields["categories"] = (
            "SUD counseling notes need their own Part 2 consent, never combined with other "
            "information (42 CFR 2.31(b), as amended 2024)"
        )
    elif Category.SUBSTANCE_USE_PART2.value in cats and kind != ReleaseKind.PART2_CONSENT:
        p.fields["categories"] = (
            "Part 2 substance use records need a Part 2 consent; a general release is not "
            "enough (42 CFR 2.31, 2.32)"
        )


def _purpose_rules(p: Problems, kind: str, purpose: str, part2_tpo: bool) -> None:
    if part2_tpo and kind != ReleaseKind.PART2_CONSENT:
        p.fields["part2_tpo"] = "only a Part 2 consent can be a single consent for TPO"
    elif part2_tpo and purpose != ReleasePurpose.TPO:
        p.fields["purpose"] = "a single consent for TPO has the purpose 'tpo'"
    elif purpose == ReleasePurpose.TPO and not part2_tpo:
        p.fields["purpose"] = "'tpo' is the purpose of a Part 2 single consent for TPO only"


def _date_rules(p: Problems, data: ReleaseInput, today: dt.date) -> None:
    starts = _day(p, "starts_on", data.starts_on, required=True)
    expires = _day(p, "expires_on", data.expires_on)
    first = _day(p, "records_from", data.records_from)
    last = _day(p, "records_to", data.records_to)
    if starts and starts > today + MAX_START_AHEAD:
        p.fields["starts_on"] = "must be within a year from today"
    if starts and expires and expires < starts:
        p.fields["expires_on"] = "must not be before the start date"
    elif expires and expires < today:
        p.fields["expires_on"] = "has already passed: this release could never be used"
    if first and last and last < first:
        p.fields["records_to"] = "must not be before the first date of records covered"
    if first and first > today:
        p.fields["records_from"] = "must not be in the future"


def clean_release(data: ReleaseInput, *, today: dt.date) -> ReleaseInput:
    """The release with its text trimmed, or one error naming every problem and missing element."""
    p = Problems()
    kind = _choice(p, "kind", data.kind, ReleaseKind.values)
    recipient_type = _choice(p, "recipient_type", data.recipient_type, RecipientType.values)
    purpose = _choice(p, "purpose", data.purpose, ReleasePurpose.values, element=True)
    categories = _set(p, "categories", data.categories, Category.values)
    statements = _set(p, "statements", data.statements, Statement.values)
    texts = _texts(p, data)
    if not isinstance(data.part2_tpo, bool):
        p.fields["part2_tpo"] = "must be true or false"
    part2_tpo = data.part2_tpo is True
    _date_rules(p, data, today)
    if kind:
        _combination(p, kind, categories)
        _purpose_rules(p, kind, purpose, part2_tpo)
    cleaned = replace(
        data,
        kind=kind,
        recipient_type=recipient_type,
        purpose=purpose,
        categories=categories,
        statements=statements,
        part2_tpo=part2_tpo,
        recipient_name=texts["recipient_name"],
        recipient_contact=texts["recipient_contact"],
        discloser=texts["discloser"],
        purpose_detail=texts["purpose_detail"],
        description=texts["description"],
        expiry_event=texts["expiry_event"],
    )
    missing = missing_elements(cleaned) if kind else []
    # A bad value already reported is not also "missing".
    missing = [e for e in missing if e.name not in p.fields]
    if missing:
        raise ReleaseIncomplete(ReleaseKind(kind).label, missing, p.fields)
    p.raise_if_any()
    return cleaned


def clean_signature(data: SignatureInput, *, today: dt.date) -> SignatureInput:
    """The typed signature, or one error naming every missing element and problem."""
    p = Problems()
    name = p.text("signer_name", data.signer_name, limit=MAX_NAME, required=False)
    authority = p.text(
        "representative_authority",
        data.representative_authority,
        limit=MAX_AUTHORITY,
        required=False,
    )
    signed_on = _day(p, "signed_on", data.signed_on)
    if signed_on and signed_on > today:
        p.fields["signed_on"] = "must not be in the future"
    representative = data.signer_is_representative is True
    if authority and not representative and "representative_authority" not in p.fields:
        # A stated authority ("Parent") says a representative signed: never drop it silently and
        # treat the release as the client's own (which decides what a minor consented to alone).
        p.fields["representative_authority"] = (
            "is for a personal representative's signature: tick that a representative signed, "
            "or leave it empty"
        )
    cleaned = SignatureInput(name, signed_on, representative, authority if representative else "")
    missing = [e for e in SIGNATURE if not getattr(cleaned, e.name) and e.name not in p.fields]
    if representative and not authority and "representative_authority" not in p.fields:
        missing.append(REPRESENTATIVE)
    if missing:
        raise ReleaseIncomplete("signature", missing, p.fields)
    p.raise_if_any()
    return cleaned
