"""Wrapped per-client data keys. The plaintext data key never touches the database."""

from __future__ import annotations

from django.db import models


class ClientKey(models.Model):
    """A client's data key, wrapped (AES-256-GCM) by a versioned key-encryption key."""

    client_id = models.UUIDField(primary_key=True)
    agency_id = models.UUIDField(db_index=True)
    dek_version = models.PositiveIntegerField(default=1)
    kek_version = models.PositiveIntegerField()
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "crypto_client_key"
