"""Evaluation: which regimes apply, what each says, and how the most protective one wins.

Owns the combination policy. Every applicable regime (HIPAA or FERPA, Part 2, VAWA, the
non-covered baseline, the state overlay, the NASW overlay) speaks once per recipient. The
decision takes the most protective outcome (prohibited > needs_review > required >
permitted_with_conditions > permitted); a prohibition keeps only the findings that prohibit
(and only conditions that release nothing), a review keeps the open questions and the facts
they need, and a release gathers every regime's conditions. Judgment calls and unknown facts
that matter give needs_review, routed to a supervisor and held unless the matter is urgent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from . import conditions as c
from .context import SUD_INFO, Context
from .decision import RELEASES, Decision, Finding, Outcome, define, protectiveness
from .facts import EntityType, Facts, InfoCategory, Recipient
from .rules import Regime
from .rules.ferpa import FERPA
from .rules.hipaa import HIPAA
from .rules.nasw import NASW
from .rules.noncovered import NONCOVERED
from .rules.overlays import apply_overlays
from .rules.part2 import PART2
from .rules.state import STATE
from .rules.vawa import VAWA

NEEDS_REVIEW_POLICY = define(
    "engine.needs_review",
    ("domain brief 0 and 2 step 7", "NASW Code 2.05(a)", "Reamer's steps 5-6 (domain brief 14)"),
    "Judgment calls and unknown facts go to a supervisor; hold unless the matter is urgent",
)
NO_RULE = define(
    "engine.no_rule",
    ("domain brief 0 (needs_review)",),
    "No rule in the engine speaks to these facts",
)


def regimes_for(facts: Facts) -> tuple[Regime, ...]:
    """The legal regimes that govern this disclosure, most specific first."""
    entity = facts.entity_type
    education = (
        entity is EntityType.FERPA_SCHOOL or facts.info_category is InfoCategory.EDUCATION_RECORD
    )
    sud = entity is EntityType.PART2_PROGRAM or facts.info_category in SUD_INFO
    primary: list[Regime] = []
    if education:
        primary.append(FERPA)  # education records are not PHI (45 CFR 160.103)
    elif entity is EntityType.HIPAA_COVERED_PROVIDER:
        primary.append(HIPAA)
    if sud and not education:
        primary.append(PART2)  # Part 2 follows the record (42 CFR 2.11-2.12)
    if entity is EntityType.VAWA_GRANTEE_NON_COVERED:
        primary.append(VAWA)
    if entity in (EntityType.NON_COVERED_AGENCY, EntityType.VAWA_GRANTEE_NON_COVERED):
        primary.append(NONCOVERED)
    return (*primary, STATE, NASW)


def _findings(facts: Facts, as_of: date) -> list[tuple[Recipient, Finding]]:
    found: list[tuple[Recipient, Finding]] = []
    for recipient in facts.recipients:
        ctx = Context(facts, recipient, as_of)
        for regime in regimes_for(facts):
            finding = regime.decide(ctx)
            if finding is not None:
                found.append((recipient, apply_overlays(ctx, finding)))
        if not any(r is recipient for r, _ in found):
            found.append((recipient, _no_rule()))
    return found


def _no_rule() -> Finding:
    return NO_RULE.find(
        Outcome.NEEDS_REVIEW,
        c.LEGAL_REVIEW,
        c.DOCUMENT,
        rationale="No rule in the engine covers these facts; a person must decide.",
    )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _urgent(facts: Facts) -> bool:
    return facts.emergency is True or facts.threat.imminent is True


def _conditions(outcome: Outcome, chosen: list[Finding], facts: Facts) -> tuple[str, ...]:
    codes = set().union(*(f.conditions for f in chosen))
    if outcome is Outcome.PROHIBITED:
        codes = {code for code in codes if c.allowed_when_prohibited(code)}
    if outcome is Outcome.NEEDS_REVIEW:
        codes |= {c.SUPERVISORY_REVIEW, c.DOCUMENT}
        if not _urgent(facts):
            codes.add(c.HOLD_PENDING_REVIEW)
    return tuple(sorted(codes))


def _rationale(pairs: list[tuple[Recipient, Finding]], everyone: int) -> str:
    """Each distinct explanation once, naming its recipients when they differ."""
    by_text: dict[str, list[str]] = {}
    for recipient, finding in pairs:
        names = by_text.setdefault(finding.rationale, [])
        if recipient.value not in names:
            names.append(recipient.value)
    return " ".join(
        text if len(names) == everyone else f"To {', '.join(names)}: {text}"
        for text, names in by_text.items()
    )


def combine(facts: Facts, pairs: list[tuple[Recipient, Finding]]) -> Decision:
    """The most protective finding decides; see the module docstring for what is kept."""
    outcome = max((f.outcome for _, f in pairs), key=protectiveness)
    kept = outcome in RELEASES
    chosen = [(r, f) for r, f in pairs if kept or f.outcome is outcome]
    findings = [f for _, f in chosen]
    rules = [rid for f in findings for rid in (f.rule.id, *(o.id for o in f.overlays))]
    citations = [cite for f in findings for cite in f.citations]
    missing: list[str] = []
    if outcome is Outcome.NEEDS_REVIEW:
        rules.append(NEEDS_REVIEW_POLICY.id)
        missing = [name for f in findings for name in f.missing]
    return Decision(
        outcome=outcome,
        conditions=_conditions(outcome, findings, facts),
        citations=_unique(citations),
        rationale=_rationale(chosen, len(facts.recipients)),
        rules=_unique(rules),
        missing_facts=_unique(missing),
    )


def evaluate(facts: Facts, as_of: date) -> Decision:
    """Decide a proposed disclosure. `as_of` picks the state-law rows in force: the caller's
    "today" is the agency's date (`confide.core.clock.today()`, or the command line's
    `agency_today()`), never the server's, so the engine has no default."""
    return combine(facts, _findings(facts, as_of))
