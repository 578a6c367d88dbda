"""Key material and blind-index rows. No plaintext key ever touches the database: data keys and
blind-index root keys are stored only wrapped by a key-encryption key (KEK) that lives in the key
provider (the keyring file or a hardware security module)."""

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


class PendingClientKey(models.Model):
    """The next data key of a client whose data-key rotation has started and not finished.

    While it exists, new ciphertext uses it and old ciphertext still opens with the current key;
    the rotation's last step makes it the client's key in one transaction.
    """

    client_id = models.UUIDField(primary_key=True)
    agency_id = models.UUIDField()
    dek_version = models.PositiveIntegerField()
    kek_version = models.PositiveIntegerField()
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "crypto_pending_client_key"


class IndexKeyState(models.TextChoices):
    BUILDING = "building", "building (rows being computed)"
    ACTIVE = "active", "active (lookups use it)"


class IndexKey(models.Model):
    """One version of the blind-index root key, wrapped by a KEK, with the planner's bit lengths.

    Per-index, per-agency keys are derived from it with HKDF. At most one version is active and
    at most one is building (during a blind-index key rotation).
    """

    version = models.PositiveIntegerField(primary_key=True)
    state = models.CharField(max_length=16, choices=IndexKeyState.choices)
    kek_version = models.PositiveIntegerField()
    wrapped_key = models.BinaryField()
    bits = models.JSONField(help_text="Index name -> truncated length in bits (the plan).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "crypto_index_key"


class BlindIndexRow(models.Model):
    """One truncated HMAC of one client's normalized value, under one index key version."""

    id = models.BigAutoField(primary_key=True)
    agency_id = models.UUIDField()
    client_id = models.UUIDField(db_index=True)
    index_name = models.CharField(max_length=32)
    key_version = models.PositiveIntegerField()
    value = models.BigIntegerField()

    class Meta:
        db_table = "crypto_blind_index"
        indexes = [
            models.Index(
                fields=["agency_id", "index_name", "key_version", "value"],
                name="blind_index_lookup",
            )
        ]


class RotationKind(models.TextChoices):
    KEK = "kek", "key-encryption key"
    CLIENT = "client", "client data key"
    INDEX = "index", "blind-index key"


class Rotation(models.Model):
    """A key rotation in progress (or finished): what it rotates to and how far it got.

    A rotation that crashed is found here and resumed by running the same command again.
    """

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=8, choices=RotationKind.choices)
    target_version = models.PositiveIntegerField()
    client_id = models.UUIDField(null=True, blank=True)
    cursor = models.CharField(max_length=64, blank=True, default="")
    done = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "crypto_rotation"
