"""Outcomes, rule identities, findings and the final decision.

Owns the engine's result types and the rule catalogue: every rule is defined once with `define`
(stable dotted id, citations, one-line title), and a rule reports what it found as a `Finding`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    REQUIRED = "required"
    PERMITTED = "permitted"
    PERMITTED_WITH_CONDITIONS = "permitted_with_conditions"
    PROHIBITED = "prohibited"
    NEEDS_REVIEW = "needs_review"


# "The most protective applicable regime wins": a prohibition beats an open question, which
# beats a duty to disclose, which beats a permission.
_PROTECTIVENESS = {
    Outcome.PROHIBITED: 4,
    Outcome.NEEDS_REVIEW: 3,
    Outcome.REQUIRED: 2,
    Outcome.PERMITTED_WITH_CONDITIONS: 1,
    Outcome.PERMITTED: 0,
}

RELEASES = frozenset({Outcome.REQUIRED, Outcome.PERMITTED, Outcome.PERMITTED_WITH_CONDITIONS})


def protectiveness(outcome: Outcome) -> int:
    return _PROTECTIVENESS[outcome]


class Basis(StrEnum):
    """The legal basis a permission rests on; overlays (minimum necessary, accounting) read it."""

    NONE = "none"
    TREATMENT = "treatment"  # 164.506(c)(2): to a provider for treatment
    TPO = "tpo"  # payment or health care operations
    INDIVIDUAL = "individual"  # to the individual or a personal representative
    AUTHORIZATION = "authorization"  # under a valid authorization or consent
    AGREEMENT = "agreement"  # 164.510(b): involvement in care, agreement or no objection
    REQUIRED_BY_LAW = "required_by_law"  # 164.512(a), incl. court orders and reporting laws
    PUBLIC_INTEREST = "public_interest"  # the other 164.512 permissions
    HHS = "hhs"  # 164.502(a)(2)(ii)


@dataclass(frozen=True)
class RuleRef:
    """A rule's identity: stable dotted id, the sources it rests on, and what it says."""

    id: str
    citations: tuple[str, ...]
    title: str

    @property
    def regime(self) -> str:
        return self.id.split(".", 1)[0]

    def find(
        self,
        outcome: Outcome,
        *conditions: str,
        rationale: str,
        basis: Basis = Basis.NONE,
        missing: tuple[str, ...] = (),
        cite: tuple[str, ...] = (),
    ) -> Finding:
        """What this rule concludes on the facts at hand."""
        return Finding(
            rule=self,
            outcome=outcome,
            conditions=frozenset(conditions),
            rationale=rationale,
            basis=basis,
            missing=missing,
            citations=self.citations + cite,
        )


@dataclass(frozen=True)
class Finding:
    """One rule's conclusion; overlays may add conditions and record themselves in `overlays`."""

    rule: RuleRef
    outcome: Outcome
    conditions: frozenset[str]
    rationale: str
    basis: Basis = Basis.NONE
    missing: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()
    overlays: tuple[RuleRef, ...] = field(default=())


@dataclass(frozen=True)
class Decision:
    """The engine's answer for one proposed disclosure (the contract's output line)."""

    outcome: Outcome
    conditions: tuple[str, ...]
    citations: tuple[str, ...]
    rationale: str
    rules: tuple[str, ...]
    missing_facts: tuple[str, ...]

    def as_json(self, line_id: object = None) -> dict[str, object]:
        return {
            "id": line_id,
            "outcome": self.outcome.value,
            "conditions": list(self.conditions),
            "citations": list(self.citations),
            "rationale": self.rationale,
            "rules": list(self.rules),
            "missing_facts": list(self.missing_facts),
        }


RULEBOOK: dict[str, RuleRef] = {}


def define(rule_id: str, citations: tuple[str, ...], title: str) -> RuleRef:
    """Register a rule once; its id is stable and appears in decisions and the audit trail."""
    if rule_id in RULEBOOK:
        raise ValueError(f"rule {rule_id!r} defined twice")
    if not citations:
        raise ValueError(f"rule {rule_id!r} has no citation")
    ref = RuleRef(rule_id, citations, title)
    RULEBOOK[rule_id] = ref
    return ref
