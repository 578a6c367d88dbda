"""Agencies that HIPAA does not cover: state law and the NASW Code govern.

Owns the baseline for non-covered social-service agencies (and VAWA grantees, which are also
non-covered): the client's own access (NASW 1.08), consent (1.07(b)), court orders and subpoenas
(1.07(j)), serious threats (1.07(c)), breaches (1.07(n)-(o)); otherwise the state's general
confidentiality law must be checked, since no federal rule answers.
"""

from __future__ import annotations

from .. import conditions as c
from ..context import (
    PARENTS,
    REPORT_PURPOSES,
    WRITTEN_CONSENTS,
    ConsentStatus,
    Context,
)
from ..decision import Basis, Finding, Outcome, define
from ..facts import ConsentType, LegalInstrument, Purpose, Recipient
from . import Regime
from .threat import ThreatRules, serious_imminent_threat

R = Recipient
P = Purpose
Out = Outcome
LI = LegalInstrument

CONSENTS = WRITTEN_CONSENTS | {ConsentType.ORAL_AGREEMENT}
APPLICABILITY = "45 CFR 160.102-160.103 (HIPAA covers only covered entities)"

CLIENT = define(
    "noncovered.client.access",
    ("NASW Code 1.08(a)-(c)", APPLICABILITY),
    "Reasonable access to one's own record, protecting others named in it",
)
BREACH = define(
    "noncovered.breach",
    ("NASW Code 1.07(n)-(o)", APPLICABILITY),
    "Tell clients of unauthorized access, consistent with state law",
)
COURT_ORDER = define(
    "noncovered.court_order",
    ("NASW Code 1.07(j)", APPLICABILITY),
    "A court order compels; ask to narrow or seal if disclosure could harm the client",
)
SUBPOENA = define(
    "noncovered.subpoena",
    ("NASW Code 1.07(j)", APPLICABILITY),
    "A subpoena is answered under state procedure and privilege law",
)
CONSENT = define(
    "noncovered.consent.valid",
    ("NASW Code 1.07(b)", "NASW Code 1.03"),
    "Disclosure with the client's valid consent",
)
CONSENT_REVOKED = define(
    "noncovered.consent.revoked",
    ("NASW Code 1.07(b)", "NASW Code 1.03(a) (right to withdraw consent)"),
    "The client withdrew consent",
)
MINOR = define(
    "noncovered.parent_of_minor",
    ("NASW Code 1.07(b)", "domain brief 13 (state law governs parental access)"),
    "A parent's access to a minor's records outside HIPAA is a question of state law",
)
THREAT_RULES = ThreatRules(
    met=define(
        "noncovered.threat.serious_imminent",
        ("NASW Code 1.07(c)", "NASW Code 1.02"),
        "Disclosure to prevent serious, foreseeable and imminent harm, least information",
    ),
    not_met=define(
        "noncovered.threat.not_established",
        ("NASW Code 1.07(c)",),
        "Serious, foreseeable and imminent harm is not established",
    ),
    state_duty=define(
        "noncovered.threat.required_by_state_law",
        ("NASW Code 1.07(c)", "NASW Code 1.01"),
        "A state duty to warn compels the disclosure",
    ),
    wrong_recipient=define(
        "noncovered.threat.recipient_not_able_to_prevent",
        ("NASW Code 1.07(c)",),
        "The recipient must be able to prevent the harm",
    ),
)
DEFAULT = define(
    "noncovered.state_law_governs",
    ("NASW Code 1.07(b)-(c)", APPLICABILITY),
    "No federal rule answers: state confidentiality law and the client's consent decide",
)


def client(ctx: Context) -> Finding | None:
    if ctx.recipient is not R.CLIENT_SELF or ctx.purpose is P.BREACH_NOTIFICATION:
        return None
    return CLIENT.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.OFFER_HELP_INTERPRETING_RECORD,
        c.PROTECT_THIRD_PARTY_INFORMATION,
        c.CHECK_GENERAL_CONFIDENTIALITY_LAW,
        rationale=(
            "HIPAA's access right does not apply, but the NASW Code asks for reasonable access, "
            "help interpreting the record, withholding only for compelling evidence of serious "
            "harm, and protection of others named in it."
        ),
        basis=Basis.INDIVIDUAL,
    )


def breach(ctx: Context) -> Finding | None:
    if ctx.purpose is not P.BREACH_NOTIFICATION:
        return None
    return BREACH.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.NOTIFY_CLIENT,
        c.BREACH_RISK_ASSESSMENT,
        c.CHECK_GENERAL_CONFIDENTIALITY_LAW,
        rationale=(
            "HIPAA's breach rules do not apply, but the NASW Code asks agencies to tell clients "
            "of unauthorized access promptly, and state breach laws may set duties."
        ),
    )


def legal_process(ctx: Context) -> Finding | None:
    if ctx.instrument is LI.COURT_ORDER:
        return COURT_ORDER.find(
            Out.REQUIRED,
            c.SCOPE_ORDER,
            c.ASK_COURT_TO_NARROW_OR_SEAL,
            c.NOTIFY_CLIENT,
            c.LEGAL_REVIEW,
            rationale=(
                "A court order compels disclosure of what it covers; if disclosure could harm "
                "the client, ask the court to narrow or withdraw it or seal the records."
            ),
            basis=Basis.REQUIRED_BY_LAW,
        )
    if ctx.instrument not in (LI.SUBPOENA, LI.SUBPOENA_WITH_ASSURANCES, LI.ADMINISTRATIVE_REQUEST):
        return None
    return SUBPOENA.find(
        Out.NEEDS_REVIEW,
        c.RESPOND_TO_PROCESS,
        c.CHECK_PRIVILEGE,
        c.NOTIFY_CLIENT,
        c.LEGAL_REVIEW,
        rationale=(
            "Outside HIPAA, whether a subpoena must be obeyed turns on state procedure and "
            "privilege law; respond, do not ignore it, and protect confidentiality as far as "
            "the law allows."
        ),
    )


def consent(ctx: Context) -> Finding | None:
    status = ctx.consent(CONSENTS)
    if status is ConsentStatus.VALID:
        return CONSENT.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.SCOPE_CONSENT,
            c.HONOR_REVOCATION,
            rationale="The client gave valid consent; disclose only what it covers.",
            basis=Basis.AUTHORIZATION,
        )
    if status is ConsentStatus.REVOKED:
        return CONSENT_REVOKED.find(
            Out.PROHIBITED,
            c.HONOR_REVOCATION,
            rationale="The client withdrew consent; nothing more may be disclosed under it.",
        )
    return None


def threat(ctx: Context) -> Finding | None:
    return serious_imminent_threat(ctx, THREAT_RULES)


def parent_of_minor(ctx: Context) -> Finding | None:
    if ctx.recipient not in PARENTS or ctx.is_minor() is not True:
        return None
    return MINOR.find(
        Out.NEEDS_REVIEW,
        c.CHECK_MINOR_RECORDS_LAW,
        c.PROFESSIONAL_JUDGMENT,
        rationale="Outside HIPAA, a parent's access to a minor's records is set by state law.",
    )


def default(ctx: Context) -> Finding | None:
    if ctx.purpose in REPORT_PURPOSES:
        return None  # reporting duties are the state overlay's to decide
    return DEFAULT.find(
        Out.NEEDS_REVIEW,
        c.CHECK_GENERAL_CONFIDENTIALITY_LAW,
        c.PREFER_AUTHORIZATION,
        c.LEGAL_REVIEW,
        rationale=(
            "HIPAA does not apply to this agency, so no federal rule permits or forbids this "
            "disclosure; the NASW Code asks for the client's consent absent a compelling reason, "
            "and state confidentiality law may restrict it further."
        ),
    )


NONCOVERED = Regime(
    "noncovered",
    (client, breach, legal_process, consent, threat, parent_of_minor, default),
)
