"""What a release says to the client: each required statement in full, worded for the
release's kind and addressed to the client, and when the release ends.

Staff record a release against a checklist: the form and the validation name each statement by
its label (`Statement`, `validation.REQUIRED`: "the signed form holds this statement"). The
client is owed the statements themselves. A HIPAA authorization must contain them in plain
language and the individual gets a copy (45 CFR 164.508(c)(2)-(4)); a Part 2 consent has its own
elements (42 CFR 2.31(a), as amended 2024); a VAWA release must be informed, written and
reasonably time-limited, and services may not depend on it (34 U.S.C. 12291(b)(2); 28 CFR 90.4;
OVW's confidentiality FAQ). So the client's copy (`pdf.release_pdf`) and the portal's release
page print the texts here, never the checklist labels. One place for that wording; each text
names its rule beside it.

The wording is fixed, not agency-configurable, and assumes what Confide's kinds assume: the
agency does not condition services on a signature (the "may not condition" form of 164.508(c)
(2)(ii)(A); the (b)(4) exceptions, under which a refusal has consequences, are not offered).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from confide.releases.enums import TPO_PURPOSES, ReleaseKind, ReleasePurpose, Statement


@dataclass(frozen=True)
class ClientStatement:
    """One statement as the client reads it: a short heading and the full text."""

    statement: Statement
    heading: str
    text: str


HEADINGS = {
    Statement.RIGHT_TO_REVOKE: "You may take it back (revoke it)",
    Statement.CONDITIONING: "Your choice",
    Statement.REDISCLOSURE: "What the recipient may do with it",
    Statement.INFORMED: "What we explained to you",
}

HIPAA_KINDS = (ReleaseKind.HIPAA_AUTHORIZATION, ReleaseKind.PSYCHOTHERAPY_NOTES)

PORTAL_OR_NOTE = (
    'If you use our client portal, choose "Revoke this release" there; or give or send a note '
    "in writing, saying that you revoke it, to your worker or to our privacy officer."
)


def noun(kind: str) -> str:
    """What the form is called in the client's texts."""
    if kind in HIPAA_KINDS:
        return "authorization"
    return "consent" if kind == ReleaseKind.PART2_CONSENT else "release"


def _revoke(kind: str) -> str:
    if kind in HIPAA_KINDS:
        # 45 CFR 164.508(c)(2)(i): the right to revoke in writing, its exceptions and how;
        # (b)(5): in writing, at any time, except to the extent already relied on.
        return (
            "You may revoke this authorization at any time by telling us in writing. "
            f"{PORTAL_OR_NOTE} From then on we share nothing more under it. Revoking does not "
            "undo what we already did relying on it before we received your revocation."
        )
    if kind == ReleaseKind.PART2_CONSENT:
        # 42 CFR 2.31(a) (2024): the right to revoke in writing, except to the extent that the
        # program or another lawful holder already acted in reliance on it, and how to revoke;
        # 2.33(a)(2): a single TPO consent lasts until revoked in writing.
        return (
            "You may revoke this consent at any time by telling us in writing. "
            f"{PORTAL_OR_NOTE} From then on nothing more is shared under it. Revoking does not "
            "undo what we, or others allowed to share your records under this consent, already "
            "did relying on it."
        )
    if kind == ReleaseKind.VAWA_RELEASE:
        # 34 U.S.C. 12291(b)(2): consent is the victim's own and reasonably time-limited; it
        # may be withdrawn at any time (OVW confidentiality FAQ).
        return (
            "You may take back (revoke) this release at any time, by telling your advocate or "
            'worker or by writing to us; if you use our client portal, you can also choose "Revoke '
            'this release" there. We then stop sharing under it at once. Revoking cannot undo what '
            "was already shared."
        )
    # Agency releases (NASW Code 1.03(a): the client's right to withdraw consent).
    return (
        "You may take back (revoke) this release at any time: tell your worker, write to us, or "
        'choose "Revoke this release" in our client portal if you use it. We then stop sharing '
        "under it. Revoking cannot undo what was already shared."
    )


def _conditioning(kind: str) -> str:
    if kind in HIPAA_KINDS or kind == ReleaseKind.PART2_CONSENT:
        # 45 CFR 164.508(c)(2)(ii)(A) and (b)(4); 42 CFR 2.31(a) (2024): the same statement on
        # conditioning, and the consequences of refusing to sign.
        text = (
            f"Signing this {noun(kind)} is your choice. We will not condition your treatment, "
            "payment, enrollment or eligibility for benefits on whether you sign it."
        )
        if kind == ReleaseKind.PART2_CONSENT:
            text += (
                " If you do not sign it, we will not share your records under it, and your "
                "treatment here stays the same."
            )
        return text
    if kind == ReleaseKind.VAWA_RELEASE:
        # 34 U.S.C. 12291(b)(2); 28 CFR 90.4; OVW FAQ: a release is never a condition of service.
        return (
            "Signing this release is your choice. Our services to you never depend on whether "
            "you sign it: if you do not sign, you still get our help, and we do not share this "
            "information."
        )
    return "Signing this release is your choice. Our services to you do not depend on it."


# 42 CFR 2.32 (the notice that goes with every disclosure made with consent) and 2.12(d): what
# binds the recipient of Part 2 records, said to the patient.
PART2_RECIPIENT = (
    "Federal law (42 CFR part 2) still protects these records after we share them. They go to "
    "the recipient with a written notice that part 2 forbids using or sharing them further "
    "unless you consent in writing or part 2 otherwise allows it, and that they may not be used "
    "against you in a civil, criminal, administrative or legislative proceeding without your "
    "specific written consent or a court order, except in the few cases part 2 allows."
)
# 42 CFR 2.31(a)(4)(iii) and 2.33(b)(1): a covered entity or business associate that receives
# the records for treatment, payment or health care operations may redisclose them as HIPAA
# permits, except for proceedings against the patient.
PART2_HIPAA_RECIPIENT = (
    "If the recipient is a health care provider, health plan or other organization covered by "
    "HIPAA, or a business associate of one, and receives your records for treatment, payment or "
    "health care operations, it may share them again as the HIPAA rules allow, except that they "
    "still may not be used or shared in civil, criminal, administrative or legislative "
    "proceedings against you."
)


def _redisclosure(kind: str, *, part2_tpo: bool, purpose: str) -> str:
    if kind in HIPAA_KINDS:
        # 45 CFR 164.508(c)(2)(iii): the potential for redisclosure and loss of protection.
        return (
            "Once we share information under this authorization, the recipient may share it "
            "again, and it may then no longer be protected by the federal health privacy rules "
            "(HIPAA)."
        )
    if kind == ReleaseKind.PART2_CONSENT:
        for_tpo = part2_tpo or purpose == ReleasePurpose.TPO or purpose in TPO_PURPOSES
        return f"{PART2_RECIPIENT} {PART2_HIPAA_RECIPIENT}" if for_tpo else PART2_RECIPIENT
    if kind == ReleaseKind.VAWA_RELEASE:
        return (
            "Once we share it, we cannot control what the recipient does with it: they may share "
            "it again, and the federal rules that make us keep it confidential may not bind them."
        )
    return (
        "Once we share it, the recipient may share it again, and the confidentiality rules that "
        "bind us may not bind them."
    )


def _informed(kind: str) -> str:
    # 34 U.S.C. 12291(b)(2): informed consent (what, to whom, why, for how long, and the risks).
    risks = (
        "including any risk to your safety"
        if kind == ReleaseKind.VAWA_RELEASE
        else "and any risks of sharing it"
    )
    return (
        "Before you signed, we explained what information will be shared, with whom, why and "
        f"for how long, and what could happen once it is shared, {risks}. You may ask us about "
        "it again at any time."
    )


def client_statements(
    kind: str, statements: Iterable[str], *, part2_tpo: bool, purpose: str
) -> tuple[ClientStatement, ...]:
    """The full text of each statement the release holds, for its kind, in a fixed order."""
    held = set(statements)
    texts = {
        Statement.RIGHT_TO_REVOKE: lambda: _revoke(kind),
        Statement.CONDITIONING: lambda: _conditioning(kind),
        Statement.REDISCLOSURE: lambda: _redisclosure(kind, part2_tpo=part2_tpo, purpose=purpose),
        Statement.INFORMED: lambda: _informed(kind),
    }
    return tuple(ClientStatement(s, HEADINGS[s], texts[s]()) for s in Statement if s.value in held)


def ends(
    kind: str,
    *,
    expires_on: dt.date | None,
    expiry_event: str,
    expiry_event_on: dt.date | None = None,
) -> str:
    """When the release ends, as a sentence to the client (164.508(c)(1)(v); 42 CFR 2.31(a):
    "none" is a valid expiry of the single TPO consent, which then lasts until revoked)."""
    name = noun(kind)
    if expires_on and expiry_event:
        text = (
            f"This {name} is in effect until the end of {expires_on.isoformat()}, or until this "
            f"happens, if it happens first: {expiry_event}."
        )
    elif expires_on:
        text = f"This {name} is in effect until the end of {expires_on.isoformat()}."
    elif expiry_event:
        text = f"This {name} ends when this happens: {expiry_event}."
    else:
        return f"This {name} has no end date: it lasts until you revoke it."
    if expiry_event_on is not None:
        text += f" The event was recorded as having happened on {expiry_event_on.isoformat()}."
    return text
