"""The portal's writers: invitations (made by staff), accepting one (the client sets a password
and enrols an authenticator), the sign-in steps with lockout, re-authentication, sign-out, and
ending a client's portal access. Each is one transaction with its ledger event.

Sign-in follows staff sign-in (`confide.accounts.services`): the same Argon2 hashers and password
validators (Django's settings), the same lockout threshold and pause (CONFIDE_LOCKOUT_*), the same
TOTP algorithm and window (django_otp's `TOTP`, 30 s steps, one step of drift, no code used
twice), a failed attempt committed with its event before the caller shows an error. Clients are
not staff `User` rows, so the rows and events are the portal's own (`portal:*`); the ledger's
actor id is the portal account and the channel is `portal`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote
from uuid import UUID

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.oath import TOTP

from confide.access.lookups import get_authorized
from confide.access.policy import Action, Decision
from confide.accounts import lockout
from confide.consent.enums import Language
from confide.core import clock
from confide.core.actor import Actor
from confide.core.errors import NotFound, ValidationFailed
from confide.core.ids import parse_id
from confide.crypto.envelope import DecryptionFailed, client_key
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.services import DetailValue
from confide.portal.errors import InvitationInvalid, PortalAccessWrongState
from confide.portal.models import PortalAccount, PortalInvitation
from confide.records.models import Client
from confide.releases.access import ClientSelf

CHANNEL = "portal"


def account_id_of(principal: ClientSelf) -> UUID:
    """The portal account behind a signed-in client (the portal always sets it)."""
    if principal.account_id is None:
        raise NotFound("account")
    return principal.account_id


# Letters and digits people can read aloud and type without mixing them up (no 0/O, 1/I/L).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVITATION_LENGTH = 20  # about 99 bits
SIGN_IN_ID_LENGTH = 12
TOTP_PURPOSE = "portal_account.totp_key"
PENDING_PURPOSE = "portal_invitation.totp_key"
TOTP_DIGITS, TOTP_STEP, TOTP_TOLERANCE = 6, 30, 1


@dataclass(frozen=True)
class Invitation:
    """A new invitation: the account and the code, shown once to the staff member."""

    account: PortalAccount
    code: str
    expires_at: dt.datetime


def wall_clock() -> float:
    """Seconds since the epoch, for the authenticator's time steps (tests move it)."""
    return time.time()


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def _grouped(text: str) -> str:
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise(code: str) -> str:
    """A code or sign-in id as typed: case, spaces and dashes do not matter."""
    return "".join(c for c in code.upper() if c.isalnum())[:64] if isinstance(code, str) else ""


def _digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def _new_sign_in_id() -> str:
    while True:
        candidate = _grouped(_random(SIGN_IN_ID_LENGTH))
        if not PortalAccount.objects.filter(sign_in_id=candidate).exists():
            return candidate


def _event(
    account: PortalAccount, event_type: EventType, details: dict[str, DetailValue] | None = None
) -> None:
    """An event of the client's own account (the actor is the account, channel portal)."""
    ledger.record(
        actor=None,
        agency_id=account.agency_id,
        actor_id=account.id,
        channel=CHANNEL,
        event_type=event_type,
        subject_type="portal_account",
        subject_id=account.id,
        client_id=account.client_id,
        details=details,
    )


# ---- staff: invite, end access -----------------------------------------------------------------


@transaction.atomic
def invitation_create(*, actor: Actor, client_id: UUID | str, language: str) -> Invitation:
    """Invite the client to the portal: a single-use code, valid CONFIDE_PORTAL_INVITATION_HOURS,
    shown once; only its SHA-256 is kept. Earlier unused invitations are withdrawn. Accepting it
    sets a new password and authenticator (so it also serves a client who lost either).

    Needs consent:manage on the client (its care team). Writes portal:invitation:created.
    Raises NotFound, NotPermitted, ValidationFailed.
    """
    if language not in Language.values:
        raise ValidationFailed({"language": "choose English or Spanish"})
    client, account, decision = _locked_account(actor, client_id)
    if account is None:
        account = PortalAccount.objects.create(
            agency_id=client.agency_id,
            client=client,
            sign_in_id=_new_sign_in_id(),
            invited_by_id=actor.user_id,
            language=language,
        )
    else:
        account.language = language
        account.save(update_fields=["language", "updated_at"])
    now = clock.now()
    withdrawn = _withdraw_live(account, now)
    code = _grouped(_random(INVITATION_LENGTH))
    invitation = PortalInvitation.objects.create(
        account=account,
        token_hash=_digest(code),
        expires_at=now + timedelta(hours=settings.CONFIDE_PORTAL_INVITATION_HOURS),
        created_by_id=actor.user_id,
    )
    ledger.record(
        actor=actor,
        event_type=EventType.PORTAL_INVITED,
        subject_type="portal_account",
        subject_id=account.id,
        client_id=client.id,
        policy_ids=decision.policy_ids,
        details={
            "hours": settings.CONFIDE_PORTAL_INVITATION_HOURS,
            "language": language,
            "withdrawn": withdrawn,
        },
    )
    return Invitation(account=account, code=code, expires_at=invitation.expires_at)


def _locked_account(
    actor: Actor, client_id: UUID | str
) -> tuple[Client, PortalAccount | None, Decision]:
    """The client's account, locked (client row first, then the account, then its invitations:
    the same order in every writer, so two of them never wait on each other)."""
    client, decision = get_authorized(actor, Client, client_id, Action.CONSENT_MANAGE, lock=True)
    account = PortalAccount.objects.select_for_update().filter(client=client).first()
    return client, account, decision


def _withdraw_live(account: PortalAccount, now: dt.datetime) -> int:
    """Withdraw the account's unused invitations (expired ones too: nothing can use them)."""
    return PortalInvitation.objects.filter(account=account, used_at=None, withdrawn_at=None).update(
        withdrawn_at=now, totp_pending_enc=None
    )


@transaction.atomic
def access_end(*, actor: Actor, client_id: UUID | str) -> PortalAccount:
    """End the client's portal access at once: every open session ends at its next request and
    any unused invitation is withdrawn; a new invitation opens it again. On an account already
    ended, it withdraws an invitation made since (so it can always be taken back).

    Needs consent:manage on the client. Writes portal:account:disabled (with how many
    invitations were withdrawn). Raises NotFound, NotPermitted, PortalAccessWrongState (no
    account, or already ended with no live invitation).
    """
    _client, account, decision = _locked_account(actor, client_id)
    now = clock.now()
    if account is None or (account.disabled_at is not None and not _has_live(account, now)):
        raise PortalAccessWrongState("This client has no portal access to end.")
    if account.disabled_at is None:
        account.disabled_at, account.disabled_by_id = now, actor.user_id
    account.session_epoch += 1
    account.save(update_fields=["disabled_at", "disabled_by", "session_epoch", "updated_at"])
    withdrawn = _withdraw_live(account, now)
    ledger.record(
        actor=actor,
        event_type=EventType.PORTAL_ACCESS_ENDED,
        subject_type="portal_account",
        subject_id=account.id,
        client_id=account.client_id,
        policy_ids=decision.policy_ids,
        details={"withdrawn": withdrawn},
    )
    return account


def _has_live(account: PortalAccount, now: dt.datetime) -> bool:
    return PortalInvitation.objects.filter(
        account=account, used_at=None, withdrawn_at=None, expires_at__gt=now
    ).exists()


@transaction.atomic
def invitation_withdraw(*, actor: Actor, client_id: UUID | str) -> PortalAccount:
    """Withdraw the client's live invitation and change nothing else: an active account stays
    active (its password and authenticator are kept), an ended one stays ended.

    Needs consent:manage on the client. Writes portal:invitation:withdrawn. Raises NotFound,
    NotPermitted, PortalAccessWrongState (no live invitation).
    """
    _client, account, decision = _locked_account(actor, client_id)
    now = clock.now()
    if account is None or not _has_live(account, now):
        raise PortalAccessWrongState("This client has no invitation to withdraw.")
    withdrawn = _withdraw_live(account, now)
    ledger.record(
        actor=actor,
        event_type=EventType.PORTAL_INVITATION_WITHDRAWN,
        subject_type="portal_account",
        subject_id=account.id,
        client_id=account.client_id,
        policy_ids=decision.policy_ids,
        details={"withdrawn": withdrawn},
    )
    return account


# ---- the client: accept an invitation ---------------------------------------------------------


def _refusal(invitation: PortalInvitation | None) -> str:
    if invitation is None:
        return "unknown"
    if invitation.used_at is not None:
        return "used"
    if invitation.withdrawn_at is not None:
        return "withdrawn"
    if invitation.expires_at <= clock.now():
        return "expired"
    return ""


def _locked_live_invitation(invitation_id: UUID | str) -> tuple[PortalInvitation, PortalAccount]:
    """The live invitation and its account, both locked: the account first, then the invitation,
    the order the staff writers use (`_locked_account`), so none of them deadlocks another."""
    parsed = parse_id(invitation_id)
    if parsed is None:
        raise InvitationInvalid()
    rows = PortalInvitation.objects.filter(id=parsed)
    account_id = rows.values_list("account_id", flat=True).first()
    account = (
        PortalAccount.objects.select_for_update().filter(id=account_id).first()
        if account_id is not None
        else None
    )
    invitation = rows.select_for_update().first() if account is not None else None
    if account is None or invitation is None or _refusal(invitation):
        raise InvitationInvalid()
    return invitation, account


@transaction.atomic
def invitation_check(*, code: str) -> UUID | None:
    """The id of the live invitation this code opens, or None. Never raises; a refused code
    writes portal:invitation:refused with why (unknown, used, withdrawn, expired), never the
    code, and commits, so the caller shows the error after this transaction."""
    invitation = (
        PortalInvitation.objects.select_related("account").filter(token_hash=_digest(code)).first()
    )
    why = _refusal(invitation)
    if invitation is None or why:
        account = invitation.account if invitation is not None else None
        ledger.record(
            actor=None,
            agency_id=account.agency_id if account else None,
            actor_id=account.id if account else None,
            channel=CHANNEL,
            event_type=EventType.PORTAL_INVITATION_REFUSED,
            subject_type="portal_invitation" if invitation else "",
            subject_id=invitation.id if invitation else "",
            client_id=account.client_id if account else None,
            details={"why": why},
        )
        return None
    return invitation.id


@dataclass(frozen=True)
class Enrolment:
    """What the set-up page shows: the sign-in id and the authenticator secret to enrol."""

    sign_in_id: str
    secret: bytes
    config_url: str


@transaction.atomic
def enrolment_begin(*, invitation_id: UUID | str) -> Enrolment:
    """The authenticator secret the client enrols with this live invitation: made on the first
    visit and kept (sealed under the client's key) for later visits and failed attempts, so a
    client who scanned it can finish; another invitation gets its own. The account's current
    secret works until the invitation is accepted. Raises InvitationInvalid (also when the
    client's key is gone)."""
    invitation, account = _locked_live_invitation(invitation_id)
    try:
        key = client_key(account.client_id)
    except DecryptionFailed:
        raise InvitationInvalid() from None
    secret = _unseal(account, PENDING_PURPOSE, invitation.id, invitation.totp_pending_enc)
    if secret is None:
        secret = secrets.token_bytes(20)
        invitation.totp_pending_enc = key.encrypt(PENDING_PURPOSE, invitation.id, secret)
        invitation.save(update_fields=["totp_pending_enc", "updated_at"])
    return Enrolment(account.sign_in_id, secret, _config_url(account, secret))


def _config_url(account: PortalAccount, secret: bytes) -> str:
    label = quote(f"Confide portal:{account.sign_in_id}")
    key = base64.b32encode(secret).decode().rstrip("=")
    return (
        f"otpauth://totp/{label}?secret={key}&algorithm=SHA1&digits={TOTP_DIGITS}"
        f"&period={TOTP_STEP}&issuer=Confide%20portal"
    )


def _totp_matches(secret: bytes, code: str, last_t: int) -> int | None:
    """The time step the code matches (after `last_t`, so no code works twice), or None."""
    cleaned = code.replace(" ", "") if isinstance(code, str) else ""
    if not (cleaned.isdigit() and len(cleaned) == TOTP_DIGITS):
        return None
    totp = TOTP(secret, TOTP_STEP, 0, TOTP_DIGITS, 0)
    totp.time = wall_clock()
    if totp.verify(int(cleaned), TOTP_TOLERANCE, last_t + 1):
        return int(totp.t())
    return None


def invitation_accept(*, invitation_id: UUID | str, password: str, code: str) -> PortalAccount:
    """Use the invitation: set the client's password (the project's password rules, Argon2) and
    confirm the invitation's authenticator secret with its first code. The invitation is used up
    and every earlier session of the account ends (its session epoch moves on).

    Writes portal:invitation:accepted and portal:session:signed_in. Raises InvitationInvalid,
    ValidationFailed (password too weak, code wrong); a refusal changes nothing but is recorded
    afterwards (portal:invitation:refused, why weak_password / wrong_code).
    """
    try:
        return _accept(invitation_id, password, code)
    except ValidationFailed as error:
        _set_up_refused(invitation_id, error)
        raise


@transaction.atomic
def _accept(invitation_id: UUID | str, password: str, code: str) -> PortalAccount:
    invitation, account = _locked_live_invitation(invitation_id)
    problems: dict[str, str] = {}
    try:
        validate_password(password)
    except ValidationError as error:
        problems["password"] = " ".join(error.messages)
    secret = _unseal(account, PENDING_PURPOSE, invitation.id, invitation.totp_pending_enc)
    step = _totp_matches(secret, code, -1) if secret is not None else None
    if step is None:
        problems["code"] = "That code did not match. Check the time on your phone and try again."
    if problems:
        raise ValidationFailed(problems)
    assert secret is not None
    assert step is not None
    try:
        sealed = client_key(account.client_id).encrypt(TOTP_PURPOSE, account.id, secret)
    except DecryptionFailed:
        raise InvitationInvalid() from None
    now = clock.now()
    account.password = make_password(password)
    account.totp_key_enc = sealed
    account.totp_confirmed, account.totp_last_t = True, step
    lockout.clear(account)
    account.activated_at, account.disabled_at, account.disabled_by = now, None, None
    account.session_epoch += 1
    account.save()
    invitation.used_at, invitation.totp_pending_enc = now, None
    invitation.save(update_fields=["used_at", "totp_pending_enc", "updated_at"])
    _event(account, EventType.PORTAL_INVITATION_ACCEPTED, {"invitation": str(invitation.id)})
    _event(account, EventType.PORTAL_SIGN_IN)
    return account


SET_UP_REFUSALS = {"password": "weak_password", "code": "wrong_code"}


@transaction.atomic
def _set_up_refused(invitation_id: UUID | str, error: ValidationFailed) -> None:
    """Record a refused set-up after its transaction rolled back (never the password or code)."""
    parsed = parse_id(invitation_id)
    invitation = (
        PortalInvitation.objects.select_related("account").filter(id=parsed).first()
        if parsed is not None
        else None
    )
    if invitation is None:
        return
    ledger.record(
        actor=None,
        agency_id=invitation.account.agency_id,
        actor_id=invitation.account_id,
        channel=CHANNEL,
        event_type=EventType.PORTAL_INVITATION_REFUSED,
        subject_type="portal_invitation",
        subject_id=invitation.id,
        client_id=invitation.account.client_id,
        details={"why": [SET_UP_REFUSALS.get(name, name) for name in sorted(error.fields)]},
    )


def _unseal(
    account: PortalAccount, purpose: str, row_id: UUID, blob: bytes | memoryview | None
) -> bytes | None:
    """A sealed authenticator secret, or None (none set, or the client's key was shredded)."""
    if blob is None:
        return None
    try:
        return client_key(account.client_id).decrypt(purpose, row_id, bytes(blob))
    except DecryptionFailed:
        return None


# ---- the client: sign in, re-authenticate, sign out ------------------------------------------


def _register_failure(account: PortalAccount, step: str) -> None:
    """Count a failed step; at the threshold, pause sign-in (staff's rule: `accounts.lockout`)."""
    paused = lockout.count_failure(account)
    account.save(update_fields=lockout.FIELDS)
    _event(
        account,
        EventType.PORTAL_LOCKED_OUT if paused else EventType.PORTAL_SIGN_IN_FAILED,
        {"step": step},
    )


def _code_ok(account: PortalAccount, code: str) -> bool:
    secret = _unseal(account, TOTP_PURPOSE, account.id, account.totp_key_enc)
    step = _totp_matches(secret, code, account.totp_last_t) if secret is not None else None
    if step is None:
        return False
    account.totp_last_t = step
    account.save(update_fields=["totp_last_t", "updated_at"])
    return True


@transaction.atomic
def sign_in_check_password(*, sign_in_id: str, password: str) -> PortalAccount | None:
    """First step. Never raises; a failure writes portal:session:sign_in_failed (or locked_out)
    and commits, so the caller shows the error after this transaction."""
    wanted = _grouped(normalise(sign_in_id))
    account = PortalAccount.objects.select_for_update().filter(sign_in_id=wanted).first()
    if account is None or not account.is_usable:
        make_password(password)  # the same work as a real check: no timing oracle
        ledger.record(
            actor=None,
            event_type=EventType.PORTAL_SIGN_IN_FAILED,
            channel=CHANNEL,
            details={"step": "password"},
        )
        return None
    if lockout.is_locked(account) or not check_password(password, account.password):
        _register_failure(account, "password")
        return None
    return account


@transaction.atomic
def sign_in_check_code(*, account_id: UUID | str, code: str) -> PortalAccount | None:
    """Second step: the authenticator code. Success clears the failure count and writes
    portal:session:signed_in; a failure is counted like a wrong password."""
    parsed = parse_id(account_id)
    rows = PortalAccount.objects.select_for_update()
    account = rows.filter(id=parsed).first() if parsed is not None else None
    if account is None or not account.is_usable:
        return None
    if lockout.is_locked(account) or not _code_ok(account, code):
        _register_failure(account, "code")
        return None
    lockout.clear(account)
    account.save(update_fields=lockout.FIELDS)
    _event(account, EventType.PORTAL_SIGN_IN)
    return account


@transaction.atomic
def reauth_check(*, principal: ClientSelf, password: str, code: str) -> bool:
    """Password and a fresh code again before revoking a release. Writes
    portal:session:reauthenticated, or counts a failure (which can pause sign-in)."""
    account = PortalAccount.objects.select_for_update().get(id=account_id_of(principal))
    if (
        account.is_usable
        and not lockout.is_locked(account)
        and check_password(password, account.password)
        and _code_ok(account, code)
    ):
        _event(account, EventType.PORTAL_REAUTHENTICATED)
        return True
    _register_failure(account, "reauthenticate")
    return False


@transaction.atomic
def sign_out_record(*, principal: ClientSelf, expired: bool = False) -> None:
    """Writes portal:session:signed_out, or expired when the idle or absolute limit ended it."""
    account = PortalAccount.objects.get(id=account_id_of(principal))
    _event(account, EventType.PORTAL_SESSION_EXPIRED if expired else EventType.PORTAL_SIGN_OUT)
