"""Accounting of disclosures (45 CFR 164.528): one entry per release, never changed or removed.

Entries and their annotations are append-only in the database itself (triggers, migration
0002). Free text (recipient, address, description, purpose, legal basis, annotation) may name or
describe people, so it is stored only encrypted with the client's data key.
"""

from __future__ import annotations

from django.db import models

from confide.accounts.models import Agency, User
from confide.core.models import BaseModel
from confide.disclosures.enums import ExcludedKind
from confide.records.models import Client


class AccountingEntry(BaseModel):
    """One disclosure of a client's information, as the accounting lists it."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="accounting_entries")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    disclosed_at = models.DateTimeField()
    excluded_kind = models.CharField(
        max_length=32,
        choices=ExcludedKind.choices,
        blank=True,
        help_text="Blank: included in the accounting the client receives.",
    )
    release_id = models.UUIDField(
        null=True, blank=True, help_text="The release (disclosure) this entry records, if any."
    )
    recipient_enc = models.BinaryField()
    recipient_address_enc = models.BinaryField()
    description_enc = models.BinaryField()
    purpose_enc = models.BinaryField()
    legal_basis_enc = models.BinaryField()

    class Meta:
        db_table = "disclosures_accountingentry"
        indexes = [models.Index(fields=["client", "disclosed_at"], name="accounting_client_time")]


class AccountingAnnotation(BaseModel):
    """A note added to an entry later (a correction, a suspension under 164.528(a)(2)).

    The only way to amend an entry: the entry itself never changes.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(AccountingEntry, on_delete=models.PROTECT, related_name="annotations")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text_enc = models.BinaryField()

    class Meta:
        db_table = "disclosures_accountingannotation"
