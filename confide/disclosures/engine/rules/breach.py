"""Breach notification (45 CFR 164.400-414; applied to Part 2 records by 42 CFR 2.16 as of 2024).

Owns who must be told of a breach of unsecured information, and by when: the individuals
(60 days), prominent media (more than 500 residents of a state) and HHS (contemporaneously at
500 or more; otherwise in the annual log).
"""

from __future__ import annotations

from .. import conditions as c
from ..context import SUD_INFO, Context
from ..decision import Finding, Outcome, define
from ..facts import EntityType, Purpose, Recipient

R = Recipient
Out = Outcome

INDIVIDUALS = define(
    "hipaa.breach.individuals",
    ("45 CFR 164.404(a)-(c)", "45 CFR 164.402", "NASW Code 1.07(n)-(o)"),
    "Notify each affected individual within 60 days of discovery",
)
MEDIA = define(
    "hipaa.breach.media",
    ("45 CFR 164.406",),
    "Notify prominent media when more than 500 residents of a state are affected",
)
HHS = define(
    "hipaa.breach.hhs",
    ("45 CFR 164.408(b)-(c)",),
    "Notify HHS: contemporaneously at 500 or more, otherwise in the annual log",
)
SECURED = define(
    "hipaa.breach.secured_information",
    ("45 CFR 164.402 (unsecured protected health information)", "NASW Code 1.07(o)"),
    "Encrypted (secured) information: no breach-notification duty; ethics still asks to tell",
)
UNKNOWN = define(
    "hipaa.breach.facts_unknown",
    ("45 CFR 164.402", "45 CFR 164.404-164.408"),
    "Who must be notified turns on encryption and the number affected",
)
INDIVIDUAL_RECIPIENTS = frozenset({R.AFFECTED_INDIVIDUALS, R.CLIENT_SELF})
NOTIFIABLE = INDIVIDUAL_RECIPIENTS | {R.MEDIA, R.HHS}


def _cite(ctx: Context) -> tuple[str, ...]:
    part2 = ctx.entity is EntityType.PART2_PROGRAM or ctx.info in SUD_INFO
    return ("42 CFR 2.16",) if part2 else ()


def _unknown(ctx: Context, missing: str) -> Finding:
    return UNKNOWN.find(
        Out.NEEDS_REVIEW,
        c.BREACH_RISK_ASSESSMENT,
        c.ROUTE_TO_PRIVACY_OFFICER,
        rationale="Whether and whom to notify of this breach turns on facts that are unknown.",
        missing=(missing,),
        cite=_cite(ctx),
    )


def _media(ctx: Context, count: int) -> Finding:
    if count > 500:
        return MEDIA.find(
            Out.REQUIRED,
            c.NOTIFY_MEDIA,
            c.DEADLINE_BREACH_NOTICE,
            c.BREACH_RISK_ASSESSMENT,
            rationale=(
                "More than 500 residents of a state are affected, so prominent media outlets "
                "serving the state must be notified within the same 60 days."
            ),
            cite=_cite(ctx),
        )
    return MEDIA.find(
        Out.PERMITTED_WITH_CONDITIONS,
        c.ROUTE_TO_PRIVACY_OFFICER,
        c.DEIDENTIFY_OR_OBTAIN_CONSENT,
        rationale=(
            "Media notice is required only above 500 residents of a state, which this is not; "
            "any public statement is the privacy officer's and must identify no one."
        ),
        cite=_cite(ctx),
    )


def _hhs(ctx: Context, count: int) -> Finding:
    notice = c.NOTIFY_HHS_CONTEMPORANEOUS if count >= 500 else c.NOTIFY_HHS_ANNUAL_LOG
    return HHS.find(
        Out.REQUIRED,
        notice,
        c.DEADLINE_BREACH_NOTICE,
        c.BREACH_RISK_ASSESSMENT,
        rationale=(
            "HHS must be told of every breach: at the same time as the individuals when 500 or "
            "more are affected, otherwise in the log sent within 60 days after the year ends."
        ),
        cite=_cite(ctx),
    )


def _individuals(ctx: Context) -> Finding:
    return INDIVIDUALS.find(
        Out.REQUIRED,
        c.DEADLINE_BREACH_NOTICE,
        c.NOTIFY_CLIENT,
        c.BREACH_RISK_ASSESSMENT,
        rationale=(
            "A breach of unsecured information is presumed unless a documented risk assessment "
            "shows a low probability of compromise; each affected person must get a plain-"
            "language written notice without unreasonable delay and within 60 days of discovery."
        ),
        cite=_cite(ctx),
    )


def breach_notification(ctx: Context) -> Finding | None:
    """Who must be told of a breach, when the proposed disclosure is a breach notice."""
    if ctx.purpose is not Purpose.BREACH_NOTIFICATION or ctx.recipient not in NOTIFIABLE:
        return None
    encrypted = ctx.facts.other.encrypted
    if encrypted is None:
        return _unknown(ctx, "other.encrypted")
    if encrypted:
        return SECURED.find(
            Out.PERMITTED_WITH_CONDITIONS,
            c.BREACH_RISK_ASSESSMENT,
            c.NOTIFY_CLIENT,
            rationale=(
                "Encrypted information is not unsecured, so the breach-notification duties do "
                "not apply; ethics still asks the agency to tell clients of unauthorized access."
            ),
            cite=_cite(ctx),
        )
    if ctx.recipient in INDIVIDUAL_RECIPIENTS:
        return _individuals(ctx)
    count = ctx.facts.other.affected_count
    if count is None:
        return _unknown(ctx, "other.affected_count")
    return _media(ctx, count) if ctx.recipient is R.MEDIA else _hhs(ctx, count)
