"""HIPAA: who may act for the client (personal representatives, 45 CFR 164.502(g)).

Owns parents of minors (the default, minor-consent services, state law on parental access, the
abuse exception), guardians of adults and executors of deceased clients. State minor-consent
parameters come from the tables; what a representative may then have is `hipaa_individual.py`.
"""

from __future__ import annotations

from dataclasses import replace

from .. import conditions as c
from ..context import MENTAL_HEALTH_INFO, PARENTS, SUD_INFO, ConsentStatus, Context
from ..decision import Finding, Outcome, define
from ..facts import ANY_STATE, Purpose, Recipient
from ..states import MinorConsentRow, ParentalAccess
from .hipaa_individual import on_behalf
from .hipaa_rights import AUTHORIZATION_TYPES
from .minors import minor_row

R = Recipient
P = Purpose
Out = Outcome

REP_ABUSE = define(
    "hipaa.personal_rep.abuse_exception",
    ("45 CFR 164.502(g)(5)",),
    "A suspected abuser need not be treated as the personal representative",
)
REP_MINOR_CONSENT = define(
    "hipaa.personal_rep.minor_consent_service",
    ("45 CFR 164.502(g)(3)(i)-(ii)", "HHS OCR FAQ 2092"),
    "A parent is not the representative for care the minor may lawfully obtain alone",
)
REP_STATE_DISCRETION = define(
    "hipaa.personal_rep.state_discretion",
    ("45 CFR 164.502(g)(3)(ii)", "45 CFR 164.524(a)(3)(iii)"),
    "State law lets the provider refuse a minor's representative where access would harm",
)
REP_STATE_UNKNOWN = define(
    "hipaa.personal_rep.state_law_unknown",
    ("45 CFR 164.502(g)(3)(ii)(C)",),
    "State law on a parent's access is unknown; a licensed professional must decide",
)
REP_PARENT = define(
    "hipaa.personal_rep.parent",
    ("45 CFR 164.502(g)(3)", "45 CFR 164.524"),
    "A parent is the unemancipated minor's personal representative by default",
)
REP_ADULT = define(
    "hipaa.personal_rep.adult",
    ("45 CFR 164.502(g)(2)",),
    "A guardian or agent of an adult stands in the adult's place for PHI within the authority",
)
REP_EXECUTOR = define(
    "hipaa.personal_rep.executor",
    ("45 CFR 164.502(g)(4)", "45 CFR 164.502(f)"),
    "The executor or administrator is a deceased client's personal representative",
)


def _minor_consent_barrier(ctx: Context, row: MinorConsentRow) -> Finding:
    if row.parental_access is ParentalAccess.UNKNOWN:
        return _state_unknown(ctx)
    conditions = [c.REQUIRES_MINOR_AUTHORIZATION, c.PROFESSIONAL_JUDGMENT]
    age = ctx.facts.client_age or 0
    limit_age = row.session_limit_under_age
    if row.session_limit is not None and limit_age is not None and age < limit_age:
        conditions.append(c.TRACK_MINOR_SESSION_LIMIT)
    return REP_MINOR_CONSENT.find(
        Out.PROHIBITED,
        *conditions,
        rationale=(
            f"In {row.state} a minor of this age may obtain this care without a parent, so the "
            "parent is not the personal representative for it and state law bars the parent's "
            "access without the minor's authorization (parental involvement remains a "
            "documented professional judgment)."
        ),
        cite=(row.citation,),
    )


def _state_unknown(ctx: Context) -> Finding:
    return REP_STATE_UNKNOWN.find(
        Out.NEEDS_REVIEW,
        c.CHECK_MINOR_RECORDS_LAW,
        c.PROFESSIONAL_JUDGMENT,
        rationale=(
            "State law controls a parent's access to a minor's records; here it is not known "
            "whether the minor controls this care, so a licensed professional must decide."
        ),
        missing=("jurisdiction_state",) if ctx.state is None else (),
    )


def _parent_of_minor(ctx: Context) -> Finding:
    rationale = "A parent is the minor's personal representative by default."
    if ctx.info not in MENTAL_HEALTH_INFO | SUD_INFO:
        return on_behalf(ctx, REP_PARENT, rationale)
    if ctx.state is None:
        return _state_unknown(ctx)
    if ctx.state == ANY_STATE:
        finding = on_behalf(
            ctx, REP_PARENT, rationale + " No state minor-consent overlay is known."
        )
        return _with(finding, c.CHECK_MINOR_RECORDS_LAW)
    row = minor_row(ctx)
    age = ctx.facts.client_age
    if row is None or row.min_age is None or age is None:
        finding = _state_unknown(ctx)
        return finding if age is not None else _with_missing(finding, "client_age")
    if age >= row.min_age:
        return _minor_consent_barrier(ctx, row)
    if row.provider_may_refuse_if_detrimental and ctx.purpose is P.ACCESS_REQUEST:
        return REP_STATE_DISCRETION.find(
            Out.NEEDS_REVIEW,
            c.PROFESSIONAL_JUDGMENT,
            c.WRITTEN_DENIAL_WITH_REVIEW_RIGHTS,
            rationale=(
                f"{row.state} lets the provider refuse a minor's representative where access "
                "would harm the provider's relationship with the minor or the minor's safety or "
                "well-being; HIPAA also allows a reviewable denial. That determination is "
                "professional, so it goes to review."
            ),
            cite=(row.citation,),
        )
    return on_behalf(ctx, REP_PARENT, rationale)


def _with(finding: Finding, *conditions: str) -> Finding:
    return replace(finding, conditions=finding.conditions | frozenset(conditions))


def _with_missing(finding: Finding, name: str) -> Finding:
    return replace(finding, missing=(*finding.missing, name))


def _abuser_requests(ctx: Context) -> Finding | None:
    abuse = ctx.facts.abuse_suspected
    flagged = abuse.requester_is_suspected_abuser or abuse.alleged_abuser_is_personal_representative
    if flagged:
        return REP_ABUSE.find(
            Out.NEEDS_REVIEW,
            c.PROFESSIONAL_JUDGMENT,
            c.CONSIDER_MANDATED_REPORT,
            c.WRITTEN_DENIAL_WITH_REVIEW_RIGHTS,
            rationale=(
                "The requester is suspected of abusing the client; the provider may decline to "
                "treat that person as the personal representative if, in professional judgment, "
                "doing so is not in the client's best interest. A mandated report may be due."
            ),
        )
    if abuse.type is not None and abuse.requester_is_suspected_abuser is None:
        return REP_ABUSE.find(
            Out.NEEDS_REVIEW,
            c.PROFESSIONAL_JUDGMENT,
            c.CONSIDER_MANDATED_REPORT,
            rationale="Abuse is suspected; whether the requester is the suspected abuser matters.",
            missing=("abuse_suspected.requester_is_suspected_abuser",),
        )
    return None


def personal_representatives(ctx: Context) -> Finding | None:
    """Parents, guardians and executors as personal representatives (164.502(g))."""
    if ctx.recipient is R.PERSONAL_REPRESENTATIVE_EXECUTOR:
        if ctx.facts.other.client_deceased is False:
            return None
        return on_behalf(ctx, REP_EXECUTOR, "The executor stands in the deceased client's place.")
    if ctx.recipient not in PARENTS:
        return None
    minor = ctx.is_minor()
    if minor is None:
        return REP_PARENT.find(
            Out.NEEDS_REVIEW,
            c.VERIFY_IDENTITY,
            rationale="Whether a parent may act for the client depends on the client's age.",
            missing=("client_is_minor",),
        )
    if not minor:
        if ctx.recipient is R.PARENT:
            return None  # a parent of an adult is family (164.510(b))
        return on_behalf(
            ctx, REP_ADULT, "A guardian of an adult acts for the adult within the authority."
        )
    if ctx.consent(AUTHORIZATION_TYPES) is ConsentStatus.VALID:
        return None
    return _abuser_requests(ctx) or _parent_of_minor(ctx)
