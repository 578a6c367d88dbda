"""HIPAA: restrictions, psychotherapy notes, authorizations, the media, and the default.

Owns 45 CFR 164.502(c) and 164.522 (restrictions, incl. the self-pay restriction); 164.508
(authorizations; psychotherapy notes need their own); the media case; and HIPAA's default:
no permission, no disclosure (164.502(a)).
"""

from __future__ import annotations

from .. import conditions as c
from ..context import REPORT_PURPOSES, THREAT_PURPOSES, ConsentStatus, Context
from ..decision import Basis, Finding, Outcome, define
from ..facts import ConsentType, InfoCategory, LegalInstrument, Purpose, Recipient

R = Recipient
P = Purpose
Out = Outcome
PN = InfoCategory.PSYCHOTHERAPY_NOTES

AUTHORIZATION_TYPES = frozenset(
    {
        ConsentType.HIPAA_AUTHORIZATION,
        ConsentType.HIPAA_AUTHORIZATION_GENERIC,
        ConsentType.PART2_WRITTEN_CONSENT,
        ConsentType.AGENCY_RELEASE,
    }
)
# Psychotherapy-notes authorizations may be combined only with each other (164.508(b)(3)(ii)).
PN_AUTHORIZATION_TYPES = frozenset({ConsentType.HIPAA_AUTHORIZATION})

SELF_PAY = define(
    "hipaa.restriction.self_pay",
    ("45 CFR 164.522(a)(1)(vi)", "45 CFR 164.502(c)", "NASW Code 1.07(h)"),
    "Services paid in full out of pocket may not go to the health plan when the client asks",
)
RESTRICTION = define(
    "hipaa.restriction.requested",
    ("45 CFR 164.522(a)(1)(ii)", "45 CFR 164.502(c)"),
    "A requested restriction binds only once the agency agrees (self-pay excepted)",
)
PN_AUTHORIZED = define(
    "hipaa.psychotherapy_notes.authorized",
    ("45 CFR 164.508(a)(2)", "45 CFR 164.508(b)(3)(ii)", "45 CFR 164.508(c)(4)"),
    "Psychotherapy notes under their own specific authorization",
)
PN_REQUIRED = define(
    "hipaa.psychotherapy_notes.authorization_required",
    ("45 CFR 164.508(a)(2)", "45 CFR 164.501 (psychotherapy notes)"),
    "Psychotherapy notes need their own authorization outside the listed exceptions",
)
AUTH_VALID = define(
    "hipaa.authorization.valid",
    ("45 CFR 164.508(c)(1)-(4)", "45 CFR 164.502(b)(2)(iii)", "45 CFR 164.508(b)(5)"),
    "Disclosure within the terms of a valid authorization",
)
AUTH_REVOKED = define(
    "hipaa.authorization.revoked",
    ("45 CFR 164.508(b)(5)", "45 CFR 164.508(b)(2)"),
    "A revoked authorization is defective; nothing more goes out under it",
)
AUTH_DEFECTIVE = define(
    "hipaa.authorization.defective",
    ("45 CFR 164.508(b)(2)", "45 CFR 164.508(c)"),
    "An expired, incomplete, out-of-scope or otherwise defective authorization",
)
AUTH_UNKNOWN = define(
    "hipaa.authorization.status_unknown",
    ("45 CFR 164.508(a)(1)",),
    "The disclosure rests on an authorization whose status is unknown",
)
MEDIA = define(
    "hipaa.media.no_permission",
    ("45 CFR 164.502(a)", "45 CFR 164.510(a)", "NASW Code 1.07(k)"),
    "No HIPAA permission covers confirming or describing a client to the media",
)
DEFAULT = define(
    "hipaa.default.no_permission",
    ("45 CFR 164.502(a)", "45 CFR 164.508(a)(1)"),
    "Nothing in the Privacy Rule permits this disclosure without an authorization",
)


def restriction(ctx: Context) -> Finding | None:
    """Restrictions on disclosures to a health plan (164.522(a)), incl. the self-pay rule."""
    other = ctx.facts.other
    plan_purposes = (P.PAYMENT, P.PAYMENT_AUDIT, P.UNDERWRITING)
    if other.restriction_requested is not True or ctx.recipient is not R.INSURER_HEALTH_PLAN:
        return None
    if ctx.purpose not in plan_purposes or ctx.instrument is LegalInstrument.COURT_ORDER:
        return None
    if other.paid_in_full_out_of_pocket:
        return SELF_PAY.find(
            Out.PROHIBITED,
            c.RECORD_RESTRICTION,
            c.FLAG_BILLING_RESTRICTION,
            rationale=(
                "The client paid in full out of pocket and asked that the health plan not be "
                "told; the agency must agree and honor that restriction unless a law requires "
                "the disclosure. Ethics also bars telling a payer without the client's consent."
            ),
        )
    return RESTRICTION.find(
        Out.NEEDS_REVIEW,
        c.ROUTE_TO_PRIVACY_OFFICER,
        c.RECORD_RESTRICTION,
        rationale=(
            "The client asked for a restriction the agency need not accept unless the service "
            "was paid in full out of pocket; once accepted it binds, so the privacy officer "
            "decides."
        ),
        missing=("other.paid_in_full_out_of_pocket",)
        if other.paid_in_full_out_of_pocket is None
        else (),
    )


def _pn_exception(ctx: Context) -> bool:
    """The 164.508(a)(2) exceptions, each then decided by its own permission rule."""
    return (
        ctx.purpose is P.OVERSIGHT_OF_ORIGINATOR
        or ctx.recipient is R.HHS
        or ctx.instrument is LegalInstrument.COURT_ORDER
        or ctx.purpose in REPORT_PURPOSES
        or ctx.purpose in THREAT_PURPOSES
        or (ctx.purpose is P.TEACHING and ctx.recipient is R.STUDENTS)
        or ctx.recipient is R.CLIENT_SELF
    )


def psychotherapy_notes(ctx: Context) -> Finding | None:
    """Psychotherapy notes need their own authorization outside the listed exceptions."""
    if ctx.info is not PN or _pn_exception(ctx):
        return None
    status = ctx.consent(PN_AUTHORIZATION_TYPES)
    scope = ctx.facts.consent.scope_covers_request
    if status is ConsentStatus.VALID and scope is True:
        return PN_AUTHORIZED.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.SCOPE_AUTHORIZATION,
            c.GIVE_CLIENT_COPY_OF_AUTHORIZATION,
            c.HONOR_REVOCATION,
            rationale="A specific psychotherapy-notes authorization covers this disclosure.",
            basis=Basis.AUTHORIZATION,
        )
    if status in (ConsentStatus.UNKNOWN, ConsentStatus.VALID):
        missing = ("consent.scope_covers_request",) if status is ConsentStatus.VALID else ()
        return PN_REQUIRED.find(
            Out.NEEDS_REVIEW,
            c.REQUIRES_PN_AUTHORIZATION,
            rationale="Whether the authorization on file specifically covers the notes is unknown.",
            missing=missing or ctx.consent_missing(),
        )
    legal = ctx.purpose is P.LITIGATION or ctx.instrument in (
        LegalInstrument.SUBPOENA,
        LegalInstrument.SUBPOENA_WITH_ASSURANCES,
        LegalInstrument.ADMINISTRATIVE_REQUEST,
    )
    conditions = [c.OFFER_SUMMARY_INSTEAD]
    if legal:
        conditions += [
            c.REQUIRES_PN_AUTHORIZATION_OR_ORDER,
            c.RESPOND_TO_PROCESS,
            c.LEGAL_REVIEW,
            c.NOTIFY_CLIENT,
        ]
    else:
        conditions.append(c.REQUIRES_PN_AUTHORIZATION)
    if status is ConsentStatus.REVOKED:
        conditions.append(c.HONOR_REVOCATION)
    return PN_REQUIRED.find(
        Out.PROHIBITED,
        *conditions,
        rationale=(
            "Psychotherapy notes (kept separately from the record) may be disclosed only under "
            "their own authorization, except for the originator's treatment use, supervised "
            "training, HHS, what a law or court order requires, oversight of the originator and "
            "serious threats. "
            + (
                "A subpoena or assurances do not suffice; only an authorization or a court order."
                if legal
                else "Summaries of diagnosis, plan, symptoms and progress are not notes and may "
                "be shared as ordinary information."
            )
        ),
    )


def media(ctx: Context) -> Finding | None:
    if ctx.recipient is not R.MEDIA or ctx.purpose is P.BREACH_NOTIFICATION:
        return None
    if ctx.consent(AUTHORIZATION_TYPES) is ConsentStatus.VALID:
        return None
    return MEDIA.find(
        Out.PROHIBITED,
        c.DO_NOT_CONFIRM_OR_DENY,
        c.ROUTE_TO_PRIVACY_OFFICER,
        rationale=(
            "No HIPAA permission covers telling the media whether someone is a client (the "
            "directory rule is an inpatient concept), and ethics requires protecting "
            "confidentiality with the media: neither confirm nor deny."
        ),
    )


def authorization(ctx: Context) -> Finding | None:
    """Disclosures resting on an authorization (164.508): valid, revoked, defective."""
    status = ctx.consent(AUTHORIZATION_TYPES)
    if status is ConsentStatus.ABSENT:
        return None
    if status is ConsentStatus.VALID:
        return AUTH_VALID.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.SCOPE_AUTHORIZATION,
            c.GIVE_CLIENT_COPY_OF_AUTHORIZATION,
            c.HONOR_REVOCATION,
            rationale=(
                "A valid authorization (core elements and required statements) permits the "
                "disclosure within its terms; minimum necessary does not apply and it is not "
                "in the accounting. The client gets a copy and may revoke it in writing."
            ),
            basis=Basis.AUTHORIZATION,
        )
    if status is ConsentStatus.REVOKED:
        return AUTH_REVOKED.find(
            Out.PROHIBITED,
            c.HONOR_REVOCATION,
            rationale=(
                "The client revoked the authorization in writing; except for what was already "
                "done in reliance on it, nothing more may be disclosed under it."
            ),
        )
    if status is ConsentStatus.UNKNOWN:
        return AUTH_UNKNOWN.find(
            Out.NEEDS_REVIEW,
            c.PREFER_AUTHORIZATION,
            rationale="This disclosure needs an authorization whose status is unknown.",
            missing=ctx.consent_missing(),
        )
    return AUTH_DEFECTIVE.find(
        Out.PROHIBITED,
        c.REQUIRES_HIPAA_AUTHORIZATION,
        rationale=(
            "The authorization on file is defective for this request (invalid, out of scope or "
            "not an authorization), and nothing else permits the disclosure."
        ),
    )


def default(ctx: Context) -> Finding:
    return DEFAULT.find(
        Out.PROHIBITED,
        c.REQUIRES_HIPAA_AUTHORIZATION,
        rationale=(
            "A covered provider may disclose only as the Privacy Rule permits or requires; no "
            "permission fits this recipient and purpose, so it needs the client's authorization."
        ),
    )
