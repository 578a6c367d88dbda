"""The readers of releases of information.

Two internal selectors for the disclosure workflow, which calls them only after it has
authorized its own action on the client (they take no actor and write no ledger event: the
caller's disclosure event records the use):

- `releases_on_file(client_id, on=day)`: every release of the client, with its status that day;
- `require_active_release(release_id, client_id, on=day)`: one release offered as the legal basis
  of a disclosure, or `ReleaseNotUsable` (unsigned, not yet in effect, expired, revoked) or
  `NotFound` (no such release of this client);
- `signed_by_a_representative(release_ids, client_id)`: whether a personal representative, not
  the client, signed any of them (what a minor consented to alone never goes out under such a
  release, `disclosures.packets.audience_for`). All three change nothing.

`ReleaseOnFile.engine_consent(...)` gives the disclosure engine's `facts.consent` object for a
request, so nothing is translated by hand.

Staff selectors (`release_list`, `release_get`) ask the access policy (`release:view`) and write
a ledger event, since they reveal who the client lets receive what. The client's own selectors
(`client_release_list`, `client_release_get`, for the portal) reach only that client's releases
and write the same events with the portal account as the actor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from django.db import transaction

from confide.access.policy import Action
from confide.core.actor import Actor
from confide.core.errors import NotFound
from confide.core.ids import parse_id
from confide.crypto.envelope import DataKey, DecryptionFailed, client_key
from confide.disclosures.engine.facts import ConsentType
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records.errors import RecordUnreadable
from confide.releases.access import ClientSelf, authorized_client, authorized_release, own_release
from confide.releases.enums import (
    TPO_PURPOSES,
    Category,
    RecipientType,
    ReleaseKind,
    ReleasePurpose,
    RevokedBy,
    Statement,
    Status,
    engine_consent_type,
)
from confide.releases.errors import ReleaseNotUsable
from confide.releases.lifecycle import status_on, today
from confide.releases.models import Release
from confide.releases.wording import ClientStatement, client_statements, ends

TABLE = "releases_release"


def column(name: str) -> str:
    """The encryption purpose of a column (binds each ciphertext to its table and column)."""
    return f"{TABLE}.{name}"


def key_of(client_id: UUID) -> DataKey:
    """The client's data key; RecordUnreadable (410) once it was destroyed on schedule."""
    try:
        return client_key(client_id)
    except DecryptionFailed:
        raise RecordUnreadable() from None


@dataclass(frozen=True)
class ReleaseOnFile:
    """A release as the disclosure workflow sees it, with its status on one day."""

    id: UUID
    client_id: UUID
    kind: ReleaseKind
    status: Status
    recipient_type: RecipientType
    recipient_name: str
    purpose: ReleasePurpose
    categories: tuple[Category, ...]
    records_from: dt.date | None
    records_to: dt.date | None
    starts_on: dt.date
    expires_on: dt.date | None
    expiry_event: str
    part2_tpo: bool
    is_active: bool

    @property
    def consent_type(self) -> ConsentType:
        """The disclosure engine's `consent.type` for this release."""
        return engine_consent_type(self.kind, part2_tpo=self.part2_tpo)

    @property
    def time_limited(self) -> bool:
        """Ends on a date (what VAWA's "reasonably time-limited" asks), not only on an event."""
        return self.expires_on is not None

    def covers(
        self,
        *,
        purpose: str,
        recipient_type: str,
        info_category: str,
        records_from: dt.date | None = None,
        records_to: dt.date | None = None,
    ) -> bool:
        """Whether a disclosure of this purpose, to this kind of recipient, of this category
        (and, when given, of records dated in this range) is within the release's terms."""
        if purpose == self.purpose:
            purpose_ok = True
        else:
            purpose_ok = self.purpose == ReleasePurpose.TPO and purpose in TPO_PURPOSES
        in_range = (
            self.records_from is None
            or (records_from is not None and records_from >= self.records_from)
        ) and (
            self.records_to is None or (records_to is not None and records_to <= self.records_to)
        )
        return (
            purpose_ok
            and recipient_type == self.recipient_type
            and info_category in self.categories
            and in_range
        )

    def engine_consent(
        self,
        *,
        purpose: str,
        recipient_type: str,
        info_category: str,
        records_from: dt.date | None = None,
        records_to: dt.date | None = None,
    ) -> dict[str, object]:
        """The engine's `facts.consent` object for a request resting on this release. A release
        limited to records of some dates covers a request only when its records' dates are
        given and fit (unknown dates are not assumed to)."""
        covers = self.covers(
            purpose=purpose,
            recipient_type=recipient_type,
            info_category=info_category,
            records_from=records_from,
            records_to=records_to,
        )
        return {
            "present": True,
            "type": self.consent_type.value,
            "valid": self.is_active,
            "revoked": self.status == Status.REVOKED,
            "scope_covers_request": covers,
        }


@dataclass(frozen=True)
class ReleaseDetail:
    """Everything a staff page, the client's copy and the FHIR export show (the client's copy
    and the portal print `client_statements` and `ends_for_client`, not the checklist labels)."""

    on_file: ReleaseOnFile
    agency_id: UUID
    recipient_contact: str
    discloser: str
    purpose_detail: str
    description: str
    statements: tuple[Statement, ...]
    expiry_event_on: dt.date | None
    signer_name: str
    signed_on: dt.date | None
    signer_is_representative: bool
    representative_authority: str
    signed_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoked_by: str
    created_at: dt.datetime

    @property
    def id(self) -> UUID:
        return self.on_file.id

    @property
    def revoked_by_label(self) -> str:
        return RevokedBy(self.revoked_by).label if self.revoked_by else ""

    @property
    def client_statements(self) -> tuple[ClientStatement, ...]:
        """The statements the release holds, in full, as the client reads them (`wording`)."""
        f = self.on_file
        return client_statements(f.kind, self.statements, part2_tpo=f.part2_tpo, purpose=f.purpose)

    @property
    def ends_for_client(self) -> str:
        """When it ends, as a sentence to the client."""
        f = self.on_file
        return ends(
            f.kind,
            expires_on=f.expires_on,
            expiry_event=f.expiry_event,
            expiry_event_on=self.expiry_event_on,
        )


def _text(key: DataKey, release: Release, name: str) -> str:
    blob = getattr(release, f"{name}_enc")
    try:
        return key.decrypt_text(column(name), release.id, blob) if blob else ""
    except DecryptionFailed:
        raise RecordUnreadable() from None


def _on_file(release: Release, key: DataKey, day: dt.date) -> ReleaseOnFile:
    status = status_on(release, day)
    return ReleaseOnFile(
        id=release.id,
        client_id=release.client_id,
        kind=ReleaseKind(release.kind),
        status=status,
        recipient_type=RecipientType(release.recipient_type),
        recipient_name=_text(key, release, "recipient_name"),
        purpose=ReleasePurpose(release.purpose),
        categories=tuple(Category(c) for c in release.categories),
        records_from=release.records_from,
        records_to=release.records_to,
        starts_on=release.starts_on,
        expires_on=release.expires_on,
        expiry_event=_text(key, release, "expiry_event"),
        part2_tpo=release.part2_tpo,
        is_active=status == Status.ACTIVE,
    )


def detail_of(release: Release, key: DataKey, day: dt.date) -> ReleaseDetail:
    return ReleaseDetail(
        on_file=_on_file(release, key, day),
        agency_id=release.agency_id,
        recipient_contact=_text(key, release, "recipient_contact"),
        discloser=_text(key, release, "discloser"),
        purpose_detail=_text(key, release, "purpose_detail"),
        description=_text(key, release, "description"),
        statements=tuple(Statement(s) for s in release.statements),
        expiry_event_on=release.expiry_event_on,
        signer_name=_text(key, release, "signer_name"),
        signed_on=release.signed_on,
        signer_is_representative=release.signer_is_representative,
        representative_authority=_text(key, release, "representative_authority"),
        signed_at=release.signed_at,
        revoked_at=release.revoked_at,
        revoked_by=release.revoked_by,
        created_at=release.created_at,
    )


# ---- for the disclosure workflow (internal; the caller has authorized) -------------------------


def releases_on_file(client_id: UUID, *, on: dt.date) -> list[ReleaseOnFile]:
    """Every release of the client (newest start first), each with its status on `on`.

    Internal: the caller has already authorized its own action on this client.
    """
    releases = list(
        Release.objects.filter(client_id=client_id).order_by("-starts_on", "-created_at")
    )
    if not releases:
        return []
    key = key_of(client_id)
    return [_on_file(r, key, on) for r in releases]


def require_active_release(release_id: UUID | str, client_id: UUID, on: dt.date) -> ReleaseOnFile:
    """The release if it is this client's and in effect on `on`, else a clear error.

    Internal: the caller has already authorized its own action on this client. Raises NotFound
    (no such release of this client: forged, mistyped or another client's id) and
    ReleaseNotUsable (unsigned, not yet in effect, expired or revoked). Changes nothing.
    """
    parsed = parse_id(release_id)
    release = (
        Release.objects.filter(id=parsed, client_id=client_id).first()
        if parsed is not None
        else None
    )
    if release is None:
        raise NotFound("release")
    found = _on_file(release, key_of(client_id), on)
    why = {
        Status.DRAFT: "it has not been signed",
        Status.SIGNED: f"it does not take effect until {found.starts_on.isoformat()}",
        Status.EXPIRED: "it has expired",
        Status.REVOKED: "the client revoked it",
    }.get(found.status)
    if why is not None:
        raise ReleaseNotUsable(why)
    return found


def signed_by_a_representative(release_ids: list[str], client_id: UUID) -> bool:
    """Whether any of these releases of the client was signed by a personal representative
    (parent, guardian, agent) rather than by the client themself.

    Internal: the caller has already authorized its own action on this client. Ids that are
    malformed or not this client's count as not signed by a representative (the caller checks
    them with `require_active_release`). Changes nothing.
    """
    parsed = [found for found in map(parse_id, release_ids) if found is not None]
    return Release.objects.filter(
        id__in=parsed, client_id=client_id, signer_is_representative=True
    ).exists()


# ---- for staff (policy-checked, on the ledger) --------------------------------------------------


@transaction.atomic
def release_list(*, actor: Actor, client_id: UUID | str) -> list[ReleaseDetail]:
    """A client's releases with today's status.

    Needs release:view on the client. Writes consent:release:listed. Raises NotFound.
    """
    client, decision = authorized_client(actor, client_id, Action.RELEASE_VIEW)
    releases = list(Release.objects.filter(client=client).order_by("-starts_on", "-created_at"))
    ledger.record(
        actor=actor,
        event_type=EventType.ROI_LISTED,
        subject_type="client",
        subject_id=client.id,
        client_id=client.id,
        policy_ids=decision.policy_ids,
        details={"count": len(releases)},
    )
    if not releases:
        return []
    key, day = key_of(client.id), today()
    return [detail_of(r, key, day) for r in releases]


@transaction.atomic
def release_get(
    *, actor: Actor, release_id: UUID | str, export: Literal["", "pdf", "fhir"] = ""
) -> ReleaseDetail:
    """One release in full (for its page, or for an export: `pdf` or `fhir`).

    Needs release:view on its client. Writes consent:release:viewed, or consent:release:exported
    with the format. Raises NotFound.
    """
    release, decision = authorized_release(actor, release_id, Action.RELEASE_VIEW)
    ledger.record(
        actor=actor,
        event_type=EventType.ROI_EXPORTED if export else EventType.ROI_VIEWED,
        subject_type="release",
        subject_id=release.id,
        client_id=release.client_id,
        policy_ids=decision.policy_ids,
        details={"format": export} if export else None,
    )
    return detail_of(release, key_of(release.client_id), today())


# ---- for the client, in the portal (their own releases only, on the ledger) ------------------

OWN_RELEASE_POLICY = "client.own_release"


def _client_event(
    principal: ClientSelf,
    event_type: EventType,
    subject: tuple[str, UUID],
    details: dict[str, str | int] | None = None,
) -> None:
    ledger.record(
        actor=None,
        agency_id=principal.agency_id,
        actor_id=principal.account_id,
        channel=principal.channel,
        event_type=event_type,
        subject_type=subject[0],
        subject_id=subject[1],
        client_id=principal.client_id,
        policy_ids=(OWN_RELEASE_POLICY,),
        details=dict(details or {}),
    )


@transaction.atomic
def client_release_list(*, principal: ClientSelf) -> list[ReleaseDetail]:
    """The client's own releases with today's status. Writes consent:release:listed."""
    releases = list(
        Release.objects.filter(
            client_id=principal.client_id, agency_id=principal.agency_id
        ).order_by("-starts_on", "-created_at")
    )
    _client_event(
        principal,
        EventType.ROI_LISTED,
        ("client", principal.client_id),
        {"count": len(releases)},
    )
    if not releases:
        return []
    key, day = key_of(principal.client_id), today()
    return [detail_of(r, key, day) for r in releases]


@transaction.atomic
def client_release_get(
    *, principal: ClientSelf, release_id: UUID | str, export: Literal["", "pdf"] = ""
) -> ReleaseDetail:
    """One of the client's own releases (or its PDF copy). Writes consent:release:viewed, or
    consent:release:exported. Raises NotFound for any id that is not one of theirs."""
    release = own_release(principal, release_id)
    _client_event(
        principal,
        EventType.ROI_EXPORTED if export else EventType.ROI_VIEWED,
        ("release", release.id),
        {"format": export} if export else None,
    )
    return detail_of(release, key_of(release.client_id), today())
