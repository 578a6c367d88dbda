"""What a rule sees: the facts, one recipient, the evaluation date, and derived readings.

Owns the interpretation of facts that several rules share (is the client a minor, what state a
consent is in, whether a threat is serious and imminent, which recipients are of which kind), so
that each reading is made in one place and rules stay short.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .facts import (
    ANY_STATE,
    AbuseType,
    ConsentType,
    EntityType,
    Facts,
    InfoCategory,
    LegalInstrument,
    Purpose,
    Recipient,
    ThreatTarget,
)

R = Recipient
P = Purpose

PROVIDERS = frozenset({R.HEALTH_CARE_PROVIDER, R.MEDICAL_PERSONNEL, R.EMERGENCY_SERVICES})
SOCIAL_SERVICES = frozenset(
    {R.SOCIAL_SERVICE_AGENCY, R.CHILD_PROTECTIVE_SERVICES, R.ADULT_PROTECTIVE_SERVICES}
)
PARENTS = frozenset({R.PARENT, R.PARENT_PERSONAL_REPRESENTATIVE})
# People who can prevent or lessen a threat (164.512(j)(1)(i); HHS mental-health guidance).
ABLE_TO_PREVENT = frozenset(
    {
        R.POTENTIAL_VICTIM,
        R.LAW_ENFORCEMENT,
        R.EMERGENCY_SERVICES,
        R.MEDICAL_PERSONNEL,
        R.HEALTH_CARE_PROVIDER,
        R.FAMILY_MEMBER,
        R.PARENT,
        R.PARENT_PERSONAL_REPRESENTATIVE,
        R.THREAT_ASSESSMENT_TEAM,
        R.CHILD_PROTECTIVE_SERVICES,
        R.ADULT_PROTECTIVE_SERVICES,
        R.COUNTY_DIRECTOR_OF_COMMUNITY_SERVICES,
    }
)
THREAT_PURPOSES = frozenset({P.PREVENT_SERIOUS_THREAT, P.HEALTH_SAFETY_EMERGENCY})
REPORT_PURPOSES = frozenset({P.MANDATED_REPORT, P.REPORT_ABUSE})
LAW_ENFORCEMENT_PURPOSES = frozenset(
    {P.LAW_ENFORCEMENT_INQUIRY, P.LAW_ENFORCEMENT_LOCATE_SUSPECT, P.LAW_ENFORCEMENT_VICTIM}
)
TPO_PURPOSES = frozenset(
    {
        P.TREATMENT,
        P.CARE_COORDINATION,
        P.PAYMENT,
        P.PAYMENT_AUDIT,
        P.CONSULTATION,
        P.MEDICAL_EMERGENCY,
    }
)
# Purposes where the recipient asks (so its identity and authority must be verified).
REQUEST_PURPOSES = frozenset(
    {
        P.ACCESS_REQUEST,
        P.ACCOUNTING_REQUEST,
        P.LAW_ENFORCEMENT_INQUIRY,
        P.LAW_ENFORCEMENT_LOCATE_SUSPECT,
        P.LAW_ENFORCEMENT_VICTIM,
        P.OVERSIGHT_OF_ORIGINATOR,
        P.PARENT_INQUIRY,
    }
)
MENTAL_HEALTH_INFO = frozenset(
    {InfoCategory.MENTAL_HEALTH_GENERAL, InfoCategory.PSYCHOTHERAPY_NOTES}
)
SUD_INFO = frozenset({InfoCategory.SUBSTANCE_USE_PART2, InfoCategory.SUD_COUNSELING_NOTES})
WRITTEN_CONSENTS = frozenset(
    {
        ConsentType.AGENCY_RELEASE,
        ConsentType.HIPAA_AUTHORIZATION,
        ConsentType.HIPAA_AUTHORIZATION_GENERIC,
        ConsentType.PART2_WRITTEN_CONSENT,
        ConsentType.PART2_TPO_SINGLE_CONSENT,
    }
)
LEGAL_PROCESS = frozenset(
    {
        LegalInstrument.COURT_ORDER,
        LegalInstrument.SUBPOENA,
        LegalInstrument.SUBPOENA_WITH_ASSURANCES,
        LegalInstrument.ADMINISTRATIVE_REQUEST,
    }
)


class ConsentStatus(StrEnum):
    UNKNOWN = "unknown"
    ABSENT = "absent"
    REVOKED = "revoked"
    WRONG_KIND = "wrong_kind"
    INVALID = "invalid"
    OUT_OF_SCOPE = "out_of_scope"
    VALID = "valid"


class ThreatStatus(StrEnum):
    ABSENT = "absent"
    UNKNOWN = "unknown"
    NOT_MET = "not_met"
    MET = "met"


@dataclass(frozen=True)
class Context:
    """The facts of one proposed disclosure, seen for one recipient on one date."""

    facts: Facts
    recipient: Recipient
    as_of: date

    @property
    def purpose(self) -> Purpose:
        return self.facts.purpose

    @property
    def info(self) -> InfoCategory:
        return self.facts.info_category

    @property
    def entity(self) -> EntityType:
        return self.facts.entity_type

    @property
    def instrument(self) -> LegalInstrument | None:
        return self.facts.legal_instrument

    @property
    def state(self) -> str | None:
        """The two-letter state, `ANY` (federal rules only) or None (unknown)."""
        return self.facts.jurisdiction_state

    @property
    def specific_state(self) -> str | None:
        """The two-letter state when one is known, else None (for `ANY` and unknown alike)."""
        state = self.facts.jurisdiction_state
        return None if state in (None, ANY_STATE) else state

    @property
    def abuse_type(self) -> AbuseType | None:
        return self.facts.abuse_suspected.type

    @property
    def deceased(self) -> bool:
        return self.facts.other.client_deceased is True

    def is_minor(self) -> bool | None:
        """Minor status: the explicit fact wins (emancipation), else age under 18, else unknown."""
        if self.facts.client_is_minor is not None:
            return self.facts.client_is_minor
        if self.facts.client_age is not None:
            return self.facts.client_age < 18
        return None

    def consent(self, accepted: frozenset[ConsentType]) -> ConsentStatus:
        """The state of the consent on file, judged against the kinds a regime accepts."""
        c = self.facts.consent
        if c.revoked:
            return ConsentStatus.REVOKED
        if c.present is False or c.type is ConsentType.NONE:
            return ConsentStatus.ABSENT
        if c.type is None:
            return ConsentStatus.UNKNOWN
        if c.type not in accepted:
            return ConsentStatus.WRONG_KIND
        if c.valid is None:
            return ConsentStatus.UNKNOWN
        if not c.valid:
            return ConsentStatus.INVALID
        if c.scope_covers_request is False:
            return ConsentStatus.OUT_OF_SCOPE
        return ConsentStatus.VALID

    def consent_missing(self) -> tuple[str, ...]:
        """The consent members whose absence leaves the consent's status unknown."""
        c = self.facts.consent
        if c.present is None and c.type is None:
            return ("consent",)
        return ("consent.type",) if c.type is None else ("consent.valid",)

    def client_agreed(self) -> bool:
        """The client agreed (oral agreement suffices, 164.510(b), 164.512(c), (f)(3))."""
        c = self.facts.consent
        agreed = c.present is not False and c.valid is not False and c.revoked is not True
        return agreed and c.type not in (None, ConsentType.NONE)

    def threat_status(self) -> tuple[ThreatStatus, tuple[str, ...]]:
        """Whether the threat is serious and imminent, and which threat facts are unknown."""
        t = self.facts.threat
        if t.present is False:
            return ThreatStatus.ABSENT, ()
        if t.serious is False or t.imminent is False:
            return ThreatStatus.NOT_MET, ()
        missing = tuple(
            f"threat.{name}"
            for name, value in (
                ("present", t.present),
                ("serious", t.serious),
                ("imminent", t.imminent),
            )
            if value is None
        )
        if t.present is None and t.serious is True and t.imminent is True:
            missing = ()
        return (ThreatStatus.UNKNOWN, missing) if missing else (ThreatStatus.MET, ())

    def threat_to_others(self) -> bool | None:
        """True for a threat to a third party, False for a threat to self, None if unknown."""
        target = self.facts.threat.target
        if target is None:
            return True if self.recipient is R.POTENTIAL_VICTIM else None
        return target is ThreatTarget.THIRD_PARTY
