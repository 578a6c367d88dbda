"""HIPAA: disclosures without authorization or a chance to object (45 CFR 164.512).

Owns court orders and subpoenas (164.512(e)), law enforcement (164.512(f)), abuse reports
(164.512(b)(1)(ii), (c)), disclosures required by law (164.512(a)), health oversight
(164.512(d)) and serious threats (164.512(j)). Whether a state law actually requires a report
is the state overlay's call; these rules give the federal permission and its limits.
"""

from __future__ import annotations

from .. import conditions as c
from ..context import (
    LAW_ENFORCEMENT_PURPOSES,
    REPORT_PURPOSES,
    WRITTEN_CONSENTS,
    ConsentStatus,
    Context,
)
from ..decision import Basis, Finding, Outcome, define
from ..facts import AbuseType, ConsentType, LegalInstrument, Purpose, Recipient
from .hipaa_rights import AUTHORIZATION_TYPES
from .state import privilege_citation, reporting_duty
from .threat import ThreatRules, serious_imminent_threat

R = Recipient
P = Purpose
Out = Outcome
LI = LegalInstrument
WRITTEN_AND_ORAL = WRITTEN_CONSENTS | {ConsentType.ORAL_AGREEMENT}

COURT_ORDER = define(
    "hipaa.judicial.court_order",
    ("45 CFR 164.512(e)(1)(i)", "45 CFR 164.512(a)", "45 CFR 164.103", "NASW Code 1.07(j)"),
    "A court order compels disclosure of exactly what it expressly authorizes",
)
SUBPOENA_ASSURED = define(
    "hipaa.judicial.subpoena_with_assurances",
    ("45 CFR 164.512(e)(1)(ii)-(iii)", "45 CFR 164.502(b)", "45 CFR 164.528(a)"),
    "A subpoena with satisfactory assurances of notice or a qualified protective order",
)
SUBPOENA_BARE = define(
    "hipaa.judicial.subpoena_without_assurances",
    ("45 CFR 164.512(e)(1)(ii)-(vi)", "HHS OCR, Court Orders and Subpoenas", "NASW Code 1.07(j)"),
    "A subpoena without a court order or satisfactory assurances does not permit disclosure",
)
NO_PROCESS = define(
    "hipaa.judicial.no_process",
    ("45 CFR 164.512(e)(1)", "45 CFR 164.508(a)(1)"),
    "A litigant's request without legal process or authorization does not permit disclosure",
)
PROCESS_UNKNOWN = define(
    "hipaa.judicial.process_unknown",
    ("45 CFR 164.512(e)(1)",),
    "For litigation, what legal process accompanies the request decides the answer",
)
LE_PROCESS = define(
    "hipaa.law_enforcement.legal_process",
    ("45 CFR 164.512(f)(1)(ii)",),
    "Law enforcement with a judicial or grand-jury subpoena or a qualifying administrative request",
)
LE_LOCATE = define(
    "hipaa.law_enforcement.locate",
    ("45 CFR 164.512(f)(2)", "HHS OCR FAQ 2097"),
    "Limited identifying information to locate a suspect, fugitive, witness or missing person",
)
LE_VICTIM = define(
    "hipaa.law_enforcement.victim",
    ("45 CFR 164.512(f)(3)",),
    "Information about a crime victim: with agreement, or on incapacity with representations",
)
LE_PREMISES = define(
    "hipaa.law_enforcement.crime_on_premises",
    ("45 CFR 164.512(f)(5)",),
    "Evidence of a crime on the premises may go to law enforcement",
)
LE_NO_BASIS = define(
    "hipaa.law_enforcement.no_basis",
    ("45 CFR 164.502(a)", "45 CFR 164.512(f)"),
    "A police inquiry without process or another 164.512(f) ground does not permit disclosure",
)
CHILD_REPORT = define(
    "hipaa.abuse.child_report",
    ("45 CFR 164.512(b)(1)(ii)", "45 CFR 160.203(c)"),
    "Reports of child abuse or neglect to an authority authorized to receive them",
)
ADULT_REPORT = define(
    "hipaa.abuse.adult_victim_report",
    ("45 CFR 164.512(c)(1)-(2)",),
    "Reports about adult victims of abuse, neglect or domestic violence",
)
REQUIRED_REPORT = define(
    "hipaa.required_by_law.report",
    ("45 CFR 164.512(a)", "45 CFR 164.103"),
    "A report a law compels, limited to what that law requires",
)
OVERSIGHT = define(
    "hipaa.oversight",
    ("45 CFR 164.512(d)(1)", "45 CFR 164.508(a)(2)(ii)"),
    "Health oversight: audits, investigations, licensure and discipline",
)
THREAT_RULES = ThreatRules(
    met=define(
        "hipaa.threat.serious_imminent",
        (
            "45 CFR 164.512(j)(1)(i)",
            "45 CFR 164.512(j)(4)",
            "HHS OCR, HIPAA Privacy Rule and Sharing Information Related to Mental Health (2014)",
            "NASW Code 1.07(c)",
        ),
        "Serious and imminent threat: disclose to those able to prevent or lessen it",
    ),
    not_met=define(
        "hipaa.threat.not_established",
        ("45 CFR 164.512(j)(1)(i)", "NASW Code 1.07(c)"),
        "A serious and imminent threat is not established: clinical review first",
    ),
    state_duty=define(
        "hipaa.threat.required_by_state_law",
        ("45 CFR 164.512(a)", "45 CFR 164.512(j)"),
        "A state duty to warn compels the disclosure, so HIPAA permits it as required by law",
    ),
    wrong_recipient=define(
        "hipaa.threat.recipient_not_able_to_prevent",
        ("45 CFR 164.512(j)(1)(i)(B)",),
        "The recipient must be reasonably able to prevent or lessen the threat",
    ),
)


def court_order(ctx: Context) -> Finding | None:
    if ctx.instrument is not LI.COURT_ORDER:
        return None
    return COURT_ORDER.find(
        Out.REQUIRED,
        c.SCOPE_ORDER,
        c.ASK_COURT_TO_NARROW_OR_SEAL,
        c.NOTIFY_CLIENT,
        c.LEGAL_REVIEW,
        rationale=(
            "A court order is enforceable law: disclose only what it expressly authorizes. If "
            "disclosure could harm the client, ask the court to withdraw or narrow the order or "
            "seal the records, and tell the client beforehand when feasible."
        ),
        basis=Basis.REQUIRED_BY_LAW,
    )


def _authorized(ctx: Context) -> bool:
    return ctx.consent(AUTHORIZATION_TYPES) is ConsentStatus.VALID


def judicial(ctx: Context) -> Finding | None:
    """Subpoenas and discovery without a court order (164.512(e)(1)(ii))."""
    if ctx.purpose is not P.LITIGATION or _authorized(ctx):
        return None
    instrument = ctx.instrument
    privilege = privilege_citation(ctx)
    if instrument is LI.SUBPOENA_WITH_ASSURANCES:
        return SUBPOENA_ASSURED.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.SCOPE_REQUEST,
            c.CHECK_PRIVILEGE,
            c.NOTIFY_CLIENT,
            rationale=(
                "Satisfactory assurances that the client had notice and a chance to object (or "
                "a qualified protective order) permit the disclosure; minimum necessary applies, "
                "it goes in the accounting, and state privilege may still block production."
            ),
            basis=Basis.PUBLIC_INTEREST,
            cite=privilege,
        )
    if instrument is None:
        return PROCESS_UNKNOWN.find(
            Out.NEEDS_REVIEW,
            c.LEGAL_REVIEW,
            rationale="What legal process accompanies this litigation request is unknown.",
            missing=("legal_instrument",),
        )
    process = instrument in (LI.SUBPOENA, LI.ADMINISTRATIVE_REQUEST)
    rule = SUBPOENA_BARE if process else NO_PROCESS
    return rule.find(
        Out.PROHIBITED,
        c.REQUIRES_ASSURANCES_OR_AUTHORIZATION,
        c.LEGAL_REVIEW,
        c.NOTIFY_CLIENT,
        c.CHECK_PRIVILEGE,
        *((c.RESPOND_TO_PROCESS,) if process else ()),
        rationale=(
            "A subpoena signed by a clerk or attorney is not a court order: without satisfactory "
            "assurances of notice or a protective order (or the client's authorization) nothing "
            "may be produced. Respond to the process rather than ignore it, and protect the "
            "client's confidentiality as far as the law allows."
            if process
            else "A litigant's request without a court order, assurances or the client's "
            "authorization does not permit disclosure."
        ),
        cite=privilege,
    )


def _victim(ctx: Context) -> Finding:
    facts = ctx.facts
    if ctx.client_agreed():
        return LE_VICTIM.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.SCOPE_CONSENT,
            rationale="The crime victim agreed (oral agreement suffices) to the disclosure.",
            basis=Basis.PUBLIC_INTEREST,
        )
    capable = facts.client_present_and_capable
    refused = capable and ctx.consent(WRITTEN_AND_ORAL) is ConsentStatus.ABSENT
    if facts.client_objects or refused:
        return LE_VICTIM.find(
            Out.PROHIBITED,
            rationale="The crime victim has not agreed to the disclosure; no other ground applies.",
        )
    if facts.client_present_and_capable is False or facts.emergency:
        return LE_VICTIM.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.PROFESSIONAL_JUDGMENT,
            c.INFORM_WHEN_CAPACITY_RETURNS,
            rationale=(
                "The victim cannot agree: disclose only if the officer represents the "
                "information is needed to tell whether someone else broke the law, will not be "
                "used against the victim, and waiting would materially harm an immediate "
                "enforcement activity, and professional judgment finds it in the victim's interest."
            ),
            basis=Basis.PUBLIC_INTEREST,
        )
    return LE_VICTIM.find(
        Out.NEEDS_REVIEW,
        c.PROFESSIONAL_JUDGMENT,
        rationale="The victim's agreement is needed and has not been obtained.",
        missing=("consent",)
        if facts.client_present_and_capable
        else ("client_present_and_capable",),
    )


def _locate() -> Finding:
    return LE_LOCATE.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.SCOPE_512_F_2,
        c.EXCLUDE_DNA_DENTAL_TISSUE,
        c.PRECONDITION_512_F_2,
        rationale=(
            "To identify or locate a suspect, fugitive, material witness or missing person, only "
            "name, address, date and place of birth, SSN, blood type, type of injury, dates and "
            "times of treatment or death, and a physical description may go; no DNA, dental or "
            "tissue data. Other grounds (a serious threat) may also apply."
        ),
        basis=Basis.PUBLIC_INTEREST,
    )


def law_enforcement(ctx: Context) -> Finding | None:
    """Disclosures to law enforcement under 164.512(f)."""
    if ctx.recipient is not R.LAW_ENFORCEMENT:
        return None
    if ctx.purpose is P.REPORT_CRIME_ON_PREMISES:
        return LE_PREMISES.find(
            Out.PERMITTED_WITH_CONDITIONS,
            rationale="Information believed in good faith to be evidence of a crime on the "
            "premises may be reported to law enforcement.",
            basis=Basis.PUBLIC_INTEREST,
        )
    if ctx.purpose not in LAW_ENFORCEMENT_PURPOSES:
        return None
    if ctx.instrument in (LI.SUBPOENA, LI.SUBPOENA_WITH_ASSURANCES, LI.ADMINISTRATIVE_REQUEST):
        return LE_PROCESS.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.SCOPE_REQUEST,
            c.LEGAL_REVIEW,
            rationale=(
                "Law enforcement may receive what a judicial or grand-jury subpoena demands, or "
                "what an administrative request seeks if relevant and material, specific and "
                "limited, and de-identified data would not do; counsel confirms which it is."
            ),
            basis=Basis.PUBLIC_INTEREST,
        )
    if ctx.purpose is P.LAW_ENFORCEMENT_LOCATE_SUSPECT:
        return _locate()
    if ctx.purpose is P.LAW_ENFORCEMENT_VICTIM:
        return _victim(ctx)
    if ctx.instrument is None:
        return LE_NO_BASIS.find(
            Out.NEEDS_REVIEW,
            c.DO_NOT_CONFIRM_OR_DENY,
            rationale="Whether the officer holds legal process is unknown.",
            missing=("legal_instrument",),
        )
    return LE_NO_BASIS.find(
        Out.PROHIBITED,
        c.DO_NOT_CONFIRM_OR_DENY,
        c.ROUTE_TO_PRIVACY_OFFICER,
        rationale=(
            "A police inquiry with no warrant, order or subpoena, and no identification, victim, "
            "threat or premises ground, is not a permitted disclosure; even confirming that "
            "someone is a client discloses protected information."
        ),
    )


def _adult_report(ctx: Context) -> Finding:
    required = reporting_duty(ctx)
    inform = c.INFORM_INDIVIDUAL_512_C_2
    if required:
        return ADULT_REPORT.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.SCOPE_REPORTING_LAW,
            inform,
            rationale=(
                "A report about an adult victim that a law requires may be made, limited to "
                "that law; the client must be told promptly unless that would put them at risk "
                "of serious harm or mean telling a representative believed to be the abuser."
            ),
            basis=Basis.REQUIRED_BY_LAW,
        )
    if ctx.client_agreed():
        return ADULT_REPORT.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.SCOPE_CONSENT,
            c.SAFETY_PLANNING,
            rationale="The adult victim agreed to the report.",
            basis=Basis.PUBLIC_INTEREST,
        )
    return _adult_report_without_agreement(ctx, required)


def _adult_report_without_agreement(ctx: Context, required: bool | None) -> Finding:
    if ctx.facts.state_law_flags.report_expressly_authorized:
        return ADULT_REPORT.find(
            Out.NEEDS_REVIEW,
            c.PROFESSIONAL_JUDGMENT,
            c.INFORM_INDIVIDUAL_512_C_2,
            c.SAFETY_PLANNING,
            rationale=(
                "A statute expressly authorizes (does not require) the report; it may be made "
                "without agreement only if professional judgment finds it necessary to prevent "
                "serious harm to the client or other potential victims."
            ),
        )
    if required is None:
        return ADULT_REPORT.find(
            Out.NEEDS_REVIEW,
            c.CHECK_REPORTING_LAW,
            c.SAFETY_PLANNING,
            rationale=(
                "Without the client's agreement, a report about an adult victim is allowed only "
                "if a law requires or expressly authorizes it; that is unknown here."
            ),
            missing=("state_law_flags.report_required",),
        )
    refused = ctx.facts.client_objects or ctx.consent(WRITTEN_AND_ORAL) is ConsentStatus.ABSENT
    if refused:
        return ADULT_REPORT.find(
            Out.PROHIBITED,
            c.SAFETY_PLANNING,
            rationale=(
                "No law requires or expressly authorizes this report and the adult client has "
                "not agreed to it; respect the client's self-determination and plan for safety."
            ),
        )
    return ADULT_REPORT.find(
        Out.NEEDS_REVIEW,
        c.SAFETY_PLANNING,
        rationale="No law requires the report, so it needs the adult client's agreement: ask.",
        missing=ctx.consent_missing(),
    )


def abuse_reports(ctx: Context) -> Finding | None:
    """Reports of child abuse (164.512(b)(1)(ii)) and about adult victims (164.512(c))."""
    abuse = ctx.abuse_type
    reporting = ctx.purpose in REPORT_PURPOSES or ctx.purpose is P.LAW_ENFORCEMENT_VICTIM
    if abuse is None or not reporting:
        return None
    if abuse is AbuseType.CHILD:
        if ctx.recipient not in (R.CHILD_PROTECTIVE_SERVICES, R.LAW_ENFORCEMENT):
            return None
        required = ctx.facts.state_law_flags.report_required is not False
        return CHILD_REPORT.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.SCOPE_REPORTING_LAW,
            rationale=(
                "Reports of child abuse or neglect to an authority authorized to receive them "
                "are permitted, and state reporting laws are saved from preemption; HIPAA adds "
                "no duty to inform the family."
            ),
            basis=Basis.REQUIRED_BY_LAW if required else Basis.PUBLIC_INTEREST,
        )
    authorities = (
        R.ADULT_PROTECTIVE_SERVICES,
        R.LAW_ENFORCEMENT,
        R.SOCIAL_SERVICE_AGENCY,
        R.CHILD_PROTECTIVE_SERVICES,
    )
    return _adult_report(ctx) if ctx.recipient in authorities else None


def required_report(ctx: Context) -> Finding | None:
    """Other reports a law compels (e.g. a dangerous-patient statute): 164.512(a)."""
    if ctx.purpose not in REPORT_PURPOSES or ctx.abuse_type is not None:
        return None
    return REQUIRED_REPORT.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.SCOPE_REPORTING_LAW,
        rationale="A disclosure a law requires is permitted, limited to what that law requires.",
        basis=Basis.REQUIRED_BY_LAW,
    )


def threat(ctx: Context) -> Finding | None:
    return serious_imminent_threat(ctx, THREAT_RULES)


def oversight(ctx: Context) -> Finding | None:
    purposes = (P.OVERSIGHT_OF_ORIGINATOR, P.PAYMENT_AUDIT)
    if ctx.recipient is not R.HEALTH_OVERSIGHT_AGENCY or ctx.purpose not in purposes:
        return None
    return OVERSIGHT.find(
        Out.PERMITTED_WITH_CONDITIONS,
        rationale=(
            "Disclosures to a health oversight agency for audits, investigations, licensure or "
            "disciplinary action are permitted (psychotherapy notes too, for oversight of their "
            "originator); minimum necessary applies and they go in the accounting."
        ),
        basis=Basis.PUBLIC_INTEREST,
    )
