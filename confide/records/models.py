"""Case record tables. Identifying and narrative fields are stored only as ciphertext (`*_enc`),
encrypted with the client's data key; services write them and selectors decrypt them. Exact
lookups go through blind-index rows (confide/crypto/blind_index.py, records/indexes.py)."""

from __future__ import annotations

from django.db import models

from confide.accounts.models import Agency, Program, Team, User
from confide.core.models import BaseModel
from confide.records.enums import CaseStatus, NoteKind, NoteStatus


class Client(BaseModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="clients")
    legal_name_enc = models.BinaryField()
    preferred_name_enc = models.BinaryField()
    date_of_birth_enc = models.BinaryField()
    phone_enc = models.BinaryField()
    email_enc = models.BinaryField()
    address_enc = models.BinaryField()
    identifiers_enc = models.BinaryField()
    labels = models.JSONField(
        default=list, help_text="Client-level labels; dv_location withholds the address."
    )
    version = models.PositiveIntegerField(default=1)


class Case(BaseModel):
    """An episode of service, assigned to one care team."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    workers = models.ManyToManyField(
        User, blank=True, related_name="assigned_cases", help_text="Individually assigned staff."
    )
    case_number = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "case_number"], name="case_number_unique")
        ]


class Note(BaseModel):
    """A note: a draft until signed; a signed note is immutable and corrected by addenda."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="notes")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(max_length=16, choices=NoteKind.choices)
    status = models.CharField(max_length=8, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    labels = models.JSONField(default=list)
    body_enc = models.BinaryField()
    addendum_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="addenda"
    )
    version = models.PositiveIntegerField(default=1)
    signed_at = models.DateTimeField(null=True, blank=True)
    occurred_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["client", "occurred_on"], name="note_client_date")]


class Attachment(BaseModel):
    """An uploaded file, stored encrypted on disk under its id; name kept encrypted."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="attachments")
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    filename_enc = models.BinaryField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # The note's labels when the file was attached, for the record: access to a file is decided
    # on its note, labels included (`records.services.attachment_create`).
    labels = models.JSONField(default=list)
