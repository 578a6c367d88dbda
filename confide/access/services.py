"""Writers for time-limited access grants: break-the-glass and privacy review purposes, and the
review of emergency grants. Each is one transaction with its ledger event."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from confide.access.errors import AlreadyHasAccess, GrantAlreadyReviewed
from confide.access.models import (
    AccessGrant,
    EmergencyReason,
    GrantKind,
    ReviewOutcome,
    ReviewPurpose,
)
from confide.access.policy import Action, authorize, grantable_clients
from confide.accounts.errors import ReauthRequired
from confide.accounts.models import User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotFound, NotPermitted, ValidationFailed
from confide.core.ids import parse_id
from confide.crypto.envelope import client_key
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.messaging.services import notify, resolve
from confide.records.models import Client

MAX_REASON = 1000
REASON_PURPOSE = "access_accessgrant.reason_text"
NOTE_PURPOSE = "access_accessgrant.review_note"


def _client_for_grant(actor: Actor, client_id: UUID | str) -> Client:
    """The client, unless it does not exist for the actor (other agency, wall, restriction)."""
    parsed = parse_id(client_id)
    # An agreed restriction binds grants too: a grant it would block must not open at all.
    client = grantable_clients(actor).filter(id=parsed).first() if parsed else None
    if client is None:
        raise NotFound("client")
    return client


def _clean_reason(category: str, choices: list[str], text: str) -> str:
    problems: dict[str, str] = {}
    if category not in choices:
        problems["reason_category"] = f"must be one of {', '.join(choices)}"
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_REASON:
        problems["reason_text"] = f"describe the reason in 1 to {MAX_REASON} characters"
    if problems:
        raise ValidationFailed(problems)
    return text.strip()


def _open_grant(
    actor: Actor, client: Client, kind: GrantKind, category: str, text: str, minutes: int
) -> AccessGrant:
    now = clock.now()
    grant = AccessGrant(
        agency_id=actor.agency_id,
        kind=kind,
        user_id=actor.user_id,
        client=client,
        reason_category=category,
        starts_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    grant.reason_text_enc = client_key(client.id).encrypt_text(REASON_PURPOSE, grant.id, text)
    grant.save(force_insert=True)
    ledger.record(
        actor=actor,
        event_type=EventType.GRANT_OPENED,
        subject_type="grant",
        subject_id=grant.id,
        client_id=client.id,
        reason=category,
        details={"kind": kind.value, "minutes": minutes},
    )
    return grant


@transaction.atomic
def break_glass_open(
    *,
    actor: Actor,
    client_id: UUID | str,
    reason_category: str,
    reason_text: str,
    reauthenticated: bool,
    minutes: int | None = None,
) -> AccessGrant:
    """Emergency access to one client the actor cannot otherwise see, for a limited time.

    Needs a practitioner or supervisor who re-authenticated (password and code) just now.
    Never across agencies or through a conflict wall (NotFound, like a missing client).
    Writes access:grant:opened; notifies the actor's supervisor and the privacy officers at
    once. Raises NotFound, NotPermitted, ReauthRequired, AlreadyHasAccess, ValidationFailed.
    """
    if actor.role not in (Role.PRACTITIONER, Role.SUPERVISOR):
        raise NotPermitted("Emergency access is for practitioners and supervisors.")
    if not reauthenticated:
        raise ReauthRequired()
    client = _client_for_grant(actor, client_id)
    text = _clean_reason(reason_category, list(EmergencyReason.values), reason_text)
    limit = settings.CONFIDE_BREAK_GLASS_MAX_MINUTES
    minutes = settings.CONFIDE_BREAK_GLASS_MINUTES if minutes is None else minutes
    if not 5 <= minutes <= limit:
        raise ValidationFailed({"minutes": f"choose 5 to {limit} minutes"})
    if authorize(actor, Action.CLIENT_VIEW, client).allowed:
        raise AlreadyHasAccess()
    grant = _open_grant(actor, client, GrantKind.BREAK_GLASS, reason_category, text, minutes)
    _notify_break_glass(actor, grant)
    return grant


def _notify_break_glass(actor: Actor, grant: AccessGrant) -> None:
    user = User.objects.select_related("supervisor").get(id=actor.user_id)
    recipients = list(
        User.objects.filter(agency_id=actor.agency_id, role=Role.PRIVACY_OFFICER, is_active=True)
    )
    if user.supervisor is not None:
        recipients.append(user.supervisor)
    else:
        recipients += list(
            User.objects.filter(
                agency_id=actor.agency_id, role=Role.SUPERVISOR, teams__in=actor.team_ids
            )
            .exclude(id=actor.user_id)  # a supervisor's own emergency goes to someone else
            .distinct()
        )
    notify(
        recipients=recipients,
        kind="break_glass",
        message=f"{user.display_name} opened emergency access to a client record "
        f"({grant.get_kind_display().lower()}, {grant.reason_category.replace('_', ' ')})",
        link=reverse("web:grant_review", args=[grant.id]),
    )


@transaction.atomic
def review_purpose_open(
    *, actor: Actor, client_id: UUID | str, purpose: str, note: str, reauthenticated: bool
) -> AccessGrant:
    """A privacy officer's time-limited access to one client for a recorded review purpose.

    Needs the privacy officer role and a fresh re-authentication. Writes access:grant:opened.
    Raises NotFound, NotPermitted, ReauthRequired, ValidationFailed.
    """
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("Review purposes are for privacy officers.")
    if not reauthenticated:
        raise ReauthRequired()
    client = _client_for_grant(actor, client_id)
    text = _clean_reason(purpose, list(ReviewPurpose.values), note)
    return _open_grant(
        actor, client, GrantKind.PRIVACY_REVIEW, purpose, text, settings.CONFIDE_BREAK_GLASS_MINUTES
    )


@transaction.atomic
def break_glass_review(
    *, actor: Actor, grant_id: UUID | str, outcome: str, note: str
) -> AccessGrant:
    """Close an emergency grant as justified or as misuse, with a note.

    Needs the privacy officer role (not the grant's own user). Writes access:grant:reviewed.
    Raises NotFound, NotPermitted, GrantAlreadyReviewed, ValidationFailed.
    """
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("Emergency access is reviewed by a privacy officer.")
    grant = _grant_of_agency(actor, grant_id, lock=True)
    if grant.user_id == actor.user_id:
        raise NotPermitted("Nobody reviews their own emergency access.")
    if grant.reviewed_at is not None:
        raise GrantAlreadyReviewed()
    text = _clean_reason(outcome, list(ReviewOutcome.values), note)
    grant.reviewed_at, grant.reviewed_by_id, grant.review_outcome = (
        clock.now(),
        actor.user_id,
        outcome,
    )
    grant.review_note_enc = client_key(grant.client_id).encrypt_text(NOTE_PURPOSE, grant.id, text)
    grant.save(
        update_fields=[
            "reviewed_at",
            "reviewed_by",
            "review_outcome",
            "review_note_enc",
            "updated_at",
        ]
    )
    ledger.record(
        actor=actor,
        event_type=EventType.GRANT_REVIEWED,
        subject_type="grant",
        subject_id=grant.id,
        client_id=grant.client_id,
        reason=outcome,
        details={"outcome": outcome, "staff": str(grant.user_id)},
    )
    # The privacy officers were asked to review it; supervisors were told, and keep theirs.
    resolve(
        agency_id=actor.agency_id,
        kind="break_glass",
        link=reverse("web:grant_review", args=[grant.id]),
        role=Role.PRIVACY_OFFICER,
    )
    return grant


def _grant_of_agency(actor: Actor, grant_id: UUID | str, *, lock: bool = False) -> AccessGrant:
    query = AccessGrant.objects.filter(agency_id=actor.agency_id, kind=GrantKind.BREAK_GLASS)
    if lock:
        query = query.select_for_update()
    parsed = parse_id(grant_id)
    grant = query.select_related("user").filter(id=parsed).first() if parsed else None
    if grant is None:
        raise NotFound("emergency access")
    return grant


@transaction.atomic
def grant_end(*, actor: Actor, grant_id: UUID | str) -> AccessGrant:
    """End one's own grant before it expires. Writes access:grant:revoked. Raises NotFound."""
    parsed = parse_id(grant_id)
    grant = (
        AccessGrant.objects.select_for_update()
        .filter(id=parsed, user_id=actor.user_id, revoked_at=None)
        .first()
        if parsed
        else None
    )
    if grant is None:
        raise NotFound("grant")
    grant.revoked_at = clock.now()
    grant.save(update_fields=["revoked_at", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.GRANT_REVOKED,
        subject_type="grant",
        subject_id=grant.id,
        client_id=grant.client_id,
    )
    return grant


def overdue_before() -> datetime:
    return clock.now() - timedelta(days=settings.CONFIDE_REVIEW_OVERDUE_DAYS)


def unreviewed_grants(actor: Actor) -> list[AccessGrant]:
    """Emergency grants of the agency awaiting review, oldest first (privacy officers)."""
    if actor.role != Role.PRIVACY_OFFICER:
        return []
    return list(
        AccessGrant.objects.filter(
            agency_id=actor.agency_id, kind=GrantKind.BREAK_GLASS, reviewed_at=None
        )
        .select_related("user")
        .order_by("starts_at")
    )


def overdue_count(actor: Actor) -> int:
    """Unreviewed emergency grants older than the review limit (dashboard flag)."""
    if actor.role != Role.PRIVACY_OFFICER:
        return 0
    return AccessGrant.objects.filter(
        Q(agency_id=actor.agency_id, kind=GrantKind.BREAK_GLASS, reviewed_at=None),
        starts_at__lt=overdue_before(),
    ).count()
