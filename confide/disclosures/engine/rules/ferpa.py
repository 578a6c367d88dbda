"""FERPA (34 CFR Part 99) for education records, which HIPAA does not cover, in evaluation order.

Owns the rights of parents and eligible students (inspection within 45 days, record of
disclosures), written consent (99.30), and the 99.31 exceptions used by school social workers:
school officials, judicial orders and subpoenas, health or safety emergencies (99.36). Mandated
child-abuse reports from education records are left to review, as the domain brief finds the
FERPA answer unsettled.
"""

from __future__ import annotations

from .. import conditions as c
from ..context import (
    ABLE_TO_PREVENT,
    LEGAL_PROCESS,
    PARENTS,
    REPORT_PURPOSES,
    THREAT_PURPOSES,
    ConsentStatus,
    Context,
    ThreatStatus,
)
from ..decision import Basis, Finding, Outcome, define
from ..facts import ConsentType, LegalInstrument, Purpose, Recipient
from . import Regime

R = Recipient
P = Purpose
Out = Outcome

# Signed and dated written consent specifying records, purpose and recipients (99.30).
FERPA_CONSENTS = frozenset(
    {ConsentType.AGENCY_RELEASE, ConsentType.HIPAA_AUTHORIZATION, ConsentType.PART2_WRITTEN_CONSENT}
)
SCHOOL_OFFICIALS = frozenset({R.COLLEAGUE_CONSULTANT, R.THREAT_ASSESSMENT_TEAM})

ACCESS = define(
    "ferpa.access",
    (
        "34 CFR 99.10(a)-(b)",
        "34 CFR 99.3 (education records)",
        "45 CFR 160.103 (PHI excludes them)",
    ),
    "Parents of a non-eligible student, or an eligible student, may inspect within 45 days",
)
ACCESS_UNCLEAR = define(
    "ferpa.access.rights_holder_unclear",
    ("34 CFR 99.5", "34 CFR 99.31(a)(8)"),
    "Who holds the FERPA rights (parent or eligible student) decides the request",
)
DISCLOSURE_RECORD = define(
    "ferpa.record_of_disclosures.inspection",
    ("34 CFR 99.32(c)",),
    "Parents and eligible students may inspect the record of disclosures",
)
CONSENT = define(
    "ferpa.consent.valid",
    ("34 CFR 99.30",),
    "Disclosure within signed, dated written consent",
)
JUDICIAL = define(
    "ferpa.judicial_order_or_subpoena",
    ("34 CFR 99.31(a)(9)(i)-(ii)",),
    "To comply with a judicial order or lawfully issued subpoena, after advance notice",
)
EMERGENCY = define(
    "ferpa.health_safety_emergency",
    ("34 CFR 99.31(a)(10)", "34 CFR 99.36", "34 CFR 99.32(a)(5)"),
    "To appropriate parties in an articulable and significant threat",
)
EMERGENCY_NOT_MET = define(
    "ferpa.health_safety_emergency.not_established",
    ("34 CFR 99.36",),
    "An articulable and significant threat is not established",
)
REPORT = define(
    "ferpa.mandated_report.unsettled",
    ("34 CFR 99.31", "domain brief 9 (FERPA and mandated reports: not settled)"),
    "How FERPA accommodates state mandated reports from education records is unsettled",
)
OFFICIALS = define(
    "ferpa.school_officials",
    ("34 CFR 99.31(a)(1)(i)",),
    "School officials with a legitimate educational interest",
)
CHILD_WELFARE = define(
    "ferpa.child_welfare_caseworker",
    ("20 U.S.C. 1232g(b)(1)(L) (Uninterrupted Scholars Act; domain brief 9: verify)",),
    "A child-welfare caseworker legally responsible for a student in care",
)
PARENT = define(
    "ferpa.parent",
    ("34 CFR 99.10", "34 CFR 99.31(a)(8)"),
    "Parents of a non-eligible student hold the student's FERPA rights",
)
DEFAULT = define(
    "ferpa.consent.required",
    ("34 CFR 99.30", "34 CFR 99.31"),
    "No consent and no exception: education records stay closed",
)


def _holder(ctx: Context) -> Finding | None:
    """Access and accounting requests by the parent or the eligible student."""
    minor = ctx.is_minor()
    if minor is None:
        return ACCESS_UNCLEAR.find(
            Out.NEEDS_REVIEW,
            c.VERIFY_IDENTITY,
            rationale="FERPA rights pass to the student at 18; the student's age is unknown.",
            missing=("client_age",),
        )
    holder = (ctx.recipient in PARENTS) == minor
    if not holder:
        return ACCESS_UNCLEAR.find(
            Out.NEEDS_REVIEW,
            c.LEGAL_REVIEW,
            rationale=(
                "The requester does not hold the FERPA rights here (a parent of an eligible "
                "student, or a student under 18); dependency or school policy decides."
            ),
        )
    if ctx.purpose is P.ACCOUNTING_REQUEST:
        return DISCLOSURE_RECORD.find(
            Out.REQUIRED,
            c.DEADLINE_FERPA_ACCESS,
            rationale="The record of disclosures kept with the education record may be inspected.",
            basis=Basis.INDIVIDUAL,
        )
    return ACCESS.find(
        Out.REQUIRED,
        c.DEADLINE_FERPA_ACCESS,
        c.OFFER_HELP_INTERPRETING_RECORD,
        rationale=(
            "Records directly related to a student and kept by the school are education records, "
            "not HIPAA records. The rights holder may inspect and review them; the school must "
            "comply within 45 days. Sole-possession memory aids would not be education records."
        ),
        basis=Basis.INDIVIDUAL,
    )


def rights(ctx: Context) -> Finding | None:
    purposes = (P.ACCESS_REQUEST, P.ACCOUNTING_REQUEST)
    if ctx.purpose not in purposes or ctx.recipient not in PARENTS | {R.CLIENT_SELF}:
        return None
    return _holder(ctx)


def consent(ctx: Context) -> Finding | None:
    if ctx.consent(FERPA_CONSENTS) is not ConsentStatus.VALID:
        return None
    return CONSENT.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.SCOPE_CONSENT,
        c.HONOR_REVOCATION,
        rationale="Signed, dated written consent naming the records, purpose and recipient.",
        basis=Basis.AUTHORIZATION,
    )


def judicial(ctx: Context) -> Finding | None:
    if ctx.instrument not in LEGAL_PROCESS:
        return None
    order = ctx.instrument is LegalInstrument.COURT_ORDER
    return JUDICIAL.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.NOTIFY_PARENT_OR_ELIGIBLE_STUDENT,
        c.SCOPE_ORDER if order else c.SCOPE_REQUEST,
        rationale=(
            "FERPA permits disclosure to comply with a judicial order or lawfully issued "
            "subpoena if the school first makes a reasonable effort to notify the parent or "
            "eligible student (except certain law-enforcement or grand-jury subpoenas ordered "
            "confidential)."
        ),
        basis=Basis.PUBLIC_INTEREST,
    )


def emergency(ctx: Context) -> Finding | None:
    if ctx.purpose not in THREAT_PURPOSES | {P.MEDICAL_EMERGENCY}:
        return None
    status, missing = ctx.threat_status()
    serious = ctx.facts.threat.serious is True or ctx.facts.emergency is True
    if not serious and status is ThreatStatus.UNKNOWN:
        return EMERGENCY_NOT_MET.find(
            Out.NEEDS_REVIEW,
            c.CLINICAL_RISK_ASSESSMENT,
            rationale="Whether there is an articulable and significant threat is unknown.",
            missing=missing or ("threat.serious",),
        )
    if not serious or ctx.recipient not in ABLE_TO_PREVENT:
        return EMERGENCY_NOT_MET.find(
            Out.NEEDS_REVIEW,
            c.CLINICAL_RISK_ASSESSMENT,
            rationale=(
                "The emergency exception needs an articulable and significant threat to the "
                "health or safety of the student or others, and recipients who can help."
            ),
        )
    return EMERGENCY.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.SCOPE_THREAT,
        c.RECIPIENTS_ABLE_TO_PREVENT_HARM,
        rationale=(
            "In an articulable and significant threat to health or safety, the school may tell "
            "appropriate parties whose knowledge is needed to protect the student or others, and "
            "must record the threat and who received the information."
        ),
        basis=Basis.PUBLIC_INTEREST,
    )


def report(ctx: Context) -> Finding | None:
    if ctx.purpose not in REPORT_PURPOSES:
        return None
    return REPORT.find(
        Out.NEEDS_REVIEW,
        c.REPORT_PER_STATE_LAW,
        c.LEGAL_REVIEW,
        c.CONSIDER_MANDATED_REPORT,
        rationale=(
            "State law makes school staff mandated reporters, but how FERPA accommodates a "
            "report drawn from education records is not settled; counsel should confirm the "
            "route without delaying a report the worker's own knowledge supports."
        ),
    )


def officials(ctx: Context) -> Finding | None:
    purposes = (P.CONSULTATION, P.CARE_COORDINATION, P.TREATMENT)
    if ctx.recipient not in SCHOOL_OFFICIALS or ctx.purpose not in purposes:
        return None
    return OFFICIALS.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.LIMIT_TO_DIRECTLY_RELEVANT,
        rationale="School officials with a legitimate educational interest may see the records.",
        basis=Basis.TPO,
    )


def child_welfare(ctx: Context) -> Finding | None:
    purposes = (P.CARE_COORDINATION, P.TREATMENT)
    if ctx.recipient is not R.CHILD_PROTECTIVE_SERVICES or ctx.purpose not in purposes:
        return None
    return CHILD_WELFARE.find(
        Out.NEEDS_REVIEW,
        c.LEGAL_REVIEW,
        c.VERIFY_IDENTITY,
        rationale=(
            "A caseworker of a child-welfare agency legally responsible for a student in its "
            "care may see the records without consent, but only if that responsibility exists "
            "under state law; the exception's scope is marked for verification."
        ),
    )


def parent(ctx: Context) -> Finding | None:
    if ctx.recipient not in PARENTS or ctx.is_minor() is not True:
        return None
    return PARENT.find(
        Out.PERMITTED,
        rationale="Parents of a student under 18 hold the student's FERPA rights.",
        basis=Basis.INDIVIDUAL,
    )


def default(ctx: Context) -> Finding | None:
    if ctx.purpose is P.BREACH_NOTIFICATION:
        return None  # FERPA sets no breach-notice rule; the ethics overlay speaks
    status = ctx.consent(FERPA_CONSENTS)
    if status is ConsentStatus.UNKNOWN:
        return DEFAULT.find(
            Out.NEEDS_REVIEW,
            c.REQUIRES_FERPA_CONSENT,
            rationale="Disclosure needs written consent, whose status is unknown.",
            missing=ctx.consent_missing(),
        )
    extra = (c.HONOR_REVOCATION,) if status is ConsentStatus.REVOKED else ()
    return DEFAULT.find(
        Out.PROHIBITED,
        c.REQUIRES_FERPA_CONSENT,
        *extra,
        rationale=(
            "Education records may be disclosed only with the signed, dated written consent of "
            "the parent or eligible student, or under a 99.31 exception; none applies."
        ),
    )


FERPA = Regime(
    "ferpa",
    (rights, consent, judicial, emergency, report, officials, child_welfare, parent, default),
)
