"""The federal and ethical permission to disclose to prevent a serious and imminent threat.

Owns one test used by two regimes: HIPAA 164.512(j)(1)(i) for covered providers and NASW Code
1.07(c) where HIPAA does not apply. Both permit (never require) disclosure to people able to
prevent or lessen a serious, imminent threat, limited to what the threat requires. A state duty
that compels disclosure makes it "required by law" instead (164.512(a)).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import conditions as c
from ..context import ABLE_TO_PREVENT, THREAT_PURPOSES, Context, ThreatStatus
from ..decision import Basis, Finding, Outcome, RuleRef
from .state_warn import mandatory_duty_triggered

Out = Outcome


@dataclass(frozen=True)
class ThreatRules:
    """The rule ids one regime reports for each branch of the test."""

    met: RuleRef
    not_met: RuleRef
    state_duty: RuleRef
    wrong_recipient: RuleRef


def _not_met(ctx: Context, rules: ThreatRules) -> Finding:
    if mandatory_duty_triggered(ctx):
        return rules.state_duty.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.SCOPE_THREAT,
            rationale=(
                "The threat is not shown to be imminent, but a state duty to warn compels this "
                "disclosure, so it is permitted as required by law, limited to that law."
            ),
            basis=Basis.REQUIRED_BY_LAW,
        )
    return rules.not_met.find(
        Out.NEEDS_REVIEW,
        c.CLINICAL_RISK_ASSESSMENT,
        c.REASSESS_IF_FACTS_CHANGE,
        rationale=(
            "Disclosing without consent to prevent harm needs a good-faith belief that a serious "
            "and imminent threat exists; on these facts it is not shown. That is a clinical "
            "judgment, so a supervisor should review the risk assessment before anything is said."
        ),
    )


def serious_imminent_threat(ctx: Context, rules: ThreatRules) -> Finding | None:
    """Apply the serious-and-imminent-threat test for a threat-prevention disclosure."""
    if ctx.purpose not in THREAT_PURPOSES:
        return None
    status, missing = ctx.threat_status()
    if status is ThreatStatus.UNKNOWN:
        return rules.not_met.find(
            Out.NEEDS_REVIEW,
            c.CLINICAL_RISK_ASSESSMENT,
            rationale="Whether the threat is serious and imminent is unknown.",
            missing=missing,
        )
    if status is not ThreatStatus.MET:
        return _not_met(ctx, rules)
    if ctx.recipient not in ABLE_TO_PREVENT:
        return rules.wrong_recipient.find(
            Out.NEEDS_REVIEW,
            c.PROFESSIONAL_JUDGMENT,
            rationale=(
                "The permission reaches only people reasonably able to prevent or lessen the "
                "threat; whether this recipient is one is a judgment call."
            ),
        )
    return rules.met.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.SCOPE_THREAT,
        c.RECIPIENTS_ABLE_TO_PREVENT_HARM,
        c.NOTIFY_CLIENT_IF_SAFE,
        c.LIMIT_TO_DIRECTLY_RELEVANT,
        rationale=(
            "A good-faith belief that disclosure is needed to prevent or lessen a serious and "
            "imminent threat permits telling people able to prevent it, including the target, "
            "limited to what the threat requires and consistent with state law and ethics."
        ),
        basis=Basis.PUBLIC_INTEREST,
    )
