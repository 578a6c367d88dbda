"""The NASW Code of Ethics overlay, applied whatever law governs the agency.

Owns the ethical standards that can be stricter than law (domain brief 3): media requests
(1.07(k)), teaching and training (1.07(u)), consultation (1.07(v), 2.05), and third-party payers
(1.07(h)). Confide serves social work agencies, so the overlay applies to every role; the
conditions it adds elsewhere (least information, informing clients) live in `overlays.py`.
"""

from __future__ import annotations

from .. import conditions as c
from ..context import WRITTEN_CONSENTS, ConsentStatus, Context
from ..decision import Basis, Finding, Outcome, define
from ..facts import ConsentType, Purpose, Recipient
from . import Regime

R = Recipient
P = Purpose
Out = Outcome

CONSENTS = WRITTEN_CONSENTS | {ConsentType.ORAL_AGREEMENT}

MEDIA = define(
    "nasw.1_07_k.media",
    ("NASW Code 1.07(k)",),
    "Protect confidentiality when responding to the media",
)
TEACHING = define(
    "nasw.1_07_u.teaching",
    ("NASW Code 1.07(u)",),
    "No identifying information for teaching or training without the client's consent",
)
CONSULTATION = define(
    "nasw.1_07_v.consultation",
    ("NASW Code 1.07(v)", "NASW Code 2.05(b)-(c)"),
    "Consult competent colleagues with the least information, de-identified unless consented",
)
PAYERS = define(
    "nasw.1_07_h.third_party_payers",
    ("NASW Code 1.07(h)",),
    "No disclosure to third-party payers unless the client has authorized it",
)


def _consented(ctx: Context) -> bool:
    return ctx.consent(CONSENTS) is ConsentStatus.VALID


def media(ctx: Context) -> Finding | None:
    if ctx.recipient is not R.MEDIA or ctx.purpose is P.BREACH_NOTIFICATION or _consented(ctx):
        return None
    return MEDIA.find(
        Out.PROHIBITED,
        c.DO_NOT_CONFIRM_OR_DENY,
        c.ROUTE_TO_PRIVACY_OFFICER,
        rationale="Ethics requires protecting client confidentiality when the media ask.",
    )


def teaching(ctx: Context) -> Finding | None:
    if ctx.purpose is not P.TEACHING and ctx.recipient is not R.STUDENTS:
        return None
    identifying = ctx.facts.other.identifying
    if _consented(ctx) or identifying is False:
        return None
    if identifying:
        return TEACHING.find(
            Out.PROHIBITED,
            c.DEIDENTIFY_OR_OBTAIN_CONSENT,
            rationale=(
                "Identifying information may not be used for teaching or training unless the "
                "client consented: de-identify the material or obtain consent."
            ),
        )
    return TEACHING.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.DEIDENTIFY_OR_OBTAIN_CONSENT,
        rationale="Teaching material must be de-identified unless the client has consented.",
        basis=Basis.TPO,
    )


def consultation(ctx: Context) -> Finding | None:
    if ctx.purpose is not P.CONSULTATION and ctx.recipient is not R.COLLEAGUE_CONSULTANT:
        return None
    identifying = ctx.facts.other.identifying
    if _consented(ctx) or identifying is False:
        return CONSULTATION.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.CHOOSE_COMPETENT_CONSULTANT,
            c.MINIMUM_NECESSARY,
            rationale="Consult colleagues with demonstrated competence, sharing the least needed.",
            basis=Basis.TPO,
        )
    if identifying:
        return CONSULTATION.find(
            Out.NEEDS_REVIEW,
            c.PROFESSIONAL_JUDGMENT,
            c.DEIDENTIFY_OR_OBTAIN_CONSENT,
            c.CHOOSE_COMPETENT_CONSULTANT,
            rationale=(
                "Identifying information may go to a consultant only with consent or a "
                "compelling need; whether the need is compelling is a judgment for review."
            ),
        )
    return CONSULTATION.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.DEIDENTIFY_OR_OBTAIN_CONSENT,
        c.CHOOSE_COMPETENT_CONSULTANT,
        c.MINIMUM_NECESSARY,
        rationale=(
            "Seek consultation from competent colleagues, disclose the least information "
            "necessary, and de-identify it unless the client consented or the need is compelling."
        ),
        basis=Basis.TPO,
    )


def third_party_payers(ctx: Context) -> Finding | None:
    payers = (R.INSURER_HEALTH_PLAN, R.INSURER_NON_HEALTH)
    purposes = (P.PAYMENT, P.PAYMENT_AUDIT, P.UNDERWRITING)
    if ctx.recipient not in payers or ctx.purpose not in purposes or _consented(ctx):
        return None
    if ctx.facts.client_objects:
        return PAYERS.find(
            Out.NEEDS_REVIEW,
            c.ROUTE_TO_PRIVACY_OFFICER,
            c.PROFESSIONAL_JUDGMENT,
            rationale=(
                "The client objects to the payer being told; the law may permit it but the "
                "Code bars disclosure to payers without the client's authorization."
            ),
        )
    return PAYERS.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.CONFIRM_BILLING_AUTHORIZED,
        rationale=(
            "The Code allows disclosure to a third-party payer only with the client's "
            "authorization: confirm the billing consent given at intake covers this."
        ),
        basis=Basis.TPO,
    )


NASW = Regime("nasw", (media, teaching, consultation, third_party_payers))
