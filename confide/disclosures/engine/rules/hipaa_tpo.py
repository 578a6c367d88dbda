"""HIPAA: treatment, payment and operations (164.506) and family involvement (164.510(b)).

Owns disclosures a covered provider may make in the ordinary course of care: to other
providers for treatment, to social-service agencies as care coordination (HHS guidance), to a
health plan for payment, for supervised training, for legal services; and to family and others
involved in care, with the client's agreement, absent objection, or on incapacity.
"""

from __future__ import annotations

from .. import conditions as c
from ..context import PROVIDERS, SOCIAL_SERVICES, Context
from ..decision import Basis, Finding, Outcome, define
from ..facts import Purpose, Recipient

R = Recipient
P = Purpose
Out = Outcome

TREATMENT = define(
    "hipaa.tpo.treatment",
    ("45 CFR 164.506(c)(2)", "45 CFR 164.501 (treatment)", "45 CFR 164.502(b)(2)(i)"),
    "To a health care provider for treatment, including coordination and consultation",
)
SOCIAL_SERVICE = define(
    "hipaa.tpo.social_service_coordination",
    (
        "45 CFR 164.506(c)",
        "45 CFR 164.501 (treatment: coordination with a third party)",
        "HHS OCR mental-health FAQ (continuity of care with a housing provider)",
        "45 CFR 164.502(b)",
    ),
    "To a social-service agency when it helps further the client's health care",
)
PAYMENT = define(
    "hipaa.tpo.payment",
    ("45 CFR 164.506(c)(1), (3)", "45 CFR 164.502(b)(1)", "45 CFR 164.514(d)"),
    "To a health plan for payment, minimum necessary",
)
TRAINING = define(
    "hipaa.operations.training",
    ("45 CFR 164.501 (health care operations: training programs)", "45 CFR 164.508(a)(2)(i)(B)"),
    "Use in supervised training programs is a health care operation",
)
LEGAL_SERVICES = define(
    "hipaa.operations.legal_services",
    ("45 CFR 164.501 (health care operations: legal services)", "45 CFR 164.502(e)"),
    "Consulting the agency's own lawyer is a health care operation",
)
FAMILY_AGREED = define(
    "hipaa.family.agreement",
    ("45 CFR 164.510(b)(1)-(2)",),
    "Family involved in care, with the client's agreement or no objection",
)
FAMILY_OBJECTED = define(
    "hipaa.family.objection",
    ("45 CFR 164.510(b)(2)", "HHS OCR mental-health guidance (providers may listen to family)"),
    "The client, present and capable, objected",
)
FAMILY_INCAPACITY = define(
    "hipaa.family.incapacity_or_emergency",
    ("45 CFR 164.510(b)(3)",),
    "Client absent, incapacitated or in an emergency: best-interest judgment",
)
FAMILY_DECEASED = define(
    "hipaa.family.deceased",
    ("45 CFR 164.510(b)(5)", "45 CFR 164.502(f)"),
    "To family involved before death, unless contrary to a known prior preference",
)
FAMILY_UNKNOWN = define(
    "hipaa.family.facts_unknown",
    ("45 CFR 164.510(b)",),
    "Whether the client can agree or object, or did, is unknown",
)

FAMILY = frozenset({R.FAMILY_MEMBER, R.PARENT})
FAMILY_PURPOSES = frozenset(
    {
        P.INVOLVEMENT_IN_CARE,
        P.CARE_COORDINATION,
        P.TREATMENT,
        P.MEDICAL_EMERGENCY,
        P.PARENT_INQUIRY,
        P.PAYMENT,
    }
)


def treatment(ctx: Context) -> Finding | None:
    care = (P.TREATMENT, P.CARE_COORDINATION, P.MEDICAL_EMERGENCY, P.CONSULTATION)
    if ctx.purpose not in care:
        return None
    if ctx.recipient in PROVIDERS or ctx.recipient is R.COLLEAGUE_CONSULTANT:
        return TREATMENT.find(
            Out.PERMITTED,
            rationale=(
                "Disclosure to a health care provider for treatment (including coordination "
                "and consultation between providers) needs no authorization, and the minimum-"
                "necessary standard does not apply; it is not in the accounting."
            ),
            basis=Basis.TREATMENT,
        )
    if ctx.recipient in SOCIAL_SERVICES and ctx.purpose is not P.CONSULTATION:
        return SOCIAL_SERVICE.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.PREFER_AUTHORIZATION,
            rationale=(
                "Coordinating care with a social-service agency (housing, benefits, job "
                "training) counts as treatment when the provider believes it helps the client's "
                "health care: the minimum necessary may go without authorization. An "
                "authorization naming the class of recipients is the better route."
            ),
            basis=Basis.TPO,
        )
    return None


def payment_and_operations(ctx: Context) -> Finding | None:
    recipient, purpose = ctx.recipient, ctx.purpose
    if recipient is R.INSURER_HEALTH_PLAN and purpose in (P.PAYMENT, P.PAYMENT_AUDIT):
        return PAYMENT.find(
            Out.PERMITTED_WITH_CONDITIONS,
            rationale=(
                "Payment disclosures to a health plan are permitted but limited to the minimum "
                "necessary (a plan's request may be relied on as minimum necessary if reasonable)."
            ),
            basis=Basis.TPO,
        )
    if recipient is R.STUDENTS and purpose is P.TEACHING:
        return TRAINING.find(
            Out.PERMITTED,
            rationale="Supervised training programs are health care operations.",
            basis=Basis.TPO,
        )
    if recipient is R.ATTORNEY and purpose is P.CONSULTATION:
        return LEGAL_SERVICES.find(
            Out.PERMITTED_WITH_CONDITIONS,
            rationale="Obtaining legal services for the agency is a health care operation; "
            "an outside lawyer needs a business-associate agreement.",
            basis=Basis.TPO,
        )
    return None


def _agreed(ctx: Context) -> Finding:
    return FAMILY_AGREED.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.LIMIT_TO_DIRECTLY_RELEVANT,
        rationale=(
            "The client, present and able, agreed or did not object when given the chance; "
            "share only what is directly relevant to the person's involvement in care or payment."
        ),
        basis=Basis.AGREEMENT,
    )


def _incapacity() -> Finding:
    return FAMILY_INCAPACITY.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.PROFESSIONAL_JUDGMENT,
        c.LIMIT_TO_DIRECTLY_RELEVANT,
        c.HONOR_KNOWN_PRIOR_PREFERENCE,
        c.INFORM_WHEN_CAPACITY_RETURNS,
        rationale=(
            "The client is absent, incapacitated or in an emergency: the provider may share what "
            "is directly relevant to the family member's involvement if, in professional "
            "judgment, that is in the client's best interest."
        ),
        basis=Basis.AGREEMENT,
    )


def family(ctx: Context) -> Finding | None:
    """Family and others involved in care (164.510(b))."""
    if ctx.recipient not in FAMILY:
        return None
    # After death a relative has no right of access, but may be told what bears on their
    # involvement in the client's care whatever form the request takes (164.510(b)(5)).
    purposes = FAMILY_PURPOSES | {P.ACCESS_REQUEST} if ctx.deceased else FAMILY_PURPOSES
    if ctx.purpose not in purposes:
        return None
    facts = ctx.facts
    if ctx.deceased:
        return FAMILY_DECEASED.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.LIMIT_TO_DIRECTLY_RELEVANT,
            c.HONOR_KNOWN_PRIOR_PREFERENCE,
            rationale=(
                "After death, information relevant to a family member's involvement in care may "
                "be shared unless that conflicts with the client's known prior wishes."
            ),
            basis=Basis.AGREEMENT,
        )
    if facts.client_objects:
        return FAMILY_OBJECTED.find(
            Out.PROHIBITED,
            c.MAY_RECEIVE_INFORMATION_FROM_FAMILY,
            rationale=(
                "The client objected, so nothing may be shared under the family-involvement "
                "rule (another ground, such as a serious threat, may still apply); the worker "
                "may still listen to what the family wants to tell."
            ),
        )
    capable = facts.client_present_and_capable
    if capable and (ctx.client_agreed() or facts.client_objects is False):
        return _agreed(ctx)
    if capable is False or (capable is None and facts.emergency):
        return _incapacity()
    if ctx.client_agreed():
        return _agreed(ctx)
    return FAMILY_UNKNOWN.find(
        Out.NEEDS_REVIEW,
        c.PROFESSIONAL_JUDGMENT,
        rationale=(
            "Sharing with family turns on whether the client can agree or object and whether "
            "they did: ask the client first when they are present and able."
        ),
        missing=("client_objects",) if capable else ("client_present_and_capable",),
    )
