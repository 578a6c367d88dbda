"""Per-client envelope encryption of fields and files.

Ciphertext layout: format byte (1) | data-key version (4, big-endian) | nonce (12) | AES-GCM
output. The additional authenticated data binds purpose (table and column), row id, client id
and data-key version, so a ciphertext moved to another row, column or client fails to open.

Each client's data key is stored only wrapped by the key provider's KEK (AAD: client, data-key
version, KEK version). While a data-key rotation of the client is under way, `client_key`
returns the next key for writing and still opens ciphertext of the current one.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection

from confide.crypto.keyring import KEY_BYTES
from confide.crypto.models import ClientKey, PendingClientKey
from confide.crypto.providers import KeyProvider, ProviderError, UnwrapFailed, get_provider

FORMAT = 1
_HEADER = struct.Struct(">BI")
NONCE_BYTES = 12


class DecryptionFailed(RuntimeError):
    """A ciphertext did not authenticate: wrong key, wrong place, or tampered."""


def wrap_aad(client_id: UUID, dek_version: int, kek_version: int) -> bytes:
    return f"confide:client-key:{client_id}:{dek_version}:{kek_version}".encode()


def _field_aad(purpose: str, row_id: UUID, client_id: UUID, dek_version: int) -> bytes:
    return f"confide:{purpose}:{row_id}:{client_id}:{dek_version}".encode()


def blob_version(blob: bytes | memoryview) -> int | None:
    """The data-key version a ciphertext names in its header (None if it has no valid header)."""
    if len(blob) < _HEADER.size:
        return None
    fmt, version = _HEADER.unpack_from(bytes(blob[: _HEADER.size]))
    return int(version) if fmt == FORMAT else None


@dataclass(frozen=True)
class DataKey:
    """An unwrapped client data key, held in memory for one operation only.

    `version`/`key` encrypt; `older` holds keys of earlier versions that may still decrypt
    (only during the client's data-key rotation).
    """

    client_id: UUID
    version: int
    key: bytes
    older: dict[int, bytes] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @cached_property
    def _cipher(self) -> AESGCM:
        return AESGCM(self.key)

    def _decipher(self, version: int) -> AESGCM:
        if version == self.version:
            return self._cipher
        if version in self.older:
            return AESGCM(self.older[version])
        raise DecryptionFailed("ciphertext format or key version does not match")

    def encrypt(self, purpose: str, row_id: UUID, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = _field_aad(purpose, row_id, self.client_id, self.version)
        body = self._cipher.encrypt(nonce, plaintext, aad)
        return _HEADER.pack(FORMAT, self.version) + nonce + body

    def decrypt(self, purpose: str, row_id: UUID, blob: bytes | memoryview) -> bytes:
        blob = bytes(blob)
        if len(blob) < _HEADER.size + NONCE_BYTES + 16:
            raise DecryptionFailed("ciphertext too short")
        fmt, version = _HEADER.unpack_from(blob)
        if fmt != FORMAT:
            raise DecryptionFailed("ciphertext format or key version does not match")
        cipher = self._decipher(version)
        nonce = blob[_HEADER.size : _HEADER.size + NONCE_BYTES]
        aad = _field_aad(purpose, row_id, self.client_id, version)
        try:
            return cipher.decrypt(nonce, blob[_HEADER.size + NONCE_BYTES :], aad)
        except InvalidTag:
            raise DecryptionFailed("ciphertext did not authenticate") from None

    def encrypt_text(self, purpose: str, row_id: UUID, text: str) -> bytes:
        return self.encrypt(purpose, row_id, text.encode())

    def decrypt_text(self, purpose: str, row_id: UUID, blob: bytes | memoryview) -> str:
        return self.decrypt(purpose, row_id, blob).decode()


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def wrap_client_key(
    provider: KeyProvider, client_id: UUID, dek_version: int, key: bytes
) -> tuple[int, bytes]:
    """(KEK version, wrapped key) of a data key under the provider's active KEK."""
    kek_version = provider.active_version()
    return kek_version, provider.wrap(
        kek_version, key, wrap_aad(client_id, dek_version, kek_version)
    )


def unwrap_row(provider: KeyProvider, row: ClientKey | PendingClientKey) -> bytes:
    aad = wrap_aad(row.client_id, row.dek_version, row.kek_version)
    try:
        return provider.unwrap(row.kek_version, bytes(row.wrapped_key), aad)
    except (UnwrapFailed, ProviderError):
        raise DecryptionFailed("data key did not unwrap") from None


def create_client_key(*, client_id: UUID, agency_id: UUID) -> DataKey:
    """Generate a data key for a new client and store it wrapped by the active KEK."""
    key = new_data_key()
    kek_version, wrapped = wrap_client_key(get_provider(), client_id, 1, key)
    ClientKey.objects.create(
        client_id=client_id,
        agency_id=agency_id,
        dek_version=1,
        kek_version=kek_version,
        wrapped_key=wrapped,
    )
    return DataKey(client_id=client_id, version=1, key=key)


@dataclass(frozen=True)
class _Wrapped:
    """A client's wrapped key rows as read: current, and pending (rotation) if any."""

    current: ClientKey
    pending: PendingClientKey | None


def _wrapped_keys(ids: list[UUID]) -> list[_Wrapped]:
    """The clients' key rows with their pending key, in one plain query (a join); on the path of
    every record open, so it avoids the ORM's per-query overhead."""
    if not ids:
        return []
    key, pending = ClientKey._meta, PendingClientKey._meta
    q = connection.ops.quote_name
    uuid_field = key.get_field("client_id")
    marks = ", ".join(["%s"] * len(ids))
    # Table names come from the models' metadata; every value is a parameter.
    sql = (
        "SELECT k.client_id, k.agency_id, k.dek_version, k.kek_version, k.wrapped_key, "  # noqa: S608
        "p.dek_version, p.kek_version, p.wrapped_key "
        f"FROM {q(key.db_table)} k LEFT JOIN {q(pending.db_table)} p ON p.client_id = k.client_id "
        f"WHERE k.client_id IN ({marks})"
    )
    params = [uuid_field.get_db_prep_value(i, connection) for i in ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    rows = []
    for client_id, agency_id, dek, kek, wrapped, next_dek, next_kek, next_wrapped in found:
        cid = uuid_field.to_python(client_id)
        aid = uuid_field.to_python(agency_id)
        current = ClientKey(
            client_id=cid, agency_id=aid, dek_version=dek, kek_version=kek, wrapped_key=wrapped
        )
        later = (
            None
            if next_dek is None
            else PendingClientKey(
                client_id=cid,
                agency_id=aid,
                dek_version=next_dek,
                kek_version=next_kek,
                wrapped_key=next_wrapped,
            )
        )
        rows.append(_Wrapped(current, later))
    return rows


def _data_key(provider: KeyProvider, row: _Wrapped) -> DataKey:
    current = unwrap_row(provider, row.current)
    if row.pending is None:
        return DataKey(
            client_id=row.current.client_id, version=row.current.dek_version, key=current
        )
    return DataKey(
        client_id=row.current.client_id,
        version=row.pending.dek_version,
        key=unwrap_row(provider, row.pending),
        older={row.current.dek_version: current},
    )


def client_key(client_id: UUID) -> DataKey:
    """Unwrap the client's data key. Raises DecryptionFailed if it is missing (shredded)."""
    rows = _wrapped_keys([client_id])
    if not rows:
        raise DecryptionFailed("no data key for this client")
    return _data_key(get_provider(), rows[0])


def client_keys(client_ids: Iterable[UUID]) -> dict[UUID, DataKey]:
    """The data keys of several clients in one query; shredded clients are left out, and so is
    a key that does not unwrap (its records are unreadable)."""
    rows = _wrapped_keys(list(client_ids))
    if not rows:
        return {}
    provider = get_provider()
    keys = {}
    for row in rows:
        try:
            keys[row.current.client_id] = _data_key(provider, row)
        except DecryptionFailed:
            continue
    return keys
