"""HIPAA: the individual's rights and disclosures to the individual or a representative.

Owns 45 CFR 164.502(a)(2) (the two required disclosures: to the individual and to HHS),
164.524 (access within 30 days, psychotherapy notes excluded), 164.528 (accounting) and how a
personal representative stands in the individual's place. Who is a representative is decided
in `hipaa_reps.py`.
"""

from __future__ import annotations

from dataclasses import replace

from .. import conditions as c
from ..context import Context
from ..decision import Basis, Finding, Outcome, RuleRef, define
from ..facts import InfoCategory, Purpose, Recipient
from .minors import minor_row

R = Recipient
P = Purpose
Out = Outcome
PN = InfoCategory.PSYCHOTHERAPY_NOTES

ACCESS = define(
    "hipaa.individual.access",
    ("45 CFR 164.524(a)-(c)", "45 CFR 164.502(a)(2)(i)", "NASW Code 1.08"),
    "The individual's right to inspect and copy the designated record set within 30 days",
)
ACCESS_PN = define(
    "hipaa.individual.access.psychotherapy_notes",
    ("45 CFR 164.524(a)(1)(i)", "45 CFR 164.524(a)(2)(i)"),
    "Psychotherapy notes are outside the right of access; sharing them is a judgment",
)
ACCESS_MINOR = define(
    "hipaa.individual.access.minor",
    ("45 CFR 164.502(g)(3)", "HHS OCR FAQ 2092"),
    "A minor's own access turns on whether the minor controls the records under state law",
)
ACCESS_DENIAL = define(
    "hipaa.individual.access.reviewable_denial",
    ("45 CFR 164.524(a)(3)", "45 CFR 164.524(a)(4)", "NASW Code 1.08(a)"),
    "Access may be denied, subject to review, where it would endanger life or safety",
)
ACCOUNTING = define(
    "hipaa.individual.accounting",
    ("45 CFR 164.528(a)-(c)", "45 CFR 164.502(a)(2)(i)"),
    "The individual's right to an accounting of disclosures (six years, 60 days)",
)
TO_INDIVIDUAL = define(
    "hipaa.individual.disclosure",
    ("45 CFR 164.502(a)(1)(i)",),
    "Disclosure to the individual is permitted",
)
HHS = define(
    "hipaa.hhs.compliance",
    ("45 CFR 164.502(a)(2)(ii)", "45 CFR 160.310"),
    "Disclosure to HHS for a compliance review or investigation is required",
)
ACCESS_RATIONALE = (
    "The client has a right to inspect and copy the record (excluding psychotherapy notes and "
    "material compiled for litigation), in the form asked for if readily producible, within 30 "
    "days (one 30-day extension). Access may be limited only on the reviewable grounds, with a "
    "written denial; others named in the record stay protected."
)


def _access_required(extra: tuple[str, ...], rationale: str) -> Finding:
    return ACCESS.find(
        Out.REQUIRED,
        c.DEADLINE_HIPAA_ACCESS,
        c.PROVIDE_IN_REQUESTED_FORM,
        c.OFFER_HELP_INTERPRETING_RECORD,
        c.PROTECT_THIRD_PARTY_INFORMATION,
        c.WRITTEN_DENIAL_WITH_REVIEW_RIGHTS,
        *extra,
        rationale=rationale,
        basis=Basis.INDIVIDUAL,
    )


def _psychotherapy_notes_access() -> Finding:
    return ACCESS_PN.find(
        Out.NEEDS_REVIEW,
        c.PROFESSIONAL_JUDGMENT,
        c.OFFER_SUMMARY_INSTEAD,
        c.WRITTEN_DENIAL_WITH_REVIEW_RIGHTS,
        rationale=(
            "Psychotherapy notes are excluded from the right of access (an unreviewable denial "
            "ground); the rest of the record must be provided. Whether to share the notes "
            "themselves, or a summary, is the clinician's judgment."
        ),
    )


def _accounting() -> Finding:
    return ACCOUNTING.find(
        Out.REQUIRED,
        c.DEADLINE_ACCOUNTING,
        c.ACCOUNTING_PERIOD,
        c.ACCOUNTING_EXCLUSIONS_APPLY,
        c.ACCOUNTING_ENTRY,
        c.FEE_FIRST_ACCOUNTING_FREE,
        rationale=(
            "The individual may have an accounting of disclosures for up to six years back, "
            "within 60 days (one 30-day extension), the first in any 12 months free. Treatment, "
            "payment, operations, authorized and 164.510 disclosures are excluded."
        ),
        basis=Basis.INDIVIDUAL,
    )


def on_behalf(ctx: Context, rep: RuleRef, rationale: str) -> Finding:
    """A personal representative stands in the individual's shoes (access, accounting, other)."""
    if ctx.purpose is P.ACCOUNTING_REQUEST:
        finding = _accounting()
    elif ctx.purpose is P.ACCESS_REQUEST and ctx.info is PN:
        finding = _psychotherapy_notes_access()
    elif ctx.purpose is P.ACCESS_REQUEST:
        finding = _access_required((c.CONSIDER_REVIEWABLE_DENIAL,), ACCESS_RATIONALE)
    else:
        finding = TO_INDIVIDUAL.find(
            Out.PERMITTED,
            rationale="Disclosure to the representative is disclosure to the client.",
            basis=Basis.INDIVIDUAL,
        )
    return replace(
        finding,
        rule=rep,
        rationale=f"{rationale} {finding.rationale}",
        citations=rep.citations + finding.citations,
    )


def _minor_self_access(ctx: Context) -> Finding:
    row = minor_row(ctx)
    age = ctx.facts.client_age
    if row is not None and row.min_age is not None and age is not None and age >= row.min_age:
        return _access_required(
            (),
            "The minor may consent alone to this care under state law, so the minor, not the "
            "parent, exercises the right of access to these records.",
        )
    return ACCESS_MINOR.find(
        Out.NEEDS_REVIEW,
        c.CHECK_MINOR_RECORDS_LAW,
        c.PROFESSIONAL_JUDGMENT,
        rationale=(
            "A parent normally exercises a minor's access rights; whether this minor controls "
            "these records depends on state minor-consent law the engine cannot resolve."
        ),
        missing=("client_age",) if age is None else (),
    )


def _endangering_access(ctx: Context) -> Finding | None:
    """A known threat makes access a licensed professional's reviewable call (164.524(a)(3))."""
    if ctx.facts.threat.present is not True:
        return None
    return ACCESS_DENIAL.find(
        Out.NEEDS_REVIEW,
        c.CONSIDER_REVIEWABLE_DENIAL,
        c.PROFESSIONAL_JUDGMENT,
        c.WRITTEN_DENIAL_WITH_REVIEW_RIGHTS,
        c.DEADLINE_HIPAA_ACCESS,
        rationale=(
            "Access may be denied only where a licensed professional judges it reasonably "
            "likely to endanger the life or physical safety of the client or another person; "
            "such a denial is in writing and reviewable by another professional, within the "
            "same 30 days. Withhold only with compelling evidence of serious harm."
        ),
    )


def individual_rights(ctx: Context) -> Finding | None:
    """Access (164.524), accounting (164.528) and other disclosures to the client."""
    if ctx.recipient is not R.CLIENT_SELF:
        return None
    if ctx.purpose is P.ACCOUNTING_REQUEST:
        return _accounting()
    if ctx.purpose is not P.ACCESS_REQUEST:
        return TO_INDIVIDUAL.find(
            Out.PERMITTED,
            rationale="Disclosure to the client is permitted.",
            basis=Basis.INDIVIDUAL,
        )
    if ctx.info is PN:
        return _psychotherapy_notes_access()
    if ctx.is_minor() is True:
        return _minor_self_access(ctx)
    return _endangering_access(ctx) or _access_required((), ACCESS_RATIONALE)


def hhs_compliance(ctx: Context) -> Finding | None:
    if ctx.recipient is not R.HHS or ctx.purpose is P.BREACH_NOTIFICATION:
        return None
    return HHS.find(
        Out.REQUIRED,
        c.VERIFY_IDENTITY,
        rationale="HHS compliance reviews and investigations are one of HIPAA's two required "
        "disclosures.",
        basis=Basis.HHS,
    )
