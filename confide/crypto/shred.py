"""Crypto-shredding: destroy the key material that makes a client's ciphertext readable.

The retention purge calls `destroy_client_material` inside its own transaction (it deletes the
files and writes the tombstone event itself). Once it commits, the client's fields, notes and
files are ciphertext under a key nobody holds, and no blind-index row links a name, date of
birth, phone or identifier to the client any more.
"""

from __future__ import annotations

from uuid import UUID

from confide.crypto.models import BlindIndexRow, ClientKey, PendingClientKey


def destroy_client_material(client_id: UUID) -> None:
    """Delete the client's wrapped data keys (current and pending) and all its blind-index rows.

    Runs in the caller's transaction; idempotent (a shredded client has nothing left to delete).
    """
    ClientKey.objects.filter(client_id=client_id).delete()
    PendingClientKey.objects.filter(client_id=client_id).delete()
    BlindIndexRow.objects.filter(client_id=client_id).delete()
