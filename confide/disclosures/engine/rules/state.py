"""State-law overlay: mandated reports, specially protected categories, and the regime order.

Owns the rules that apply the reporting and confidentiality tables (`states.py`) to the facts,
the query other regimes need because federal law defers to state law (whether a state law
requires an abuse report: HIPAA 164.512(c)(1)(i), VAWA's "compelled by statute"), and the state
regime's order. The duty to warn lives in `state_warn.py`. Jurisdiction `ANY` means no state
overlay is known.
"""

from __future__ import annotations

from .. import conditions as c
from ..context import (
    PROVIDERS,
    REPORT_PURPOSES,
    THREAT_PURPOSES,
    WRITTEN_CONSENTS,
    ConsentStatus,
    Context,
)
from ..decision import Basis, Finding, Outcome, define
from ..facts import AbuseType, InfoCategory, LegalInstrument, Purpose, Recipient
from ..states import (
    ReportingRow,
    ReportType,
    confidentiality,
    reporting,
)
from . import Regime
from .state_warn import covers, duty_to_warn_rule, row_cite

R = Recipient
Out = Outcome

HIV = define(
    "state.hiv.specially_protected",
    ("45 CFR 160.203(b)", "45 CFR 164.512(j)"),
    "HIV information: state HIV-confidentiality law is often stricter than HIPAA and survives",
)
CHILD_REPORT = define(
    "state.mandated_report.child_abuse",
    ("42 U.S.C. 5106a(b)(2)(B)(i) (CAPTA)", "45 CFR 164.512(b)(1)(ii)", "NASW Code 1.01"),
    "Child abuse and neglect must be reported under state law",
)
ADULT_REPORT = define(
    "state.mandated_report.adult_abuse",
    ("45 CFR 164.512(c)(1)(i)",),
    "Elder, dependent-adult or domestic-violence abuse report required by state law",
)
DANGEROUS_PATIENT = define(
    "state.mandated_report.dangerous_patient",
    ("45 CFR 164.512(a)",),
    "Report of a patient likely to cause serious harm, required by state law",
)
NO_REPORTING_LAW = define(
    "state.mandated_report.no_known_duty",
    ("45 CFR 164.512(a)", "45 CFR 164.103"),
    "No state reporting duty is known for this report; required-by-law cannot be assumed",
)
NOTHING_TO_REPORT = define(
    "state.mandated_report.nothing_reportable",
    ("45 CFR 164.512(a)",),
    "The facts name no reportable condition (no abuse and no threat)",
)


def reporting_duty(ctx: Context) -> bool | None:
    """Whether state law requires this abuse report (True/False), or None when unknown."""
    flags = ctx.facts.state_law_flags
    if flags.report_required is not None:
        return flags.report_required
    if ctx.abuse_type is AbuseType.CHILD:
        return True  # every state mandates child-abuse reports by social workers (CAPTA)
    if ctx.abuse_type is AbuseType.ELDER and ctx.specific_state is not None:
        row = reporting(ctx.specific_state, ReportType.ELDER_ABUSE, ctx.as_of)
        return None if row is None else ctx.recipient in row.recipients
    return None


def _hiv(ctx: Context) -> Finding | None:
    if ctx.info is not InfoCategory.HIV or ctx.recipient is R.CLIENT_SELF:
        return None
    exempt = REPORT_PURPOSES | {Purpose.BREACH_NOTIFICATION, Purpose.ACCOUNTING_REQUEST}
    treating = ctx.purpose in (Purpose.TREATMENT, Purpose.MEDICAL_EMERGENCY)
    if ctx.purpose in exempt or (treating and ctx.recipient in PROVIDERS):
        return None
    if ctx.instrument is LegalInstrument.COURT_ORDER:
        return None
    if ctx.consent(WRITTEN_CONSENTS) is ConsentStatus.VALID:
        return None
    row = confidentiality(ctx.specific_state) if ctx.specific_state else None
    cite = (row.hiv_citation + " (verify)",) if row else ()
    return HIV.find(
        Out.NEEDS_REVIEW,
        c.CHECK_HIV_LAW,
        c.LEGAL_REVIEW,
        rationale=(
            "HIV information is specially protected by state law, often more strictly than "
            "HIPAA (which yields to more stringent state law); some states let only physicians "
            "or public-health officials notify partners. Counsel must check the state statute."
        ),
        cite=cite,
    )


def _reporting_conditions(row: ReportingRow) -> list[str]:
    conditions = [f"deadline:{d}" for d in row.deadlines]
    conditions.append(f"limit_to_scope:{row.scope}")
    if row.may_not_delegate:
        conditions.append(c.MAY_NOT_DELEGATE_REPORT)
    return conditions


def _child_report(ctx: Context) -> Finding | None:
    if ctx.purpose not in REPORT_PURPOSES or ctx.abuse_type is not AbuseType.CHILD:
        return None
    authorities = (R.CHILD_PROTECTIVE_SERVICES, R.LAW_ENFORCEMENT)
    if ctx.recipient not in authorities or ctx.facts.state_law_flags.report_required is False:
        return None
    state = ctx.specific_state
    row = None if state is None else reporting(state, ReportType.CHILD_ABUSE, ctx.as_of)
    if row is None:
        return CHILD_REPORT.find(
            Out.REQUIRED,
            c.REPORT_PER_STATE_LAW,
            c.SCOPE_REPORTING_LAW,
            rationale=(
                "Every state requires social workers and other professionals to report "
                "suspected child abuse or neglect; the report goes to the authority the state "
                "names, within its deadline, limited to what the reporting law requires."
            ),
            basis=Basis.REQUIRED_BY_LAW,
        )
    if ctx.recipient not in row.recipients:
        return CHILD_REPORT.find(
            Out.NEEDS_REVIEW,
            c.REPORT_PER_STATE_LAW,
            c.LEGAL_REVIEW,
            rationale=f"{row.state}'s reporting law names a different recipient for the report.",
            cite=row_cite(row),
        )
    return CHILD_REPORT.find(
        Out.REQUIRED,
        *_reporting_conditions(row),
        rationale=(
            f"{row.state} makes this professional a mandated reporter of suspected child abuse "
            "or neglect; privilege does not excuse the report and good-faith reports are immune."
        ),
        basis=Basis.REQUIRED_BY_LAW,
        cite=row_cite(row),
    )


def _adult_report(ctx: Context) -> Finding | None:
    adult = ctx.abuse_type in (AbuseType.ELDER, AbuseType.INTIMATE_PARTNER)
    if not adult or ctx.purpose not in REPORT_PURPOSES or reporting_duty(ctx) is not True:
        return None
    state = ctx.specific_state
    row = None
    if state is not None and ctx.abuse_type is AbuseType.ELDER:
        row = reporting(state, ReportType.ELDER_ABUSE, ctx.as_of)
    conditions = _reporting_conditions(row) if row else [c.SCOPE_REPORTING_LAW]
    return ADULT_REPORT.find(
        Out.REQUIRED,
        *conditions,
        c.REPORT_PER_STATE_LAW,
        rationale=(
            "State law requires this report of abuse of an adult; it goes to the authority the "
            "law names, limited to what the law requires."
        ),
        basis=Basis.REQUIRED_BY_LAW,
        cite=row_cite(row) if row else (),
    )


def _dangerous_patient(ctx: Context) -> Finding | None:
    to_director = ctx.recipient is R.COUNTY_DIRECTOR_OF_COMMUNITY_SERVICES
    asked = ctx.purpose in REPORT_PURPOSES or (to_director and ctx.purpose in THREAT_PURPOSES)
    if not asked or ctx.abuse_type is not None:
        return None
    t = ctx.facts.threat
    if not (t.present or t.serious):
        return NOTHING_TO_REPORT.find(
            Out.NEEDS_REVIEW,
            c.LEGAL_REVIEW,
            rationale="A report was proposed but the facts name no abuse and no threat.",
            missing=("abuse_suspected.type",),
        )
    state = ctx.specific_state
    row = None if state is None else reporting(state, ReportType.DANGEROUS_PATIENT, ctx.as_of)
    covered = None if row is None else covers(row.covered_roles, ctx.facts.professional_role)
    if row is None or covered is False or ctx.recipient not in row.recipients:
        return NO_REPORTING_LAW.find(
            Out.NEEDS_REVIEW,
            c.CHECK_REPORTING_LAW,
            c.LEGAL_REVIEW,
            rationale=(
                "No state law known to the engine requires this report from this professional "
                "to this recipient, so it cannot be treated as required by law."
            ),
            missing=("jurisdiction_state",) if ctx.state is None else (),
        )
    serious = ctx.facts.threat.serious
    if covered is None or serious is None:
        missing = ("professional_role",) if covered is None else ("threat.serious",)
        return DANGEROUS_PATIENT.find(
            Out.NEEDS_REVIEW,
            c.CLINICAL_RISK_ASSESSMENT,
            rationale="Whether the state reporting duty applies turns on unknown facts.",
            missing=missing,
            cite=row_cite(row),
        )
    if not serious:
        return None
    return DANGEROUS_PATIENT.find(
        Out.REQUIRED,
        *_reporting_conditions(row),
        rationale=(
            f"{row.state} requires this mental-health professional to report a current patient "
            "judged likely to engage in conduct resulting in serious harm to self or others; "
            "only names and non-clinical identifiers travel onward, and good-faith decisions "
            "carry no liability."
        ),
        basis=Basis.REQUIRED_BY_LAW,
        cite=row_cite(row),
    )


def privilege_citation(ctx: Context) -> tuple[str, ...]:
    """The state's privilege statute, for litigation outcomes (empty when unknown)."""
    row = confidentiality(ctx.specific_state) if ctx.specific_state else None
    return (row.privilege_citation + " (verify)",) if row else ()


def mental_health_citation(ctx: Context) -> tuple[str, ...]:
    row = confidentiality(ctx.specific_state) if ctx.specific_state else None
    return (row.mental_health_citation + " (verify)",) if row else ()


STATE = Regime(
    "state",
    (_hiv, _dangerous_patient, duty_to_warn_rule, _child_report, _adult_report),
)
