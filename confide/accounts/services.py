"""Writers for accounts: sign-in steps, lockout, MFA enrolment, API tokens, staff creation."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from confide.accounts import lockout
from confide.accounts.actors import actor_for
from confide.accounts.models import Agency, ApiToken, Team, User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotFound, NotPermitted, ValidationFailed
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.services import DetailValue

TOKEN_PREFIX = "cfd_"  # noqa: S105 - a public marker, not a secret


@dataclass(frozen=True)
class PasswordCheck:
    user: User | None

    @property
    def ok(self) -> bool:
        return self.user is not None


def _register_failure(user: User, event: EventType, channel: str) -> None:
    if lockout.count_failure(user):
        event = EventType.SIGN_IN_LOCKED
    user.save(update_fields=lockout.FIELDS)
    ledger.record(
        actor=None, event_type=event, agency_id=user.agency_id, actor_id=user.id, channel=channel
    )


@transaction.atomic
def sign_in_check_password(*, email: str, password: str, channel: str = "web") -> PasswordCheck:
    """First sign-in step. Writes sign_in_failed or locked_out on failure; never raises.

    A failed attempt commits (the counter and the event), so the caller turns a failed result
    into an error after this transaction.
    """
    user = User.objects.select_for_update().filter(email=email.strip().lower()).first()
    if user is None or not user.is_active:
        User().set_password(password)  # same work as a real check: no timing oracle
        ledger.record(actor=None, event_type=EventType.SIGN_IN_FAILED, channel=channel)
        return PasswordCheck(None)
    if lockout.is_locked(user) or not user.check_password(password):
        _register_failure(user, EventType.SIGN_IN_FAILED, channel)
        return PasswordCheck(None)
    return PasswordCheck(user)


def confirmed_device(user: User) -> TOTPDevice | None:
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device


@transaction.atomic
def sign_in_check_code(
    *, user_id: UUID | str, code: str, channel: str = "web"
) -> TOTPDevice | None:
    """Second step: the TOTP code. Success resets the failure count and writes signed_in."""
    user = User.objects.select_for_update().filter(id=user_id, is_active=True).first()
    if user is None:
        return None
    device = confirmed_device(user)
    if lockout.is_locked(user) or device is None or not _code_ok(device, code):
        _register_failure(user, EventType.MFA_FAILED, channel)
        return None
    lockout.clear(user)
    user.last_login = clock.now()
    user.save(update_fields=[*lockout.FIELDS, "last_login"])
    ledger.record(
        actor=actor_for(user, channel=channel, mfa_verified=True), event_type=EventType.SIGN_IN
    )
    return device


def _code_ok(device: TOTPDevice, code: str) -> bool:
    cleaned = code.replace(" ", "")
    return cleaned.isdigit() and len(cleaned) == 6 and bool(device.verify_token(cleaned))


@transaction.atomic
def mfa_begin_enrolment(*, user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for the enrolment page (replaces any earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device: TOTPDevice = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    return device


@transaction.atomic
def mfa_confirm_enrolment(*, user: User, code: str, channel: str = "web") -> TOTPDevice | None:
    """Confirm the pending device with a first code. Writes mfa:enrolled and signed_in."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or confirmed_device(user) is not None or not _code_ok(device, code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    actor = actor_for(user, channel=channel, mfa_verified=True)
    ledger.record(
        actor=actor, event_type=EventType.MFA_ENROLLED, subject_type="user", subject_id=user.id
    )
    ledger.record(actor=actor, event_type=EventType.SIGN_IN)
    return device


@transaction.atomic
def sign_out_record(*, actor: Actor, expired: bool = False) -> None:
    """Writes signed_out, or expired when the idle or absolute limit ended the session."""
    ledger.record(
        actor=actor, event_type=EventType.SESSION_EXPIRED if expired else EventType.SIGN_OUT
    )


@transaction.atomic
def reauth_check(*, actor: Actor, password: str, code: str) -> bool:
    """Re-authentication before a dangerous action. Writes reauthenticated or mfa_failed."""
    user = User.objects.select_for_update().get(id=actor.user_id)
    device = confirmed_device(user)
    if user.check_password(password) and device is not None and _code_ok(device, code):
        ledger.record(actor=actor, event_type=EventType.REAUTHENTICATED)
        return True
    _register_failure(user, EventType.MFA_FAILED, actor.channel)
    return False


def _token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: Actor, name: str, days: int) -> tuple[ApiToken, str]:
    """Create a personal access token; returns it and its secret (shown once).

    Needs a recent re-authentication (checked by the caller's view). Writes accounts:token:created.
    Raises ValidationFailed for a missing name or a lifetime out of range.
    """
    problems: dict[str, str] = {}
    name = name.strip()
    if not name or len(name) > 100:
        problems["name"] = "give a name of 1 to 100 characters"
    if not 1 <= days <= settings.CONFIDE_API_TOKEN_MAX_DAYS:
        problems["days"] = f"choose 1 to {settings.CONFIDE_API_TOKEN_MAX_DAYS} days"
    if problems:
        raise ValidationFailed(problems)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user_id=actor.user_id,
        name=name,
        prefix=secret[:10],
        token_hash=_token_digest(secret),
        expires_at=clock.now() + timedelta(days=days),
    )
    ledger.record(
        actor=actor,
        event_type=EventType.TOKEN_CREATED,
        subject_type="api_token",
        subject_id=token.id,
        details={"days": days},
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: Actor, token_id: UUID | str) -> None:
    """Revoke one of the actor's own tokens. Writes accounts:token:revoked. Raises NotFound."""
    token = ApiToken.objects.filter(id=token_id, user_id=actor.user_id, revoked_at=None).first()
    if token is None:
        raise NotFound("token")
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.TOKEN_REVOKED,
        subject_type="api_token",
        subject_id=token.id,
    )


@transaction.atomic
def token_user(secret: str) -> User | None:
    """The active user behind a live token, or None (unknown, expired, revoked, inactive).

    Writes accounts:token:rejected for every refused token (never the token itself).
    """
    now = clock.now()
    token = None
    if secret.startswith(TOKEN_PREFIX) and len(secret) <= 100:
        token = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=_token_digest(secret), revoked_at=None, expires_at__gt=now)
            .first()
        )
    if token is None or not token.user.is_active:
        ledger.record(actor=None, event_type=EventType.TOKEN_REJECTED, channel="api")
        return None
    ApiToken.objects.filter(id=token.id).update(last_used_at=now)
    return token.user


@transaction.atomic
def staff_create(
    *,
    agency: Agency,
    email: str,
    display_name: str,
    role: Role,
    password: str,
    teams: list[Team] | None = None,
    actor: Actor | None = None,
) -> User:
    """Create a staff member. Writes accounts:user:created. (Admin pages come later.)"""
    user = User.objects.create_user(
        email, password, display_name=display_name, agency=agency, role=role.value
    )
    if teams:
        user.teams.set(teams)
    ledger.record(
        actor=actor,
        event_type=EventType.USER_CREATED,
        agency_id=agency.id,
        subject_type="user",
        subject_id=user.id,
        details={"role": role.value},
    )
    return user


ADMIN_FIELDS = ("supervisor", "is_trainee", "dv_designated", "hiv_designated")


@transaction.atomic
def staff_update_access(
    *,
    actor: Actor,
    user_id: UUID | str,
    supervisor_id: UUID | str | None = None,
    is_trainee: bool | None = None,
    dv_designated: bool | None = None,
    hiv_designated: bool | None = None,
    team_ids: list[UUID] | None = None,
    clear_supervisor: bool = False,
) -> User:
    """Change what the access policy knows about a staff member: supervisor, trainee status,
    designations, teams. Administrators only; never their own designations.

    Writes accounts:user:updated naming the fields changed. Raises NotFound, NotPermitted,
    ValidationFailed.
    """
    if actor.role != Role.ADMINISTRATOR:
        raise NotPermitted("Only an administrator changes staff access settings.")
    user = User.objects.select_for_update().filter(id=user_id, agency_id=actor.agency_id).first()
    if user is None:
        raise NotFound("staff member")
    if user.id == actor.user_id and (dv_designated or hiv_designated):
        raise NotPermitted("Administrators do not designate themselves.")
    changed: list[str] = []
    designations = {
        "is_trainee": is_trainee,
        "dv_designated": dv_designated,
        "hiv_designated": hiv_designated,
    }
    own_change = any(v is not None and getattr(user, k) != v for k, v in designations.items())
    if user.id == actor.user_id and own_change:
        raise NotPermitted("Nobody changes their own designations; ask another administrator.")
    if clear_supervisor and user.supervisor_id is not None:
        user.supervisor, changed = None, [*changed, "supervisor"]
    if supervisor_id is not None:
        boss = User.objects.filter(
            id=supervisor_id, agency_id=actor.agency_id, role=Role.SUPERVISOR
        ).first()
        if boss is None or boss.id == user.id:
            raise ValidationFailed({"supervisor": "choose a supervisor of this agency"})
        user.supervisor, changed = boss, [*changed, "supervisor"]
    for name, value in (
        ("is_trainee", is_trainee),
        ("dv_designated", dv_designated),
        ("hiv_designated", hiv_designated),
    ):
        if value is not None and getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    user.save(update_fields=[*ADMIN_FIELDS, "updated_at"])
    if team_ids is not None:
        teams = list(Team.objects.filter(id__in=team_ids, agency_id=actor.agency_id))
        if len(teams) != len(set(team_ids)):
            raise ValidationFailed({"teams": "choose teams of this agency"})
        user.teams.set(teams)
        changed.append("teams")
    ledger.record(
        actor=actor,
        event_type=EventType.STAFF_UPDATED,
        subject_type="user",
        subject_id=user.id,
        details={"fields": changed},
    )
    return user


@transaction.atomic
def agency_settings_update(
    *, actor: Actor, hiv_restricted: bool | None = None, training_validity_days: int | None = None
) -> Agency:
    """Change the agency's access settings. Administrators only.

    Writes accounts:agency:settings_changed. Raises NotPermitted, ValidationFailed.
    """
    if actor.role != Role.ADMINISTRATOR:
        raise NotPermitted("Only an administrator changes agency settings.")
    agency = Agency.objects.select_for_update().get(id=actor.agency_id)
    changed: dict[str, DetailValue] = {}
    if hiv_restricted is not None:
        agency.hiv_restricted = hiv_restricted
        changed["hiv_restricted"] = hiv_restricted
    if training_validity_days is not None:
        if not 30 <= training_validity_days <= 730:
            raise ValidationFailed({"training_validity_days": "choose 30 to 730 days"})
        agency.training_validity_days = training_validity_days
        changed["training_validity_days"] = training_validity_days
    agency.save(update_fields=["hiv_restricted", "training_validity_days", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.AGENCY_SETTINGS_CHANGED,
        subject_type="agency",
        subject_id=agency.id,
        details=changed,
    )
    return agency
