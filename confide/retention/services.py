"""The only writers of retention: schedules, legal holds, purge approval, and the purge itself.

Purge = crypto-shred (docs/decisions/0007): in one transaction per client, the client's wrapped
data keys and blind-index rows are destroyed (`crypto.shred.destroy_client_material`), the
record's own rows (cases, notes, attachments, with their clear metadata: case numbers, dates,
labels) are deleted, the client row is kept as a tombstone with its ciphertext and labels
blanked (accounting entries, grants, restrictions and walls refer to it, some append-only), a
`ShreddedClient` tombstone is written, and the ledger gets `retention:client:shredded` (ids and
counts only). After commit the attachment files are deleted and the client is appended to the
shred list beside the keys. The ledger's events keep their hashes and still verify.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db import DatabaseError, models, transaction
from django.db.models import ProtectedError

from confide.access.policy import Action, authorize, authorize_many
from confide.core import clock
from confide.core.actor import Actor
from confide.core.errors import DomainError, NotFound, ValidationFailed
from confide.core.ids import parse_id
from confide.crypto.envelope import DataKey, DecryptionFailed, client_key
from confide.crypto.shred import destroy_client_material
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records import files
from confide.records.models import Attachment, Case, Client, Note
from confide.retention import shredlist
from confide.retention.enums import HoldReason, ItemStatus, ShredCause
from confide.retention.errors import (
    AlreadyApproved,
    HoldAlreadyReleased,
    NoSchedule,
    NotDue,
    PurgeBlocked,
    UnderLegalHold,
)
from confide.retention.models import (
    LegalHold,
    PurgeBatch,
    PurgeItem,
    RetentionSchedule,
    ShreddedClient,
)
from confide.retention.schedule import state_defaults
from confide.retention.selectors import (
    active_hold_client_ids,
    due_clients,
    require_privacy_officer,
    rule_of,
    schedule_current,
)

MAX_YEARS = 100
MAX_HOLD_TEXT = 1000
HOLD_PURPOSE = "retention_legal_hold.details"
RELEASE_PURPOSE = "retention_legal_hold.release_note"

# ---- the schedule -------------------------------------------------------------------------------


def _years(p: dict[str, str], name: str, value: object, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        p[name] = f"must be a whole number from {low} to {high}"
        return low
    return value


@transaction.atomic
def retention_schedule_set(
    *,
    actor: Actor,
    state: str,
    years_after_closure: int | None = None,
    years_after_majority: int | None = None,
    majority_age: int | None = None,
) -> RetentionSchedule:
    """Set the agency's schedule: the state's defaults, or longer periods (never shorter than
    what the state's law requires).

    Needs the privacy officer role (an agency-level act). Writes retention:schedule:set.
    Raises NotPermitted, ValidationFailed.
    """
    require_privacy_officer(actor, "A privacy officer sets the retention schedule.")
    table = state_defaults()
    default = table.get(state) if isinstance(state, str) else None
    if default is None:
        raise ValidationFailed({"state": f"choose one of {', '.join(sorted(table))}"})
    p: dict[str, str] = {}
    closure = _years(
        p,
        "years_after_closure",
        _or(years_after_closure, default.years_after_closure),
        1,
        MAX_YEARS,
    )
    minor = _years(
        p,
        "years_after_majority",
        _or(years_after_majority, default.years_after_majority),
        0,
        MAX_YEARS,
    )
    majority = _years(p, "majority_age", _or(majority_age, default.majority_age), 18, 25)
    floor_closure, floor_minor = default.minimums()
    if "years_after_closure" not in p and closure < floor_closure:
        p["years_after_closure"] = (
            f"{state} law requires at least {floor_closure} ({default.citation})"
        )
    if "years_after_majority" not in p and minor < floor_minor:
        p["years_after_majority"] = (
            f"{state} law requires at least {floor_minor} ({default.citation})"
        )
    if "majority_age" not in p and majority < default.majority_age and floor_minor:
        p["majority_age"] = f"{state} law counts from age {default.majority_age}"
    if p:
        raise ValidationFailed(p)
    schedule = RetentionSchedule.objects.create(
        agency_id=actor.agency_id,
        state=state,
        years_after_closure=closure,
        years_after_majority=minor,
        majority_age=majority,
        set_by_id=actor.user_id,
    )
    ledger.record(
        actor=actor,
        event_type=EventType.RETENTION_SCHEDULE_SET,
        subject_type="retention_schedule",
        subject_id=schedule.id,
        details={
            "state": state,
            "years_after_closure": closure,
            "years_after_majority": minor,
            "majority_age": majority,
        },
    )
    return schedule


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


# ---- legal holds --------------------------------------------------------------------------------


def _client_by_case_number(actor: Actor, case_number: object) -> Client:
    if not isinstance(case_number, str) or not case_number.strip() or len(case_number) > 32:
        raise NotFound("client")
    case = (
        Case.objects.filter(agency_id=actor.agency_id, case_number=case_number.strip())
        .select_related("client")
        .first()
    )
    if case is None:
        raise NotFound("client")
    return case.client


def _hold_text(p: dict[str, str], name: str, text: object, *, required: bool) -> str:
    if not isinstance(text, str):
        p[name] = "must be text"
        return ""
    cleaned = text.strip()
    if required and not cleaned:
        p[name] = "is required"
    elif len(cleaned) > MAX_HOLD_TEXT:
        p[name] = f"must be at most {MAX_HOLD_TEXT} characters"
    return cleaned


@transaction.atomic
def legal_hold_place(*, actor: Actor, case_number: str, reason: str, details: str) -> LegalHold:
    """Place a legal hold on the client of a case: their record is not destroyed while it lasts.

    Needs retention:hold on the client (a privacy officer of its agency). Writes
    retention:legal_hold:placed (reason code only; the details are encrypted with the client's
    key). Raises NotFound, ValidationFailed, RecordDestroyed.
    """
    found = _client_by_case_number(actor, case_number)
    # Locked like the purge locks it: a hold and a purge of one client never interleave.
    client = Client.objects.select_for_update().get(id=found.id)
    decision = authorize(actor, Action.RETENTION_HOLD, client)
    if not decision.allowed:
        raise NotFound("client")
    p: dict[str, str] = {}
    if reason not in HoldReason.values:
        p["reason"] = "choose a reason from the list"
    text = _hold_text(p, "details", details, required=True)
    if p:
        raise ValidationFailed(p)
    key = _key_or_destroyed(client.id)
    hold = LegalHold(
        id=uuid.uuid4(),
        agency_id=actor.agency_id,
        client=client,
        reason=reason,
        placed_by_id=actor.user_id,
    )
    hold.details_enc = key.encrypt_text(HOLD_PURPOSE, hold.id, text)
    hold.save(force_insert=True)
    ledger.record(
        actor=actor,
        event_type=EventType.LEGAL_HOLD_PLACED,
        subject_type="legal_hold",
        subject_id=hold.id,
        client_id=client.id,
        policy_ids=decision.policy_ids,
        details={"reason": reason},
    )
    return hold


class RecordDestroyed(DomainError):
    code = "record_destroyed"
    status = 410

    def __init__(self) -> None:
        super().__init__("This client's record was destroyed on schedule; nothing can be held.")


def _key_or_destroyed(client_id: UUID) -> DataKey:
    try:
        return client_key(client_id)
    except DecryptionFailed:
        raise RecordDestroyed() from None


@transaction.atomic
def legal_hold_release(*, actor: Actor, hold_id: UUID | str, note: str) -> LegalHold:
    """Release a legal hold (the matter ended); the client's schedule applies again.

    Needs retention:hold on the client. Writes retention:legal_hold:released. Raises NotFound,
    HoldAlreadyReleased, ValidationFailed.
    """
    parsed = parse_id(hold_id)
    hold = (
        LegalHold.objects.select_for_update(of=("self",))
        .select_related("client")
        .filter(id=parsed, agency_id=actor.agency_id)
        .first()
        if parsed
        else None
    )
    if hold is None:
        raise NotFound("legal hold")
    decision = authorize(actor, Action.RETENTION_HOLD, hold.client)
    if not decision.allowed:
        raise NotFound("legal hold")
    if hold.released_at is not None:
        raise HoldAlreadyReleased()
    p: dict[str, str] = {}
    text = _hold_text(p, "note", note, required=True)
    if p:
        raise ValidationFailed(p)
    hold.release_note_enc = _key_or_destroyed(hold.client_id).encrypt_text(
        RELEASE_PURPOSE, hold.id, text
    )
    hold.released_at = clock.now()
    hold.released_by_id = actor.user_id
    hold.save(update_fields=["release_note_enc", "released_at", "released_by", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.LEGAL_HOLD_RELEASED,
        subject_type="legal_hold",
        subject_id=hold.id,
        client_id=hold.client_id,
        policy_ids=decision.policy_ids,
    )
    return hold


# ---- approval -----------------------------------------------------------------------------------


@transaction.atomic
def purge_batch_approve(
    *, actor: Actor, client_ids: Iterable[UUID | str], today: dt.date, reauthenticated: bool
) -> PurgeBatch:
    """Approve the destruction of due clients as one batch; the purge job carries it out.

    Needs retention:approve on every client (a privacy officer of their agency, not walled
    off) and a fresh re-authentication. Writes retention:purge_batch:approved and, per client,
    retention:client:purge_approved. Raises NotPermitted, ValidationFailed, NoSchedule,
    NotFound (a client they may not act on), NotDue, UnderLegalHold, AlreadyApproved.
    """
    require_privacy_officer(actor, "A privacy officer approves destruction.")
    if not reauthenticated:
        raise ValidationFailed({"password": "confirm your password and code first"})
    parsed = [parse_id(raw) for raw in client_ids]
    if not parsed or None in parsed or len(parsed) > 1000:
        raise ValidationFailed({"clients": "choose between 1 and 1000 clients from the list"})
    wanted = set(p for p in parsed if p is not None)
    schedule = schedule_current(actor.agency_id)
    if schedule is None:
        raise NoSchedule()
    clients = list(Client.objects.filter(id__in=wanted, agency_id=actor.agency_id))
    decisions = authorize_many(actor, Action.RETENTION_APPROVE, clients)
    if len(clients) != len(wanted) or not all(d.allowed for d in decisions):
        raise NotFound("client")
    due = {d.client_id: d for d in due_clients(actor.agency_id, today, rule_of(schedule), wanted)}
    if any(c not in due for c in wanted):
        raise NotDue()
    if any(due[c].held for c in wanted):
        raise UnderLegalHold()
    if any(due[c].approved for c in wanted):
        raise AlreadyApproved()
    batch = PurgeBatch.objects.create(
        agency_id=actor.agency_id, schedule=schedule, approved_by_id=actor.user_id
    )
    PurgeItem.objects.bulk_create(
        PurgeItem(batch=batch, client_id=c, due_on=due[c].due_on, basis=due[c].basis)
        for c in sorted(wanted)
    )
    policy_ids = sorted({p for d in decisions for p in d.policy_ids})
    ledger.record(
        actor=actor,
        event_type=EventType.PURGE_APPROVED,
        subject_type="purge_batch",
        subject_id=batch.id,
        policy_ids=policy_ids,
        details={"clients": len(wanted), "schedule": str(schedule.id)},
    )
    for client_id in sorted(wanted):
        ledger.record(
            actor=actor,
            event_type=EventType.CLIENT_PURGE_APPROVED,
            subject_type="purge_batch",
            subject_id=batch.id,
            client_id=client_id,
            policy_ids=policy_ids,
            details={"due_on": due[client_id].due_on.isoformat(), "basis": due[client_id].basis},
        )
    return batch


# ---- the purge job ------------------------------------------------------------------------------


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
    # A hold placed after approval wins: it is checked under the item's lock, in this transaction.
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
