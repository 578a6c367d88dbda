"""Choices of the consent app: restrictions (HIPAA 164.522(a)), confidential communications
(164.522(b)), notices, contacts (164.510(b)) and personal representatives (164.502(g))."""

from django.db import models


class RestrictionKind(models.TextChoices):
    NOT_STAFF = "not_staff", "Not this staff member"
    NOT_PROGRAM = "not_program", "Not this program"


class RestrictionStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    AGREED = "agreed", "Agreed"
    DENIED = "denied", "Denied"
    ENDED = "ended", "Ended"


class RecipientKind(models.TextChoices):
    """Who a disclosure restriction keeps information from."""

    HEALTH_PLAN = "health_plan", "A health plan or insurer"
    PERSON = "person", "A person (family, friend, other)"
    ORGANIZATION = "organization", "Another organization or provider"


class Channel(models.TextChoices):
    """Ways the agency may reach a client."""

    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    MAIL = "mail", "Letter by mail"
    PORTAL = "portal", "Secure portal message"


class Language(models.TextChoices):
    """A notice's language. The labels are each language's own name (for the language
    selector, where a reader looks for their language); `language_name` gives the English name
    for Confide's English pages and PDFs (tables of acknowledgements)."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


ENGLISH_NAMES: dict[str, str] = {Language.ENGLISH: "English", Language.SPANISH: "Spanish"}


def language_name(code: str) -> str:
    """A language's English name; an unknown code is shown as it is (never an error on a page)."""
    return ENGLISH_NAMES.get(code, code)


class SignatureKind(models.TextChoices):
    DRAWN = "drawn", "Drawn signature and typed name"
    TYPED = "typed", "Typed name only"


class ContactKind(models.TextChoices):
    FAMILY = "family", "Family member"
    FRIEND = "friend", "Friend"
    PROVIDER = "provider", "Other provider"
    OTHER = "other", "Someone else involved in care"


class MayBeTold(models.TextChoices):
    """What a contact may be told (164.510(b): only what bears on their involvement)."""

    APPOINTMENTS = "appointments", "Appointment times and places"
    GENERAL_CONDITION = "general_condition", "Location and general condition"
    CARE_COORDINATION = "care_coordination", "What they need to help with care"
    PAYMENT = "payment", "Payment and billing"
    EMERGENCY = "emergency", "That there is an emergency"


class ClientDecision(models.TextChoices):
    """The client's answer when given the chance to agree or object (164.510(b)(2))."""

    AGREED = "agreed", "The client agreed"
    OBJECTED = "objected", "The client objected"


class RepresentativeKind(models.TextChoices):
    PARENT = "parent", "Parent"
    GUARDIAN = "guardian", "Legal guardian"
    CONSERVATOR = "conservator", "Conservator"
    HEALTH_CARE_AGENT = "health_care_agent", "Health care agent (power of attorney)"


class AuthorityScope(models.TextChoices):
    """What a personal representative may act on (164.502(g): only within their authority)."""

    ALL_HEALTH_CARE = "all_health_care", "All health care decisions and records"
    MENTAL_HEALTH = "mental_health", "Mental health care and records"
    EDUCATION = "education", "School and education matters"
    FINANCIAL = "financial", "Payment and financial matters"
