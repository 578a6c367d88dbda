"""Ledger rows. Written only by `ledger.services.record`; never updated or deleted (triggers)."""

from __future__ import annotations

from django.db import models


class Event(models.Model):
    """One hash-chained event. Holds ids, event type, reason and policy ids; never note text."""

    seq = models.BigIntegerField(primary_key=True)
    occurred_at = models.DateTimeField()
    agency_id = models.UUIDField(null=True, db_index=True)
    actor_id = models.UUIDField(null=True, db_index=True)
    channel = models.CharField(max_length=16)
    event_type = models.CharField(max_length=64)
    subject_type = models.CharField(max_length=32, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    client_id = models.UUIDField(null=True)  # looked up through ledger_client_time
    reason = models.CharField(max_length=500, blank=True)
    policy_ids = models.JSONField(default=list)
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    # Not indexed: nothing looks an event up by its hash, and the chain already makes each
    # hash unique (decision 0012). Every index is one more write in the append's locked part.
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "ledger_event"
        indexes = [models.Index(fields=["client_id", "occurred_at"], name="ledger_client_time")]


class ChainHead(models.Model):
    """The single row that serializes appends: locked for update by each appending transaction."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "ledger_chain_head"
