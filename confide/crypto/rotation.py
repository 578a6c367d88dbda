"""Key rotations: KEK, one client's data key, and the blind-index key. Each is resumable.

Every rotation is a row in crypto_rotation and a series of short transactions, each doing one
batch and recording its progress; a crash loses at most the batch in flight (rolled back), and
running the same command again resumes. Each writes crypto:key_rotation:started when it begins
and crypto:key:rotated when it finishes, in the transactions that do those steps.

- KEK: the provider creates the next KEK version; every wrapped data key and blind-index root key
  under an older version is unwrapped and wrapped again. Ciphertext of records is untouched.
  Progress is implicit: rows still under an older KEK are the work left.
- Client: a pending data key (next version) is stored wrapped; every encrypted column of every row
  of the client (found by convention: BinaryField `<name>_enc`, AAD purpose `<table>.<name>`) and
  every attachment file is re-encrypted unless its header already names the new version; then
  the pending key replaces the old one. Readers open both versions meanwhile.
- Blind index: a new root key version is built (state "building") while the active one serves
  lookups; every client's rows are recomputed in client-id order (the cursor); then the new
  version becomes active and the old version's key and rows are deleted. Services write rows for
  both versions while a rotation runs.

This module orchestrates across apps (it reads records to recompute index rows and rewrite
files); the primitives it uses (providers, envelope, blind_index) import nothing of records.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import connection, models, transaction

from confide.core import clock
from confide.crypto import blind_index
from confide.crypto.envelope import (
    DataKey,
    DecryptionFailed,
    blob_version,
    client_key,
    client_keys,
    new_data_key,
    unwrap_row,
    wrap_aad,
    wrap_client_key,
)
from confide.crypto.models import (
    BlindIndexRow,
    ClientKey,
    IndexKey,
    IndexKeyState,
    PendingClientKey,
    Rotation,
    RotationKind,
)
from confide.crypto.providers import KeyProvider, get_provider
from confide.ledger import services as ledger
from confide.ledger.enums import EventType

Progress = Callable[[int, int], None]


class RotationError(RuntimeError):
    """A rotation cannot start or go on (unknown or shredded client, unreadable data)."""


@dataclass(frozen=True)
class RotationResult:
    kind: str
    version: int
    done: int
    resumed: bool


def _no_progress(done: int, total: int) -> None:
    return None


def _open_job(kind: RotationKind, client_id: UUID | None = None) -> Rotation | None:
    return Rotation.objects.filter(kind=kind, client_id=client_id, finished_at=None).first()


def _event(
    event_type: EventType, job: Rotation, *, agency_id: UUID | None = None, **details: int | str
) -> None:
    ledger.record(
        actor=None,
        event_type=event_type,
        subject_type="key_rotation",
        subject_id=str(job.id),
        client_id=job.client_id,
        agency_id=agency_id,
        details={"kind": job.kind, "version": job.target_version, **details},
    )


def _finish(job: Rotation, *, agency_id: UUID | None = None) -> None:
    job.finished_at = clock.now()
    job.save(update_fields=["finished_at", "done"])
    _event(EventType.KEY_ROTATED, job, agency_id=agency_id, items=job.done)


# ---- KEK -----------------------------------------------------------------------------------


def _rewrap_client_keys(
    provider: KeyProvider, model: type[ClientKey] | type[PendingClientKey], target: int, size: int
) -> int:
    """Rewrap one batch of `model` rows still under an older KEK; the number rewrapped."""
    with transaction.atomic():
        query = model.objects.select_for_update().exclude(kek_version=target)
        rows: list[ClientKey | PendingClientKey] = list(query.order_by("client_id")[:size])
        updates = []
        for row in rows:
            try:
                key = unwrap_row(provider, row)
            except DecryptionFailed:
                raise RotationError(
                    f"the data key of client {row.client_id} does not unwrap (tampered, or its "
                    "KEK version was removed); rotation stopped, nothing else changed"
                ) from None
            wrapped = provider.wrap(target, key, wrap_aad(row.client_id, row.dek_version, target))
            updates.append((target, wrapped, row.client_id))
        _bulk_update(model, ["kek_version", "wrapped_key"], "client_id", updates)
        Rotation.objects.filter(kind=RotationKind.KEK, finished_at=None).update(
            done=models.F("done") + len(rows)
        )
    return len(rows)


def _bulk_update(
    model: type[models.Model], columns: list[str], pk: str, updates: list[tuple[Any, ...]]
) -> None:
    """One executemany UPDATE for many rows (far faster than a statement per row)."""
    if not updates:
        return
    meta = model._meta
    fields = [meta.pk if name == "pk" else meta.get_field(name) for name in [*columns, pk]]
    concrete = [f for f in fields if isinstance(f, models.Field) and f.column]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(str(f.column))} = %s" for f in concrete[:-1])
    # Table and column names come from the model's metadata (quoted); values are parameters.
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(str(concrete[-1].column))} = %s"  # noqa: S608
    params = [
        [f.get_db_prep_value(v, connection) for f, v in zip(concrete, values, strict=True)]
        for values in updates
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _rewrap_index_keys(provider: KeyProvider, target: int) -> None:
    with transaction.atomic():
        for row in IndexKey.objects.select_for_update().exclude(kek_version=target):
            try:
                root = blind_index.unwrap_index_key(provider, row).root
            except blind_index.IndexKeyError as exc:
                raise RotationError(str(exc)) from None
            row.wrapped_key = provider.wrap(
                target, root, blind_index.index_key_aad(row.version, target)
            )
            row.kek_version = target
            row.save(update_fields=["wrapped_key", "kek_version"])


def rotate_kek(progress: Progress = _no_progress, *, batch: int = 2000) -> RotationResult:
    """Rewrap every data key and blind-index root key under a new KEK version (or resume)."""
    provider = get_provider()
    job = _open_job(RotationKind.KEK)
    resumed = job is not None
    if job is None:
        version = provider.create_version()
        with transaction.atomic():
            job = Rotation.objects.create(kind=RotationKind.KEK, target_version=version)
            _event(EventType.KEY_ROTATION_STARTED, job)
    target = job.target_version
    if provider.active_version() != target:
        raise RotationError(
            f"the provider's active KEK is {provider.active_version()}, not {target} "
            "as this unfinished rotation expects"
        )
    left = sum(m.objects.exclude(kek_version=target).count() for m in (ClientKey, PendingClientKey))
    done, total = job.done, job.done + left
    progress(done, total)
    for model in (ClientKey, PendingClientKey):
        while count := _rewrap_client_keys(provider, model, target, batch):
            done += count
            progress(done, total)
    _rewrap_index_keys(provider, target)
    with transaction.atomic():
        job.refresh_from_db()
        _finish(job)
    return RotationResult(RotationKind.KEK, target, job.done, resumed)


# ---- one client's data key -----------------------------------------------------------------


@dataclass(frozen=True)
class EncryptedColumn:
    model: type[models.Model]
    field: str
    purpose: str
    client_lookup: str


def _client_lookup(model: type[models.Model]) -> str:
    client_model = apps.get_model("records", "Client")
    if model is client_model:
        return "id"
    names = {f.name: f for f in model._meta.concrete_fields}
    if "client" in names:
        return "client_id"
    for f in model._meta.concrete_fields:
        related = f.related_model
        if isinstance(related, type) and any(
            g.name == "client" for g in related._meta.concrete_fields
        ):
            return f"{f.name}__client_id"
    raise RotationError(f"{model._meta.label} has encrypted columns but no path to its client")


# Columns whose AAD purpose is not `<db_table>.<name>` (chosen by their apps before rotation
# existed). A column missing here with another purpose makes a client rotation stop with a
# RotationError naming it (nothing is lost); test_rotation checks every column it has data for.
PURPOSE_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("consent.CommunicationPreference", "address_enc"): "consent_communication.address",
    ("consent.CommunicationPreference", "safe_times_enc"): "consent_communication.safe_times",
    ("consent.DisclosureRestriction", "recipient_enc"): "consent_disclosure_restriction.recipient",
    (
        "consent.DisclosureRestriction",
        "information_enc",
    ): "consent_disclosure_restriction.information",
    ("consent.PersonalRepresentative", "details_enc"): "consent_representative.details",
    ("retention.LegalHold", "details_enc"): "retention_legal_hold.details",
    ("retention.LegalHold", "release_note_enc"): "retention_legal_hold.release_note",
}


def encrypted_columns() -> list[EncryptedColumn]:
    """Every client-encrypted column of every installed model: each BinaryField `<name>_enc`,
    with AAD purpose `<db_table>.<name>` unless listed in PURPOSE_EXCEPTIONS."""
    found = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.BinaryField) and f.name.endswith("_enc"):
                purpose = PURPOSE_EXCEPTIONS.get(
                    (model._meta.label, f.name),
                    f"{model._meta.db_table}.{f.name[: -len('_enc')]}",
                )
                found.append(EncryptedColumn(model, f.name, purpose, _client_lookup(model)))
    return found


def _stale_pks(col: EncryptedColumn, client_id: UUID, version: int) -> list[Any]:
    rows = col.model._default_manager.filter(**{col.client_lookup: client_id}).values_list(
        "pk", col.field
    )
    return [pk for pk, blob in rows if blob is not None and blob_version(blob) != version]


def _reencrypt_column(
    col: EncryptedColumn,
    key: DataKey,
    batch: int,
    on_batch: Callable[[int], None] = lambda n: None,
    after_commit: Callable[[], None] = lambda: None,
) -> int:
    """Re-encrypt this column's stale blobs of the client, a batch per transaction. Each batch
    re-reads its rows under lock, so a value written meanwhile (with the new key) is kept."""
    pks = _stale_pks(col, key.client_id, key.version)
    done = 0
    for start in range(0, len(pks), batch):
        with transaction.atomic():
            rows = col.model._default_manager.select_for_update().filter(
                pk__in=pks[start : start + batch]
            )
            updates = []
            for pk, blob in rows.values_list("pk", col.field):
                if blob is None or blob_version(blob) == key.version:
                    continue
                try:
                    plain = key.decrypt(col.purpose, pk, blob)
                except DecryptionFailed:
                    raise RotationError(
                        f"a {col.model._meta.label}.{col.field} value of this client does not "
                        "decrypt; rotation stopped so nothing is lost"
                    ) from None
                updates.append((key.encrypt(col.purpose, pk, plain), pk))
            _bulk_update(col.model, [col.field], "pk", updates)
            on_batch(len(updates))
        done += len(updates)
        after_commit()
    return done


def _count_files(client_id: UUID) -> int:
    from confide.records.models import Attachment

    return Attachment.objects.filter(client_id=client_id).count()


def _reencrypt_files(key: DataKey) -> int:
    from confide.records import files
    from confide.records.models import Attachment

    done = 0
    for attachment in Attachment.objects.filter(client_id=key.client_id).order_by("id"):
        try:
            blob = files.load(attachment)
        except FileNotFoundError:
            continue  # a file already gone (purged) has nothing to rotate
        if blob_version(blob) == key.version:
            continue
        try:
            plain = key.decrypt("records_attachment.blob", attachment.id, blob)
        except DecryptionFailed:
            raise RotationError("an attachment of this client does not decrypt") from None
        files.rewrite(attachment, key.encrypt("records_attachment.blob", attachment.id, plain))
        done += 1
    return done


def _start_client(client_id: UUID, provider: KeyProvider) -> Rotation:
    with transaction.atomic():
        current = ClientKey.objects.select_for_update().filter(client_id=client_id).first()
        if current is None:
            raise RotationError("no data key for this client (unknown or shredded)")
        version = current.dek_version + 1
        kek_version, wrapped = wrap_client_key(provider, client_id, version, new_data_key())
        PendingClientKey.objects.create(
            client_id=client_id,
            agency_id=current.agency_id,
            dek_version=version,
            kek_version=kek_version,
            wrapped_key=wrapped,
        )
        job = Rotation.objects.create(
            kind=RotationKind.CLIENT, client_id=client_id, target_version=version
        )
        _event(EventType.KEY_ROTATION_STARTED, job, agency_id=current.agency_id)
    return job


def _finish_client(job: Rotation, key: DataKey) -> None:
    """Catch any straggler written with the old key meanwhile, then swap keys atomically."""
    with transaction.atomic():
        current = ClientKey.objects.select_for_update().get(client_id=key.client_id)
        for col in encrypted_columns():
            job.done += _reencrypt_column(col, key, batch=10_000)
        pending = PendingClientKey.objects.get(client_id=key.client_id)
        current.dek_version = pending.dek_version
        current.kek_version = pending.kek_version
        current.wrapped_key = pending.wrapped_key
        current.save(update_fields=["dek_version", "kek_version", "wrapped_key"])
        pending.delete()
        _finish(job, agency_id=current.agency_id)


def rotate_client(
    client_id: UUID, progress: Progress = _no_progress, *, batch: int = 200
) -> RotationResult:
    """Give one client a new data key and re-encrypt its fields, notes and files (or resume)."""
    provider = get_provider()
    job = _open_job(RotationKind.CLIENT, client_id)
    resumed = job is not None
    if job is None:
        job = _start_client(client_id, provider)
    try:
        key = client_key(client_id)
    except DecryptionFailed:
        raise RotationError(
            "this client's data key does not unwrap; rotation stopped, no data re-encrypted"
        ) from None
    if key.version != job.target_version:
        raise RotationError("the client's pending data key does not match its rotation")
    columns = encrypted_columns()
    left = sum(len(_stale_pks(col, client_id, key.version)) for col in columns)
    total = job.done + left + _count_files(client_id)

    def on_batch(count: int) -> None:
        # Runs inside the batch's transaction: the count commits with the batch.
        job.done += count
        Rotation.objects.filter(id=job.id).update(done=job.done)

    for col in columns:
        _reencrypt_column(col, key, batch, on_batch, lambda: progress(job.done, total))
    job.done += _reencrypt_files(key)
    _finish_client(job, key)
    progress(total, total)
    return RotationResult(RotationKind.CLIENT, job.target_version, job.done, resumed)


# ---- blind-index key -----------------------------------------------------------------------


def _start_index(provider: KeyProvider) -> Rotation:
    with transaction.atomic():
        blind_index.live_versions(provider)  # makes version 1 on a new installation
        latest = IndexKey.objects.order_by("-version").first()
        version = (latest.version if latest else 0) + 1
        blind_index.create_index_key(provider, version, IndexKeyState.BUILDING)
        job = Rotation.objects.create(kind=RotationKind.INDEX, target_version=version)
        _event(EventType.KEY_ROTATION_STARTED, job)
    return job


def _index_batch(job: Rotation, building: blind_index.IndexVersion, size: int) -> int:
    from confide.records.indexes import decrypted_values
    from confide.records.models import Client

    with transaction.atomic():
        query = Client.objects.select_for_update().order_by("id")
        if job.cursor:
            query = query.filter(id__gt=uuid.UUID(job.cursor))
        clients = list(query[:size])
        if not clients:
            return 0
        keys = client_keys(c.id for c in clients)
        rows = []
        for client in clients:
            key = keys.get(client.id)
            if key is None:
                continue  # shredded: it has no rows and gets none
            try:
                values = decrypted_values(client, key)
            except DecryptionFailed:
                raise RotationError("a client's indexed fields do not decrypt") from None
            rows.extend(building.rows(client.id, client.agency_id, values))
        BlindIndexRow.objects.filter(
            client_id__in=[c.id for c in clients], key_version=building.version
        ).delete()
        BlindIndexRow.objects.bulk_create(rows, batch_size=2000)
        job.cursor = str(clients[-1].id)
        job.done += len(clients)
        job.save(update_fields=["cursor", "done"])
    return len(clients)


def _activate_index(job: Rotation) -> None:
    with transaction.atomic():
        old = list(IndexKey.objects.select_for_update().exclude(version=job.target_version))
        BlindIndexRow.objects.filter(key_version__in=[k.version for k in old]).delete()
        IndexKey.objects.filter(version__in=[k.version for k in old]).delete()
        IndexKey.objects.filter(version=job.target_version).update(state=IndexKeyState.ACTIVE)
        _finish(job)


def rotate_index(progress: Progress = _no_progress, *, batch: int = 500) -> RotationResult:
    """Build a new blind-index key version, recompute every client's rows, switch (or resume)."""
    from confide.records.models import Client

    provider = get_provider()
    job = _open_job(RotationKind.INDEX)
    resumed = job is not None
    if job is None:
        job = _start_index(provider)
    building = blind_index.unwrap_index_key(
        provider, IndexKey.objects.get(version=job.target_version)
    )
    total = Client.objects.count()
    progress(job.done, total)
    while _index_batch(job, building, batch):
        progress(job.done, total)
    _activate_index(job)
    return RotationResult(RotationKind.INDEX, job.target_version, job.done, resumed)
