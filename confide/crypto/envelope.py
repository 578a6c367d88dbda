"""Per-client envelope encryption of fields and files.

Ciphertext layout: format byte (1) | data-key version (4, big-endian) | nonce (12) | AES-GCM
output. The additional authenticated data binds purpose (table and column), row id, client id
and data-key version, so a ciphertext moved to another row, column or client fails to open.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from confide.crypto.keyring import KEY_BYTES, load_keyring
from confide.crypto.models import ClientKey

FORMAT = 1
_HEADER = struct.Struct(">BI")
NONCE_BYTES = 12


class DecryptionFailed(RuntimeError):
    """A ciphertext did not authenticate: wrong key, wrong place, or tampered."""


def _wrap_aad(client_id: UUID, dek_version: int, kek_version: int) -> bytes:
    return f"confide:client-key:{client_id}:{dek_version}:{kek_version}".encode()


def _field_aad(purpose: str, row_id: UUID, client_id: UUID, dek_version: int) -> bytes:
    return f"confide:{purpose}:{row_id}:{client_id}:{dek_version}".encode()


@dataclass(frozen=True)
class DataKey:
    """An unwrapped client data key, held in memory for one operation only."""

    client_id: UUID
    version: int
    key: bytes

    def encrypt(self, purpose: str, row_id: UUID, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = _field_aad(purpose, row_id, self.client_id, self.version)
        body = AESGCM(self.key).encrypt(nonce, plaintext, aad)
        return _HEADER.pack(FORMAT, self.version) + nonce + body

    def decrypt(self, purpose: str, row_id: UUID, blob: bytes | memoryview) -> bytes:
        blob = bytes(blob)
        if len(blob) < _HEADER.size + NONCE_BYTES + 16:
            raise DecryptionFailed("ciphertext too short")
        fmt, version = _HEADER.unpack_from(blob)
        if fmt != FORMAT or version != self.version:
            raise DecryptionFailed("ciphertext format or key version does not match")
        nonce = blob[_HEADER.size : _HEADER.size + NONCE_BYTES]
        aad = _field_aad(purpose, row_id, self.client_id, version)
        try:
            return AESGCM(self.key).decrypt(nonce, blob[_HEADER.size + NONCE_BYTES :], aad)
        except InvalidTag:
            raise DecryptionFailed("ciphertext did not authenticate") from None

    def encrypt_text(self, purpose: str, row_id: UUID, text: str) -> bytes:
        return self.encrypt(purpose, row_id, text.encode())

    def decrypt_text(self, purpose: str, row_id: UUID, blob: bytes | memoryview) -> str:
        return self.decrypt(purpose, row_id, blob).decode()


def create_client_key(*, client_id: UUID, agency_id: UUID) -> DataKey:
    """Generate a data key for a new client and store it wrapped by the active KEK."""
    keyring = load_keyring()
    key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    nonce = os.urandom(NONCE_BYTES)
    version = keyring.active_kek_version
    wrapped = nonce + AESGCM(keyring.kek(version)).encrypt(
        nonce, key, _wrap_aad(client_id, 1, version)
    )
    ClientKey.objects.create(
        client_id=client_id,
        agency_id=agency_id,
        dek_version=1,
        kek_version=version,
        wrapped_key=wrapped,
    )
    return DataKey(client_id=client_id, version=1, key=key)


def client_key(client_id: UUID) -> DataKey:
    """Unwrap the client's data key. Raises DecryptionFailed if it is missing (shredded)."""
    row = ClientKey.objects.filter(client_id=client_id).first()
    if row is None:
        raise DecryptionFailed("no data key for this client")
    keyring = load_keyring()
    wrapped = bytes(row.wrapped_key)
    aad = _wrap_aad(client_id, row.dek_version, row.kek_version)
    try:
        key = AESGCM(keyring.kek(row.kek_version)).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad
        )
    except InvalidTag:
        raise DecryptionFailed("data key did not unwrap") from None
    return DataKey(client_id=client_id, version=row.dek_version, key=key)
