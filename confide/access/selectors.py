"""Readers for access grants, and the exact identity lookups that come before a grant or a
conflict declaration. Each lookup and each read of a grant's reason is on the ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from confide.access.models import AccessGrant, EmergencyReason, GrantKind, ReviewPurpose
from confide.access.policy import (
    Action,
    authorize,
    authorize_many,
    deny_reason,
    grantable_clients,
)
from confide.access.services import NOTE_PURPOSE, REASON_PURPOSE, overdue_before
from confide.accounts.models import User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotFound, NotPermitted
from confide.crypto.envelope import DecryptionFailed, client_key
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.records.indexes import name_dob_candidates
from confide.records.models import Case, Client, Note
from confide.records.validation import MAX_NAME

CASEWORK = frozenset({Role.PRACTITIONER, Role.SUPERVISOR})
RECENT_REVIEWS = 20


class LookupPurpose(StrEnum):
    BREAK_GLASS = "break_glass"
    PRIVACY_REVIEW = "privacy_review"
    CONFLICT = "conflict_declaration"


@dataclass(frozen=True)
class IdentityMatch:
    """A client found by exact legal name and date of birth. Carries nothing the searcher did
    not type, except when the record was created (to tell apart two people who share both)."""

    client_id: UUID
    created_on: dt.date
    already_visible: bool


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def clients_with_identity(
    candidates: QuerySet[Client], agency_id: UUID, legal_name: str, date_of_birth: dt.date
) -> list[Client]:
    """The candidates whose decrypted legal name and date of birth match exactly.

    The blind index narrows the rows; decryption removes its deliberate false positives.
    Unreadable (shredded) records never match.
    """
    if not legal_name.strip() or len(legal_name) > MAX_NAME:
        return []
    index = name_dob_candidates(agency_id, legal_name, date_of_birth)
    found = []
    for client in candidates.filter(agency_id=agency_id, id__in=index).order_by("created_at"):
        try:
            key = client_key(client.id)
            name = key.decrypt_text("records_client.legal_name", client.id, client.legal_name_enc)
            dob = key.decrypt_text(
                "records_client.date_of_birth", client.id, client.date_of_birth_enc
            )
        except DecryptionFailed:
            continue
        if _same_name(name, legal_name) and dob == date_of_birth.isoformat():
            found.append(client)
    return found


@transaction.atomic
def identity_lookup(
    *, actor: Actor, legal_name: str, date_of_birth: dt.date, purpose: LookupPurpose
) -> list[IdentityMatch]:
    """Clients of the agency with exactly this legal name and date of birth, for opening an
    emergency or review grant: never a client behind the actor's conflict wall or excluded by
    an agreed restriction (for them a grant could never open).

    Needs a practitioner or supervisor (emergency) or a privacy officer (review). Writes
    records:client:searched with the purpose and the number of matches only. Raises
    NotPermitted.
    """
    allowed = CASEWORK if purpose == LookupPurpose.BREAK_GLASS else {Role.PRIVACY_OFFICER}
    if purpose == LookupPurpose.CONFLICT or actor.role not in allowed:
        raise NotPermitted("This search is not part of your role.")
    clients = clients_with_identity(
        grantable_clients(actor), actor.agency_id, legal_name, date_of_birth
    )
    visible = authorize_many(actor, Action.CLIENT_VIEW, clients)
    ledger.record(
        actor=actor,
        event_type=EventType.CLIENT_SEARCHED,
        reason=purpose.value,
        details={"purpose": purpose.value, "matches": len(clients)},
    )
    return [
        IdentityMatch(c.id, timezone.localdate(c.created_at), d.allowed)
        for c, d in zip(clients, visible, strict=True)
    ]


# ---- grants -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantRow:
    id: UUID
    staff_name: str
    kind: str
    category: str
    starts_at: dt.datetime
    expires_at: dt.datetime
    live: bool
    ended_early: dt.datetime | None
    overdue: bool
    reviewed_at: dt.datetime | None
    outcome: str


@dataclass(frozen=True)
class GrantUse:
    """One look or change the grant's holder made under it (a ledger event marked with it)."""

    at: dt.datetime
    action: str
    subject: str


@dataclass(frozen=True)
class GrantDetail:
    """A grant as its reviewer sees it. Client id, case numbers, texts and what was done under
    it only for privacy officers."""

    grant: GrantRow
    client_id: UUID | None
    reason_text: str | None
    review_note: str | None
    reviewed_by: str
    can_review: bool
    case_numbers: tuple[str, ...] = ()
    uses: tuple[GrantUse, ...] = ()


GRANT_USES_SHOWN = 200


def _uses(grant: AccessGrant) -> tuple[GrantUse, ...]:
    """What the holder did with the client's record while the grant was open, oldest first:
    every ledger event of theirs about the client in its window, reads (which also carry the
    grant's id) and changes alike."""
    end = min(grant.expires_at, grant.revoked_at or grant.expires_at)
    rows = (
        Event.objects.filter(
            client_id=grant.client_id,
            actor_id=grant.user_id,
            occurred_at__gte=grant.starts_at,
            occurred_at__lte=end,
        )
        .order_by("seq")
        .values_list("occurred_at", "event_type", "subject_type", "subject_id")[:GRANT_USES_SHOWN]
    )
    labels = dict(EventType.choices)
    return tuple(
        GrantUse(at, labels.get(kind, kind), f"{subject} {ident}".strip())
        for at, kind, subject, ident in rows
    )


def _category(grant: AccessGrant) -> str:
    labels = dict(EmergencyReason.choices) | dict(ReviewPurpose.choices)
    return str(labels.get(grant.reason_category, grant.reason_category))


def _row(grant: AccessGrant, now: dt.datetime, overdue_from: dt.datetime) -> GrantRow:
    return GrantRow(
        id=grant.id,
        staff_name=grant.user.display_name,
        kind=grant.kind,
        category=_category(grant),
        starts_at=grant.starts_at,
        expires_at=grant.expires_at,
        live=grant.revoked_at is None and grant.starts_at <= now < grant.expires_at,
        ended_early=grant.revoked_at,
        overdue=grant.reviewed_at is None and grant.starts_at < overdue_from,
        reviewed_at=grant.reviewed_at,
        outcome=grant.get_review_outcome_display() if grant.review_outcome else "",
    )


def _emergency_grants(actor: Actor) -> QuerySet[AccessGrant]:
    """The agency's emergency grants, minus those on clients that do not exist for the actor (a
    conflict wall, or an agreed restriction naming them or their programs): another privacy
    officer reviews those."""
    return (
        AccessGrant.objects.filter(agency_id=actor.agency_id, kind=GrantKind.BREAK_GLASS)
        .filter(client__in=grantable_clients(actor))
        .select_related("user")
    )


def _require_privacy(actor: Actor) -> None:
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("This page is for privacy officers.")


def grant_queue(*, actor: Actor) -> tuple[list[GrantRow], list[GrantRow]]:
    """Emergency grants awaiting review (oldest first) and the latest reviewed ones.

    Privacy officers only; shows staff, time and category, never the client. Raises
    NotPermitted.
    """
    _require_privacy(actor)
    now, overdue_from = clock.now(), overdue_before()
    grants = _emergency_grants(actor)
    waiting = grants.filter(reviewed_at=None).order_by("starts_at")
    done = grants.exclude(reviewed_at=None).order_by("-reviewed_at")[:RECENT_REVIEWS]
    rows = [_row(g, now, overdue_from) for g in waiting]
    return rows, [_row(g, now, overdue_from) for g in done]


def overdue_grants(*, actor: Actor) -> int:
    """Unreviewed emergency grants past the review limit that the actor could review."""
    if actor.role != Role.PRIVACY_OFFICER:
        return 0
    return _emergency_grants(actor).filter(reviewed_at=None, starts_at__lt=overdue_before()).count()


def _supervises(actor: Actor, user: User) -> bool:
    """The supervisor told of this user's emergency grants (see access.services)."""
    if actor.role != Role.SUPERVISOR or user.id == actor.user_id:
        return False
    if user.supervisor_id is not None:
        return user.supervisor_id == actor.user_id
    return user.teams.filter(id__in=actor.team_ids).exists()


def _decrypt(grant: AccessGrant, purpose: str, blob: bytes | memoryview | None) -> str | None:
    if blob is None:
        return None
    try:
        return client_key(grant.client_id).decrypt_text(purpose, grant.id, blob)
    except DecryptionFailed:
        return "(This text can no longer be read.)"


@transaction.atomic
def grant_get(*, actor: Actor, grant_id: UUID | str) -> GrantDetail:
    """One emergency grant. A privacy officer sees the reason and review texts (decrypted);
    the staff member's supervisor sees a summary without the client or the texts.

    Writes records:client:viewed (subject grant) when the texts are shown. Raises NotFound
    for anyone else, for another agency's grant and for a client walled off from the actor.
    """
    grant = _emergency_grants(actor).select_related("reviewed_by").filter(id=grant_id).first()
    if grant is None or not (actor.role == Role.PRIVACY_OFFICER or _supervises(actor, grant.user)):
        raise NotFound("emergency access")
    row = _row(grant, clock.now(), overdue_before())
    reviewer = grant.reviewed_by.display_name if grant.reviewed_by else ""
    if actor.role != Role.PRIVACY_OFFICER:
        return GrantDetail(row, None, None, None, reviewer, can_review=False)
    detail = GrantDetail(
        grant=row,
        client_id=grant.client_id,
        reason_text=_decrypt(grant, REASON_PURPOSE, grant.reason_text_enc),
        review_note=_decrypt(grant, NOTE_PURPOSE, grant.review_note_enc),
        reviewed_by=reviewer,
        can_review=grant.reviewed_at is None and grant.user_id != actor.user_id,
        case_numbers=tuple(
            Case.objects.filter(client_id=grant.client_id)
            .order_by("case_number")
            .values_list("case_number", flat=True)
        ),
        uses=_uses(grant),
    )
    ledger.record(
        actor=actor,
        event_type=EventType.CLIENT_VIEWED,
        subject_type="grant",
        subject_id=grant.id,
        client_id=grant.client_id,
        reason="break_glass_review",
        details={"fields": ["reason_text", "review_note", "case_numbers", "uses"]},
    )
    return detail


def own_live_grant(*, actor: Actor, client_id: UUID, kind: str) -> AccessGrant | None:
    """The actor's own live grant of this kind on this client (for the record's banner)."""
    now = clock.now()
    return (
        AccessGrant.objects.filter(
            user_id=actor.user_id,
            agency_id=actor.agency_id,
            client_id=client_id,
            kind=kind,
            starts_at__lte=now,
            expires_at__gt=now,
            revoked_at=None,
        )
        .order_by("-expires_at")
        .first()
    )


def note_withheld_reason(*, actor: Actor, note_id: UUID | str) -> str | None:
    """Why a note the actor may not open is withheld, when saying so leaks nothing: the note
    is in a record the actor can open (which already counts its withheld notes) and the
    denial is one with a stated remedy (lapsed training). None otherwise: plain not found."""
    note = (
        Note.objects.filter(id=note_id, agency_id=actor.agency_id)
        .select_related("client", "author", "case")
        .first()
    )
    if note is None or not authorize(actor, Action.CLIENT_VIEW, note.client).allowed:
        return None
    return deny_reason(authorize(actor, Action.NOTE_VIEW, note))
