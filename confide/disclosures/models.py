"""Tables of the disclosures app: the accounting of disclosures, and the release workflow.

Accounting (45 CFR 164.528): one entry per release, never changed or removed. Entries and their
annotations are append-only in the database itself (triggers, migration 0002).

Workflow: an agency's disclosure profile (state, kind of entity), requests with the engine's
decisions, release packets with their proposed redactions, and deliveries (print, one-time link,
verbal). Free text (recipients, purposes, reasons, the facts given to the engine) may name or
describe people, so it is stored only encrypted with the client's data key; decisions hold only
the engine's codes and generated text. Link tokens and codes are stored only as hashes.
"""

from __future__ import annotations

from django.db import models

from confide.accounts.models import Agency, User
from confide.core.models import BaseModel
from confide.disclosures.enums import (
    ClientNotice,
    DeliveryMethod,
    ExcludedKind,
    NoticeException,
    PacketStatus,
    RedactionChoice,
    RequestStatus,
    ReviewOutcome,
)
from confide.records.models import Attachment, Client


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
    # Null: recorded before release labels were kept (such an entry never goes to a guardian).
    labels_enc = models.BinaryField(
        null=True,
        blank=True,
        help_text="The sensitivity labels of what the release carried (its notes' and the "
        "client's), encrypted: decides what an accounting given to a guardian lists.",
    )

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


class DisclosureProfile(BaseModel):
    """Facts about the agency that every disclosure decision needs (set by an administrator)."""

    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="+")
    jurisdiction_state = models.CharField(
        max_length=3, blank=True, help_text="Two-letter US state code; blank: not known."
    )
    entity_type = models.CharField(max_length=32, help_text="The engine's entity_type.")
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")


class DisclosureRequest(BaseModel):
    """A proposed disclosure of one client's information, with the engine's decisions."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=RequestStatus.choices)
    recipient_type = models.CharField(max_length=48)
    purpose = models.CharField(max_length=48)
    categories = models.JSONField(default=list)
    date_from = models.DateField()
    date_to = models.DateField()
    legal_instrument = models.CharField(max_length=32, blank=True)
    release_id = models.UUIDField(
        null=True, blank=True, help_text="The release of information on file it rests on."
    )
    # SET_NULL: crypto-shredding a client deletes its attachments (retention).
    instrument = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_enc = models.BinaryField()
    recipient_address_enc = models.BinaryField()
    description_enc = models.BinaryField()
    extra_names_enc = models.BinaryField()
    facts_enc = models.BinaryField()
    decisions = models.JSONField(default=dict, help_text="Engine output per category (codes).")
    outcome = models.CharField(max_length=32)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=16, choices=ReviewOutcome.choices, blank=True)
    review_reason_enc = models.BinaryField(default=b"")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        db_table = "disclosures_request"
        indexes = [models.Index(fields=["agency", "status"], name="disclosure_request_queue")]


class ReleasePacket(BaseModel):
    """What an allowed request releases: the notes chosen by the decision, with redactions a
    person reviews. Each delivery renders it to a PDF whose SHA-256 digest it records."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    request = models.OneToOneField(
        DisclosureRequest, on_delete=models.PROTECT, related_name="packet"
    )
    built_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=PacketStatus.choices)
    note_ids = models.JSONField(default=list)
    withheld = models.JSONField(default=dict, help_text="Notes left out, counted by reason.")
    includes_part2 = models.BooleanField(default=False)

    class Meta:
        db_table = "disclosures_packet"


class Redaction(BaseModel):
    """A proposed redaction: a span of a note's text; the text itself is never stored here."""

    packet = models.ForeignKey(ReleasePacket, on_delete=models.CASCADE, related_name="redactions")
    note_id = models.UUIDField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    entity = models.CharField(max_length=32)
    choice = models.CharField(
        max_length=16, choices=RedactionChoice.choices, default=RedactionChoice.PENDING
    )
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "disclosures_redaction"


class Delivery(BaseModel):
    """One release to the recipient, with its accounting entry and how the client was told."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        DisclosureRequest, on_delete=models.PROTECT, related_name="deliveries"
    )
    packet = models.ForeignKey(
        ReleasePacket, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(max_length=16, choices=DeliveryMethod.choices)
    released_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    disclosed_at = models.DateTimeField()
    accounting_entry = models.ForeignKey(
        AccountingEntry, on_delete=models.PROTECT, related_name="+"
    )
    summary_enc = models.BinaryField(default=b"", help_text="What was said (verbal releases).")
    pdf = models.ForeignKey(  # SET_NULL: shredding the client deletes the copy; the digest stays
        Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    digest = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the PDF sent.")
    client_notice = models.CharField(max_length=16, choices=ClientNotice.choices)
    notice_exception = models.CharField(max_length=32, choices=NoticeException.choices, blank=True)
    notice_reason_enc = models.BinaryField(default=b"")
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    code_hash = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "disclosures_delivery"
