"""VAWA / FVPSA / VOCA grant conditions for victim-service providers, in evaluation order.

Owns 34 U.S.C. 12291(b)(2) (and its FVPSA and VOCA twins): no personally identifying or
individual client information leaves the grantee without the victim's informed, written,
reasonably time-limited consent, except where a statute or court compels it, and then only
after reasonable attempts to notify the victim and protect her safety.
"""

from __future__ import annotations

from .. import conditions as c
from ..context import REPORT_PURPOSES, THREAT_PURPOSES, ConsentStatus, Context
from ..decision import Basis, Finding, Outcome, define
from ..facts import ConsentType, LegalInstrument, Purpose, Recipient
from . import Regime
from .state import reporting_duty
from .state_warn import mandatory_duty_triggered

R = Recipient
P = Purpose
Out = Outcome
LI = LegalInstrument

# Written and specific; a generic release or a TPO consent (which may never expire) is not
# "informed, written, reasonably time-limited", and an oral agreement is not written.
VAWA_CONSENTS = frozenset(
    {ConsentType.AGENCY_RELEASE, ConsentType.HIPAA_AUTHORIZATION, ConsentType.PART2_WRITTEN_CONSENT}
)
CITES = ("34 U.S.C. 12291(b)(2)", "42 U.S.C. 10406(c)(5)", "28 CFR 94.115", "28 CFR 90.4")
FUNDERS = frozenset({R.HEALTH_OVERSIGHT_AGENCY, R.HHS, R.INSURER_HEALTH_PLAN})

CLIENT = define(
    "vawa.client.own_information",
    CITES,
    "Victims may have their own information",
)
COMPELLED_ORDER = define(
    "vawa.compelled.court_order",
    (*CITES, "NASW Code 1.07(j)"),
    "A court mandate compels release: notify the victim and protect her safety first",
)
COMPELLED_STATUTE = define(
    "vawa.compelled.statute",
    CITES,
    "A statutory mandate (a mandated report, a mandatory duty to warn) compels release",
)
CONSENT = define(
    "vawa.consent.valid",
    CITES,
    "Release within the victim's informed, written, reasonably time-limited consent",
)
CONSENT_REVOKED = define(
    "vawa.consent.revoked",
    CITES,
    "The victim withdrew consent",
)
THREAT = define(
    "vawa.threat.no_exception",
    (*CITES, "OVW FAQ (2017)"),
    "VAWA has no threat exception unless a statute compels disclosure",
)
SUBPOENA = define(
    "vawa.subpoena.not_a_court_mandate",
    (*CITES, "NASW Code 1.07(j)"),
    "A subpoena without a court order is not a court mandate",
)
DEFAULT = define(
    "vawa.consent.required",
    (*CITES, "techsafety.org summary of VAWA confidentiality"),
    "No identifying information without written, time-limited consent",
)


def client(ctx: Context) -> Finding | None:
    if ctx.recipient is not R.CLIENT_SELF:
        return None
    return CLIENT.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.SAFETY_PLANNING,
        rationale="The victim may have her own information; confirm it reaches her safely.",
        basis=Basis.INDIVIDUAL,
    )


def compelled(ctx: Context) -> Finding | None:
    if ctx.instrument is LI.COURT_ORDER:
        return COMPELLED_ORDER.find(
            Out.REQUIRED,
            c.IF_COMPELLED_NOTIFY_VICTIM,
            c.SCOPE_ORDER,
            c.ASK_COURT_TO_NARROW_OR_SEAL,
            c.LEGAL_REVIEW,
            rationale=(
                "A court order compels release; release only what it requires, after reasonable "
                "attempts to notify the victim and steps to protect her safety."
            ),
            basis=Basis.REQUIRED_BY_LAW,
        )
    statute = (ctx.purpose in REPORT_PURPOSES and reporting_duty(ctx) is True) or (
        ctx.purpose in THREAT_PURPOSES and mandatory_duty_triggered(ctx)
    )
    if not statute:
        return None
    return COMPELLED_STATUTE.find(
        Out.REQUIRED,
        c.IF_COMPELLED_NOTIFY_VICTIM,
        c.SCOPE_REPORTING_LAW if ctx.purpose in REPORT_PURPOSES else c.SCOPE_THREAT,
        rationale=(
            "A statute compels this disclosure; release only what it requires, after reasonable "
            "attempts to notify the victim and steps to protect her safety."
        ),
        basis=Basis.REQUIRED_BY_LAW,
    )


def consent(ctx: Context) -> Finding | None:
    status = ctx.consent(VAWA_CONSENTS)
    if status is ConsentStatus.VALID:
        return CONSENT.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.SCOPE_CONSENT,
            c.HONOR_REVOCATION,
            c.SAFETY_PLANNING,
            rationale=(
                "The victim gave informed, written, reasonably time-limited consent; release "
                "only what it covers (signing may never be a condition of service)."
            ),
            basis=Basis.AUTHORIZATION,
        )
    if status is ConsentStatus.REVOKED:
        return CONSENT_REVOKED.find(
            Out.PROHIBITED,
            c.HONOR_REVOCATION,
            c.REQUIRES_VAWA_CONSENT,
            c.DO_NOT_CONFIRM_OR_DENY,
            rationale="The victim withdrew consent; nothing more may be released under it.",
        )
    return None


def threat(ctx: Context) -> Finding | None:
    if ctx.purpose not in THREAT_PURPOSES and ctx.purpose is not P.MEDICAL_EMERGENCY:
        return None
    return THREAT.find(
        Out.NEEDS_REVIEW,
        c.LEGAL_REVIEW,
        c.CHECK_FUNDER_RULES,
        c.SAFETY_PLANNING,
        rationale=(
            "VAWA grant conditions allow release without written consent only where a statute "
            "or court compels it; no statute is shown to compel this one, so counsel must weigh "
            "the threat against the grant conditions (seek consent if at all possible)."
        ),
    )


def subpoena(ctx: Context) -> Finding | None:
    if ctx.instrument not in (LI.SUBPOENA, LI.SUBPOENA_WITH_ASSURANCES, LI.ADMINISTRATIVE_REQUEST):
        return None
    return SUBPOENA.find(
        Out.PROHIBITED,
        c.RESPOND_TO_PROCESS,
        c.LEGAL_REVIEW,
        c.REQUIRES_VAWA_CONSENT,
        c.IF_COMPELLED_NOTIFY_VICTIM,
        c.DO_NOT_CONFIRM_OR_DENY,
        rationale=(
            "A subpoena is not a court order: without the victim's written consent, object and "
            "respond rather than produce; if a court later compels release, notify the victim "
            "and protect her safety first."
        ),
    )


def default(ctx: Context) -> Finding | None:
    if ctx.purpose is P.BREACH_NOTIFICATION:
        return None  # telling victims of a breach is not a release; the ethics overlay speaks
    status = ctx.consent(VAWA_CONSENTS)
    if status is ConsentStatus.UNKNOWN:
        return DEFAULT.find(
            Out.NEEDS_REVIEW,
            c.REQUIRES_VAWA_CONSENT,
            rationale="Release needs the victim's written consent, whose status is unknown.",
            missing=ctx.consent_missing(),
        )
    conditions = [c.REQUIRES_VAWA_CONSENT, c.DO_NOT_CONFIRM_OR_DENY, c.SAFETY_PLANNING]
    if ctx.recipient in FUNDERS or ctx.purpose is P.PAYMENT_AUDIT:
        conditions.append(c.CHECK_FUNDER_RULES)
    return DEFAULT.find(
        Out.PROHIBITED,
        *conditions,
        rationale=(
            "A VAWA-funded program may not share a victim's identifying or individual "
            "information (encrypted or hashed makes no difference, and not to meet funder "
            "reporting) without her informed, written, reasonably time-limited consent; an oral "
            "agreement or general release is not enough."
        ),
    )


VAWA = Regime("vawa", (client, compelled, consent, threat, subpoena, default))
