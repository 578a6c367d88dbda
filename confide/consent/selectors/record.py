"""The consent record of one client, decrypted for its care team (on the ledger), and which
client a contact or representative belongs to."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.db.models import F

from confide.access.lookups import get_authorized
from confide.access.policy import Action
from confide.consent.enums import (
    AuthorityScope,
    Channel,
    ClientDecision,
    ContactKind,
    MayBeTold,
    RecipientKind,
    RepresentativeKind,
    RestrictionStatus,
    SignatureKind,
    language_name,
)
from confide.consent.models import (
    Acknowledgement,
    CommunicationPreference,
    Contact,
    DisclosureRestriction,
    PersonalRepresentative,
)
from confide.consent.sealed import UNREADABLE, key_or_none, open_json, open_text
from confide.consent.selectors.notices import NoticeStatus, _status
from confide.core.actor import Actor
from confide.core.errors import NotFound
from confide.core.ids import parse_id
from confide.crypto.envelope import DataKey, DecryptionFailed
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records.models import Client


@dataclass(frozen=True)
class AcknowledgementRow:
    id: UUID
    version: int
    language: str
    typed_name: str
    signature_kind: str
    signature_data_url: str  # the drawn signature as a data: URL for an <img>, or ""
    witness: str
    acknowledged_at: dt.datetime

    @property
    def language_name(self) -> str:
        return language_name(self.language)


@dataclass(frozen=True)
class ContactRow:
    id: UUID
    kind: str
    kind_label: str
    name: str
    relationship: str
    phone: str
    email: str
    address: str
    may_be_told: tuple[str, ...]
    may_be_told_labels: tuple[str, ...]
    decision: str
    decision_label: str
    decided_on: dt.date
    ended: bool


@dataclass(frozen=True)
class PreferenceRow:
    channel: str
    channel_label: str
    recorded: bool
    allowed: bool
    leave_message: bool
    address: str
    safe_times: str


@dataclass(frozen=True)
class RepresentativeRow:
    id: UUID
    kind: str
    kind_label: str
    scope_labels: tuple[str, ...]
    name: str
    relationship: str
    phone: str
    email: str
    authority: str
    starts_on: dt.date
    ends_on: dt.date | None
    ended: bool


@dataclass(frozen=True)
class DisclosureRestrictionRow:
    id: UUID
    recipient_kind_label: str
    recipient: str
    information: str
    paid_in_full: bool
    status: str
    status_label: str
    requested_at: dt.datetime


@dataclass(frozen=True)
class ConsentRecord:
    client_id: UUID
    notice: NoticeStatus
    acknowledgements: list[AcknowledgementRow]
    contacts: list[ContactRow]
    preferences: list[PreferenceRow]
    representatives: list[RepresentativeRow]
    disclosure_restrictions: list[DisclosureRestrictionRow]


@transaction.atomic
def consent_record_get(*, actor: Actor, client_id: UUID | str) -> ConsentRecord:
    """Everything the consent page shows for one client, decrypted.

    Needs consent:view (the client's care team). Writes consent:record:viewed. Raises NotFound
    (also for staff who may not see it).
    """
    client, decision = get_authorized(actor, Client, client_id, Action.CONSENT_VIEW)
    key = key_or_none(client.id)
    record = ConsentRecord(
        client_id=client.id,
        notice=_status(client),
        acknowledgements=_acknowledgements(client, key),
        contacts=_contacts(client, key),
        preferences=_preferences(client, key),
        representatives=_representatives(client, key),
        disclosure_restrictions=_disclosure_restrictions(client, key),
    )
    ledger.record(
        actor=actor,
        event_type=EventType.CONSENT_VIEWED,
        subject_type="client",
        subject_id=client.id,
        client_id=client.id,
        policy_ids=decision.policy_ids,
        details={
            "fields": [
                "acknowledgements",
                "contacts",
                "preferences",
                "representatives",
                "disclosure_restrictions",
            ]
        },
    )
    return record


# An acknowledgement the client made alone in the portal has no staff witness.
NO_WITNESS = "None (the client, in the portal)"


def _acknowledgements(client: Client, key: DataKey | None) -> list[AcknowledgementRow]:
    rows = (
        Acknowledgement.objects.filter(client=client)
        .select_related("notice", "witness")
        .order_by("-acknowledged_at")
    )
    return [
        AcknowledgementRow(
            id=a.id,
            version=a.notice.version,
            language=a.notice.language,
            typed_name=open_text(key, "acknowledgement.typed_name", a.id, a.typed_name_enc),
            signature_kind=SignatureKind(a.signature_kind).label,
            signature_data_url=_signature_url(key, a),
            witness=a.witness.display_name if a.witness else NO_WITNESS,
            acknowledged_at=a.acknowledged_at,
        )
        for a in rows
    ]


def _signature_url(key: DataKey | None, acknowledgement: Acknowledgement) -> str:
    if acknowledgement.signature_enc is None or key is None:
        return ""
    try:
        png = key.decrypt(
            "consent_acknowledgement.signature", acknowledgement.id, acknowledgement.signature_enc
        )
    except DecryptionFailed:
        return ""
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _contacts(client: Client, key: DataKey | None) -> list[ContactRow]:
    rows = Contact.objects.filter(client=client).order_by(
        F("ended_at").desc(nulls_first=True), "created_at"
    )
    out = []
    for c in rows:
        d = open_json(key, "contact.details", c.id, c.details_enc)
        out.append(
            ContactRow(
                id=c.id,
                kind=c.kind,
                kind_label=ContactKind(c.kind).label,
                name=d.get("name", UNREADABLE),
                relationship=d.get("relationship", ""),
                phone=d.get("phone", ""),
                email=d.get("email", ""),
                address=d.get("address", ""),
                may_be_told=tuple(c.may_be_told),
                may_be_told_labels=tuple(MayBeTold(v).label for v in c.may_be_told),
                decision=c.decision,
                decision_label=ClientDecision(c.decision).label,
                decided_on=c.decided_on,
                ended=c.ended_at is not None,
            )
        )
    return out


def _preferences(client: Client, key: DataKey | None) -> list[PreferenceRow]:
    saved = {p.channel: p for p in CommunicationPreference.objects.filter(client=client)}
    out = []
    for channel in Channel:
        p = saved.get(channel.value)
        out.append(
            PreferenceRow(
                channel=channel.value,
                channel_label=channel.label,
                recorded=p is not None,
                allowed=p.allowed if p else True,
                leave_message=p.leave_message if p else False,
                address=open_text(key, "communication.address", p.id, p.address_enc) if p else "",
                safe_times=(
                    open_text(key, "communication.safe_times", p.id, p.safe_times_enc) if p else ""
                ),
            )
        )
    return out


def _representatives(client: Client, key: DataKey | None) -> list[RepresentativeRow]:
    rows = PersonalRepresentative.objects.filter(client=client).order_by(
        F("ended_at").desc(nulls_first=True), "starts_on"
    )
    out = []
    for r in rows:
        d = open_json(key, "representative.details", r.id, r.details_enc)
        out.append(
            RepresentativeRow(
                id=r.id,
                kind=r.kind,
                kind_label=RepresentativeKind(r.kind).label,
                scope_labels=tuple(AuthorityScope(s).label for s in r.scope),
                name=d.get("name", UNREADABLE),
                relationship=d.get("relationship", ""),
                phone=d.get("phone", ""),
                email=d.get("email", ""),
                authority=d.get("authority", ""),
                starts_on=r.starts_on,
                ends_on=r.ends_on,
                ended=r.ended_at is not None,
            )
        )
    return out


def _disclosure_restrictions(client: Client, key: DataKey | None) -> list[DisclosureRestrictionRow]:
    rows = DisclosureRestriction.objects.filter(client=client).order_by("-created_at")
    return _restriction_rows(list(rows), key)


def _restriction_rows(
    rows: list[DisclosureRestriction], key: DataKey | None
) -> list[DisclosureRestrictionRow]:
    return [
        DisclosureRestrictionRow(
            id=r.id,
            recipient_kind_label=RecipientKind(r.recipient_kind).label,
            recipient=open_text(key, "disclosure_restriction.recipient", r.id, r.recipient_enc),
            information=open_text(
                key, "disclosure_restriction.information", r.id, r.information_enc
            ),
            paid_in_full=r.paid_in_full,
            status=r.status,
            status_label=RestrictionStatus(r.status).label,
            requested_at=r.created_at,
        )
        for r in rows
    ]


# ---- which client an object belongs to (for pages that return to it) -------------------------


def consent_client_check(*, actor: Actor, client_id: UUID | str) -> UUID:
    """The client's id if the actor may change its consent record (consent:manage), for a
    page that shows an empty form. Raises NotFound, NotPermitted."""
    client, _ = get_authorized(actor, Client, client_id, Action.CONSENT_MANAGE)
    return client.id


def _client_of_row(
    actor: Actor, model: type[Contact] | type[PersonalRepresentative], row_id: UUID | str
) -> UUID:
    parsed = parse_id(row_id)
    if parsed is None:
        raise NotFound(model.__name__.lower())
    client_id = (
        model.objects.filter(id=parsed, agency_id=actor.agency_id)
        .values_list("client_id", flat=True)
        .first()
    )
    if client_id is None:
        raise NotFound(model.__name__.lower())
    return consent_client_check(actor=actor, client_id=client_id)


def contact_client(*, actor: Actor, contact_id: UUID | str) -> UUID:
    """The client a contact belongs to, if the actor may manage it. Raises NotFound."""
    return _client_of_row(actor, Contact, contact_id)


def representative_client(*, actor: Actor, representative_id: UUID | str) -> UUID:
    """The client a representative belongs to, if the actor may manage it. Raises NotFound."""
    return _client_of_row(actor, PersonalRepresentative, representative_id)
