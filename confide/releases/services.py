"""The only writers of releases of information. Each service is one transaction with its ledger
event; bad input raises before anything is written, so a refusal changes nothing.

Lifecycle: `release_create` (draft) -> `release_sign` (signed; active from its start date) ->
expired (by date, or by `release_record_expiry_event`) or `release_revoke` (at once, for good).
"""

from __future__ import annotations

import datetime as dt
import uuid
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from confide.access.policy import Action
from confide.core import clock
from confide.core.actor import Actor
from confide.core.errors import ValidationFailed
from confide.crypto.envelope import DataKey
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.releases.access import ClientSelf, authorized_client, authorized_release, own_release
from confide.releases.enums import ReleaseState, RevokedBy, Status
from confide.releases.errors import ReleaseWrongState
from confide.releases.lifecycle import status_on, today
from confide.releases.models import Release
from confide.releases.selectors import column, key_of
from confide.releases.validation import (
    ReleaseInput,
    SignatureInput,
    clean_release,
    clean_signature,
)


def _enc(key: DataKey, release: Release, name: str, text: str) -> None:
    setattr(release, f"{name}_enc", key.encrypt_text(column(name), release.id, text))


@transaction.atomic
def release_create(*, actor: Actor, client_id: UUID | str, data: ReleaseInput) -> Release:
    """Record a release as a draft, complete in every element its kind requires.

    Needs release:create on the client. Writes consent:release:created. Raises NotFound,
    NotPermitted, ReleaseIncomplete (naming every missing element), ValidationFailed.
    """
    client, decision = authorized_client(actor, client_id, Action.RELEASE_CREATE)
    cleaned = clean_release(data, today=today())
    assert cleaned.starts_on is not None  # clean_release requires it
    release = Release(
        id=uuid.uuid4(),
        agency_id=client.agency_id,
        client=client,
        kind=cleaned.kind,
        recipient_type=cleaned.recipient_type,
        purpose=cleaned.purpose,
        categories=list(cleaned.categories),
        records_from=cleaned.records_from,
        records_to=cleaned.records_to,
        starts_on=cleaned.starts_on,
        expires_on=cleaned.expires_on,
        part2_tpo=cleaned.part2_tpo,
        statements=list(cleaned.statements),
        created_by_id=actor.user_id,
    )
    key = key_of(client.id)
    for name in (
        "recipient_name",
        "recipient_contact",
        "discloser",
        "purpose_detail",
        "description",
        "expiry_event",
    ):
        _enc(key, release, name, getattr(cleaned, name))
    _enc(key, release, "signer_name", "")
    _enc(key, release, "representative_authority", "")
    release.save(force_insert=True)
    ledger.record(
        actor=actor,
        event_type=EventType.ROI_CREATED,
        subject_type="release",
        subject_id=release.id,
        client_id=client.id,
        policy_ids=decision.policy_ids,
        details={"kind": release.kind, "categories": list(release.categories)},
    )
    return release


@transaction.atomic
def release_sign(*, actor: Actor, release_id: UUID | str, signature: SignatureInput) -> Release:
    """Record the client's (or representative's) typed signature and its date on a draft.

    Needs release:sign on the client. Writes consent:release:signed. Raises NotFound,
    NotPermitted, ReleaseIncomplete (missing signature elements), ValidationFailed,
    ReleaseWrongState (not a draft, or already past its expiry).
    """
    release, decision = authorized_release(actor, release_id, Action.RELEASE_SIGN, lock=True)
    day = today()
    if release.state == ReleaseState.REVOKED:
        raise ReleaseWrongState("This release was revoked; it can no longer be signed.")
    if release.state != ReleaseState.DRAFT:
        raise ReleaseWrongState("This release is already signed.")
    cleaned = clean_signature(signature, today=day)
    assert cleaned.signed_on is not None  # clean_signature requires it
    made_on = timezone.localdate(release.created_at)
    if cleaned.signed_on < made_on - dt.timedelta(days=366):
        raise ValidationFailed({"signed_on": "must be within a year before the release was made"})
    release.state = ReleaseState.SIGNED
    if status_on(release, day) == Status.EXPIRED:
        raise ReleaseWrongState("This release has already expired; record a new one instead.")
    key = key_of(release.client_id)
    _enc(key, release, "signer_name", cleaned.signer_name)
    _enc(key, release, "representative_authority", cleaned.representative_authority)
    release.signed_on = cleaned.signed_on
    release.signer_is_representative = cleaned.signer_is_representative
    release.signed_at = clock.now()
    release.signed_recorded_by_id = actor.user_id
    release.save()
    ledger.record(
        actor=actor,
        event_type=EventType.ROI_SIGNED,
        subject_type="release",
        subject_id=release.id,
        client_id=release.client_id,
        policy_ids=decision.policy_ids,
        details={"by_representative": cleaned.signer_is_representative},
    )
    return release


@transaction.atomic
def release_revoke(*, actor: Actor | ClientSelf, release_id: UUID | str) -> Release:
    """Revoke a release at once: from now on it is never a basis for disclosure.

    Staff record the client's word (needs release:revoke on the client); a client revokes their
    own. Writes consent:release:revoked. Raises NotFound, NotPermitted, ReleaseWrongState
    (already revoked).
    """
    if isinstance(actor, ClientSelf):
        release = own_release(actor, release_id, lock=True)
        policy_ids: tuple[str, ...] = ("client.own_release",)
    else:
        release, decision = authorized_release(actor, release_id, Action.RELEASE_REVOKE, lock=True)
        policy_ids = decision.policy_ids
    if release.state == ReleaseState.REVOKED:
        raise ReleaseWrongState("This release was already revoked.")
    by_client = isinstance(actor, ClientSelf)
    release.state = ReleaseState.REVOKED
    release.revoked_at = clock.now()
    release.revoked_by = RevokedBy.CLIENT if by_client else RevokedBy.STAFF
    release.revocation_recorded_by_id = None if isinstance(actor, ClientSelf) else actor.user_id
    release.save()
    ledger.record(
        actor=None if isinstance(actor, ClientSelf) else actor,
        agency_id=release.agency_id,
        actor_id=actor.account_id if isinstance(actor, ClientSelf) else None,
        channel=actor.channel,
        event_type=EventType.ROI_REVOKED,
        subject_type="release",
        subject_id=release.id,
        client_id=release.client_id,
        policy_ids=policy_ids,
        details={"by": release.revoked_by, "was_draft": release.signed_at is None},
    )
    return release


@transaction.atomic
def release_record_expiry_event(
    *, actor: Actor, release_id: UUID | str, occurred_on: dt.date
) -> Release:
    """Record that the event a release expires on has happened (say, the end of treatment).

    Needs release:revoke on the client (it ends the release). Writes
    consent:release:expiry_recorded. Raises NotFound, NotPermitted, ValidationFailed,
    ReleaseWrongState (no expiry event, revoked, or already recorded).
    """
    release, decision = authorized_release(actor, release_id, Action.RELEASE_REVOKE, lock=True)
    if not isinstance(occurred_on, dt.date) or isinstance(occurred_on, dt.datetime):
        raise ValidationFailed({"occurred_on": "must be a date (YYYY-MM-DD)"})
    if occurred_on > today():
        raise ValidationFailed({"occurred_on": "must not be in the future"})
    key = key_of(release.client_id)
    event = key.decrypt_text(column("expiry_event"), release.id, release.expiry_event_enc)
    if not event or release.state == ReleaseState.REVOKED:
        raise ReleaseWrongState("Only a release that ends on an event, not revoked, takes this.")
    if release.expiry_event_on is not None:
        raise ReleaseWrongState("The expiry event of this release was already recorded.")
    release.expiry_event_on = occurred_on
    release.save()
    ledger.record(
        actor=actor,
        event_type=EventType.ROI_EXPIRY_RECORDED,
        subject_type="release",
        subject_id=release.id,
        client_id=release.client_id,
        policy_ids=decision.policy_ids,
    )
    return release
