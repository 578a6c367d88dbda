"""Closed sets of a release: its kind, recipient types, purposes, information categories and
lifecycle states.

Recipient types, purposes and categories reuse the disclosure engine's own values
(`confide.disclosures.engine.facts`), so a release maps onto the engine's consent facts with no
translation: every value here except the Part 2 single consent's `tpo` purpose is an engine value
(a test checks it).
"""

from __future__ import annotations

from django.db import models

from confide.core.enums import Label
from confide.disclosures.engine.facts import ConsentType, InfoCategory, Purpose, Recipient


class ReleaseKind(models.TextChoices):
    HIPAA_AUTHORIZATION = "hipaa_authorization", "HIPAA authorization (45 CFR 164.508)"
    PSYCHOTHERAPY_NOTES = (
        "psychotherapy_notes_authorization",
        "Psychotherapy-notes authorization (45 CFR 164.508(a)(2))",
    )
    PART2_CONSENT = "part2_consent", "42 CFR Part 2 consent (42 CFR 2.31)"
    VAWA_RELEASE = "vawa_release", "VAWA release (34 U.S.C. 12291(b)(2))"
    AGENCY_RELEASE = "agency_release", "Agency release (agency not covered by HIPAA)"


class ReleaseState(models.TextChoices):
    """What is stored. `expired` and `active` follow from the dates and the clock (`Status`)."""

    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    REVOKED = "revoked", "Revoked"


class Status(models.TextChoices):
    """A release's status on a given day."""

    DRAFT = "draft", "Draft (not signed)"
    SIGNED = "signed", "Signed, not yet in effect"
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class RecipientType(models.TextChoices):
    """Who may receive, by kind of recipient (engine `Recipient` values)."""

    HEALTH_CARE_PROVIDER = Recipient.HEALTH_CARE_PROVIDER.value, "Health care provider"
    SOCIAL_SERVICE_AGENCY = Recipient.SOCIAL_SERVICE_AGENCY.value, "Social service agency"
    INSURER_HEALTH_PLAN = Recipient.INSURER_HEALTH_PLAN.value, "Health plan or insurer"
    INSURER_NON_HEALTH = Recipient.INSURER_NON_HEALTH.value, "Other insurer"
    FAMILY_MEMBER = Recipient.FAMILY_MEMBER.value, "Family member"
    PARENT = Recipient.PARENT.value, "Parent"
    ATTORNEY = Recipient.ATTORNEY.value, "Attorney"
    COURT = Recipient.COURT.value, "Court"
    EMPLOYER = Recipient.EMPLOYER.value, "Employer"
    LAW_ENFORCEMENT = Recipient.LAW_ENFORCEMENT.value, "Law enforcement"
    COLLEAGUE_CONSULTANT = Recipient.COLLEAGUE_CONSULTANT.value, "Consultant"
    THIRD_PARTY_PARTNER = Recipient.THIRD_PARTY_PARTNER.value, "Partner organization"
    CHILD_PROTECTIVE_SERVICES = (
        Recipient.CHILD_PROTECTIVE_SERVICES.value,
        "Child protective services",
    )
    ADULT_PROTECTIVE_SERVICES = (
        Recipient.ADULT_PROTECTIVE_SERVICES.value,
        "Adult protective services",
    )


class ReleasePurpose(models.TextChoices):
    """Why (engine `Purpose` values; `tpo` is the Part 2 single consent's own purpose)."""

    CLIENT_DIRECTED = Purpose.CLIENT_DIRECTED.value, "At the request of the client"
    TREATMENT = Purpose.TREATMENT.value, "Treatment"
    CARE_COORDINATION = Purpose.CARE_COORDINATION.value, "Coordination of care and services"
    PAYMENT = Purpose.PAYMENT.value, "Payment"
    INVOLVEMENT_IN_CARE = Purpose.INVOLVEMENT_IN_CARE.value, "Involvement in the client's care"
    CONSULTATION = Purpose.CONSULTATION.value, "Consultation"
    LITIGATION = Purpose.LITIGATION.value, "Legal proceedings"
    RETURN_TO_WORK = Purpose.RETURN_TO_WORK_VERIFICATION.value, "Return-to-work verification"
    UNDERWRITING = Purpose.UNDERWRITING.value, "Insurance underwriting"
    TEACHING = Purpose.TEACHING.value, "Teaching or training"
    TPO = "tpo", "Treatment, payment and health care operations (Part 2 single consent)"


# The engine purposes a Part 2 single TPO consent covers (42 CFR 2.31(a)(4)(i), 2.33(b)).
TPO_PURPOSES = frozenset(
    {Purpose.TREATMENT, Purpose.CARE_COORDINATION, Purpose.PAYMENT, Purpose.PAYMENT_AUDIT}
)


class Category(models.TextChoices):
    """Information categories (engine `InfoCategory` values)."""

    GENERAL = InfoCategory.GENERAL.value, "General case record"
    MENTAL_HEALTH = InfoCategory.MENTAL_HEALTH_GENERAL.value, "Mental health information"
    PSYCHOTHERAPY_NOTES = InfoCategory.PSYCHOTHERAPY_NOTES.value, "Psychotherapy notes"
    SUBSTANCE_USE_PART2 = InfoCategory.SUBSTANCE_USE_PART2.value, "Substance use (Part 2) records"
    SUD_COUNSELING_NOTES = InfoCategory.SUD_COUNSELING_NOTES.value, "SUD counseling notes"
    HIV = InfoCategory.HIV.value, "HIV information"
    DV_VICTIM_PII = InfoCategory.DV_VICTIM_PII.value, "Identifying information of a victim"
    EDUCATION_RECORD = InfoCategory.EDUCATION_RECORD.value, "Education records"


# Where a sensitivity label of the record and a category name the same information.
LABEL_CATEGORY: dict[str, Category] = {
    Label.PSYCHOTHERAPY.value: Category.PSYCHOTHERAPY_NOTES,
    Label.PART2_SUD.value: Category.SUBSTANCE_USE_PART2,
    Label.HIV.value: Category.HIV,
    Label.DV_LOCATION.value: Category.DV_VICTIM_PII,
}


def engine_consent_type(kind: str, *, part2_tpo: bool) -> ConsentType:
    """The engine's `consent.type` for a release of this kind.

    A VAWA release and an agency release are both the engine's `agency_release` (a written,
    specific release outside HIPAA); a psychotherapy-notes authorization is a specific HIPAA
    authorization (the engine's only type that opens psychotherapy notes).
    """
    if kind == ReleaseKind.PART2_CONSENT:
        return (
            ConsentType.PART2_TPO_SINGLE_CONSENT if part2_tpo else ConsentType.PART2_WRITTEN_CONSENT
        )
    if kind in (ReleaseKind.HIPAA_AUTHORIZATION, ReleaseKind.PSYCHOTHERAPY_NOTES):
        return ConsentType.HIPAA_AUTHORIZATION
    return ConsentType.AGENCY_RELEASE


class RevokedBy(models.TextChoices):
    STAFF = "staff", "Staff, on the client's word"
    CLIENT = "client", "The client"


class Statement(models.TextChoices):
    """Statements a release form must hold, depending on its kind."""

    RIGHT_TO_REVOKE = (
        "right_to_revoke",
        "The client may revoke it in writing at any time (except where already relied on), and how",
    )
    CONDITIONING = (
        "conditioning",
        "Whether services, treatment or payment can be conditioned on signing it",
    )
    REDISCLOSURE = (
        "redisclosure",
        "Information released may be redisclosed by the recipient and lose its protection",
    )
    INFORMED = (
        "informed",
        "The client was told what will be shared, with whom, why, and the risks of sharing it",
    )
