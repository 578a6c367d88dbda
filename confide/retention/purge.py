"""The purge job: crypto-shredding of approved clients, and its re-application after a restore.

Purge = crypto-shred (docs/decisions/0007): in one transaction per client, the client's wrapped
data keys and blind-index rows are destroyed (`crypto.shred.destroy_client_material`); the
record's own rows (cases, notes, attachments, with their clear metadata: case numbers, dates,
labels), its consent rows (releases of information, contacts, acknowledgements,
representatives, communication preferences and disclosure limits, whose kinds, categories and
dates would otherwise outlive the key) and its portal account with its invitations (the sign-in
id is in clear; an open portal session ends at its next request) are deleted; the client row is
kept as a tombstone with its ciphertext and labels blanked (accounting entries, grants,
restrictions and walls refer to it, some append-only); a `ShreddedClient` tombstone is
written, and the ledger gets `retention:client:shredded` (ids and counts only). After commit the
attachment files are deleted and the client is appended to the shred list beside the keys.
The ledger's events keep their hashes and still verify.

It acts only on what a privacy officer approved (`services.purge_batch_approve`), and checks
each client's holds and due date again under the client's row lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.db import DatabaseError, models, transaction
from django.db.models import ProtectedError

from confide.consent.models import (
    Acknowledgement,
    CommunicationPreference,
    Contact,
    DisclosureRestriction,
    PersonalRepresentative,
)
from confide.core import clock
from confide.core.errors import DomainError
from confide.crypto.envelope import DecryptionFailed
from confide.crypto.shred import destroy_client_material
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.portal.models import PortalAccount, PortalInvitation
from confide.records import files
from confide.records.models import Attachment, Case, Client, Note
from confide.releases.models import Release
from confide.retention import shredlist
from confide.retention.enums import ItemStatus, ShredCause
from confide.retention.errors import PurgeBlocked
from confide.retention.models import PurgeBatch, PurgeItem, ShreddedClient
from confide.retention.selectors import (
    active_hold_client_ids,
    due_clients,
    rule_of,
    schedule_current,
)


@dataclass
class PurgeSummary:
    purged: int = 0
    held: int = 0
    not_due: int = 0
    failed: int = 0
    files_removed: int = 0


Progress = Callable[[int, int, str], None]


def purge_run(
    *, today: dt.date, batch_id: UUID | None = None, progress: Progress | None = None
) -> PurgeSummary:
    """Carry out every approved batch (or one): shred each pending client that is still due
    and not held. One transaction per client, so a crash loses nothing and a rerun resumes.

    Needs an operator (the command line); acts only on what a privacy officer approved. Writes
    retention:client:shredded or retention:client:purge_skipped per client. Raises nothing for
    one client's failure: it is counted and the item marked failed (nothing of it changed).
    """
    leftover = finish_pending_files()
    summary = PurgeSummary()
    shredlist.sync_from_database()
    items = PurgeItem.objects.filter(status=ItemStatus.PENDING)
    if batch_id is not None:
        items = items.filter(batch_id=batch_id)
    todo = list(items.order_by("batch__created_at", "id").values_list("id", flat=True))
    for done, item_id in enumerate(todo, start=1):
        outcome = _purge_item(item_id, today)
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        if progress:
            progress(done, len(todo), outcome)
    summary.files_removed = leftover
    _finish_batches()
    finish_pending_files()
    return summary


def _purge_item(item_id: UUID, today: dt.date) -> str:
    try:
        with transaction.atomic():
            return _purge_item_in_transaction(item_id, today)
    except (DomainError, ProtectedError, DecryptionFailed, DatabaseError) as error:
        # DatabaseError: a trigger elsewhere refused a change the deletion implies (for example
        # an append-only row that refers to an attachment); the client's transaction rolled back.
        code = error.code if isinstance(error, DomainError) else type(error).__name__
        with transaction.atomic():
            item = PurgeItem.objects.select_for_update().get(id=item_id)
            _close_item(item, ItemStatus.FAILED, code)
        return "failed"


def _purge_item_in_transaction(item_id: UUID, today: dt.date) -> str:
    item = PurgeItem.objects.select_for_update().select_related("batch").get(id=item_id)
    if item.status != ItemStatus.PENDING:
        return "purged" if item.status == ItemStatus.PURGED else "not_due"
    client = Client.objects.select_for_update().get(id=item.client_id)
    # A hold placed after approval wins: checked under the client row lock the hold also takes.
    if active_hold_client_ids([client.id]):
        _close_item(item, ItemStatus.SKIPPED_HELD, "legal_hold")
        return "held"
    # The schedule in force now: a period lengthened since the approval protects the record.
    rule = rule_of(schedule_current(client.agency_id) or item.batch.schedule)
    due = {d.client_id for d in due_clients(client.agency_id, today, rule, [client.id])}
    if client.id not in due:
        _close_item(item, ItemStatus.SKIPPED_NOT_DUE, "not_due")
        return "not_due"
    shred_client(client, cause=ShredCause.PURGE, batch_id=item.batch_id)
    item.status, item.processed_at = ItemStatus.PURGED, clock.now()
    item.save(update_fields=["status", "processed_at", "updated_at"])
    return "purged"


def _close_item(item: PurgeItem, status: ItemStatus, code: str) -> None:
    item.status, item.processed_at = status, clock.now()
    item.save(update_fields=["status", "processed_at", "updated_at"])
    ledger.record(
        actor=None,
        event_type=EventType.CLIENT_PURGE_SKIPPED,
        agency_id=item.batch.agency_id,
        subject_type="purge_batch",
        subject_id=item.batch_id,
        client_id=item.client_id,
        channel="cli",
        details={"outcome": status.value, "code": code[:64]},
    )


def _finish_batches() -> None:
    with transaction.atomic():
        PurgeBatch.objects.filter(finished_at=None).exclude(
            items__status=ItemStatus.PENDING
        ).update(finished_at=clock.now())


# A client's consent rows: deleted with the record (their clear columns say what kind of care and
# what was shared with whom). Access restrictions stay: grants and walls are judged against them.
CONSENT_ROWS: tuple[type[models.Model], ...] = (
    Release,
    Contact,
    Acknowledgement,
    PersonalRepresentative,
    CommunicationPreference,
    DisclosureRestriction,
)


def _delete_portal(client: Client) -> int:
    """Delete the client's portal account and its invitations (invitations first: they protect
    the account). Its sign-in id is in clear and it would outlive the key; the ledger keeps the
    account's id in its events. Returns how many accounts (0 or 1).

    The account is locked before its invitations, the order every portal writer keeps, so a
    purge and a client accepting an invitation at the same moment cannot deadlock."""
    list(PortalAccount.objects.select_for_update().filter(client=client).values_list("id"))
    PortalInvitation.objects.filter(account__client=client).delete()
    deleted, _ = PortalAccount.objects.filter(client=client).delete()
    return deleted


def _scrub_client(client: Client) -> None:
    """Blank the tombstone row's ciphertext and labels (its id stays for what refers to it)."""
    changed = ["labels", "updated_at"]
    client.labels = []
    for field in Client._meta.concrete_fields:
        if isinstance(field, models.BinaryField):
            setattr(client, field.attname, b"")
            changed.append(field.attname)
    client.save(update_fields=changed)


def shred_client(client: Client, *, cause: ShredCause, batch_id: UUID | None) -> ShreddedClient:
    """Crypto-shred one client, in the caller's transaction (see the module docstring).

    Writes retention:client:shredded. Raises PurgeBlocked when rows elsewhere refer to the
    record's notes, cases or attachments (nothing is changed: the caller's transaction rolls
    back).
    """
    attachments = list(Attachment.objects.filter(client=client).values_list("id", "agency_id"))
    counts = {
        "cases": Case.objects.filter(client=client).count(),
        "notes": Note.objects.filter(client=client).count(),
        "attachments": len(attachments),
    }
    destroy_client_material(client.id)
    try:
        with transaction.atomic():
            Attachment.objects.filter(client=client).delete()
            Note.objects.filter(client=client).delete()
            Case.objects.filter(client=client).delete()
            for consent_model in CONSENT_ROWS:
                consent_model._default_manager.filter(client=client).delete()
            counts["portal_accounts"] = _delete_portal(client)
    except ProtectedError as error:
        table = next(iter(error.protected_objects))._meta.db_table
        raise PurgeBlocked(table) from None
    _scrub_client(client)
    tombstone = ShreddedClient.objects.create(
        client_id=client.id,
        agency_id=client.agency_id,
        shredded_at=clock.now(),
        cause=cause,
        batch_id=batch_id,
        attachment_ids=[str(a) for a, _ in attachments],
    )
    ledger.record(
        actor=None,
        event_type=EventType.CLIENT_SHREDDED
        if cause == ShredCause.PURGE
        else EventType.CLIENT_SHRED_REAPPLIED,
        agency_id=client.agency_id,
        subject_type="client",
        subject_id=client.id,
        client_id=client.id,
        channel="cli",
        details={
            "batch": str(batch_id) if batch_id else None,
            "cause": cause.value,
            **counts,
        },
    )
    transaction.on_commit(lambda: _after_shred(tombstone))
    return tombstone


def _after_shred(tombstone: ShreddedClient) -> None:
    """After commit: remove the files, then remember the client beside the keys. The
    tombstone is marked done later, in bulk (`finish_pending_files`); a crash before that only
    means the (idempotent) removal runs again."""
    _remove_files(tombstone)
    shredlist.append(
        [
            shredlist.Entry(
                tombstone.client_id, tombstone.agency_id, tombstone.shredded_at.isoformat()
            )
        ]
    )


def _remove_files(tombstone: ShreddedClient) -> int:
    for attachment_id in tombstone.attachment_ids:
        files.remove(Attachment(id=UUID(attachment_id), agency_id=tombstone.agency_id))
    return len(tombstone.attachment_ids)


def finish_pending_files() -> int:
    """Remove the files of every tombstone not yet marked done (again, if a crash came after
    the removal), then mark them all done in one update. Returns how many files were named."""
    pending = list(ShreddedClient.objects.filter(files_removed_at=None))
    removed = sum(_remove_files(t) for t in pending)
    ShreddedClient.objects.filter(client_id__in=[t.client_id for t in pending]).update(
        files_removed_at=clock.now()
    )
    return removed


def reapply_shred_list() -> int:
    """After a restore: shred again every client on the shred list that the restored database
    still holds readable (its backup predates the shredding). Returns how many.

    The shred list beside the keys is the authority here: a hold or an approval in the older
    database does not undo a destruction that already happened. Writes
    retention:client:shred_reapplied per client.
    """
    entries = shredlist.read()
    again = 0
    for client_id in sorted(entries):
        with transaction.atomic():
            client = Client.objects.select_for_update().filter(id=client_id).first()
            if client is None:
                continue
            if ShreddedClient.objects.filter(client_id=client_id).exists():
                continue
            PurgeItem.objects.filter(client_id=client_id, status=ItemStatus.PENDING).update(
                status=ItemStatus.PURGED, processed_at=clock.now()
            )
            shred_client(client, cause=ShredCause.RESTORE, batch_id=None)
            again += 1
    finish_pending_files()
    return again
