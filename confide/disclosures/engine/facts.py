"""The facts of a proposed disclosure, as typed, immutable values.

Owns the vocabulary of `shared/spec/disclosure-evaluate.md` ("Facts"): one enum per enumerated
fact and one frozen dataclass per object fact. `None` always means "unknown". Parsing JSON into
these types lives in `parse.py`; nothing here knows about JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EntityType(StrEnum):
    FERPA_SCHOOL = "ferpa_school"
    HIPAA_COVERED_PROVIDER = "hipaa_covered_provider"
    NON_COVERED_AGENCY = "non_covered_agency"
    PART2_PROGRAM = "part2_program"
    VAWA_GRANTEE_NON_COVERED = "vawa_grantee_non_covered"


class ProfessionalRole(StrEnum):
    LCSW = "LCSW"
    SUD_COUNSELOR = "SUD_counselor"
    ADVOCATE_SOCIAL_WORKER = "advocate_social_worker"
    CLINICAL_PSYCHOLOGIST = "clinical_psychologist"
    SCHOOL_SOCIAL_WORKER = "school_social_worker"


class InfoCategory(StrEnum):
    DV_VICTIM_PII = "dv_victim_pii"
    EDUCATION_RECORD = "education_record"
    GENERAL = "general"
    HIV = "hiv"
    MENTAL_HEALTH_GENERAL = "mental_health_general"
    PSYCHOTHERAPY_NOTES = "psychotherapy_notes"
    SUBSTANCE_USE_PART2 = "substance_use_part2"
    SUD_COUNSELING_NOTES = "sud_counseling_notes"


class Recipient(StrEnum):
    ADULT_PROTECTIVE_SERVICES = "adult_protective_services"
    AFFECTED_INDIVIDUALS = "affected_individuals"
    ATTORNEY = "attorney"
    CHILD_PROTECTIVE_SERVICES = "child_protective_services"
    CLIENT_SELF = "client_self"
    COLLEAGUE_CONSULTANT = "colleague_consultant"
    COUNTY_DIRECTOR_OF_COMMUNITY_SERVICES = "county_director_of_community_services"
    COURT = "court"
    EMERGENCY_SERVICES = "emergency_services"
    EMPLOYER = "employer"
    FAMILY_MEMBER = "family_member"
    HEALTH_CARE_PROVIDER = "health_care_provider"
    HEALTH_OVERSIGHT_AGENCY = "health_oversight_agency"
    HHS = "hhs"
    INSURER_HEALTH_PLAN = "insurer_health_plan"
    INSURER_NON_HEALTH = "insurer_non_health"
    LAW_ENFORCEMENT = "law_enforcement"
    MEDIA = "media"
    MEDICAL_PERSONNEL = "medical_personnel"
    PARENT = "parent"
    PARENT_PERSONAL_REPRESENTATIVE = "parent_personal_representative"
    PERSONAL_REPRESENTATIVE_EXECUTOR = "personal_representative_executor"
    POTENTIAL_VICTIM = "potential_victim"
    SOCIAL_SERVICE_AGENCY = "social_service_agency"
    STUDENTS = "students"
    THIRD_PARTY_PARTNER = "third_party_partner"
    THREAT_ASSESSMENT_TEAM = "threat_assessment_team"


class Purpose(StrEnum):
    ACCESS_REQUEST = "access_request"
    ACCOUNTING_REQUEST = "accounting_request"
    BREACH_NOTIFICATION = "breach_notification"
    CARE_COORDINATION = "care_coordination"
    CLIENT_DIRECTED = "client_directed"
    CONSULTATION = "consultation"
    HEALTH_SAFETY_EMERGENCY = "health_safety_emergency"
    INVOLVEMENT_IN_CARE = "involvement_in_care"
    LAW_ENFORCEMENT_INQUIRY = "law_enforcement_inquiry"
    LAW_ENFORCEMENT_LOCATE_SUSPECT = "law_enforcement_locate_suspect"
    LAW_ENFORCEMENT_VICTIM = "law_enforcement_victim"
    LITIGATION = "litigation"
    MANDATED_REPORT = "mandated_report"
    MEDIA_INQUIRY = "media_inquiry"
    MEDICAL_EMERGENCY = "medical_emergency"
    OVERSIGHT_OF_ORIGINATOR = "oversight_of_originator"
    PARENT_INQUIRY = "parent_inquiry"
    PAYMENT = "payment"
    PAYMENT_AUDIT = "payment_audit"
    PREVENT_SERIOUS_THREAT = "prevent_serious_threat"
    REPORT_ABUSE = "report_abuse"
    REPORT_CRIME_ON_PREMISES = "report_crime_on_premises"
    RETURN_TO_WORK_VERIFICATION = "return_to_work_verification"
    TEACHING = "teaching"
    TREATMENT = "treatment"
    UNDERWRITING = "underwriting"


class ConsentType(StrEnum):
    AGENCY_RELEASE = "agency_release"
    HIPAA_AUTHORIZATION = "hipaa_authorization"
    HIPAA_AUTHORIZATION_GENERIC = "hipaa_authorization_generic"
    NONE = "none"
    ORAL_AGREEMENT = "oral_agreement"
    PART2_TPO_SINGLE_CONSENT = "part2_tpo_single_consent"
    PART2_WRITTEN_CONSENT = "part2_written_consent"


class LegalInstrument(StrEnum):
    ADMINISTRATIVE_REQUEST = "administrative_request"
    COURT_ORDER = "court_order"
    NONE = "none"
    SUBPOENA = "subpoena"
    SUBPOENA_WITH_ASSURANCES = "subpoena_with_assurances"


class ThreatTarget(StrEnum):
    SELF = "self"
    THIRD_PARTY = "third_party"


class AbuseType(StrEnum):
    CHILD = "child"
    ELDER = "elder"
    INTIMATE_PARTNER = "intimate_partner"


@dataclass(frozen=True)
class Consent:
    """A consent, authorization or agreement on file for this disclosure."""

    present: bool | None = None
    type: ConsentType | None = None
    valid: bool | None = None
    revoked: bool | None = None
    scope_covers_request: bool | None = None


@dataclass(frozen=True)
class Threat:
    """A threat of harm the client made or presents."""

    present: bool | None = None
    serious: bool | None = None
    imminent: bool | None = None
    means: bool | None = None
    victim_reasonably_identifiable: bool | None = None
    target: ThreatTarget | None = None


@dataclass(frozen=True)
class AbuseSuspected:
    """Suspected abuse or neglect; `basis` is free text kept for the record only."""

    type: AbuseType | None = None
    basis: str | None = None
    requester_is_suspected_abuser: bool | None = None
    alleged_abuser_is_personal_representative: bool | None = None


@dataclass(frozen=True)
class StateLawFlags:
    """What a state law says, where the caller already knows it."""

    report_required: bool | None = None
    report_expressly_authorized: bool | None = None


@dataclass(frozen=True)
class Other:
    client_deceased: bool | None = None
    encrypted: bool | None = None
    identifying: bool | None = None
    paid_in_full_out_of_pocket: bool | None = None
    restriction_requested: bool | None = None
    affected_count: int | None = None


@dataclass(frozen=True)
class Facts:
    """Everything the engine knows about one proposed disclosure.

    `recipients` holds one or more recipients (the spec's `recipient_type`, enum or array).
    Object facts that were omitted or null are empty objects, so every member reads as unknown.
    """

    entity_type: EntityType
    info_category: InfoCategory
    recipients: tuple[Recipient, ...]
    purpose: Purpose
    client_age: int | None = None
    client_is_minor: bool | None = None
    jurisdiction_state: str | None = None
    professional_role: ProfessionalRole | None = None
    consent: Consent = field(default_factory=Consent)
    client_objects: bool | None = None
    client_present_and_capable: bool | None = None
    legal_instrument: LegalInstrument | None = None
    threat: Threat = field(default_factory=Threat)
    emergency: bool | None = None
    abuse_suspected: AbuseSuspected = field(default_factory=AbuseSuspected)
    state_law_flags: StateLawFlags = field(default_factory=StateLawFlags)
    other: Other = field(default_factory=Other)


ANY_STATE = "ANY"

# Two-letter codes accepted for `jurisdiction_state`: the states, DC and the inhabited territories.
US_STATE_CODES = frozenset(
    {
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    }
)
