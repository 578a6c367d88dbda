"""Retention enumerations."""

from __future__ import annotations

from django.db import models


class Basis(models.TextChoices):
    """Which rule set a client's destruction date."""

    CLOSURE = "closure", "Years after the last case closed"
    MAJORITY = "majority", "Years after the client reached majority (served as a minor)"
    ACCOUNTING = "accounting", "Six years after a disclosure in the accounting of disclosures"


class HoldReason(models.TextChoices):
    SUBPOENA = "subpoena", "Subpoena"
    COURT_ORDER = "court_order", "Court order"
    LITIGATION = "litigation", "Litigation pending or reasonably anticipated"
    INVESTIGATION = "investigation", "Audit, investigation or complaint"
    CLIENT_REQUEST = "client_request", "Client's request (access, amendment, accounting)"
    OTHER = "other", "Other (explain)"


class ItemStatus(models.TextChoices):
    PENDING = "pending", "Approved, waiting for the purge job"
    PURGED = "purged", "Destroyed"
    SKIPPED_HELD = "skipped_held", "Skipped: under legal hold"
    SKIPPED_NOT_DUE = "skipped_not_due", "Skipped: no longer due"
    FAILED = "failed", "Failed (nothing changed)"


class ShredCause(models.TextChoices):
    PURGE = "purge", "Retention purge"
    RESTORE = "restore", "Re-applied after a backup restore"
