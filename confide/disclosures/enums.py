"""Enumerations of the disclosures app."""

from __future__ import annotations

from django.db import models


class ExcludedKind(models.TextChoices):
    """Disclosures the accounting given to the client leaves out (45 CFR 164.528(a)(1)).

    They are still recorded, so a privacy officer sees every release; they are marked, and the
    client's own accounting (the portal) omits them.
    """

    TPO = "tpo", "Treatment, payment or health care operations (164.528(a)(1)(i))"
    TO_INDIVIDUAL = "to_individual", "To the individual (164.528(a)(1)(ii))"
    INCIDENT_TO = "incident_to", "Incident to a permitted use or disclosure (164.528(a)(1)(iii))"
    AUTHORIZED = "authorized", "Under the client's authorization (164.528(a)(1)(iv))"
    FACILITY_DIRECTORY = "facility_directory", "Facility directory (164.528(a)(1)(v))"
    PERSONS_INVOLVED = "persons_involved", "Persons involved in care (164.528(a)(1)(v))"
    NATIONAL_SECURITY = "national_security", "National security or intelligence (164.528(a)(1)(vi))"
    CORRECTIONAL = "correctional", "Correctional or custodial situation (164.528(a)(1)(vii))"
    LIMITED_DATA_SET = "limited_data_set", "Part of a limited data set (164.528(a)(1)(viii))"


class RequestStatus(models.TextChoices):
    """Where a disclosure request stands."""

    IN_REVIEW = "in_review", "Waiting for a supervisor or privacy officer"
    READY = "ready", "May be released"
    REFUSED = "refused", "Refused: nothing may be released"
    RELEASED = "released", "Released"


class ReviewOutcome(models.TextChoices):
    APPROVED = "approved", "Approved for release"
    DECLINED = "declined", "Declined"


class PacketStatus(models.TextChoices):
    DRAFT = "draft", "Redactions to review"
    APPROVED = "approved", "Redactions reviewed; ready to release"


class RedactionChoice(models.TextChoices):
    PENDING = "pending", "Not yet reviewed"
    ACCEPTED = "accepted", "Redact"
    REJECTED = "rejected", "Keep (not another person's identifier)"


class DeliveryMethod(models.TextChoices):
    PRINT = "print", "Printed or downloaded PDF"
    LINK = "link", "One-time link with a verification code"
    VERBAL = "verbal", "Told verbally (recorded afterwards)"


class ClientNotice(models.TextChoices):
    """How the client was told of a release, or why not."""

    EMAILED = "emailed", "Told by email"
    NO_CHANNEL = "no_channel", "Not told: no channel the client allows; staff to tell in person"
    EXCEPTION = "exception", "Not told: an exception applies"


class NoticeException(models.TextChoices):
    """Reasons the client is not told of a release (each recorded with a free-text reason)."""

    SAFETY = "safety", "Telling the client could endanger the client or someone else"
    LAW_ENFORCEMENT_SUSPENSION = (
        "law_enforcement_suspension",
        "A law enforcement or oversight agency asked for suspension (164.528(a)(2))",
    )
    ABUSE_REPORT = (
        "abuse_report",
        "Abuse report where informing would place the client at risk (164.512(c)(2))",
    )
    CLIENT_IS_RECIPIENT = "client_is_recipient", "The client is the recipient"
    COURT_ORDER_SEALED = "court_order_sealed", "A court order forbids telling the client"


# Why notes in range were left out, as the packet page says it.
WITHHELD_REASONS = {
    "left_out": "left out by the releaser: not needed for the purpose (minimum necessary)",
    "unsigned": "not signed",
    "category_not_allowed": "category not allowed",
    "minor_consented": (
        "consented to by the minor alone: never to a parent or guardian, nor under a release "
        "a personal representative signed"
    ),
}
