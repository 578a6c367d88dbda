"""Overlays: conditions that attach to a regime's finding because of its basis or its facts.

Owns the cross-cutting duties that accompany a disclosure rather than decide it: HIPAA minimum
necessary (164.502(b)) and accounting (164.528), excluding psychotherapy notes and SUD
counseling notes that need their own authorization, verifying requesters (164.514(h), 99.31(c)),
FERPA's record of disclosures (99.32), NASW least information (1.07(c)), legal review of legal
process, state privilege and mental-health law checks, and documentation of every decision.
Each overlay is one rule with its own id, so the audit trail shows why a condition is there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .. import conditions as c
from ..context import LEGAL_PROCESS, MENTAL_HEALTH_INFO, REQUEST_PURPOSES, Context
from ..decision import RELEASES, Basis, Finding, RuleRef, define
from ..facts import InfoCategory, Purpose, Recipient
from .state import mental_health_citation, privilege_citation

R = Recipient

Addition = tuple[tuple[str, ...], tuple[str, ...]]  # (conditions, extra citations)


@dataclass(frozen=True)
class Overlay:
    rule: RuleRef
    releases_only: bool
    add: Callable[[Context, Finding], Addition | None]


def _only(*conditions: str) -> Addition:
    return conditions, ()


def _minimum_necessary(ctx: Context, f: Finding) -> Addition | None:
    bases = (Basis.TPO, Basis.AGREEMENT, Basis.PUBLIC_INTEREST)
    return _only(c.MINIMUM_NECESSARY) if f.rule.regime == "hipaa" and f.basis in bases else None


def _accounting(ctx: Context, f: Finding) -> Addition | None:
    bases = (Basis.REQUIRED_BY_LAW, Basis.PUBLIC_INTEREST, Basis.HHS)
    return _only(c.LOG_FOR_ACCOUNTING) if f.rule.regime == "hipaa" and f.basis in bases else None


def _exclude_psychotherapy_notes(ctx: Context, f: Finding) -> Addition | None:
    hipaa = f.rule.regime == "hipaa"
    return (
        _only(c.EXCLUDE_PSYCHOTHERAPY_NOTES)
        if hipaa and ctx.info is not InfoCategory.PSYCHOTHERAPY_NOTES
        else None
    )


def _exclude_counseling_notes(ctx: Context, f: Finding) -> Addition | None:
    notes = (InfoCategory.SUD_COUNSELING_NOTES, InfoCategory.PSYCHOTHERAPY_NOTES)
    part2 = f.rule.regime == "part2"
    return _only(c.EXCLUDE_SUD_COUNSELING_NOTES) if part2 and ctx.info not in notes else None


def _verify(ctx: Context, f: Finding) -> Addition | None:
    if ctx.purpose not in REQUEST_PURPOSES or f.basis is Basis.AGREEMENT:
        return None
    cite = ("34 CFR 99.31(c)",) if f.rule.regime == "ferpa" else ()
    return (c.VERIFY_IDENTITY,), cite


def _ferpa_record(ctx: Context, f: Finding) -> Addition | None:
    ferpa = f.rule.regime == "ferpa"
    return _only(c.RECORD_DISCLOSURE_FERPA) if ferpa and f.basis is Basis.PUBLIC_INTEREST else None


def _least_information(ctx: Context, f: Finding) -> Addition | None:
    to_self = ctx.recipient in (R.CLIENT_SELF, R.AFFECTED_INDIVIDUALS, R.HHS)
    if to_self or f.basis is Basis.INDIVIDUAL:
        return None
    return _only(c.LIMIT_TO_DIRECTLY_RELEVANT)


def _legal_process(ctx: Context, f: Finding) -> Addition | None:
    return _only(c.LEGAL_REVIEW) if ctx.instrument in LEGAL_PROCESS else None


def _privilege(ctx: Context, f: Finding) -> Addition | None:
    if ctx.purpose is not Purpose.LITIGATION:
        return None
    return (c.CHECK_PRIVILEGE,), privilege_citation(ctx)


def _mental_health_law(ctx: Context, f: Finding) -> Addition | None:
    if ctx.info not in MENTAL_HEALTH_INFO or ctx.specific_state is None:
        return None
    if ctx.recipient is R.CLIENT_SELF:
        return None
    return (c.CHECK_MENTAL_HEALTH_LAW,), mental_health_citation(ctx)


def _document(ctx: Context, f: Finding) -> Addition | None:
    return _only(c.DOCUMENT)


OVERLAYS = (
    Overlay(
        define(
            "hipaa.minimum_necessary",
            ("45 CFR 164.502(b)", "45 CFR 164.514(d)"),
            "Limit to the minimum necessary (not for treatment, the individual, "
            "authorizations, HHS or what a law requires)",
        ),
        True,
        _minimum_necessary,
    ),
    Overlay(
        define(
            "hipaa.accounting.log",
            ("45 CFR 164.528(a)",),
            "Disclosures under 164.512 go in the accounting of disclosures",
        ),
        True,
        _accounting,
    ),
    Overlay(
        define(
            "hipaa.psychotherapy_notes.exclude",
            ("45 CFR 164.508(a)(2)", "45 CFR 164.524(a)(1)(i)"),
            "Psychotherapy notes stay out unless their own authorization or exception applies",
        ),
        True,
        _exclude_psychotherapy_notes,
    ),
    Overlay(
        define(
            "part2.counseling_notes.exclude",
            ("42 CFR 2.31(b) (2024: SUD counseling notes)",),
            "SUD counseling notes stay out unless their own consent covers them",
        ),
        True,
        _exclude_counseling_notes,
    ),
    Overlay(
        define(
            "engine.verify_requester",
            ("45 CFR 164.514(h)",),
            "Verify the identity and authority of a requester",
        ),
        True,
        _verify,
    ),
    Overlay(
        define(
            "ferpa.record_of_disclosures",
            ("34 CFR 99.32(a)-(d)",),
            "Record the disclosure with the education record",
        ),
        True,
        _ferpa_record,
    ),
    Overlay(
        define(
            "nasw.1_07_c.least_information",
            ("NASW Code 1.07(c)", "NASW Code 3.04(c)"),
            "Disclose the least information necessary, only what is directly relevant",
        ),
        True,
        _least_information,
    ),
    Overlay(
        define(
            "engine.legal_process_review",
            ("NASW Code 1.07(j)", "45 CFR 164.512(e)-(f)"),
            "Legal process is reviewed by counsel before anything is produced",
        ),
        False,
        _legal_process,
    ),
    Overlay(
        define(
            "state.privilege.check",
            ("domain brief 18 item 6 (a HIPAA permission is not a privilege waiver)",),
            "State evidentiary privilege can still block production",
        ),
        True,
        _privilege,
    ),
    Overlay(
        define(
            "state.mental_health_confidentiality.check",
            ("45 CFR 160.203(b)",),
            "State mental-health confidentiality law may be stricter than HIPAA",
        ),
        True,
        _mental_health_law,
    ),
    Overlay(
        define(
            "engine.document",
            ("NASW Code 3.04(a)-(b)", "45 CFR 164.530(j)"),
            "Document the request, the decision and its basis",
        ),
        False,
        _document,
    ),
)


def apply_overlays(ctx: Context, finding: Finding) -> Finding:
    """The finding with every applicable overlay's conditions and citations added."""
    conditions = set(finding.conditions)
    citations = list(finding.citations)
    fired: list[RuleRef] = []
    for overlay in OVERLAYS:
        if overlay.releases_only and finding.outcome not in RELEASES:
            continue
        addition = overlay.add(ctx, finding)
        if addition is None:
            continue
        added, cite = addition
        if not set(added) <= conditions:
            fired.append(overlay.rule)
            citations.extend(overlay.rule.citations + cite)
        conditions.update(added)
    return Finding(
        rule=finding.rule,
        outcome=finding.outcome,
        conditions=frozenset(conditions),
        rationale=finding.rationale,
        basis=finding.basis,
        missing=finding.missing,
        citations=tuple(citations),
        overlays=finding.overlays + tuple(fired),
    )
