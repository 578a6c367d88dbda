"""Readers for other modules, without an actor and without revealing confidential text:
channel rules (messaging, the disclosure workflow), representatives and what guardian-facing
output may hold, agreed limits on disclosure, and what each contact may be told."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q

from confide.access.policy import GUARDIAN, Action, authorize_many
from confide.consent.enums import Channel, ClientDecision, RepresentativeKind, RestrictionStatus
from confide.consent.models import (
    CommunicationPreference,
    Contact,
    DisclosureRestriction,
    PersonalRepresentative,
)
from confide.core import clock
from confide.core.actor import Actor
from confide.records.models import Client, Note


@dataclass(frozen=True)
class CommunicationPreferences:
    """The channels a client may be reached on. No preference recorded means allowed."""

    client_id: UUID
    forbidden: frozenset[str]
    messages_ok: frozenset[str]

    def allows(self, channel: str) -> bool:
        """Whether the agency may contact the client on `channel` (email, phone, text, mail,
        portal). An unknown channel name is a programming error: ValueError."""
        if channel not in Channel.values:
            raise ValueError(f"unknown channel {channel!r}; one of {', '.join(Channel.values)}")
        return channel not in self.forbidden

    def may_leave_message(self, channel: str) -> bool:
        """Whether a message with content may be left (a voicemail, say): only where the client
        said yes; with nothing recorded, reach them but leave no content."""
        return self.allows(channel) and channel in self.messages_ok


def communication_preferences(client_id: UUID) -> CommunicationPreferences:
    """The client's channel rules, for deciding how (and whether) to notify them. Reveals no
    address or note, so it needs no actor and writes no ledger event."""
    rows = CommunicationPreference.objects.filter(client_id=client_id).values_list(
        "channel", "allowed", "leave_message"
    )
    return CommunicationPreferences(
        client_id=client_id,
        forbidden=frozenset(c for c, allowed, _ in rows if not allowed),
        messages_ok=frozenset(c for c, allowed, leave in rows if allowed and leave),
    )


# ---- for other modules: representatives, disclosure restrictions, guardian outputs ----------


@dataclass(frozen=True)
class Representative:
    """A personal representative as other modules see it: who they are to the client and the
    scope of their authority, never their name or contact details."""

    id: UUID
    client_id: UUID
    kind: str
    scope: tuple[str, ...]
    starts_on: dt.date
    ends_on: dt.date | None

    @property
    def is_guardian_of_a_minor(self) -> bool:
        return self.kind in (RepresentativeKind.PARENT, RepresentativeKind.GUARDIAN)


def personal_representatives(client_id: UUID, on: dt.date | None = None) -> list[Representative]:
    """The client's representatives in force on `on` (today by default). Anything shown to
    them goes through `guardian_may_see` (or `authorize(..., audience=GUARDIAN)`), which keeps
    out what a minor consented to alone."""
    day = on or clock.today()
    rows = (
        PersonalRepresentative.objects.filter(
            client_id=client_id, ended_at=None, starts_on__lte=day
        )
        .filter(Q(ends_on=None) | Q(ends_on__gte=day))
        .order_by("starts_on", "id")
    )
    return [
        Representative(r.id, r.client_id, r.kind, tuple(r.scope), r.starts_on, r.ends_on)
        for r in rows
    ]


def guardian_may_see(actor: Actor, resources: list[Client] | list[Note]) -> list[bool]:
    """For each client or note, whether it may go into output meant for a guardian or parent
    (a portal view, a release to them): the access policy decides with audience "guardian",
    which withholds everything labelled minor_consented."""
    decisions = authorize_many(
        actor,
        Action.NOTE_VIEW if _notes(resources) else Action.CLIENT_VIEW,
        list(resources),
        audience=GUARDIAN,
    )
    return [d.allowed for d in decisions]


def _notes(resources: list[Client] | list[Note]) -> bool:
    return bool(resources) and isinstance(resources[0], Note)


@dataclass(frozen=True)
class DisclosureLimit:
    """An agreed restriction on disclosure, as the disclosure workflow needs it: to whom
    (kind) and whether it is the mandatory self-pay one. The wording stays sealed."""

    id: UUID
    recipient_kind: str
    paid_in_full: bool


def disclosure_limits(client_id: UUID) -> list[DisclosureLimit]:
    """Agreed restrictions on disclosure in force for the client."""
    rows = DisclosureRestriction.objects.filter(
        client_id=client_id, status=RestrictionStatus.AGREED
    ).order_by("created_at")
    return [DisclosureLimit(r.id, r.recipient_kind, r.paid_in_full) for r in rows]


@dataclass(frozen=True)
class ContactPermission:
    """What the client said a contact may be told (164.510(b)), without who the contact is:
    the disclosure workflow matches a recipient to a contact by id, chosen by staff."""

    id: UUID
    kind: str
    objected: bool
    may_be_told: frozenset[str]

    def may_tell(self, topic: str) -> bool:
        return not self.objected and topic in self.may_be_told


def contact_permissions(client_id: UUID) -> list[ContactPermission]:
    """The client's current contacts and what each may be told (removed ones left out)."""
    rows = Contact.objects.filter(client_id=client_id, ended_at=None).order_by("created_at")
    return [
        ContactPermission(
            r.id, r.kind, r.decision == ClientDecision.OBJECTED, frozenset(r.may_be_told)
        )
        for r in rows
    ]
