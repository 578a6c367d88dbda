"""A client portal account for the synthetic demo, so a newcomer can try the portal.

`demo_account_create` goes through the portal's own services (invitation, enrolment, acceptance
with the first code), so the rows and ledger events are what real use writes. `demo_sign_ins`
reads back the sign-in id and the authenticator secret to print them beside the staff sign-ins;
`demo_code` gives the current code. Only for the agencies the caller names (the demo's own,
`confide.demo`): a real client's authenticator secret is never printed.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from uuid import UUID

from django_otp.oath import TOTP

from confide.core.actor import Actor
from confide.crypto.envelope import DecryptionFailed, client_key
from confide.portal import services
from confide.portal.models import PortalAccount


@dataclass(frozen=True)
class PortalSignIn:
    sign_in_id: str
    totp_base32: str


def _code(secret: bytes, now: float) -> str:
    totp = TOTP(secret, services.TOTP_STEP, 0, services.TOTP_DIGITS, 0)
    totp.time = now
    return f"{totp.token():0{services.TOTP_DIGITS}d}"


def demo_account_create(*, actor: Actor, client_id: UUID, password: str) -> PortalAccount:
    """Invite the client and accept the invitation at once, as the client would (English).
    Needs consent:manage on the client. Raises what the portal's services raise."""
    invitation = services.invitation_create(actor=actor, client_id=client_id, language="en")
    invitation_id = services.invitation_check(code=invitation.code)
    if invitation_id is None:  # a code made a moment ago: only a broken clock gets here
        raise RuntimeError("the demo's own invitation was refused")
    enrolment = services.enrolment_begin(invitation_id=invitation_id)
    return services.invitation_accept(
        invitation_id=invitation_id,
        password=password,
        code=_code(enrolment.secret, services.wall_clock()),
    )


def _secret(account: PortalAccount) -> bytes | None:
    if account.totp_key_enc is None:
        return None
    try:
        key = client_key(account.client_id)
        return key.decrypt(services.TOTP_PURPOSE, account.id, bytes(account.totp_key_enc))
    except DecryptionFailed:
        return None


def _accounts(agency_ids: Iterable[UUID]) -> list[PortalAccount]:
    rows = PortalAccount.objects.filter(agency_id__in=list(agency_ids)).order_by("sign_in_id")
    return [a for a in rows if a.is_usable]


def demo_sign_ins(agency_ids: Iterable[UUID]) -> list[PortalSignIn]:
    """The usable portal accounts of these (demo) agencies with their authenticator secrets."""
    found = []
    for account in _accounts(agency_ids):
        secret = _secret(account)
        if secret is not None:
            found.append(
                PortalSignIn(account.sign_in_id, base64.b32encode(secret).decode().rstrip("="))
            )
    return found


def demo_code(
    sign_in_id: str, agency_ids: Iterable[UUID], clock: Callable[[], float] = time.time
) -> tuple[str, int] | None:
    """The current code of a (demo) portal account and the seconds it stays current, or None
    when no usable account of these agencies has that sign-in id."""
    wanted = services.normalise(sign_in_id)
    accounts = _accounts(agency_ids)
    account = next((a for a in accounts if services.normalise(a.sign_in_id) == wanted), None)
    secret = _secret(account) if account is not None else None
    if secret is None:
        return None
    now = clock()
    return _code(secret, now), services.TOTP_STEP - int(now) % services.TOTP_STEP
