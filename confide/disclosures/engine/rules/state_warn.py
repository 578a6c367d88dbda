"""State duty to warn or protect (Tarasoff and its statutes), applied from `duty_to_warn.csv`.

Owns how each state's duty is triggered and discharged: mandatory warning of victim and police
(California), mandatory notice to police with an optional warning (Florida since 2019), a
duty discharged by warning or hospitalization (Illinois), disclosure only to medical or police
personnel (Texas), and unverified classifications that only prompt a legal check. Also answers
for other regimes whether a mandatory duty compels a disclosure (HIPAA 164.512(a), VAWA).
"""

from __future__ import annotations

from .. import conditions as c
from ..context import PROVIDERS, THREAT_PURPOSES, Context
from ..decision import Basis, Finding, Outcome, RuleRef, define
from ..facts import ProfessionalRole, Recipient
from ..states import DutyToWarnRow, DutyType, ReportingRow, WarnModel, duty_to_warn

R = Recipient
Out = Outcome

WARN_MANDATORY = define(
    "state.duty_to_warn.mandatory",
    ("Tarasoff v. Regents of the University of California, 17 Cal.3d 425 (1976)",),
    "Mandatory duty: warn the reasonably identifiable victim and notify law enforcement",
)
WARN_POLICE_MANDATORY = define(
    "state.duty_to_warn.police_mandatory",
    ("domain brief 11.1 (Florida)",),
    "Mandatory notice to law enforcement; warning the victim is permitted",
)
WARN_DISCHARGE = define(
    "state.duty_to_warn.permissive_discharge",
    ("domain brief 11.1 (Illinois)",),
    "Duty discharged by warning victim and police, or by seeking hospitalization",
)
WARN_LIMITED = define(
    "state.duty_to_warn.medical_or_police_only",
    ("Thapar v. Zezulka, 994 S.W.2d 635 (Tex. 1999)", "45 CFR 160.203(b)"),
    "Disclosure only to medical or law-enforcement personnel; no warning the victim directly",
)
WARN_UNVERIFIED = define(
    "state.duty_to_warn.unverified",
    ("Johnson, Persad & Sisti, J Am Acad Psychiatry Law (2014), Table 1",),
    "The state's duty-to-warn classification is from a secondary table: verify before relying",
)
WARN_UNKNOWN_STATE = define(
    "state.duty_to_warn.state_unknown",
    ("domain brief 11 (duty to warn varies by state)",),
    "Duty-to-warn law differs by state; the state must be known",
)


def covers(roles: frozenset[ProfessionalRole] | None, role: ProfessionalRole | None) -> bool | None:
    if roles is None:
        return True
    return None if role is None else role in roles


def row_cite(row: DutyToWarnRow | ReportingRow) -> tuple[str, ...]:
    note = "" if row.verified else " (verify)"
    return (row.citation + note,)


def _warn_row(ctx: Context) -> DutyToWarnRow | None:
    state = ctx.specific_state
    return None if state is None else duty_to_warn(state, ctx.as_of)


def mandatory_duty_triggered(ctx: Context) -> bool:
    """Whether a state's mandatory duty to warn compels disclosure to this recipient."""
    row = _warn_row(ctx)
    if row is None or row.duty is not DutyType.MANDATORY or not row.verified:
        return False
    t = ctx.facts.threat
    triggered = (
        t.serious is True
        and ctx.threat_to_others() is True
        and (t.victim_reasonably_identifiable is True or not row.requires_identifiable_victim)
        and (t.imminent is True or not row.requires_imminence)
        and t.means is not False
        and covers(row.covered_roles, ctx.facts.professional_role) is True
    )
    if row.model is WarnModel.POLICE_REQUIRED_VICTIM_OPTIONAL:
        return triggered and ctx.recipient is R.LAW_ENFORCEMENT
    return triggered and ctx.recipient in (R.POTENTIAL_VICTIM, R.LAW_ENFORCEMENT)


def _warn_victim_and_police(ctx: Context, row: DutyToWarnRow) -> Finding | None:
    if ctx.recipient not in (R.POTENTIAL_VICTIM, R.LAW_ENFORCEMENT):
        return None
    t = ctx.facts.threat
    covered = covers(row.covered_roles, ctx.facts.professional_role)
    missing = tuple(
        name
        for name, value in (
            ("threat.serious", t.serious),
            ("threat.victim_reasonably_identifiable", t.victim_reasonably_identifiable),
            ("professional_role", covered),
        )
        if value is None
    )
    if t.serious is False or t.victim_reasonably_identifiable is False or covered is False:
        return None
    if missing:
        return _missing(WARN_MANDATORY, row, missing)
    return WARN_MANDATORY.find(
        Out.REQUIRED,
        c.WARN_VICTIM,
        c.NOTIFY_LAW_ENFORCEMENT,
        c.SCOPE_THREAT,
        c.SUPERVISORY_REVIEW_IF_TIME_PERMITS,
        c.NOTIFY_CLIENT_IF_SAFE,
        rationale=(
            f"{row.state} makes the duty to protect mandatory: once a client communicates a "
            "serious threat of physical violence against a reasonably identifiable victim, the "
            "clinician must make reasonable efforts to warn the victim and notify law enforcement."
        ),
        basis=Basis.REQUIRED_BY_LAW,
        cite=row_cite(row),
    )


def _police_mandatory(ctx: Context, row: DutyToWarnRow) -> Finding | None:
    if ctx.recipient not in (R.POTENTIAL_VICTIM, R.LAW_ENFORCEMENT):
        return None
    t = ctx.facts.threat
    covered = covers(row.covered_roles, ctx.facts.professional_role)
    facts = (
        ("threat.serious", t.serious),
        ("threat.imminent", t.imminent),
        ("threat.victim_reasonably_identifiable", t.victim_reasonably_identifiable),
        ("professional_role", covered),
    )
    if any(value is False for _, value in facts) or t.means is False:
        return None
    missing = tuple(name for name, value in facts if value is None)
    if missing:
        return _missing(WARN_POLICE_MANDATORY, row, missing)
    to_police = ctx.recipient is R.LAW_ENFORCEMENT
    return WARN_POLICE_MANDATORY.find(
        Out.REQUIRED if to_police else Out.PERMITTED_WITH_CONDITIONS,
        c.NOTIFY_LAW_ENFORCEMENT,
        c.OPTIONAL_WARN_VICTIM,
        c.SCOPE_THREAT,
        rationale=(
            f"{row.state}: a specific threat of serious bodily injury or death to an identified "
            "person, with apparent intent and ability to act imminently, requires notifying law "
            "enforcement (only what is needed to communicate the threat); warning the potential "
            "victim is permitted, not required."
        ),
        basis=Basis.REQUIRED_BY_LAW if to_police else Basis.PUBLIC_INTEREST,
        cite=row_cite(row),
    )


def _discharge(ctx: Context, row: DutyToWarnRow) -> Finding | None:
    able = (R.POTENTIAL_VICTIM, R.LAW_ENFORCEMENT, R.MEDICAL_PERSONNEL, R.HEALTH_CARE_PROVIDER)
    t = ctx.facts.threat
    if ctx.recipient not in able or t.serious is not True:
        return None
    if t.victim_reasonably_identifiable is not True:
        return None
    conditions = [
        c.WARN_VICTIM,
        c.NOTIFY_LAW_ENFORCEMENT,
        c.ALTERNATIVE_HOSPITALIZATION,
        c.SUPERVISORY_REVIEW,
    ]
    covered = covers(row.covered_roles, ctx.facts.professional_role)
    if covered is not True:
        conditions.append(c.LEGAL_REVIEW)
    return WARN_DISCHARGE.find(
        Out.PERMITTED_WITH_CONDITIONS,
        *conditions,
        rationale=(
            f"{row.state} limits liability except where a serious threat of physical violence "
            "against a reasonably identifiable victim was communicated; any duty is discharged "
            "by a reasonable effort to warn the victim and law enforcement, or to hospitalize "
            "the client. The statute names certain professions, so coverage of this role "
            + ("is clear." if covered else "needs legal review.")
        ),
        cite=row_cite(row),
    )


def _medical_or_police_only(ctx: Context, row: DutyToWarnRow) -> Finding | None:
    allowed = PROVIDERS | {R.LAW_ENFORCEMENT}
    if ctx.recipient not in allowed:
        return WARN_LIMITED.find(
            Out.PROHIBITED,
            c.ALTERNATIVE_POLICE_OR_MEDICAL,
            c.LEGAL_REVIEW,
            rationale=(
                f"{row.state} lets a mental-health professional disclose a threat only to "
                "medical or law-enforcement personnel; there is no common-law duty to warn and "
                "no exception for warning the threatened person, and HIPAA's permission applies "
                "only consistent with this more stringent state law."
            ),
            cite=row_cite(row),
        )
    imminent = ctx.facts.threat.imminent
    if imminent is None:
        return _missing(WARN_LIMITED, row, ("threat.imminent",))
    if not imminent:
        return None
    return WARN_LIMITED.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.SCOPE_THREAT,
        rationale=(
            f"{row.state} permits (does not require) disclosure to medical or law-enforcement "
            "personnel when there is a probability of imminent physical injury."
        ),
        basis=Basis.PUBLIC_INTEREST,
        cite=row_cite(row),
    )


def _unverified(ctx: Context, row: DutyToWarnRow) -> Finding | None:
    if row.duty is not DutyType.MANDATORY or ctx.facts.threat.serious is not True:
        return None
    return WARN_UNVERIFIED.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.CHECK_DUTY_TO_WARN_LAW,
        c.LEGAL_REVIEW,
        rationale=(
            f"{row.state} is classed as a mandatory duty-to-warn state in a secondary table; "
            "the statute's trigger and discharge must be verified, so counsel should confirm "
            "whether warning is required as well as permitted."
        ),
        cite=row_cite(row),
    )


def _missing(rule: RuleRef, row: DutyToWarnRow, missing: tuple[str, ...]) -> Finding:
    return rule.find(
        Out.NEEDS_REVIEW,
        c.CLINICAL_RISK_ASSESSMENT,
        rationale=(
            f"Whether {row.state}'s duty-to-warn law applies turns on facts that are unknown."
        ),
        missing=missing,
        cite=row_cite(row),
    )


def duty_to_warn_rule(ctx: Context) -> Finding | None:
    if ctx.purpose not in THREAT_PURPOSES or ctx.facts.threat.present is False:
        return None
    if ctx.state is None:
        return WARN_UNKNOWN_STATE.find(
            Out.NEEDS_REVIEW,
            c.CHECK_DUTY_TO_WARN_LAW,
            rationale="Duty-to-warn law differs sharply between states; the state is unknown.",
            missing=("jurisdiction_state",),
        )
    row = _warn_row(ctx)
    if row is None:
        return None
    if row.model is WarnModel.MEDICAL_OR_POLICE_ONLY:
        return _medical_or_police_only(ctx, row)
    if ctx.threat_to_others() is not True:
        return None
    handlers = {
        WarnModel.WARN_VICTIM_AND_POLICE: _warn_victim_and_police,
        WarnModel.POLICE_REQUIRED_VICTIM_OPTIONAL: _police_mandatory,
        WarnModel.VICTIM_AND_POLICE_OR_HOSPITALIZE: _discharge,
        WarnModel.UNVERIFIED: _unverified,
    }
    handler = handlers.get(row.model)
    return None if handler is None else handler(ctx, row)
