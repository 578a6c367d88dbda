"""42 CFR Part 2 (substance use disorder records, as amended in 2024), in evaluation order.

Owns the rules that follow Part 2 records wherever they go: consent (2.31-2.33, the TPO single
consent, SUD counseling notes), minors (2.14), the exceptions without consent (medical
emergency 2.51, initial child-abuse reports 2.12(c)(6), crimes on premises 2.12(c)(5), audits
2.53), court orders and subpoenas (2.61-2.64), presence inquiries (2.13(c)), and the default:
no consent, no disclosure, and do not reveal patient status.
"""

from __future__ import annotations

from .. import conditions as c
from ..context import (
    LAW_ENFORCEMENT_PURPOSES,
    PARENTS,
    PROVIDERS,
    REPORT_PURPOSES,
    THREAT_PURPOSES,
    TPO_PURPOSES,
    ConsentStatus,
    Context,
)
from ..decision import Basis, Finding, Outcome, define
from ..facts import AbuseType, ConsentType, InfoCategory, LegalInstrument, Purpose, Recipient
from . import Regime
from .breach import breach_notification

R = Recipient
P = Purpose
Out = Outcome
LI = LegalInstrument

PART2_CONSENTS = frozenset(
    {ConsentType.PART2_WRITTEN_CONSENT, ConsentType.PART2_TPO_SINGLE_CONSENT}
)
NOTES = frozenset({InfoCategory.SUD_COUNSELING_NOTES, InfoCategory.PSYCHOTHERAPY_NOTES})
AUTHORITIES = frozenset(
    {
        R.CHILD_PROTECTIVE_SERVICES,
        R.ADULT_PROTECTIVE_SERVICES,
        R.LAW_ENFORCEMENT,
        R.COURT,
        R.ATTORNEY,
    }
)

PATIENT = define(
    "part2.patient.access",
    ("42 CFR 2.23",),
    "Part 2 does not restrict giving patients their own records",
)
ACCOUNTING = define(
    "part2.patient.accounting",
    ("42 CFR 2.25", "45 CFR 164.528"),
    "The patient's accounting of disclosures (2024 rule)",
)
MINOR = define(
    "part2.minor.consent",
    ("42 CFR 2.14(a)-(c)",),
    "A minor's Part 2 records go to a parent only with the minor's written consent",
)
MINOR_THREAT = define(
    "part2.minor.threat_exception",
    ("42 CFR 2.14(d)",),
    "Minor lacking capacity plus a substantial threat to life: facts to reduce the threat",
)
NOTES_CONSENT = define(
    "part2.counseling_notes.separate_consent",
    ("42 CFR 2.31(b) (2024: SUD counseling notes)", "42 CFR 2.11 (SUD counseling notes)"),
    "SUD counseling notes need their own separate consent",
)
CONSENT = define(
    "part2.consent.valid",
    ("42 CFR 2.31", "42 CFR 2.32", "42 CFR 2.33"),
    "Disclosure within a valid Part 2 consent, with the redisclosure notice and consent copy",
)
EMERGENCY = define(
    "part2.emergency.medical",
    ("42 CFR 2.51",),
    "To medical personnel, as needed, in a bona fide medical emergency",
)
CHILD_REPORT = define(
    "part2.child_abuse.initial_report",
    ("42 CFR 2.12(c)(6)",),
    "Part 2 does not bar the initial report of child abuse or neglect required by state law",
)
CHILD_FOLLOW_UP = define(
    "part2.child_abuse.follow_up",
    ("42 CFR 2.12(c)(6)", "42 CFR 2.64"),
    "After the report, the original records stay protected: consent or a court order",
)
OTHER_REPORT = define(
    "part2.abuse.no_exception",
    ("42 CFR 2.12(c)(6)", "42 CFR 2.63", "42 CFR 2.20"),
    "Part 2 has no exception for reporting abuse of an adult",
)
PREMISES = define(
    "part2.crime_on_premises",
    ("42 CFR 2.12(c)(5)",),
    "Crimes on program premises or against program personnel, limited facts to police",
)
THREAT = define(
    "part2.threat.no_exception",
    (
        "SAMHSA TIP 32, ch. 8 (duty to warn under Part 2)",
        "42 CFR 2.51",
        "42 CFR 2.63",
        "42 CFR 2.12(c)(5)",
    ),
    "Part 2 has no serious-threat exception like HIPAA 164.512(j)",
)
COURT_ORDER = define(
    "part2.court_order.authorizes",
    ("42 CFR 2.61", "42 CFR 2.64", "42 CFR 2.63"),
    "A Part 2 court order authorizes (but does not compel) disclosure of its essential parts",
)
SUBPOENA = define(
    "part2.subpoena.not_sufficient",
    ("42 CFR 2.61", "42 CFR 2.64", "42 CFR 2.13(c)"),
    "A subpoena alone never authorizes disclosure of Part 2 records",
)
PRESENCE = define(
    "part2.presence_inquiry",
    ("42 CFR 2.13(c)",),
    "Do not reveal whether someone is a patient without consent or an authorizing order",
)
AUDIT = define(
    "part2.audit",
    ("42 CFR 2.53",),
    "Audit and evaluation under the stated conditions",
)
DEIDENTIFIED = define(
    "part2.deidentified",
    ("42 CFR 2.11 (patient identifying information)", "42 CFR 2.52", "NASW Code 1.07(u)-(v)"),
    "Information that does not identify a patient is not protected by Part 2",
)
DEFAULT = define(
    "part2.consent.required",
    ("42 CFR 2.13(a)", "42 CFR 2.31", "42 CFR 2.32 (a general authorization is not sufficient)"),
    "No Part 2 consent, exception or authorizing order: do not disclose",
)


def _status(ctx: Context) -> ConsentStatus:
    status = ctx.consent(PART2_CONSENTS)
    tpo_only = ctx.facts.consent.type is ConsentType.PART2_TPO_SINGLE_CONSENT
    if status is ConsentStatus.VALID and tpo_only and ctx.purpose not in TPO_PURPOSES:
        return ConsentStatus.WRONG_KIND  # a TPO consent never reaches proceedings or employers
    return status


def patient_rights(ctx: Context) -> Finding | None:
    if ctx.recipient is not R.CLIENT_SELF:
        return None
    if ctx.purpose is P.ACCOUNTING_REQUEST:
        return ACCOUNTING.find(
            Out.REQUIRED,
            c.DEADLINE_ACCOUNTING,
            c.ACCOUNTING_PERIOD,
            c.ACCOUNTING_EXCLUSIONS_APPLY,
            c.ACCOUNTING_ENTRY,
            rationale="Since 2024 Part 2 patients may have an accounting of disclosures.",
            basis=Basis.INDIVIDUAL,
        )
    return PATIENT.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.PROTECT_THIRD_PARTY_INFORMATION,
        rationale="Part 2 does not require consent to give patients their own records.",
        basis=Basis.INDIVIDUAL,
    )


def minors(ctx: Context) -> Finding | None:
    """A minor's SUD records and the parent (2.14)."""
    if ctx.recipient not in PARENTS or ctx.is_minor() is not True:
        return None
    if _status(ctx) is ConsentStatus.VALID:
        return None
    t = ctx.facts.threat
    if t.serious and ctx.facts.client_present_and_capable is False:
        return MINOR_THREAT.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.EXCEPTION_PART2_MINOR_THREAT,
            c.SCOPE_THREAT,
            rationale=(
                "The minor lacks capacity for a rational choice and there is a substantial "
                "threat to life or physical well-being: facts relevant to reducing the threat "
                "may go to the parent."
            ),
            basis=Basis.PUBLIC_INTEREST,
        )
    return MINOR.find(
        Out.PROHIBITED,
        c.REQUIRES_MINOR_WRITTEN_CONSENT,
        c.EXCEPTION_PART2_MINOR_THREAT,
        c.DO_NOT_CONFIRM_OR_DENY,
        rationale=(
            "Where the minor may obtain SUD treatment alone only the minor can consent to "
            "disclosure, even to a parent; where a parent must consent to treatment, both must "
            "consent. Either way the minor's written consent is needed, and even the fact of "
            "treatment is not told without it (unless the minor lacks capacity and there is a "
            "threat to life)."
        ),
    )


def counseling_notes(ctx: Context) -> Finding | None:
    if ctx.info not in NOTES:
        return None
    if ctx.instrument is LI.COURT_ORDER or ctx.purpose is P.MEDICAL_EMERGENCY:
        return None
    specific = ctx.facts.consent.type is ConsentType.PART2_WRITTEN_CONSENT
    if specific and _status(ctx) is ConsentStatus.VALID and ctx.facts.consent.scope_covers_request:
        return None  # a separate notes consent: the consent rule attaches the notices
    conditions = [c.REQUIRES_SUD_NOTES_CONSENT]
    if ctx.facts.consent.present is not True:
        conditions.append(c.DO_NOT_CONFIRM_OR_DENY)
    return NOTES_CONSENT.find(
        Out.PROHIBITED,
        *conditions,
        rationale=(
            "SUD counseling notes kept separately by the clinician need a consent of their own, "
            "combinable only with another counseling-notes consent; a TPO or general consent "
            "does not reach them, and treatment may not be conditioned on signing."
        ),
    )


def consent(ctx: Context) -> Finding | None:
    if _status(ctx) is not ConsentStatus.VALID:
        return None
    return CONSENT.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.SCOPE_CONSENT,
        c.ATTACH_PART2_NOTICE,
        c.ATTACH_PART2_CONSENT_COPY,
        c.HONOR_REVOCATION,
        rationale=(
            "A valid Part 2 consent (patient, discloser, specific description, recipient, "
            "purpose, right to revoke, expiry, signature) permits disclosure within its terms; "
            "each disclosure carries the 2.32 notice and a copy or explanation of the consent."
        ),
        basis=Basis.AUTHORIZATION,
    )


def medical_emergency(ctx: Context) -> Finding | None:
    urgent = ctx.purpose is P.MEDICAL_EMERGENCY or ctx.facts.emergency is True
    if not urgent or ctx.recipient not in PROVIDERS:
        return None
    if ctx.facts.emergency is None:
        return EMERGENCY.find(
            Out.NEEDS_REVIEW,
            c.CONSIDER_PART2_EMERGENCY,
            rationale="The emergency exception needs a bona fide medical emergency.",
            missing=("emergency",),
        )
    if not ctx.facts.emergency:
        return None
    return EMERGENCY.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.SCOPE_EMERGENCY,
        c.DOCUMENT_PART2_EMERGENCY,
        rationale=(
            "In a bona fide medical emergency where consent cannot be obtained, medical "
            "personnel may receive what the emergency needs; record at once who received it and "
            "their affiliation, who disclosed, when, and the nature of the emergency."
        ),
        basis=Basis.PUBLIC_INTEREST,
    )


def abuse_reports(ctx: Context) -> Finding | None:
    abuse = ctx.abuse_type
    if abuse is None or ctx.recipient not in AUTHORITIES:
        return None
    if abuse is not AbuseType.CHILD:
        if ctx.purpose not in REPORT_PURPOSES:
            return None
        return OTHER_REPORT.find(
            Out.NEEDS_REVIEW,
            c.LEGAL_REVIEW,
            c.CONSIDER_WITHOUT_SUD_STATUS,
            c.CONSIDER_PART2_ORDER,
            rationale=(
                "Part 2's reporting exception covers only child abuse and neglect; a report "
                "about an adult must not reveal SUD-patient status without consent or an order."
            ),
        )
    if ctx.purpose in REPORT_PURPOSES:
        return CHILD_REPORT.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.SCOPE_REPORTING_LAW,
            c.PART2_ORIGINAL_RECORDS_PROTECTED,
            c.REPORT_PER_STATE_LAW,
            rationale=(
                "Part 2 does not restrict the initial report of suspected child abuse or "
                "neglect that state law requires, but the original SUD records stay protected, "
                "including in proceedings that arise from the report."
            ),
            basis=Basis.REQUIRED_BY_LAW,
        )
    return CHILD_FOLLOW_UP.find(
        Out.PROHIBITED,
        c.REQUIRES_PART2_CONSENT_OR_ORDER,
        c.PART2_ORIGINAL_RECORDS_PROTECTED,
        c.DO_NOT_CONFIRM_OR_DENY,
        c.LEGAL_REVIEW,
        rationale=(
            "The initial report is allowed, but follow-up requests for the SUD records need "
            "the patient's consent or a Part 2 court order."
        ),
    )


def crime_on_premises(ctx: Context) -> Finding | None:
    if ctx.purpose is not P.REPORT_CRIME_ON_PREMISES or ctx.recipient is not R.LAW_ENFORCEMENT:
        return None
    return PREMISES.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.SCOPE_PART2_CRIME,
        rationale=(
            "For a crime (or threat) on program premises or against program staff, police may "
            "be told the circumstances, the person's patient status, name, address and last "
            "known whereabouts, and nothing more."
        ),
        basis=Basis.PUBLIC_INTEREST,
    )


def threat(ctx: Context) -> Finding | None:
    if ctx.purpose not in THREAT_PURPOSES:
        return None
    return THREAT.find(
        Out.NEEDS_REVIEW,
        c.CONSIDER_WITHOUT_SUD_STATUS,
        c.CONSIDER_PART2_EMERGENCY,
        c.CONSIDER_PART2_ORDER,
        c.LEGAL_REVIEW,
        rationale=(
            "Part 2 has no general serious-threat exception. Options: warn without revealing "
            "that the person is an SUD patient; use the medical-emergency exception if one "
            "exists; report a crime on premises; or seek a 2.63 order, which can reach "
            "confidential communications to protect against a threat to life."
        ),
    )


def legal_process(ctx: Context) -> Finding | None:
    instrument = ctx.instrument
    if instrument is LI.COURT_ORDER:
        return COURT_ORDER.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.SCOPE_ORDER,
            c.LEGAL_REVIEW,
            c.NOTIFY_CLIENT,
            rationale=(
                "A Part 2 order (with the subpart E findings) authorizes disclosure of the "
                "essential parts to those who need them; it does not compel: a subpoena is "
                "needed for that. Confidential communications need the stricter 2.63 grounds."
            ),
            basis=Basis.REQUIRED_BY_LAW,
        )
    processes = (LI.SUBPOENA, LI.SUBPOENA_WITH_ASSURANCES, LI.ADMINISTRATIVE_REQUEST)
    if instrument in processes:
        return SUBPOENA.find(
            Out.PROHIBITED,
            c.RESPOND_TO_PROCESS,
            c.DO_NOT_CONFIRM_OR_DENY,
            c.LEGAL_REVIEW,
            c.NOTIFY_CLIENT,
            c.REQUIRES_PART2_CONSENT_OR_ORDER,
            rationale=(
                "A subpoena alone cannot authorize disclosure of Part 2 records: a Part 2 court "
                "order is needed (the order authorizes, the subpoena compels), and records or "
                "testimony may not be used against the patient without consent or an order. "
                "Respond to the subpoena (object), do not ignore it, and do not reveal status."
            ),
        )
    return None


def presence_inquiry(ctx: Context) -> Finding | None:
    inquiries = LAW_ENFORCEMENT_PURPOSES | {P.MEDIA_INQUIRY, P.PARENT_INQUIRY}
    if ctx.purpose not in inquiries and ctx.recipient is not R.MEDIA:
        return None
    return PRESENCE.find(
        Out.PROHIBITED,
        c.DO_NOT_CONFIRM_OR_DENY,
        c.MAY_PROVIDE_COPY_OF_PART2_RULES,
        c.REQUIRES_PART2_CONSENT_OR_ORDER,
        rationale=(
            "Part 2 protects even the fact that someone is a patient; without consent or an "
            "authorizing court order the program may not acknowledge the person, and its answer "
            "must not reveal patient status (it may hand over a copy of the Part 2 rules)."
        ),
    )


def audit(ctx: Context) -> Finding | None:
    auditors = (R.HEALTH_OVERSIGHT_AGENCY, R.INSURER_HEALTH_PLAN)
    purposes = (P.OVERSIGHT_OF_ORIGINATOR, P.PAYMENT_AUDIT)
    if ctx.recipient not in auditors or ctx.purpose not in purposes:
        return None
    return AUDIT.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.SCOPE_REQUEST,
        c.LEGAL_REVIEW,
        rationale=(
            "An audit or evaluation by an oversight body or payer may see Part 2 records if it "
            "agrees in writing to the 2.53 limits on use and redisclosure."
        ),
        basis=Basis.PUBLIC_INTEREST,
    )


def deidentified(ctx: Context) -> Finding | None:
    if ctx.purpose not in (P.CONSULTATION, P.TEACHING):
        return None
    identifying = ctx.facts.other.identifying
    if identifying is True:
        return None
    return DEIDENTIFIED.find(
        Out.PERMITTED if identifying is False else Out.PERMITTED_WITH_CONDITIONS,
        *(() if identifying is False else (c.DEIDENTIFY_OR_OBTAIN_CONSENT,)),
        rationale=(
            "Information that does not identify anyone as a patient is outside Part 2; share "
            "only de-identified material unless the patient consents."
        ),
        basis=Basis.TPO,
    )


def default(ctx: Context) -> Finding:
    status = ctx.consent(PART2_CONSENTS | {ConsentType.HIPAA_AUTHORIZATION_GENERIC})
    if status is ConsentStatus.UNKNOWN:
        return DEFAULT.find(
            Out.NEEDS_REVIEW,
            c.REQUIRES_PART2_CONSENT,
            rationale="Part 2 records need a Part 2 consent, whose status is unknown here.",
            missing=ctx.consent_missing(),
        )
    authority = ctx.recipient in AUTHORITIES or ctx.purpose is P.LITIGATION
    conditions = [
        c.REQUIRES_PART2_CONSENT_OR_ORDER if authority else c.REQUIRES_PART2_CONSENT,
        c.DO_NOT_CONFIRM_OR_DENY,
    ]
    if status is ConsentStatus.REVOKED:
        conditions.append(c.HONOR_REVOCATION)
    return DEFAULT.find(
        Out.PROHIBITED,
        *conditions,
        rationale=(
            "Part 2 records may be disclosed only with a Part 2 consent that specifically "
            "describes the SUD information (a general medical release is not sufficient), "
            "under a listed exception, or under an authorizing court order; none applies."
        ),
    )


PART2 = Regime(
    "part2",
    (
        breach_notification,
        patient_rights,
        minors,
        counseling_notes,
        consent,
        medical_emergency,
        legal_process,
        abuse_reports,
        crime_on_premises,
        threat,
        presence_inquiry,
        audit,
        deidentified,
        default,
    ),
)
