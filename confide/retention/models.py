"""Retention tables: schedules (history kept), legal holds, approved purge batches and their
items, and the tombstones of shredded clients. Only `services` writes them.

Free text about a hold (a subpoena's caption often names the client) is encrypted with the
client's data key; everything else here is ids, dates and codes.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from confide.accounts.models import Agency, User
from confide.core.models import BaseModel
from confide.records.models import Client
from confide.retention.enums import Basis, HoldReason, ItemStatus, ShredCause


class RetentionSchedule(BaseModel):
    """One version of an agency's schedule; the newest is in force (older ones are history)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=2)
    years_after_closure = models.PositiveSmallIntegerField()
    years_after_majority = models.PositiveSmallIntegerField()
    majority_age = models.PositiveSmallIntegerField()
    set_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["agency", "created_at"], name="retention_schedule_current")]


class LegalHold(BaseModel):
    """A hold (subpoena, litigation, investigation) that blocks a client's destruction until
    released."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.CharField(max_length=16, choices=HoldReason.choices)
    details_enc = models.BinaryField()
    placed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    release_note_enc = models.BinaryField(default=b"")

    class Meta:
        indexes = [models.Index(fields=["client", "released_at"], name="legal_hold_active")]


class PurgeBatch(BaseModel):
    """Clients a privacy officer approved for destruction at once, under one schedule."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    schedule = models.ForeignKey(RetentionSchedule, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)


class PurgeItem(BaseModel):
    batch = models.ForeignKey(PurgeBatch, on_delete=models.PROTECT, related_name="items")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    basis = models.CharField(max_length=16, choices=Basis.choices)
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="pending"),
                name="purge_item_one_pending_per_client",
            )
        ]


class ShreddedClient(models.Model):
    """The tombstone of a shredded client: ids and dates only. Mirrored into the shred list
    beside the keys (`shredlist`), which outlives any restore of an older backup."""

    client_id = models.UUIDField(primary_key=True)
    agency_id = models.UUIDField(db_index=True)
    shredded_at = models.DateTimeField()
    cause = models.CharField(max_length=8, choices=ShredCause.choices)
    batch_id = models.UUIDField(null=True, blank=True)
    attachment_ids = models.JSONField(default=list)
    files_removed_at = models.DateTimeField(null=True, blank=True)
